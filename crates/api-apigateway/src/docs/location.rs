//! A documentation part's location: which fields each entity type takes, which it requires,
//! and AWS's defaults for the ones left out.
//!
//! The rules are AWS's API reference (DocumentationPartLocation): `path` is valid for every
//! type below the API but AUTHORIZER and MODEL (default `/`); `method` for METHOD and
//! everything under a method (default `*`); `statusCode` for RESPONSE, RESPONSE_HEADER and
//! RESPONSE_BODY (default `*`); `name` is required for AUTHORIZER, MODEL, PATH_PARAMETER,
//! QUERY_PARAMETER, REQUEST_HEADER and RESPONSE_HEADER. The reference also lists `name` as
//! required for REQUEST_BODY, but AWS's developer guide ("Document an API using the API
//! Gateway REST API") creates a REQUEST_BODY part without one and shows `name: null`.
//! Decision: `name` is accepted but not required for REQUEST_BODY.
//!
//! A location comes back with only the fields of its type, defaults filled in: AWS's recorded
//! answers show a METHOD part as `{type, path, method}` and an API part as `{type}` (LocalStack's
//! `test_apigateway_api.snapshot.json`, recorded against AWS).

use serde_json::{Map, Value};

use portico_model::DocumentationPartLocation;

use crate::error::ApiError;

/// How a type treats a location field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    /// Not valid for the type: giving it is an error.
    Invalid,
    /// Valid; AWS's default when left out (`None`: no default, left out).
    Valid(Option<&'static str>),
    /// Valid and required.
    Required,
}

use Field::{Invalid, Required, Valid};

const PATH: Field = Valid(Some("/"));
const ANY: Field = Valid(Some("*"));

/// One entity type's rules: `path`, `method`, `statusCode`, `name`.
struct Rules {
    kind: &'static str,
    path: Field,
    method: Field,
    status_code: Field,
    name: Field,
}

const fn rules(
    kind: &'static str,
    path: Field,
    method: Field,
    status_code: Field,
    name: Field,
) -> Rules {
    Rules {
        kind,
        path,
        method,
        status_code,
        name,
    }
}

/// In the order AWS lists the valid values in its enum error (recorded:
/// `create_documentation_part_invalid_location_type` in LocalStack's
/// `test_apigateway_api.snapshot.json`).
const TYPES: &[Rules] = &[
    rules("RESPONSE_BODY", PATH, ANY, ANY, Invalid),
    rules("RESPONSE", PATH, ANY, ANY, Invalid),
    rules("METHOD", PATH, ANY, Invalid, Invalid),
    rules("MODEL", Invalid, Invalid, Invalid, Required),
    rules("AUTHORIZER", Invalid, Invalid, Invalid, Required),
    rules("RESPONSE_HEADER", PATH, ANY, ANY, Required),
    rules("RESOURCE", PATH, Invalid, Invalid, Invalid),
    rules("PATH_PARAMETER", PATH, ANY, Invalid, Required),
    rules("REQUEST_BODY", PATH, ANY, Invalid, Valid(None)),
    rules("QUERY_PARAMETER", PATH, ANY, Invalid, Required),
    rules("API", Invalid, Invalid, Invalid, Invalid),
    rules("REQUEST_HEADER", PATH, ANY, Invalid, Required),
];

/// The types, comma-separated, as AWS's enum errors list them.
pub fn type_names() -> String {
    TYPES.iter().map(|r| r.kind).collect::<Vec<_>>().join(", ")
}

pub fn is_type(kind: &str) -> bool {
    TYPES.iter().any(|r| r.kind == kind)
}

/// AWS's ValidationException for a value outside an enum (`at` names the member).
pub fn enum_error(value: &str, at: &str, allowed: &str) -> ApiError {
    ApiError::new(
        400,
        "ValidationException",
        format!(
            "1 validation error detected: Value '{value}' at '{at}' failed to satisfy constraint: Member must satisfy enum value set: [{allowed}]"
        ),
    )
}

/// AWS's ValidationException for a required member left out.
pub fn null_error(at: &str) -> ApiError {
    ApiError::new(
        400,
        "ValidationException",
        format!(
            "1 validation error detected: Value null at '{at}' failed to satisfy constraint: Member must not be null"
        ),
    )
}

/// AWS's model pattern for `statusCode` (DocumentationPartLocationStatusCode).
const STATUS_PATTERN: &str = r"^([1-5]\d\d|\*|\s*)$";

fn is_status_code(s: &str) -> bool {
    let b = s.as_bytes();
    s == "*"
        || s.chars().all(char::is_whitespace)
        || (b.len() == 3 && (b'1'..=b'5').contains(&b[0]) && b[1..].iter().all(u8::is_ascii_digit))
}

/// Read and check the `location` member of `body`; `input` is the operation's input shape
/// (`createDocumentationPartInput`) for AWS's validation messages. The location comes back
/// with only its type's fields, defaults filled in.
pub fn from_body(
    body: &Map<String, Value>,
    input: &str,
) -> Result<DocumentationPartLocation, ApiError> {
    let at = format!("{input}.location");
    match body.get("location") {
        None | Some(Value::Null) => Err(null_error(&at)),
        Some(Value::Object(m)) => parse(m, &at),
        Some(_) => Err(ApiError::bad_request(
            "Invalid value for member 'location': expected an object",
        )),
    }
}

/// Check one location object (`at`: where it sits in the input, for messages).
pub fn parse(m: &Map<String, Value>, at: &str) -> Result<DocumentationPartLocation, ApiError> {
    let text = |key: &str| -> Result<Option<String>, ApiError> {
        match m.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(ApiError::bad_request(format!(
                "Invalid value for member 'location.{key}': expected a string"
            ))),
        }
    };
    let kind = text("type")?.ok_or_else(|| null_error(&format!("{at}.type")))?;
    let Some(rules) = TYPES.iter().find(|r| r.kind == kind) else {
        return Err(enum_error(&kind, &format!("{at}.type"), &type_names()));
    };
    let status_code = text("statusCode")?;
    if let Some(s) = &status_code {
        if !is_status_code(s) {
            return Err(ApiError::new(
                400,
                "ValidationException",
                format!(
                    "1 validation error detected: Value '{s}' at '{at}.statusCode' failed to satisfy constraint: Member must satisfy regular expression pattern: {STATUS_PATTERN}"
                ),
            ));
        }
    }
    let mut out = DocumentationPartLocation {
        kind: kind.clone(),
        path: None,
        method: None,
        status_code: None,
        name: None,
    };
    let fields = [
        ("path", rules.path, text("path")?, &mut out.path),
        ("method", rules.method, text("method")?, &mut out.method),
        (
            "statusCode",
            rules.status_code,
            status_code,
            &mut out.status_code,
        ),
        ("name", rules.name, text("name")?, &mut out.name),
    ];
    for (field, rule, given, slot) in fields {
        // An empty or blank value counts as left out (the model's own statusCode pattern
        // accepts blanks, meaning "any").
        let given = given.filter(|v| !v.trim().is_empty());
        *slot = match (rule, given) {
            // Decision: AWS's text for a field its type does not take is not recorded; the
            // field is refused rather than silently dropped, since a client that sent it meant
            // a different place.
            (Invalid, Some(_)) => {
                return Err(ApiError::bad_request(format!(
                    "Invalid location: '{field}' is not a valid location field for a documentation part of type {kind}"
                )))
            }
            (Invalid, None) => None,
            // Decision: AWS's text for a missing required name is not recorded.
            (Required, None) => {
                return Err(ApiError::bad_request(format!(
                    "Invalid location: 'name' is required for a documentation part of type {kind}"
                )))
            }
            (Required, Some(v)) => Some(v),
            (Valid(default), given) => given.or_else(|| default.map(str::to_string)),
        };
    }
    if let Some(p) = &out.path {
        // Decision: a path is a resource path, so it starts at the root.
        if !p.starts_with('/') {
            return Err(ApiError::bad_request(format!(
                "Invalid location: path '{p}' must start with '/'"
            )));
        }
    }
    Ok(out)
}

/// How AWS names a location in its conflict message: `type 'API'` (AWS's developer guide,
/// "Document an API using the API Gateway REST API"). Decision: the other fields follow in
/// the same style, in the order the guide prints locations.
pub fn describe(loc: &DocumentationPartLocation) -> String {
    let mut out = format!("type '{}'", loc.kind);
    for (field, value) in [
        ("path", &loc.path),
        ("method", &loc.method),
        ("statusCode", &loc.status_code),
        ("name", &loc.name),
    ] {
        if let Some(v) = value {
            out.push_str(&format!(", {field} '{v}'"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// One case: the location sent, then what is stored (`Ok`: the location with defaults)
    /// or the start of the error message.
    fn check(cases: &[(Value, Result<Value, &str>)]) {
        for (given, want) in cases {
            let got = parse(
                given.as_object().unwrap(),
                "createDocumentationPartInput.location",
            );
            match (got, want) {
                (Ok(loc), Ok(want)) => assert_eq!(
                    serde_json::to_value(&loc).unwrap(),
                    *want,
                    "location {given}"
                ),
                (Err(e), Err(prefix)) => assert!(
                    e.message.starts_with(prefix),
                    "location {given}: {} does not start with {prefix}",
                    e.message
                ),
                (got, want) => panic!("location {given}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn each_type_takes_its_fields_with_defaults() {
        check(&[
            (json!({"type": "API"}), Ok(json!({"type": "API"}))),
            (
                json!({"type": "RESOURCE"}),
                Ok(json!({"type": "RESOURCE", "path": "/"})),
            ),
            (
                json!({"type": "RESOURCE", "path": "/pets"}),
                Ok(json!({"type": "RESOURCE", "path": "/pets"})),
            ),
            (
                json!({"type": "METHOD", "method": "GET"}),
                Ok(json!({"type": "METHOD", "path": "/", "method": "GET"})),
            ),
            (
                json!({"type": "METHOD", "path": "/pets"}),
                Ok(json!({"type": "METHOD", "path": "/pets", "method": "*"})),
            ),
            (
                json!({"type": "MODEL", "name": "Pet"}),
                Ok(json!({"type": "MODEL", "name": "Pet"})),
            ),
            (
                json!({"type": "AUTHORIZER", "name": "auth"}),
                Ok(json!({"type": "AUTHORIZER", "name": "auth"})),
            ),
            (
                json!({"type": "PATH_PARAMETER", "path": "/pets/{id}", "name": "id"}),
                Ok(
                    json!({"type": "PATH_PARAMETER", "path": "/pets/{id}", "method": "*", "name": "id"}),
                ),
            ),
            (
                json!({"type": "QUERY_PARAMETER", "name": "page", "method": "GET"}),
                Ok(
                    json!({"type": "QUERY_PARAMETER", "path": "/", "method": "GET", "name": "page"}),
                ),
            ),
            (
                json!({"type": "REQUEST_HEADER", "name": "x-token"}),
                Ok(
                    json!({"type": "REQUEST_HEADER", "path": "/", "method": "*", "name": "x-token"}),
                ),
            ),
            (
                json!({"type": "REQUEST_BODY", "path": "/pets", "method": "POST"}),
                Ok(json!({"type": "REQUEST_BODY", "path": "/pets", "method": "POST"})),
            ),
            (
                json!({"type": "REQUEST_BODY", "name": "Pet"}),
                Ok(json!({"type": "REQUEST_BODY", "path": "/", "method": "*", "name": "Pet"})),
            ),
            (
                json!({"type": "RESPONSE"}),
                Ok(json!({"type": "RESPONSE", "path": "/", "method": "*", "statusCode": "*"})),
            ),
            (
                json!({"type": "RESPONSE", "statusCode": "200", "method": "GET"}),
                Ok(json!({"type": "RESPONSE", "path": "/", "method": "GET", "statusCode": "200"})),
            ),
            (
                json!({"type": "RESPONSE_BODY", "statusCode": "404"}),
                Ok(
                    json!({"type": "RESPONSE_BODY", "path": "/", "method": "*", "statusCode": "404"}),
                ),
            ),
            (
                json!({"type": "RESPONSE_HEADER", "name": "Content-Type", "statusCode": "200"}),
                Ok(
                    json!({"type": "RESPONSE_HEADER", "path": "/", "method": "*", "statusCode": "200", "name": "Content-Type"}),
                ),
            ),
            // Blank values count as left out.
            (
                json!({"type": "METHOD", "path": "", "method": " "}),
                Ok(json!({"type": "METHOD", "path": "/", "method": "*"})),
            ),
            (
                json!({"type": "API", "path": ""}),
                Ok(json!({"type": "API"})),
            ),
        ]);
    }

    #[test]
    fn fields_a_type_does_not_take_are_refused() {
        let invalid = "Invalid location: '";
        check(&[
            (json!({"type": "API", "path": "/"}), Err(invalid)),
            (json!({"type": "API", "name": "x"}), Err(invalid)),
            (
                json!({"type": "MODEL", "name": "M", "path": "/"}),
                Err(invalid),
            ),
            (
                json!({"type": "AUTHORIZER", "name": "a", "method": "GET"}),
                Err(invalid),
            ),
            (json!({"type": "RESOURCE", "method": "GET"}), Err(invalid)),
            (json!({"type": "METHOD", "statusCode": "200"}), Err(invalid)),
            (json!({"type": "METHOD", "name": "x"}), Err(invalid)),
            (json!({"type": "RESPONSE", "name": "x"}), Err(invalid)),
            (json!({"type": "RESPONSE_BODY", "name": "x"}), Err(invalid)),
            (
                json!({"type": "QUERY_PARAMETER", "name": "q", "statusCode": "200"}),
                Err(invalid),
            ),
            (
                json!({"type": "REQUEST_BODY", "statusCode": "200"}),
                Err(invalid),
            ),
        ]);
    }

    #[test]
    fn required_names_and_bad_values_are_refused() {
        let required = "Invalid location: 'name' is required";
        check(&[
            (json!({"type": "MODEL"}), Err(required)),
            (json!({"type": "AUTHORIZER", "name": ""}), Err(required)),
            (json!({"type": "PATH_PARAMETER"}), Err(required)),
            (json!({"type": "QUERY_PARAMETER"}), Err(required)),
            (json!({"type": "REQUEST_HEADER"}), Err(required)),
            (json!({"type": "RESPONSE_HEADER", "statusCode": "200"}), Err(required)),
            (json!({"type": "INVALID"}), Err("1 validation error detected: Value 'INVALID' at 'createDocumentationPartInput.location.type' failed to satisfy constraint: Member must satisfy enum value set: [RESPONSE_BODY, RESPONSE, METHOD, MODEL, AUTHORIZER, RESPONSE_HEADER, RESOURCE, PATH_PARAMETER, REQUEST_BODY, QUERY_PARAMETER, API, REQUEST_HEADER]")),
            (json!({}), Err("1 validation error detected: Value null at 'createDocumentationPartInput.location.type'")),
            (json!({"type": "RESPONSE", "statusCode": "600"}), Err("1 validation error detected: Value '600' at 'createDocumentationPartInput.location.statusCode' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([1-5]\\d\\d|\\*|\\s*)$")),
            (json!({"type": "RESPONSE", "statusCode": "20"}), Err("1 validation error detected")),
            (json!({"type": "RESOURCE", "path": "pets"}), Err("Invalid location: path 'pets'")),
            (json!({"type": 3}), Err("Invalid value for member 'location.type'")),
        ]);
    }

    #[test]
    fn conflicts_name_the_location() {
        let loc = parse(
            json!({"type": "METHOD", "path": "/pets", "method": "GET"})
                .as_object()
                .unwrap(),
            "x",
        )
        .unwrap();
        assert_eq!(describe(&loc), "type 'METHOD', path '/pets', method 'GET'");
    }
}
