//! An HTTP API deployment (the routes and integrations a `v2deployment` froze) compiled once
//! into what requests read: the route trie, each route's authorization and integration, each
//! integration's target and parsed parameter mappings. The API's authorizers and CORS
//! configuration are compiled beside it (`registry`), since AWS applies their changes without
//! a new deployment.

use std::sync::Arc;
use std::time::Duration;

use hyper::Method;
use portico_model::integration_subtype::{self, Subtype};
use portico_model::v2;
use portico_model::{Entity, LoadBalancers};
use serde_json::Value;

use super::params::{self, Expr, Mapping, Target as MapTarget};
use super::router::{self, Router, Segment};
use crate::integrations::http::Endpoint;
use crate::integrations::lambda::function_of_uri;
use crate::integrations::tls::TlsSettings;
use crate::integrations::vpc_link::Link;

pub struct HttpDeployment {
    pub id: String,
    pub router: Router,
    pub routes: Vec<RoutePlan>,
    pub integrations: Vec<IntegrationPlan>,
}

pub struct RoutePlan {
    /// `GET /pets/{id}` or `$default`: `$context.routeKey`.
    pub key: String,
    pub id: String,
    /// Path variable names in path order (a greedy one last).
    pub params: Vec<String>,
    /// Index into [`HttpDeployment::integrations`]; `None`: the route has no target.
    pub integration: Option<usize>,
    pub auth: RouteAuth,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteAuth {
    None,
    /// A JWT authorizer, and the scopes one of which the token must hold.
    Jwt {
        authorizer: String,
        scopes: Vec<String>,
    },
    /// A Lambda REQUEST authorizer.
    Custom {
        authorizer: String,
    },
    /// `AWS_IAM`.
    Iam,
}

#[derive(Debug)]
pub enum Target {
    /// `HTTP_PROXY` over the internet: the URI as configured (stage variables filled in per
    /// request) and the method sent (`ANY`: the client's).
    HttpProxy {
        /// The URI, parsed once: `${stageVariables.x}` parts are filled in per request.
        uri: Expr,
        /// The URI's scheme and authority, parsed once when they are literal: a request then
        /// only appends its target (`origin_of`).
        origin: Option<Endpoint>,
        method: Option<Method>,
        /// A private integration (`VPC_LINK`): the load balancer's addresses, connected to in
        /// turn; `uri` is then `http(s)://{first address}`.
        via: Option<Arc<Link>>,
    },
    /// `AWS_PROXY` to a Lambda function, payload format 2.0 or 1.0; the function's name or
    /// ARN, parsed once (a stage variable may name it).
    Lambda { function: Expr, v2: bool },
    /// `AWS_PROXY` with an `integrationSubtype`: the subtype and its request parameters'
    /// values, parsed once (`http::aws_service`).
    AwsService {
        subtype: &'static Subtype,
        params: Vec<(&'static str, Expr)>,
    },
    /// What Portico does not serve yet: the client gets a 500 and the log says why.
    Unsupported(String),
}

#[derive(Debug)]
pub struct IntegrationPlan {
    pub id: String,
    pub target: Target,
    pub timeout: Duration,
    pub request: Vec<Mapping>,
    /// By the integration's status code.
    pub response: Vec<(u16, Vec<Mapping>)>,
    pub tls: TlsSettings,
    /// Does some request mapping read the body as JSON?
    pub reads_body: bool,
    /// Does some request mapping change a header? Without one, the client's headers are sent
    /// as they arrived (less those not forwarded), not copied.
    pub maps_headers: bool,
}

/// Compile one deployment. Routes and integrations that do not read back are skipped (and
/// logged): the rest of the API is still served.
pub fn deployment(api_id: &str, d: &v2::Deployment, balancers: &LoadBalancers) -> HttpDeployment {
    let integrations: Vec<v2::Integration> = d
        .integrations
        .iter()
        .filter_map(|v| read::<v2::Integration>(api_id, v))
        .collect();
    let plans: Vec<IntegrationPlan> = integrations
        .iter()
        .map(|i| integration(i, balancers))
        .collect();
    let mut router = Router::default();
    let mut routes = Vec::new();
    for r in d.routes.iter().filter_map(|v| read::<v2::Route>(api_id, v)) {
        let integration = r
            .integration_id()
            .and_then(|id| integrations.iter().position(|i| i.integration_id == id));
        let index = routes.len();
        let mut params = Vec::new();
        if r.route_key == "$default" {
            router.set_default(index);
        } else {
            let Some((method, path)) = r.route_key.split_once(' ') else {
                tracing::warn!(api_id, route = r.route_key, "not a route key; not served");
                continue;
            };
            let Some(segments) = router::parse_path(path) else {
                tracing::warn!(api_id, route = r.route_key, "not a route path; not served");
                continue;
            };
            let method = match method {
                "ANY" => None,
                m => match m.parse::<Method>() {
                    Ok(m) => Some(m),
                    Err(_) => continue,
                },
            };
            for s in &segments {
                if let Segment::Param(n) | Segment::Greedy(n) = s {
                    params.push(n.clone());
                }
            }
            router.add(method, &segments, index);
        }
        let auth = match (r.authorization_type.as_str(), &r.authorizer_id) {
            ("JWT", Some(a)) => RouteAuth::Jwt {
                authorizer: a.clone(),
                scopes: r.authorization_scopes.clone(),
            },
            ("CUSTOM", Some(a)) => RouteAuth::Custom {
                authorizer: a.clone(),
            },
            ("AWS_IAM", _) => RouteAuth::Iam,
            _ => RouteAuth::None,
        };
        routes.push(RoutePlan {
            key: r.route_key.clone(),
            id: r.route_id.clone(),
            params,
            integration,
            auth,
        });
    }
    HttpDeployment {
        id: d.deployment_id.clone(),
        router,
        routes,
        integrations: plans,
    }
}

fn read<T: Entity>(api_id: &str, v: &Value) -> Option<T> {
    T::from_value(v)
        .map_err(|e| tracing::error!(api_id, "a deployed route or integration does not read: {e}"))
        .ok()
}

fn method_of(i: &v2::Integration) -> Option<Method> {
    i.integration_method
        .as_deref()
        .filter(|m| *m != "ANY")
        .and_then(|m| m.parse().ok())
}

/// A private integration: its URI names an ELB listener or a Cloud Map service (optionally
/// with `?attribute=value` filters), resolved here, once, to the addresses the config file
/// gives for it (`LoadBalancers::resolve`). `TlsConfig` makes the traffic HTTPS, as on AWS
/// ("By default, private integration traffic uses the HTTP protocol"); a listener whose
/// protocol disagrees (HTTPS or TLS without it, HTTP with it) could not be talked to, so it
/// answers 500 like an unknown one, and the log says why.
fn private(i: &v2::Integration, uri: &str, balancers: &LoadBalancers) -> Target {
    let unusable = |why: String| {
        Target::Unsupported(format!("private integration {}: {why}", i.integration_id))
    };
    let resolved = match balancers.resolve(uri) {
        Ok(r) => r,
        Err(why) => return unusable(why),
    };
    let tls = i.tls_config.is_some();
    if let Some(p) = resolved.protocol {
        if p.wants_tls().is_some_and(|wants| wants != tls) {
            return unusable(format!(
                "listener {uri} speaks {} and the integration {} TlsConfig",
                p.as_str(),
                if tls { "has a" } else { "has no" }
            ));
        }
    }
    let scheme = if tls { "https" } else { "http" };
    let uri = params::parse(&format!("{scheme}://{}", resolved.addresses[0]));
    Target::HttpProxy {
        origin: origin_of(&uri),
        uri,
        method: method_of(i),
        via: Some(Arc::new(Link::new(
            i.connection_id.clone().unwrap_or_default(),
            Ok(resolved.addresses),
        ))),
    }
}

/// `scheme://authority` of an integration URI whose text up to its path is literal, parsed.
pub(crate) fn origin_of(uri: &Expr) -> Option<Endpoint> {
    let Some(params::Part::Text(text)) = uri.0.first() else {
        return None;
    };
    let after_scheme = text.find("://")? + 3;
    let end = match text[after_scheme..].find(['/', '?']) {
        Some(i) => after_scheme + i,
        // The whole URI is this text, or a variable may go on with the authority.
        None if uri.0.len() == 1 => text.len(),
        None => return None,
    };
    Endpoint::parse(text[..end].to_string()).ok()
}

fn integration(i: &v2::Integration, balancers: &LoadBalancers) -> IntegrationPlan {
    let uri = i.integration_uri.clone().unwrap_or_default();
    let target = match (i.integration_type.as_str(), i.connection_type.as_str()) {
        ("HTTP_PROXY", "INTERNET") => {
            let uri = params::parse(&uri);
            Target::HttpProxy {
                origin: origin_of(&uri),
                uri,
                method: method_of(i),
                via: None,
            }
        }
        ("HTTP_PROXY", _) => private(i, &uri, balancers),
        ("AWS_PROXY", _) if i.integration_subtype.is_some() => {
            let name = i.integration_subtype.as_deref().unwrap_or_default();
            match integration_subtype::find(name) {
                Some(subtype) => Target::AwsService {
                    subtype,
                    // The names as the subtype spells them (the management API checked them).
                    params: i
                        .request_parameters
                        .iter()
                        .flatten()
                        .filter_map(|(k, v)| {
                            let name = std::iter::once(&"Region")
                                .chain(subtype.required)
                                .chain(subtype.optional)
                                .find(|n| **n == k.as_str())?;
                            Some((*name, params::parse(v)))
                        })
                        .collect(),
                },
                None => Target::Unsupported(format!("{name:?} is no integration subtype")),
            }
        }
        ("AWS_PROXY", _) => match lambda_function(&uri) {
            Some(f) => Target::Lambda {
                function: params::parse(f),
                v2: i.payload_format_version != "1.0",
            },
            None => Target::Unsupported(format!("{uri:?} names no Lambda function")),
        },
        (t, _) => Target::Unsupported(format!("{t} integrations are not served for HTTP APIs")),
    };
    let request: Vec<Mapping> = i
        .request_parameters
        .iter()
        .flatten()
        .filter_map(|(k, v)| params::mapping(k, v))
        .filter(|m| !matches!(&m.target, MapTarget::Header(h) if params::is_reserved_header(h)))
        .collect();
    let response = i
        .response_parameters
        .iter()
        .flatten()
        .filter_map(|(status, m)| {
            let status = status.parse().ok()?;
            Some((
                status,
                m.iter()
                    .filter_map(|(k, v)| params::mapping(k, v))
                    .collect(),
            ))
        })
        .collect();
    let tls = TlsSettings {
        insecure: false,
        server_name: i
            .tls_config
            .as_ref()
            .and_then(|t| t.server_name_to_verify.clone())
            .and_then(|n| rustls::pki_types::ServerName::try_from(n).ok()),
    };
    let reads_body = request.iter().any(|m| m.value.reads_request_body())
        || matches!(&target, Target::AwsService { params, .. }
            if params.iter().any(|(_, v)| v.reads_request_body()));
    let maps_headers = request
        .iter()
        .any(|m| matches!(m.target, MapTarget::Header(_)));
    IntegrationPlan {
        id: i.integration_id.clone(),
        target,
        timeout: Duration::from_millis(i.timeout_in_millis.clamp(50, 30_000) as u64),
        reads_body,
        maps_headers,
        request,
        response,
        tls,
    }
}

/// The function an `AWS_PROXY` integration URI names: a function ARN (what HTTP APIs usually
/// hold) or API Gateway's invocation URI.
pub(crate) fn lambda_function(uri: &str) -> Option<&str> {
    if uri.starts_with("arn:") && !uri.contains(":lambda:path/") && uri.contains(":function:") {
        return Some(uri);
    }
    function_of_uri(uri)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const LAMBDA: &str = "arn:aws:lambda:us-east-1:000000000000:function:f";

    #[test]
    fn a_deployment_compiles_to_routes_and_integrations() {
        let d: v2::Deployment = serde_json::from_value(json!({
            "deploymentId": "d1", "createdDate": "x", "deploymentStatus": "DEPLOYED",
            "_routes": [
                {"routeId": "r1", "routeKey": "GET /pets/{id}", "authorizationType": "NONE",
                 "target": "integrations/i1"},
                {"routeId": "r2", "routeKey": "$default", "authorizationType": "JWT",
                 "authorizerId": "a1", "authorizationScopes": ["read"], "target": "integrations/i2"},
                {"routeId": "r3", "routeKey": "bad", "authorizationType": "NONE"}
            ],
            "_integrations": [
                {"integrationId": "i1", "integrationType": "HTTP_PROXY", "connectionType": "INTERNET",
                 "integrationMethod": "ANY", "integrationUri": "http://127.0.0.1:1/x",
                 "payloadFormatVersion": "1.0", "timeoutInMillis": 30000,
                 "requestParameters": {"overwrite:header.x": "$request.body.a",
                                       "overwrite:header.Host": "reserved.example"},
                 "responseParameters": {"200": {"overwrite:statuscode": "201"}}},
                {"integrationId": "i2", "integrationType": "AWS_PROXY", "connectionType": "INTERNET",
                 "integrationUri": LAMBDA,
                 "payloadFormatVersion": "2.0", "timeoutInMillis": 30000}
            ]
        }))
        .unwrap();
        let c = deployment("api", &d, &LoadBalancers::default());
        assert_eq!(c.routes.len(), 2);
        assert_eq!(c.routes[0].params, vec!["id".to_string()]);
        assert_eq!(
            c.routes[1].auth,
            RouteAuth::Jwt {
                authorizer: "a1".into(),
                scopes: vec!["read".into()]
            }
        );
        let m = c.router.find(&Method::GET, "/pets/1").unwrap();
        assert_eq!((m.route, m.values), (0, vec!["1".to_string()]));
        assert_eq!(c.router.find(&Method::POST, "/pets/1").unwrap().route, 1);
        assert!(c.integrations[0].reads_body);
        assert_eq!(
            c.integrations[0].request.len(),
            1,
            "a reserved header is not mapped"
        );
        assert_eq!(c.integrations[0].response[0].0, 200);
        assert!(matches!(
            c.integrations[0].target,
            Target::HttpProxy { method: None, .. }
        ));
        assert!(
            matches!(&c.integrations[1].target, Target::Lambda { v2: true, function } if function.0 == [params::Part::Text(LAMBDA.into())])
        );
    }
}
