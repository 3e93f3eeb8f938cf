//! The domain both planes read: entity documents and the rules that more than one component
//! applies to them (quota arithmetic, the account's defaults, gateway response types, the
//! deployment snapshot). The management APIs write these documents; the data plane compiles and
//! enforces them.
//!
//! Each entity that more than one component reads has one serde struct here that is the single
//! definition of its stored shape: AWS's own JSON (camelCase), which stays the storage format.
//! The rules every struct follows:
//! - members without which the entity means nothing (its id, name, deployment…) are required;
//! - members Portico always writes and AWS always shows (flags, lists, maps such as
//!   `methodSettings` or `cacheKeyParameters`) are plain values with AWS's default, always
//!   serialized;
//! - everything else is an `Option`, left out of the JSON when `None`.
//!
//! Maps are [`IndexMap`]s, so a document keeps the order its members were written in.
//!
//! The management handlers that edit a stored document through patch rules edit its JSON map;
//! their tests check that every document they store reads back into its struct and writes out
//! to the same JSON, so the struct stays the definition.
//!
//! Architecture invariant: below every API and the data plane, above the store. No wire
//! format, no HTTP.

use portico_store::StoreError;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

pub use indexmap::IndexMap;

pub mod account;
pub mod api_key;
pub mod authorizer;
pub mod client_certificate;
pub mod documentation;
pub mod domain_name;
pub mod gateway_responses;
pub mod integration;
pub mod integration_subtype;
pub mod lambda;
pub mod method;
pub mod quota;
pub mod snapshot;
pub mod stage;
pub mod usage_plan;
pub mod usage_plan_key;
pub mod v2;
pub mod vpc_link;

pub use account::Account;
pub use api_key::ApiKey;
pub use authorizer::Authorizer;
pub use client_certificate::ClientCertificate;
pub use documentation::{
    DocumentationPart, DocumentationPartLocation, DocumentationSnapshot, DocumentationVersion,
};
pub use domain_name::{BasePathMapping, DomainName, MutualTlsAuthentication, RoutingRule};
pub use integration::{Integration, IntegrationResponse, TlsConfig};
pub use method::{Method, MethodResponse};
pub use snapshot::DeploymentSnapshot;
pub use stage::{AccessLogSettings, CanarySettings, MethodSetting, Stage};
pub use usage_plan::{ApiStage, QuotaSettings, ThrottleSettings, UsagePlan};
pub use usage_plan_key::UsagePlanKey;
pub use vpc_link::{LoadBalancers, VpcLink};

/// A stored entity: its struct is the single definition of its JSON document.
pub trait Entity: Serialize + DeserializeOwned {
    /// What the entity is called in messages (`stage`, `usage plan`).
    const NAME: &'static str;

    /// Read a stored document. One that does not have the entity's shape is a store fault:
    /// the data plane logs and skips it; a management call answers 500.
    fn from_value(doc: &Value) -> Result<Self, StoreError> {
        Self::deserialize(doc).map_err(|e| StoreError::document(format!("{}: {e}", Self::NAME)))
    }

    /// [`Entity::from_value`] for a document already taken apart into its members.
    fn from_map(doc: &Map<String, Value>) -> Result<Self, StoreError> {
        Self::deserialize(doc).map_err(|e| StoreError::document(format!("{}: {e}", Self::NAME)))
    }

    /// The stored document.
    fn to_value(&self) -> Value {
        // Cannot fail: every member is a string, number, bool, list or string-keyed map.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The stored document's members (what a handler edits through patch rules).
    fn to_map(&self) -> Map<String, Value> {
        match self.to_value() {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use super::Entity;
    use serde_json::Value;

    /// `doc` reads into `T` and writes out to the same JSON (numbers keep their integer or
    /// float kind; member order aside).
    pub fn round_trips<T: Entity + std::fmt::Debug>(doc: Value) -> T {
        let typed = T::from_value(&doc).unwrap_or_else(|e| panic!("{e}\n{doc:#}"));
        assert_eq!(typed.to_value(), doc, "{} does not round-trip", T::NAME);
        typed
    }
}
