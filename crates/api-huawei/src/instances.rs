//! Dedicated gateways (APIG's "instances"): CreateInstanceV2, ShowDetailsOfInstanceV2,
//! ListInstancesV2, DeleteInstancesV2.
//!
//! A gateway is one `huawei.instance` document in its owner's tenant. Creating one also
//! creates what Huawei provisions with it and what this room serves: its VPC endpoint service
//! (`{region}.{vpcep_service_name or "apig"}.{service_id}`, indexed across tenants by service
//! id, see `docs`) and the service's whitelist with the owner's own domain in it.
//!
//! Huawei provisions a gateway in the background (202 and a job id) and reports `Creating`
//! until it is `Running`. Portico has nothing to provision, so the status is computed on read
//! from the creation time: `Creating` for [`CREATING_MS`], then `Running`. No task runs and
//! nothing waits; a gateway never goes back.

use portico_core::{ApiError, Tenant};
use portico_mgmt::{Call, Reply};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::body::Body;
use crate::vpc_endpoint::{connections, permissions};
use crate::{docs, errors, ids, paging, Ctx, Handler};

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateInstanceV2" => create,
        "ShowDetailsOfInstanceV2" => show,
        "ListInstancesV2" => list,
        "DeleteInstancesV2" => delete,
        _ => return None,
    })
}

/// How long a new gateway reports `Creating`. Decision: one second, so a client that polls
/// for `Running` (as Huawei's users must) sees the transition, without waiting on Portico.
pub const CREATING_MS: i64 = 1000;

/// `spec_id`'s enumeration (huaweicloudsdkapig 3.1.219's InstanceCreateReq docstring; the
/// English reference lists the first four, "Platinum 2-8 are available only in certain
/// regions").
pub const SPECS: &[&str] = &[
    "BASIC",
    "PROFESSIONAL",
    "ENTERPRISE",
    "PLATINUM",
    "BASIC_IPV6",
    "PROFESSIONAL_IPV6",
    "ENTERPRISE_IPV6",
    "PLATINUM_IPV6",
    "PLATINUM_X2",
    "PLATINUM_X3",
    "PLATINUM_X4",
    "PLATINUM_X5",
    "PLATINUM_X6",
    "PLATINUM_X7",
    "PLATINUM_X8",
];

/// A gateway as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Instance {
    pub id: String,
    pub project_id: String,
    pub instance_name: String,
    pub spec: String,
    pub description: Option<String>,
    pub vpc_id: String,
    pub subnet_id: String,
    pub security_group_id: String,
    pub available_zone_ids: Vec<String>,
    pub maintain_begin: String,
    pub maintain_end: String,
    pub enterprise_project_id: String,
    pub loadbalancer_provider: Option<String>,
    pub bandwidth_size: Option<i64>,
    pub bandwidth_charging_mode: Option<String>,
    pub ingress_bandwidth_charging_mode: Option<String>,
    /// Epoch milliseconds (Huawei's `create_time` is a Unix timestamp in ms).
    pub create_time: i64,
    pub endpoint_service: EndpointService,
}

/// The gateway's VPC endpoint service.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EndpointService {
    /// The VPCEP service id consumers name in CreateEndpoint.
    pub id: String,
    /// `{region}.{vpcep_service_name or "apig"}.{id}`.
    pub name: String,
}

/// The cross-tenant index entry of an endpoint service (kind `huawei.endpointservice`, id =
/// service id, in the owner's tenant).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServiceIndex {
    pub instance_id: String,
    pub service_name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Creating,
    Running,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::Creating => "Creating",
            Phase::Running => "Running",
        }
    }

    /// `instance_status`: Huawei's number for the status (1 Creating, 6 Running).
    pub fn number(self) -> i64 {
        match self {
            Phase::Creating => 1,
            Phase::Running => 6,
        }
    }
}

impl Instance {
    pub fn phase(&self, now_ms: i64) -> Phase {
        if now_ms.saturating_sub(self.create_time) < CREATING_MS {
            Phase::Creating
        } else {
            Phase::Running
        }
    }

    /// What ListInstancesV2 shows of a gateway (the SDK's RespInstanceBase).
    pub fn summary(&self, now_ms: i64) -> Value {
        let phase = self.phase(now_ms);
        json!({
            "id": self.id,
            "project_id": self.project_id,
            "instance_name": self.instance_name,
            "status": phase.name(),
            "instance_status": phase.number(),
            "type": "apig",
            "spec": self.spec,
            "create_time": self.create_time,
            "enterprise_project_id": self.enterprise_project_id,
            "eip_address": Value::Null,
            "charging_mode": 0,
            "loadbalancer_provider": self.loadbalancer_provider,
        })
    }

    /// What ShowDetailsOfInstanceV2 shows. Decisions: no address fields (`ingress_ip`,
    /// `node_ips`, ...: there is no network behind them); `available_zone_ids` is a string, as
    /// Huawei's example and the SDK's type have it (`"[az-1, az-2]"`); `endpoint_service`
    /// repeats `endpoint_services[0]` for clients that read the older member.
    pub fn details(&self, now_ms: i64) -> Value {
        let mut v = self.summary(now_ms);
        let service = json!({
            "service_name": self.endpoint_service.name,
            "created_at": ids::utc_seconds(self.create_time),
        });
        if let Some(m) = v.as_object_mut() {
            for (k, val) in [
                (
                    "description",
                    json!(self.description.clone().unwrap_or_default()),
                ),
                ("vpc_id", json!(self.vpc_id)),
                ("subnet_id", json!(self.subnet_id)),
                ("security_group_id", json!(self.security_group_id)),
                ("maintain_begin", json!(self.maintain_begin)),
                ("maintain_end", json!(self.maintain_end)),
                (
                    "available_zone_ids",
                    json!(format!("[{}]", self.available_zone_ids.join(", "))),
                ),
                ("bandwidth_size", json!(self.bandwidth_size)),
                (
                    "bandwidth_charging_mode",
                    json!(self.bandwidth_charging_mode),
                ),
                (
                    "ingress_bandwidth_charging_mode",
                    json!(self.ingress_bandwidth_charging_mode),
                ),
                ("supported_features", json!([])),
                ("endpoint_service", service.clone()),
                ("endpoint_services", json!([service])),
            ] {
                m.insert(k.to_string(), val);
            }
        }
        v
    }
}

/// The gateway `id` of the caller's tenant, or 404 APIC.7302.
pub fn require(txn: &mut dyn portico_store::Txn, id: &str) -> Result<Instance, ApiError> {
    docs::get(txn, docs::INSTANCE, "", id)?.ok_or_else(errors::instance_not_found)
}

// --- validation --------------------------------------------------------------------------------

/// `instance_name`: 3–64 characters, starting with a letter; letters, digits, `-` and `_`.
/// Letters include non-ASCII ones (the SDK's docstring: Chinese or English characters).
pub fn valid_instance_name(name: &str) -> bool {
    let n = name.chars().count();
    let mut chars = name.chars();
    (3..=64).contains(&n)
        && chars.next().is_some_and(char::is_alphabetic)
        && chars.all(|c| c.is_alphabetic() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// `vpcep_service_name`: 0–16 of letters, digits, `-` and `_` (so a dot can never break
/// `{region}.{name}.{service_id}`).
pub fn valid_vpcep_service_name(name: &str) -> bool {
    name.len() <= 16
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
}

/// The maintenance window: `xx:00:00` with xx one of 02, 06, 10, 14, 18, 22 (APIC.7235), the
/// end 4 hours after the start (APIC.7230). Decision: a missing end follows from the start
/// and a missing start from the end; neither gives Huawei's example window 22:00:00–02:00:00.
pub fn maintenance_window(
    begin: Option<&str>,
    end: Option<&str>,
) -> Result<(String, String), ApiError> {
    fn hour(t: &str) -> Result<u32, ApiError> {
        let h = t
            .strip_suffix(":00:00")
            .filter(|h| h.len() == 2)
            .and_then(|h| h.parse::<u32>().ok())
            .ok_or_else(errors::maintenance_window_start)?;
        if [2, 6, 10, 14, 18, 22].contains(&h) {
            Ok(h)
        } else {
            Err(errors::maintenance_window_start())
        }
    }
    let fmt = |h: u32| format!("{h:02}:00:00");
    match (begin.map(hour).transpose()?, end.map(hour).transpose()?) {
        (None, None) => Ok(("22:00:00".into(), "02:00:00".into())),
        (Some(b), None) => Ok((fmt(b), fmt((b + 4) % 24))),
        (None, Some(e)) => Ok((fmt((e + 20) % 24), fmt(e))),
        (Some(b), Some(e)) if (b + 4) % 24 == e => Ok((fmt(b), fmt(e))),
        _ => Err(errors::maintenance_window_length()),
    }
}

/// An opaque network id (VPC, subnet, security group, AZ): present, at most 64 characters.
fn network_id(body: &Body, key: &str) -> Result<String, ApiError> {
    let v = body.required_str(key)?;
    if v.chars().count() > 64 {
        return Err(body.bad(key));
    }
    Ok(v.to_string())
}

fn one_of(body: &Body, key: &str, allowed: &[&str]) -> Result<Option<String>, ApiError> {
    match body.str(key)? {
        None => Ok(None),
        Some(v) if allowed.contains(&v) => Ok(Some(v.to_string())),
        Some(_) => Err(body.bad(key)),
    }
}

/// InstanceCreateReq, checked as the API reference and the SDK model describe it.
fn parse_create(
    body: &Body,
    tenant_project: &str,
    now: i64,
    region: &str,
) -> Result<(Instance, Option<String>), ApiError> {
    let name = body.required_str("instance_name")?;
    if !valid_instance_name(name) {
        return Err(body.bad("instance_name"));
    }
    let spec = body.required_str("spec_id")?;
    if !SPECS.contains(&spec) {
        return Err(body.bad("spec_id"));
    }
    let vpc_id = network_id(body, "vpc_id")?;
    let subnet_id = network_id(body, "subnet_id")?;
    let security_group_id = network_id(body, "security_group_id")?;
    let azs = body.str_list("available_zone_ids")?.unwrap_or_default();
    if azs.is_empty() {
        return Err(errors::az_required());
    }
    if azs.len() > 32 || azs.iter().any(|a| a.is_empty() || a.chars().count() > 64) {
        return Err(body.bad("available_zone_ids"));
    }
    let description = body.str("description")?;
    if description.is_some_and(|d| d.chars().count() > 255 || d.contains(['<', '>'])) {
        return Err(body.bad("description"));
    }
    let (maintain_begin, maintain_end) =
        maintenance_window(body.str("maintain_begin")?, body.str("maintain_end")?)?;
    // Decision: a caller-chosen gateway id is 1–64 lowercase letters, digits and hyphens
    // (Huawei generates 32 hex characters and documents no rule for chosen ones).
    let chosen_id = match body.str("instance_id")? {
        None | Some("") => None,
        Some(id)
            if id.len() <= 64
                && id
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-') =>
        {
            Some(id.to_string())
        }
        Some(_) => return Err(body.bad("instance_id")),
    };
    let enterprise_project_id = match body.str("enterprise_project_id")? {
        None | Some("") => "0".to_string(),
        Some(e) if e.len() <= 64 => e.to_string(),
        Some(_) => return Err(body.bad("enterprise_project_id")),
    };
    let vpcep_name = match body.str("vpcep_service_name")? {
        None | Some("") => "apig",
        Some(n) if valid_vpcep_service_name(n) => n,
        Some(_) => return Err(body.bad("vpcep_service_name")),
    };
    // Members Portico only checks for shape (and echoes where ShowDetails has them).
    let bandwidth_size = bandwidth(body, "bandwidth_size")?;
    bandwidth(body, "ingress_bandwidth_size")?;
    let bandwidth_charging_mode =
        one_of(body, "bandwidth_charging_mode", &["bandwidth", "traffic"])?;
    let ingress_bandwidth_charging_mode = one_of(
        body,
        "ingress_bandwidth_charging_mode",
        &["bandwidth", "traffic"],
    )?;
    let loadbalancer_provider = one_of(body, "loadbalancer_provider", &["lvs", "elb"])?;
    body.str("eip_id")?;
    body.bool("ipv6_enable")?;
    if let Some(tags) = body.array("tags")? {
        if tags.len() > 20 {
            return Err(errors::too_many_tags());
        }
        if !tags.iter().all(Value::is_object) {
            return Err(body.bad("tags"));
        }
    }

    let service_id = ids::uuid();
    let instance = Instance {
        id: chosen_id.clone().unwrap_or_else(ids::instance_id),
        project_id: tenant_project.to_string(),
        instance_name: name.to_string(),
        spec: spec.to_string(),
        description: description.map(str::to_string),
        vpc_id,
        subnet_id,
        security_group_id,
        available_zone_ids: azs,
        maintain_begin,
        maintain_end,
        enterprise_project_id,
        loadbalancer_provider,
        bandwidth_size,
        bandwidth_charging_mode,
        ingress_bandwidth_charging_mode,
        create_time: now,
        endpoint_service: EndpointService {
            name: format!("{region}.{vpcep_name}.{service_id}"),
            id: service_id,
        },
    };
    Ok((instance, chosen_id))
}

/// A bandwidth in Mbit/s. Decision: 0 (no public access) to 2000, Huawei's console range.
fn bandwidth(body: &Body, key: &str) -> Result<Option<i64>, ApiError> {
    match body.i64(key)? {
        Some(b) if !(0..=2000).contains(&b) => Err(body.bad(key)),
        b => Ok(b),
    }
}

fn project_of(tenant: &Tenant) -> &str {
    match tenant {
        Tenant::Huawei { project, .. } => project,
        Tenant::Aws { region, .. } => region,
    }
}

// --- handlers ----------------------------------------------------------------------------------

/// CreateInstanceV2 → 202 `{instance_id, message, job_id}`.
fn create(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = Body::parse(call, errors::rules_for)?;
    let now = ids::now_ms();
    let (instance, chosen_id) = parse_create(&body, project_of(&call.tenant), now, &cx.region)?;
    let owner_domain = Tenant::huawei_domain(call.tenant.account());
    portico_store::write(&*cx.store, &call.tenant, |txn| {
        if chosen_id.is_some() && txn.exists(docs::INSTANCE, "", &instance.id)? {
            return Err(errors::id_exists());
        }
        // Huawei refuses a second gateway of the same name (APIC.7500); within the tenant.
        let existing: Vec<Instance> = docs::all(txn, docs::INSTANCE, "")?;
        if existing
            .iter()
            .any(|i| i.instance_name == instance.instance_name)
        {
            return Err(errors::name_exists());
        }
        docs::put(txn, docs::INSTANCE, "", &instance.id, &instance)?;
        docs::put(
            txn,
            docs::ENDPOINT_SERVICE,
            "",
            &instance.endpoint_service.id,
            &ServiceIndex {
                instance_id: instance.id.clone(),
                service_name: instance.endpoint_service.name.clone(),
            },
        )?;
        permissions::seed(txn, &instance.id, &owner_domain, now)
    })?;
    // Decision: the message is a plain sentence, not Huawei's job-assignment text (which names
    // a provisioning job that does not exist here).
    Ok(Reply::Json(json!({
        "instance_id": instance.id,
        "message": "Create instance success",
        "job_id": ids::job_id(),
    })))
}

/// ShowDetailsOfInstanceV2.
fn show(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let id = call.label("instance_id");
    let instance = portico_store::read(&*cx.store, &call.tenant, |txn| require(txn, id))?;
    Ok(Reply::Json(instance.details(ids::now_ms())))
}

/// ListInstancesV2: filters `instance_id` (exact), `instance_name` (substring, as Huawei's
/// fuzzy match), `status` (exact, on the status as computed now); oldest first.
fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let window = paging::apig(call)?;
    let id = call.query("instance_id").filter(|s| !s.is_empty());
    let name = call.query("instance_name").filter(|s| !s.is_empty());
    let status = call.query("status").filter(|s| !s.is_empty());
    let all: Vec<Instance> = portico_store::read(&*cx.store, &call.tenant, |txn| {
        docs::all(txn, docs::INSTANCE, "")
    })?;
    let now = ids::now_ms();
    let matching: Vec<Value> = all
        .iter()
        .filter(|i| id.is_none_or(|id| i.id == id))
        .filter(|i| name.is_none_or(|n| i.instance_name.contains(n)))
        .filter(|i| status.is_none_or(|s| i.phase(now).name() == s))
        .map(|i| i.summary(now))
        .collect();
    let total = matching.len();
    let page = window.apply(matching);
    Ok(Reply::Json(json!({
        "size": page.len(),
        "total": total,
        "instances": page,
    })))
}

/// DeleteInstancesV2 → 204. Decision: deletion is immediate (Huawei passes through
/// `Deleting`); the gateway's whitelist and connections go with it. Consumers' endpoints stay
/// in their own tenants and report `failed` from then on (see `vpcep::endpoints`).
fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let id = call.label("instance_id");
    portico_store::write(&*cx.store, &call.tenant, |txn| {
        let instance = require(txn, id)?;
        txn.delete(docs::INSTANCE, "", id)?;
        txn.delete(docs::ENDPOINT_SERVICE, "", &instance.endpoint_service.id)?;
        permissions::delete_all(txn, id)?;
        connections::delete_all(txn, id)
    })?;
    Ok(Reply::Empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: &str, valid: bool) {
        assert_eq!(valid_instance_name(name), valid, "{name:?}");
    }

    #[test]
    fn instance_names() {
        check("gw_first", true);
        check("abc", true);
        check(&"g".repeat(64), true);
        check("网关-1", true);
        check("ab", false);
        check(&"g".repeat(65), false);
        check("9lives", false);
        check("_under", false);
        check("has space", false);
        check("dot.ted", false);
        check("", false);
    }

    #[test]
    fn vpcep_service_names() {
        assert!(valid_vpcep_service_name("orders-svc_1"));
        assert!(valid_vpcep_service_name(""));
        assert!(valid_vpcep_service_name(&"a".repeat(16)));
        assert!(!valid_vpcep_service_name(&"a".repeat(17)));
        assert!(!valid_vpcep_service_name("has.dot"));
    }

    #[test]
    fn maintenance_windows() {
        let ok = |b: Option<&str>, e: Option<&str>| maintenance_window(b, e).ok();
        let code =
            |b: Option<&str>, e: Option<&str>| maintenance_window(b, e).err().map(|e| e.code);
        assert_eq!(ok(None, None), Some(("22:00:00".into(), "02:00:00".into())));
        assert_eq!(
            ok(Some("02:00:00"), None),
            Some(("02:00:00".into(), "06:00:00".into()))
        );
        assert_eq!(
            ok(None, Some("02:00:00")),
            Some(("22:00:00".into(), "02:00:00".into()))
        );
        assert_eq!(
            ok(Some("18:00:00"), Some("22:00:00")).map(|w| w.1),
            Some("22:00:00".into())
        );
        assert_eq!(code(Some("03:00:00"), None), Some("APIC.7235"));
        assert_eq!(code(Some("2:00:00"), None), Some("APIC.7235"));
        assert_eq!(code(Some("02:30:00"), None), Some("APIC.7235"));
        assert_eq!(code(Some("02:00:00"), Some("10:00:00")), Some("APIC.7230"));
    }

    #[test]
    fn status_follows_the_clock() {
        let body = Body::of(
            json!({"instance_name": "gw_x", "spec_id": "BASIC", "vpc_id": "v", "subnet_id": "s",
                   "security_group_id": "g", "available_zone_ids": ["az1", "az2"]}),
            errors::rules_for,
        );
        let (i, chosen) = parse_create(&body, "p1", 10_000, "r1").unwrap();
        assert!(chosen.is_none());
        assert_eq!(i.phase(10_000), Phase::Creating);
        assert_eq!(i.phase(10_000 + CREATING_MS), Phase::Running);
        assert_eq!(i.phase(0), Phase::Creating);
        let d = i.details(20_000);
        assert_eq!(d["status"], "Running");
        assert_eq!(d["instance_status"], 6);
        assert_eq!(d["available_zone_ids"], "[az1, az2]");
        assert_eq!(
            d["endpoint_services"][0]["service_name"],
            format!("r1.apig.{}", i.endpoint_service.id)
        );
        assert_eq!(d["endpoint_service"], d["endpoint_services"][0]);
    }

    #[test]
    fn create_requests_are_checked() {
        let base = json!({"instance_name": "gw_x", "spec_id": "BASIC", "vpc_id": "v",
                          "subnet_id": "s", "security_group_id": "g", "available_zone_ids": ["a"]});
        let code = |patch: Value| {
            let mut v = base.clone();
            for (k, val) in patch.as_object().unwrap() {
                v[k] = val.clone();
            }
            let body = Body::of(v, errors::rules_for);
            parse_create(&body, "p", 0, "r")
                .err()
                .map(|e| (e.code, e.message))
        };
        assert_eq!(code(json!({})), None);
        assert_eq!(
            code(json!({"spec_id": "HUGE"})).map(|e| e.0),
            Some("APIC.7211")
        );
        assert_eq!(
            code(json!({"spec_id": null})).map(|e| e.1),
            Some("Parameter value does not match the rules, parameter name[specId]".into())
        );
        assert_eq!(
            code(json!({"available_zone_ids": []})).map(|e| e.0),
            Some("APIC.7238")
        );
        assert_eq!(
            code(json!({"available_zone_ids": "a"})).map(|e| e.0),
            Some("APIC.7211")
        );
        assert_eq!(code(json!({"vpc_id": 7})).map(|e| e.0), Some("APIC.7211"));
        assert_eq!(
            code(json!({"description": "<b>"})).map(|e| e.0),
            Some("APIC.7211")
        );
        assert_eq!(
            code(json!({"tags": vec![json!({}); 21]})).map(|e| e.0),
            Some("APIC.7402")
        );
        assert_eq!(
            code(json!({"bandwidth_size": 5000})).map(|e| e.0),
            Some("APIC.7211")
        );
        assert_eq!(
            code(json!({"instance_id": "UPPER"})).map(|e| e.0),
            Some("APIC.7211")
        );
    }
}
