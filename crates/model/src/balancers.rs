//! Where private integrations send: the load balancers (network and application), their
//! listeners, and the AWS Cloud Map services that the config file describes. Portico keeps
//! none of these as AWS resources; `[[load_balancers]]` and `[[cloud_map_services]]` say
//! where the real `host:port` addresses behind them are, and the binary hands the result to
//! both planes as one [`LoadBalancers`].
//!
//! REST APIs' VPC links target NLBs by ARN ([`LoadBalancers::get`]). HTTP APIs' private
//! integrations name an ELB listener or a Cloud Map service in their integration URI
//! ([`LoadBalancers::resolve`]), resolved once when a deployment is compiled.

use std::collections::{BTreeMap, HashMap, HashSet};

/// What an HTTP API private integration's URI must be (AWS's rule, and its text:
/// "For VpcLink VPC_LINK, integration uri should be a valid ELB listener ARN or a valid Cloud
/// Map service ARN.", quoted in sst#5510 and klotho#347).
pub fn is_private_integration_uri(uri: &str) -> bool {
    listener_balancer(uri).is_some() || is_cloud_map_service_arn(uri)
}

/// `arn:{partition}:elasticloadbalancing:{region}:{account}:loadbalancer/{net|app}/{name}/{id}`
/// → `net` or `app`.
pub fn balancer_kind(arn: &str) -> Option<&str> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ["arn", p, "elasticloadbalancing", region, account, res] = parts.as_slice() else {
        return None;
    };
    if p.is_empty() || region.is_empty() || account.is_empty() {
        return None;
    }
    let rest = res.strip_prefix("loadbalancer/")?;
    let mut segs = rest.split('/');
    let (Some(kind), Some(name), Some(id), None) =
        (segs.next(), segs.next(), segs.next(), segs.next())
    else {
        return None;
    };
    if name.is_empty() || id.is_empty() || !matches!(kind, "net" | "app") {
        return None;
    }
    Some(kind)
}

/// `arn:{partition}:elasticloadbalancing:{region}:{account}:loadbalancer/net/{name}/{id}`.
pub fn is_nlb_arn(arn: &str) -> bool {
    balancer_kind(arn) == Some("net")
}

/// `arn:…:elasticloadbalancing:{region}:{account}:listener/{app|net}/{name}/{id}/{listener}`
/// → the load balancer's ARN, `…:loadbalancer/{app|net}/{name}/{id}`.
pub fn listener_balancer(arn: &str) -> Option<String> {
    let (head, resource) = arn.rsplit_once(':')?;
    let rest = resource.strip_prefix("listener/")?;
    let (lb, listener) = rest.rsplit_once('/')?;
    if listener.is_empty() {
        return None;
    }
    let balancer = format!("{head}:loadbalancer/{lb}");
    balancer_kind(&balancer).is_some().then_some(balancer)
}

/// `arn:{partition}:servicediscovery:{region}:{account}:service/{id}`, optionally followed by
/// `?name=value&…`: the attributes an instance must have (DiscoverInstances' QueryParameters).
pub fn is_cloud_map_service_arn(uri: &str) -> bool {
    let arn = uri.split_once('?').map_or(uri, |(a, _)| a);
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    matches!(parts.as_slice(), ["arn", p, "servicediscovery", region, account, res]
        if !p.is_empty() && !region.is_empty() && !account.is_empty()
            && res.strip_prefix("service/").is_some_and(|id| !id.is_empty() && !id.contains('/')))
}

/// A listener's protocol, which says whether what reaches it is TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListenerProtocol {
    Http,
    Https,
    Tcp,
    Tls,
}

impl ListenerProtocol {
    /// The protocols a listener of a `kind` (`app`, `net`) balancer may have that can carry
    /// HTTP from API Gateway (not UDP).
    pub fn parse(kind: &str, s: &str) -> Option<ListenerProtocol> {
        Some(match (kind, s) {
            ("app", "HTTP") => ListenerProtocol::Http,
            ("app", "HTTPS") => ListenerProtocol::Https,
            ("net", "TCP") => ListenerProtocol::Tcp,
            ("net", "TLS") => ListenerProtocol::Tls,
            _ => return None,
        })
    }

    /// The default of a `kind` balancer's listener: HTTP for an ALB, TCP for an NLB.
    pub fn default_for(kind: &str) -> ListenerProtocol {
        if kind == "app" {
            ListenerProtocol::Http
        } else {
            ListenerProtocol::Tcp
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ListenerProtocol::Http => "HTTP",
            ListenerProtocol::Https => "HTTPS",
            ListenerProtocol::Tcp => "TCP",
            ListenerProtocol::Tls => "TLS",
        }
    }

    /// Must what is sent to it be TLS (`Some(true)`), must it not (`Some(false)`), or does it
    /// pass bytes through either way (`None`: TCP)?
    pub fn wants_tls(self) -> Option<bool> {
        match self {
            ListenerProtocol::Http => Some(false),
            ListenerProtocol::Https | ListenerProtocol::Tls => Some(true),
            ListenerProtocol::Tcp => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Listener {
    protocol: ListenerProtocol,
    targets: Vec<String>,
}

/// One registered instance of a Cloud Map service: where it is, and its attributes as
/// DiscoverInstances answers them (`AWS_INSTANCE_IPV4` and `AWS_INSTANCE_PORT` among them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudMapInstance {
    pub authority: String,
    pub attributes: BTreeMap<String, String>,
}

impl CloudMapInstance {
    pub fn new(ipv4: &str, port: u16, mut attributes: BTreeMap<String, String>) -> Self {
        attributes.insert("AWS_INSTANCE_IPV4".into(), ipv4.to_string());
        attributes.insert("AWS_INSTANCE_PORT".into(), port.to_string());
        CloudMapInstance {
            authority: format!("{ipv4}:{port}"),
            attributes,
        }
    }
}

/// Where a private integration's URI leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// `host:port`, taken in turn.
    pub addresses: Vec<String>,
    /// The listener's protocol, when a listener was named and its protocol is known.
    pub protocol: Option<ListenerProtocol>,
}

/// Load balancers by ARN, their listeners, and Cloud Map services, from the config file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadBalancers {
    /// A balancer's addresses: its own `targets`, else every target of its listeners.
    by_arn: HashMap<String, Vec<String>>,
    listeners: HashMap<String, Listener>,
    /// Balancers whose listeners the config lists: a listener not listed does not exist.
    described: HashSet<String>,
    services: HashMap<String, Vec<CloudMapInstance>>,
}

impl LoadBalancers {
    pub fn new(entries: impl IntoIterator<Item = (String, Vec<String>)>) -> LoadBalancers {
        LoadBalancers {
            by_arn: entries.into_iter().collect(),
            ..Default::default()
        }
    }

    /// Add a listener of the balancer `balancer` (which [`LoadBalancers::new`] listed);
    /// without `targets` of its own it sends to the balancer's.
    pub fn with_listener(
        mut self,
        balancer: &str,
        arn: &str,
        protocol: ListenerProtocol,
        targets: Option<Vec<String>>,
    ) -> LoadBalancers {
        self.described.insert(balancer.to_string());
        let own = self.by_arn.entry(balancer.to_string()).or_default();
        let targets = match targets {
            Some(t) => t,
            None => own.clone(),
        };
        self.listeners
            .insert(arn.to_string(), Listener { protocol, targets });
        self
    }

    /// Finish: a balancer without targets of its own sends (for REST's VPC links) to its
    /// listeners' targets.
    pub fn with_listener_targets_as_fallback(mut self) -> LoadBalancers {
        for (arn, addresses) in self.by_arn.iter_mut() {
            if !addresses.is_empty() {
                continue;
            }
            let prefix = arn.replacen(":loadbalancer/", ":listener/", 1) + "/";
            let mut listeners: Vec<(&String, &Listener)> = self
                .listeners
                .iter()
                .filter(|(l, _)| l.starts_with(&prefix))
                .collect();
            listeners.sort_by_key(|(l, _)| l.as_str());
            for (_, l) in listeners {
                for t in &l.targets {
                    if !addresses.contains(t) {
                        addresses.push(t.clone());
                    }
                }
            }
        }
        self
    }

    /// Add a Cloud Map service and its instances.
    pub fn with_service(mut self, arn: &str, instances: Vec<CloudMapInstance>) -> LoadBalancers {
        self.services.insert(arn.to_string(), instances);
        self
    }

    /// The addresses behind the balancer `arn`, if it is configured.
    pub fn get(&self, arn: &str) -> Option<&[String]> {
        self.by_arn.get(arn).map(Vec::as_slice)
    }

    pub fn is_empty(&self) -> bool {
        self.by_arn.is_empty() && self.services.is_empty()
    }

    /// Where an HTTP API private integration's URI leads, or why it leads nowhere.
    ///
    /// - A listener ARN: the listener's targets (its own, else its balancer's). A balancer
    ///   whose listeners the config does not list takes every listener ARN under it.
    /// - A Cloud Map service ARN, optionally `?attr=value&…`: the service's instances having
    ///   every such attribute (DiscoverInstances' QueryParameters), in the order listed.
    /// - A balancer ARN (what Portico took before it checked integration URIs): its targets.
    pub fn resolve(&self, uri: &str) -> Result<Resolved, String> {
        if is_cloud_map_service_arn(uri) {
            let (arn, query) = uri.split_once('?').unwrap_or((uri, ""));
            let Some(instances) = self.services.get(arn) else {
                return Err(format!(
                    "Cloud Map service {arn} does not exist: it is not among the config file's [[cloud_map_services]]"
                ));
            };
            let wanted: Vec<(&str, &str)> = query
                .split('&')
                .filter(|p| !p.is_empty())
                .map(|p| p.split_once('=').unwrap_or((p, "")))
                .collect();
            let addresses: Vec<String> = instances
                .iter()
                .filter(|i| {
                    wanted
                        .iter()
                        .all(|(k, v)| i.attributes.get(*k).is_some_and(|a| a == v))
                })
                .map(|i| i.authority.clone())
                .collect();
            if addresses.is_empty() {
                return Err(format!(
                    "Cloud Map service {arn} has no instance{}",
                    if wanted.is_empty() {
                        String::new()
                    } else {
                        format!(" with the attributes {query}")
                    }
                ));
            }
            return Ok(Resolved {
                addresses,
                protocol: None,
            });
        }
        if let Some(balancer) = listener_balancer(uri) {
            if let Some(l) = self.listeners.get(uri) {
                return non_empty(uri, l.targets.clone(), Some(l.protocol));
            }
            if self.described.contains(&balancer) {
                return Err(format!(
                    "listener {uri} does not exist: it is not among the listeners of {balancer} in the config file's [[load_balancers]]"
                ));
            }
            return match self.by_arn.get(&balancer) {
                Some(targets) => non_empty(uri, targets.clone(), None),
                None => Err(format!(
                    "load balancer {balancer} does not exist: it is not among the config file's [[load_balancers]]"
                )),
            };
        }
        match self.by_arn.get(uri) {
            Some(targets) => non_empty(uri, targets.clone(), None),
            None => Err(format!(
                "{uri} is no ELB listener or Cloud Map service of the config file"
            )),
        }
    }
}

fn non_empty(
    uri: &str,
    addresses: Vec<String>,
    protocol: Option<ListenerProtocol>,
) -> Result<Resolved, String> {
    if addresses.is_empty() {
        return Err(format!("{uri} has no targets"));
    }
    Ok(Resolved {
        addresses,
        protocol,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALB: &str = "arn:aws:elasticloadbalancing:us-east-1:0:loadbalancer/app/web/1";
    const L80: &str = "arn:aws:elasticloadbalancing:us-east-1:0:listener/app/web/1/80";
    const L443: &str = "arn:aws:elasticloadbalancing:us-east-1:0:listener/app/web/1/443";
    const NLB: &str = "arn:aws:elasticloadbalancing:us-east-1:0:loadbalancer/net/n/2";
    const SRV: &str = "arn:aws:servicediscovery:us-east-1:0:service/srv-abc";

    fn config() -> LoadBalancers {
        LoadBalancers::new([
            (ALB.to_string(), vec!["a:1".to_string()]),
            (NLB.to_string(), vec!["n:1".to_string()]),
        ])
        .with_listener(ALB, L80, ListenerProtocol::Http, None)
        .with_listener(
            ALB,
            L443,
            ListenerProtocol::Https,
            Some(vec!["s:1".into(), "s:2".into()]),
        )
        .with_service(
            SRV,
            vec![
                CloudMapInstance::new(
                    "10.0.0.1",
                    80,
                    [("stage".to_string(), "prod".to_string())].into(),
                ),
                CloudMapInstance::new("10.0.0.2", 81, BTreeMap::new()),
            ],
        )
    }

    #[test]
    fn arns() {
        assert_eq!(balancer_kind(ALB), Some("app"));
        assert!(is_nlb_arn(NLB) && !is_nlb_arn(ALB));
        assert_eq!(listener_balancer(L80).as_deref(), Some(ALB));
        for bad in [
            "invalid-arn",
            "arn:aws:elasticloadbalancing:us-east-1:0:loadbalancer/net/a",
            "arn:aws:elasticloadbalancing:us-east-1:0:loadbalancer/gwy/a/1",
            "arn:aws:s3:::bucket",
        ] {
            assert!(balancer_kind(bad).is_none(), "{bad}");
        }
        assert!(listener_balancer(ALB).is_none());
        assert!(listener_balancer("arn:aws:elasticloadbalancing:r:0:listener/app/web/1").is_none());
        assert!(is_cloud_map_service_arn(SRV));
        assert!(is_cloud_map_service_arn(&format!("{SRV}?stage=prod")));
        assert!(!is_cloud_map_service_arn(
            "arn:aws:servicediscovery:r:0:namespace/ns-1"
        ));
        assert!(is_private_integration_uri(L80) && is_private_integration_uri(SRV));
        assert!(!is_private_integration_uri(ALB));
        assert!(!is_private_integration_uri("http://example.com"));
    }

    #[test]
    fn listeners_resolve_to_their_targets_or_their_balancers() {
        let c = config();
        let r = c.resolve(L80).unwrap();
        assert_eq!(
            (r.addresses, r.protocol),
            (vec!["a:1".into()], Some(ListenerProtocol::Http))
        );
        assert_eq!(c.resolve(L443).unwrap().addresses, ["s:1", "s:2"]);
        // A balancer with listed listeners has no others.
        let err = c.resolve(&L80.replace("/80", "/81")).unwrap_err();
        assert!(err.contains("does not exist"), "{err}");
        // One whose listeners are not listed takes any.
        let nlb_listener = NLB.replace(":loadbalancer/", ":listener/") + "/9";
        let r = c.resolve(&nlb_listener).unwrap();
        assert_eq!((r.addresses, r.protocol), (vec!["n:1".into()], None));
        assert!(c.resolve(&L80.replace("/web/", "/other/")).is_err());
    }

    #[test]
    fn cloud_map_services_filter_instances_by_attribute() {
        let c = config();
        assert_eq!(
            c.resolve(SRV).unwrap().addresses,
            ["10.0.0.1:80", "10.0.0.2:81"]
        );
        assert_eq!(
            c.resolve(&format!("{SRV}?stage=prod")).unwrap().addresses,
            ["10.0.0.1:80"]
        );
        assert_eq!(
            c.resolve(&format!("{SRV}?AWS_INSTANCE_PORT=81"))
                .unwrap()
                .addresses,
            ["10.0.0.2:81"]
        );
        let err = c.resolve(&format!("{SRV}?stage=beta")).unwrap_err();
        assert!(err.contains("no instance"), "{err}");
        assert!(c.resolve(&SRV.replace("abc", "zzz")).is_err());
    }

    #[test]
    fn a_balancer_without_targets_of_its_own_has_its_listeners() {
        let c = LoadBalancers::new([(ALB.to_string(), vec![])])
            .with_listener(ALB, L443, ListenerProtocol::Https, Some(vec!["s:1".into()]))
            .with_listener(ALB, L80, ListenerProtocol::Http, Some(vec!["p:1".into()]))
            .with_listener_targets_as_fallback();
        assert_eq!(c.get(ALB).unwrap(), ["s:1", "p:1"]);
    }
}
