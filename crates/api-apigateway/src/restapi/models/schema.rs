//! Model schemas: AWS's validation of a JSON-schema (draft 4) model. Resolution of references
//! to other models and the sample mapping template (`GetModelTemplate`) are shared with the
//! apigatewayv2 room through `portico_openapi::template`.
//!
//! Pure functions over `serde_json::Value`; the handlers in `models.rs` supply the other models of
//! the API through a lookup closure.

use serde_json::Value;

use crate::error::ApiError;

pub use portico_openapi::template::{flatten, has_refs, parse_ref, template, EMPTY_SCHEMA};

/// AWS wraps every schema problem in this envelope.
fn invalid(error: &str) -> ApiError {
    ApiError::bad_request(format!(
        "Invalid model specified: Validation Result: warnings : [], errors : [{error}]"
    ))
}

fn invalid_schema() -> ApiError {
    invalid("Invalid model schema specified")
}

const DRAFT4_TYPES: &[&str] = &[
    "array", "boolean", "integer", "null", "number", "object", "string",
];

/// Canonical model names referenced anywhere in `schema` (for delete protection).
pub fn referenced_models(schema: &Value, api_id: &str, out: &mut Vec<String>) {
    match schema {
        Value::Object(m) => {
            if let Some((api, name)) = m.get("$ref").and_then(Value::as_str).and_then(parse_ref) {
                if api == api_id && !out.iter().any(|n| n == name) {
                    out.push(name.to_string());
                }
            }
            m.values().for_each(|v| referenced_models(v, api_id, out));
        }
        Value::Array(a) => a.iter().for_each(|v| referenced_models(v, api_id, out)),
        _ => {}
    }
}

/// Validate a model schema the way CreateModel/UpdateModel do and return it parsed.
/// `model_exists` answers whether a model of this API has the given name.
pub fn validate(
    text: Option<&str>,
    json: bool,
    api_id: &str,
    model_exists: &dyn Fn(&str) -> bool,
) -> Result<Option<Value>, ApiError> {
    let text = text.unwrap_or("");
    if text.trim().is_empty() {
        return Err(ApiError::bad_request(EMPTY_SCHEMA));
    }
    // Decision: only JSON models are JSON-schema documents (AWS: "For application/json models,
    // this should be JSON schema draft 4"); other content types are stored as given.
    if !json {
        return Ok(None);
    }
    let doc: Value = serde_json::from_str(text).map_err(|_| invalid_schema())?;
    if !doc.is_object() {
        return Err(invalid_schema());
    }
    check_schema(&doc, &doc, api_id, model_exists)?;
    Ok(Some(doc))
}

fn schema_list(v: &Value) -> Result<&Vec<Value>, ApiError> {
    match v {
        Value::Array(a) if !a.is_empty() => Ok(a),
        _ => Err(invalid_schema()),
    }
}

/// Walk one (sub)schema: keyword types per draft 4, and every `$ref` resolvable.
fn check_schema(
    s: &Value,
    root: &Value,
    api_id: &str,
    model_exists: &dyn Fn(&str) -> bool,
) -> Result<(), ApiError> {
    let Value::Object(m) = s else {
        return Err(invalid_schema());
    };
    let recurse = |v: &Value| check_schema(v, root, api_id, model_exists);
    for (key, v) in m {
        match key.as_str() {
            "$ref" => {
                let r = v.as_str().ok_or_else(invalid_schema)?;
                if let Some(pointer) = r.strip_prefix('#') {
                    if root.pointer(pointer).is_none() {
                        return Err(invalid_schema());
                    }
                } else {
                    let (api, name) = parse_ref(r)
                        .ok_or_else(|| invalid("Model reference must be in canonical form"))?;
                    // Decision: a reference to another API's model, or to a model that does not
                    // exist, is reported like AWS reports unknown model names.
                    if api != api_id || !model_exists(name) {
                        return Err(invalid(&format!("Invalid model name specified: {name}")));
                    }
                }
            }
            "type" => {
                let ok = match v {
                    Value::String(t) => DRAFT4_TYPES.contains(&t.as_str()),
                    Value::Array(ts) => {
                        !ts.is_empty()
                            && ts
                                .iter()
                                .all(|t| t.as_str().is_some_and(|t| DRAFT4_TYPES.contains(&t)))
                    }
                    _ => false,
                };
                if !ok {
                    return Err(invalid_schema());
                }
            }
            // Draft 4 requires a non-empty array of unique names (AWS rejects `"required": []`).
            "required" => {
                let names = schema_list(v)?;
                let mut seen = Vec::new();
                for n in names {
                    let n = n.as_str().ok_or_else(invalid_schema)?;
                    if seen.contains(&n) {
                        return Err(invalid_schema());
                    }
                    seen.push(n);
                }
            }
            "enum" => {
                schema_list(v)?;
            }
            "properties" | "patternProperties" | "definitions" => {
                let Value::Object(props) = v else {
                    return Err(invalid_schema());
                };
                props.values().try_for_each(recurse)?;
            }
            "items" => match v {
                Value::Array(a) => a.iter().try_for_each(recurse)?,
                other => recurse(other)?,
            },
            "additionalProperties" | "additionalItems" if !v.is_boolean() => recurse(v)?,
            "allOf" | "anyOf" | "oneOf" => schema_list(v)?.iter().try_for_each(recurse)?,
            "not" => recurse(v)?,
            "minimum" | "maximum" | "multipleOf" if !v.is_number() => return Err(invalid_schema()),
            "minLength" | "maxLength" | "minItems" | "maxItems" | "minProperties"
            | "maxProperties"
                if v.as_u64().is_none() =>
            {
                return Err(invalid_schema())
            }
            "exclusiveMinimum" | "exclusiveMaximum" | "uniqueItems" if !v.is_boolean() => {
                return Err(invalid_schema())
            }
            "pattern" | "title" | "description" | "format" | "$schema" | "id" if !v.is_string() => {
                return Err(invalid_schema())
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> bool {
        false
    }

    #[test]
    fn validation_follows_draft4_and_canonical_refs() {
        let ok = |t: &str| validate(Some(t), true, "abc", &none).map(|_| ());
        assert!(ok(r#"{"type":"object","properties":{"a":{"type":"string"}}}"#).is_ok());
        for bad in [
            "not json",
            "[1]",
            r#"{"type":"String"}"#,
            r#"{"required":[]}"#,
            r#"{"properties":{"a":5}}"#,
            r##"{"$ref":"#/definitions/missing"}"##,
        ] {
            assert_eq!(
                ok(bad).unwrap_err().message,
                "Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]",
                "{bad}"
            );
        }
        assert!(ok(r#"{"$ref":"http://example.com/x"}"#)
            .unwrap_err()
            .message
            .contains("[Model reference must be in canonical form]"));
        assert!(
            ok(r#"{"$ref":"https://apigateway.amazonaws.com/restapis/abc/models/Nope"}"#)
                .unwrap_err()
                .message
                .contains("[Invalid model name specified: Nope]")
        );
        assert_eq!(ok("  ").unwrap_err().message, EMPTY_SCHEMA);
        let exists = |n: &str| n == "Pet";
        assert!(validate(
            Some(
                r#"{"items":{"$ref":"https://apigateway.amazonaws.com/restapis/abc/models/Pet"}}"#
            ),
            true,
            "abc",
            &exists
        )
        .is_ok());
    }
}
