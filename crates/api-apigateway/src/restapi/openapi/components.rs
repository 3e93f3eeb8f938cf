//! The components of an imported document: models (`definitions` / `components.schemas`),
//! request validators, authorizers (security schemes with `x-amazon-apigateway-authorizer`)
//! and gateway responses, each created through its own operation.

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::error::ApiError;
use crate::store::kind;

use super::document::{import_error, rewrite_refs, Document};
use super::import::{status_text, Names, Runner};

/// Each schema becomes a model (content type `application/json`, the schema as JSON text with
/// its references rewritten to model URLs). Models that name others are created with a
/// placeholder first and get their schema once every model exists (AWS checks references),
/// which also lets models refer to each other in a circle.
pub fn models(run: &Runner, doc: &Document) -> Result<(), ApiError> {
    let Some(schemas) = doc.schemas() else {
        return Ok(());
    };
    let api = run.api();
    let mut later = Vec::new();
    for (name, schema) in schemas {
        let what = || format!("Unable to create model '{name}'");
        let mut schema = schema.clone();
        let mut unknown = Vec::new();
        rewrite_refs(&mut schema, doc.schema_prefix(), &run.api_id, &mut unknown);
        if let Some(r) = unknown.first() {
            return Err(import_error(format!(
                "{}: unresolvable reference {r}",
                what()
            )));
        }
        let text = schema.to_string();
        let has_refs = text.contains("\"$ref\"");
        // Merging: the document's model replaces the API's model of the same name.
        let api_id = run.api_id.clone();
        run.txn(|txn| Ok(txn.delete(kind::MODEL, &api_id, name)?))?;
        let mut body = json!({
            "name": name,
            "contentType": "application/json",
            "schema": if has_refs { "{\"type\":\"object\"}".to_string() } else { text.clone() },
        });
        // AWS gives the model the schema's description (LocalStack's recorded
        // test_import_with_circular_models).
        if let Some(d) = schema.get("description").and_then(Value::as_str) {
            body["description"] = json!(d);
        }
        run.must("POST", &format!("{api}/models"), body, what)?;
        if has_refs {
            later.push((name, text));
        }
    }
    for (name, text) in later {
        let ops = json!({"patchOperations": [{"op": "replace", "path": "/schema", "value": text}]});
        run.must("PATCH", &format!("{api}/models/{name}"), ops, || {
            format!("Unable to create model '{name}'")
        })?;
    }
    Ok(())
}

/// Merging: the document's entity replaces the API's entity of the same name and keeps its
/// id (methods outside the document name it). The old one goes first (so a name check does
/// not refuse the new one), the new one is created through its operation, then moved to the
/// old id.
fn keep_id(run: &Runner, k: &str, old: Option<&str>, new: &str) -> Result<String, ApiError> {
    let Some(old) = old else {
        return Ok(new.to_string());
    };
    let api_id = run.api_id.clone();
    run.txn(|txn| {
        if let Some(Value::Object(mut doc)) = txn.get(k, &api_id, new)? {
            doc.insert("id".into(), json!(old));
            txn.delete(k, &api_id, new)?;
            txn.put(k, &api_id, old, &Value::Object(doc))?;
        }
        Ok(())
    })?;
    Ok(old.to_string())
}

fn drop_doc(run: &Runner, k: &str, id: Option<&str>) -> Result<(), ApiError> {
    if let Some(id) = id {
        let api_id = run.api_id.clone();
        run.txn(|txn| Ok(txn.delete(k, &api_id, id).map(|_| ())?))?;
    }
    Ok(())
}

/// `x-amazon-apigateway-request-validators`: each named validator (merging: in place of the
/// API's validator of the same name, see [`keep_id`]).
pub fn validators(run: &Runner, doc: &Document, names: &mut Names) -> Result<(), ApiError> {
    let existing = by_name(run, kind::REQUEST_VALIDATOR)?;
    let Some(Value::Object(listed)) = doc.get("x-amazon-apigateway-request-validators") else {
        return Ok(());
    };
    for (name, v) in listed {
        let old = existing.get(name).map(|(id, _)| id.as_str());
        drop_doc(run, kind::REQUEST_VALIDATOR, old)?;
        let body = json!({
            "name": name,
            "validateRequestBody": v.get("validateRequestBody").and_then(Value::as_bool).unwrap_or(false),
            "validateRequestParameters": v.get("validateRequestParameters").and_then(Value::as_bool).unwrap_or(false),
        });
        let created = run.must(
            "POST",
            &format!("{}/requestvalidators", run.api()),
            body,
            || format!("Unable to create request validator '{name}'"),
        )?;
        let id = keep_id(
            run,
            kind::REQUEST_VALIDATOR,
            old,
            created["id"].as_str().unwrap_or(""),
        )?;
        names.validators.insert(name.clone(), id);
    }
    Ok(())
}

/// The API's documents of `kind` by name: (id, type).
fn by_name(run: &Runner, k: &str) -> Result<HashMap<String, (String, String)>, ApiError> {
    let api_id = run.api_id.clone();
    let docs = run.txn(|txn| Ok(txn.list(k, &api_id, 0, usize::MAX)?))?;
    Ok(docs
        .into_iter()
        .filter_map(|d| {
            let name = d.body.get("name")?.as_str()?.to_string();
            let t = d.body.get("type").and_then(Value::as_str).unwrap_or("");
            Some((name, (d.id, t.to_string())))
        })
        .collect())
}

/// Security schemes with `x-amazon-apigateway-authorizer` become authorizers named after the
/// scheme (AWS creates them even when no method uses them; merging: in place of the API's
/// authorizer of the same name, see [`keep_id`]).
pub fn authorizers(run: &Runner, doc: &Document, names: &mut Names) -> Result<(), ApiError> {
    let existing = by_name(run, kind::AUTHORIZER)?;
    let Some(schemes) = doc.security_schemes() else {
        return Ok(());
    };
    for (name, scheme) in schemes {
        let Some(a) = scheme.get("x-amazon-apigateway-authorizer") else {
            continue;
        };
        let old = existing.get(name).map(|(id, _)| id.as_str());
        drop_doc(run, kind::AUTHORIZER, old)?;
        let t = super::document::upper(a.get("type")).unwrap_or_else(|| "TOKEN".into());
        let mut body = json!({ "name": name, "type": t });
        if let Some(auth_type) = scheme.get("x-amazon-apigateway-authtype") {
            body["authType"] = auth_type.clone();
        }
        for key in [
            "authorizerUri",
            "authorizerCredentials",
            "identitySource",
            "identityValidationExpression",
            "authorizerResultTtlInSeconds",
            "providerARNs",
        ] {
            // Generated documents (Pulumi's) write unset members as "", which AWS takes.
            match a.get(key) {
                None | Some(Value::Null) => {}
                Some(Value::String(s)) if s.is_empty() => {}
                Some(v) => body[key] = v.clone(),
            }
        }
        // TOKEN and Cognito authorizers read the header the scheme names, unless told
        // otherwise.
        if body.get("identitySource").is_none() && t != "REQUEST" {
            if let Some(h) = scheme.get("name").and_then(Value::as_str) {
                body["identitySource"] = json!(format!("method.request.header.{h}"));
            }
        }
        let created = run.must("POST", &format!("{}/authorizers", run.api()), body, || {
            format!("Unable to create authorizer '{name}'")
        })?;
        let id = keep_id(
            run,
            kind::AUTHORIZER,
            old,
            created["id"].as_str().unwrap_or(""),
        )?;
        // An imported authorizer has no TTL unless the document gives one (AWS's recorded
        // imports); CreateAuthorizer would have written its default.
        if a.get("authorizerResultTtlInSeconds").is_none() {
            let api_id = run.api_id.clone();
            run.txn(|txn| {
                if let Some(Value::Object(mut doc)) = txn.get(kind::AUTHORIZER, &api_id, &id)? {
                    doc.remove("authorizerResultTtlInSeconds");
                    txn.put(kind::AUTHORIZER, &api_id, &id, &Value::Object(doc))?;
                }
                Ok(())
            })?;
        }
        names.authorizers.insert(name.clone(), (id, t));
    }
    Ok(())
}

/// `x-amazon-apigateway-gateway-responses`: PutGatewayResponse for each response type.
pub fn gateway_responses(run: &Runner, doc: &Document) -> Result<(), ApiError> {
    let Some(Value::Object(listed)) = doc.get("x-amazon-apigateway-gateway-responses") else {
        return Ok(());
    };
    for (t, r) in listed {
        let mut body = json!({});
        if let Some(code) = r.get("statusCode") {
            body["statusCode"] = json!(status_text(code));
        }
        for key in ["responseParameters", "responseTemplates"] {
            if let Some(v) = r.get(key) {
                body[key] = v.clone();
            }
        }
        run.must(
            "PUT",
            &format!("{}/gatewayresponses/{t}", run.api()),
            body,
            || format!("Unable to put gateway response '{t}'"),
        )?;
    }
    Ok(())
}
