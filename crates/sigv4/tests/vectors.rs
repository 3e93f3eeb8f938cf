//! Data-driven SigV4 tests. Every case goes through [`check`], which asserts
//! that `verify` accepts the request and rejects each tampered variant with
//! the expected AWS error.

use sigv4::{canonical_request, credential_of, parse_amz_date, sign, verify, Error, Request};
use std::path::Path;

const AK: &str = "AKIDEXAMPLE";
const SK: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn secret(ak: &str) -> Option<String> {
    (ak == AK).then(|| SK.to_string())
}

/// An owned request, so tampered copies are easy to make.
#[derive(Clone, Debug)]
struct Owned {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Owned {
    fn with<R>(&self, f: impl FnOnce(&Request) -> R) -> R {
        let h: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        f(&Request {
            method: &self.method,
            raw_path: &self.path,
            raw_query: &self.query,
            headers: &h,
            body: &self.body,
        })
    }
    fn verify(&self, service: Option<&str>, now: i64, sk: &str) -> Result<sigv4::Verified, Error> {
        self.with(|r| verify(r, service, now, |ak| (ak == AK).then(|| sk.to_string())))
    }
}

/// A tampering and the error code it must produce.
type Tamper = (
    &'static str,
    Box<dyn Fn(&mut Owned, &mut i64)>,
    &'static str,
);

fn flip_last_hex(s: &mut String) {
    let c = s.pop().unwrap();
    s.push(if c == '0' { '1' } else { '0' });
}

/// Accepts `req` at `now`, then rejects every tampered variant.
fn check(name: &str, req: &Owned, service: Option<&str>, now: i64, tampers: &[Tamper]) {
    let ok = req.verify(service, now, SK);
    assert!(ok.is_ok(), "{name}: expected success, got {ok:?}");
    for (what, f, code) in tampers {
        let mut r = req.clone();
        let mut t = now;
        f(&mut r, &mut t);
        match r.verify(service, t, SK) {
            Err(e) => assert_eq!(e.aws_code(), *code, "{name}/{what}: {e}"),
            Ok(_) => panic!("{name}/{what}: tampered request accepted"),
        }
    }
}

fn header_tampers() -> Vec<Tamper> {
    vec![
        (
            "one-bit signature",
            Box::new(|r, _| {
                let a = r
                    .headers
                    .iter_mut()
                    .find(|(n, _)| n == "Authorization")
                    .unwrap();
                flip_last_hex(&mut a.1);
            }),
            "InvalidSignatureException",
        ),
        (
            "body",
            Box::new(|r, _| r.body.push(b' ')),
            "InvalidSignatureException",
        ),
        (
            "path",
            Box::new(|r, _| r.path.push('x')),
            "InvalidSignatureException",
        ),
        (
            "query",
            Box::new(|r, _| {
                if !r.query.is_empty() {
                    r.query.push('&');
                }
                r.query.push_str("extra=1");
            }),
            "InvalidSignatureException",
        ),
        (
            "method",
            Box::new(|r, _| r.method = "DELETE".into()),
            "InvalidSignatureException",
        ),
        (
            "signed header",
            Box::new(|r, _| {
                let h = r
                    .headers
                    .iter_mut()
                    .find(|(n, _)| n.eq_ignore_ascii_case("host"))
                    .unwrap();
                h.1.push('x');
            }),
            "InvalidSignatureException",
        ),
        (
            "skew past",
            Box::new(|_, t| *t += 15 * 60 + 1),
            "InvalidSignatureException",
        ),
        (
            "skew future",
            Box::new(|_, t| *t -= 15 * 60 + 1),
            "InvalidSignatureException",
        ),
    ]
}

fn parse_req(text: &str) -> Owned {
    let (head, body) = text.split_once("\n\n").unwrap_or((text, ""));
    let mut lines = head.lines();
    let first = lines.next().unwrap();
    let (method, rest) = first.split_once(' ').unwrap();
    let target = rest.strip_suffix(" HTTP/1.1").unwrap();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let headers = lines
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.to_string(), v.to_string())
        })
        .collect();
    Owned {
        method: method.into(),
        path: path.into(),
        query: query.into(),
        headers,
        body: body.as_bytes().to_vec(),
    }
}

fn suite_cases(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            suite_cases(&p, out);
        } else if p.extension().is_some_and(|x| x == "req") {
            out.push(p);
        }
    }
}

#[test]
fn aws_test_suite() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/aws-sig-v4-test-suite");
    let mut cases = Vec::new();
    suite_cases(&root, &mut cases);
    cases.sort();
    assert_eq!(cases.len(), 29);
    let now = parse_amz_date("20150830T123600Z").unwrap();
    for req_path in cases {
        let name = req_path.file_stem().unwrap().to_string_lossy().into_owned();
        let read = |ext: &str| std::fs::read_to_string(req_path.with_extension(ext)).unwrap();
        let mut req = parse_req(&read("req"));
        let authz = read("authz");
        let signed = authz
            .split("SignedHeaders=")
            .nth(1)
            .unwrap()
            .split(',')
            .next()
            .unwrap();
        let creq = req.with(|r| canonical_request(r, signed));
        assert_eq!(creq, read("creq"), "{name}: canonical request");
        let ours = req.with(|r| sign(r, AK, SK, "us-east-1", "service", "20150830T123600Z"));
        assert_eq!(ours, authz, "{name}: authorization");
        req.headers.push(("Authorization".into(), authz));
        check(&name, &req, Some("service"), now, &header_tampers());
    }
}

fn patch_vector() -> Owned {
    Owned {
        method: "PATCH".into(),
        path: "/restapis/abc123".into(),
        query: String::new(),
        headers: vec![
            ("Accept".into(), "application/json".into()),
            ("Content-Type".into(), "application/json".into()),
            ("X-Amz-Date".into(), "20240102T030405Z".into()),
            ("Host".into(), "127.0.0.1:8080".into()),
        ],
        body: br#"{"patchOperations": [{"op": "replace", "path": "/name", "value": "new"}]}"#
            .to_vec(),
    }
}

const PATCH_AUTHZ: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/us-east-1/apigateway/aws4_request, SignedHeaders=accept;content-type;host;x-amz-date, Signature=e62019f9f6bedcde5b019eb39f7e8e70cf514f12835b5c7bfad8e7aeb0de96aa";

#[test]
fn deterministic_apigateway_patch() {
    let mut req = patch_vector();
    let ours = req.with(|r| sign(r, AK, SK, "us-east-1", "apigateway", "20240102T030405Z"));
    assert_eq!(ours, PATCH_AUTHZ);
    req.headers
        .push(("Authorization".into(), PATCH_AUTHZ.into()));
    let now = parse_amz_date("20240102T030405Z").unwrap();
    check("patch", &req, Some("apigateway"), now, &header_tampers());
    let v = req.verify(Some("apigateway"), now, SK).unwrap();
    assert_eq!(
        (
            v.access_key.as_str(),
            v.region.as_str(),
            v.service.as_str(),
            v.date.as_str()
        ),
        (AK, "us-east-1", "apigateway", "20240102")
    );
    let c = req.with(|r| credential_of(r)).unwrap().unwrap();
    assert_eq!(
        (c.access_key.as_str(), c.region.as_str()),
        (AK, "us-east-1")
    );
    assert!(req.verify(Some("apigateway"), now, "wrong").is_err());
    let _ = secret;
}
