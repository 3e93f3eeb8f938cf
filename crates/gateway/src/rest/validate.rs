//! Request validation: required parameters and the body against the method's model, with AWS's
//! messages. Models compile once per deployment into JSON Schema draft 4 validators; `$ref`s to
//! other models of the API (`https://apigateway.amazonaws.com/restapis/{id}/models/{name}`, or
//! just `.../models/{name}`) resolve against the deployment's own models.

use std::collections::HashMap;
use std::sync::Arc;

use hyper::HeaderMap;
use serde_json::Value;

use super::gateway_responses::{GatewayError, ResponseType};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loc {
    Path,
    Query,
    Header,
}

/// What a method's request validator asks for.
#[derive(Default)]
pub struct Checks {
    /// Required parameters, in the method's declaration order.
    pub required: Vec<(Loc, String)>,
    /// Body models by content type (`$default` allowed).
    pub body: Vec<(String, Arc<jsonschema::Validator>)>,
}

impl std::fmt::Debug for Checks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checks")
            .field("required", &self.required)
            .field("body_models", &self.body.len())
            .finish()
    }
}

impl Checks {
    pub fn is_empty(&self) -> bool {
        self.required.is_empty() && self.body.is_empty()
    }

    pub fn check_params(
        &self,
        path: &[(String, String)],
        query: &[(String, String)],
        headers: &HeaderMap,
    ) -> Result<(), GatewayError> {
        let missing: Vec<&str> = self
            .required
            .iter()
            .filter(|(loc, name)| match loc {
                Loc::Path => !path.iter().any(|(k, v)| k == name && !v.is_empty()),
                Loc::Query => !query.iter().any(|(k, _)| k == name),
                Loc::Header => !headers.contains_key(name.as_str()),
            })
            .map(|(_, n)| n.as_str())
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(GatewayError::new(
                ResponseType::BadRequestParameters,
                format!(
                    "Missing required request parameters: [{}]",
                    missing.join(", ")
                ),
            ))
        }
    }

    pub fn check_body(&self, content_type: &str, body: &[u8]) -> Result<(), GatewayError> {
        let want = super::template::media_type(content_type);
        let Some((_, validator)) = self
            .body
            .iter()
            .find(|(ct, _)| ct.eq_ignore_ascii_case(want))
            .or_else(|| self.body.iter().find(|(ct, _)| ct == "$default"))
        else {
            return Ok(());
        };
        let invalid = |detail: String| {
            GatewayError::new(ResponseType::BadRequestBody, "Invalid request body")
                .with_detail(detail)
        };
        // An empty body validates as `{}`, the way mapping templates see it.
        let value: Value = if body.iter().all(u8::is_ascii_whitespace) {
            Value::Object(Default::default())
        } else {
            serde_json::from_slice(body).map_err(|e| invalid(format!("Invalid JSON: {e}")))?
        };
        validator
            .validate(&value)
            .map_err(|e| invalid(format!("[{e}]")))
    }
}

/// The deployment's models, compiled on demand and shared between methods.
pub struct Models {
    schemas: Arc<HashMap<String, Value>>,
    compiled: HashMap<String, Option<Arc<jsonschema::Validator>>>,
}

struct ModelRetriever(Arc<HashMap<String, Value>>);

impl jsonschema::Retrieve for ModelRetriever {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let path = uri.path().as_str();
        let name = path.rsplit('/').next().unwrap_or("");
        self.0
            .get(name)
            .cloned()
            .ok_or_else(|| format!("no model named {name}").into())
    }
}

impl Models {
    /// `docs` are the snapshot's model documents (`{"name", "schema": "<json text>"}`).
    pub fn new(docs: &[Value]) -> Models {
        let mut schemas = HashMap::new();
        for d in docs {
            let (Some(name), Some(text)) = (
                d.get("name").and_then(Value::as_str),
                d.get("schema").and_then(Value::as_str),
            ) else {
                continue;
            };
            match serde_json::from_str::<Value>(text) {
                Ok(v) => {
                    schemas.insert(name.to_string(), v);
                }
                Err(e) => tracing::warn!(model = name, "model schema is not JSON: {e}"),
            }
        }
        Models {
            schemas: Arc::new(schemas),
            compiled: HashMap::new(),
        }
    }

    /// The validator of model `name`; `None` when it doesn't exist or doesn't compile (logged).
    pub fn validator(&mut self, name: &str) -> Option<Arc<jsonschema::Validator>> {
        if let Some(v) = self.compiled.get(name) {
            return v.clone();
        }
        let v = self.schemas.get(name).and_then(|schema| {
            jsonschema::draft4::options()
                .with_base_uri("https://apigateway.amazonaws.com/models/")
                .with_retriever(ModelRetriever(self.schemas.clone()))
                .build(schema)
                .map_err(|e| tracing::warn!(model = name, "model does not compile: {e}"))
                .ok()
                .map(Arc::new)
        });
        self.compiled.insert(name.to_string(), v.clone());
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn body_against_model_with_ref() {
        let docs = vec![
            json!({"name": "Pet", "schema": json!({
                "type": "object", "required": ["name", "owner"],
                "properties": {"name": {"type": "string"},
                               "owner": {"$ref": "https://apigateway.amazonaws.com/restapis/abc/models/Owner"}}
            }).to_string()}),
            json!({"name": "Owner", "schema": json!({
                "type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}
            }).to_string()}),
        ];
        let mut models = Models::new(&docs);
        let v = models.validator("Pet").expect("compiles");
        let checks = Checks {
            required: vec![],
            body: vec![("application/json".into(), v)],
        };
        assert!(checks
            .check_body("application/json", br#"{"name":"rex","owner":{"id":1}}"#)
            .is_ok());
        let e = checks
            .check_body(
                "application/json; charset=utf-8",
                br#"{"name":"rex","owner":{"id":"x"}}"#,
            )
            .unwrap_err();
        assert_eq!(e.message.as_deref(), Some("Invalid request body"));
        assert!(checks.check_body("application/json", b"{not json").is_err());
        // Another content type has no model: nothing to validate.
        assert!(checks.check_body("text/plain", b"whatever").is_ok());
    }

    #[test]
    fn missing_parameters_message() {
        let checks = Checks {
            required: vec![
                (Loc::Query, "q".into()),
                (Loc::Header, "x-key".into()),
                (Loc::Query, "present".into()),
            ],
            body: vec![],
        };
        let e = checks
            .check_params(&[], &[("present".into(), "".into())], &HeaderMap::new())
            .unwrap_err();
        assert_eq!(
            e.message.as_deref(),
            Some("Missing required request parameters: [q, x-key]")
        );
        assert_eq!(e.kind, ResponseType::BadRequestParameters);
    }
}
