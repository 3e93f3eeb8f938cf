//! Lambda authorizers (`TOKEN` and `REQUEST`) as API Gateway runs them: the identity sources
//! read (and, for `TOKEN`, checked against `identityValidationExpression`), the function invoked
//! through the Lambda port with AWS's authorizer event, the IAM policy it returns evaluated for
//! the method ARN (`crate::policy`), and its `principalId` and `context` made
//! `$context.authorizer`. Results are cached per authorizer and identity for
//! `authorizerResultTtlInSeconds` (the policy is cached, and evaluated again for each method).
//!
//! AWS's answers: a missing identity or a token that fails validation 401 `Unauthorized`
//! (the function is not called); the function failing with `Unauthorized` 401; a policy that
//! denies 403 `{"Message": "User is not authorized to access this resource with an explicit
//! deny"}` (or, with no statement allowing, `… to access this resource`); any other failure —
//! a function error, a malformed answer — 500 `{"message": null}`
//! (`AUTHORIZER_CONFIGURATION_ERROR`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::header::HeaderName;
use regex::Regex;
use serde_json::{json, Map, Value};

use super::gateway_responses::{GatewayError, ResponseType};
use super::lambda_proxy;
use super::pipeline::{ClientRequest, Exec, ExecLog};
use crate::integrations::lambda::{function_of_uri, InvocationType};
use crate::policy::{self, Decision};

/// Entries the authorizer cache keeps at most (all stages together).
const CACHE_ENTRIES: u64 = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Token,
    Request,
}

/// Where an identity value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentitySource {
    Header(HeaderName),
    Query(String),
    StageVariable(String),
    Context(String),
}

/// A Lambda authorizer, compiled from the deployment's authorizer document.
#[derive(Debug, PartialEq, Eq)]
pub struct LambdaAuthorizer {
    pub id: String,
    pub kind: Kind,
    /// The function (name or ARN) of `authorizerUri`.
    pub function: String,
    pub sources: Vec<IdentitySource>,
    pub validation: Option<RegexEq>,
    pub ttl: Duration,
}

/// A regex compared by its text (plans compare by value).
#[derive(Debug)]
pub struct RegexEq(pub Regex);

impl PartialEq for RegexEq {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}
impl Eq for RegexEq {}

impl LambdaAuthorizer {
    /// `None` when the document is not a Lambda authorizer Portico can run (its methods are
    /// then refused).
    pub fn compile(a: &portico_model::Authorizer) -> Option<LambdaAuthorizer> {
        let kind = match a.kind.as_str() {
            "TOKEN" => Kind::Token,
            "REQUEST" => Kind::Request,
            _ => return None,
        };
        let function = function_of_uri(a.authorizer_uri.as_deref()?)?.to_string();
        let sources = a
            .identity_source
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(IdentitySource::parse)
            .collect::<Option<Vec<_>>>()?;
        if kind == Kind::Token && !matches!(sources.as_slice(), [IdentitySource::Header(_)]) {
            return None;
        }
        let validation = match a.identity_validation_expression.as_deref() {
            Some(e) if kind == Kind::Token && !e.is_empty() => {
                Some(RegexEq(Regex::new(&format!("^(?:{e})$")).ok()?))
            }
            _ => None,
        };
        Some(LambdaAuthorizer {
            id: a.id.clone(),
            kind,
            function,
            sources,
            validation,
            ttl: Duration::from_secs(a.authorizer_result_ttl_in_seconds.clamp(0, 3600) as u64),
        })
    }
}

impl IdentitySource {
    /// The source as the authorizer names it (`method.request.header.Authorization`).
    pub fn expression(&self) -> String {
        match self {
            IdentitySource::Header(h) => format!("method.request.header.{h}"),
            IdentitySource::Query(q) => format!("method.request.querystring.{q}"),
            IdentitySource::StageVariable(v) => format!("stageVariables.{v}"),
            IdentitySource::Context(c) => format!("context.{c}"),
        }
    }

    fn parse(s: &str) -> Option<IdentitySource> {
        if let Some(h) = s.strip_prefix("method.request.header.") {
            return HeaderName::from_bytes(h.as_bytes())
                .ok()
                .map(IdentitySource::Header);
        }
        if let Some(q) = s.strip_prefix("method.request.querystring.") {
            return Some(IdentitySource::Query(q.to_string()));
        }
        if let Some(v) = s.strip_prefix("stageVariables.") {
            return Some(IdentitySource::StageVariable(v.to_string()));
        }
        s.strip_prefix("context.")
            .map(|c| IdentitySource::Context(c.to_string()))
    }
}

/// What an authorizer answered, cached.
#[derive(Debug)]
pub struct Verdict {
    principal_id: Value,
    policy: Value,
    context: Map<String, Value>,
    usage_identifier_key: Option<String>,
    expires: Instant,
    /// The policy's decisions so far, by the method and path the ARN ends with (the rest of
    /// it is fixed by the cache key): a cache hit then evaluates nothing, and formats no ARN.
    decisions: parking_lot::Mutex<Vec<(hyper::Method, Box<str>, Decision)>>,
}

/// Decisions a cached answer keeps at most (distinct methods and paths it was used for).
const DECISIONS_KEPT: usize = 64;

impl Verdict {
    /// The policy's decision for `req`, remembered.
    fn decide(&self, exec: &Exec<'_>, req: &ClientRequest<'_>) -> Result<Decision, GatewayError> {
        if let Some((.., d)) = self
            .decisions
            .lock()
            .iter()
            .find(|(m, p, _)| *m == req.method && **p == *req.path)
        {
            return Ok(*d);
        }
        let decision = policy::evaluate(&self.policy, &method_arn(exec, req))
            .map_err(|e| config_error(e.0))?;
        let mut kept = self.decisions.lock();
        if kept.len() < DECISIONS_KEPT {
            kept.push((req.method.clone(), req.path.into(), decision));
        }
        Ok(decision)
    }

    /// `$context.authorizer`: the principal and the answer's context.
    fn granted(&self) -> Value {
        let mut ctx = Map::with_capacity(1 + self.context.len());
        ctx.insert("principalId".into(), self.principal_id.clone());
        for (k, v) in &self.context {
            ctx.insert(k.clone(), v.clone());
        }
        Value::Object(ctx)
    }
}

/// Authorizer results of every stage, by stage, authorizer and identity.
pub struct AuthorizerCache {
    entries: moka::sync::Cache<String, Arc<Verdict>>,
}

impl Default for AuthorizerCache {
    fn default() -> Self {
        AuthorizerCache {
            entries: moka::sync::Cache::builder()
                .max_capacity(CACHE_ENTRIES)
                .build(),
        }
    }
}

impl AuthorizerCache {
    /// FlushStageAuthorizersCache.
    pub fn flush_stage(&self, tenant: &portico_core::Tenant, api_id: &str, stage: &str) {
        let prefix = format!("{}\u{0}{api_id}\u{0}{stage}\u{0}", tenant_key(tenant));
        let keys: Vec<Arc<String>> = self
            .entries
            .iter()
            .filter(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k)
            .collect();
        for k in keys {
            self.entries.invalidate(k.as_str());
        }
    }
}

/// What an authorizer granted: `$context.authorizer` and the API key it names.
pub struct Granted {
    pub context: Value,
    pub usage_identifier_key: Option<String>,
}

/// Run `auth` for the request. `context` builds the request's `$context` (for `REQUEST`
/// events); `method_arn` is the ARN the policy must allow.
pub async fn authorize(
    exec: &Exec<'_>,
    req: &ClientRequest<'_>,
    path_params: &[(String, String)],
    auth: &LambdaAuthorizer,
    context: &(dyn Fn() -> Value + Sync),
) -> Result<Granted, GatewayError> {
    let values = identity(exec, req, auth, context)?;
    let key = cache_key(exec, auth, &values);
    let caching = !auth.ttl.is_zero();
    let cache = exec.authorizer_cache.filter(|_| caching);
    let cached = cache
        .and_then(|c| c.entries.get(&key))
        .filter(|v| v.expires > Instant::now());
    let verdict = match cached {
        Some(v) => v,
        None => {
            let mut off = ExecLog::default();
            let arn = method_arn(exec, req);
            let v = call(
                exec,
                req,
                path_params,
                auth,
                &arn,
                &values,
                context,
                &mut off,
            );
            let v = Arc::new(v.await?);
            if let Some(c) = cache {
                c.entries.insert(key, v.clone());
            }
            v
        }
    };
    let denied = |text: &str| {
        GatewayError::new(ResponseType::AccessDenied, text).with_message_key("Message")
    };
    match verdict.decide(exec, req)? {
        Decision::Allow => {}
        Decision::ExplicitDeny => {
            return Err(denied(
                "User is not authorized to access this resource with an explicit deny",
            ))
        }
        Decision::ImplicitDeny => {
            return Err(denied("User is not authorized to access this resource"))
        }
    }
    Ok(Granted {
        context: verdict.granted(),
        usage_identifier_key: verdict.usage_identifier_key.clone(),
    })
}

/// `{account}:{partition} NUL {api} NUL {stage} NUL {authorizer} NUL {identity values…}`,
/// written into one buffer (the formatting machinery cost ~1,500 instructions a hit).
fn cache_key(exec: &Exec<'_>, auth: &LambdaAuthorizer, values: &[String]) -> String {
    let partition = exec.tenant.partition();
    let parts = [
        exec.tenant.account(),
        ":",
        &partition,
        "\u{0}",
        exec.api_id,
        "\u{0}",
        exec.stage,
        "\u{0}",
        &auth.id,
    ];
    let len = parts.iter().map(|p| p.len()).sum::<usize>()
        + values.iter().map(|v| v.len() + 1).sum::<usize>();
    let mut key = String::with_capacity(len);
    for p in parts {
        key.push_str(p);
    }
    for v in values {
        key.push('\u{0}');
        key.push_str(v);
    }
    key
}

/// The identity values an authorizer is called (and cached) with, in source order; AWS's 401
/// when one is missing or empty (except for a `REQUEST` authorizer without caching, which
/// needs none: AWS's rule since 2023) or a `TOKEN` fails `identityValidationExpression`.
fn identity(
    exec: &Exec<'_>,
    req: &ClientRequest<'_>,
    auth: &LambdaAuthorizer,
    context: &(dyn Fn() -> Value + Sync),
) -> Result<Vec<String>, GatewayError> {
    let unauthorized = || GatewayError::new(ResponseType::Unauthorized, "Unauthorized");
    let values = match identity_values(exec, req, auth, context) {
        Some(v) => v,
        None if auth.kind == Kind::Request && auth.ttl.is_zero() => Vec::new(),
        None => return Err(unauthorized().with_detail("an identity source is missing or empty")),
    };
    if let (Some(v), [token]) = (&auth.validation, values.as_slice()) {
        if !v.0.is_match(token) {
            return Err(unauthorized().with_detail("the token fails identityValidationExpression"));
        }
    }
    Ok(values)
}

/// What TestInvokeAuthorizer shows of a Lambda authorizer's answer.
pub struct Tested {
    pub principal_id: Value,
    pub policy: Value,
    pub context: Map<String, Value>,
}

/// TestInvokeAuthorizer's run of a Lambda authorizer: the identity read and checked, the
/// function called (nothing cached, nothing read from the cache) and its answer read, each step
/// in `log` as AWS's execution log words it. The policy is returned, not evaluated: a test
/// names no method.
pub async fn test(
    exec: &Exec<'_>,
    req: &ClientRequest<'_>,
    auth: &LambdaAuthorizer,
    method_arn: &str,
    context: &(dyn Fn() -> Value + Sync),
    log: &mut ExecLog,
) -> Result<Tested, GatewayError> {
    log.add(|| {
        format!(
            "Starting authorizer: {} for request: {}",
            auth.id, exec.request_id
        )
    });
    let values = identity(exec, req, auth, context)?;
    log.add(|| {
        let shown: Vec<String> = auth
            .sources
            .iter()
            .zip(&values)
            .map(|(s, v)| format!("{}={}", s.expression(), mask(v)))
            .collect();
        format!("Incoming identity: {{{}}}", shown.join(", "))
    });
    let v = call(exec, req, &[], auth, method_arn, &values, context, log).await?;
    log.add(|| {
        format!(
            "Using valid authorizer policy for principal: {}",
            mask(&super::mapping::scalar_text(&v.principal_id))
        )
    });
    log.add(|| "Successfully completed authorizer execution".to_string());
    Ok(Tested {
        principal_id: v.principal_id,
        policy: v.policy,
        context: v.context,
    })
}

/// A secret as AWS's execution logs show it: stars, then its last 6 characters.
fn mask(v: &str) -> String {
    let n = v.chars().count();
    let keep = n.min(6);
    let tail: String = v.chars().skip(n - keep).collect();
    format!("{}{tail}", "*".repeat(n - keep))
}

fn tenant_key(t: &portico_core::Tenant) -> String {
    let mut k = String::with_capacity(t.account().len() + 1 + t.partition().len());
    k.push_str(t.account());
    k.push(':');
    k.push_str(&t.partition());
    k
}

fn config_error(detail: impl Into<String>) -> GatewayError {
    GatewayError::without_message(ResponseType::AuthorizerConfigurationError).with_detail(detail)
}

/// The identity values, in source order; `None` if one is missing or empty.
fn identity_values(
    exec: &Exec<'_>,
    req: &ClientRequest<'_>,
    auth: &LambdaAuthorizer,
    context: &(dyn Fn() -> Value + Sync),
) -> Option<Vec<String>> {
    let mut ctx = None;
    let mut out = Vec::with_capacity(auth.sources.len());
    for s in &auth.sources {
        let v = match s {
            IdentitySource::Header(h) => req
                .headers
                .get(h)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            IdentitySource::Query(q) => req
                .query
                .iter()
                .rev()
                .find(|(k, _)| k == q)
                .map(|(_, v)| v.clone()),
            IdentitySource::StageVariable(n) => {
                exec.variables.get(n).map(super::mapping::scalar_text)
            }
            IdentitySource::Context(path) => {
                let c = ctx.get_or_insert_with(context);
                let mut v: &Value = c;
                for part in path.split('.') {
                    v = v.get(part)?;
                }
                (!v.is_null()).then(|| super::mapping::scalar_text(v))
            }
        };
        out.push(v.filter(|v| !v.is_empty())?);
    }
    (!auth.sources.is_empty()).then_some(out)
}

/// Invoke the authorizer's function and read its answer (`log`: test-invoke's execution log;
/// off on the serving path).
#[allow(clippy::too_many_arguments)]
async fn call(
    exec: &Exec<'_>,
    req: &ClientRequest<'_>,
    path_params: &[(String, String)],
    auth: &LambdaAuthorizer,
    method_arn: &str,
    values: &[String],
    context: &(dyn Fn() -> Value + Sync),
    log: &mut ExecLog,
) -> Result<Verdict, GatewayError> {
    let Some(invoker) = exec.lambda else {
        return Err(config_error("no Lambda host to run the authorizer"));
    };
    let event = match auth.kind {
        Kind::Token => json!({
            "type": "TOKEN",
            "methodArn": method_arn,
            "authorizationToken": values.first().cloned().unwrap_or_default(),
        }),
        Kind::Request => {
            let context = context();
            let mut e = lambda_proxy::Event {
                req,
                path_params,
                stage_variables: exec.variables,
                context: &context,
                binary: false,
            }
            .to_value();
            if let Value::Object(m) = &mut e {
                m.remove("body");
                m.remove("isBase64Encoded");
                let mut out = Map::new();
                out.insert("type".into(), json!("REQUEST"));
                out.insert("methodArn".into(), json!(method_arn));
                out.extend(std::mem::take(m));
                *m = out;
            }
            e
        }
    };
    log.add(|| {
        format!(
            "Endpoint request URI: https://lambda.{}.amazonaws.com/2015-03-31/functions/{}/invocations",
            exec.tenant.region(),
            auth.function
        )
    });
    log.add(|| format!("Endpoint request body after transformations: {event}"));
    let invoked = invoker
        .invoke(
            exec.tenant,
            &auth.function,
            Bytes::from(event.to_string()),
            InvocationType::RequestResponse,
        )
        .await
        .map_err(|e| config_error(format!("authorizer {} not invoked: {e:?}", auth.id)))?;
    log.add(|| {
        format!(
            "Authorizer result body before parsing: {}",
            String::from_utf8_lossy(&invoked.payload)
        )
    });
    let answer: Value = serde_json::from_slice(&invoked.payload)
        .map_err(|_| config_error("the authorizer's answer is not JSON"))?;
    if invoked.function_error.is_some() {
        let message = answer.get("errorMessage").and_then(Value::as_str);
        if message == Some("Unauthorized") {
            return Err(GatewayError::new(
                ResponseType::Unauthorized,
                "Unauthorized",
            ));
        }
        return Err(config_error(format!(
            "the authorizer failed: {}",
            message.unwrap_or("(no errorMessage)")
        )));
    }
    let principal_id = match answer.get("principalId") {
        Some(p @ Value::String(_)) => p.clone(),
        Some(p @ Value::Number(_)) => Value::String(p.to_string()),
        _ => return Err(config_error("the authorizer's answer has no principalId")),
    };
    let policy = answer
        .get("policyDocument")
        .filter(|p| p.is_object())
        .cloned()
        .ok_or_else(|| config_error("the authorizer's answer has no policyDocument"))?;
    let context = match answer.get("context") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => {
            if m.values().any(|v| v.is_object() || v.is_array()) {
                return Err(config_error(
                    "the authorizer's context holds an object or a list (only strings, numbers and booleans are allowed)",
                ));
            }
            m.clone()
        }
        Some(_) => return Err(config_error("the authorizer's context is not an object")),
    };
    Ok(Verdict {
        decisions: Default::default(),
        principal_id,
        policy,
        context,
        usage_identifier_key: answer
            .get("usageIdentifierKey")
            .and_then(Value::as_str)
            .map(str::to_string),
        expires: Instant::now() + auth.ttl,
    })
}

/// The ARN of the method a request invokes, as authorizer policies name it:
/// `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}`.
pub fn method_arn(exec: &Exec<'_>, req: &ClientRequest<'_>) -> String {
    format!(
        "arn:aws:execute-api:{}:{}:{}/{}/{}/{}",
        exec.tenant.region(),
        exec.tenant.account(),
        exec.api_id,
        exec.stage,
        req.method.as_str(),
        req.path.strip_prefix('/').unwrap_or(req.path)
    )
}
