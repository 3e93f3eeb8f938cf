//! The house's boundaries, checked: which of our crates each crate may depend on. A crate
//! cannot import what it does not depend on, so this test is what keeps the management plane
//! and the data plane from importing each other (ARCHITECTURE.md, "Architecture invariants").

use std::collections::BTreeSet;
use std::path::Path;

/// Our crates and the ones of ours each may use (external crates are not restricted here).
const ALLOWED: &[(&str, &[&str])] = &[
    ("core", &[]),
    ("store", &["portico-core"]),
    ("model", &["portico-core", "portico-store"]),
    ("mgmt", &["portico-core", "portico-store"]),
    ("openapi", &["portico-core"]),
    (
        "api-apigateway",
        &[
            "portico-core",
            "portico-store",
            "portico-model",
            "portico-mgmt",
            "portico-openapi",
        ],
    ),
    (
        "api-huawei",
        &["portico-core", "portico-store", "portico-mgmt"],
    ),
    (
        "gateway",
        &[
            "portico-core",
            "portico-store",
            "portico-model",
            "vtl",
            "sigv4",
        ],
    ),
    (
        "api-lambda",
        &[
            "portico-core",
            "portico-store",
            "portico-model",
            "portico-mgmt",
        ],
    ),
    (
        "api-apigatewayv2",
        &[
            "portico-core",
            "portico-store",
            "portico-model",
            "portico-mgmt",
            "portico-openapi",
        ],
    ),
    (
        "lambda-host",
        &["portico-core", "portico-store", "portico-model"],
    ),
    ("sigv4", &[]),
    ("sdk-hmac", &[]),
    ("vtl", &[]),
];

const OURS: &[&str] = &[
    "portico-core",
    "portico-store",
    "portico-model",
    "portico-mgmt",
    "portico-openapi",
    "portico-api-apigateway",
    "portico-api-huawei",
    "portico-gateway",
    "portico-api-lambda",
    "portico-api-apigatewayv2",
    "portico-lambda-host",
    "portico",
    "sigv4",
    "sdk-hmac",
    "vtl",
];

/// Names of our crates in the `[dependencies]` table of a manifest (dev-dependencies are
/// test scaffolding and may reach further).
fn our_dependencies(manifest: &str) -> BTreeSet<String> {
    let mut in_deps = false;
    let mut out = BTreeSet::new();
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
            continue;
        }
        if !in_deps {
            continue;
        }
        if let Some((name, _)) = line.split_once('=') {
            let name = name.trim();
            if OURS.contains(&name) {
                out.insert(name.to_string());
            }
        }
    }
    out
}

#[test]
fn every_crate_depends_only_on_the_crates_below_it() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for (dir, allowed) in ALLOWED {
        let manifest = std::fs::read_to_string(crates.join(dir).join("Cargo.toml"))
            .unwrap_or_else(|e| panic!("crates/{dir}/Cargo.toml: {e}"));
        let allowed: BTreeSet<String> = allowed.iter().map(|s| s.to_string()).collect();
        let extra: Vec<_> = our_dependencies(&manifest)
            .difference(&allowed)
            .cloned()
            .collect();
        assert!(
            extra.is_empty(),
            "crates/{dir} depends on {extra:?}, which its boundary forbids (ARCHITECTURE.md)"
        );
    }
}

#[test]
fn every_workspace_crate_has_a_boundary() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for entry in std::fs::read_dir(&crates).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name == "portico" || !crates.join(&name).join("Cargo.toml").exists() {
            continue;
        }
        assert!(
            ALLOWED.iter().any(|(d, _)| *d == name),
            "crates/{name} has no boundary in this test; add one (and to ARCHITECTURE.md)"
        );
    }
}

#[test]
fn the_parser_sees_dependencies() {
    let m = "[package]\nname = \"x\"\n[dependencies]\nportico-core = { path = \"../core\" }\nserde = \"1\"\n[dev-dependencies]\nportico-store = { path = \"../store\" }\n";
    assert_eq!(
        our_dependencies(m),
        BTreeSet::from(["portico-core".to_string()])
    );
}
