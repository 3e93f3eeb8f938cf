//! Process-wide state shared by every connection: configuration, store, the authenticator, each
//! management API's room, and the data plane. The only place that sees every crate.

use std::sync::Arc;

use portico_api_apigateway as apigateway;
use portico_api_apigatewayv2 as apigatewayv2;
use portico_api_huawei as huawei;
use portico_api_lambda as lambda;
use portico_core::ApiError;
use portico_gateway::DataPlane;
use portico_lambda_host as host;
use portico_model::LoadBalancers;
use portico_store::Store;
use serde_json::Value;

use crate::auth::Auth;
use crate::config::{Config, UserPoolKeys};
use crate::lambda_endpoints::Remote;
use crate::tls::Tls;

pub struct App {
    pub config: Config,
    pub store: Arc<dyn Store>,
    pub auth: Auth,
    /// The `apigateway` management API (REST APIs).
    pub apigateway: Arc<apigateway::Ctx>,
    /// The `apigatewayv2` management API (HTTP and WebSocket APIs).
    pub apigatewayv2: Arc<apigatewayv2::Ctx>,
    /// Huawei Cloud APIG (gateway instances, VPC-endpoint connections) and VPC Endpoint.
    pub huawei: Arc<huawei::Ctx>,
    /// The execute-api side: live compiled deployments, the backend client, metrics, metering.
    pub data: Arc<DataPlane>,
    /// The `lambda` management API.
    pub lambda: Arc<lambda::Ctx>,
    /// Runs Lambda functions (its own thread and runtime): what `lambda`'s Invoke and, through
    /// [`host::Host::invoke`], the data plane's Lambda integrations call.
    pub lambda_host: Arc<host::Host>,
    /// Certificates by SNI for `--tls-listen` (`None` without it).
    pub tls: Option<Arc<Tls>>,
}

impl App {
    pub fn new(config: Config, store: Arc<dyn Store>) -> std::io::Result<App> {
        let load_balancers: Arc<LoadBalancers> = Arc::new(config.balancers());
        let tls = Arc::new(portico_gateway::integrations::tls::Tls::new(
            &config.backend_roots,
        ));
        let remote = Arc::new(Remote::new(config.lambda_endpoints.clone(), tls.clone()));
        let mut data = DataPlane::with_options(store.clone(), load_balancers.clone(), tls);
        // The data plane verifies AWS_IAM invocations with the same credentials, through its
        // own verifier (and key cache).
        data.iam = Some(Arc::new(Auth::new(&config)));
        data.aws_services = config.aws_services.clone();
        if let Some(cluster) = &config.redis {
            let c = portico_gateway::metering::cluster::Cluster::start(cluster.clone())
                .map_err(std::io::Error::other)?;
            data.metering.enable_cluster(c.clone());
            data.http_apis.enable_cluster(c);
        }
        data.websockets.limits = config.websocket;
        for (arn, keys) in &config.user_pools {
            // Checked when the config was read.
            let added = match keys {
                UserPoolKeys::Jwks(jwks) => data.user_pools.add(arn, jwks),
                UserPoolKeys::Url { url, refresh } => data.user_pools.add_url(arn, url, *refresh),
            };
            if let Err(e) = added {
                tracing::error!(arn, "user pool not loaded: {e}");
            }
        }
        let lambda_root = config.data_dir.join("lambda");
        let mut host_config = host::HostConfig::new(lambda_root.clone());
        host_config.max_concurrency = config.lambda.max_concurrency;
        host_config.idle_timeout = config.lambda.idle_timeout;
        host_config.python = config.lambda.python.clone();
        host_config.node = config.lambda.node.clone();
        let lambda_host = Arc::new(host::Host::start(store.clone(), host_config)?);
        // AWS_PROXY / AWS integrations and Lambda authorizers run their functions here.
        // `[[lambda_endpoints]]`' ARNs go to their endpoint instead.
        data.lambda = Some(Arc::new(FunctionsPort {
            host: lambda_host.clone(),
            remote,
        }));
        let data = Arc::new(data);
        let port = Arc::new(DataPlanePort(data.clone()));
        Ok(App {
            lambda: Arc::new(lambda::Ctx::new(
                store.clone(),
                Arc::new(RuntimePort(lambda_host.clone())),
                lambda_root,
            )),
            lambda_host,
            auth: Auth::new(&config),
            apigateway: Arc::new(
                apigateway::Ctx::new(store.clone(), port).with_load_balancers(load_balancers),
            ),
            apigatewayv2: Arc::new(
                apigatewayv2::Ctx::new(store.clone())
                    .with_data_plane(Arc::new(DataPlanePort(data.clone()))),
            ),
            huawei: Arc::new(huawei::Ctx::new(store.clone(), config.region.clone())),
            data,
            config,
            store,
            tls: None,
        })
    }
}

/// The runtime host as the data plane sees it (its `LambdaInvoker` port): the gateway never
/// imports the host, the binary plugs one into the other. A function under a
/// `[[lambda_endpoints]]` prefix is invoked at that endpoint instead.
struct FunctionsPort {
    host: Arc<host::Host>,
    remote: Arc<Remote>,
}

impl portico_gateway::integrations::lambda::LambdaInvoker for FunctionsPort {
    fn invoke<'a>(
        &'a self,
        tenant: &'a portico_store::Tenant,
        function: &'a str,
        payload: bytes::Bytes,
        kind: portico_gateway::integrations::lambda::InvocationType,
    ) -> portico_gateway::integrations::lambda::InvokeFuture<'a> {
        use portico_gateway::integrations::lambda::{InvocationType, InvokeFailure, Invoked};
        Box::pin(async move {
            if let Some(ep) = self.remote.route(function) {
                return self
                    .remote
                    .invoke(ep, tenant.region(), function, payload, kind)
                    .await;
            }
            let req = host::InvokeRequest {
                function: function.to_string(),
                qualifier: None,
                payload,
                invocation_type: match kind {
                    InvocationType::RequestResponse => host::InvocationType::RequestResponse,
                    InvocationType::Event => host::InvocationType::Event,
                    InvocationType::DryRun => host::InvocationType::DryRun,
                },
                log_tail: false,
                client_context: None,
                stream: false,
            };
            match self.host.invoke_with(tenant, req).await {
                Ok(i) => Ok(Invoked {
                    payload: i.payload,
                    function_error: i.function_error,
                }),
                Err(host::InvokeError::NotFound(m)) => Err(InvokeFailure::NotFound(m)),
                Err(host::InvokeError::TooManyRequests(m)) => Err(InvokeFailure::Throttled(m)),
                Err(e) => Err(InvokeFailure::Other(e.message().to_string())),
            }
        })
    }
}

/// The runtime host as the `lambda` room sees it (its `Runtime` port).
struct RuntimePort(Arc<host::Host>);

impl lambda::Runtime for RuntimePort {
    fn invoke(
        &self,
        tenant: &portico_store::Tenant,
        i: lambda::Invocation,
    ) -> lambda::BoxFuture<'_, Result<lambda::Invoked, ApiError>> {
        let tenant = tenant.clone();
        Box::pin(async move {
            let req = host::InvokeRequest {
                function: i.function,
                qualifier: i.qualifier,
                payload: i.payload,
                invocation_type: match i.invocation_type {
                    lambda::InvocationType::RequestResponse => {
                        host::InvocationType::RequestResponse
                    }
                    lambda::InvocationType::Event => host::InvocationType::Event,
                    lambda::InvocationType::DryRun => host::InvocationType::DryRun,
                },
                log_tail: i.log_tail,
                client_context: i.client_context,
                stream: i.stream,
            };
            match self.0.invoke_with(&tenant, req).await {
                Ok(r) => Ok(lambda::Invoked {
                    status: r.status,
                    payload: r.payload,
                    function_error: r.function_error,
                    executed_version: r.executed_version,
                    log_tail: r.log_tail,
                    content_type: r.content_type,
                    stream_error: r.stream_error,
                }),
                Err(e) => Err(ApiError::new(e.status(), e.code(), e.message())),
            }
        })
    }
}

/// The data plane as the `apigateway` and `apigatewayv2` rooms see it (their `DataPlane`
/// ports): a room never imports the data plane, the binary plugs one into the other.
struct DataPlanePort(Arc<DataPlane>);

impl apigatewayv2::DataPlane for DataPlanePort {
    fn reset_authorizers_cache(&self, tenant: &portico_store::Tenant, api_id: &str, stage: &str) {
        self.0
            .http_authorizer_cache
            .flush_stage(tenant, api_id, stage);
    }
}

impl apigateway::DataPlane for DataPlanePort {
    fn flush_stage_cache(&self, tenant: &portico_store::Tenant, api_id: &str, stage: &str) {
        // The stage as the registry knows it: apply what the store announced first.
        self.0.registry.sync();
        self.0.registry.flush_cache(tenant, api_id, stage);
    }

    fn flush_authorizers_cache(&self, tenant: &portico_store::Tenant, api_id: &str, stage: &str) {
        self.0.authorizer_cache.flush_stage(tenant, api_id, stage);
    }

    fn flush_usage(&self) {
        self.0.metering.flush_all();
    }

    fn shared_usage(
        &self,
        tenant: &portico_store::Tenant,
        plan_id: &str,
        key_id: &str,
        quota: portico_model::quota::Quota,
    ) -> Option<portico_model::quota::SharedPeriod> {
        self.0
            .metering
            .shared_period(tenant, plan_id, key_id, quota)
    }

    fn set_shared_remaining(
        &self,
        tenant: &portico_store::Tenant,
        plan_id: &str,
        key_id: &str,
        quota: portico_model::quota::Quota,
        remaining: i64,
    ) -> Result<Option<i64>, String> {
        self.0
            .metering
            .set_shared_remaining(tenant, plan_id, key_id, quota, remaining)
    }

    fn apply_changes(&self) {
        self.0.sync();
    }

    fn test_authorizer(
        &self,
        t: apigateway::TestAuthorizer,
    ) -> apigateway::BoxFuture<'_, Result<Value, ApiError>> {
        Box::pin(async move {
            portico_gateway::rest::test_authorizer::run(
                &self.0,
                &t.tenant,
                &t.api_id,
                &t.authorizer_id,
                &t.snapshot,
                &t.input,
            )
            .await
        })
    }

    fn test_invoke(
        &self,
        t: apigateway::TestInvoke,
    ) -> apigateway::BoxFuture<'_, Result<Value, ApiError>> {
        Box::pin(async move {
            portico_gateway::rest::test_invoke::run(
                &self.0,
                &t.tenant,
                &t.api_id,
                &t.resource_id,
                &t.http_method,
                &t.snapshot,
                &t.input,
            )
            .await
        })
    }
}
