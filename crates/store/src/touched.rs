//! Which announcements a transaction owes once it commits: shared by every store, so a change
//! committed on SQLite and one committed on PostgreSQL wake exactly the same subscribers.

use std::collections::BTreeSet;

use crate::{kind, Change, Tenant};

/// Kinds whose change alters how a function runs (the Lambda host caches them).
pub(crate) fn is_function_kind(k: &str) -> bool {
    k == kind::LAMBDA_FUNCTION || k == kind::LAMBDA_VERSION || k == kind::LAMBDA_ALIAS
}

pub(crate) fn affects_data_plane(kind: &str) -> bool {
    matches!(kind, kind::STAGE | kind::DEPLOYMENT | kind::REST_API)
}

/// What the HTTP API registry compiles: the API (its CORS configuration), its stages,
/// deployments (the routes and integrations they froze) and authorizers.
pub(crate) fn affects_http_apis(kind: &str) -> bool {
    matches!(
        kind,
        kind::V2_API | kind::V2_STAGE | kind::V2_DEPLOYMENT | kind::V2_AUTHORIZER
    )
}

pub(crate) fn affects_metering(kind: &str) -> bool {
    matches!(
        kind,
        kind::API_KEY
            | kind::API_KEY_VALUE
            | kind::USAGE_PLAN
            | kind::USAGE_PLAN_KEY
            | kind::ACCOUNT
    )
}

/// The announcements one transaction owes.
#[derive(Debug, Default)]
pub(crate) struct Touched {
    /// REST APIs whose served shape may have changed.
    pub rest_apis: BTreeSet<String>,
    /// `apigatewayv2` APIs whose served shape may have changed.
    pub http_apis: BTreeSet<String>,
    /// Something the metering layer indexes was written.
    pub metering: bool,
    pub vpc_links: bool,
    /// A custom domain name, one of its base path mappings or routing rules was written or
    /// deleted.
    pub domain_names: bool,
    pub functions: bool,
}

impl Touched {
    /// A document of `kind` was written or deleted.
    pub fn touch(&mut self, kind: &str, scope: &str, id: &str) {
        self.metering |= affects_metering(kind);
        self.vpc_links |= kind == kind::VPC_LINK;
        self.domain_names |= is_domain_kind(kind);
        self.functions |= is_function_kind(kind);
        if affects_data_plane(kind) {
            let api = if kind == kind::REST_API { id } else { scope };
            self.rest_apis.insert(api.to_string());
        }
        if affects_http_apis(kind) {
            let api = if kind == kind::V2_API { id } else { scope };
            self.http_apis.insert(api.to_string());
        }
    }

    /// Every document of `kinds` inside `scope` was deleted (a cascade).
    pub fn scope_deleted<'a>(&mut self, scope: &str, kinds: impl IntoIterator<Item = &'a str>) {
        self.rest_apis.insert(scope.to_string());
        self.http_apis.insert(scope.to_string());
        for k in kinds {
            self.metering |= affects_metering(k);
            self.domain_names |= is_domain_kind(k);
            self.functions |= is_function_kind(k);
        }
    }

    /// The announcements, in the order subscribers have always heard them.
    pub fn into_changes(self, tenant: &Tenant) -> Vec<Change> {
        let mut out = Vec::new();
        for rest_api_id in self.rest_apis {
            out.push(Change::RestApi {
                tenant: tenant.clone(),
                rest_api_id,
            });
        }
        for api_id in self.http_apis {
            out.push(Change::HttpApi {
                tenant: tenant.clone(),
                api_id,
            });
        }
        if self.metering {
            out.push(Change::Metering {
                tenant: tenant.clone(),
            });
        }
        if self.vpc_links {
            out.push(Change::VpcLinks {
                tenant: tenant.clone(),
            });
        }
        if self.domain_names {
            out.push(Change::DomainNames {
                tenant: tenant.clone(),
            });
        }
        if self.functions {
            out.push(Change::Functions {
                tenant: tenant.clone(),
            });
        }
        out
    }
}

/// A store's three announcement channels, one per [`crate::Topic`].
pub(crate) struct Channels {
    serving: tokio::sync::broadcast::Sender<Change>,
    metering: tokio::sync::broadcast::Sender<Change>,
    functions: tokio::sync::broadcast::Sender<Change>,
}

impl Channels {
    pub fn new() -> Channels {
        Channels {
            serving: tokio::sync::broadcast::channel(1024).0,
            metering: tokio::sync::broadcast::channel(1024).0,
            functions: tokio::sync::broadcast::channel(1024).0,
        }
    }

    pub fn announce(&self, change: Change) {
        // Nobody listening is fine: the data plane may not be running (tests).
        let _ = match change.topic() {
            crate::Topic::Serving => self.serving.send(change),
            crate::Topic::Metering => self.metering.send(change),
            crate::Topic::Functions => self.functions.send(change),
        };
    }

    pub fn subscribe(&self, topic: crate::Topic) -> tokio::sync::broadcast::Receiver<Change> {
        match topic {
            crate::Topic::Serving => self.serving.subscribe(),
            crate::Topic::Metering => self.metering.subscribe(),
            crate::Topic::Functions => self.functions.subscribe(),
        }
    }
}

/// Kinds the data plane's domain index is built from (`Change::DomainNames`).
fn is_domain_kind(k: &str) -> bool {
    k == kind::DOMAIN_NAME || k == kind::BASE_PATH_MAPPING || k == kind::ROUTING_RULE
}
