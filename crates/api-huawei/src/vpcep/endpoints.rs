//! VPC Endpoint's endpoints, the consumer's side of a connection: CreateEndpoint,
//! ListEndpoints, ListEndpointInfoDetails, DeleteEndpoint.
//!
//! An endpoint is a `vpcep.endpoint` document in the consumer's tenant; its connection lives
//! in the gateway owner's tenant (`vpc_endpoint::connections`), found through the gateway the
//! endpoint names. A transaction spans one tenant, so the two halves are written one after
//! the other: the owner's first (the whitelist check and the connection are one step there),
//! then the consumer's; if the second fails, the first is undone.
//!
//! An endpoint's `status` is its connection's, read on every view, so an accept or reject at
//! the gateway shows here at once. Decision: when the gateway (and with it the connection) is
//! gone, the endpoint stays and reports `failed`, as VPCEP reports an endpoint whose service
//! is unusable; the consumer deletes it as any other.

use portico_core::{ApiError, Tenant};
use portico_mgmt::{Call, Reply};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::body::Body;
use crate::instances::{self, ServiceIndex};
use crate::vpc_endpoint::connections::{self, Connection, Consumer};
use crate::{docs, errors, ids, paging, Ctx, Handler};

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateEndpoint" => create,
        "ListEndpoints" => list,
        "ListEndpointInfoDetails" => show,
        "DeleteEndpoint" => delete,
        _ => return None,
    })
}

/// The gateway an endpoint connects to.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Gateway {
    pub account: String,
    pub project: String,
    pub instance_id: String,
}

impl Gateway {
    fn tenant(&self) -> Tenant {
        Tenant::huawei(&self.account, &self.project)
    }
}

/// An endpoint as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Endpoint {
    pub id: String,
    pub marker_id: i64,
    pub endpoint_service_id: String,
    pub endpoint_service_name: String,
    pub vpc_id: String,
    pub subnet_id: String,
    pub project_id: String,
    /// Epoch milliseconds; shown as UTC `YYYY-MM-DDTHH:MM:SSZ`.
    pub created_at: i64,
    pub description: String,
    pub enable_dns: bool,
    pub tags: Vec<Value>,
    pub whitelist: Vec<String>,
    pub enable_whitelist: bool,
    pub port_ip: Option<String>,
    pub gateway: Gateway,
}

impl Endpoint {
    /// VPCEP's endpoint (CreateEndpointResponse / EndpointResponseBody): what was asked for,
    /// and the connection's status. Decisions: `service_type` is `interface` (an APIG
    /// endpoint service is one); `ip` is the caller's `port_ip` when given, else absent (no
    /// address is allocated); `dns_names` and `routetables` are empty.
    pub fn view(&self, connection: Option<&Connection>) -> Value {
        let (status, updated_at) = match connection {
            Some(c) => (c.status.name(), c.updated_at),
            None => ("failed", self.created_at),
        };
        let mut v = json!({
            "id": self.id,
            "service_type": "interface",
            "status": status,
            "active_status": ["active"],
            "endpoint_service_name": self.endpoint_service_name,
            "marker_id": self.marker_id,
            "endpoint_service_id": self.endpoint_service_id,
            "enable_dns": self.enable_dns,
            "dns_names": [],
            "vpc_id": self.vpc_id,
            "subnet_id": self.subnet_id,
            "created_at": ids::utc_seconds(self.created_at),
            "updated_at": ids::utc_seconds(updated_at),
            "project_id": self.project_id,
            "tags": self.tags,
            "whitelist": self.whitelist,
            "enable_whitelist": self.enable_whitelist,
            "routetables": [],
            "specification_name": "default",
            "enable_status": "enable",
            "description": self.description,
        });
        if let (Some(ip), Some(m)) = (&self.port_ip, v.as_object_mut()) {
            m.insert("ip".into(), json!(ip));
        }
        v
    }
}

/// The gateway's connection for `endpoint`, if the gateway still has it.
fn connection_of(cx: &Ctx, endpoint: &Endpoint) -> Result<Option<Connection>, ApiError> {
    let g = &endpoint.gateway;
    let c = portico_store::read(&*cx.store, &g.tenant(), |txn| {
        connections::get(txn, &g.instance_id, &endpoint.id)
    })?;
    Ok(c.filter(|c| c.consumer.project == endpoint.project_id))
}

/// The endpoint service `service_id`, in whichever tenant owns it.
fn find_service(cx: &Ctx, service_id: &str) -> Result<Option<(Tenant, ServiceIndex)>, ApiError> {
    for (tenant, _, doc) in cx.store.scan(docs::ENDPOINT_SERVICE)? {
        if doc.id == service_id {
            return Ok(Some((
                tenant,
                docs::decode(docs::ENDPOINT_SERVICE, doc.body)?,
            )));
        }
    }
    Ok(None)
}

fn project_of(tenant: &Tenant) -> String {
    match tenant {
        Tenant::Huawei { project, .. } => project.clone(),
        Tenant::Aws { region, .. } => region.clone(),
    }
}

/// A required id member: absent or empty is `empty()`, over 64 characters `invalid()`, any
/// other type EndPoint.0002.
fn required_id(
    body: &Body,
    key: &str,
    empty: fn() -> ApiError,
    invalid: fn() -> ApiError,
) -> Result<String, ApiError> {
    match body.str(key)? {
        None | Some("") => Err(empty()),
        Some(v) if v.chars().count() > 64 => Err(invalid()),
        Some(v) => Ok(v.to_string()),
    }
}

/// CreateEndpoint (`POST /v1/{project_id}/vpc-endpoints`) → 200 and the endpoint, already
/// `pendingAcceptance` at the gateway.
fn create(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = Body::parse(call, |_| errors::vpcep_parameter())?;
    let service_id = required_id(
        &body,
        "endpoint_service_id",
        errors::vpcep_service_id_empty,
        errors::vpcep_service_not_found,
    )?;
    let vpc_id = required_id(
        &body,
        "vpc_id",
        errors::vpcep_vpc_id_empty,
        errors::vpcep_vpc_id,
    )?;
    // An APIG endpoint service is an interface service: a subnet is required for it.
    let subnet_id = required_id(
        &body,
        "subnet_id",
        errors::vpcep_subnet_id_empty,
        errors::vpcep_subnet_id,
    )?;
    let description = body.str("description")?.unwrap_or_default();
    if description.chars().count() > 128 || description.contains(['<', '>']) {
        return Err(body.bad("description"));
    }
    let tags = body.array("tags")?.cloned().unwrap_or_default();
    if tags.len() > 20 || !tags.iter().all(Value::is_object) {
        return Err(body.bad("tags"));
    }
    let whitelist = body.str_list("whitelist")?.unwrap_or_default();
    let enable_whitelist = body.bool("enable_whitelist")?.unwrap_or(false);
    let enable_dns = body.bool("enable_dns")?.unwrap_or(false);
    let port_ip = body.str("port_ip")?.map(str::to_string);

    let (owner, service) =
        find_service(cx, &service_id)?.ok_or_else(errors::vpcep_service_not_found)?;
    let domain = Tenant::huawei_domain(call.tenant.account());
    let owner_domain = Tenant::huawei_domain(owner.account());
    let endpoint_id = ids::uuid();
    let now = ids::now_ms();
    let consumer = Consumer {
        account: call.tenant.account().to_string(),
        project: project_of(&call.tenant),
    };
    let connection = portico_store::write(&*cx.store, &owner, |txn| {
        // The gateway may have gone since the scan.
        let instance = instances::require(txn, &service.instance_id)
            .map_err(|_| errors::vpcep_service_not_found())?;
        connections::open(
            txn,
            &instance,
            &owner_domain,
            &domain,
            consumer.clone(),
            &endpoint_id,
            now,
        )
    })?;
    let endpoint = Endpoint {
        id: endpoint_id.clone(),
        marker_id: connection.marker_id,
        endpoint_service_id: service_id,
        endpoint_service_name: service.service_name,
        vpc_id,
        subnet_id,
        project_id: consumer.project.clone(),
        created_at: now,
        description: description.to_string(),
        enable_dns,
        tags,
        whitelist,
        enable_whitelist,
        port_ip,
        gateway: Gateway {
            account: owner.account().to_string(),
            project: project_of(&owner),
            instance_id: service.instance_id.clone(),
        },
    };
    let saved = portico_store::write(&*cx.store, &call.tenant, |txn| {
        docs::put(txn, docs::ENDPOINT, "", &endpoint.id, &endpoint)
    });
    if let Err(e) = saved {
        // Undo the owner's half, so no connection is left without its endpoint.
        let undone = portico_store::write(&*cx.store, &owner, |txn| {
            connections::close(txn, &service.instance_id, &endpoint_id)
        });
        if let Err(u) = undone {
            tracing::error!(endpoint = %endpoint_id, error = %u, "could not undo a connection");
        }
        return Err(e);
    }
    Ok(Reply::Json(endpoint.view(Some(&connection))))
}

/// ListEndpoints: filters `id` and `vpc_id` (exact) and `endpoint_service_name` (substring,
/// either case: VPCEP's "supports upper and lower case, fuzzy match"); `sort_key`
/// `create_at` (default) or `update_at` (or `created_at` / `updated_at`), `sort_dir` `desc` (default) or `asc`; VPCEP's paging
/// (`paging::vpcep`). Answers `{"endpoints": [...], "total_count": n}`.
fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let window = paging::vpcep(call)?;
    let by_update = match call.query("sort_key").filter(|s| !s.is_empty()) {
        // The SDK's docstring spells them create_at / update_at, the API reference
        // created_at / updated_at: both are accepted.
        None | Some("create_at" | "created_at") => false,
        Some("update_at" | "updated_at") => true,
        Some(_) => return Err(errors::vpcep_sort_key()),
    };
    let ascending = match call.query("sort_dir").filter(|s| !s.is_empty()) {
        None | Some("desc") => false,
        Some("asc") => true,
        Some(_) => return Err(errors::vpcep_sort_dir()),
    };
    let id = call.query("id").filter(|s| !s.is_empty());
    let vpc_id = call.query("vpc_id").filter(|s| !s.is_empty());
    let name = call
        .query("endpoint_service_name")
        .filter(|s| !s.is_empty())
        .map(str::to_lowercase);
    let all: Vec<Endpoint> = portico_store::read(&*cx.store, &call.tenant, |txn| {
        docs::all(txn, docs::ENDPOINT, "")
    })?;
    let mut matching = Vec::new();
    for e in all {
        if id.is_some_and(|id| e.id != id)
            || vpc_id.is_some_and(|v| e.vpc_id != v)
            || name
                .as_ref()
                .is_some_and(|n| !e.endpoint_service_name.to_lowercase().contains(n))
        {
            continue;
        }
        let c = connection_of(cx, &e)?;
        let key = if by_update {
            c.as_ref().map_or(e.created_at, |c| c.updated_at)
        } else {
            e.created_at
        };
        matching.push((key, e.view(c.as_ref())));
    }
    // A stable sort: equal times keep creation order.
    if ascending {
        matching.sort_by_key(|(k, _)| *k);
    } else {
        matching.reverse();
        matching.sort_by_key(|(k, _)| std::cmp::Reverse(*k));
    }
    let total = matching.len();
    let page: Vec<Value> = window.apply(matching).into_iter().map(|(_, v)| v).collect();
    Ok(Reply::Json(
        json!({ "endpoints": page, "total_count": total }),
    ))
}

fn require(cx: &Ctx, call: &Call) -> Result<Endpoint, ApiError> {
    let id = call.label("vpc_endpoint_id");
    portico_store::read(&*cx.store, &call.tenant, |txn| {
        docs::get(txn, docs::ENDPOINT, "", id)
    })?
    .ok_or_else(errors::vpcep_endpoint_not_found)
}

/// ListEndpointInfoDetails.
fn show(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let e = require(cx, call)?;
    let c = connection_of(cx, &e)?;
    Ok(Reply::Json(e.view(c.as_ref())))
}

/// DeleteEndpoint → 204: the gateway's connection goes first, then the endpoint (so a
/// failure in between leaves an endpoint reporting `failed`, which a retry deletes).
fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let e = require(cx, call)?;
    let g = &e.gateway;
    portico_store::write(&*cx.store, &g.tenant(), |txn| {
        connections::close(txn, &g.instance_id, &e.id)
    })?;
    portico_store::write(&*cx.store, &call.tenant, |txn| {
        txn.delete(docs::ENDPOINT, "", &e.id)?;
        Ok::<_, ApiError>(())
    })?;
    Ok(Reply::Empty)
}
