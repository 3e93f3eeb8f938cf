//! A stage's `methodSettings`: per-method (or `*/*`) throttling, caching, metrics and logging,
//! edited through UpdateStage paths `/{resourcePath}/{httpMethod}/{area}/{setting}`.
//!
//! Entries are keyed like AWS keys them: `*/*` or the escaped resource path and method,
//! `~1pets~1{id}/GET`. A new entry starts from AWS's defaults (as `update-stage` shows them), or
//! from the stage-wide `*/*` entry when one exists — a method override starts out inheriting the
//! stage's settings, which is what the console shows (AWS does not document this; decision).

use portico_model::MethodSetting;
use serde_json::{json, Map, Value};

use crate::error::ApiError;
use crate::patch::PatchOp;

/// The complete list AWS prints when a stage patch path is unknown, verbatim (including its
/// missing commas after the throttling paths).
pub const VALID_PATHS: &str = "[/deploymentId, /description, /cacheClusterEnabled, /cacheClusterSize, /clientCertificateId, /accessLogSettings, /accessLogSettings/destinationArn, /accessLogSettings/format, /{resourcePath}/{httpMethod}/metrics/enabled, /{resourcePath}/{httpMethod}/logging/dataTrace, /{resourcePath}/{httpMethod}/logging/loglevel, /{resourcePath}/{httpMethod}/throttling/burstLimit/{resourcePath}/{httpMethod}/throttling/rateLimit/{resourcePath}/{httpMethod}/caching/ttlInSeconds, /{resourcePath}/{httpMethod}/caching/enabled, /{resourcePath}/{httpMethod}/caching/dataEncrypted, /{resourcePath}/{httpMethod}/caching/requireAuthorizationForCacheControl, /{resourcePath}/{httpMethod}/caching/unauthorizedCacheControlHeaderStrategy, /*/*/metrics/enabled, /*/*/logging/dataTrace, /*/*/logging/loglevel, /*/*/throttling/burstLimit /*/*/throttling/rateLimit /*/*/caching/ttlInSeconds, /*/*/caching/enabled, /*/*/caching/dataEncrypted, /*/*/caching/requireAuthorizationForCacheControl, /*/*/caching/unauthorizedCacheControlHeaderStrategy, /variables/{variable_name}, /tracingEnabled]";

pub fn invalid_path(path: &str) -> ApiError {
    ApiError::bad_request(format!(
        "Invalid method setting path: {path}. Must be one of: {VALID_PATHS}"
    ))
}

/// What a fresh entry holds: AWS's defaults (throttling = the account defaults).
pub fn defaults() -> Map<String, Value> {
    match json!(MethodSetting::aws_defaults()) {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Methods a setting can name. AWS refuses `ANY` (and a wildcard method on a concrete resource):
/// per-method settings exist only for concrete verbs.
const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

/// Re-escape a decoded pointer segment the way AWS writes the key (`/pets` → `~1pets`).
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// The `methodSettings` key for decoded `resource` and `method` captures, or the path error.
/// A resource that is not a path (`/test/GET/...` instead of `/~1test/GET/...`) is kept as
/// given: AWS answers a `test/GET` entry (recorded against AWS by LocalStack's
/// `test_create_update_stages`, replayed in tests/aws_recorded).
fn key_of(resource: &str, method: &str, path: &str) -> Result<Option<String>, ApiError> {
    if resource == "*" {
        return if method == "*" {
            Ok(Some("*/*".to_string()))
        } else {
            Err(invalid_path(path))
        };
    }
    if !METHODS.contains(&method) {
        return Err(invalid_path(path));
    }
    Ok(Some(format!("{}/{method}", escape(resource))))
}

fn bool_setting(op: &PatchOp) -> Result<Value, ApiError> {
    Ok(Value::Bool(op.bool_value()?))
}

/// `replace /{resourcePath}/{httpMethod}/{area}/{setting}`; `caps` are the four decoded segments.
pub fn set(doc: &mut Map<String, Value>, op: &PatchOp, caps: &[String]) -> Result<(), ApiError> {
    let [resource, method, area, setting] = caps else {
        return Err(invalid_path(&op.path));
    };
    let (member, value) = match (area.as_str(), setting.as_str()) {
        ("metrics", "enabled") => ("metricsEnabled", bool_setting(op)?),
        ("logging", "dataTrace") => ("dataTraceEnabled", bool_setting(op)?),
        ("logging", "loglevel") => {
            let v = op.value()?;
            if !matches!(v, "OFF" | "ERROR" | "INFO") {
                return Err(ApiError::bad_request(format!(
                    "Invalid logging level: {v}. Valid options are OFF, ERROR, INFO"
                )));
            }
            ("loggingLevel", json!(v))
        }
        ("throttling", "burstLimit") => {
            let n = op.i64_value()?;
            if n < 0 {
                return Err(ApiError::bad_request(
                    "Burst limit must be a non-negative integer",
                ));
            }
            ("throttlingBurstLimit", json!(n))
        }
        ("throttling", "rateLimit") => {
            let n = op.f64_value()?;
            if n < 0.0 {
                return Err(ApiError::bad_request(
                    "Rate limit must be a non-negative number",
                ));
            }
            ("throttlingRateLimit", json!(n))
        }
        ("caching", "enabled") => ("cachingEnabled", bool_setting(op)?),
        ("caching", "ttlInSeconds") => {
            let n = op.i64_value()?;
            if !(0..=3600).contains(&n) {
                return Err(ApiError::bad_request(
                    "Cache ttl must be between 0 and 3600 seconds",
                ));
            }
            ("cacheTtlInSeconds", json!(n))
        }
        ("caching", "dataEncrypted") => ("cacheDataEncrypted", bool_setting(op)?),
        ("caching", "requireAuthorizationForCacheControl") => {
            ("requireAuthorizationForCacheControl", bool_setting(op)?)
        }
        ("caching", "unauthorizedCacheControlHeaderStrategy") => {
            let v = op.value()?;
            if !matches!(
                v,
                "FAIL_WITH_403"
                    | "SUCCEED_WITH_RESPONSE_HEADER"
                    | "SUCCEED_WITHOUT_RESPONSE_HEADER"
            ) {
                return Err(ApiError::validation(format!(
                    "1 validation error detected: Value '{v}' at 'unauthorizedCacheControlHeaderStrategy' failed to satisfy constraint: Member must satisfy enum value set: [FAIL_WITH_403, SUCCEED_WITH_RESPONSE_HEADER, SUCCEED_WITHOUT_RESPONSE_HEADER]"
                )));
            }
            ("unauthorizedCacheControlHeaderStrategy", json!(v))
        }
        _ => return Err(invalid_path(&op.path)),
    };
    let Some(key) = key_of(resource, method, &op.path)? else {
        return Ok(());
    };
    let settings = doc
        .entry("methodSettings")
        .or_insert_with(|| Value::Object(Map::new()));
    if !settings.is_object() {
        *settings = Value::Object(Map::new());
    }
    let settings = settings.as_object_mut().expect("made an object above");
    if !settings.contains_key(&key) {
        let base = match settings.get("*/*") {
            Some(Value::Object(stage_wide)) => stage_wide.clone(),
            _ => defaults(),
        };
        settings.insert(key.clone(), Value::Object(base));
    }
    if let Some(Value::Object(entry)) = settings.get_mut(&key) {
        entry.insert(member.into(), value);
    }
    Ok(())
}

/// `remove /{resourcePath}/{httpMethod}` drops one entry. AWS reads any other two-segment remove
/// path the same way, hence its message for e.g. `/canarySettings/badPath`.
pub fn remove(doc: &mut Map<String, Value>, op: &PatchOp, _: &[String]) -> Result<(), ApiError> {
    let raw = op.path.trim_start_matches('/');
    let removed = doc
        .get_mut("methodSettings")
        .and_then(Value::as_object_mut)
        .and_then(|m| m.remove(raw));
    if removed.is_none() {
        return Err(ApiError::bad_request(format!(
            "Cannot remove method setting {raw} because there is no method setting for this method "
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patch::Op;

    fn op(path: &str, value: &str) -> PatchOp {
        PatchOp {
            op: Op::Replace,
            path: path.into(),
            value: Some(value.into()),
            from: None,
        }
    }

    fn caps(path: &str) -> Vec<String> {
        path.split('/')
            .skip(1)
            .map(crate::patch::unescape)
            .collect()
    }

    #[test]
    fn keys_are_escaped_and_wildcards_are_both_or_neither() {
        assert_eq!(key_of("*", "*", "p").unwrap().unwrap(), "*/*");
        let key = key_of("/pets/{id}", "GET", "p").unwrap().unwrap();
        assert_eq!(key, "~1pets~1{id}/GET");
        assert!(key_of("*", "GET", "p").is_err());
        assert!(key_of("/pets", "*", "p").is_err());
        assert!(key_of("/pets", "ANY", "p").is_err());
        assert_eq!(key_of("pets", "GET", "p").unwrap().unwrap(), "pets/GET");
    }

    #[test]
    fn a_new_method_entry_inherits_the_stage_wide_entry() {
        let mut doc = Map::new();
        let p = "/*/*/throttling/rateLimit";
        set(&mut doc, &op(p, "10"), &caps(p)).unwrap();
        let p = "/~1pets/GET/metrics/enabled";
        set(&mut doc, &op(p, "true"), &caps(p)).unwrap();
        let ms = &Value::Object(doc)["methodSettings"];
        assert_eq!(ms["*/*"]["throttlingRateLimit"], json!(10.0));
        assert_eq!(ms["*/*"]["throttlingBurstLimit"], json!(5000));
        assert_eq!(ms["~1pets/GET"]["throttlingRateLimit"], json!(10.0));
        assert_eq!(ms["~1pets/GET"]["metricsEnabled"], json!(true));
    }

    #[test]
    fn a_fresh_entry_holds_what_update_stage_shows() {
        assert_eq!(
            Value::Object(defaults()),
            json!({
                "metricsEnabled": false,
                "dataTraceEnabled": false,
                "throttlingBurstLimit": 5000,
                "throttlingRateLimit": 10000.0,
                "cachingEnabled": false,
                "cacheTtlInSeconds": 300,
                "cacheDataEncrypted": false,
                "requireAuthorizationForCacheControl": true,
                "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER"
            })
        );
    }

    #[test]
    fn unknown_settings_are_rejected_with_aws_path_list() {
        let mut doc = Map::new();
        let p = "/*/*/caching/bogus";
        let e = set(&mut doc, &op(p, "1"), &caps(p)).unwrap_err();
        assert!(e.message.starts_with(
            "Invalid method setting path: /*/*/caching/bogus. Must be one of: [/deploymentId"
        ));
    }
}
