//! GetSdkTypes and GetSdkType: the SDKs API Gateway generates, with the configuration
//! properties each takes (GetSdk's `parameters`). GetSdk itself is not built.
//!
//! Decision: the ids are those GetSdk's reference names (`java`, `javascript`, `android`,
//! `objectivec`, `swift`, `ruby`); which properties are required is GetSdk's reference; the
//! friendly names, descriptions and defaults are the console's "Generate SDK" fields as the
//! developer guide describes them. No answer of AWS's GetSdkTypes is on record.

use serde_json::{json, Value};

use crate::call::{Call, Reply};
use crate::error::ApiError;
use crate::{Ctx, Handler};

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "GetSdkTypes" => list,
        "GetSdkType" => get,
        _ => return None,
    })
}

fn property(name: &str, friendly: &str, description: &str, required: bool) -> Value {
    json!({
        "name": name,
        "friendlyName": friendly,
        "description": description,
        "required": required,
    })
}

fn with_default(mut p: Value, default: &str) -> Value {
    p["defaultValue"] = json!(default);
    p
}

fn types() -> Vec<Value> {
    let prefix = || {
        vec![property(
            "classPrefix",
            "Prefix",
            "The prefix of the generated classes",
            true,
        )]
    };
    vec![
        json!({
            "id": "android",
            "friendlyName": "Android",
            "description": "Android SDK",
            "configurationProperties": [
                property("groupId", "Group ID", "The unique identifier of the project, used in pom.xml (com.mycompany)", true),
                property("invokerPackage", "Invoker package", "The namespace of the generated client classes (com.mycompany.clientsdk)", true),
                property("artifactId", "Artifact ID", "The name of the compiled .jar file, without the version", true),
                property("artifactVersion", "Artifact version", "The version of the generated client (major.minor.patch)", true),
            ],
        }),
        json!({
            "id": "java",
            "friendlyName": "Java",
            "description": "Java SDK",
            "configurationProperties": [
                property("serviceName", "Service Name", "The name of the SDK", true),
                property("javaPackageName", "Java Package Name", "The package of the generated classes", true),
                with_default(property("javaBuildSystem", "Java Build System", "maven or gradle", false), "maven"),
                property("javaGroupId", "Java Group Id", "The group id of the generated project", false),
                property("javaArtifactId", "Java Artifact Id", "The artifact id of the generated project", false),
                with_default(property("javaArtifactVersion", "Java Artifact Version", "The version of the generated project", false), "1.0.0"),
            ],
        }),
        json!({
            "id": "javascript",
            "friendlyName": "JavaScript",
            "description": "JavaScript SDK",
            "configurationProperties": [],
        }),
        json!({
            "id": "objectivec",
            "friendlyName": "iOS (Objective-C)",
            "description": "iOS SDK in Objective-C",
            "configurationProperties": prefix(),
        }),
        json!({
            "id": "swift",
            "friendlyName": "iOS (Swift)",
            "description": "iOS SDK in Swift",
            "configurationProperties": prefix(),
        }),
        json!({
            "id": "ruby",
            "friendlyName": "Ruby",
            "description": "Ruby SDK",
            "configurationProperties": [
                property("service.name", "Service Name", "The name of the SDK, all letters (a-zA-Z)", true),
                property("ruby.gem-name", "Ruby Gem Name", "The name of the gem; by default the lower-cased service name with -sdk", false),
                with_default(property("ruby.gem-version", "Ruby Gem Version", "The version of the gem", false), "1.0.0"),
            ],
        }),
    ]
}

fn list(_: &Ctx, _: &Call) -> Result<Reply, ApiError> {
    Ok(Reply::Json(json!({ "item": types() })))
}

fn get(_: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let id = call.label("sdktype_id");
    types()
        .into_iter()
        .find(|t| t["id"] == id)
        .map(Reply::Json)
        .ok_or_else(|| ApiError::not_found(format!("Invalid SDK type specified: {id}")))
}
