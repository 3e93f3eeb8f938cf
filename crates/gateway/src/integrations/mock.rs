//! MOCK: no backend. The integration status is the `statusCode` the rendered request template
//! produced (`{"statusCode": 200}`); the response templates make the body.

use super::Outcome;
use crate::rest::gateway_responses::GatewayError;

/// `rendered` is the request template's output (or the passed-through body).
pub fn invoke(rendered: &str) -> Result<Outcome, GatewayError> {
    let status = if let Some(s) = simple_status(rendered) {
        s
    } else if rendered.trim().is_empty() {
        // No template and no body: AWS's console-created MOCK default is 200.
        200
    } else {
        let v: serde_json::Value = serde_json::from_str(rendered).map_err(|e| {
            GatewayError::config(format!(
                "Execution failed due to configuration error: MOCK request template did not produce JSON: {e}"
            ))
        })?;
        match v.get("statusCode") {
            None => 200,
            Some(s) => s
                .as_u64()
                .or_else(|| s.as_str().and_then(|t| t.trim().parse().ok()))
                .and_then(|n| u16::try_from(n).ok())
                .filter(|n| (100..600).contains(n))
                .ok_or_else(|| {
                    GatewayError::config(format!(
                        "Execution failed due to configuration error: Invalid statusCode in MOCK template: {s}"
                    ))
                })?,
        }
    };
    Ok(Outcome {
        status,
        ..Outcome::default()
    })
}

/// The common `{"statusCode": 200}` without a JSON parser; `None` for anything else. The key
/// may be unquoted (`{statusCode: 200}`, as CDK writes it), which AWS's lenient parser takes
/// (recorded: LocalStack's test_integration_mock_with_path_param, replayed in tests/aws_recorded).
fn simple_status(s: &str) -> Option<u16> {
    let inner = s.trim().strip_prefix('{')?.strip_suffix('}')?.trim();
    let rest = inner
        .strip_prefix("\"statusCode\"")
        .or_else(|| inner.strip_prefix("statusCode"))?
        .trim_start();
    let n = rest.strip_prefix(':')?.trim();
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    n.parse().ok().filter(|n| (100..600).contains(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_from_template() {
        assert_eq!(invoke(r#"{"statusCode": 201}"#).unwrap().status, 201);
        assert_eq!(invoke("{\n  \"statusCode\" : 202\n}").unwrap().status, 202);
        assert_eq!(
            invoke(r#"{"statusCode": 203, "x": 1}"#).unwrap().status,
            203
        );
        assert_eq!(invoke(r#"{"statusCode": "404"}"#).unwrap().status, 404);
        assert_eq!(invoke("{statusCode: 200}").unwrap().status, 200);
        assert_eq!(invoke("").unwrap().status, 200);
        assert_eq!(invoke("{}").unwrap().status, 200);
        assert!(invoke("nope").is_err());
        assert!(invoke(r#"{"statusCode": 99}"#).is_err());
    }
}
