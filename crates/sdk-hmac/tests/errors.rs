//! Error table: every [`Error`] variant with its exact APIG code, HTTP status
//! and message, each reached through `verify` on a request that is correct
//! except for the one thing under test.

mod common;

use common::{kind, Owned};
use sdk_hmac::{parse_sdk_date, sign, Error};

const AK: &str = "HPUAEXAMPLEAK0123456";
const SK: &str = "exampleSecretKey";
const T0: &str = "20240102T030405Z";
const SIG0: &str = "0000000000000000000000000000000000000000000000000000000000000000";
const PREFIX: &str = "Incorrect IAM authentication information: ";

/// A correctly signed GET with a project id.
fn signed() -> Owned {
    let mut r = Owned {
        method: "GET".into(),
        path: "/v2/p1/apigw/instances".into(),
        query: "limit=1".into(),
        headers: vec![
            ("Host".into(), "127.0.0.1:8080".into()),
            ("X-Sdk-Date".into(), T0.into()),
            ("X-Project-Id".into(), "p1".into()),
        ],
        body: Vec::new(),
    };
    let a = r.with(|q| sign(q, AK, SK));
    r.headers.push(("Authorization".into(), a));
    r
}

fn authz(r: &mut Owned) -> &mut String {
    r.header_mut("authorization").unwrap()
}

fn check(name: &str, r: &Owned, now: &str, want_kind: &str, detail: &str) -> Error {
    let e = r
        .verify(parse_sdk_date(now).unwrap(), AK, SK)
        .expect_err(name);
    assert_eq!(kind(&e), want_kind, "{name}: {e}");
    assert_eq!(e.error_code(), "APIG.0301", "{name}");
    assert_eq!(e.status(), 401, "{name}");
    assert_eq!(e.error_msg(), format!("{PREFIX}{detail}"), "{name}");
    assert_eq!(e.to_string(), format!("APIG.0301: {PREFIX}{detail}"));
    e
}

#[test]
fn error_table() {
    assert!(signed().verify(parse_sdk_date(T0).unwrap(), AK, SK).is_ok());

    let mut r = signed();
    r.remove_header("authorization");
    check(
        "no auth",
        &r,
        T0,
        "MissingAuthorization",
        "x-auth-token not found",
    );

    let mut r = signed();
    *authz(&mut r) = "AWS4-HMAC-SHA256 Credential=x/y, SignedHeaders=host, Signature=00".into();
    check(
        "other scheme",
        &r,
        T0,
        "UnsupportedAlgorithm",
        "unsupported signing algorithm 'AWS4-HMAC-SHA256'",
    );
    *authz(&mut r) = "SDK-HMAC-SM3 Access=a, SignedHeaders=host, Signature=00".into();
    check(
        "sm3",
        &r,
        T0,
        "UnsupportedAlgorithm",
        "unsupported signing algorithm 'SDK-HMAC-SM3'",
    );
    *authz(&mut r) = "Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln".into();
    check(
        "bearer",
        &r,
        T0,
        "UnsupportedAlgorithm",
        "unsupported signing algorithm 'Bearer'",
    );

    let malformed = [
        (
            "SDK-HMAC-SHA256",
            "Access, SignedHeaders and Signature are required",
        ),
        (
            "SDK-HMAC-SHA256 Access=a, SignedHeaders=host;x-sdk-date",
            "Access, SignedHeaders and Signature are required",
        ),
        (
            "SDK-HMAC-SHA256 Access=a SignedHeaders=host;x-sdk-date, Signature=00",
            "Access, SignedHeaders and Signature are required",
        ),
        (
            "SDK-HMAC-SHA256 Access=a, SignedHeaders, Signature=00",
            "a parameter is not key=value",
        ),
        (
            "SDK-HMAC-SHA256 Access=a, Access=b, SignedHeaders=host;x-sdk-date, Signature=00",
            "a parameter is repeated",
        ),
        (
            "SDK-HMAC-SHA256 Access=, SignedHeaders=host;x-sdk-date, Signature=SIG0",
            "invalid Access",
        ),
        (
            "SDK-HMAC-SHA256 Access=a\u{e9}, SignedHeaders=host;x-sdk-date, Signature=SIG0",
            "invalid Access",
        ),
        (
            "SDK-HMAC-SHA256 Access=a, SignedHeaders=host;x-sdk-date, Signature=abc",
            "Signature must be 64 hex digits",
        ),
        (
            "SDK-HMAC-SHA256 Access=a, SignedHeaders=host;x-sdk-date, Signature=SIG0g",
            "Signature must be 64 hex digits",
        ),
        (
            "SDK-HMAC-SHA256 Access=a, SignedHeaders=Host;x-sdk-date, Signature=SIG0",
            "invalid SignedHeaders",
        ),
        (
            "SDK-HMAC-SHA256 Access=a, SignedHeaders=host;;x-sdk-date, Signature=SIG0",
            "invalid SignedHeaders",
        ),
        (
            "SDK-HMAC-SHA256 Access=a, SignedHeaders=, Signature=SIG0",
            "invalid SignedHeaders",
        ),
    ];
    for (value, reason) in malformed {
        let mut r = signed();
        *authz(&mut r) = value.replace("SIG0", SIG0);
        check(
            value,
            &r,
            T0,
            "MalformedAuthorization",
            &format!("invalid Authorization header: {reason}"),
        );
    }
    let mut r = signed();
    let names: Vec<String> = (0..65).map(|i| format!("h{i}")).collect();
    *authz(&mut r) = format!(
        "SDK-HMAC-SHA256 Access={AK}, SignedHeaders={}, Signature={SIG0}",
        names.join(";")
    );
    check(
        "65 signed headers",
        &r,
        T0,
        "MalformedAuthorization",
        "invalid Authorization header: too many SignedHeaders",
    );
    let mut r = signed();
    authz(&mut r).push_str(&", X=y".repeat(1000));
    check(
        "too long",
        &r,
        T0,
        "MalformedAuthorization",
        "invalid Authorization header: header too long",
    );

    // Unknown parameters are ignored, and so is spacing around them.
    let mut r = signed();
    let a = authz(&mut r);
    *a = format!("  {}, Extra=1 ,, ", a.replace(", ", " ,\t"));
    assert!(r.verify(parse_sdk_date(T0).unwrap(), AK, SK).is_ok());

    for name in ["authorization", "x-sdk-date", "x-project-id"] {
        let mut r = signed();
        let dup = r
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .unwrap()
            .clone();
        r.headers.push(dup);
        check(
            name,
            &r,
            T0,
            "DuplicateHeader",
            &format!("header {name} is sent more than once"),
        );
    }

    for (drop, name) in [("host;", "host"), (";x-sdk-date", "x-sdk-date")] {
        let mut r = signed();
        let a = authz(&mut r);
        *a = a.replace(drop, "");
        check(
            name,
            &r,
            T0,
            "HeaderNotSigned",
            &format!("{name} must be a signed header"),
        );
    }
    let mut r = signed();
    let a = authz(&mut r);
    *a = a.replace(";x-project-id", "");
    check(
        "project id not signed",
        &r,
        T0,
        "HeaderNotSigned",
        "x-project-id must be a signed header",
    );
    let mut r = signed();
    r.headers
        .push(("X-Security-Token".into(), "injected".into()));
    check(
        "token not signed",
        &r,
        T0,
        "HeaderNotSigned",
        "x-security-token must be a signed header",
    );

    let mut r = signed();
    let a = authz(&mut r);
    *a = a.replace("host;", "host;x-custom;");
    check(
        "signed header absent",
        &r,
        T0,
        "SignedHeaderMissing",
        "signed header x-custom not found",
    );

    let mut r = signed();
    r.remove_header("x-sdk-date");
    check("no date", &r, T0, "MissingDate", "x-sdk-date not found");

    for bad in [
        "2024-01-02T03:04:05Z",
        "20240102T030405",
        "20240230T030405Z",
        "",
    ] {
        let mut r = signed();
        *r.header_mut("x-sdk-date").unwrap() = bad.into();
        check(
            bad,
            &r,
            T0,
            "InvalidDate",
            &format!("invalid x-sdk-date '{bad}', expected YYYYMMDDTHHMMSSZ"),
        );
    }

    check(
        "expired",
        &signed(),
        "20240102T031906Z",
        "SignatureExpired",
        "signature expired, signature time:20240102T030405Z,server time:20240102T031906Z",
    );
    check(
        "from the future",
        &signed(),
        "20240102T024904Z",
        "SignatureExpired",
        "signature expired, signature time:20240102T030405Z,server time:20240102T024904Z",
    );

    let mut r = signed();
    let a = authz(&mut r);
    *a = a.replace(AK, "NOSUCHKEY");
    check(
        "unknown key",
        &r,
        T0,
        "UnknownAccessKey",
        "Get secretKey failed,ak:NOSUCHKEY,err:ak not exist",
    );

    let mut r = signed();
    let a = authz(&mut r);
    let (head, _) = a.split_once("Signature=").unwrap();
    *a = format!("{head}Signature={SIG0}");
    let e = check(
        "mismatch",
        &r,
        T0,
        "SignatureDoesNotMatch",
        "verify aksk signature fail",
    );
    // The canonical request is kept for the server's logs, not the client.
    let Error::SignatureDoesNotMatch {
        canonical_request,
        string_to_sign,
    } = e
    else {
        unreachable!()
    };
    assert_eq!(
        canonical_request,
        "GET\n/v2/p1/apigw/instances/\nlimit=1\nhost:127.0.0.1:8080\nx-project-id:p1\nx-sdk-date:20240102T030405Z\n\nhost;x-project-id;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert!(string_to_sign.starts_with("SDK-HMAC-SHA256\n20240102T030405Z\n"));

    // An upper-case hex signature is the same signature.
    let mut r = signed();
    let a = authz(&mut r);
    let (head, sig) = a.split_once("Signature=").unwrap();
    *a = format!("{head}Signature={}", sig.to_ascii_uppercase());
    assert!(r.verify(parse_sdk_date(T0).unwrap(), AK, SK).is_ok());
}

/// Time checks come before the key lookup: a stale request does not learn
/// whether its access key exists.
#[test]
fn stale_requests_do_not_probe_keys() {
    let mut r = signed();
    let a = authz(&mut r);
    *a = a.replace(AK, "NOSUCHKEY");
    let e = r
        .verify(parse_sdk_date("20240103T000000Z").unwrap(), AK, SK)
        .unwrap_err();
    assert_eq!(kind(&e), "SignatureExpired");
}

/// A signed header sent twice signs its values joined by ','; dropping one
/// copy is tampering.
#[test]
fn repeated_signed_header() {
    let mut r = Owned {
        method: "GET".into(),
        path: "/x".into(),
        query: String::new(),
        headers: vec![
            ("Host".into(), "h".into()),
            ("X-Sdk-Date".into(), T0.into()),
            ("X-Tag".into(), "a".into()),
            ("x-tag".into(), " b ".into()),
        ],
        body: Vec::new(),
    };
    let a = r.with(|q| sign(q, AK, SK));
    assert!(a.contains("SignedHeaders=host;x-sdk-date;x-tag,"));
    let creq = r.with(|q| sdk_hmac::canonical_request(q, "host;x-sdk-date;x-tag"));
    assert!(creq.contains("\nx-tag:a,b\n"), "{creq}");
    r.headers.push(("Authorization".into(), a));
    let now = parse_sdk_date(T0).unwrap();
    assert!(r.verify(now, AK, SK).is_ok());
    r.headers.remove(3);
    assert_eq!(
        r.verify(now, AK, SK).map_err(|e| kind(&e)).err(),
        Some("SignatureDoesNotMatch")
    );
}
