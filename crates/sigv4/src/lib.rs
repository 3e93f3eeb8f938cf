//! AWS Signature Version 4 (`AWS4-HMAC-SHA256`) verification for Portico.
//!
//! Portico speaks Amazon API Gateway's management API, so boto3 and the AWS
//! CLI sign every call with SigV4 and expect AWS's own error codes and texts
//! back. This crate re-derives the signature of an incoming request and
//! compares it with the one the client sent. It knows nothing about HTTP
//! libraries: the server hands over a [`Request`] made of borrowed slices.
//!
//! # Design notes
//!
//! * **Raw path.** The canonical URI is computed from the path *exactly as it
//!   arrived on the wire*. Clients sign the percent-encoded path they send and,
//!   for every service except S3, encode it once more (botocore does
//!   `quote(normalize_url_path(path), safe='/~')`), so `/restapis/a%20b`
//!   signs as `/restapis/a%2520b`. A server that decodes the path first
//!   cannot tell `%2F` from `/` any more and would compute a different
//!   canonical URI, so decoding must happen after verification, never before.
//!   Dot segments and repeated slashes are removed first, as botocore and the
//!   AWS test suite do for non-S3 services.
//! * **Constant time.** The expected signature is never materialised and
//!   compared with `==`: the client's hex signature is decoded and handed to
//!   [`ring::hmac::verify`], which compares in constant time, so response
//!   timing does not leak how many leading bytes of a forged signature were
//!   right.
//! * **Signing keys.** The key comes from the HMAC chain (`AWS4`+secret →
//!   date → region → service → `aws4_request`): four HMACs whose keys are set
//!   up from scratch, about a third of the hashing of a small request. A server
//!   can pass a [`KeyCache`] to [`verify_with`] to derive each key once. The
//!   cache is keyed by the secret itself, so a rotated secret simply misses;
//!   nothing has to be invalidated.
//! * **Errors.** [`Error`] variants map one-to-one onto the code, message and
//!   HTTP status that AWS returns, so the server can render them verbatim.
//!
//! * **Presigned payload hash.** S3-style presigners put `UNSIGNED-PAYLOAD`
//!   in the canonical request, but botocore's `SigV4QueryAuth` (what boto3
//!   uses for non-S3 services) hashes the body, usually the empty string.
//!   Botocore wins for API Gateway, so unless `x-amz-content-sha256` says
//!   which, a presigned request is accepted under either hash.
//! * **Test-suite vs botocore.** The vendored AWS test-suite cases
//!   (including `normalize-path/*`) agree with botocore's non-S3 rules, so
//!   no vector had to be overridden.
//!
//! # Provenance of error texts
//!
//! Taken verbatim from AWS responses quoted in public bug reports: missing
//! parameters / date (`IncompleteSignature`), "not a valid key=value pair",
//! "5 slash-delimited elements", service/region scoping, "Signature
//! expired" and "Signature not yet current", and the X-Amz-Expires limit
//! (from S3). Not observed and therefore best effort: the unsupported
//! algorithm text, the unsigned-host text, and the presign-expiry text
//! (modelled on the clock-skew message with `sec.`).
//!
//! The clock is a parameter (`now_unix_secs`) so that skew and expiry rules
//! are testable without faking time.

mod error;
mod keys;
pub use error::Error;
use keys::signing_key;
pub use keys::KeyCache;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use ring::{digest, hmac};

/// The only algorithm SigV4 defines for HMAC signing.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// Payload-hash placeholder used when the body is deliberately not signed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// AWS accepts requests whose timestamp is within 15 minutes of its clock.
pub const MAX_SKEW_SECS: i64 = 15 * 60;
/// A presigned URL can live at most seven days (the signing key's lifetime).
pub const MAX_PRESIGN_EXPIRES_SECS: i64 = 7 * 24 * 3600;

const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// AWS "URI encoding": everything except `A-Za-z0-9-_.~` becomes `%XX`.
const AWS_QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
/// Same, but `/` survives: this is botocore's `quote(path, safe='/~')`.
const AWS_PATH: &AsciiSet = &AWS_QUERY.remove(b'/');

/// An incoming request, borrowed from whatever HTTP stack the server uses.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub method: &'a str,
    /// Exactly as on the wire, still percent-encoded.
    pub raw_path: &'a str,
    /// Without the leading `?`; may be empty.
    pub raw_query: &'a str,
    /// As received: names in any case, repeated names allowed, in order.
    pub headers: &'a [(&'a str, &'a str)],
    pub body: &'a [u8],
}

/// The credential scope a request claims, before anything is verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub access_key: String,
    /// `YYYYMMDD`
    pub date: String,
    pub region: String,
    pub service: String,
}

/// What a successfully verified request proved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub access_key: String,
    pub region: String,
    pub service: String,
    /// `YYYYMMDD`
    pub date: String,
    /// `X-Amz-Security-Token`, if the client sent one; validating it is the
    /// caller's business.
    pub security_token: Option<String>,
    /// True when the signature travelled in the query string.
    pub presigned: bool,
}

/// The signature fields of a request, borrowed from its header or query.
struct Parsed {
    /// `YYYYMMDDTHHMMSSZ`, converted from `Date` when needed.
    amz_date: String,
    presign_expires: Option<i64>,
    security_token: Option<String>,
}

fn header<'a>(req: &Request<'a>, name: &str) -> Option<&'a str> {
    req.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

fn query_pairs(raw: &str) -> impl Iterator<Item = (&str, &str)> {
    raw.split('&')
        .filter(|s| !s.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
}

fn decode(s: &str) -> std::borrow::Cow<'_, str> {
    percent_decode_str(s).decode_utf8_lossy()
}

/// Finds a query parameter by exact (decoded) name.
fn query_param<'a>(raw: &'a str, name: &str) -> Option<std::borrow::Cow<'a, str>> {
    query_pairs(raw)
        .find(|(k, _)| decode(k) == name)
        .map(|(_, v)| decode(v))
}

/// Splits `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`
/// the way AWS does: tokens separated by commas *and* spaces, which is why a
/// stray space inside the credential yields a "missing equal-sign" error.
fn parse_authorization_header<'a>(
    value: &'a str,
    date: Option<&str>,
) -> Result<(&'a str, &'a str, &'a str), Error> {
    let (algorithm, rest) = value.split_once(' ').unwrap_or((value, ""));
    let (mut cred, mut signed, mut sig) = (None, None, None);
    for token in rest.split([',', ' ']).filter(|t| !t.is_empty()) {
        let Some((k, v)) = token.split_once('=') else {
            return Err(Error::MalformedAuthorizationPair {
                pair: token.to_string(),
                header: value.to_string(),
            });
        };
        match k {
            "Credential" => cred = Some(v),
            "SignedHeaders" => signed = Some(v),
            "Signature" => sig = Some(v),
            _ => {}
        }
    }
    if cred.is_none() || signed.is_none() || sig.is_none() || date.is_none() {
        return Err(Error::IncompleteAuthorization {
            missing_credential: cred.is_none(),
            missing_signature: sig.is_none(),
            missing_signed_headers: signed.is_none(),
            missing_date: date.is_none(),
            header: value.to_string(),
        });
    }
    if algorithm != ALGORITHM {
        return Err(Error::UnsupportedAlgorithm {
            algorithm: algorithm.to_string(),
        });
    }
    Ok((cred.unwrap_or(""), signed.unwrap_or(""), sig.unwrap_or("")))
}

/// The three signature fields. Owned because query-form values must be
/// percent-decoded; they are a few dozen bytes each.
struct AuthFields {
    credential: String,
    signed_headers: String,
    signature: String,
}

fn parse(req: &Request<'_>) -> Result<Option<(Parsed, AuthFields)>, Error> {
    if let Some(auth) = header(req, "authorization") {
        let date_hdr = header(req, "x-amz-date").or_else(|| header(req, "date"));
        let (c, s, g) = parse_authorization_header(auth, date_hdr)?;
        let raw_date = date_hdr.unwrap_or_default();
        let amz_date = normalise_date(raw_date, header(req, "x-amz-date").is_some())?;
        let qa = AuthFields {
            credential: c.to_string(),
            signed_headers: s.to_string(),
            signature: g.to_string(),
        };
        return Ok(Some((
            Parsed {
                amz_date,
                presign_expires: None,
                security_token: header(req, "x-amz-security-token").map(str::to_string),
            },
            qa,
        )));
    }
    let q = req.raw_query;
    let algorithm = query_param(q, "X-Amz-Algorithm");
    let credential = query_param(q, "X-Amz-Credential");
    let signature = query_param(q, "X-Amz-Signature");
    if algorithm.is_none() && credential.is_none() && signature.is_none() {
        return Ok(None);
    }
    let signed = query_param(q, "X-Amz-SignedHeaders");
    let date = query_param(q, "X-Amz-Date");
    let mut missing = Vec::new();
    for (name, present) in [
        ("X-Amz-Algorithm", algorithm.is_some()),
        ("X-Amz-Credential", credential.is_some()),
        ("X-Amz-Signature", signature.is_some()),
        ("X-Amz-SignedHeaders", signed.is_some()),
        ("X-Amz-Date", date.is_some()),
    ] {
        if !present {
            missing.push(name);
        }
    }
    if !missing.is_empty() {
        return Err(Error::IncompleteQuery { missing });
    }
    let algorithm = algorithm.unwrap_or_default();
    if algorithm != ALGORITHM {
        return Err(Error::UnsupportedAlgorithm {
            algorithm: algorithm.into_owned(),
        });
    }
    let amz_date = normalise_date(&date.unwrap_or_default(), true)?;
    let expires = match query_param(q, "X-Amz-Expires") {
        None => None,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if (1..=MAX_PRESIGN_EXPIRES_SECS).contains(&n) => Some(n),
            _ => {
                return Err(Error::InvalidExpires {
                    value: v.into_owned(),
                })
            }
        },
    };
    Ok(Some((
        Parsed {
            amz_date,
            // Without X-Amz-Expires a presigned request is held to the
            // ordinary 15-minute window.
            presign_expires: Some(expires.unwrap_or(MAX_SKEW_SECS)),
            security_token: query_param(q, "X-Amz-Security-Token")
                .map(|c| c.into_owned())
                .or_else(|| header(req, "x-amz-security-token").map(str::to_string)),
        },
        AuthFields {
            credential: credential.unwrap_or_default().into_owned(),
            signed_headers: signed.unwrap_or_default().into_owned(),
            signature: signature.unwrap_or_default().into_owned(),
        },
    )))
}

fn normalise_date(raw: &str, is_amz: bool) -> Result<String, Error> {
    let secs = if is_amz {
        parse_amz_date(raw)
    } else {
        parse_http_date(raw)
    };
    match secs {
        Some(s) => Ok(format_amz_date(s)),
        None => Err(Error::InvalidDate {
            value: raw.to_string(),
        }),
    }
}

fn split_credential(cred: &str) -> Result<Credential, Error> {
    let parts: Vec<&str> = cred.split('/').collect();
    if parts.len() != 5 {
        return Err(Error::MalformedCredential {
            credential: cred.to_string(),
        });
    }
    if parts[4] != "aws4_request" {
        return Err(Error::WrongTerminator {
            terminator: parts[4].to_string(),
        });
    }
    Ok(Credential {
        access_key: parts[0].to_string(),
        date: parts[1].to_string(),
        region: parts[2].to_string(),
        service: parts[3].to_string(),
    })
}

/// Parses only the credential (access key, date, region, service) without
/// verifying anything, so the server can pick the tenant or secret store
/// before calling [`verify`]. `Ok(None)` means the request is unsigned.
pub fn credential_of(req: &Request<'_>) -> Result<Option<Credential>, Error> {
    match parse(req)? {
        None => Ok(None),
        Some((_, qa)) => split_credential(&qa.credential).map(Some),
    }
}

/// Verifies the SigV4 signature of `req`.
///
/// * `expected_service`: when `Some`, the credential scope must name it.
/// * `now_unix_secs`: the server clock, for the ±15 min rule and presign
///   expiry.
/// * `secret_for`: maps an access key to its secret; `None` means unknown.
pub fn verify(
    req: &Request<'_>,
    expected_service: Option<&str>,
    now_unix_secs: i64,
    secret_for: impl Fn(&str) -> Option<String>,
) -> Result<Verified, Error> {
    verify_inner(req, expected_service, now_unix_secs, secret_for, None)
}

/// [`verify`], deriving signing keys through `keys`.
pub fn verify_with(
    req: &Request<'_>,
    expected_service: Option<&str>,
    now_unix_secs: i64,
    secret_for: impl Fn(&str) -> Option<String>,
    keys: &KeyCache,
) -> Result<Verified, Error> {
    verify_inner(req, expected_service, now_unix_secs, secret_for, Some(keys))
}

fn verify_inner(
    req: &Request<'_>,
    expected_service: Option<&str>,
    now_unix_secs: i64,
    secret_for: impl Fn(&str) -> Option<String>,
    keys: Option<&KeyCache>,
) -> Result<Verified, Error> {
    let Some((parsed, qa)) = parse(req)? else {
        return Err(Error::MissingAuthenticationToken);
    };
    let cred = split_credential(&qa.credential)?;
    if let Some(svc) = expected_service {
        if cred.service != svc {
            return Err(Error::WrongService {
                expected: svc.to_string(),
            });
        }
    }
    if cred.date != parsed.amz_date[..8] {
        return Err(Error::ScopeDateMismatch {
            scope_date: cred.date,
            request_date: parsed.amz_date,
        });
    }
    if !qa.signed_headers.split(';').any(|h| h == "host") {
        return Err(Error::HostNotSigned);
    }

    // Time checks come before the key lookup so a stale replay learns
    // nothing about whether its access key exists.
    let req_secs = parse_amz_date(&parsed.amz_date).unwrap_or(0);
    // Only error texts show the server's clock.
    let now = || format_amz_date(now_unix_secs);
    if req_secs > now_unix_secs + MAX_SKEW_SECS {
        return Err(Error::SignatureNotYetCurrent {
            request: parsed.amz_date,
            now: now(),
        });
    }
    match parsed.presign_expires {
        Some(exp) if now_unix_secs - req_secs > exp => {
            return Err(Error::PresignExpired {
                request: parsed.amz_date,
                now: now(),
                expires: exp,
            });
        }
        None if now_unix_secs - req_secs > MAX_SKEW_SECS => {
            return Err(Error::SignatureExpired {
                request: parsed.amz_date,
                now: now(),
            });
        }
        _ => {}
    }

    let secret = secret_for(&cred.access_key).ok_or(Error::UnrecognizedClient)?;
    let presigned = parsed.presign_expires.is_some();
    let key = match keys {
        Some(k) => k.key(&secret, &cred.date, &cred.region, &cred.service),
        None => signing_key(&secret, &cred.date, &cred.region, &cred.service),
    };
    let scope = scope_string(&cred.date, &cred.region, &cred.service);
    let sig_bytes = hex_decode(&qa.signature);

    // Presigned requests: botocore's SigV4AuthFields hashes the (empty) body,
    // S3-style signers put UNSIGNED-PAYLOAD. When the client did not say
    // which via x-amz-content-sha256, accept either.
    let explicit = header(req, "x-amz-content-sha256").is_some();
    let mut candidates = vec![payload_hash(req)];
    if presigned && !explicit && candidates[0] != UNSIGNED_PAYLOAD {
        candidates.push(UNSIGNED_PAYLOAD.to_string());
    }
    let mut last = None;
    for payload in candidates {
        let creq = build_canonical_request(req, &qa.signed_headers, &payload, presigned);
        let sts = string_to_sign(&parsed.amz_date, &scope, &creq);
        let ok = sig_bytes
            .as_ref()
            .is_some_and(|s| hmac::verify(&key, sts.as_bytes(), s).is_ok());
        if ok {
            return Ok(Verified {
                access_key: cred.access_key,
                region: cred.region,
                service: cred.service,
                date: cred.date,
                security_token: parsed.security_token,
                presigned,
            });
        }
        last = Some((creq, sts));
    }
    let (canonical_request, string_to_sign) = last.unwrap_or_default();
    Err(Error::SignatureDoesNotMatch {
        canonical_request,
        string_to_sign,
    })
}

/// Signs `req` and returns the `Authorization` header value.
///
/// Every header in `req.headers` is signed (so pass only the ones you will
/// send, and include `Host` and `X-Amz-Date: {amz_date}` yourself); the
/// payload hash follows the same `x-amz-content-sha256` rule as [`verify`].
pub fn sign(
    req: &Request<'_>,
    access_key: &str,
    secret: &str,
    region: &str,
    service: &str,
    amz_date: &str,
) -> String {
    let mut names: Vec<String> = req
        .headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .filter(|n| {
            !matches!(
                n.as_str(),
                "authorization" | "user-agent" | "expect" | "x-amzn-trace-id"
            )
        })
        .collect();
    names.sort();
    names.dedup();
    let signed_headers = names.join(";");
    let date = &amz_date[..8.min(amz_date.len())];
    let creq = canonical_request(req, &signed_headers);
    let scope = scope_string(date, region, service);
    let sts = string_to_sign(amz_date, &scope, &creq);
    let key = signing_key(secret, date, region, service);
    let sig = hex_encode(hmac::sign(&key, sts.as_bytes()).as_ref());
    format!("{ALGORITHM} Credential={access_key}/{scope}, SignedHeaders={signed_headers}, Signature={sig}")
}

/// The canonical request for the header form of `req`, signing the given
/// `;`-separated lowercase header names. Public for tests and debugging.
pub fn canonical_request(req: &Request<'_>, signed_headers: &str) -> String {
    build_canonical_request(req, signed_headers, &payload_hash(req), false)
}

/// `AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{hex(sha256(creq))}`.
pub fn string_to_sign(amz_date: &str, scope: &str, canonical_request: &str) -> String {
    let h = digest::digest(&digest::SHA256, canonical_request.as_bytes());
    let mut s = String::with_capacity(ALGORITHM.len() + amz_date.len() + scope.len() + 67);
    s.push_str(ALGORITHM);
    s.push('\n');
    s.push_str(amz_date);
    s.push('\n');
    s.push_str(scope);
    s.push('\n');
    s.push_str(&hex_encode(h.as_ref()));
    s
}

fn scope_string(date: &str, region: &str, service: &str) -> String {
    const TAIL: &str = "/aws4_request";
    let mut s = String::with_capacity(date.len() + region.len() + service.len() + 2 + TAIL.len());
    for part in [date, "/", region, "/", service, TAIL] {
        s.push_str(part);
    }
    s
}

fn payload_hash(req: &Request<'_>) -> String {
    if header(req, "x-amz-content-sha256") == Some(UNSIGNED_PAYLOAD) {
        return UNSIGNED_PAYLOAD.to_string();
    }
    if req.body.is_empty() {
        return EMPTY_SHA256.to_string();
    }
    hex_encode(digest::digest(&digest::SHA256, req.body).as_ref())
}

fn build_canonical_request(
    req: &Request<'_>,
    signed_headers: &str,
    payload: &str,
    presigned: bool,
) -> String {
    let mut out = String::with_capacity(256 + req.raw_path.len() + req.raw_query.len());
    out.push_str(req.method);
    out.push('\n');
    canonical_uri(req.raw_path, &mut out);
    out.push('\n');
    canonical_query(req.raw_query, presigned, &mut out);
    out.push('\n');
    for name in signed_headers.split(';') {
        out.push_str(name);
        out.push(':');
        let mut first = true;
        for (n, v) in req.headers {
            if n.eq_ignore_ascii_case(name) {
                if !first {
                    out.push(',');
                }
                first = false;
                push_trimmed(v, &mut out);
            }
        }
        out.push('\n');
    }
    out.push('\n');
    out.push_str(signed_headers);
    out.push('\n');
    out.push_str(payload);
    out
}

/// Trims and collapses runs of whitespace to one space (AWS "Trimall").
fn push_trimmed(v: &str, out: &mut String) {
    let mut first = true;
    for word in v.split_ascii_whitespace() {
        if !first {
            out.push(' ');
        }
        first = false;
        out.push_str(word);
    }
}

/// botocore's `quote(remove_dot_segments(path), safe='/~')`: dot segments
/// and empty segments go, then the raw (already encoded) path is encoded
/// again, `%` included.
fn canonical_uri(raw_path: &str, out: &mut String) {
    let path = raw_path.split(['?', '#']).next().unwrap_or("");
    if path.is_empty() {
        out.push('/');
        return;
    }
    let mut segs: Vec<&str> = Vec::with_capacity(8);
    for s in path.split('/') {
        match s {
            "" | "." => {}
            ".." => {
                segs.pop();
            }
            s => segs.push(s),
        }
    }
    if path.starts_with('/') {
        out.push('/');
    }
    for (i, s) in segs.iter().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.extend(utf8_percent_encode(s, AWS_PATH));
    }
    if path.ends_with('/') && !segs.is_empty() {
        out.push('/');
    }
}

/// Decodes then re-encodes every name and value, sorts by name then value.
/// The presigned signature itself is not part of what it signs.
fn canonical_query(raw_query: &str, presigned: bool, out: &mut String) {
    if raw_query.is_empty() {
        return;
    }
    let mut pairs: Vec<(String, String)> = query_pairs(raw_query)
        .filter(|(k, _)| !(presigned && decode(k) == "X-Amz-Signature"))
        .map(|(k, v)| (encode_query(k), encode_query(v)))
        .collect();
    pairs.sort_unstable();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
}

fn encode_query(s: &str) -> String {
    let bytes: Vec<u8> = percent_encoding::percent_decode_str(s).collect();
    percent_encoding::percent_encode(&bytes, AWS_QUERY).to_string()
}

fn hex_encode(b: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(b.len() * 2);
    for &x in b {
        s.push(HEX[(x >> 4) as usize] as char);
        s.push(HEX[(x & 15) as usize] as char);
    }
    s
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let v = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    s.as_bytes()
        .chunks(2)
        .map(|p| Some(v(p[0])? << 4 | v(p[1])?))
        .collect()
}

// --- dates -----------------------------------------------------------------

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Formats Unix seconds as `YYYYMMDDTHHMMSSZ`.
pub fn format_amz_date(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        t / 3600,
        t / 60 % 60,
        t % 60
    )
}

/// Parses `YYYYMMDDTHHMMSSZ` into Unix seconds.
pub fn parse_amz_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = &s[r];
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    let (y, mo, d, h, mi, se) = (
        n(0..4)?,
        n(4..6)?,
        n(6..8)?,
        n(9..11)?,
        n(11..13)?,
        n(13..15)?,
    );
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se)
}

/// Parses an RFC 7231 IMF-fixdate such as `Mon, 09 Sep 2011 23:36:00 GMT`.
fn parse_http_date(s: &str) -> Option<i64> {
    let mut it = s.split_ascii_whitespace();
    let _weekday = it.next()?;
    let d: i64 = it.next()?.parse().ok()?;
    let mon = it.next()?;
    let y: i64 = it.next()?.parse().ok()?;
    let hms: Vec<i64> = it
        .next()?
        .split(':')
        .map(|x| x.parse().ok())
        .collect::<Option<_>>()?;
    if it.next()? != "GMT" || hms.len() != 3 {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let m = MONTHS.iter().position(|x| *x == mon)? as i64 + 1;
    Some(days_from_civil(y, m, d) * 86_400 + hms[0] * 3600 + hms[1] * 60 + hms[2])
}
