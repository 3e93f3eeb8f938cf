//! A key's membership of a usage plan. The management API writes it (CreateUsagePlanKey,
//! ImportApiKeys); the data plane's metering binds the key to the plan's stages through it.
//!
//! Stored as kind `usageplankey`, scope = the plan's id, id = the key's id. The wire's
//! UsagePlanKey also shows the key's `name` and `value`: those are read from the API key when
//! rendering, so they are not stored here.

use serde::{Deserialize, Serialize};

use crate::Entity;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsagePlanKey {
    /// The API key's id.
    pub id: String,
    /// `API_KEY`, the only type AWS has.
    #[serde(rename = "type")]
    pub key_type: String,
}

impl Entity for UsagePlanKey {
    const NAME: &'static str = "usage plan key";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::round_trips;
    use serde_json::json;

    #[test]
    fn the_stored_shape_round_trips() {
        let k: UsagePlanKey = round_trips(json!({"id": "k1", "type": "API_KEY"}));
        assert_eq!(k.key_type, "API_KEY");
    }
}
