//! The `apigatewayv2` management API (2018-11-29): HTTP and WebSocket APIs, a room of its own.
//!
//! Every operation of AWS's model is routed (`routes`); the built ones are APIs with quick
//! create (`apis`), routes (`api_routes`), authorizers (`authorizers`), integrations (`integrations`), WebSocket route and
//! integration responses (`responses`), models (`models`), stages and deployments (`stages`), tags (`tags`),
//! VPC links (`vpc_links`), and custom domain names (`domain_names`) with their API mappings
//! (`api_mappings`), which are `apigateway`'s domain names and base path mappings, and their
//! routing rules (`routing_rules`); developer portals and portal products (`portals`) with
//! their pages (`product_pages`); OpenAPI import and export (`openapi`). Every operation of
//! the model is built. State lives in the store (`kind::V2_*`), each document the JSON of its
//! `portico_model::v2` struct; errors leave as AWS rest-json (`x-amzn-ErrorType` +
//! `{"message"}`).
//!
//! Architecture invariant: imports the store, the domain (`portico-model`) and the shared
//! management machinery (`portico-mgmt`, and `portico-openapi` for OpenAPI documents and model
//! templates); never the data plane, never another room.

mod api_mappings;
mod api_routes;
mod apis;
mod authorizers;
mod domain_names;
mod integrations;
mod models;
mod openapi;
mod portals;
mod product_pages;
mod responses;
pub mod routes;
mod routing_rules;
mod stages;
mod tags;
mod vpc_links;

use std::sync::Arc;

use portico_core::ApiError;
use portico_mgmt::{Handled, RouteTable};
use portico_store::Store;

pub use portico_mgmt::{Call, Reply};

/// What the data plane does for this API's management calls. The binary implements it over
/// the data plane, so this crate never depends on it.
pub trait DataPlane: Send + Sync {
    /// ResetAuthorizersCache: forget the Lambda authorizer answers cached for `stage`.
    fn reset_authorizers_cache(&self, tenant: &portico_core::Tenant, api_id: &str, stage: &str);
}

/// Everything a handler may reach.
pub struct Ctx {
    pub store: Arc<dyn Store>,
    pub routes: RouteTable,
    /// The data plane; `None` (tests of the room alone) does nothing for it.
    pub data: Option<Arc<dyn DataPlane>>,
}

impl Ctx {
    pub fn new(store: Arc<dyn Store>) -> Ctx {
        Ctx {
            store,
            routes: routes::table(),
            data: None,
        }
    }

    /// The room, with the data plane its calls reach.
    pub fn with_data_plane(mut self, data: Arc<dyn DataPlane>) -> Ctx {
        self.data = Some(data);
        self
    }
}

pub type Handler = fn(&Ctx, &Call) -> Result<Reply, ApiError>;

fn handler(operation: &str) -> Option<Handler> {
    apis::handler(operation)
        .or_else(|| api_routes::handler(operation))
        .or_else(|| authorizers::handler(operation))
        .or_else(|| integrations::handler(operation))
        .or_else(|| responses::handler(operation))
        .or_else(|| models::handler(operation))
        .or_else(|| stages::handler(operation))
        .or_else(|| tags::handler(operation))
        .or_else(|| vpc_links::handler(operation))
        .or_else(|| domain_names::handler(operation))
        .or_else(|| api_mappings::handler(operation))
        .or_else(|| openapi::handler(operation))
        .or_else(|| routing_rules::handler(operation))
        .or_else(|| portals::handler(operation))
        .or_else(|| product_pages::handler(operation))
}

/// Is this operation implemented (for the README table and `portico routes`)?
pub fn is_supported(operation: &str) -> bool {
    handler(operation).is_some()
}

/// Run a routed call through `portico_store::offload`.
pub async fn handle(cx: &Arc<Ctx>, status: u16, call: Call) -> Result<Handled, ApiError> {
    let Some(h) = handler(call.operation) else {
        return Err(ApiError::not_implemented(call.operation));
    };
    let cx = cx.clone();
    let store = cx.store.clone();
    let reply = portico_store::offload(&*store, move || h(&cx, &call)).await?;
    Ok(Handled { status, reply })
}

/// What the handlers share: time, ids, the API a path names, member reads, paging.
pub(crate) mod common {
    use portico_core::{ApiError, Tenant};
    use portico_model::v2::Api;
    use portico_model::Entity;
    use portico_store::{kind, Txn};
    use serde::de::DeserializeOwned;
    use serde_json::{json, Map, Value};

    use crate::Call;

    /// ISO-8601, as the v2 wire carries timestamps: `2026-12-07T18:00:00Z`.
    pub fn now() -> String {
        time::OffsetDateTime::now_utc()
            .format(time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
            ))
            .unwrap_or_default()
    }

    pub fn id(len: usize) -> String {
        portico_core::ids::new_id(len)
    }

    /// The API `{apiId}` names, or AWS's NotFoundException.
    pub fn api(tx: &mut dyn Txn, tenant: &Tenant, api_id: &str) -> Result<Api, ApiError> {
        match tx.get(kind::V2_API, "", api_id)? {
            Some(doc) => Ok(Api::from_value(&doc)?),
            None => Err(api_not_found(tenant, api_id)),
        }
    }

    pub fn api_not_found(tenant: &Tenant, api_id: &str) -> ApiError {
        ApiError::not_found(format!(
            "Invalid API identifier specified {}:{api_id}",
            tenant.account()
        ))
        .with_resource_type("Api")
    }

    /// AWS's text names no identifier here (as moto records it too).
    pub fn stage_not_found() -> ApiError {
        ApiError::not_found("Invalid stage identifier specified").with_resource_type("Stage")
    }

    /// `Invalid {what} identifier specified {account}:{apiId}:{id}`.
    pub fn child_not_found(
        tenant: &Tenant,
        what: &'static str,
        api_id: &str,
        id: &str,
    ) -> ApiError {
        ApiError::not_found(format!(
            "Invalid {what} identifier specified {}:{api_id}:{id}",
            tenant.account()
        ))
        .with_resource_type(what)
    }

    /// A typed body member (`None` when absent or null), AWS's 400 on the wrong type.
    pub fn member<T: DeserializeOwned>(
        body: &Map<String, Value>,
        key: &str,
    ) -> Result<Option<T>, ApiError> {
        match body.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => serde_json::from_value(v.clone()).map(Some).map_err(|_| {
                ApiError::bad_request(format!("Invalid request body: bad value for '{key}'"))
            }),
        }
    }

    /// A member that must be present.
    pub fn required<T: DeserializeOwned>(
        body: &Map<String, Value>,
        key: &str,
    ) -> Result<T, ApiError> {
        member(body, key)?.ok_or_else(|| {
            ApiError::bad_request(format!(
                "Invalid input: the request body must contain the member '{key}'"
            ))
        })
    }

    /// One of `allowed`, or AWS's enum error.
    pub fn one_of(key: &str, value: &str, allowed: &[&str]) -> Result<(), ApiError> {
        if allowed.contains(&value) {
            Ok(())
        } else {
            Err(ApiError::bad_request(format!(
                "Invalid {key} specified: {value}. Valid values are [{}]",
                allowed.join(", ")
            )))
        }
    }

    /// Overlay the members of `body` named in `allowed` on a stored document and read it back
    /// into its struct (a member of the wrong type is a 400).
    pub fn overlay<T: Entity>(
        doc: &T,
        body: &Map<String, Value>,
        allowed: &[&str],
    ) -> Result<T, ApiError> {
        let mut m = doc.to_map();
        for key in allowed {
            if let Some(v) = body.get(*key) {
                if v.is_null() {
                    m.remove(*key);
                } else {
                    m.insert((*key).to_string(), v.clone());
                }
            }
        }
        T::deserialize(Value::Object(m))
            .map_err(|e| ApiError::bad_request(format!("Invalid request body: {e}")))
    }

    /// Portico's own members (`_…`) never leave.
    pub fn public(mut v: Value) -> Value {
        if let Value::Object(m) = &mut v {
            m.retain(|k, _| !k.starts_with('_'));
        }
        v
    }

    /// `MaxResults` (a string in the model; a positive integer) and `NextToken` (the sequence
    /// number after which the page starts). Without `MaxResults` the whole list is one page.
    pub fn page(
        tx: &mut dyn Txn,
        call: &Call,
        kind: &str,
        scope: &str,
        mut view: impl FnMut(&Value) -> Option<Value>,
    ) -> Result<Value, ApiError> {
        let limit = match call.query("maxResults") {
            None | Some("") => usize::MAX,
            Some(text) => match text.parse::<i64>() {
                Ok(n) if n >= 1 => n as usize,
                _ => {
                    return Err(ApiError::bad_request(format!(
                        "Invalid maxResults specified: {text}. It must be a positive integer"
                    )))
                }
            },
        };
        let mut after = match call.query("nextToken") {
            None | Some("") => 0,
            Some(token) => decode_token(token)
                .ok_or_else(|| ApiError::bad_request("Invalid pagination token specified"))?,
        };
        let mut items = Vec::new();
        let mut last = 0;
        let mut more = false;
        'fill: loop {
            let batch = tx.list_shared(kind, scope, after, 256)?;
            if batch.is_empty() {
                break;
            }
            for doc in &batch {
                after = doc.seq;
                if let Some(v) = view(&doc.body) {
                    if items.len() == limit {
                        more = true;
                        break 'fill;
                    }
                    items.push(public(v));
                    last = doc.seq;
                }
            }
        }
        let mut out = json!({ "items": items });
        if more {
            out["nextToken"] = Value::String(encode_token(last));
        }
        Ok(out)
    }

    fn encode_token(seq: i64) -> String {
        format!("v2.{seq:x}")
    }

    fn decode_token(token: &str) -> Option<i64> {
        i64::from_str_radix(token.strip_prefix("v2.")?, 16).ok()
    }

    /// The store's transactions with the handlers' error type.
    pub fn read<R>(
        cx: &crate::Ctx,
        call: &Call,
        f: impl FnOnce(&mut dyn Txn) -> Result<R, ApiError>,
    ) -> Result<R, ApiError> {
        portico_store::read(&*cx.store, &call.tenant, f)
    }

    pub fn write<R>(
        cx: &crate::Ctx,
        call: &Call,
        f: impl FnOnce(&mut dyn Txn) -> Result<R, ApiError>,
    ) -> Result<R, ApiError> {
        portico_store::write(&*cx.store, &call.tenant, f)
    }

    /// Every document of a kind in a scope, in insertion order.
    pub fn all(tx: &mut dyn Txn, kind: &str, scope: &str) -> Result<Vec<Value>, ApiError> {
        Ok(tx
            .list(kind, scope, 0, 1_000_000)?
            .into_iter()
            .map(|d| d.body)
            .collect())
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn tokens_round_trip() {
            for seq in [1, 42, 1 << 40] {
                assert_eq!(decode_token(&encode_token(seq)), Some(seq));
            }
            assert_eq!(decode_token("garbage"), None);
        }
    }
}
