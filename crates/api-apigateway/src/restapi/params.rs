//! The syntax AWS enforces on parameter mappings of methods and integrations, and the patch
//! pre-check the method-level Update operations share.
//!
//! AWS reports a bad mapping as `Invalid mapping expression specified: Validation Result:
//! warnings : [], errors : [...]` (the bracketed part names what is wrong); these texts are
//! the ones users quote from real AWS errors.

use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::patch::{Op, PatchOp, Rule};

const METHOD_LOCATIONS: &[&str] = &[
    "path",
    "querystring",
    "multivaluequerystring",
    "header",
    "multivalueheader",
];
/// AWS maps integration request parameters to a path, query string or header only.
const INTEGRATION_LOCATIONS: &[&str] = &["path", "querystring", "header"];

pub fn mapping_error(detail: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(format!(
        "Invalid mapping expression specified: Validation Result: warnings : [], errors : [{detail}]"
    ))
}

fn bad_parameter(key: &str) -> ApiError {
    mapping_error(format!(
        "Invalid mapping expression parameter specified: {key}"
    ))
}

/// A parameter name as AWS allows it after the location (`^[a-zA-Z0-9._$-]+$`).
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'$' | b'-'))
}

/// Split `prefix.location.name` into (location, name) when `location` is one of `locations`.
fn split<'a>(key: &'a str, prefix: &str, locations: &[&str]) -> Option<(&'a str, &'a str)> {
    let rest = key.strip_prefix(prefix)?;
    let (loc, name) = rest.split_once('.')?;
    locations.contains(&loc).then_some((loc, name))
}

/// Keys of a method's `requestParameters`: `method.request.{location}.{name}`, names unique
/// across locations.
pub fn check_method_request_parameters<'a>(
    keys: impl Iterator<Item = &'a String>,
) -> Result<(), ApiError> {
    let mut names: Vec<&str> = Vec::new();
    for key in keys {
        if !key.starts_with("method.request.") {
            // Not a method request parameter at all (AWS's recorded text for a key `true`).
            return Err(mapping_error(format!(
                "Invalid mapping expression specified: {key}"
            )));
        }
        let (_, name) =
            split(key, "method.request.", METHOD_LOCATIONS).ok_or_else(|| bad_parameter(key))?;
        if !valid_name(name) {
            return Err(mapping_error(
                "Parameter name should match the following regular expression: ^[a-zA-Z0-9._$-]+$",
            ));
        }
        if names.contains(&name) {
            return Err(ApiError::bad_request(
                "Parameter names must be unique across querystring, header and path",
            ));
        }
        names.push(name);
    }
    Ok(())
}

/// Keys of a method response's `responseParameters`: `method.response.header.{name}`.
pub fn check_method_response_parameters<'a>(
    keys: impl Iterator<Item = &'a String>,
) -> Result<(), ApiError> {
    for key in keys {
        match key.strip_prefix("method.response.header.") {
            Some(name) if valid_name(name) => {}
            _ => return Err(bad_parameter(key)),
        }
    }
    Ok(())
}

/// Is `value` a static literal (`'text'`)?
fn is_static(value: &str) -> bool {
    value.len() >= 2 && value.starts_with('\'') && value.ends_with('\'')
}

/// A `context.*` or `stageVariables.*` reference.
fn is_variable_source(value: &str) -> bool {
    ["context.", "stageVariables."]
        .iter()
        .any(|p| value.strip_prefix(p).is_some_and(valid_name))
}

/// `integration.request.{path|querystring|header|...}.name` → sources from the method request
/// (which the method must declare), its body, the context, stage variables or a literal.
pub fn check_integration_request_parameters(
    params: &Map<String, Value>,
    method: &Map<String, Value>,
) -> Result<(), ApiError> {
    let declared = method.get("requestParameters").and_then(Value::as_object);
    for (key, value) in params {
        match split(key, "integration.request.", INTEGRATION_LOCATIONS) {
            Some((_, name)) if valid_name(name) => {}
            _ => return Err(bad_parameter(key)),
        }
        let value = value.as_str().unwrap_or("");
        if is_static(value) || is_variable_source(value) {
            continue;
        }
        if value == "method.request.body" || value.starts_with("method.request.body.") {
            continue;
        }
        if split(value, "method.request.", METHOD_LOCATIONS).is_some() {
            if declared.is_some_and(|d| d.contains_key(value)) {
                continue;
            }
            return Err(bad_parameter(value));
        }
        return Err(mapping_error(format!(
            "Invalid mapping expression specified: {value}"
        )));
    }
    Ok(())
}

/// `method.response.header.name` (declared by the method response) ← an integration response
/// header or body, the context, stage variables or a literal.
pub fn check_integration_response_parameters(
    params: &Map<String, Value>,
    method_response: &Map<String, Value>,
) -> Result<(), ApiError> {
    let declared = method_response
        .get("responseParameters")
        .and_then(Value::as_object);
    for (key, value) in params {
        let known = key
            .strip_prefix("method.response.header.")
            .is_some_and(valid_name)
            && declared.is_some_and(|d| d.contains_key(key));
        if !known {
            return Err(bad_parameter(key));
        }
        let value = value.as_str().unwrap_or("");
        let ok = is_static(value)
            || is_variable_source(value)
            || value == "integration.response.body"
            || value.starts_with("integration.response.body.")
            || [
                "integration.response.header.",
                "integration.response.multivalueheader.",
            ]
            .iter()
            .any(|p| value.strip_prefix(p).is_some_and(valid_name))
            || split(value, "method.request.", METHOD_LOCATIONS).is_some();
        if !ok {
            return Err(mapping_error(format!(
                "Invalid mapping expression specified: {value}"
            )));
        }
    }
    Ok(())
}

/// AWS rejects a patch op before looking at the entity: an unknown path is
/// `Invalid patch path {path}`, a known path with the wrong op names the ops it takes.
pub fn check_ops(ops: &[PatchOp], rules: &[Rule]) -> Result<(), ApiError> {
    for op in ops {
        let effective = if op.op == Op::Copy {
            Op::Replace
        } else {
            op.op
        };
        let matching: Vec<&Rule> = rules
            .iter()
            .filter(|r| path_matches(r.path, &op.path))
            .collect();
        if matching.is_empty() {
            return Err(ApiError::bad_request(format!(
                "Invalid patch path {}",
                op.path
            )));
        }
        if !matching.iter().any(|r| r.ops.contains(&effective)) {
            let mut allowed: Vec<&str> = Vec::new();
            for candidate in [Op::Add, Op::Remove, Op::Replace] {
                if matching.iter().any(|r| r.ops.contains(&candidate)) {
                    allowed.push(candidate.as_str());
                }
            }
            return Err(ApiError::bad_request(format!(
                "Invalid patch operation specified. Must be one of: [{}]",
                allowed.join(", ")
            )));
        }
    }
    Ok(())
}

fn path_matches(pattern: &str, path: &str) -> bool {
    let pat: Vec<&str> = pattern.split('/').collect();
    let got: Vec<&str> = path.split('/').collect();
    pat.len() == got.len()
        && pat
            .iter()
            .zip(&got)
            .all(|(p, g)| if *p == "*" { !g.is_empty() } else { p == g })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn keys(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn method_request_parameter_keys() {
        assert!(check_method_request_parameters(
            keys(&[
                "method.request.path.id",
                "method.request.querystring.q",
                "method.request.multivalueheader.X-A"
            ])
            .iter()
        )
        .is_ok());
        let e =
            check_method_request_parameters(keys(&["method.request.body.x"]).iter()).unwrap_err();
        assert!(e
            .message
            .contains("Invalid mapping expression parameter specified: method.request.body.x"));
        let e = check_method_request_parameters(
            keys(&["method.request.querystring.a", "method.request.header.a"]).iter(),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "Parameter names must be unique across querystring, header and path"
        );
        let e = check_method_request_parameters(keys(&["method.request.querystring.a[b]"]).iter())
            .unwrap_err();
        assert!(e.message.contains("^[a-zA-Z0-9._$-]+$"));
    }

    #[test]
    fn integration_request_sources() {
        let method = json!({"requestParameters": {"method.request.path.id": true}});
        let method = method.as_object().unwrap();
        let ok = json!({
            "integration.request.path.id": "method.request.path.id",
            "integration.request.header.x": "'static'",
            "integration.request.header.y": "context.requestId",
            "integration.request.querystring.z": "stageVariables.v",
            "integration.request.header.b": "method.request.body.a",
        });
        assert!(check_integration_request_parameters(ok.as_object().unwrap(), method).is_ok());
        let undeclared = json!({"integration.request.path.id": "method.request.querystring.q"});
        let e = check_integration_request_parameters(undeclared.as_object().unwrap(), method)
            .unwrap_err();
        assert!(e.message.ends_with(
            "[Invalid mapping expression parameter specified: method.request.querystring.q]"
        ));
        let bad_key = json!({"integration.response.header.x": "'a'"});
        assert!(
            check_integration_request_parameters(bad_key.as_object().unwrap(), method).is_err()
        );
        let bad_value = json!({"integration.request.header.x": "'unbalanced"});
        let e = check_integration_request_parameters(bad_value.as_object().unwrap(), method)
            .unwrap_err();
        assert!(e
            .message
            .ends_with("[Invalid mapping expression specified: 'unbalanced]"));
    }

    #[test]
    fn patch_ops_are_judged_by_path_then_op() {
        use crate::patch::{self, Apply, ADD_REMOVE, REPLACE};
        const RULES: &[Rule] = &[
            Rule {
                path: "/name",
                ops: REPLACE,
                apply: Apply::Str("name"),
            },
            Rule {
                path: "/tags/*",
                ops: ADD_REMOVE,
                apply: Apply::MapEntry("tags"),
            },
        ];
        let check = |ops: serde_json::Value| {
            let ops = patch::parse(json!({ "patchOperations": ops }).as_object().unwrap()).unwrap();
            check_ops(&ops, RULES).map_err(|e| e.message)
        };
        assert!(
            check(json!([{"op": "replace", "path": "/name", "value": "n"},
                             {"op": "copy", "path": "/name", "from": "/tags/a"}]))
            .is_ok()
        );
        assert_eq!(
            check(json!([{"op": "replace", "path": "/tags"}])).unwrap_err(),
            "Invalid patch path /tags"
        );
        assert_eq!(
            check(json!([{"op": "replace", "path": "/tags/a/b"}])).unwrap_err(),
            "Invalid patch path /tags/a/b"
        );
        assert_eq!(
            check(json!([{"op": "add", "path": "/name", "value": "n"}])).unwrap_err(),
            "Invalid patch operation specified. Must be one of: [replace]"
        );
        assert_eq!(
            check(json!([{"op": "replace", "path": "/tags/a", "value": "v"}])).unwrap_err(),
            "Invalid patch operation specified. Must be one of: [add, remove]"
        );
    }

    #[test]
    fn integration_response_targets_must_be_declared() {
        let mr = json!({"responseParameters": {"method.response.header.X-A": false}});
        let mr = mr.as_object().unwrap();
        let ok = json!({"method.response.header.X-A": "integration.response.header.X-B"});
        assert!(check_integration_response_parameters(ok.as_object().unwrap(), mr).is_ok());
        let undeclared = json!({"method.response.header.X-C": "'x'"});
        assert!(
            check_integration_response_parameters(undeclared.as_object().unwrap(), mr).is_err()
        );
    }
}
