//! An API key. The management API writes it (CreateApiKey, UpdateApiKey, ImportApiKeys, tags);
//! the data plane's metering resolves `x-api-key` to it.
//!
//! Stored as kind `apikey`, scope "", id = the key's id, including its `value` (readers strip
//! it unless the caller asks for it). `stageKeys` are AWS's `"{restApiId}/{stageName}"`.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::Entity;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKey {
    pub id: String,
    pub value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// AWS's default is a disabled key.
    #[serde(default)]
    pub enabled: bool,
    /// Epoch seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_date: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_updated_date: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<IndexMap<String, String>>,
    #[serde(default)]
    pub stage_keys: Vec<String>,
}

impl Entity for ApiKey {
    const NAME: &'static str = "API key";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::round_trips;
    use serde_json::json;

    #[test]
    fn the_stored_shape_round_trips() {
        round_trips::<ApiKey>(json!({
            "id": "k1", "value": "0123456789abcdefghij", "name": "n", "customerId": "c",
            "description": "d", "enabled": true, "createdDate": 1, "lastUpdatedDate": 2,
            "tags": {"a": "b"}, "stageKeys": ["api/prod"]
        }));
        let k: ApiKey = round_trips(json!({
            "id": "k2", "value": "0123456789abcdefghij", "enabled": false, "stageKeys": []
        }));
        assert!(!k.enabled);
    }
}
