//! Typed reads of a Huawei request body. `portico_mgmt::Call::json` and `Members` speak AWS
//! (BadRequestException, "1 validation error detected"); here every failure is the service's
//! own error, built by the `bad` constructor the caller names (APIC.7211 for APIG,
//! EndPoint.0002 for VPC Endpoint), with the offending member's wire name.

use portico_core::ApiError;
use portico_mgmt::Call;
use serde_json::{Map, Value};

pub type Bad = fn(&str) -> ApiError;

pub struct Body {
    map: Map<String, Value>,
    bad: Bad,
}

impl Body {
    /// The call's body as a JSON object; empty counts as `{}` (then each required member is
    /// reported missing by name). Anything else that is not an object is `bad("body")`.
    pub fn parse(call: &Call, bad: Bad) -> Result<Body, ApiError> {
        if call.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Body {
                map: Map::new(),
                bad,
            });
        }
        match serde_json::from_slice::<Value>(&call.body) {
            Ok(Value::Object(map)) => Ok(Body { map, bad }),
            _ => Err(bad("body")),
        }
    }

    /// A body built in a test.
    #[cfg(test)]
    pub fn of(value: Value, bad: Bad) -> Body {
        match value {
            Value::Object(map) => Body { map, bad },
            _ => Body {
                map: Map::new(),
                bad,
            },
        }
    }

    /// Null counts as absent (the SDKs drop `None` members, other clients may send `null`).
    fn get(&self, key: &str) -> Option<&Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    pub fn str(&self, key: &str) -> Result<Option<&str>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err((self.bad)(key)),
        }
    }

    /// A string that must be present and not empty.
    pub fn required_str(&self, key: &str) -> Result<&str, ApiError> {
        match self.str(key)? {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err((self.bad)(key)),
        }
    }

    pub fn bool(&self, key: &str) -> Result<Option<bool>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err((self.bad)(key)),
        }
    }

    pub fn i64(&self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v.as_i64().map(Some).ok_or_else(|| (self.bad)(key)),
        }
    }

    /// An array of strings.
    pub fn str_list(&self, key: &str) -> Result<Option<Vec<String>>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| (self.bad)(key))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err((self.bad)(key)),
        }
    }

    /// An array, as it came (for members Portico only echoes).
    pub fn array(&self, key: &str) -> Result<Option<&Vec<Value>>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items)),
            Some(_) => Err((self.bad)(key)),
        }
    }

    /// The error this body reports for `key`.
    pub fn bad(&self, key: &str) -> ApiError {
        (self.bad)(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bad(key: &str) -> ApiError {
        ApiError::new(400, "T", key.to_string())
    }

    #[test]
    fn reads_name_the_member_that_failed() {
        let b = Body::of(
            json!({"s": "x", "e": "", "n": 3, "b": true, "l": ["a"], "ml": ["a", 1], "z": null}),
            bad,
        );
        assert_eq!(b.str("s").ok().flatten(), Some("x"));
        assert_eq!(b.str("z").ok().flatten(), None);
        assert_eq!(
            b.required_str("e").err().map(|e| e.message),
            Some("e".into())
        );
        assert_eq!(
            b.required_str("z").err().map(|e| e.message),
            Some("z".into())
        );
        assert_eq!(b.str("n").err().map(|e| e.message), Some("n".into()));
        assert_eq!(b.i64("n").ok().flatten(), Some(3));
        assert_eq!(b.bool("b").ok().flatten(), Some(true));
        assert_eq!(b.str_list("l").ok().flatten(), Some(vec!["a".to_string()]));
        assert_eq!(b.str_list("ml").err().map(|e| e.message), Some("ml".into()));
        assert_eq!(b.i64("s").err().map(|e| e.message), Some("s".into()));
    }
}
