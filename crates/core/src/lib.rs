//! What every Portico crate shares and nothing of ours lies below: who owns state ([`Tenant`]),
//! the error a management call answers ([`ApiError`], rendered by each API's wire format in
//! `portico-mgmt`), AWS-shaped ids and clock reads, and query-string decoding.
//!
//! Architecture invariant: this crate knows no HTTP library, no store and no API.

pub mod error;
pub mod ids;
pub mod query;
mod tenant;

pub use error::{ApiError, Fault};
pub use tenant::Tenant;
