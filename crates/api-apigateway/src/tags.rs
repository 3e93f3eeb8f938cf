//! Tags: TagResource, UntagResource and GetTags on any taggable document, addressed by ARN.
//!
//! Tags live in the tagged document's own `tags` member (omitted when empty), exactly where the
//! entity's Get operation shows them, so there is one copy to keep right. An ARN names the
//! document: `arn:aws:apigateway:{region}::/restapis/{id}[/stages/{name}]`, `/apikeys/{id}`,
//! `/usageplans/{id}`, `/clientcertificates/{id}`, `/domainnames/{name}`, `/vpclinks/{id}`.

use portico_model::IndexMap;
use serde_json::{json, Map, Value};

use crate::call::{Call, Reply};
use crate::error::ApiError;
use crate::store::{self, kind, Tenant, Txn};
use crate::Ctx;
use crate::Handler;

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "TagResource" => tag,
        "UntagResource" => untag,
        "GetTags" => get,
        _ => return None,
    })
}

pub const MAX_TAGS: usize = 50;

/// Validate a tag map against AWS's documented limits: 50 tags, keys 1-128 characters, values up
/// to 256, `aws:` reserved. The `aws:` text is AWS's own (seen in the wild); AWS's texts for the
/// other three are not on record, so they follow its `Invalid tag ...` style.
pub fn check(tags: &Map<String, Value>) -> Result<(), ApiError> {
    if tags.len() > MAX_TAGS {
        return Err(ApiError::bad_request(format!(
            "Invalid tags. A resource can have at most {MAX_TAGS} tags"
        )));
    }
    for (k, v) in tags {
        let Some(v) = v.as_str() else {
            return Err(ApiError::bad_request(format!(
                "Invalid tag value for key '{k}': expected a string"
            )));
        };
        if k.is_empty() || k.chars().count() > 128 {
            return Err(ApiError::bad_request(
                "Invalid tag key. Tag keys must be between 1 and 128 characters long",
            ));
        }
        if v.chars().count() > 256 {
            return Err(ApiError::bad_request(
                "Invalid tag value. Tag values can be at most 256 characters long",
            ));
        }
        if k.to_ascii_lowercase().starts_with("aws:") {
            return Err(ApiError::bad_request(
                "Invalid tag key. Tag keys cannot start with 'aws:' (case insensitive)",
            ));
        }
    }
    Ok(())
}

/// The `tags` member of a Create* body, validated; `None` when absent or empty.
pub fn from_body(body: &Map<String, Value>) -> Result<Option<IndexMap<String, String>>, ApiError> {
    match body.get("tags") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(t)) => {
            check(t)?;
            let typed = t
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect::<IndexMap<_, _>>();
            Ok(if typed.is_empty() { None } else { Some(typed) })
        }
        Some(_) => Err(ApiError::bad_request(
            "Invalid value for member 'tags': expected a map of strings",
        )),
    }
}

/// Where a tagged document lives.
#[derive(Debug, PartialEq, Eq)]
struct Target {
    kind: &'static str,
    scope: String,
    id: String,
}

fn invalid_arn() -> ApiError {
    ApiError::bad_request("Invalid ARN specified in the request")
}

fn not_found() -> ApiError {
    ApiError::not_found("Invalid Resource identifier specified")
}

/// Parse an API Gateway ARN into the document it names. A well-formed ARN in another region
/// names nothing this tenant owns (404); anything else malformed is a 400.
fn parse(arn: &str, tenant: &Tenant) -> Result<Target, ApiError> {
    let mut parts = arn.splitn(6, ':');
    let (
        Some("arn"),
        Some(_partition),
        Some("apigateway"),
        Some(region),
        Some(account),
        Some(path),
    ) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    )
    else {
        return Err(invalid_arn());
    };
    // Only a private domain name's ARN names its account (`…:{account}:/domainnames/{name}+{id}`).
    let private_domain = path.starts_with("/domainnames/") && path.contains('+');
    if region.is_empty() || (!account.is_empty() && !private_domain) {
        return Err(invalid_arn());
    }
    let segs: Vec<&str> = path.split('/').collect();
    if segs.first() != Some(&"") || segs.iter().skip(1).any(|s| s.is_empty()) {
        return Err(invalid_arn());
    }
    let target = |kind, scope: &str, id: &str| Target {
        kind,
        scope: scope.to_string(),
        id: id.to_string(),
    };
    let t = match segs[1..] {
        ["restapis", id] => target(kind::REST_API, "", id),
        ["restapis", api, "stages", name] => target(kind::STAGE, api, name),
        ["apikeys", id] => target(kind::API_KEY, "", id),
        ["usageplans", id] => target(kind::USAGE_PLAN, "", id),
        ["vpclinks", id] => target(kind::VPC_LINK, "", id),
        ["clientcertificates", id] => target(kind::CLIENT_CERTIFICATE, "", id),
        // A private domain name's ARN carries its id (`{name}+{id}`).
        ["domainnames", name] => {
            let name = name.split_once('+').map_or(name, |(n, _)| n);
            target(kind::DOMAIN_NAME, "", &name.to_ascii_lowercase())
        }
        _ => return Err(invalid_arn()),
    };
    if region != tenant.region() || (!account.is_empty() && account != tenant.account()) {
        return Err(not_found());
    }
    Ok(t)
}

fn load(txn: &mut dyn Txn, t: &Target) -> Result<Map<String, Value>, ApiError> {
    if t.kind == kind::STAGE && !txn.exists(kind::REST_API, "", &t.scope)? {
        return Err(not_found());
    }
    match txn.get(t.kind, &t.scope, &t.id)? {
        Some(Value::Object(m)) => Ok(m),
        _ => Err(not_found()),
    }
}

fn save(
    txn: &mut dyn Txn,
    t: &Target,
    mut doc: Map<String, Value>,
    tags: Map<String, Value>,
) -> Result<(), ApiError> {
    if tags.is_empty() {
        doc.remove("tags");
    } else {
        doc.insert("tags".into(), Value::Object(tags));
    }
    Ok(txn.put(t.kind, &t.scope, &t.id, &Value::Object(doc))?)
}

fn current(doc: &Map<String, Value>) -> Map<String, Value> {
    match doc.get("tags") {
        Some(Value::Object(t)) => t.clone(),
        _ => Map::new(),
    }
}

fn tag(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let target = parse(call.label("resource_arn"), &call.tenant)?;
    let body = call.json()?;
    let given = match body.get("tags") {
        Some(Value::Object(t)) => t.clone(),
        None | Some(Value::Null) => {
            return Err(ApiError::bad_request(
                "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null",
            ))
        }
        Some(_) => {
            return Err(ApiError::bad_request(
                "Invalid value for member 'tags': expected a map of strings",
            ))
        }
    };
    check(&given)?;
    store::write(&*cx.store, &call.tenant, |txn| {
        let doc = load(txn, &target)?;
        let mut tags = current(&doc);
        tags.extend(given.clone());
        check(&tags)?;
        save(txn, &target, doc, tags)
    })?;
    Ok(Reply::Empty)
}

fn untag(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let target = parse(call.label("resource_arn"), &call.tenant)?;
    let keys: Vec<String> = call
        .query_all("tagKeys")
        .into_iter()
        .map(String::from)
        .collect();
    store::write(&*cx.store, &call.tenant, |txn| {
        let doc = load(txn, &target)?;
        let mut tags = current(&doc);
        for k in &keys {
            tags.remove(k);
        }
        save(txn, &target, doc, tags)
    })?;
    Ok(Reply::Empty)
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let target = parse(call.label("resource_arn"), &call.tenant)?;
    let tags = store::read(&*cx.store, &call.tenant, |txn| {
        Ok(current(&load(txn, &target)?))
    })?;
    Ok(Reply::Json(json!({ "tags": tags })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant() -> Tenant {
        Tenant::aws("000000000000", "us-east-1")
    }

    #[test]
    fn arns_name_documents() {
        let t = parse(
            "arn:aws:apigateway:us-east-1::/restapis/abc/stages/prod",
            &tenant(),
        )
        .unwrap();
        assert_eq!(
            t,
            Target {
                kind: kind::STAGE,
                scope: "abc".into(),
                id: "prod".into()
            }
        );
        let t = parse("arn:aws:apigateway:us-east-1::/usageplans/u1", &tenant()).unwrap();
        assert_eq!(t.kind, kind::USAGE_PLAN);
        for bad in [
            "nope",
            "arn:aws:s3:us-east-1::/restapis/abc",
            "arn:aws:apigateway:us-east-1:000000000000:/restapis/abc",
            "arn:aws:apigateway:us-east-1::/restapis",
            "arn:aws:apigateway:us-east-1::/restapis/abc/resources/r",
            "arn:aws:apigateway:::/restapis/abc",
        ] {
            assert_eq!(parse(bad, &tenant()).unwrap_err().status, 400, "{bad}");
        }
        let e = parse("arn:aws:apigateway:eu-west-1::/restapis/abc", &tenant()).unwrap_err();
        assert_eq!(e.status, 404);
    }

    #[test]
    fn limits() {
        let mut m = Map::new();
        for i in 0..MAX_TAGS {
            m.insert(format!("k{i}"), json!("v"));
        }
        assert!(check(&m).is_ok());
        m.insert("one-more".into(), json!("v"));
        assert!(check(&m).is_err());
        let long_key = json!({ "k".repeat(129): "v" });
        assert!(check(long_key.as_object().unwrap()).is_err());
        let long_value = json!({ "k": "v".repeat(257) });
        assert!(check(long_value.as_object().unwrap()).is_err());
        let reserved = json!({ "aws:cloudformation:stack": "v" });
        assert!(check(reserved.as_object().unwrap()).is_err());
    }
}
