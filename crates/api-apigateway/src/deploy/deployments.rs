//! Deployments: a frozen snapshot of a REST API that stages serve.
//!
//! CreateDeployment validates the API like AWS (at least one method, every method integrated),
//! writes the small `deployment` document AWS shows and, next to it, a `deploymentsnapshot`
//! document holding everything the data plane needs to serve the API as it was at that moment:
//! `{"api", "resources", "models", "requestValidators", "authorizers", "gatewayResponses"}`.
//! Later changes to the API never touch a snapshot; only a new deployment sees them.
//! With `stageName` the deployment is also published: the stage is created or repointed, or, with
//! `canarySettings`, the new deployment becomes the stage's canary.

use portico_model::DeploymentSnapshot;
use serde_json::{json, Map, Value};

use crate::call::{Call, Members, Reply};
use crate::error::ApiError;
use crate::ids::{new_id, now_epoch};
use crate::patch::{self, Apply, Rule, REPLACE};
use crate::store::{self, kind, Txn};
use crate::Ctx;
use crate::{resources, restapis, stages, Handler};

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateDeployment" => create,
        "GetDeployment" => get,
        "GetDeployments" => list,
        "UpdateDeployment" => update,
        "DeleteDeployment" => delete,
        _ => return None,
    })
}

pub fn not_found() -> ApiError {
    ApiError::not_found("Invalid Deployment identifier specified")
}

/// Load a deployment of an API (the API must exist: its not-found error wins).
pub fn require(
    txn: &mut dyn Txn,
    call: &Call,
    api_id: &str,
    id: &str,
) -> Result<Map<String, Value>, ApiError> {
    restapis::require(txn, &call.tenant, api_id)?;
    match txn.get(kind::DEPLOYMENT, api_id, id)? {
        Some(Value::Object(m)) => Ok(m),
        _ => Err(not_found()),
    }
}

pub fn exists(txn: &mut dyn Txn, api_id: &str, id: &str) -> Result<bool, ApiError> {
    Ok(txn.exists(kind::DEPLOYMENT, api_id, id)?)
}

/// AWS refuses to deploy an API without methods, or with a method that has no integration.
fn check_deployable(resources: &[Map<String, Value>]) -> Result<(), ApiError> {
    let mut methods = 0;
    for r in resources {
        if let Some(Value::Object(ms)) = r.get("resourceMethods") {
            for m in ms.values() {
                methods += 1;
                if m.get("methodIntegration").is_none_or(Value::is_null) {
                    return Err(ApiError::bad_request("No integration defined for method"));
                }
            }
        }
    }
    if methods == 0 {
        return Err(ApiError::bad_request(
            "The REST API doesn't contain any methods",
        ));
    }
    Ok(())
}

/// The canary a CreateDeployment with `canarySettings` puts on its stage. The stage must exist:
/// AWS only canaries a stage that already serves something.
fn canary_input(body: &Map<String, Value>) -> Result<Option<Map<String, Value>>, ApiError> {
    match body.get("canarySettings") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(c)) => Ok(Some(c.clone())),
        Some(_) => Err(ApiError::bad_request(
            "Invalid value for member 'canarySettings': expected an object",
        )),
    }
}

fn create(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let api_id = call.label("restapi_id");
    let body = call.json()?;
    let description = body.str_of("description")?;
    let stage_name = body.str_of("stageName")?;
    let canary = canary_input(&body)?;
    let created = store::write(&*cx.store, &call.tenant, |txn| {
        let api = restapis::load(txn, &call.tenant, api_id)?;
        if canary.is_some() {
            match stage_name.as_deref() {
                None => return Err(ApiError::bad_request(
                    "Invalid deployment content specified.Non null and non empty stageName must be provided for canary deployment. Provided value is null",
                )),
                Some("") => return Err(ApiError::bad_request(
                    "Invalid deployment content specified.Non null and non empty stageName must be provided for canary deployment. Provided value is ",
                )),
                Some(name) => {
                    if !txn.exists(kind::STAGE, api_id, name)? {
                        return Err(ApiError::bad_request(format!(
                            "Invalid deployment content specified.Stage {name} must already be created before making a canary release deployment"
                        )));
                    }
                }
            }
        }
        if let Some(name) = stage_name.as_deref().filter(|n| !n.is_empty()) {
            stages::check_name(name)?;
        }
        let all = resources::all(txn, api_id)?;
        check_deployable(&all)?;

        let id = new_id(6);
        let mut dep = Map::new();
        dep.insert("id".into(), json!(id));
        if let Some(d) = description.as_deref().filter(|d| !d.is_empty()) {
            dep.insert("description".into(), json!(d));
        }
        dep.insert("createdDate".into(), json!(now_epoch()));
        let frozen = DeploymentSnapshot::freeze(txn, api_id, api, all)?;
        txn.put_owned(
            kind::DEPLOYMENT_SNAPSHOT,
            api_id,
            &id,
            frozen.into_document(),
        )?;
        let dep = Value::Object(dep);
        txn.put(kind::DEPLOYMENT, api_id, &id, &dep)?;

        if let Some(name) = stage_name.as_deref().filter(|n| !n.is_empty()) {
            match &canary {
                Some(c) => stages::put_canary_from_deployment(txn, api_id, name, &id, c)?,
                None => stages::publish(txn, api_id, name, &id, &body)?,
            }
        }
        Ok(dep)
    })?;
    Ok(Reply::Json(created))
}

/// `apiSummary`: for every path, each method's authorization type and key requirement.
fn api_summary(snapshot: &Value) -> Value {
    let mut out = Map::new();
    for r in snapshot["resources"].as_array().into_iter().flatten() {
        let Some(Value::Object(methods)) = r.get("resourceMethods") else {
            continue;
        };
        if methods.is_empty() {
            continue;
        }
        let mut per = Map::new();
        for (verb, m) in methods {
            per.insert(
                verb.clone(),
                json!({
                    "authorizationType": m.get("authorizationType").cloned().unwrap_or(json!("NONE")),
                    "apiKeyRequired": m.get("apiKeyRequired").cloned().unwrap_or(json!(false)),
                }),
            );
        }
        let path = r.get("path").and_then(Value::as_str).unwrap_or("/");
        out.insert(path.to_string(), Value::Object(per));
    }
    Value::Object(out)
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (api_id, id) = (call.label("restapi_id"), call.label("deployment_id"));
    let summary = call
        .query_all("embed")
        .iter()
        .any(|e| e.split(',').any(|x| x.trim() == "apisummary"));
    let dep = store::read(&*cx.store, &call.tenant, |txn| {
        let mut dep = require(txn, call, api_id, id)?;
        if summary {
            let frozen = txn
                .get(kind::DEPLOYMENT_SNAPSHOT, api_id, id)?
                .unwrap_or(Value::Null);
            dep.insert("apiSummary".into(), api_summary(&frozen));
        }
        Ok(dep)
    })?;
    Ok(Reply::Json(Value::Object(dep)))
}

fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    restapis::page_of(cx, call, kind::DEPLOYMENT)
}

const RULES: &[Rule] = &[Rule {
    path: "/description",
    ops: REPLACE,
    apply: Apply::OptStr("description"),
}];

fn update(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (api_id, id) = (call.label("restapi_id"), call.label("deployment_id"));
    let ops = patch::parse_call(call)?;
    let dep = store::write(&*cx.store, &call.tenant, |txn| {
        let mut dep = require(txn, call, api_id, id)?;
        patch::apply(&mut dep, &ops, RULES)?;
        let dep = Value::Object(dep);
        txn.put(kind::DEPLOYMENT, api_id, id, &dep)?;
        Ok(dep)
    })?;
    Ok(Reply::Json(dep))
}

fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (api_id, id) = (call.label("restapi_id"), call.label("deployment_id"));
    store::write(&*cx.store, &call.tenant, |txn| {
        require(txn, call, api_id, id)?;
        for stage in txn.list(kind::STAGE, api_id, 0, usize::MAX)? {
            let s = &stage.body;
            if s["deploymentId"].as_str() == Some(id) {
                return Err(ApiError::bad_request(
                    "Active stages pointing to this deployment must be moved or deleted",
                ));
            }
            if s["canarySettings"]["deploymentId"].as_str() == Some(id) {
                // AWS guards a canary's deployment the same way as the stage's own.
                return Err(ApiError::bad_request(
                    "Active stages with canary settings pointing to this deployment must be moved or deleted",
                ));
            }
        }
        txn.delete(kind::DEPLOYMENT, api_id, id)?;
        txn.delete(kind::DEPLOYMENT_SNAPSHOT, api_id, id)?;
        Ok(())
    })?;
    Ok(Reply::Empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn deployable_needs_integrated_methods() {
        let root = res(json!({"id": "r", "path": "/"}));
        let e = check_deployable(std::slice::from_ref(&root)).unwrap_err();
        assert_eq!(e.message, "The REST API doesn't contain any methods");
        let bare =
            res(json!({"id": "r", "path": "/", "resourceMethods": {"GET": {"httpMethod": "GET"}}}));
        let e = check_deployable(&[root.clone(), bare]).unwrap_err();
        assert_eq!(e.message, "No integration defined for method");
        let ok = res(
            json!({"id": "r", "path": "/", "resourceMethods": {"GET": {"methodIntegration": {"type": "MOCK"}}}}),
        );
        assert!(check_deployable(&[root, ok]).is_ok());
    }

    /// The contract with the data plane: exactly these members, each kind's documents as stored.
    #[test]
    fn snapshot_has_the_shape_the_data_plane_compiles() {
        use crate::store::{SqliteStore, Store, Tenant};
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        let tenant = Tenant::aws("000000000000", "us-east-1");
        let frozen = store::write(&store as &dyn Store, &tenant, |txn| {
            let root = json!({"id": "r", "path": "/", "resourceMethods": {"GET": {"methodIntegration": {"type": "MOCK"}}}});
            txn.put(kind::RESOURCE, "a", "r", &root)?;
            txn.put(kind::MODEL, "a", "Empty", &json!({"name": "Empty"}))?;
            txn.put(kind::REQUEST_VALIDATOR, "a", "v", &json!({"id": "v"}))?;
            txn.put(kind::AUTHORIZER, "a", "z", &json!({"id": "z"}))?;
            txn.put(kind::GATEWAY_RESPONSE, "a", "DEFAULT_4XX", &json!({"responseType": "DEFAULT_4XX"}))?;
            // another API's documents stay out
            txn.put(kind::MODEL, "b", "Other", &json!({"name": "Other"}))?;
            let api = json!({"id": "a", "name": "n"}).as_object().unwrap().clone();
            let all = resources::all(txn, "a")?;
            Ok(DeploymentSnapshot::freeze(txn, "a", api, all)?.into_document())
        })
        .unwrap();
        assert_eq!(
            frozen,
            json!({
                "api": {"id": "a", "name": "n"},
                "resources": [{"id": "r", "path": "/", "resourceMethods": {"GET": {"methodIntegration": {"type": "MOCK"}}}}],
                "models": [{"name": "Empty"}],
                "requestValidators": [{"id": "v"}],
                "authorizers": [{"id": "z"}],
                "gatewayResponses": [{"responseType": "DEFAULT_4XX"}]
            })
        );
    }

    #[test]
    fn api_summary_lists_methods_by_path() {
        let snap = json!({"resources": [
            {"path": "/"},
            {"path": "/pets", "resourceMethods": {"GET": {"authorizationType": "AWS_IAM", "apiKeyRequired": true}, "POST": {}}}
        ]});
        assert_eq!(
            api_summary(&snap),
            json!({"/pets": {"GET": {"authorizationType": "AWS_IAM", "apiKeyRequired": true},
                             "POST": {"authorizationType": "NONE", "apiKeyRequired": false}}})
        );
    }
}
