//! Phase 3, authorization: the method's authorization type (`AWS_IAM` through the binary's
//! verifier, `COGNITO_USER_POOLS` by the configured pools' keys, Lambda `TOKEN`/`REQUEST`
//! authorizers through the Lambda port), then API keys, throttles and quotas (`metering`), in
//! AWS's order. Every refusal is a [`GatewayError`] of AWS's gateway response type.

use serde_json::{json, Map, Value};

use super::compile::{Authorization, CognitoCheck, MethodPlan};
use super::gateway_responses::{GatewayError, ResponseType};
use super::lambda_authorizer;
use super::pipeline::{ClientRequest, Exec};
use super::resource_policy::{Caller, ResourcePolicy};
use crate::cognito::TokenRefusal;
use crate::iam::{self, IamCaller, IamRefusal, SignedInvocation};
use crate::metering::Identity;
use crate::policy::Decision;

/// What phase 3 accepted: the API key (metering), the caller whose IAM signature verified, and
/// what an authorizer granted.
#[derive(Default)]
pub struct Authorized {
    pub key: Option<Identity>,
    pub caller: Option<IamCaller>,
    /// `$context.authorizer`: a Cognito token's `{"claims": …}`, or a Lambda authorizer's
    /// `principalId` and `context`.
    pub authorizer: Option<Value>,
}

/// Phase 3: authorization. The method's authorization type first, then API keys, usage plan /
/// stage / account throttles and quotas (`metering`), in AWS's order. Test-invoke (no
/// metering) skips both, as AWS's does.
///
/// `params` are the route's path parameters and `context` builds the request's `$context`
/// (before authorization), both for a `REQUEST` authorizer's event.
pub async fn authorize(
    exec: &Exec<'_>,
    plan: &MethodPlan,
    req: &ClientRequest<'_>,
    params: &[(String, String)],
    context: &(dyn Fn() -> Value + Sync),
) -> Result<Authorized, GatewayError> {
    let Some(m) = exec.metering else {
        return Ok(Authorized::default());
    };
    let mut who = Authorized::default();
    let mut usage_key = None;
    let resource_policy = match &exec.deployment.resource_policy {
        None => None,
        Some(Ok(p)) => Some(p),
        Some(Err(why)) => {
            return Err(
                GatewayError::without_message(ResponseType::AuthorizerConfigurationError)
                    .with_detail(format!("the API's resource policy cannot be read: {why}")),
            )
        }
    };
    match &plan.authorization {
        Authorization::None => {
            if let Some(p) = resource_policy {
                check_policy(exec, req, p, None, true)?;
            }
        }
        Authorization::AwsIam => {
            let caller = iam_caller(exec, req, resource_policy)?;
            who.caller = Some(caller);
        }
        Authorization::CognitoUserPools(Some(check)) => {
            if let Some(p) = resource_policy {
                check_policy(exec, req, p, None, false)?;
            }
            let claims = cognito_claims(exec, req, check).await?;
            who.authorizer = Some(json!({"claims": crate::cognito::claims_context(&claims)}));
        }
        Authorization::Custom(Some(auth)) => {
            if let Some(p) = resource_policy {
                check_policy(exec, req, p, None, false)?;
            }
            let granted = lambda_authorizer::authorize(exec, req, params, auth, context).await?;
            who.authorizer = Some(granted.context);
            usage_key = granted.usage_identifier_key;
        }
        other => return Err(refuse_unverifiable(other)),
    }
    // `apiKeySource: AUTHORIZER`: the key is the one the authorizer named, not the header's.
    let key = if exec.deployment.api_key_from_authorizer {
        usage_key.as_deref().map(str::as_bytes)
    } else {
        req.known.api_key.map(|v| v.as_bytes())
    };
    who.key = m
        .authorize(exec.tenant, exec.api_id, exec.stage, plan, key)
        .await?;
    Ok(who)
}

/// `AWS_IAM`: the signature verified, then the caller allowed: its account's own APIs, in the
/// region it signed for (see `iam`).
fn iam_caller(
    exec: &Exec<'_>,
    req: &ClientRequest<'_>,
    resource_policy: Option<&ResourcePolicy>,
) -> Result<IamCaller, GatewayError> {
    let Some(verifier) = exec.iam else {
        return Err(refuse_unverifiable(&Authorization::AwsIam));
    };
    let signed = SignedInvocation {
        method: req.method.as_str(),
        raw_path: req.raw_path,
        raw_query: req.raw_query,
        headers: req.headers,
        body: &req.body,
    };
    let caller = verifier.verify(&signed).map_err(|r| match r {
        IamRefusal::Missing => GatewayError::missing_token(),
        // AWS names it UnrecognizedClientException, a type no gateway response has: the
        // response is INVALID_SIGNATURE's, with AWS's text.
        IamRefusal::UnknownKey(m) => GatewayError::new(ResponseType::InvalidSignature, m),
        IamRefusal::Expired(m) => GatewayError::new(ResponseType::ExpiredToken, m),
        IamRefusal::Invalid(m) => GatewayError::new(ResponseType::InvalidSignature, m),
    })?;
    if caller.region != exec.tenant.region() {
        return Err(GatewayError::new(
            ResponseType::InvalidSignature,
            format!(
                "Credential should be scoped to a valid region, not '{}'. ",
                caller.region
            ),
        ));
    }
    // Another account's caller needs the resource policy's explicit allow; any caller is
    // refused by its explicit deny.
    let policy = match resource_policy {
        Some(p) => check_policy(
            exec,
            req,
            p,
            Some(&caller),
            caller.account_id != exec.tenant.account(),
        )
        .map(Some)?,
        None => None,
    };
    if caller.account_id != exec.tenant.account() && policy != Some(Decision::Allow) {
        let resource = format!(
            "arn:aws:execute-api:{}:{}:{}/{}/{}{}",
            exec.tenant.region(),
            iam::masked_account(exec.tenant.account()),
            exec.api_id,
            exec.stage,
            req.method.as_str(),
            req.path
        );
        return Err(GatewayError::new(
            ResponseType::AccessDenied,
            format!(
                "User: {} is not authorized to perform: execute-api:Invoke on resource: {resource}",
                caller.user_arn()
            ),
        )
        .with_message_key("Message"));
    }
    Ok(caller)
}

/// `COGNITO_USER_POOLS`: the token's claims, or AWS's 401.
pub(super) async fn cognito_claims(
    exec: &Exec<'_>,
    req: &ClientRequest<'_>,
    check: &CognitoCheck,
) -> Result<Map<String, Value>, GatewayError> {
    let unauthorized = || GatewayError::new(ResponseType::Unauthorized, "Unauthorized");
    let Some(token) = req.headers.get(&check.header).and_then(|v| v.to_str().ok()) else {
        return Err(unauthorized().with_detail("no token in the identity source"));
    };
    let pools = exec.user_pools.ok_or_else(|| {
        GatewayError::without_message(ResponseType::AuthorizerConfigurationError)
            .with_detail("no user pools configured")
    })?;
    pools
        .verify(exec.client, token.trim(), &check.pool_arns, &check.scopes)
        .await
        .map_err(|r| match r {
            TokenRefusal::Unauthorized(why) => unauthorized().with_detail(why),
            TokenRefusal::Expired => {
                GatewayError::new(ResponseType::Unauthorized, "The incoming token has expired")
            }
            TokenRefusal::NoPool(why) => {
                GatewayError::without_message(ResponseType::AuthorizerConfigurationError)
                    .with_detail(why)
            }
        })
}

/// The resource policy's verdict for this call. An explicit deny always refuses; an implicit
/// one refuses when `need_allow` (no authorizer, or another account's IAM caller). AWS's
/// answer: 403 `{"Message": "User: {who} is not authorized to perform: execute-api:Invoke on
/// resource: {arn} …"}`, the account masked.
fn check_policy(
    exec: &Exec<'_>,
    req: &ClientRequest<'_>,
    policy: &ResourcePolicy,
    caller: Option<&IamCaller>,
    need_allow: bool,
) -> Result<Decision, GatewayError> {
    let arn = lambda_authorizer::method_arn(exec, req);
    let header =
        |name: hyper::header::HeaderName| req.headers.get(name).and_then(|v| v.to_str().ok());
    let decision = policy.evaluate(
        &arn,
        exec.api_id,
        &Caller {
            account: caller.map(|c| c.account_id.as_str()),
            source_ip: req.source_ip,
            user_agent: header(hyper::header::USER_AGENT),
            referer: header(hyper::header::REFERER),
        },
    );
    let why = match decision {
        Decision::ExplicitDeny => "with an explicit deny in a resource-based policy",
        Decision::ImplicitDeny if need_allow => {
            "because no resource-based policy allows the execute-api:Invoke action"
        }
        _ => return Ok(decision),
    };
    let user = caller.map_or_else(|| "anonymous".to_string(), IamCaller::user_arn);
    let masked = arn.replacen(
        &format!(":{}:", exec.tenant.account()),
        &format!(":{}:", iam::masked_account(exec.tenant.account())),
        1,
    );
    Err(GatewayError::new(
        ResponseType::AccessDenied,
        format!("User: {user} is not authorized to perform: execute-api:Invoke on resource: {masked} {why}"),
    )
    .with_message_key("Message"))
}

/// A method whose authorizer Portico cannot run (missing, of an unknown type, an `AWS_IAM` one
/// without a verifier): refused, never let through, with AWS's answer to an authorizer that
/// cannot run (500 `{"message":null}`); the reason goes to the execution log.
fn refuse_unverifiable(auth: &Authorization) -> GatewayError {
    GatewayError::without_message(ResponseType::AuthorizerConfigurationError).with_detail(format!(
        "Authorization type {}: no authorizer Portico can run: request refused",
        auth.name()
    ))
}
