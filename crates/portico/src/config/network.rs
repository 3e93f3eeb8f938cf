//! What Portico serves TLS with and sends to: certificates, load balancers and their listeners,
//! Cloud Map services, and the CA roots trusted for `https://` backends.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{Config, ConfigError};

/// `[[certificates]] arn = "arn:aws:acm:…:certificate/ID"`, `cert_file = "chain.pem"` (leaf
/// first), `key_file = "key.pem"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateFile {
    pub arn: String,
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
}

/// `[[load_balancers]] arn = "arn:aws:elasticloadbalancing:…:loadbalancer/{net|app}/NAME/ID"`,
/// `targets = ["127.0.0.1:8081", …]`, and optionally its listeners (`[[load_balancers.listeners]]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancer {
    pub arn: String,
    /// Where the balancer sends; a balancer whose listeners all have their own may omit it.
    #[serde(default)]
    pub targets: Vec<String>,
    /// When listed, the only listeners the balancer has; when not, any listener ARN under the
    /// balancer is taken (plain HTTP through it; what Portico did before listeners).
    #[serde(default)]
    pub listeners: Vec<ListenerFile>,
}

/// `arn = "arn:aws:elasticloadbalancing:…:listener/{net|app}/NAME/ID/LISTENER"`,
/// `protocol` (`HTTP`/`HTTPS` for an ALB, default HTTP; `TCP`/`TLS` for an NLB, default TCP),
/// and `targets` of its own (default: the balancer's).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListenerFile {
    pub arn: String,
    pub protocol: Option<String>,
    pub targets: Option<Vec<String>>,
}

/// `[[cloud_map_services]] arn = "arn:aws:servicediscovery:REGION:ACCOUNT:service/srv-ID"`,
/// `instances = [{ ipv4 = "127.0.0.1", port = 8081, attributes = { stage = "prod" } }, …]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloudMapService {
    pub arn: String,
    #[serde(default)]
    pub instances: Vec<CloudMapInstanceFile>,
}

/// An instance as Cloud Map registers it: `AWS_INSTANCE_IPV4`, `AWS_INSTANCE_PORT`, and custom
/// attributes (what an integration URI's `?name=value` filters on).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloudMapInstanceFile {
    pub ipv4: std::net::Ipv4Addr,
    pub port: u16,
    #[serde(default)]
    pub attributes: std::collections::BTreeMap<String, String>,
}

/// `backend_ca_file`'s certificates; an error names the file.
pub(super) fn read_roots(
    path: &Path,
) -> Result<Vec<portico_gateway::integrations::tls::CertificateDer<'static>>, ConfigError> {
    let pem = std::fs::read(path)
        .map_err(|e| ConfigError(format!("backend_ca_file {}: {e}", path.display())))?;
    portico_gateway::integrations::tls::parse_roots(&pem)
        .map_err(|e| ConfigError(format!("backend_ca_file {}: {e}", path.display())))
}

/// Each entry names a network load balancer by its ARN, once, with at least one `host:port`.
pub(super) fn check_load_balancers(
    list: Vec<LoadBalancer>,
) -> Result<Vec<LoadBalancer>, ConfigError> {
    use portico_model::balancers::{balancer_kind, listener_balancer, ListenerProtocol};
    let err = |m: String| Err(ConfigError(format!("load_balancers: {m}")));
    let mut listeners: Vec<&str> = Vec::new();
    for (i, lb) in list.iter().enumerate() {
        let Some(kind) = balancer_kind(&lb.arn) else {
            return err(format!(
                "{:?} is not a load balancer ARN \
                 (arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/net/NAME/ID, or /app/ \
                 for an application load balancer)",
                lb.arn
            ));
        };
        if list[..i].iter().any(|o| o.arn == lb.arn) {
            return err(format!("{:?} is listed twice", lb.arn));
        }
        if lb.targets.is_empty()
            && (lb.listeners.is_empty() || lb.listeners.iter().any(|l| l.targets.is_none()))
        {
            return err(format!(
                "{:?} has no targets (of its own, or of each of its listeners)",
                lb.arn
            ));
        }
        check_targets(&lb.arn, &lb.targets)?;
        for l in &lb.listeners {
            if listener_balancer(&l.arn).as_deref() != Some(lb.arn.as_str()) {
                return err(format!(
                    "listener {:?} is not a listener of {:?} \
                     (arn:aws:elasticloadbalancing:REGION:ACCOUNT:listener/{kind}/NAME/ID/LISTENER)",
                    l.arn, lb.arn
                ));
            }
            if listeners.contains(&l.arn.as_str()) {
                return err(format!("listener {:?} is listed twice", l.arn));
            }
            listeners.push(&l.arn);
            if let Some(p) = &l.protocol {
                if ListenerProtocol::parse(kind, p).is_none() {
                    let allowed = if kind == "app" {
                        "HTTP or HTTPS"
                    } else {
                        "TCP or TLS"
                    };
                    return err(format!(
                        "listener {:?} has protocol {p:?}; a listener of this balancer is {allowed}",
                        l.arn
                    ));
                }
            }
            match &l.targets {
                Some(t) if t.is_empty() => {
                    return err(format!("listener {:?} has no targets", l.arn))
                }
                Some(t) => check_targets(&l.arn, t)?,
                None => {}
            }
        }
    }
    Ok(list)
}

fn check_targets(of: &str, targets: &[String]) -> Result<(), ConfigError> {
    for t in targets {
        let port = t
            .rsplit_once(':')
            .map(|(host, port)| (host, port.parse::<u16>()));
        if !matches!(port, Some((host, Ok(p))) if !host.is_empty() && p != 0) {
            return Err(ConfigError(format!(
                "load_balancers: target {t:?} of {of:?} must be host:port"
            )));
        }
    }
    Ok(())
}

pub(super) fn check_cloud_map_services(
    list: Vec<CloudMapService>,
) -> Result<Vec<CloudMapService>, ConfigError> {
    let err = |m: String| Err(ConfigError(format!("cloud_map_services: {m}")));
    for (i, s) in list.iter().enumerate() {
        if !portico_model::balancers::is_cloud_map_service_arn(&s.arn) || s.arn.contains('?') {
            return err(format!(
                "{:?} is not a Cloud Map service ARN \
                 (arn:aws:servicediscovery:REGION:ACCOUNT:service/srv-ID)",
                s.arn
            ));
        }
        if list[..i].iter().any(|o| o.arn == s.arn) {
            return err(format!("{:?} is listed twice", s.arn));
        }
        for inst in &s.instances {
            if inst.port == 0 {
                return err(format!("an instance of {:?} has port 0", s.arn));
            }
            if let Some(k) = inst
                .attributes
                .keys()
                .find(|k| k.starts_with("AWS_INSTANCE_"))
            {
                return err(format!(
                    "attribute {k:?} of an instance of {:?}: AWS_INSTANCE_IPV4 and AWS_INSTANCE_PORT \
                     come from ipv4 and port",
                    s.arn
                ));
            }
        }
    }
    Ok(list)
}

impl Config {
    /// What VPC links and private integrations send to, for both planes.
    pub fn balancers(&self) -> portico_model::LoadBalancers {
        use portico_model::balancers::{balancer_kind, CloudMapInstance, ListenerProtocol};
        let mut b = portico_model::LoadBalancers::new(
            self.load_balancers
                .iter()
                .map(|lb| (lb.arn.clone(), lb.targets.clone())),
        );
        for lb in &self.load_balancers {
            let kind = balancer_kind(&lb.arn).unwrap_or("net");
            for l in &lb.listeners {
                // Checked when the file was read.
                let protocol = l
                    .protocol
                    .as_deref()
                    .and_then(|p| ListenerProtocol::parse(kind, p))
                    .unwrap_or_else(|| ListenerProtocol::default_for(kind));
                b = b.with_listener(&lb.arn, &l.arn, protocol, l.targets.clone());
            }
        }
        b = b.with_listener_targets_as_fallback();
        for s in &self.cloud_map_services {
            let instances = s
                .instances
                .iter()
                .map(|i| CloudMapInstance::new(&i.ipv4.to_string(), i.port, i.attributes.clone()))
                .collect();
            b = b.with_service(&s.arn, instances);
        }
        b
    }
}
