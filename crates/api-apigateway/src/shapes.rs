//! The documents the handlers store are the model's structs: each reads into its struct and
//! writes back to the same JSON (`portico_model` holds the single definition of each shape; the
//! data plane reads them through it). Handlers that edit a stored document through patch rules
//! edit its JSON map, so these tests drive the real handlers through representative creates and
//! updates of each entity and check every stored document after every call: a handler that
//! drifts from the struct (a renamed member, an integer stored as a float) fails here.

use std::fmt::Debug;

use portico_model::{
    Account, ApiKey, Authorizer, Entity, Integration, IntegrationResponse, Method, MethodResponse,
    Stage, UsagePlan, UsagePlanKey,
};
use serde_json::{json, Value};

use crate::store::kind;
use crate::testing::Harness;

/// One call: method, path, query, body. `$id` in the path is the id of the entity the last
/// POST answered with.
type Step<'a> = (&'a str, String, &'a str, Value);

/// What to check in a stored document: round-trips the parts of it that are one entity and
/// says how many there were.
type Probe = fn(&Value, &str) -> usize;

/// Each of `parts` reads into `T` and writes back to the same JSON (member order aside;
/// integers and floats are told apart).
fn round_trip<T: Entity + Debug>(parts: Vec<&Value>, after: &str) -> usize {
    for part in &parts {
        let typed = T::from_value(part).unwrap_or_else(|e| panic!("after {after}: {e}\n{part:#}"));
        assert_eq!(
            &typed.to_value(),
            *part,
            "after {after}: the stored {} does not round-trip",
            T::NAME
        );
    }
    parts.len()
}

/// The values of the map member `key`.
fn members<'v>(doc: &'v Value, key: &str) -> Vec<&'v Value> {
    doc.get(key)
        .and_then(Value::as_object)
        .map(|m| m.values().collect())
        .unwrap_or_default()
}

fn whole<T: Entity + Debug>(doc: &Value, after: &str) -> usize {
    round_trip::<T>(vec![doc], after)
}

fn methods(resource: &Value, after: &str) -> usize {
    round_trip::<Method>(members(resource, "resourceMethods"), after)
}

fn method_responses(resource: &Value, after: &str) -> usize {
    let responses = members(resource, "resourceMethods")
        .into_iter()
        .flat_map(|m| members(m, "methodResponses"))
        .collect();
    round_trip::<MethodResponse>(responses, after)
}

fn integrations(resource: &Value) -> Vec<&Value> {
    members(resource, "resourceMethods")
        .into_iter()
        .filter_map(|m| m.get("methodIntegration"))
        .collect()
}

fn integration(resource: &Value, after: &str) -> usize {
    round_trip::<Integration>(integrations(resource), after)
}

fn integration_responses(resource: &Value, after: &str) -> usize {
    let responses = integrations(resource)
        .into_iter()
        .flat_map(|i| members(i, "integrationResponses"))
        .collect();
    round_trip::<IntegrationResponse>(responses, after)
}

/// Run `steps`; after each, run every probe on every document of `kind` in `scope`. Each probe
/// must have found something by the end.
fn check(h: &Harness, (kind, scope): (&str, &str), probes: &[Probe], steps: &[Step]) {
    let mut id = String::new();
    let mut seen = vec![0; probes.len()];
    for (method, path, query, body) in steps {
        let path = path.replace("$id", &id);
        let reply = h.call(method, &path, query, body.clone());
        if *method == "POST" {
            if let Some(new) = reply.get("id").and_then(Value::as_str) {
                id = new.to_string();
            }
        }
        let after = format!("{method} {path}");
        for doc in h.documents(kind, scope) {
            for (probe, n) in probes.iter().zip(&mut seen) {
                *n += probe(&doc, &after);
            }
        }
    }
    assert!(
        seen.iter().all(|n| *n > 0),
        "a probe found nothing: {seen:?}"
    );
}

fn patch(ops: Value) -> Value {
    json!({ "patchOperations": ops })
}

fn arn(path: &str) -> String {
    format!("arn:aws:apigateway:us-east-1::{path}")
        .replace(':', "%3A")
        .replace('/', "%2F")
}

/// An API whose root has a deployable GET (MOCK): its id and root resource's id.
fn api(h: &Harness) -> (String, String) {
    let api = h.call("POST", "/restapis", "", json!({"name": "shapes"}));
    let (id, root) = (
        api["id"].as_str().unwrap().to_string(),
        api["rootResourceId"].as_str().unwrap().to_string(),
    );
    let get = format!("/restapis/{id}/resources/{root}/methods/GET");
    h.call("PUT", &get, "", json!({"authorizationType": "NONE"}));
    h.call(
        "PUT",
        &format!("{get}/integration"),
        "",
        json!({"type": "MOCK"}),
    );
    (id, root)
}

fn deploy(h: &Harness, api: &str) -> String {
    let dep = h.call(
        "POST",
        &format!("/restapis/{api}/deployments"),
        "",
        json!({}),
    );
    dep["id"].as_str().unwrap().to_string()
}

/// An API with stages `prod` and `dev`.
fn api_with_stages(h: &Harness) -> String {
    let (api, _) = api(h);
    let dep = deploy(h, &api);
    for name in ["prod", "dev"] {
        h.call(
            "POST",
            &format!("/restapis/{api}/stages"),
            "",
            json!({"stageName": name, "deploymentId": dep}),
        );
    }
    api
}

#[test]
fn stages() {
    let h = Harness::new();
    let (api, _) = api(&h);
    let (d1, d2) = (deploy(&h, &api), deploy(&h, &api));
    let stages = format!("/restapis/{api}/stages");
    let deployments = format!("/restapis/{api}/deployments");
    let prod = format!("{stages}/prod");
    let role = "arn:aws:iam::111111111111:role/logs";
    let cert = h.call("POST", "/clientcertificates", "", json!({}))["clientCertificateId"]
        .as_str()
        .unwrap()
        .to_string();
    let op = |op: &str, path: &str, value: &str| json!({"op": op, "path": path, "value": value});
    // A stage names only documentation versions that exist.
    for v in ["1", "2"] {
        h.call(
            "POST",
            &format!("/restapis/{api}/documentation/versions"),
            "",
            json!({"documentationVersion": v}),
        );
    }
    check(
        &h,
        (kind::STAGE, &api),
        &[whole::<Stage>],
        &[
            (
                "PATCH",
                "/account".into(),
                "",
                patch(json!([op("replace", "/cloudwatchRoleArn", role)])),
            ),
            (
                "POST",
                stages.clone(),
                "",
                json!({"stageName": "prod", "deploymentId": d1,
                "description": "p", "cacheClusterEnabled": true, "cacheClusterSize": "1.6",
                "variables": {"a": "1"}, "tracingEnabled": true, "documentationVersion": "1",
                "tags": {"team": "x"},
                "canarySettings": {"percentTraffic": 10, "stageVariableOverrides": {"a": "2"},
                    "useStageCache": true}}),
            ),
            (
                "POST",
                stages.clone(),
                "",
                json!({"stageName": "plain", "deploymentId": d1}),
            ),
            (
                "POST",
                deployments.clone(),
                "",
                json!({"stageName": "prod",
                "stageDescription": "again", "variables": {"b": "2"}, "cacheClusterEnabled": false}),
            ),
            (
                "POST",
                deployments.clone(),
                "",
                json!({"stageName": "fresh",
                "stageDescription": "new", "cacheClusterSize": "0.5", "tracingEnabled": true}),
            ),
            (
                "POST",
                deployments.clone(),
                "",
                json!({"stageName": "prod",
                "canarySettings": {"percentTraffic": 5.5, "useStageCache": false,
                    "stageVariableOverrides": {"b": "3"}}}),
            ),
            (
                "PATCH",
                prod.clone(),
                "",
                patch(json!([
                    op("replace", "/description", "d"),
                    op("add", "/variables/c", "3"),
                    op("replace", "/cacheClusterEnabled", "true"),
                    op("replace", "/cacheClusterSize", "6.1"),
                    op("replace", "/tracingEnabled", "false"),
                    op("replace", "/clientCertificateId", &cert),
                    op("replace", "/documentationVersion", "2"),
                    op("replace", "/accessLogSettings/format", "$context.requestId"),
                    op(
                        "replace",
                        "/accessLogSettings/destinationArn",
                        "arn:aws:logs:us-east-1:111111111111:log-group:g"
                    ),
                    op("replace", "/canarySettings/percentTraffic", "20"),
                    op("replace", "/canarySettings/stageVariableOverrides/c", "4"),
                    op("replace", "/canarySettings/useStageCache", "true"),
                    op("replace", "/*/*/throttling/rateLimit", "100"),
                    op("replace", "/*/*/throttling/burstLimit", "50"),
                    op("replace", "/~1/GET/metrics/enabled", "true"),
                    op("replace", "/~1/GET/logging/loglevel", "INFO"),
                    op("replace", "/~1/GET/logging/dataTrace", "true"),
                    op("replace", "/~1/GET/caching/enabled", "true"),
                    op("replace", "/~1/GET/caching/ttlInSeconds", "60"),
                    op("replace", "/~1/GET/caching/dataEncrypted", "true"),
                    op(
                        "replace",
                        "/~1/GET/caching/requireAuthorizationForCacheControl",
                        "false"
                    ),
                    op(
                        "replace",
                        "/~1/GET/caching/unauthorizedCacheControlHeaderStrategy",
                        "FAIL_WITH_403"
                    ),
                ])),
            ),
            (
                "PATCH",
                prod.clone(),
                "",
                patch(json!([
                    {"op": "copy", "from": "/canarySettings/deploymentId", "path": "/deploymentId"},
                    {"op": "copy", "from": "/canarySettings/stageVariableOverrides",
                        "path": "/variables"},
                ])),
            ),
            (
                "PATCH",
                prod.clone(),
                "",
                patch(json!([
                    {"op": "remove", "path": "/~1/GET"},
                    {"op": "remove", "path": "/canarySettings"},
                    {"op": "remove", "path": "/accessLogSettings"},
                    {"op": "remove", "path": "/variables/a"},
                    {"op": "remove", "path": "/clientCertificateId"},
                    {"op": "remove", "path": "/documentationVersion"},
                    op("replace", "/deploymentId", &d2),
                ])),
            ),
            (
                "PATCH",
                format!("{stages}/plain"),
                "",
                patch(json!([
                    op("replace", "/canarySettings/percentTraffic", "5"),
                    op("replace", "/accessLogSettings/format", "$context.requestId"),
                ])),
            ),
            (
                "PUT",
                format!("/tags/{}", arn(&format!("/restapis/{api}/stages/plain"))),
                "",
                json!({"tags": {"b": "c"}}),
            ),
            (
                "DELETE",
                format!("/tags/{}", arn(&format!("/restapis/{api}/stages/prod"))),
                "tagKeys=team",
                Value::Null,
            ),
        ],
    );
}

#[test]
fn api_keys() {
    let h = Harness::new();
    let api = api_with_stages(&h);
    let key = "0123456789abcdefghijKLMN";
    let op = |op: &str, path: &str, value: &str| json!({"op": op, "path": path, "value": value});
    check(
        &h,
        (kind::API_KEY, ""),
        &[whole::<ApiKey>],
        &[
            ("POST", "/apikeys".into(), "", json!({"name": "full", "description": "d",
                "enabled": true, "customerId": "c", "value": key, "generateDistinctId": true,
                "stageKeys": [{"restApiId": api, "stageName": "prod"}], "tags": {"t": "1"}})),
            ("POST", "/apikeys".into(), "", json!({})),
            ("PATCH", "/apikeys/$id".into(), "", patch(json!([
                op("replace", "/name", "renamed"),
                op("replace", "/description", "d2"),
                op("replace", "/enabled", "true"),
                op("replace", "/customerId", "c2"),
                op("add", "/stageKeys", &format!("{api}/prod")),
                op("add", "/stageKeys", &format!("{api}/dev")),
            ]))),
            ("PATCH", "/apikeys/$id".into(), "", patch(json!([
                op("remove", "/stageKeys", &format!("{api}/prod")),
                op("replace", "/description", ""),
                op("replace", "/customerId", ""),
            ]))),
            ("POST", "/apikeys".into(), "mode=import&format=csv",
                json!(format!("name,key,description,enabled\nimported,abcdefghijklmnopqrstuvwxyz,,false\nagain,{key},d3,true"))),
            ("PUT", format!("/tags/{}", arn("/apikeys/$id")), "", json!({"tags": {"x": "y"}})),
        ],
    );
}

#[test]
fn usage_plans() {
    let h = Harness::new();
    let api = api_with_stages(&h);
    let op = |op: &str, path: &str, value: &str| json!({"op": op, "path": path, "value": value});
    check(
        &h,
        (kind::USAGE_PLAN, ""),
        &[whole::<UsagePlan>],
        &[
            (
                "POST",
                "/usageplans".into(),
                "",
                json!({"name": "gold", "description": "d",
                "throttle": {"burstLimit": 10, "rateLimit": 5},
                "quota": {"limit": 100, "period": "WEEK", "offset": 1},
                "apiStages": [{"apiId": api, "stage": "prod", "throttle": {
                    "/pets/GET": {"burstLimit": 1, "rateLimit": 2}, "//GET": {"rateLimit": 1}}}],
                "tags": {"t": "1"}}),
            ),
            (
                "POST",
                "/usageplans".into(),
                "",
                json!({"name": "bare",
                "quota": {"limit": 5, "period": "DAY"}, "throttle": {}}),
            ),
            (
                "PATCH",
                "/usageplans/$id".into(),
                "",
                patch(json!([
                    op("replace", "/name", "renamed"),
                    op("replace", "/description", "d2"),
                    op("replace", "/productCode", "pc"),
                    op("replace", "/throttle/rateLimit", "3"),
                    op("replace", "/throttle/burstLimit", "4"),
                    op("replace", "/quota/limit", "10"),
                    op("replace", "/quota/period", "MONTH"),
                    op("replace", "/quota/offset", "2"),
                    op("add", "/apiStages", &format!("{api}:prod")),
                    op("add", "/apiStages", &format!("{api}:dev")),
                ])),
            ),
            (
                "PATCH",
                "/usageplans/$id".into(),
                "",
                patch(json!([
                    op(
                        "replace",
                        &format!("/apiStages/{api}:prod/throttle/~1pets/GET/rateLimit"),
                        "7"
                    ),
                    op(
                        "replace",
                        &format!("/apiStages/{api}:prod/throttle/~1pets/GET/burstLimit"),
                        "8"
                    ),
                    op(
                        "add",
                        &format!("/apiStages/{api}:dev/throttle//cats/GET/rateLimit"),
                        "1.5"
                    ),
                ])),
            ),
            (
                "PATCH",
                "/usageplans/$id".into(),
                "",
                patch(json!([
                    op("replace", &format!("/apiStages/{api}:prod/throttle"),
                        r#"{"/*/*": {"rateLimit": 1, "burstLimit": 2}}"#),
                    {"op": "remove", "path": format!("/apiStages/{api}:dev/throttle/~1cats/GET")},
                    op("remove", "/apiStages", &format!("{api}:dev")),
                    {"op": "remove", "path": "/quota"},
                    {"op": "remove", "path": "/throttle"},
                    op("replace", "/productCode", ""),
                    op("replace", "/description", ""),
                ])),
            ),
            (
                "PUT",
                format!("/tags/{}", arn("/usageplans/$id")),
                "",
                json!({"tags": {"x": "y"}}),
            ),
        ],
    );
}

#[test]
fn usage_plan_keys() {
    let h = Harness::new();
    let api = api_with_stages(&h);
    let plan = h.call(
        "POST",
        "/usageplans",
        "",
        json!({"name": "p", "apiStages": [{"apiId": api, "stage": "prod"}]}),
    );
    let plan = plan["id"].as_str().unwrap().to_string();
    let key = h.call("POST", "/apikeys", "", json!({"name": "k"}));
    check(
        &h,
        (kind::USAGE_PLAN_KEY, &plan),
        &[whole::<UsagePlanKey>],
        &[
            (
                "POST",
                format!("/usageplans/{plan}/keys"),
                "",
                json!({"keyId": key["id"], "keyType": "API_KEY"}),
            ),
            (
                "POST",
                "/apikeys".into(),
                "mode=import&format=csv",
                json!(format!(
                    "Name,Key,UsagePlanIds\nimported,abcdefghijklmnopqrstuvwxyz,{plan}"
                )),
            ),
        ],
    );
}

#[test]
fn methods_and_method_responses() {
    let h = Harness::new();
    let (api, root) = api(&h);
    let pets = h.call(
        "POST",
        &format!("/restapis/{api}/resources/{root}"),
        "",
        json!({"pathPart": "pets"}),
    );
    let pets = format!("/restapis/{api}/resources/{}", pets["id"].as_str().unwrap());
    let authorizer = h.call(
        "POST",
        &format!("/restapis/{api}/authorizers"),
        "",
        json!({"name": "a", "type": "TOKEN", "authorizerUri": LAMBDA,
            "identitySource": "method.request.header.Auth"}),
    );
    let validator = h.call(
        "POST",
        &format!("/restapis/{api}/requestvalidators"),
        "",
        json!({"name": "v", "validateRequestBody": true}),
    );
    let op = |op: &str, path: &str, value: &str| json!({"op": op, "path": path, "value": value});
    check(
        &h,
        (kind::RESOURCE, &api),
        &[methods, method_responses],
        &[
            (
                "PUT",
                format!("{pets}/methods/GET"),
                "",
                json!({"authorizationType": "custom",
                "authorizerId": authorizer["id"], "apiKeyRequired": true,
                "operationName": "ListPets",
                "requestParameters": {"method.request.querystring.q": true,
                    "method.request.header.h": false},
                "requestModels": {"application/json": "Empty"},
                "requestValidatorId": validator["id"], "authorizationScopes": ["s1", "s2"]}),
            ),
            (
                "PUT",
                format!("{pets}/methods/POST"),
                "",
                json!({"authorizationType": "NONE"}),
            ),
            (
                "PATCH",
                format!("{pets}/methods/GET"),
                "",
                patch(json!([
                    op("replace", "/authorizationType", "NONE"),
                    op("replace", "/apiKeyRequired", "false"),
                    op("replace", "/operationName", "op2"),
                    op("replace", "/requestValidatorId", ""),
                    op(
                        "add",
                        "/requestParameters/method.request.querystring.r",
                        "true"
                    ),
                    op("remove", "/requestParameters/method.request.header.h", ""),
                    op("add", "/requestModels/text~1plain", "Error"),
                    op("remove", "/authorizationScopes", "s1"),
                ])),
            ),
            (
                "PUT",
                format!("{pets}/methods/GET/responses/200"),
                "",
                json!({
                "responseParameters": {"method.response.header.X-A": true},
                "responseModels": {"application/json": "Empty"}}),
            ),
            (
                "PUT",
                format!("{pets}/methods/POST/responses/404"),
                "",
                json!({}),
            ),
            (
                "PATCH",
                format!("{pets}/methods/GET/responses/200"),
                "",
                patch(json!([
                    op(
                        "add",
                        "/responseParameters/method.response.header.X-B",
                        "false"
                    ),
                    op("remove", "/responseModels/application~1json", ""),
                ])),
            ),
            (
                "PATCH",
                format!("{pets}/methods/POST"),
                "",
                patch(json!([
                    op("replace", "/authorizationType", "CUSTOM"),
                    op(
                        "replace",
                        "/authorizerId",
                        authorizer["id"].as_str().unwrap()
                    ),
                    op("add", "/authorizationScopes", "s3"),
                ])),
            ),
        ],
    );
}

const LAMBDA: &str = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:111111111111:function:f/invocations";

#[test]
fn integrations_and_integration_responses() {
    let h = Harness::new();
    let (api, root) = api(&h);
    let pets = h.call(
        "POST",
        &format!("/restapis/{api}/resources/{root}"),
        "",
        json!({"pathPart": "pets"}),
    );
    let pet = h.call(
        "POST",
        &format!("/restapis/{api}/resources/{}", pets["id"].as_str().unwrap()),
        "",
        json!({"pathPart": "{id}"}),
    );
    let pet = format!("/restapis/{api}/resources/{}", pet["id"].as_str().unwrap());
    for verb in ["GET", "POST"] {
        h.call(
            "PUT",
            &format!("{pet}/methods/{verb}"),
            "",
            json!({"authorizationType": "NONE", "requestParameters": {
                "method.request.path.id": true, "method.request.header.h": false}}),
        );
        h.call(
            "PUT",
            &format!("{pet}/methods/{verb}/responses/200"),
            "",
            json!({"responseParameters": {"method.response.header.X": false}}),
        );
    }
    let op = |op: &str, path: &str, value: &str| json!({"op": op, "path": path, "value": value});
    check(
        &h,
        (kind::RESOURCE, &api),
        &[integration, integration_responses],
        &[
            (
                "PUT",
                format!("{pet}/methods/GET/integration"),
                "",
                json!({"type": "HTTP",
                "httpMethod": "GET", "uri": "http://example.com/pets/{id}",
                "requestParameters": {"integration.request.path.id": "method.request.path.id"},
                "requestTemplates": {"application/json": "{}"},
                "passthroughBehavior": "WHEN_NO_TEMPLATES", "contentHandling": "CONVERT_TO_TEXT",
                "timeoutInMillis": 1000, "cacheKeyParameters": ["method.request.path.id"],
                "tlsConfig": {"insecureSkipVerification": true}, "connectionType": "INTERNET",
                "credentials": "arn:aws:iam::111111111111:role/r", "cacheNamespace": "ns"}),
            ),
            (
                "PUT",
                format!("{pet}/methods/POST/integration"),
                "",
                json!({"type": "MOCK",
                "uri": "http://ignored", "httpMethod": "POST", "tlsConfig": {},
                "requestTemplates": {"application/json": "{\"statusCode\": 200}"}}),
            ),
            (
                "PATCH",
                format!("{pet}/methods/GET/integration"),
                "",
                patch(json!([
                    op("replace", "/uri", "http://example.org/{id}"),
                    op("replace", "/httpMethod", "POST"),
                    op("replace", "/timeoutInMillis", "2000"),
                    op("replace", "/passthroughBehavior", "NEVER"),
                    op("replace", "/contentHandling", ""),
                    op("replace", "/cacheNamespace", "n2"),
                    op("add", "/cacheKeyParameters/method.request.header.h", ""),
                    op("remove", "/cacheKeyParameters/method.request.path.id", ""),
                    op("add", "/requestTemplates/text~1plain", "x"),
                    op(
                        "remove",
                        "/requestParameters/integration.request.path.id",
                        ""
                    ),
                    op("replace", "/tlsConfig/insecureSkipVerification", "false"),
                    op("replace", "/connectionId", ""),
                ])),
            ),
            (
                "PUT",
                format!("{pet}/methods/GET/integration/responses/200"),
                "",
                json!({
                "selectionPattern": "2\\d{2}",
                "responseParameters": {"method.response.header.X": "'x'"},
                "responseTemplates": {"application/json": "$input.body"},
                "contentHandling": "CONVERT_TO_TEXT"}),
            ),
            (
                "PUT",
                format!("{pet}/methods/POST/integration/responses/200"),
                "",
                json!({}),
            ),
            (
                "PATCH",
                format!("{pet}/methods/GET/integration/responses/200"),
                "",
                patch(json!([
                    op("replace", "/selectionPattern", ""),
                    op("replace", "/contentHandling", ""),
                    op("remove", "/responseTemplates/application~1json", ""),
                    op(
                        "replace",
                        "/responseParameters/method.response.header.X",
                        "integration.response.header.Y"
                    ),
                ])),
            ),
        ],
    );
}

#[test]
fn authorizers() {
    let h = Harness::new();
    let (api, _) = api(&h);
    let authorizers = format!("/restapis/{api}/authorizers");
    let pool = "arn:aws:cognito-idp:us-east-1:111111111111:userpool/us-east-1_abc";
    let op = |op: &str, path: &str, value: &str| json!({"op": op, "path": path, "value": value});
    check(
        &h,
        (kind::AUTHORIZER, &api),
        &[whole::<Authorizer>],
        &[
            (
                "POST",
                authorizers.clone(),
                "",
                json!({"name": "tok", "type": "TOKEN",
                "authorizerUri": LAMBDA, "identitySource": "method.request.header.Auth",
                "identityValidationExpression": ".*", "authType": "custom",
                "authorizerCredentials": "arn:aws:iam::111111111111:role/r"}),
            ),
            (
                "POST",
                authorizers.clone(),
                "",
                json!({"name": "cog", "type": "COGNITO_USER_POOLS",
                "providerARNs": [pool], "identitySource": "method.request.header.Authorization",
                "authorizerResultTtlInSeconds": 0}),
            ),
            (
                "POST",
                authorizers.clone(),
                "",
                json!({"name": "req", "type": "REQUEST",
                "authorizerUri": LAMBDA,
                "identitySource": "method.request.header.a, method.request.querystring.b"}),
            ),
            (
                "PATCH",
                format!("{authorizers}/$id"),
                "",
                patch(json!([
                    op("replace", "/name", "renamed"),
                    op("replace", "/authorizerResultTtlInSeconds", "60"),
                    op("replace", "/type", "TOKEN"),
                    op("replace", "/identitySource", "method.request.header.X"),
                    op("replace", "/authType", ""),
                    op(
                        "add",
                        &format!("/providerARNs/{}", pool.replace('/', "~1")),
                        ""
                    ),
                ])),
            ),
        ],
    );
    // The deployment snapshot carries them as they are.
    deploy(&h, &api);
    let snapshots = h.documents(kind::DEPLOYMENT_SNAPSHOT, &api);
    let carried: Vec<&Value> = snapshots
        .iter()
        .flat_map(|s| s["authorizers"].as_array().into_iter().flatten())
        .collect();
    assert_eq!(round_trip::<Authorizer>(carried, "CreateDeployment"), 3);
}

#[test]
fn account() {
    let h = Harness::new();
    let op = |op: &str, path: &str, value: &str| json!({"op": op, "path": path, "value": value});
    check(
        &h,
        (kind::ACCOUNT, ""),
        &[whole::<Account>],
        &[
            (
                "PATCH",
                "/account".into(),
                "",
                patch(json!([
                    op(
                        "replace",
                        "/cloudwatchRoleArn",
                        "arn:aws:iam::111111111111:role/logs"
                    ),
                    op("add", "/features", "UsagePlans"),
                    op("replace", "/throttleSettings/rateLimit", "100"),
                    op("replace", "/throttleSettings/burstLimit", "50"),
                ])),
            ),
            (
                "PATCH",
                "/account".into(),
                "",
                patch(json!([op("replace", "/cloudwatchRoleArn", ""),])),
            ),
        ],
    );
}
