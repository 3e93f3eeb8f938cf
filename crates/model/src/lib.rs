//! The domain both planes read: entity documents and the rules that more than one component
//! applies to them (quota arithmetic, the account's defaults, gateway response types, the
//! deployment snapshot). The management APIs write these documents; the data plane compiles and
//! enforces them.
//!
//! Architecture invariant: below every API and the data plane, above the store. No wire
//! format, no HTTP.

pub mod account;
pub mod gateway_responses;
pub mod quota;
pub use snapshot::DeploymentSnapshot;
pub mod snapshot;
