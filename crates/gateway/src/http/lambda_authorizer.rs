//! Lambda `REQUEST` authorizers of HTTP APIs (http-api-lambda-authorizer.html): the function
//! gets the request as a payload-2.0 (or 1.0) authorizer event — the integration's event
//! without its body, plus `type`, `routeArn` (`methodArn` in 1.0) and `identitySource` — and
//! answers either simply (`{"isAuthorized", "context"}`, 2.0 with `enableSimpleResponses`) or
//! with an IAM policy (`{"principalId", "policyDocument", "context"}`), evaluated for the
//! route's ARN. A request missing one of the identity sources is refused (401) without calling
//! the function; a refusal is 403 `Forbidden`; a failing or malformed function is 500.
//! With `authorizerResultTtlInSeconds`, answers are cached by the identity sources' values
//! (per API, stage and authorizer); a cached policy is evaluated again for each route.
//! The context reaches the integration as `requestContext.authorizer.lambda`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::{json, Map, Value};

use super::params::{Expr, Sources};
use crate::integrations::lambda::LambdaInvoker;
use crate::policy::{self, Decision};

/// A compiled REQUEST authorizer.
#[derive(Debug)]
pub struct RequestAuthorizer {
    pub id: String,
    pub function: String,
    pub v2: bool,
    pub simple: bool,
    pub ttl: Duration,
    /// The identity sources (`$request.header.Authorization`, `$request.querystring.x`…).
    pub identity: Vec<Expr>,
}

/// Why a request was not let through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// An identity source is missing: 401 `Unauthorized`.
    Unauthorized,
    /// The function said no: 403 `Forbidden`.
    Forbidden,
    /// The function failed or answered something unreadable: 500.
    Failed(String),
}

/// Cached answers, by API, stage, authorizer and identity.
pub struct AnswerCache {
    entries: moka::sync::Cache<String, (Instant, Arc<Value>)>,
}

impl Default for AnswerCache {
    fn default() -> Self {
        AnswerCache {
            entries: moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(3600))
                .build(),
        }
    }
}

impl AnswerCache {
    /// The scope of a stage's entries (what [`RequestAuthorizer::authorize`] takes).
    pub fn scope(tenant: &portico_core::Tenant, api_id: &str, stage: &str) -> String {
        format!(
            "{}\u{1}{}\u{1}{api_id}\u{1}{stage}",
            tenant.account(),
            tenant.region()
        )
    }

    /// ResetAuthorizersCache: forget the answers cached for one stage.
    pub fn flush_stage(&self, tenant: &portico_core::Tenant, api_id: &str, stage: &str) {
        let prefix = format!("{}\u{1}", AnswerCache::scope(tenant, api_id, stage));
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

impl RequestAuthorizer {
    /// The identity's values, or `None` when one is missing.
    pub fn identity_values(&self, src: &dyn Sources) -> Option<Vec<String>> {
        let mut out = Vec::with_capacity(self.identity.len());
        for e in &self.identity {
            let v = e.eval(src, None);
            if v.is_empty() {
                return None;
            }
            out.push(v);
        }
        Some(out)
    }

    /// Run the authorizer: `event` is the integration's event of the same payload version
    /// (its body is dropped here); the answer is `requestContext.authorizer`.
    #[allow(clippy::too_many_arguments)]
    pub async fn authorize(
        &self,
        invoker: &dyn LambdaInvoker,
        cache: &AnswerCache,
        tenant: &portico_core::Tenant,
        cache_scope: &str,
        mut event: Value,
        identity: Vec<String>,
        route_arn: &str,
    ) -> Result<Value, Refusal> {
        let key = format!(
            "{cache_scope}\u{1}{}\u{1}{}",
            self.id,
            identity.join("\u{1}")
        );
        let cached = (!self.ttl.is_zero())
            .then(|| cache.entries.get(&key))
            .flatten()
            .filter(|(at, _)| at.elapsed() < self.ttl);
        let answer = match cached {
            Some((_, a)) => a,
            None => {
                if let Value::Object(m) = &mut event {
                    m.remove("body");
                    m.remove("isBase64Encoded");
                    m.insert("type".into(), "REQUEST".into());
                    if self.v2 {
                        m.insert("routeArn".into(), route_arn.into());
                        m.insert("identitySource".into(), json!(identity));
                    } else {
                        // AWS's recorded 1.0 authorizer event has neither multi-value map,
                        // and no authorizer yet.
                        m.remove("multiValueHeaders");
                        m.remove("multiValueQueryStringParameters");
                        if let Some(Value::Object(c)) = m.get_mut("requestContext") {
                            c.remove("authorizer");
                        }
                        m.insert("methodArn".into(), route_arn.into());
                        m.insert("identitySource".into(), identity.join(",").into());
                        m.insert("authorizationToken".into(), identity.join(",").into());
                    }
                }
                let payload = Bytes::from(event.to_string());
                let invoked = invoker
                    .invoke(
                        tenant,
                        &self.function,
                        payload,
                        crate::integrations::lambda::InvocationType::RequestResponse,
                    )
                    .await
                    .map_err(|e| Refusal::Failed(format!("authorizer not invoked: {e:?}")))?;
                if invoked.function_error.is_some() {
                    return Err(Refusal::Failed("the authorizer function failed".into()));
                }
                let doc: Value = serde_json::from_slice(&invoked.payload)
                    .map_err(|_| Refusal::Failed("the authorizer's answer is not JSON".into()))?;
                let doc = Arc::new(doc);
                if !self.ttl.is_zero() {
                    cache.entries.insert(key, (Instant::now(), doc.clone()));
                }
                doc
            }
        };
        self.verdict(&answer, route_arn)
    }

    fn verdict(&self, answer: &Value, route_arn: &str) -> Result<Value, Refusal> {
        let context = match answer.get("context") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(m)) => m.clone(),
            Some(_) => {
                return Err(Refusal::Failed(
                    "the authorizer's context is not an object".into(),
                ))
            }
        };
        if self.v2 && self.simple {
            return match answer.get("isAuthorized") {
                Some(Value::Bool(true)) => Ok(json!({ "lambda": context })),
                Some(Value::Bool(false)) => Err(Refusal::Forbidden),
                _ => Err(Refusal::Failed(
                    "the authorizer's simple answer has no boolean isAuthorized".into(),
                )),
            };
        }
        let policy = answer.get("policyDocument").ok_or_else(|| {
            Refusal::Failed("the authorizer's answer has no policyDocument".into())
        })?;
        match policy::evaluate(policy, route_arn) {
            Ok(Decision::Allow) => {
                let mut out = json!({ "lambda": context });
                if let (Some(p), Value::Object(m)) = (answer.get("principalId"), &mut out) {
                    m.insert("principalId".into(), p.clone());
                }
                Ok(out)
            }
            Ok(_) => Err(Refusal::Forbidden),
            Err(e) => Err(Refusal::Failed(format!("malformed policy: {}", e.0))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn authorizer(simple: bool) -> RequestAuthorizer {
        RequestAuthorizer {
            id: "a".into(),
            function: "f".into(),
            v2: true,
            simple,
            ttl: Duration::ZERO,
            identity: vec![],
        }
    }

    #[test]
    fn simple_and_policy_answers() {
        let arn = "arn:aws:execute-api:us-east-1:000000000000:api/$default/GET/pets";
        let a = authorizer(true);
        assert_eq!(
            a.verdict(&json!({"isAuthorized": true, "context": {"u": "1"}}), arn),
            Ok(json!({"lambda": {"u": "1"}}))
        );
        assert_eq!(
            a.verdict(&json!({"isAuthorized": false}), arn),
            Err(Refusal::Forbidden)
        );
        assert!(matches!(
            a.verdict(&json!({}), arn),
            Err(Refusal::Failed(_))
        ));
        let p = authorizer(false);
        let allow = json!({"principalId": "me", "policyDocument": {"Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow",
                           "Resource": "arn:aws:execute-api:us-east-1:000000000000:api/*/GET/*"}]}});
        assert_eq!(
            p.verdict(&allow, arn),
            Ok(json!({"lambda": {}, "principalId": "me"}))
        );
        let other = "arn:aws:execute-api:us-east-1:000000000000:api/$default/POST/pets";
        assert_eq!(p.verdict(&allow, other), Err(Refusal::Forbidden));
    }
}
