//! The configuration's checks, through [`Config::resolve`] as the server runs them.

use super::*;

#[test]
fn websocket_limits_default_to_aws_quotas_and_are_checked() {
    let c = Config::resolve(FileConfig::default(), None, None, None).unwrap();
    assert_eq!(c.websocket, portico_gateway::websocket::Limits::default());
    assert_eq!(c.websocket.max_message, 131_072);
    let file =
        FileConfig::parse("[websocket]\nidle_timeout_secs = 5\nmax_frame_bytes = 1024\n").unwrap();
    let c = Config::resolve(file, None, None, None).unwrap();
    assert_eq!(c.websocket.idle, Duration::from_secs(5));
    assert_eq!(c.websocket.max_frame, 1024);
    for bad in [
        "[websocket]\nidle_timeout_secs = 0\n",
        "[websocket]\nmax_frame_bytes = 200000\n",
        "[websocket]\nmax_messages = 1\n",
    ] {
        let parsed = FileConfig::parse(bad);
        assert!(
            parsed.is_err() || Config::resolve(parsed.unwrap(), None, None, None).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn unknown_keys_are_rejected() {
    let err = FileConfig::parse("listen = \"127.0.0.1:1\"\nlisten_port = 3\n").unwrap_err();
    assert!(err.0.contains("listen_port"), "{}", err.0);
}

#[test]
fn seeded_key_refuses_non_loopback() {
    let err = Config::resolve(
        FileConfig::default(),
        Some("0.0.0.0:4566".into()),
        None,
        None,
    )
    .unwrap_err();
    assert!(err.0.contains("refusing"), "{}", err.0);
    let ok = Config::resolve(
        FileConfig::default(),
        Some("127.0.0.1:0".into()),
        None,
        None,
    )
    .unwrap();
    assert!(ok.seeded_credentials);
    assert_eq!(ok.credentials[0].account_id, SEEDED_ACCOUNT);
}

#[test]
fn configured_keys_may_listen_anywhere() {
    let file = FileConfig::parse(
        "[[credentials]]\naccess_key = \"AKIA1\"\nsecret_key = \"s\"\naccount_id = \"111111111111\"\n",
    )
    .unwrap();
    let c = Config::resolve(file, Some("0.0.0.0:4566".into()), None, None).unwrap();
    assert!(!c.seeded_credentials);
    assert_eq!(c.credentials.len(), 1);
}

#[test]
fn database_url_names_postgresql_or_nothing() {
    let file = FileConfig::parse("database_url = \"postgres://u:pw@db:5432/portico\"\n").unwrap();
    let c = Config::resolve(file, None, None, None).unwrap();
    assert_eq!(
        c.database_url.as_deref(),
        Some("postgres://u:pw@db:5432/portico")
    );
    assert_eq!(
        Config::resolve(FileConfig::default(), None, None, None)
            .unwrap()
            .database_url,
        None,
        "SQLite stays the default"
    );
    let file = FileConfig::parse("database_url = \"mysql://u:secret@db/x\"\n").unwrap();
    let err = Config::resolve(file, None, None, None).unwrap_err();
    assert!(err.0.contains("postgres://"), "{}", err.0);
    assert!(
        !err.0.contains("secret"),
        "the message never shows a password: {}",
        err.0
    );
}

#[test]
fn account_ids_are_twelve_digits() {
    let file = FileConfig::parse(
        "[[credentials]]\naccess_key = \"AKIA1\"\nsecret_key = \"s\"\naccount_id = \"12\"\n",
    )
    .unwrap();
    assert!(Config::resolve(file, None, None, None).is_err());
}

#[test]
fn workers_default_to_half_the_cpus_and_must_be_positive() {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let c = Config::resolve(FileConfig::default(), None, None, None).unwrap();
    assert_eq!(c.workers, (cpus / 2).max(1));
    assert_eq!(
        [1, 2, 3, 8].map(default_workers),
        [1, 1, 1, 4],
        "CPUs to default workers"
    );
    let two = Config::resolve(FileConfig::parse("workers = 2").unwrap(), None, None, None);
    assert_eq!(two.unwrap().workers, 2);
    let err =
        Config::resolve(FileConfig::parse("workers = 0").unwrap(), None, None, None).unwrap_err();
    assert!(err.0.contains("workers = 0"), "{}", err.0);
}

fn resolve(text: &str) -> Result<Config, ConfigError> {
    Config::resolve(FileConfig::parse(text)?, None, None, None)
}

#[test]
fn server_limits_default_like_nginx() {
    let c = resolve("").unwrap();
    assert_eq!(c.header_read_timeout, Duration::from_secs(60));
    assert_eq!(c.max_connections, 1024);
    assert!(!c.accept_any_key);
}

#[test]
fn server_limits_are_read_from_the_file() {
    let c = resolve("header_read_timeout_secs = 2\nmax_connections = 4\n").unwrap();
    assert_eq!(c.header_read_timeout, Duration::from_secs(2));
    assert_eq!(c.max_connections, 4);
    let c = resolve("header_read_timeout_secs = 3600\nmax_connections = 1048576\n").unwrap();
    assert_eq!(c.header_read_timeout, Duration::from_secs(3600));
    assert_eq!(c.max_connections, 1 << 20);
}

#[test]
fn server_limits_must_be_positive_and_bounded() {
    for (text, says) in [
        (
            "header_read_timeout_secs = 0",
            "header_read_timeout_secs = 0: must be between 1 and 3600",
        ),
        (
            "header_read_timeout_secs = 3601",
            "header_read_timeout_secs = 3601: must be between 1 and 3600",
        ),
        (
            "max_connections = 0",
            "max_connections = 0: must be between 1 and 1048576",
        ),
        (
            "max_connections = 1048577",
            "max_connections = 1048577: must be between 1 and 1048576",
        ),
    ] {
        assert_eq!(resolve(text).unwrap_err().0, says);
    }
    // Negative numbers and other types are refused by the parser, naming the key.
    for text in [
        "max_connections = -1",
        "header_read_timeout_secs = \"60\"",
        "header_read_timeout_secs = 1.5",
    ] {
        let err = FileConfig::parse(text).unwrap_err();
        assert!(
            err.0.contains(text.split(' ').next().unwrap()),
            "{text}: {}",
            err.0
        );
    }
    // Near-misses of the new keys are unknown keys, not defaults.
    for text in [
        "header_read_timeout = 2",
        "max_connection = 4",
        "accept_any_keys = true",
    ] {
        let err = FileConfig::parse(text).unwrap_err();
        assert!(err.0.contains("unknown field"), "{text}: {}", err.0);
    }
}

#[test]
fn redis_settings_are_read_and_checked() {
    use portico_gateway::metering::cluster::Unavailable;
    let resolve = |text: &str| {
        Config::resolve(FileConfig::parse(text).unwrap(), None, None, None).map(|c| c.redis)
    };
    assert!(resolve("").unwrap().is_none(), "local metering by default");
    let r = resolve("redis_url = \"redis://127.0.0.1:6379/2\"")
        .unwrap()
        .unwrap();
    assert_eq!(r.url, "redis://127.0.0.1:6379/2");
    assert_eq!(r.prefix, DEFAULT_REDIS_PREFIX);
    assert_eq!(r.unavailable, Unavailable::FailOpen);
    let r = resolve(
        "redis_url = \"redis://h\"\nredis_prefix = \"a:\"\nredis_unavailable = \"fail_closed\"",
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        (r.prefix.as_str(), r.unavailable),
        ("a:", Unavailable::FailClosed)
    );
    for (text, why) in [
        ("redis_url = \"http://h\"", "must start with redis://"),
        (
            "redis_url = \"redis://h\"\nredis_unavailable = \"open\"",
            "fail_open",
        ),
        ("redis_prefix = \"a:\"", "redis_url is not"),
    ] {
        let err = resolve(text).unwrap_err();
        assert!(err.0.contains(why), "{text}: {}", err.0);
    }
}

#[test]
fn load_balancers_are_read_and_checked() {
    let arn = "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/n/1";
    let c = resolve(&format!(
        "[[load_balancers]]\narn = \"{arn}\"\ntargets = [\"127.0.0.1:8081\", \"backend:80\"]\n"
    ))
    .unwrap();
    assert_eq!(c.load_balancers[0].arn, arn);
    assert_eq!(
        c.load_balancers[0].targets,
        ["127.0.0.1:8081", "backend:80"]
    );
    for bad in [
        format!("[[load_balancers]]\narn = \"{arn}\"\ntargets = []\n"),
        format!("[[load_balancers]]\narn = \"{arn}\"\ntargets = [\"127.0.0.1\"]\n"),
        "[[load_balancers]]\narn = \"nope\"\ntargets = [\"a:1\"]\n".to_string(),
        format!("[[load_balancers]]\narn = \"{arn}\"\ntargets = [\"a:1\"]\nport = 1\n"),
        format!(
            "[[load_balancers]]\narn = \"{arn}\"\ntargets = [\"a:1\"]\n\
             [[load_balancers]]\narn = \"{arn}\"\ntargets = [\"a:2\"]\n"
        ),
    ] {
        assert!(resolve(&bad).is_err(), "{bad}");
    }
}

#[test]
fn listeners_and_cloud_map_services_are_read_and_checked() {
    let alb = "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/web/1";
    let l443 = "arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/web/1/443";
    let l80 = "arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/web/1/80";
    let srv = "arn:aws:servicediscovery:us-east-1:000000000000:service/srv-1";
    let c = resolve(&format!(
        "[[load_balancers]]\narn = \"{alb}\"\n\
         [[load_balancers.listeners]]\narn = \"{l443}\"\nprotocol = \"HTTPS\"\ntargets = [\"127.0.0.1:8443\"]\n\
         [[load_balancers.listeners]]\narn = \"{l80}\"\ntargets = [\"127.0.0.1:8080\"]\n\
         [[cloud_map_services]]\narn = \"{srv}\"\n\
         instances = [{{ ipv4 = \"127.0.0.1\", port = 9001, attributes = {{ stage = \"prod\" }} }},\n\
                      {{ ipv4 = \"127.0.0.2\", port = 9002 }}]\n"
    ))
    .unwrap();
    let b = c.balancers();
    let https = b.resolve(l443).unwrap();
    assert_eq!(https.addresses, ["127.0.0.1:8443"]);
    assert_eq!(https.protocol.unwrap().as_str(), "HTTPS");
    assert_eq!(b.resolve(l80).unwrap().protocol.unwrap().as_str(), "HTTP");
    // An ALB without targets of its own has its listeners' (sorted by ARN).
    assert_eq!(b.get(alb).unwrap(), ["127.0.0.1:8443", "127.0.0.1:8080"]);
    assert_eq!(
        b.resolve(&format!("{srv}?stage=prod")).unwrap().addresses,
        ["127.0.0.1:9001"]
    );
    let lb = |extra: &str| format!("[[load_balancers]]\narn = \"{alb}\"\n{extra}");
    let srv_with =
        |inst: &str| format!("[[cloud_map_services]]\narn = \"{srv}\"\ninstances = [{inst}]\n");
    for bad in [
        // a listener without targets, on a balancer without any
        lb(&format!("[[load_balancers.listeners]]\narn = \"{l80}\"\n")),
        lb(&format!("targets = [\"a:1\"]\n[[load_balancers.listeners]]\narn = \"{l80}\"\nprotocol = \"TCP\"\n")),
        lb(&format!("targets = [\"a:1\"]\n[[load_balancers.listeners]]\narn = \"{}\"\n", l80.replace("/web/", "/x/"))),
        lb(&format!("targets = [\"a:1\"]\n[[load_balancers.listeners]]\narn = \"{l80}\"\nport = 80\n")),
        lb(&format!("targets = [\"a:1\"]\n[[load_balancers.listeners]]\narn = \"{l80}\"\ntargets = [\"nope\"]\n")),
        lb(&format!("targets = [\"a:1\"]\n[[load_balancers.listeners]]\narn = \"{l80}\"\n[[load_balancers.listeners]]\narn = \"{l80}\"\n")),
        "[[cloud_map_services]]\narn = \"arn:aws:servicediscovery:us-east-1:0:namespace/ns-1\"\n".into(),
        srv_with("{ ipv4 = \"localhost\", port = 1 }"),
        srv_with("{ ipv4 = \"127.0.0.1\", port = 0 }"),
        srv_with("{ ipv4 = \"127.0.0.1\" }"),
        srv_with("{ ipv4 = \"127.0.0.1\", port = 1, weight = 2 }"),
        srv_with("{ ipv4 = \"127.0.0.1\", port = 1, attributes = { AWS_INSTANCE_PORT = \"2\" } }"),
        format!("{}{}", srv_with(""), srv_with("")),
    ] {
        assert!(resolve(&bad).is_err(), "{bad}");
    }
}

#[test]
fn accept_any_key_is_loopback_only() {
    let file = || FileConfig::parse("accept_any_key = true").unwrap();
    for listen in ["127.0.0.1:4566", "[::1]:4566", "127.0.0.2:0"] {
        let c = Config::resolve(file(), Some(listen.into()), None, None).unwrap();
        assert!(c.accept_any_key, "{listen}");
    }
    // Even with configured keys, which would otherwise allow any address.
    let keyed = "accept_any_key = true\n[[credentials]]\naccess_key = \"AKIA1\"\n\
                 secret_key = \"s\"\naccount_id = \"111111111111\"\n";
    for (file, listen) in [
        (file(), "0.0.0.0:4566"),
        (FileConfig::parse(keyed).unwrap(), "0.0.0.0:4566"),
        (FileConfig::parse(keyed).unwrap(), "[::]:4566"),
        (FileConfig::parse(keyed).unwrap(), "10.0.0.1:4566"),
    ] {
        let err = Config::resolve(file, Some(listen.into()), None, None).unwrap_err();
        assert!(err.0.contains("accept_any_key"), "{listen}: {}", err.0);
    }
    assert!(!resolve("accept_any_key = false").unwrap().accept_any_key);
}

#[test]
fn tls_listen_and_certificates_are_read_and_checked() {
    let cert = "[[certificates]]\narn = \"arn:aws:acm:us-east-1:1:certificate/a\"\n\
                cert_file = \"c.pem\"\nkey_file = \"k.pem\"\n";
    let c = resolve(&format!("tls_listen = \"127.0.0.1:4567\"\n{cert}")).unwrap();
    assert_eq!(c.tls_listen, Some("127.0.0.1:4567".parse().unwrap()));
    assert_eq!(c.certificates.len(), 1);
    assert!(resolve(&format!("{cert}{cert}")).is_err());
    assert!(resolve("tls_listen = \"nowhere\"").is_err());
    assert!(resolve(&format!("{cert}certificate_file = \"x\"")).is_err());
    // The seeded key stays on loopback on the HTTPS listener too.
    let err = Config::resolve_with_tls(
        FileConfig::default(),
        None,
        Some("0.0.0.0:4567".into()),
        None,
        None,
    )
    .unwrap_err();
    assert!(err.0.contains("0.0.0.0:4567"), "{}", err.0);
}

#[test]
fn backend_ca_file_must_be_readable_pem_certificates() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.pem");
    let not_pem = dir.path().join("not.pem");
    std::fs::write(&not_pem, "hello\n").unwrap();
    for (path, says) in [(&missing, "No such file"), (&not_pem, "no PEM certificate")] {
        let err = resolve(&format!(
            "backend_ca_file = {:?}",
            path.display().to_string()
        ))
        .unwrap_err();
        assert!(
            err.0.starts_with("backend_ca_file ") && err.0.contains(says),
            "{}",
            err.0
        );
    }
    assert!(resolve("").unwrap().backend_roots.is_empty());
}
