//! The per-tenant API Gateway account document (throttle limits, features): the management
//! API edits it, the data plane enforces its account-level throttle.
//!
//! Stored as kind `account`, scope "", id "account", created on first update; until then it
//! reads as AWS's defaults.

use portico_store::{kind, StoreError, Txn};
use serde_json::{json, Map, Value};

pub const ID: &str = "account";

pub fn defaults() -> Map<String, Value> {
    match json!({
        "throttleSettings": {"burstLimit": 5000, "rateLimit": 10000.0},
        "features": ["UsagePlans"],
        "apiKeyVersion": "4"
    }) {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The tenant's account document (defaults when never updated).
pub fn load(txn: &mut dyn Txn) -> Result<Map<String, Value>, StoreError> {
    Ok(match txn.get(kind::ACCOUNT, "", ID)? {
        Some(Value::Object(m)) => m,
        _ => defaults(),
    })
}
