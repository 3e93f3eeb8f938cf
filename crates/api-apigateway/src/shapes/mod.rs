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

mod deploy;
mod domains;
mod keys;
mod restapi;

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
