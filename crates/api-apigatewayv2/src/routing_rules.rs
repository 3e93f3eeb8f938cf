//! Routing rules of custom domain names: CreateRoutingRule, GetRoutingRule, ListRoutingRules,
//! PutRoutingRule, DeleteRoutingRule.
//!
//! A rule is `portico_model::RoutingRule`, stored as kind `routingrule`, scope = the domain
//! name, id = the rule's id; the store announces `Change::DomainNames` on every write, and the
//! data plane's domain index compiles the rules of each domain (sorted by priority) with it.
//!
//! Validation is AWS's documented one ("Routing rules to connect API stages to a custom domain
//! name for REST APIs", its Restrictions, and the REST API quotas): priority 1–1,000,000 and
//! unique per domain; at most two `matchHeaders` conditions and one `matchBasePaths`
//! condition, each `anyOf` of exactly one entry; header names of RFC 7230 token characters,
//! under 40 characters, not one of the restricted headers; value globs of the same characters
//! (plus `*`) under 128 characters, the wildcard only as `*suffix`, `prefix*`, `*infix*`
//! (under 40 characters) or `*` alone; base paths under 128 characters of letters, digits and
//! `$-_.+!*'()/`; exactly one action, `invokeApi` to a stage of a REST API of the caller's
//! (HTTP and WebSocket APIs are not targets on AWS); 50 rules per domain. A domain whose
//! routing mode is `API_MAPPING_ONLY` takes no new rule (its rules can still be listed), and
//! a domain with API mappings to both REST and HTTP APIs takes none, as AWS documents.
//!
//! Decisions where AWS's texts are not on record: the texts below; an unknown rule is a 404
//! "Invalid RoutingRule identifier specified {account}:{domain}:{id}"; a second rule with a
//! priority in use is a 409; a `domainNameId` that is not the domain's is the domain's 404.

use portico_core::{ApiError, Tenant};
use portico_model::domain_name::{
    InvokeApi, MatchBasePaths, MatchHeaderValue, MatchHeaders, RoutingRuleAction,
    RoutingRuleCondition,
};
use portico_model::{BasePathMapping, DomainName, Entity, RoutingRule};
use portico_store::{kind, Txn};
use serde_json::{json, Map, Value};

use crate::common::{self, member, required};
use crate::domain_names::{name_label, not_found as domain_not_found, require};
use crate::{Call, Ctx, Handler, Reply};

pub fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateRoutingRule" => create,
        "GetRoutingRule" => get,
        "ListRoutingRules" => list,
        "PutRoutingRule" => put,
        "DeleteRoutingRule" => delete,
        _ => return None,
    })
}

/// AWS's quota "Routing rules per domain".
pub const MAX_RULES: usize = 50;
const MAX_PRIORITY: i64 = 1_000_000;

/// Header names AWS does not take as conditions (compared in lower case).
const RESTRICTED_HEADERS: [&str; 20] = [
    "authorization",
    "connection",
    "content-encoding",
    "content-length",
    "content-location",
    "forwarded",
    "keep-alive",
    "origin",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "x-apigw-api-id",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "x-restapi",
    "via",
];
const RESTRICTED_PREFIXES: [&str; 4] = ["access-control-", "apigw-", "x-amz-", "x-amzn-"];

fn not_found(tenant: &Tenant, domain: &str, id: &str) -> ApiError {
    ApiError::not_found(format!(
        "Invalid RoutingRule identifier specified {}:{domain}:{id}",
        tenant.account()
    ))
    .with_resource_type("RoutingRule")
}

/// The domain `{domainName}` names, checked against `domainNameId` when one is given.
fn domain(tx: &mut dyn Txn, call: &Call, name: &str) -> Result<DomainName, ApiError> {
    let d = require(tx, name)?;
    match call.query("domainNameId") {
        None | Some("") => Ok(d),
        Some(id) if d.domain_name_id.as_deref() == Some(id) => Ok(d),
        Some(_) => Err(domain_not_found()),
    }
}

pub fn arn(tenant: &Tenant, domain: &str, id: &str) -> String {
    format!(
        "arn:aws:apigateway:{}:{}:/domainnames/{domain}/routingrules/{id}",
        tenant.region(),
        tenant.account()
    )
}

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError::bad_request(msg.into())
}

/// RFC 7230 token characters, as AWS lists them for header names and value globs.
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "?-!#$%&'.^_`|~".contains(c)
}

pub fn check_header_name(name: &str) -> Result<(), ApiError> {
    if name.is_empty() || name.len() >= 40 {
        return Err(bad(format!(
            "Invalid header name '{name}': a header name must be 1 to 39 characters long"
        )));
    }
    if name.contains('*') {
        return Err(bad(format!(
            "Invalid header name '{name}': wildcard header names are not supported"
        )));
    }
    if !name.chars().all(is_token_char) {
        return Err(bad(format!(
            "Invalid header name '{name}': the only allowed characters are a-z, A-Z, 0-9 and *?-!#$%&'.^_`|~"
        )));
    }
    let lower = name.to_ascii_lowercase();
    if RESTRICTED_HEADERS.contains(&lower.as_str())
        || RESTRICTED_PREFIXES.iter().any(|p| lower.starts_with(p))
    {
        return Err(bad(format!(
            "Header '{name}' is not supported as a routing rule condition"
        )));
    }
    Ok(())
}

pub fn check_value_glob(glob: &str) -> Result<(), ApiError> {
    if glob.is_empty() || glob.len() >= 128 {
        return Err(bad(format!(
            "Invalid header value glob '{glob}': a header value glob must be 1 to 127 characters long"
        )));
    }
    if !glob.chars().all(|c| c == '*' || is_token_char(c)) {
        return Err(bad(format!(
            "Invalid header value glob '{glob}': the only allowed characters are a-z, A-Z, 0-9 and *?-!#$%&'.^_`|~"
        )));
    }
    let stars = glob.matches('*').count();
    let inner = glob.trim_matches('*');
    let ok = match stars {
        0 => true,
        1 => glob == "*" || glob.starts_with('*') || glob.ends_with('*'),
        2 => glob.starts_with('*') && glob.ends_with('*') && !inner.is_empty(),
        _ => false,
    };
    if !ok {
        return Err(bad(format!(
            "Invalid header value glob '{glob}': a wildcard must be *prefix-match, suffix-match* or *contains*"
        )));
    }
    if stars == 2 && glob.len() >= 40 {
        return Err(bad(format!(
            "Invalid header value glob '{glob}': the header value glob for an infix match must be less than 40 characters"
        )));
    }
    Ok(())
}

pub fn check_base_path(path: &str) -> Result<(), ApiError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "$-_.+!*'()/".contains(c);
    if path.is_empty() || path.len() >= 128 {
        return Err(bad(format!(
            "Invalid base path '{path}': a base path must be 1 to 127 characters long"
        )));
    }
    if !path.chars().all(allowed)
        || path.starts_with('/')
        || path.ends_with('/')
        || path.contains("//")
    {
        return Err(bad(format!(
            "Invalid base path '{path}': a base path contains only letters, numbers and the characters $-_.+!*'()/, and cannot start or end with a slash"
        )));
    }
    Ok(())
}

/// Read and check `conditions` (a list, possibly empty: a catch-all rule).
fn conditions(body: &Map<String, Value>) -> Result<Vec<RoutingRuleCondition>, ApiError> {
    let raw: Vec<Map<String, Value>> = required(body, "conditions")?;
    let (mut headers, mut paths) = (0, 0);
    let mut out = Vec::new();
    for c in &raw {
        let bp: Option<Map<String, Value>> = member(c, "matchBasePaths")?;
        let mh: Option<Map<String, Value>> = member(c, "matchHeaders")?;
        let cond = match (bp, mh) {
            (Some(bp), None) => {
                paths += 1;
                let any_of: Vec<String> = required(&bp, "anyOf")?;
                if any_of.len() != 1 {
                    return Err(bad(
                        "A matchBasePaths condition must contain exactly one base path in anyOf",
                    ));
                }
                check_base_path(&any_of[0])?;
                RoutingRuleCondition {
                    match_base_paths: Some(MatchBasePaths { any_of }),
                    match_headers: None,
                }
            }
            (None, Some(mh)) => {
                headers += 1;
                let any_of: Vec<Map<String, Value>> = required(&mh, "anyOf")?;
                if any_of.len() != 1 {
                    return Err(bad(
                        "A matchHeaders condition must contain exactly one header value in anyOf",
                    ));
                }
                let header: String = required(&any_of[0], "header")?;
                let value_glob: String = required(&any_of[0], "valueGlob")?;
                check_header_name(&header)?;
                check_value_glob(&value_glob)?;
                RoutingRuleCondition {
                    match_base_paths: None,
                    match_headers: Some(MatchHeaders {
                        any_of: vec![MatchHeaderValue { header, value_glob }],
                    }),
                }
            }
            _ => {
                return Err(bad(
                    "Each routing rule condition must contain exactly one of matchBasePaths or matchHeaders",
                ))
            }
        };
        out.push(cond);
    }
    if headers > 2 || paths > 1 {
        return Err(bad(
            "A routing rule supports up to two matchHeaders conditions and one matchBasePaths condition",
        ));
    }
    Ok(out)
}

/// Read and check `actions`: one `invokeApi` to a deployed stage of a REST API of the caller.
fn actions(
    tx: &mut dyn Txn,
    tenant: &Tenant,
    body: &Map<String, Value>,
) -> Result<Vec<RoutingRuleAction>, ApiError> {
    let raw: Vec<Map<String, Value>> = required(body, "actions")?;
    if raw.len() != 1 {
        return Err(bad("A routing rule must have exactly one action"));
    }
    let invoke: Map<String, Value> = required(&raw[0], "invokeApi")?;
    let api_id: String = required(&invoke, "apiId")?;
    let stage: String = required(&invoke, "stage")?;
    let strip_base_path = member::<bool>(&invoke, "stripBasePath")?.unwrap_or(false);
    if stage.is_empty() || stage.len() > 128 {
        return Err(bad("Invalid stage identifier specified"));
    }
    if !api_id.is_empty() && tx.exists(kind::V2_API, "", &api_id)? {
        return Err(bad(format!(
            "Invalid API identifier specified {api_id}: HTTP and WebSocket APIs are not supported as routing rule targets; only REST APIs are"
        )));
    }
    if api_id.is_empty() || !tx.exists(kind::REST_API, "", &api_id)? {
        return Err(common::api_not_found(tenant, &api_id));
    }
    if !tx.exists(kind::STAGE, &api_id, &stage)? {
        return Err(bad("Invalid stage identifier specified"));
    }
    Ok(vec![RoutingRuleAction {
        invoke_api: InvokeApi {
            api_id,
            stage,
            strip_base_path,
        },
    }])
}

fn priority(body: &Map<String, Value>) -> Result<i64, ApiError> {
    let p: i64 = required(body, "priority")?;
    if !(1..=MAX_PRIORITY).contains(&p) {
        return Err(bad(format!(
            "Invalid priority {p}: the priority must be between 1 and 1000000"
        )));
    }
    Ok(p)
}

/// Every rule of `domain`, by priority.
pub fn rules(tx: &mut dyn Txn, domain: &str) -> Result<Vec<RoutingRule>, ApiError> {
    let mut out = Vec::new();
    for doc in tx.list_shared(kind::ROUTING_RULE, domain, 0, usize::MAX)? {
        out.push(RoutingRule::from_value(&doc.body)?);
    }
    out.sort_by_key(|r| r.priority);
    Ok(out)
}

/// What a domain must allow before a rule is written to it.
fn check_domain(tx: &mut dyn Txn, d: &DomainName) -> Result<(), ApiError> {
    if !d.mode().rules {
        return Err(bad(format!(
            "Routing rules cannot be created for the domain name {}: its routingMode is API_MAPPING_ONLY. Set it to ROUTING_RULE_ONLY or ROUTING_RULE_THEN_API_MAPPING first",
            d.domain_name
        )));
    }
    let (mut rest, mut http) = (false, false);
    for doc in tx.list_shared(kind::BASE_PATH_MAPPING, &d.domain_name, 0, usize::MAX)? {
        let m = BasePathMapping::from_value(&doc.body)?;
        if m.is_http() {
            http = true;
        } else {
            rest = true;
        }
    }
    if rest && http {
        return Err(bad(format!(
            "Routing rules are not supported for the domain name {}: it has API mappings to both REST and HTTP APIs",
            d.domain_name
        )));
    }
    Ok(())
}

fn priority_taken(p: i64) -> ApiError {
    ApiError::conflict(format!(
        "A routing rule with priority {p} already exists for this domain name"
    ))
}

fn view(r: &RoutingRule) -> Value {
    r.to_value()
}

fn create(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let name = name_label(call);
    let body = call.json()?;
    let rule = common::write(cx, call, |tx| {
        let d = domain(tx, call, &name)?;
        let priority = priority(&body)?;
        let conditions = conditions(&body)?;
        let actions = actions(tx, &call.tenant, &body)?;
        check_domain(tx, &d)?;
        let existing = rules(tx, &name)?;
        if existing.iter().any(|r| r.priority == priority) {
            return Err(priority_taken(priority));
        }
        if existing.len() >= MAX_RULES {
            return Err(bad(format!(
                "The domain name {name} already has {MAX_RULES} routing rules, the most a domain name may have"
            )));
        }
        let id = common::id(6);
        let rule = RoutingRule {
            routing_rule_arn: arn(&call.tenant, &name, &id),
            routing_rule_id: id,
            priority,
            conditions,
            actions,
        };
        tx.put(
            kind::ROUTING_RULE,
            &name,
            &rule.routing_rule_id,
            &rule.to_value(),
        )?;
        Ok(rule)
    })?;
    Ok(Reply::Json(view(&rule)))
}

fn find(tx: &mut dyn Txn, call: &Call, name: &str) -> Result<RoutingRule, ApiError> {
    let id = call.label("routingRuleId");
    match tx.get(kind::ROUTING_RULE, name, id)? {
        Some(doc) => Ok(RoutingRule::from_value(&doc)?),
        None => Err(not_found(&call.tenant, name, id)),
    }
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let name = name_label(call);
    let rule = common::read(cx, call, |tx| {
        domain(tx, call, &name)?;
        find(tx, call, &name)
    })?;
    Ok(Reply::Json(view(&rule)))
}

/// ListRoutingRules: by priority; `nextToken` is the priority the last page ended at.
fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let name = name_label(call);
    let limit = match call.query("maxResults") {
        None | Some("") => 100,
        Some(t) => match t.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => {
                return Err(bad(format!(
                    "Invalid maxResults specified: {t}. It must be an integer between 1 and 100"
                )))
            }
        },
    };
    let after = match call.query("nextToken") {
        None | Some("") => 0,
        Some(t) => t
            .strip_prefix("rr.")
            .and_then(|p| p.parse::<i64>().ok())
            .ok_or_else(|| bad("Invalid pagination token specified"))?,
    };
    let all = common::read(cx, call, |tx| {
        domain(tx, call, &name)?;
        rules(tx, &name)
    })?;
    let rest: Vec<&RoutingRule> = all.iter().filter(|r| r.priority > after).collect();
    let page: Vec<Value> = rest.iter().take(limit).map(|r| view(r)).collect();
    let mut out = json!({ "routingRules": page });
    if rest.len() > limit {
        out["nextToken"] = json!(format!("rr.{}", rest[limit - 1].priority));
    }
    Ok(Reply::Json(out))
}

/// PutRoutingRule: the rule's priority, conditions and actions replaced, checked as new.
fn put(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let name = name_label(call);
    let body = call.json()?;
    let rule = common::write(cx, call, |tx| {
        let d = domain(tx, call, &name)?;
        let mut rule = find(tx, call, &name)?;
        let priority = priority(&body)?;
        let conditions = conditions(&body)?;
        let actions = actions(tx, &call.tenant, &body)?;
        check_domain(tx, &d)?;
        if rules(tx, &name)?
            .iter()
            .any(|r| r.priority == priority && r.routing_rule_id != rule.routing_rule_id)
        {
            return Err(priority_taken(priority));
        }
        rule.priority = priority;
        rule.conditions = conditions;
        rule.actions = actions;
        tx.put(
            kind::ROUTING_RULE,
            &name,
            &rule.routing_rule_id,
            &rule.to_value(),
        )?;
        Ok(rule)
    })?;
    Ok(Reply::Json(view(&rule)))
}

fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let name = name_label(call);
    common::write(cx, call, |tx| {
        domain(tx, call, &name)?;
        let rule = find(tx, call, &name)?;
        tx.delete(kind::ROUTING_RULE, &name, &rule.routing_rule_id)?;
        Ok(())
    })?;
    Ok(Reply::Empty)
}

/// Every rule of a domain name being deleted.
pub fn delete_all(tx: &mut dyn Txn, domain: &str) -> Result<(), ApiError> {
    for r in tx.list_shared(kind::ROUTING_RULE, domain, 0, usize::MAX)? {
        tx.delete(kind::ROUTING_RULE, domain, &r.id)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_take_the_documented_wildcards_only() {
        for ok in ["beta", "a*", "*a", "*a*", "*", "v1.2-x_y"] {
            assert!(check_value_glob(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a*b", "**", "*a*b*", "a b", "a/b", &"x".repeat(128)] {
            assert!(check_value_glob(bad).is_err(), "{bad}");
        }
        assert!(check_value_glob(&format!("*{}*", "x".repeat(36))).is_ok());
        assert!(check_value_glob(&format!("*{}*", "x".repeat(38))).is_err());
    }

    #[test]
    fn restricted_and_malformed_header_names_are_refused() {
        for ok in ["x-version", "Hello", "x_a"] {
            assert!(check_header_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "Authorization",
            "X-Amz-Date",
            "access-control-allow-origin",
            "x-*",
            "a b",
            "",
            &"h".repeat(40),
        ] {
            assert!(check_header_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn base_paths_are_segments_of_the_allowed_characters() {
        for ok in ["users", "PetStoreShopper/dogs", "v1.2_$-+!*'()"] {
            assert!(check_base_path(ok).is_ok(), "{ok}");
        }
        for bad in ["", "/a", "a/", "a//b", "a b", "a\\b", &"p".repeat(128)] {
            assert!(check_base_path(bad).is_err(), "{bad}");
        }
    }
}
