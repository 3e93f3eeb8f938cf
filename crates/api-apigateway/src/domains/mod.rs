//! Custom domain names (`domain_names`), what is mapped under them (`base_path_mappings`) and
//! who may reach a private one (`access_associations`).
//!
//! A domain name is stored in its owner's tenant (kind `domainname`, scope `""`, id = the name
//! in lower case; `portico_model::DomainName`), its mappings beside it (kind
//! `basepathmapping`, scope = the name, id = the base path, `(none)` for the empty one). The
//! store announces `Change::DomainNames` when either is written, and the data plane's domain
//! index routes a request whose `Host` is a domain name through them.
//!
//! **A name is unique across every tenant** of one Portico, since a `Host` header names no
//! tenant. Creating a name (and renaming none: names never change) runs under
//! `portico_model::domain_name::CLAIMS` (shared with `apigatewayv2`'s CreateDomainName), a
//! process-wide lock held from the cross-tenant scan to the commit, so two tenants cannot
//! claim one name at once; the store is one process's (`ARCHITECTURE.md`, "One process owns a
//! data dir"), so a process lock is enough.

pub(crate) mod access_associations;
pub(crate) mod base_path_mappings;
pub(crate) mod domain_names;

use portico_model::{DomainName, Entity};

use crate::call::Call;
use crate::error::ApiError;
use crate::store::{kind, Txn};
use crate::Handler;

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    domain_names::handler(operation)
        .or_else(|| base_path_mappings::handler(operation))
        .or_else(|| access_associations::handler(operation))
}

/// AWS's 404 for an unknown domain name (seen in AWS's answers quoted in
/// amplify-education/serverless-domain-manager issue #210).
pub(crate) fn not_found() -> ApiError {
    ApiError::not_found("Invalid domain name identifier specified")
}

/// The `{domain_name}` label, as stored (names are kept in lower case).
pub(crate) fn name_label(call: &Call) -> String {
    call.label("domain_name").to_ascii_lowercase()
}

/// The caller's domain `name`; a `domainNameId` query member (private domain names) must be
/// its id.
pub(crate) fn require(txn: &mut dyn Txn, call: &Call, name: &str) -> Result<DomainName, ApiError> {
    let doc = txn
        .get_shared(kind::DOMAIN_NAME, "", name)?
        .ok_or_else(not_found)?;
    let domain = DomainName::from_value(&doc)?;
    match call.query("domainNameId").filter(|q| !q.is_empty()) {
        Some(id) if domain.domain_name_id.as_deref() != Some(id) => Err(not_found()),
        _ => Ok(domain),
    }
}
