//! TestInvokeAuthorizer's run: one authorizer of an API's current definition run against a
//! simulated request, through the same code the serving path uses (`lambda_authorizer` for
//! `TOKEN`/`REQUEST`, `authorize::cognito_claims` for `COGNITO_USER_POOLS`), answered in AWS's
//! shape `{clientStatus, log, latency, principalId, policy, authorization, claims}`. The
//! management API freezes the definition and checks the authorizer exists; this is the data
//! plane's half.
//!
//! As on AWS, the simulated call is a `GET` of `pathWithQueryString` (default `/`) on the
//! stage `test-invoke-stage`, and the function sees the method ARN
//! `arn:aws:execute-api:{region}:{account}:{api}/ESTestInvoke-stage/GET/{path}` (AWS's recorded
//! test events). Nothing is read from or written to the authorizer cache.

use std::time::Instant;

use hyper::Method;
use portico_core::{ApiError, Tenant};
use portico_model::DeploymentSnapshot;
use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use super::authorize::{cognito_claims, Authorized};
use super::compile::{self, CognitoCheck};
use super::context::Ids;
use super::gateway_responses::GatewayError;
use super::lambda_authorizer::{self, LambdaAuthorizer};
use super::pipeline::{build_context, Exec, ExecLog};
use super::test_invoke::{execution_log, Simulated};
use crate::DataPlane;

pub async fn run(
    dp: &DataPlane,
    tenant: &Tenant,
    api_id: &str,
    authorizer_id: &str,
    snapshot: &DeploymentSnapshot,
    input: &Map<String, Value>,
) -> Result<Value, ApiError> {
    let authorizer = snapshot
        .authorizers
        .iter()
        .filter_map(|d| serde_json::from_value::<portico_model::Authorizer>(d.clone()).ok())
        .find(|a| a.id == authorizer_id)
        .ok_or_else(|| ApiError::not_found("Invalid Authorizer identifier specified"))?;
    let deployment = compile::deployment("test-invoke-deployment-id", snapshot);
    let sim = Simulated::read(input, "/")?;
    let req = sim.request(Method::GET);
    let received = OffsetDateTime::now_utc();
    let ids = Ids::new(received);
    let [request_id, extended_id, trace_id] = ids.texts();
    let exec = Exec {
        tenant,
        api_id,
        stage: "test-invoke-stage",
        deployment: &deployment,
        variables: &sim.variables,
        is_canary: None,
        request_id,
        extended_id,
        trace_id,
        received,
        client: &dp.client,
        client_cert: None,
        cache: None,
        execution_log: true,
        metering: None,
        iam: None,
        user_pools: Some(&dp.user_pools),
        lambda: dp.lambda.as_deref(),
        // A test neither reads nor fills the stage's authorizer cache.
        authorizer_cache: None,
        aws_services: None,
    };
    let started = Instant::now();
    let mut log = ExecLog::on();
    let mut answer = Map::new();
    let outcome: Result<(), GatewayError> = match authorizer.kind.as_str() {
        "COGNITO_USER_POOLS" => {
            let check = CognitoCheck {
                header: authorizer
                    .identity_source
                    .as_deref()
                    .and_then(|s| s.strip_prefix("method.request.header."))
                    .and_then(|h| hyper::header::HeaderName::from_bytes(h.as_bytes()).ok())
                    .unwrap_or(hyper::header::AUTHORIZATION),
                pool_arns: authorizer.provider_arns.clone().unwrap_or_default(),
                // A test names no method, so no method's scopes apply.
                scopes: Vec::new(),
            };
            log.add(|| {
                format!(
                    "Starting authorizer: {} for request: {request_id}",
                    authorizer.id
                )
            });
            cognito_claims(&exec, &req, &check).await.map(|claims| {
                log.add(|| "Successfully completed authorizer execution".to_string());
                let claims = crate::cognito::claims_context(&claims);
                answer.insert("claims".into(), claims);
            })
        }
        _ => match LambdaAuthorizer::compile(&authorizer) {
            None => Err(GatewayError::config(format!(
                "authorizer {} is not a Lambda authorizer Portico can run",
                authorizer.id
            ))),
            Some(auth) => {
                let arn = format!(
                    "arn:aws:execute-api:{}:{}:{api_id}/ESTestInvoke-stage/GET/{}",
                    tenant.region(),
                    tenant.account(),
                    sim.path.strip_prefix('/').unwrap_or(&sim.path)
                );
                let nobody = Authorized::default();
                let context = || {
                    build_context(
                        &exec,
                        &req,
                        "test-invoke-resource-id",
                        &sim.path,
                        &nobody,
                        None,
                    )
                };
                lambda_authorizer::test(&exec, &req, &auth, &arn, &context, &mut log)
                    .await
                    .map(|t| {
                        answer.insert(
                            "principalId".into(),
                            Value::String(super::mapping::scalar_text(&t.principal_id)),
                        );
                        answer.insert("policy".into(), Value::String(t.policy.to_string()));
                        // Decision: AWS's model documents `authorization` only as "the
                        // authorization response"; Portico lists the authorizer's `context`
                        // there, each value as text.
                        let authorization: Map<String, Value> = t
                            .context
                            .iter()
                            .map(|(k, v)| (k.clone(), json!([super::mapping::scalar_text(v)])))
                            .collect();
                        answer.insert("authorization".into(), Value::Object(authorization));
                    })
            }
        },
    };
    // Decision: a successful run answers clientStatus 200 (what AWS's console and CLI show),
    // although the model's documentation says 0.
    let status = match &outcome {
        Ok(()) => 200,
        Err(e) => {
            if let Some(d) = &e.detail {
                log.add(|| d.clone());
            }
            match e.kind {
                super::gateway_responses::ResponseType::Unauthorized => {
                    log.add(|| format!("Unauthorized request: {request_id}"));
                    log.add(|| "Unauthorized".to_string());
                }
                super::gateway_responses::ResponseType::AuthorizerConfigurationError
                | super::gateway_responses::ResponseType::ApiConfigurationError => {
                    log.add(|| {
                        "Execution failed due to configuration error: Authorizer error".to_string()
                    });
                    log.add(|| "AuthorizerConfigurationException".to_string());
                }
                _ => {}
            }
            e.status.unwrap_or(e.kind.default_status())
        }
    };
    let latency = started.elapsed().as_millis() as u64;
    answer.insert("clientStatus".into(), json!(status));
    answer.insert(
        "log".into(),
        Value::String(execution_log(request_id, received, &log.lines())),
    );
    answer.insert("latency".into(), json!(latency));
    Ok(Value::Object(answer))
}
