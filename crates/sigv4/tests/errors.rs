//! Error-case table: every [`Error`] variant with its exact AWS code, HTTP
//! status and message, all driven through one [`check`] helper.

use sigv4::{parse_amz_date, sign, verify, Error, Request};

const AK: &str = "AKIDEXAMPLE";
const SK: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const T0: &str = "20240102T030405Z";
const CRED: &str = "AKIDEXAMPLE/20240102/us-east-1/apigateway/aws4_request";

struct Case {
    name: &'static str,
    query: String,
    headers: Vec<(&'static str, String)>,
    now: &'static str,
}

fn case(name: &'static str, authz: Option<&str>) -> Case {
    let mut headers = vec![
        ("Host", "127.0.0.1:8080".to_string()),
        ("X-Amz-Date", T0.to_string()),
    ];
    if let Some(a) = authz {
        headers.push(("Authorization", a.to_string()));
    }
    Case {
        name,
        query: String::new(),
        headers,
        now: T0,
    }
}

fn authz(cred: &str, signed: &str, sig: &str) -> String {
    format!("AWS4-HMAC-SHA256 Credential={cred}, SignedHeaders={signed}, Signature={sig}")
}

/// A correctly signed GET /restapis at `date`.
fn signed_at(date: &str) -> String {
    let h = [("Host", "127.0.0.1:8080"), ("X-Amz-Date", date)];
    let req = Request {
        method: "GET",
        raw_path: "/restapis",
        raw_query: "",
        headers: &h,
        body: b"",
    };
    sign(&req, AK, SK, "us-east-1", "apigateway", date)
}

fn check(c: &Case, code: &str, status: u16, message: &str) {
    let h: Vec<(&str, &str)> = c.headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let req = Request {
        method: "GET",
        raw_path: "/restapis",
        raw_query: &c.query,
        headers: &h,
        body: b"",
    };
    let now = parse_amz_date(c.now).unwrap();
    let err = verify(&req, Some("apigateway"), now, |ak| {
        (ak == AK).then(|| SK.to_string())
    })
    .expect_err(c.name);
    assert_eq!(err.aws_code(), code, "{}", c.name);
    assert_eq!(err.status(), status, "{}", c.name);
    assert_eq!(err.message(), message, "{}", c.name);
}

const SIG0: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[test]
fn error_table() {
    let ok = signed_at(T0);
    check(
        &case("no auth", None),
        "MissingAuthenticationTokenException",
        403,
        "Missing Authentication Token",
    );

    check(&case("bare JWT", Some("eyJhbGciOiJIUzI1NiJ9.e30.c2ln")), "IncompleteSignatureException", 403,
        "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=eyJhbGciOiJIUzI1NiJ9.e30.c2ln");

    let mut c = case(
        "cred only, no date",
        Some(&format!("AWS4-HMAC-SHA256 Credential={CRED}")),
    );
    c.headers.retain(|(n, _)| *n != "X-Amz-Date");
    check(&c, "IncompleteSignatureException", 403, &format!(
        "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 Credential={CRED}"));

    let bad = authz(
        "AKIDEXAMPLE /20240102/us-east-1/apigateway/aws4_request",
        "host;x-amz-date",
        SIG0,
    );
    check(&case("space in credential", Some(&bad)), "IncompleteSignatureException", 403, &format!(
        "'/20240102/us-east-1/apigateway/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: '{bad}'."));

    let a = authz(CRED, "host;x-amz-date", SIG0).replace("SHA256", "SHA512");
    check(
        &case("algorithm", Some(&a)),
        "IncompleteSignatureException",
        403,
        "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'.",
    );

    let a = authz(
        "AKIDEXAMPLE/20240102/us-east-1/apigateway",
        "host;x-amz-date",
        SIG0,
    );
    check(&case("4-part credential", Some(&a)), "IncompleteSignatureException", 403,
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDEXAMPLE/20240102/us-east-1/apigateway'");

    let a = authz(
        "AKIDEXAMPLE/20240102/us-east-1/apigateway/xyz",
        "host;x-amz-date",
        SIG0,
    );
    check(
        &case("terminator", Some(&a)),
        "InvalidSignatureException",
        403,
        "Credential should be scoped with a valid terminator: 'aws4_request', not 'xyz'. ",
    );

    let a = authz(
        "AKIDEXAMPLE/20240102/us-east-1/execute-api/aws4_request",
        "host;x-amz-date",
        SIG0,
    );
    check(
        &case("service", Some(&a)),
        "InvalidSignatureException",
        403,
        "Credential should be scoped to correct service: 'apigateway'. ",
    );

    let a = authz(
        "AKIDEXAMPLE/20240101/us-east-1/apigateway/aws4_request",
        "host;x-amz-date",
        SIG0,
    );
    check(&case("scope date", Some(&a)), "InvalidSignatureException", 403,
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20240101' != '20240102', from '20240102T030405Z'.");

    let mut c = case("bad date", Some(&ok));
    c.headers[1].1 = "2024-01-02T03:04:05Z".into();
    check(&c, "IncompleteSignatureException", 403,
        "Date must be in ISO-8601 'basic format'. Got '2024-01-02T03:04:05Z'. See http://en.wikipedia.org/wiki/ISO_8601");

    let a = authz(CRED, "x-amz-date", SIG0);
    check(
        &case("host unsigned", Some(&a)),
        "IncompleteSignatureException",
        403,
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    );

    let mut c = case("skew past", Some(&ok));
    c.now = "20240102T033405Z";
    check(&c, "InvalidSignatureException", 403,
        "Signature expired: 20240102T030405Z is now earlier than 20240102T031905Z (20240102T033405Z - 15 min.)");

    let mut c = case("skew future", Some(&ok));
    c.now = "20240102T024904Z";
    check(&c, "InvalidSignatureException", 403,
        "Signature not yet current: 20240102T030405Z is still later than 20240102T030404Z (20240102T024904Z + 15 min.)");

    let a = authz(
        "AKIDUNKNOWN/20240102/us-east-1/apigateway/aws4_request",
        "host;x-amz-date",
        SIG0,
    );
    check(
        &case("unknown key", Some(&a)),
        "UnrecognizedClientException",
        403,
        "The security token included in the request is invalid.",
    );

    let a = authz(CRED, "host;x-amz-date", SIG0);
    check(&case("mismatch", Some(&a)), "InvalidSignatureException", 403,
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
    let a = authz(CRED, "host;x-amz-date", "not-hex");
    check(&case("non-hex signature", Some(&a)), "InvalidSignatureException", 403,
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");

    let mut c = case("incomplete query", None);
    c.query = format!(
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={}",
        CRED.replace('/', "%2F")
    );
    c.headers.retain(|(n, _)| *n != "X-Amz-Date");
    check(&c, "IncompleteSignatureException", 403,
        "AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters.");

    let presign = |expires: &str| {
        format!(
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={}&X-Amz-Date={T0}&X-Amz-Expires={expires}&X-Amz-SignedHeaders=host&X-Amz-Signature={SIG0}",
        CRED.replace('/', "%2F"))
    };
    let mut c = case("expires too long", None);
    c.query = presign("604801");
    check(&c, "IncompleteSignatureException", 400,
        "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds. Got '604801'.");

    let mut c = case("presign expired", None);
    c.query = presign("300");
    c.now = "20240102T031000Z";
    check(&c, "InvalidSignatureException", 403,
        "Signature expired: 20240102T030405Z is now earlier than 20240102T030500Z (20240102T031000Z - 300 sec.)");

    let e = Error::WrongRegion {
        region: "eu-west-9".into(),
    };
    assert_eq!(
        (e.aws_code(), e.status(), e.message().as_str()),
        (
            "InvalidSignatureException",
            403,
            "Credential should be scoped to a valid region, not 'eu-west-9'. "
        )
    );
}

#[test]
fn http_date_header_is_accepted() {
    let h = [
        ("Host", "127.0.0.1:8080"),
        ("Date", "Tue, 02 Jan 2024 03:04:05 GMT"),
    ];
    let req = Request {
        method: "GET",
        raw_path: "/restapis",
        raw_query: "",
        headers: &h,
        body: b"",
    };
    let a = sign(&req, AK, SK, "us-east-1", "apigateway", T0);
    let h2 = [h[0], h[1], ("Authorization", a.as_str())];
    let req = Request {
        headers: &h2,
        ..req
    };
    let now = parse_amz_date(T0).unwrap();
    let v = verify(&req, None, now, |_| Some(SK.to_string())).unwrap();
    assert_eq!(v.date, "20240102");
}
