//! An API's documentation: documentation parts (content attached to a location in the API:
//! the API itself, a resource, a method, a parameter, a response, a model...) and documentation
//! versions (named snapshots of the parts). The management API writes them; the OpenAPI export
//! reads them (the API's current parts, or a stage's `documentationVersion` snapshot).
//!
//! Stored as kind `documentationpart` (scope = the API's id, id = the part's id), kind
//! `documentationversion` (scope = the API's id, id = the version name: AWS's
//! DocumentationVersion JSON) and kind `documentationsnapshot` (same scope and id: the parts as
//! they were when the version was created, which AWS never shows but exports).

use serde::{Deserialize, Serialize};

use crate::Entity;

/// Where a part's content applies. Only the fields that apply to `type` are stored, with AWS's
/// defaults filled in (`path` "/", `method` "*", `statusCode` "*"), so two parts for the same
/// place compare equal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentationPartLocation {
    /// `API`, `AUTHORIZER`, `MODEL`, `RESOURCE`, `METHOD`, `PATH_PARAMETER`,
    /// `QUERY_PARAMETER`, `REQUEST_HEADER`, `REQUEST_BODY`, `RESPONSE`, `RESPONSE_HEADER` or
    /// `RESPONSE_BODY`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentationPart {
    pub id: String,
    pub location: DocumentationPartLocation,
    /// A JSON object, as text (AWS's wire form): the OpenAPI members this part contributes.
    pub properties: String,
}

impl Entity for DocumentationPart {
    const NAME: &'static str = "documentation part";
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentationVersion {
    pub version: String,
    pub created_date: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl Entity for DocumentationVersion {
    const NAME: &'static str = "documentation version";
}

/// The parts of an API as a documentation version froze them (in the order they were
/// created). Later edits of the parts never change it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentationSnapshot {
    pub version: String,
    pub parts: Vec<DocumentationPart>,
}

impl Entity for DocumentationSnapshot {
    const NAME: &'static str = "documentation snapshot";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::round_trips;
    use serde_json::json;

    #[test]
    fn the_stored_shapes_round_trip() {
        let p: DocumentationPart = round_trips(json!({
            "id": "p1",
            "location": {"type": "RESPONSE_HEADER", "path": "/pets", "method": "GET",
                         "statusCode": "200", "name": "Content-Type"},
            "properties": "{\"description\":\"d\"}"
        }));
        assert_eq!(p.location.status_code.as_deref(), Some("200"));
        round_trips::<DocumentationPart>(json!({
            "id": "p2", "location": {"type": "API"}, "properties": "{}"
        }));
        round_trips::<DocumentationVersion>(json!({"version": "v1", "createdDate": 1}));
        round_trips::<DocumentationVersion>(
            json!({"version": "v1", "createdDate": 1, "description": "d"}),
        );
        round_trips::<DocumentationSnapshot>(json!({
            "version": "v1",
            "parts": [{"id": "p2", "location": {"type": "API"}, "properties": "{}"}]
        }));
    }
}
