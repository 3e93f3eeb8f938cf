//! The deployment snapshot: a REST API frozen as a deployment serves it. The management API
//! writes it (CreateDeployment, and TestInvokeMethod for the current definition) through
//! [`DeploymentSnapshot::freeze`], its one builder; the data plane compiles it.
//!
//! Stored as the `deploymentsnapshot` document (scope: the API id, id: the deployment id) in
//! this struct's JSON shape: `{"api", "resources", "models", "requestValidators",
//! "authorizers", "gatewayResponses"}`, each entity in AWS's own JSON: resources embed their
//! [`Method`](crate::Method)s, `authorizers` are [`Authorizer`](crate::Authorizer)s. The
//! members stay JSON here so that one entity that does not decode costs only itself: the data
//! plane decodes them one by one when it compiles the snapshot.

use portico_store::{kind, StoreError, Txn};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DeploymentSnapshot {
    /// The `restapi` document (binary media types, API key source…).
    pub api: Map<String, Value>,
    /// Every resource with its methods and integrations embedded, in creation order.
    pub resources: Vec<Map<String, Value>>,
    pub models: Vec<Value>,
    pub request_validators: Vec<Value>,
    pub authorizers: Vec<Value>,
    pub gateway_responses: Vec<Value>,
}

impl DeploymentSnapshot {
    /// Freeze the API as it is now. `api` and `resources` are the caller's (it has usually read
    /// them already, to validate); the rest is read here.
    pub fn freeze(
        txn: &mut dyn Txn,
        api_id: &str,
        api: Map<String, Value>,
        resources: Vec<Map<String, Value>>,
    ) -> Result<DeploymentSnapshot, StoreError> {
        let mut all = |kind: &str| -> Result<Vec<Value>, StoreError> {
            Ok(txn
                .list(kind, api_id, 0, usize::MAX)?
                .into_iter()
                .map(|d| d.body)
                .collect())
        };
        Ok(DeploymentSnapshot {
            api,
            resources,
            models: all(kind::MODEL)?,
            request_validators: all(kind::REQUEST_VALIDATOR)?,
            authorizers: all(kind::AUTHORIZER)?,
            gateway_responses: all(kind::GATEWAY_RESPONSE)?,
        })
    }

    /// The stored document (moves the entities in; no copy).
    pub fn into_document(self) -> Value {
        let mut m = Map::new();
        m.insert("api".into(), Value::Object(self.api));
        m.insert(
            "resources".into(),
            Value::Array(self.resources.into_iter().map(Value::Object).collect()),
        );
        m.insert("models".into(), Value::Array(self.models));
        m.insert(
            "requestValidators".into(),
            Value::Array(self.request_validators),
        );
        m.insert("authorizers".into(), Value::Array(self.authorizers));
        m.insert(
            "gatewayResponses".into(),
            Value::Array(self.gateway_responses),
        );
        Value::Object(m)
    }

    /// Read a stored document back. A document that does not have this shape is a store fault.
    pub fn from_document(doc: &Value) -> Result<DeploymentSnapshot, StoreError> {
        DeploymentSnapshot::deserialize(doc)
            .map_err(|e| StoreError::document(format!("deployment snapshot: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_stored_shape_round_trips() {
        let snap = DeploymentSnapshot {
            api: json!({"id": "a"}).as_object().unwrap().clone(),
            resources: vec![json!({"id": "r", "path": "/"}).as_object().unwrap().clone()],
            models: vec![json!({"name": "Empty"})],
            ..Default::default()
        };
        let doc = snap.clone().into_document();
        assert_eq!(doc["requestValidators"], json!([]));
        assert_eq!(doc["gatewayResponses"], json!([]));
        assert_eq!(DeploymentSnapshot::from_document(&doc).unwrap(), snap);
    }
}
