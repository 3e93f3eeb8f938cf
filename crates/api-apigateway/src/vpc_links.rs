//! VPC links: create, get, list, update, delete.
//!
//! A link's `status` and `statusMessage` are not stored: they follow from its creation time
//! and the configured load balancers (`portico_model::vpc_link`), computed on every read. A
//! link is PENDING for a second after CreateVpcLink, then AVAILABLE when its target NLB is in
//! the config file's `[[load_balancers]]`, else FAILED. DeleteVpcLink removes it at once (AWS
//! shows DELETING for a while).
//!
//! AWS's texts, where recorded (LocalStack's `tests/aws/services/apigateway/
//! test_apigateway_api.snapshot.json`, `TestApiGatewayVpcLink`, recorded against AWS; and AWS
//! answers quoted in terraform-provider-aws PR #2512) are used as they are; the others are
//! Portico's, in AWS's style, and say so.

use portico_model::vpc_link::LinkStatus;
use portico_model::{Entity, VpcLink};
use serde_json::{json, Map, Value};

use crate::call::{Call, Members, Reply};
use crate::error::ApiError;
use crate::ids::new_id;
use crate::patch::{self, Apply, Op, PatchOp, Rule, REPLACE};
use crate::store::{self, kind, Txn};
use crate::{paging, Ctx, Handler};

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateVpcLink" => create,
        "GetVpcLink" => get,
        "GetVpcLinks" => list,
        "UpdateVpcLink" => update,
        "DeleteVpcLink" => delete,
        _ => return None,
    })
}

/// AWS's 404 for an unknown link (recorded: GetVpcLink, UpdateVpcLink, DeleteVpcLink).
fn not_found() -> ApiError {
    ApiError::not_found("Invalid Vpc Link identifier specified")
}

/// AWS's text for an empty name (recorded: CreateVpcLink with `name=""`).
fn empty_name() -> ApiError {
    ApiError::bad_request("Name cannot be empty")
}

fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Check `targetArns` as AWS does: exactly one, well formed.
fn check_targets(arns: &[String]) -> Result<(), ApiError> {
    match arns.len() {
        // Portico's text: AWS's answer to an empty list is not on record.
        0 => {
            return Err(ApiError::bad_request(
                "No target arn specified for vpc link.",
            ))
        }
        1 => {}
        // AWS's (quoted in terraform-provider-aws PR #2512): a REST API VPC link targets one NLB.
        _ => {
            return Err(ApiError::bad_request(
                "More than one target arn specified for vpc link.",
            ))
        }
    }
    for arn in arns {
        // AWS's text (recorded: CreateVpcLink with `targetArns=["invalid-arn"]`). An ARN that
        // is well formed but names no NLB is accepted, and the link then FAILS, as on AWS.
        if !well_formed_arn(arn) {
            return Err(ApiError::bad_request(format!(
                "Invalid ARN. ARN is not well formed {arn}"
            )));
        }
    }
    Ok(())
}

/// `arn:partition:service:region:account:resource`, with partition, service and resource set.
fn well_formed_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    matches!(parts.as_slice(), ["arn", p, s, _, _, r] if !p.is_empty() && !s.is_empty() && !r.is_empty())
}

fn require(txn: &mut dyn Txn, id: &str) -> Result<VpcLink, ApiError> {
    match txn.get_shared(kind::VPC_LINK, "", id)? {
        Some(doc) => Ok(VpcLink::from_value(&doc)?),
        None => Err(not_found()),
    }
}

/// The caller's view of a link: AWS's members in the model's order, with the status as of
/// now. `tags` shows as `{}` when there are none (AWS's GetVpcLink and UpdateVpcLink) unless
/// `tags_when_empty` is false (AWS's CreateVpcLink and GetVpcLinks items leave it out).
fn view(link: &VpcLink, status: &LinkStatus, tags_when_empty: bool) -> Value {
    let mut out = Map::new();
    if let Some(d) = &link.description {
        out.insert("description".into(), json!(d));
    }
    out.insert("id".into(), json!(link.id));
    out.insert("name".into(), json!(link.name));
    out.insert("status".into(), json!(status.as_str()));
    if let Some(m) = status.message() {
        out.insert("statusMessage".into(), json!(m));
    }
    match &link.tags {
        Some(t) if !t.is_empty() => {
            out.insert("tags".into(), json!(t));
        }
        _ if tags_when_empty => {
            out.insert("tags".into(), json!({}));
        }
        _ => {}
    }
    out.insert("targetArns".into(), json!(link.target_arns));
    Value::Object(out)
}

fn current(cx: &Ctx, link: &VpcLink) -> LinkStatus {
    link.status(&cx.load_balancers, now_millis())
}

fn create(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let name = body.str_of("name")?.unwrap_or_default();
    if name.is_empty() {
        return Err(empty_name());
    }
    let target_arns = match body.get("targetArns") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_str().map(str::to_string).ok_or_else(|| {
                    ApiError::bad_request(
                        "Invalid value for member 'targetArns': expected a list of strings",
                    )
                })
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(ApiError::bad_request(
                "Invalid value for member 'targetArns': expected a list of strings",
            ))
        }
    };
    check_targets(&target_arns)?;
    let link = VpcLink {
        id: new_id(6),
        name,
        description: body.str_of("description")?.filter(|d| !d.is_empty()),
        target_arns,
        tags: crate::tags::from_body(&body)?,
        created_at: now_millis(),
    };
    store::write(&*cx.store, &call.tenant, |txn| {
        Ok(txn.put(kind::VPC_LINK, "", &link.id, &link.to_value())?)
    })?;
    Ok(Reply::Json(view(&link, &LinkStatus::Pending, false)))
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let link = store::read(&*cx.store, &call.tenant, |txn| {
        require(txn, call.label("vpclink_id"))
    })?;
    Ok(Reply::Json(view(&link, &current(cx, &link), true)))
}

fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let now = now_millis();
    let page = store::read(&*cx.store, &call.tenant, |txn| {
        paging::page(
            txn,
            call,
            kind::VPC_LINK,
            "",
            |d| match VpcLink::from_value(&d.body) {
                Ok(link) => {
                    let status = link.status(&cx.load_balancers, now);
                    Some(view(&link, &status, false))
                }
                Err(e) => {
                    tracing::error!(id = d.id, "{e}; not listed");
                    None
                }
            },
        )
    })?;
    Ok(Reply::Json(page))
}

const RULES: &[Rule] = &[
    Rule {
        path: "/name",
        ops: REPLACE,
        apply: Apply::Str("name"),
    },
    Rule {
        path: "/description",
        ops: REPLACE,
        apply: Apply::OptStr("description"),
    },
];

fn check_ops(ops: &[PatchOp]) -> Result<(), ApiError> {
    for op in ops {
        if op.path == "/targetArns" || op.path.starts_with("/targetArns/") {
            // AWS's (quoted in terraform-provider-aws PR #2512).
            return Err(ApiError::bad_request(
                "Target arns are not allowed to be changed/added.",
            ));
        }
        if op.path == "/name"
            && op.op == Op::Replace
            && op.value.as_deref().unwrap_or("").is_empty()
        {
            return Err(empty_name());
        }
    }
    Ok(())
}

fn update(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let id = call.label("vpclink_id");
    let ops = patch::parse_call(call)?;
    let link = store::write(&*cx.store, &call.tenant, |txn| {
        let link = require(txn, id)?;
        check_ops(&ops)?;
        let mut doc = link.to_map();
        patch::apply(&mut doc, &ops, RULES)?;
        let link = VpcLink::from_map(&doc)?;
        txn.put(kind::VPC_LINK, "", id, &link.to_value())?;
        Ok(link)
    })?;
    Ok(Reply::Json(view(&link, &current(cx, &link), true)))
}

fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let id = call.label("vpclink_id");
    store::write(&*cx.store, &call.tenant, |txn| {
        require(txn, id)?;
        Ok(txn.delete(kind::VPC_LINK, "", id)?)
    })?;
    Ok(Reply::Empty)
}

#[cfg(test)]
mod tests {
    use super::*;
    use portico_model::vpc_link::is_nlb_arn;

    const NLB: &str = "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/a/1";

    #[test]
    fn targets_are_checked_with_aws_texts() {
        assert!(check_targets(&[NLB.into()]).is_ok());
        // Well formed, not an NLB: accepted (the link FAILS later, as on AWS).
        assert!(check_targets(&[NLB.replace("/net/", "/app/")]).is_ok());
        assert_eq!(
            check_targets(&["invalid-arn".into()]).unwrap_err().message,
            "Invalid ARN. ARN is not well formed invalid-arn"
        );
        assert_eq!(
            check_targets(&[NLB.into(), NLB.into()])
                .unwrap_err()
                .message,
            "More than one target arn specified for vpc link."
        );
        assert_eq!(check_targets(&[]).unwrap_err().status, 400);
        assert!(is_nlb_arn(NLB));
    }
}
