//! Data-driven tests: the spec's deterministic vector and the requests that
//! the real huaweicloudsdkcore Signer signed (vectors/sdk.json, made by
//! gen_sdk_vectors.py). Every case goes through [`check`], which asserts
//! that `verify` accepts the request and rejects each tampered variant with
//! the expected error.

mod common;

use common::{hex_to_bytes, kind, parse_json, Owned};
use sdk_hmac::{canonical_request, parse_sdk_date, sign, Verified};

const SPEC_AUTHZ: &str = "SDK-HMAC-SHA256 Access=MYAK, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=e7990fc60b5b4d82d3a87672fee21737b005e17ded6b1f0c4e155aac4b828661";
const PROJECT: &str = "0123456789abcdef0123456789abcdef";

fn spec_request() -> Owned {
    Owned {
        method: "GET".into(),
        path: format!("/v2/{PROJECT}/apigw/instances/inst-1/vpc-endpoint/connections"),
        query: "limit=20&offset=0".into(),
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("X-Project-Id".into(), PROJECT.into()),
            ("X-Sdk-Date".into(), "20240102T030405Z".into()),
            ("Host".into(), "127.0.0.1:8080".into()),
        ],
        body: Vec::new(),
    }
}

#[test]
fn spec_vector() {
    let mut req = spec_request();
    assert_eq!(req.with(|r| sign(r, "MYAK", "MYSK")), SPEC_AUTHZ);
    req.headers
        .push(("Authorization".into(), SPEC_AUTHZ.into()));
    let now = parse_sdk_date("20240102T030405Z").unwrap();
    let v = req.verify(now, "MYAK", "MYSK").unwrap();
    assert_eq!(
        v,
        Verified {
            access_key: "MYAK".into(),
            project_id: Some(PROJECT.into()),
            security_token: None,
            body_signed: true,
        }
    );
    check("spec", &req, now, "MYAK", "MYSK");
}

fn flip_last_hex(s: &mut String) {
    let c = s.pop().unwrap();
    s.push(if c == '0' { '1' } else { '0' });
}

/// A tampering: what it changes, the change, and the error it must cause
/// (`None`: it must still verify).
type Tamper = (&'static str, fn(&mut Owned, &mut i64), Option<&'static str>);

const MISMATCH: Option<&str> = Some("SignatureDoesNotMatch");

fn tampers(unsigned_body: bool) -> Vec<Tamper> {
    vec![
        (
            "one-bit signature",
            |r, _| flip_last_hex(r.header_mut("authorization").unwrap()),
            MISMATCH,
        ),
        ("method", |r, _| r.method = "PURGE".into(), MISMATCH),
        (
            "method case",
            |r, _| r.method = r.method.to_ascii_lowercase(),
            MISMATCH,
        ),
        ("path", |r, _| r.path.push('x'), MISMATCH),
        (
            "path segment added in front",
            |r, _| r.path = format!("/zz{}", r.path),
            MISMATCH,
        ),
        (
            "a query value",
            |r, _| {
                if r.query.is_empty() {
                    r.query = "extra=1".into();
                } else {
                    // Change the first value (or give a bare name one).
                    let (first, rest) = r.query.split_once('&').unwrap_or((&r.query, ""));
                    let first = match first.split_once('=') {
                        Some((k, v)) => format!("{k}={v}x"),
                        None => format!("{first}=x"),
                    };
                    r.query = if rest.is_empty() {
                        first
                    } else {
                        format!("{first}&{rest}")
                    };
                }
            },
            MISMATCH,
        ),
        (
            "a query pair added",
            |r, _| {
                if !r.query.is_empty() {
                    r.query.push('&');
                }
                r.query.push_str("zz=1");
            },
            MISMATCH,
        ),
        (
            "host header value",
            |r, _| r.header_mut("host").unwrap().push('x'),
            MISMATCH,
        ),
        (
            "x-sdk-date one second later",
            |r, _| {
                let d = r.header_mut("x-sdk-date").unwrap();
                let t = parse_sdk_date(d).unwrap();
                *d = sdk_hmac::format_sdk_date(t + 1);
            },
            MISMATCH,
        ),
        (
            "signed header list",
            |r, _| {
                let a = r.header_mut("authorization").unwrap();
                *a = a.replace("host;", "accept;host;");
                r.headers.push(("Accept".into(), "*/*".into()));
            },
            MISMATCH,
        ),
        (
            "body",
            |r, _| r.body.push(b' '),
            if unsigned_body { None } else { MISMATCH },
        ),
        ("15 min past is still fine", |_, t| *t += 15 * 60, None),
        ("15 min future is still fine", |_, t| *t -= 15 * 60, None),
        (
            "skew past",
            |_, t| *t += 15 * 60 + 1,
            Some("SignatureExpired"),
        ),
        (
            "skew future",
            |_, t| *t -= 15 * 60 + 1,
            Some("SignatureExpired"),
        ),
        (
            "no X-Sdk-Date",
            |r, _| r.remove_header("x-sdk-date"),
            Some("MissingDate"),
        ),
        (
            "no Authorization",
            |r, _| r.remove_header("authorization"),
            Some("MissingAuthorization"),
        ),
        (
            "host not signed",
            |r, _| {
                let a = r.header_mut("authorization").unwrap();
                *a = a.replace("host;", "");
            },
            Some("HeaderNotSigned"),
        ),
    ]
}

/// Accepts `req` at `now`, then rejects every tampered variant.
fn check(name: &str, req: &Owned, now: i64, ak: &str, sk: &str) {
    let ok = req.verify(now, ak, sk);
    assert!(ok.is_ok(), "{name}: expected success, got {ok:?}");
    let unsigned_body = !ok.unwrap().body_signed;
    let mut ran = 0;
    for (what, f, expect) in tampers(unsigned_body) {
        let mut r = req.clone();
        let mut t = now;
        f(&mut r, &mut t);
        match (r.verify(t, ak, sk), expect) {
            (Ok(_), None) => {}
            (Err(e), Some(k)) => assert_eq!(kind(&e), k, "{name}/{what}: {e}"),
            (got, _) => panic!("{name}/{what}: expected {expect:?}, got {got:?}"),
        }
        ran += 1;
    }
    assert_eq!(ran, 18);
    let wrong_secret = req.verify(now, ak, &format!("{sk}x"));
    assert_eq!(
        wrong_secret.as_ref().map_err(kind).err(),
        Some("SignatureDoesNotMatch"),
        "{name}/secret"
    );
    let unknown = req.verify(now, "SOMEONE-ELSE", sk);
    assert_eq!(
        unknown.as_ref().map_err(kind).err(),
        Some("UnknownAccessKey"),
        "{name}/access key"
    );
}

struct Case {
    name: String,
    req: Owned,
    now: i64,
    authorization: String,
    canonical_request: String,
}

fn sdk_cases() -> (String, String, Vec<Case>) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/sdk.json");
    let doc = parse_json(&std::fs::read_to_string(path).unwrap());
    let ak = doc.get("access_key").s().to_string();
    let sk = doc.get("secret_key").s().to_string();
    let cases = doc
        .get("cases")
        .arr()
        .iter()
        .map(|c| Case {
            name: c.get("name").s().into(),
            req: Owned {
                method: c.get("method").s().into(),
                path: c.get("path").s().into(),
                query: c.get("query").s().into(),
                headers: c
                    .get("headers")
                    .arr()
                    .iter()
                    .map(|h| (h.arr()[0].s().into(), h.arr()[1].s().into()))
                    .collect(),
                body: hex_to_bytes(c.get("body_hex").s()),
            },
            now: parse_sdk_date(c.get("now").s()).unwrap(),
            authorization: c.get("authorization").s().into(),
            canonical_request: c.get("canonical_request").s().into(),
        })
        .collect();
    (ak, sk, cases)
}

#[test]
fn huaweicloudsdkcore_vectors() {
    let (ak, sk, cases) = sdk_cases();
    assert_eq!(cases.len(), 20);
    for c in &cases {
        let name = &c.name;
        assert_eq!(
            c.req.header("authorization"),
            Some(c.authorization.as_str()),
            "{name}: the request carries the header the SDK produced"
        );
        let signed = c
            .authorization
            .split("SignedHeaders=")
            .nth(1)
            .and_then(|s| s.split(',').next())
            .unwrap();
        let creq = c.req.with(|r| canonical_request(r, signed));
        assert_eq!(creq, c.canonical_request, "{name}: canonical request");
        assert_eq!(
            c.req.with(|r| sign(r, &ak, &sk)),
            c.authorization,
            "{name}: sign()"
        );
        check(name, &c.req, c.now, &ak, &sk);
    }
}

#[test]
fn verified_fields_from_sdk_vectors() {
    let (ak, sk, cases) = sdk_cases();
    let get = |n: &str| cases.iter().find(|c| c.name == n).unwrap();

    let c = get("get-security-token");
    let v = c.req.verify(c.now, &ak, &sk).unwrap();
    assert_eq!(v.access_key, ak);
    assert_eq!(v.project_id.as_deref(), Some(PROJECT));
    assert_eq!(
        v.security_token.as_deref(),
        Some("gQpjbi1ub3J0aC00jEXAMPLETOKEN+/=")
    );
    assert!(v.body_signed);
    // The SDK signs every header except those with '_' in their name; such a
    // header may change freely.
    let mut r = c.req.clone();
    *r.header_mut("X_Custom_Underscore").unwrap() = "anything".into();
    assert!(r.verify(c.now, &ak, &sk).is_ok());

    let c = get("post-octet-stream-unsigned");
    let v = c.req.verify(c.now, &ak, &sk).unwrap();
    assert!(!v.body_signed, "non-JSON content is UNSIGNED-PAYLOAD");
    let c = get("post-form-empty-unsigned");
    assert!(c.req.verify(c.now, &ak, &sk).unwrap().body_signed);
    let c = get("get-no-trailing-slash");
    assert_eq!(c.req.verify(c.now, &ak, &sk).unwrap().project_id, None);
}

/// Quirks of the SDK's canonical form that a verifier must reproduce, and
/// that therefore are *not* detected as tampering.
#[test]
fn sdk_equivalences() {
    let (ak, sk, cases) = sdk_cases();
    let get = |n: &str| cases.iter().find(|c| c.name == n).unwrap();

    // The canonical URI always ends with '/', so /x and /x/ sign alike (the
    // SDK's own two vectors for them carry the same signature).
    assert_eq!(
        get("get-no-trailing-slash").authorization,
        get("get-trailing-slash").authorization
    );
    let c = get("get-no-trailing-slash");
    let mut r = c.req.clone();
    r.path.push('/');
    assert!(r.verify(c.now, &ak, &sk).is_ok());

    // The whole path is decoded before it is split: %2F is a '/'. Encoding
    // an unreserved character differently does not matter either.
    let c = get("get-encoded-path");
    for path in [
        c.req.path.replace("%2F", "/"),
        c.req.path.replace("%7E", "~").replace("%28", "("),
    ] {
        let mut r = c.req.clone();
        r.path = path;
        assert!(r.verify(c.now, &ak, &sk).is_ok(), "{}", r.path);
    }

    // The query is re-sorted by name, so a client or proxy reordering
    // distinct names changes nothing...
    let c = get("get-unsorted-query");
    let mut r = c.req.clone();
    r.query = "offset=40&limit=5&name=pets".into();
    assert!(r.verify(c.now, &ak, &sk).is_ok());
    // ...but the values of a repeated name are signed in the order the SDK
    // sent them (2 before 10: Python sorted the ints numerically).
    let c = get("get-list-ints");
    assert!(c.req.query.contains("ids=2&ids=10&ids=33"));
    let mut r = c.req.clone();
    r.query = r.query.replace("ids=2&ids=10", "ids=10&ids=2");
    assert_eq!(
        r.verify(c.now, &ak, &sk).map_err(|e| kind(&e)).err(),
        Some("SignatureDoesNotMatch")
    );

    // Header values are strip()ped; padding does not matter.
    let c = get("get-unicode-header");
    let mut r = c.req.clone();
    let v = r.header_mut("x-note").unwrap();
    *v = format!(" \t\u{a0}{v}\u{3000} ");
    assert!(r.verify(c.now, &ak, &sk).is_ok());
}
