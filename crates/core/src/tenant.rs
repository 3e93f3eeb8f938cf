//! Who owns state. Tenants never see each other's documents: every store query is keyed by the
//! tenant's account and partition.

use std::borrow::Cow;

/// An AWS (account, region) or a Huawei Cloud (account, project).
///
/// A Huawei tenant's account is the Portico credential's account id (its Huawei domain id is
/// that id left-padded with zeros to 32 characters, see [`Tenant::huawei_domain`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tenant {
    Aws { account: String, region: String },
    Huawei { account: String, project: String },
}

/// Marks a Huawei project in the store's partition column. AWS region names never contain `:`,
/// so the two kinds of partition cannot collide.
const HUAWEI_PARTITION: &str = "huawei:";

impl Tenant {
    pub fn aws(account: impl Into<String>, region: impl Into<String>) -> Tenant {
        Tenant::Aws {
            account: account.into(),
            region: region.into(),
        }
    }

    pub fn huawei(account: impl Into<String>, project: impl Into<String>) -> Tenant {
        Tenant::Huawei {
            account: account.into(),
            project: project.into(),
        }
    }

    pub fn account(&self) -> &str {
        match self {
            Tenant::Aws { account, .. } | Tenant::Huawei { account, .. } => account,
        }
    }

    /// The AWS region (ARNs, execute-api addresses). A Huawei tenant has none: `""`.
    pub fn region(&self) -> &str {
        match self {
            Tenant::Aws { region, .. } => region,
            Tenant::Huawei { .. } => "",
        }
    }

    /// The second half of the store's key: the region, or `huawei:{project}`.
    pub fn partition(&self) -> Cow<'_, str> {
        match self {
            Tenant::Aws { region, .. } => Cow::Borrowed(region),
            Tenant::Huawei { project, .. } => Cow::Owned(format!("{HUAWEI_PARTITION}{project}")),
        }
    }

    /// The inverse of ([`Tenant::account`], [`Tenant::partition`]), for stores reading keys back.
    pub fn from_key(account: &str, partition: &str) -> Tenant {
        match partition.strip_prefix(HUAWEI_PARTITION) {
            Some(project) => Tenant::huawei(account, project),
            None => Tenant::aws(account, partition),
        }
    }

    /// The Huawei domain id of an account: its id left-padded with zeros to 32 characters.
    pub fn huawei_domain(account: &str) -> String {
        format!("{account:0>32}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_never_collide() {
        for t in [
            Tenant::aws("000000000000", "us-east-1"),
            Tenant::huawei("000000000000", "us-east-1"),
        ] {
            assert_eq!(Tenant::from_key(t.account(), &t.partition()), t);
        }
        assert_ne!(
            Tenant::aws("1", "p").partition(),
            Tenant::huawei("1", "p").partition()
        );
    }

    #[test]
    fn huawei_domain_is_padded_to_32() {
        assert_eq!(
            Tenant::huawei_domain("test"),
            format!("{}test", "0".repeat(28))
        );
        assert_eq!(Tenant::huawei_domain("000000000000"), "0".repeat(32));
    }
}
