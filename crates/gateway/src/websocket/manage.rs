//! `@connections` — the `apigatewaymanagementapi` (2018-11-29): PostToConnection,
//! GetConnection, DeleteConnection on the connections this node holds. The caller is
//! authenticated (SigV4, service `execute-api`) by the binary before it gets here; a
//! connection of another tenant is as gone as one that closed.
//!
//! PostToConnection sends the data as a text frame when it is UTF-8, else as a binary frame
//! (RFC 6455 forbids text frames that are not UTF-8). Decision: AWS documents neither; this is
//! what a client can receive either way.

use bytes::Bytes;
use portico_core::{ApiError, Tenant};
use serde_json::{json, Value};
use time::macros::format_description;
use time::OffsetDateTime;

use super::connections::{Conn, Out, PostError};
use super::Websockets;

/// What `@connections` answers: the status and, for GetConnection, its document.
#[derive(Debug, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub body: Option<Value>,
}

/// The connection id in a `@connections` path (`/@connections/{id}`, `/{stage}/@connections/
/// {id}`), percent-decoded.
pub fn connection_id(path: &str) -> Option<String> {
    let at = path.find("@connections/")?;
    let raw = path[at + "@connections/".len()..].trim_end_matches('/');
    // One segment of the raw path; decoded after, so an encoded `/` stays in the id.
    let id = portico_core::query::decode(raw);
    (!raw.is_empty() && !raw.contains('/')).then_some(id)
}

fn gone() -> ApiError {
    ApiError::new(410, "GoneException", "")
}

/// One `@connections` call by `tenant` (already authenticated). `api_id`, when the address
/// names one, must be the connection's API.
pub fn handle(
    ws: &Websockets,
    tenant: &Tenant,
    api_id: Option<&str>,
    method: &str,
    path: &str,
    body: Bytes,
) -> Result<Answer, ApiError> {
    let Some(id) = connection_id(path) else {
        return Err(ApiError::new(
            404,
            "UnknownOperationException",
            format!("No @connections operation for {method} {path}"),
        ));
    };
    let conn = ws
        .connections
        .get(tenant, &id)
        .filter(|c| api_id.is_none_or(|a| a == c.api_id()) && !c.is_closed())
        .ok_or_else(gone)?;
    match method {
        "POST" => {
            if body.len() > ws.limits.max_message {
                return Err(ApiError::new(
                    413,
                    "PayloadTooLargeException",
                    format!(
                        "Message is larger than the maximum of {} bytes",
                        ws.limits.max_message
                    ),
                ));
            }
            let msg = match std::str::from_utf8(&body) {
                Ok(text) => Out::Text(text.to_string()),
                Err(_) => Out::Binary(body),
            };
            match conn.post(msg) {
                Ok(()) => Ok(Answer {
                    status: 200,
                    body: None,
                }),
                Err(PostError::Gone) => Err(gone()),
                Err(PostError::Full) => Err(ApiError::new(
                    429,
                    "LimitExceededException",
                    "The connection's client is not reading its messages",
                )),
            }
        }
        "GET" => Ok(Answer {
            status: 200,
            body: Some(describe(&conn)),
        }),
        "DELETE" => {
            conn.close();
            Ok(Answer {
                status: 204,
                body: None,
            })
        }
        _ => Err(ApiError::new(
            404,
            "UnknownOperationException",
            format!("No @connections operation for {method} {path}"),
        )),
    }
}

/// GetConnection's answer.
fn describe(c: &Conn) -> Value {
    json!({
        "connectedAt": iso(c.connected_at),
        "identity": {"sourceIp": &*c.source_ip, "userAgent": c.user_agent},
        "lastActiveAt": iso(c.last_active()),
    })
}

/// Epoch milliseconds as ISO 8601 with milliseconds (`2024-01-20T11:54:57.419Z`).
fn iso(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
            ))
            .ok()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_ids_are_read_from_either_path_form() {
        assert_eq!(
            connection_id("/@connections/Abc%3D").as_deref(),
            Some("Abc=")
        );
        assert_eq!(
            connection_id("/prod/@connections/Abc=").as_deref(),
            Some("Abc=")
        );
        assert_eq!(connection_id("/prod/@connections/"), None);
        assert_eq!(connection_id("/prod/x"), None);
        assert_eq!(connection_id("/@connections/a%2Fb").as_deref(), Some("a/b"));
        assert_eq!(connection_id("/@connections/a/b"), None);
        assert_eq!(iso(1705751697419), "2024-01-20T11:54:57.419Z");
    }
}
