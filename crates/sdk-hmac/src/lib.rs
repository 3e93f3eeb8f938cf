//! Huawei Cloud `SDK-HMAC-SHA256` request-signature verification for Portico.
//!
//! Huawei Cloud's SDKs (`huaweicloudsdkcore` and friends) sign every call
//! with AK/SK in a SigV4-like scheme:
//!
//! ```text
//! Authorization: SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<a;b;c>, Signature=<hex>
//! X-Sdk-Date: 20240102T030405Z
//! ```
//!
//! This crate re-derives the signature of an incoming request and compares
//! it with the one the client sent. Like the `sigv4` crate it knows nothing
//! about HTTP libraries: the server hands over a [`Request`] made of borrowed
//! slices, the clock and a secret lookup.
//!
//! # The algorithm, as `huaweicloudsdkcore/signer/signer.py` (3.1.219) does it
//!
//! ```text
//! canonical_request = METHOD \n URI \n QUERY \n (name:value \n)* \n SIGNED_HEADERS \n PAYLOAD_HASH
//! string_to_sign    = "SDK-HMAC-SHA256" \n X-Sdk-Date \n hex(sha256(canonical_request))
//! signature         = hex(HMAC-SHA256(key = SK bytes, string_to_sign))
//! ```
//!
//! There is no key derivation and no credential scope: the secret itself is
//! the HMAC key, and the only freshness guarantee is the ±15 minute window
//! on `X-Sdk-Date`.
//!
//! * **URI.** The SDK percent-decodes the *whole* path first (UTF-8, invalid
//!   sequences become U+FFFD), then splits it on `/` and re-encodes every
//!   segment with only unreserved characters (`A-Za-z0-9-_.~`) left as they
//!   are, and finally appends `/` unless the result already ends with one.
//!   So `/a%2Fb` signs exactly like `/a/b` and `/a/b/` (all `/a/b/`): an
//!   encoded slash, or a trailing one, is not covered by the signature. Dot segments and repeated slashes are
//!   kept as they are. The wire path is used as it arrived, still encoded.
//! * **Query.** The SDK builds the query it sends from the canonical query
//!   string itself, so on the wire it is already in canonical order. Pairs are
//!   sorted by *key only* here, stably, keeping the wire order of repeated
//!   keys: the SDK sorts `(key, value)` tuples of Python objects, so integer
//!   values of one key end up in numeric order (`ids=2&ids=10`), which a
//!   string sort of the values would reverse. Every name and value is decoded
//!   and re-encoded with the same unreserved set as the path (space is
//!   `%20`, `*` is `%2A`, `~` stays). A pair without `=` signs as `name=`.
//! * **Headers.** The SDK signs *every* header it sets itself except those
//!   whose name contains `_` (lowercased, sorted), including `Host`, which it
//!   adds when missing, `X-Sdk-Date`, `User-Agent`, `Content-Type`,
//!   `X-Project-Id`, `X-Security-Token`, `X-Sdk-Content-Sha256`; not those
//!   its HTTP library adds later (`Content-Length`, `Accept-Encoding`…). Values are Python-`strip()`ped
//!   (Unicode whitespace plus U+001C..U+001F), inner whitespace is kept.
//! * **Payload hash.** `sha256(body)`, except that a *non-empty* body sent
//!   with `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` signs that literal (the
//!   SDK sets it for every content type that is not `application/json…` or
//!   `application/bson…`). An empty body always signs the empty-string hash,
//!   whatever that header says. Any other `X-Sdk-Content-Sha256` value is
//!   signed literally by the SDK; here it is taken to claim the body's real
//!   hash, which is what is signed, so a false claim fails verification.
//!   [`Verified::body_signed`] says which case applied.
//!
//! # Rules beyond the SDK
//!
//! * `host` and `x-sdk-date` must be signed (the SDK always signs both).
//! * A signed header sent more than once (the SDK, holding headers in a
//!   dict, never does) signs its values joined by `,`; `Authorization`,
//!   `X-Sdk-Date`, `X-Project-Id` and `X-Security-Token` may appear once.
//! * `X-Project-Id` and `X-Security-Token` must be signed when present
//!   (the SDK signs them): the project id picks the tenant, and an unsigned
//!   one could be swapped on a replayed request.
//! * The method is used exactly as received (the SDK signs and sends it
//!   upper-cased), so a re-cased method does not verify.
//! * Limits: the `Authorization` value is at most [`MAX_AUTHORIZATION_LEN`]
//!   bytes, the access key at most [`MAX_ACCESS_KEY_LEN`], at most
//!   [`MAX_SIGNED_HEADERS`] signed headers; the signature is 64 hex digits.
//!   Nothing in this crate panics on any input.
//! * **Constant time.** The client's hex signature is decoded and handed to
//!   [`ring::hmac::verify`]; the expected signature is never compared with
//!   `==`. Time checks come before the key lookup, so a stale replay learns
//!   nothing about whether its access key exists.
//!
//! Errors carry Huawei API Gateway's `error_code` / `error_msg` / HTTP
//! status; see [`Error`] for where each text comes from.

mod error;
pub use error::{Error, IAM_AUTH_ERROR_CODE};

use percent_encoding::{percent_decode_str, percent_encode, AsciiSet, NON_ALPHANUMERIC};
use ring::{digest, hmac};

/// The algorithm name that starts the `Authorization` value.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
/// The request-date header, `YYYYMMDDTHHMMSSZ` in UTC.
pub const DATE_HEADER: &str = "X-Sdk-Date";
/// The header that can switch the payload hash to [`UNSIGNED_PAYLOAD`].
pub const CONTENT_SHA256_HEADER: &str = "X-Sdk-Content-Sha256";
/// Payload-hash placeholder used when the body is deliberately not signed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// APIG accepts requests whose `X-Sdk-Date` is within 15 minutes of its clock.
pub const MAX_SKEW_SECS: i64 = 15 * 60;
/// Longest `Authorization` value looked at; longer ones are malformed.
pub const MAX_AUTHORIZATION_LEN: usize = 4096;
/// Longest access key accepted (Huawei AKs are 20 characters; temporary ones
/// are longer but far below this).
pub const MAX_ACCESS_KEY_LEN: usize = 128;
/// Most header names `SignedHeaders` may list.
pub const MAX_SIGNED_HEADERS: usize = 64;

const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Python's `urllib.parse.quote(s, safe='~')`: everything except
/// `A-Za-z0-9-_.~` becomes `%XX` (UTF-8 bytes, upper-case hex).
const QUOTE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// An incoming request, borrowed from whatever HTTP stack the server uses.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub method: &'a str,
    /// Exactly as on the wire, still percent-encoded, without the query.
    pub raw_path: &'a str,
    /// Without the leading `?`; may be empty.
    pub raw_query: &'a str,
    /// As received: names in any case, repeated names allowed, in order.
    /// Values are the header bytes as UTF-8 (the SDK sends non-ASCII values
    /// UTF-8 encoded); over HTTP/2 the caller passes `:authority` as `Host`.
    pub headers: &'a [(&'a str, &'a str)],
    pub body: &'a [u8],
}

/// What a successfully verified request proved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub access_key: String,
    /// `X-Project-Id`, if sent (then it was signed).
    pub project_id: Option<String>,
    /// `X-Security-Token` of temporary credentials, if sent (then it was
    /// signed); validating it is the caller's business.
    pub security_token: Option<String>,
    /// False when the body was not covered by the signature
    /// (`X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` with a non-empty body).
    pub body_signed: bool,
}

/// True when `authorization_header` claims this scheme: its first
/// space-separated token is exactly [`ALGORITHM`]. Says nothing about
/// whether the rest is well formed.
pub fn is_sdk_hmac(authorization_header: &str) -> bool {
    let v = authorization_header.trim_start_matches([' ', '\t']);
    v.split([' ', '\t']).next() == Some(ALGORITHM)
}

/// The three fields of the `Authorization` value, borrowed from it.
struct AuthFields<'a> {
    access_key: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
}

/// Parses `SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex`:
/// the algorithm up to the first space, then `,`-separated `key=value`
/// pairs with surrounding spaces ignored. Unknown keys are ignored; a known
/// key given twice is malformed.
fn parse_authorization(value: &str) -> Result<AuthFields<'_>, Error> {
    if value.len() > MAX_AUTHORIZATION_LEN {
        return Err(Error::MalformedAuthorization {
            reason: "header too long",
        });
    }
    let value = value.trim_matches([' ', '\t']);
    let (algorithm, rest) = value.split_once([' ', '\t']).unwrap_or((value, ""));
    if algorithm != ALGORITHM {
        return Err(Error::UnsupportedAlgorithm {
            algorithm: algorithm.to_string(),
        });
    }
    let (mut access, mut signed, mut sig) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim_matches([' ', '\t']);
        if part.is_empty() {
            continue;
        }
        let Some((k, v)) = part.split_once('=') else {
            return Err(Error::MalformedAuthorization {
                reason: "a parameter is not key=value",
            });
        };
        let slot = match k {
            "Access" => &mut access,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut sig,
            _ => continue,
        };
        if slot.replace(v).is_some() {
            return Err(Error::MalformedAuthorization {
                reason: "a parameter is repeated",
            });
        }
    }
    let (Some(access_key), Some(signed_headers), Some(signature)) = (access, signed, sig) else {
        return Err(Error::MalformedAuthorization {
            reason: "Access, SignedHeaders and Signature are required",
        });
    };
    if access_key.is_empty()
        || access_key.len() > MAX_ACCESS_KEY_LEN
        || !access_key.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(Error::MalformedAuthorization {
            reason: "invalid Access",
        });
    }
    if signature.len() != 64 || !signature.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::MalformedAuthorization {
            reason: "Signature must be 64 hex digits",
        });
    }
    let mut n = 0;
    for name in signed_headers.split(';') {
        n += 1;
        if n > MAX_SIGNED_HEADERS {
            return Err(Error::MalformedAuthorization {
                reason: "too many SignedHeaders",
            });
        }
        if !is_lower_token(name) {
            return Err(Error::MalformedAuthorization {
                reason: "invalid SignedHeaders",
            });
        }
    }
    Ok(AuthFields {
        access_key,
        signed_headers,
        signature,
    })
}

/// A non-empty lower-case HTTP token (RFC 9110 `tchar`s), at most 128 bytes.
fn is_lower_token(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b"!#$%&'*+-.^_`|~".contains(&b)
        })
}

/// All values of header `name` (case-insensitive), in order.
fn header_values<'a: 'b, 'b>(
    req: &Request<'a>,
    name: &'b str,
) -> impl Iterator<Item = &'a str> + 'b {
    let headers: &'a [(&'a str, &'a str)] = req.headers;
    headers
        .iter()
        .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| *v)
}

/// The one value of header `name`, or [`Error::DuplicateHeader`] when it is
/// sent more than once (which of the copies would the backend believe?).
fn single_header<'a>(req: &Request<'a>, name: &'static str) -> Result<Option<&'a str>, Error> {
    let mut it = header_values(req, name);
    let first = it.next();
    if it.next().is_some() {
        return Err(Error::DuplicateHeader { name });
    }
    Ok(first)
}

/// Python's `str.isspace()`: Unicode White_Space plus U+001C..U+001F.
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.strip()` with no arguments.
fn py_strip(s: &str) -> &str {
    s.trim_matches(is_py_space)
}

fn is_signed(signed_headers: &str, name: &str) -> bool {
    signed_headers.split(';').any(|h| h == name)
}

/// Verifies the `SDK-HMAC-SHA256` signature of `req`.
///
/// * `now_unix_secs`: the server clock, for the ±15 minute rule.
/// * `secret_for`: maps an access key to its secret key; `None` means the
///   key is unknown.
///
/// A request without `Authorization` yields [`Error::MissingAuthorization`]
/// so the caller can decide whether anonymous access is allowed; one whose
/// `Authorization` is another scheme yields [`Error::UnsupportedAlgorithm`]
/// (use [`is_sdk_hmac`] first to route between schemes).
pub fn verify(
    req: &Request<'_>,
    now_unix_secs: i64,
    secret_for: impl Fn(&str) -> Option<String>,
) -> Result<Verified, Error> {
    let Some(auth) = single_header(req, "authorization")? else {
        return Err(Error::MissingAuthorization);
    };
    let fields = parse_authorization(auth)?;
    for required in ["host", "x-sdk-date"] {
        if !is_signed(fields.signed_headers, required) {
            return Err(Error::HeaderNotSigned { name: required });
        }
    }

    let Some(raw_date) = single_header(req, "x-sdk-date")?.map(py_strip) else {
        return Err(Error::MissingDate);
    };
    let Some(req_secs) = parse_sdk_date(raw_date) else {
        return Err(Error::InvalidDate {
            value: raw_date.to_string(),
        });
    };
    let skew = i128::from(now_unix_secs) - i128::from(req_secs);
    if skew.abs() > i128::from(MAX_SKEW_SECS) {
        return Err(Error::SignatureExpired {
            signature_time: format_sdk_date(req_secs),
            server_time: format_sdk_date(now_unix_secs),
        });
    }

    let mut extras: [Option<String>; 2] = [None, None];
    for (slot, name) in extras.iter_mut().zip(["x-project-id", "x-security-token"]) {
        if let Some(v) = single_header(req, name)? {
            if !is_signed(fields.signed_headers, name) {
                return Err(Error::HeaderNotSigned { name });
            }
            *slot = Some(py_strip(v).to_string());
        }
    }
    for name in fields.signed_headers.split(';') {
        if header_values(req, name).next().is_none() {
            return Err(Error::SignedHeaderMissing {
                name: name.to_string(),
            });
        }
    }

    let secret = secret_for(fields.access_key).ok_or_else(|| Error::UnknownAccessKey {
        access_key: fields.access_key.to_string(),
    })?;
    let (payload, body_signed) = payload_hash(req);
    let creq = build_canonical_request(req, fields.signed_headers, &payload);
    let sts = string_to_sign(&format_sdk_date(req_secs), &creq);
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let ok = hex_decode(fields.signature)
        .is_some_and(|sig| hmac::verify(&key, sts.as_bytes(), &sig).is_ok());
    if !ok {
        return Err(Error::SignatureDoesNotMatch {
            canonical_request: creq,
            string_to_sign: sts,
        });
    }
    let [project_id, security_token] = extras;
    Ok(Verified {
        access_key: fields.access_key.to_string(),
        project_id,
        security_token,
        body_signed,
    })
}

/// Signs `req` as the SDK would and returns the `Authorization` value.
///
/// Every header in `req.headers` is signed except `Authorization` and names
/// containing `_` (as the SDK skips them), so pass only the ones you will
/// send, and include `Host` and `X-Sdk-Date` yourself: the date signed is
/// that header's value. The payload hash follows the same
/// `X-Sdk-Content-Sha256` rule as [`verify`]. Meant for tests and clients;
/// `secret` is used as the HMAC key as it is.
pub fn sign(req: &Request<'_>, access_key: &str, secret: &str) -> String {
    let mut names: Vec<String> = req
        .headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .filter(|n| n != "authorization" && !n.contains('_'))
        .collect();
    names.sort();
    names.dedup();
    let signed_headers = names.join(";");
    let date = header_values(req, DATE_HEADER)
        .next()
        .map(py_strip)
        .unwrap_or("");
    let creq = canonical_request(req, &signed_headers);
    let sts = string_to_sign(date, &creq);
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let sig = hex_encode(hmac::sign(&key, sts.as_bytes()).as_ref());
    format!("{ALGORITHM} Access={access_key}, SignedHeaders={signed_headers}, Signature={sig}")
}

/// The canonical request of `req`, signing the given `;`-separated
/// lower-case header names. Public for tests and debugging.
pub fn canonical_request(req: &Request<'_>, signed_headers: &str) -> String {
    build_canonical_request(req, signed_headers, &payload_hash(req).0)
}

/// `SDK-HMAC-SHA256\n{sdk_date}\n{hex(sha256(canonical_request))}`.
pub fn string_to_sign(sdk_date: &str, canonical_request: &str) -> String {
    let h = digest::digest(&digest::SHA256, canonical_request.as_bytes());
    let mut s = String::with_capacity(ALGORITHM.len() + sdk_date.len() + 66);
    s.push_str(ALGORITHM);
    s.push('\n');
    s.push_str(sdk_date);
    s.push('\n');
    s.push_str(&hex_encode(h.as_ref()));
    s
}

/// The payload hash to sign and whether it covers the body.
fn payload_hash(req: &Request<'_>) -> (String, bool) {
    if req.body.is_empty() {
        return (EMPTY_SHA256.to_string(), true);
    }
    let unsigned =
        header_values(req, CONTENT_SHA256_HEADER).any(|v| py_strip(v) == UNSIGNED_PAYLOAD);
    if unsigned {
        return (UNSIGNED_PAYLOAD.to_string(), false);
    }
    (
        hex_encode(digest::digest(&digest::SHA256, req.body).as_ref()),
        true,
    )
}

fn build_canonical_request(req: &Request<'_>, signed_headers: &str, payload: &str) -> String {
    let mut out = String::with_capacity(256 + req.raw_path.len() + req.raw_query.len());
    out.push_str(req.method);
    out.push('\n');
    canonical_uri(req.raw_path, &mut out);
    out.push('\n');
    canonical_query(req.raw_query, &mut out);
    out.push('\n');
    for name in signed_headers.split(';') {
        out.push_str(name);
        out.push(':');
        let mut first = true;
        for v in header_values(req, name) {
            if !first {
                out.push(',');
            }
            first = false;
            out.push_str(py_strip(v));
        }
        out.push('\n');
    }
    out.push('\n');
    out.push_str(signed_headers);
    out.push('\n');
    out.push_str(payload);
    out
}

/// Percent-decodes like Python's `unquote` (UTF-8, invalid sequences become
/// U+FFFD; a `%` not followed by two hex digits stays literal).
fn unquote(s: &str) -> std::borrow::Cow<'_, str> {
    percent_decode_str(s).decode_utf8_lossy()
}

/// Python's `quote(s, safe='~')`, appended to `out`.
fn push_quoted(s: &str, out: &mut String) {
    out.extend(percent_encode(s.as_bytes(), QUOTE));
}

/// `"/".join(quote(seg, safe='~') for seg in unquote(path).split('/'))`,
/// plus a trailing `/` when missing.
fn canonical_uri(raw_path: &str, out: &mut String) {
    let decoded = unquote(raw_path);
    for (i, seg) in decoded.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        push_quoted(seg, out);
    }
    if !out.ends_with('/') {
        out.push('/');
    }
}

/// Decodes every pair, sorts by name keeping the wire order of repeated
/// names, re-encodes: see the crate docs for why values are not sorted.
fn canonical_query(raw_query: &str, out: &mut String) {
    if raw_query.is_empty() {
        return;
    }
    let mut pairs: Vec<(std::borrow::Cow<'_, str>, std::borrow::Cow<'_, str>)> = raw_query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (unquote(k), unquote(v))
        })
        .collect();
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        push_quoted(k, out);
        out.push('=');
        push_quoted(v, out);
    }
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
        .map(|p| Some(v(p[0])? << 4 | v(*p.get(1)?)?))
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

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Formats Unix seconds as `YYYYMMDDTHHMMSSZ` (UTC).
pub fn format_sdk_date(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        t / 3600,
        t / 60 % 60,
        t % 60
    )
}

/// Parses `YYYYMMDDTHHMMSSZ` (exactly 16 characters, a real calendar date
/// from year 1, no leap second, as Python's `strptime` + `datetime` accept)
/// into Unix seconds.
pub fn parse_sdk_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| -> Option<i64> {
        b[r].iter().try_fold(0i64, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
        })
    };
    let (y, mo, d, h, mi, se) = (
        n(0..4)?,
        n(4..6)?,
        n(6..8)?,
        n(9..11)?,
        n(11..13)?,
        n(13..15)?,
    );
    if y < 1 || !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) {
        return None;
    }
    if h > 23 || mi > 59 || se > 59 {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn py_space_matches_python_isspace() {
        // [c for c in range(0x110000) if chr(c).isspace()] on CPython 3.11.
        let python: &[u32] = &[
            0x9, 0xa, 0xb, 0xc, 0xd, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000,
            0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028,
            0x2029, 0x202f, 0x205f, 0x3000,
        ];
        let ours: Vec<u32> = (0..=0x10ffff_u32)
            .filter_map(char::from_u32)
            .filter(|c| is_py_space(*c))
            .map(u32::from)
            .collect();
        assert_eq!(ours, python);
    }

    #[test]
    fn uri_rules() {
        let uri = |p: &str| {
            let mut s = String::new();
            canonical_uri(p, &mut s);
            s
        };
        assert_eq!(uri(""), "/");
        assert_eq!(uri("/"), "/");
        assert_eq!(uri("/a/b"), "/a/b/");
        assert_eq!(uri("/a/b/"), "/a/b/");
        assert_eq!(uri("/a%2Fb"), "/a/b/");
        assert_eq!(uri("/a%20b/%7e/c d"), "/a%20b/~/c%20d/");
        assert_eq!(uri("/a//./../b"), "/a//./../b/");
        assert_eq!(uri("/a%FFb"), "/a%EF%BF%BDb/");
        assert_eq!(uri("/%zz%"), "/%25zz%25/");
    }

    #[test]
    fn query_rules() {
        let q = |s: &str| {
            let mut o = String::new();
            canonical_query(s, &mut o);
            o
        };
        assert_eq!(q(""), "");
        assert_eq!(q("b=2&a=1"), "a=1&b=2");
        assert_eq!(q("ids=2&ids=10"), "ids=2&ids=10");
        assert_eq!(q("k&&x="), "k=&x=");
        assert_eq!(q("q=a+b%20c*~"), "q=a%2Bb%20c%2A~");
    }

    #[test]
    fn dates() {
        let t = parse_sdk_date("20240102T030405Z").unwrap();
        assert_eq!(t, 1_704_164_645);
        assert_eq!(format_sdk_date(t), "20240102T030405Z");
        assert_eq!(
            parse_sdk_date("20240229T000000Z")
                .map(format_sdk_date)
                .as_deref(),
            Some("20240229T000000Z")
        );
        for bad in [
            "20230229T000000Z",
            "20240132T000000Z",
            "20241301T000000Z",
            "20240102T240000Z",
            "20240102T000060Z",
            "00000102T000000Z",
            "2024010xT030405Z",
            "20240102 030405Z",
            "+0240102T030405Z",
            "20240102T030405",
            "20240102T030405Zx",
            "２０２４0102T0304Z",
        ] {
            assert_eq!(parse_sdk_date(bad), None, "{bad}");
        }
        // Far-out clocks format without overflow.
        let _ = format_sdk_date(i64::MAX);
        let _ = format_sdk_date(i64::MIN);
    }

    #[test]
    fn scheme_detection() {
        assert!(is_sdk_hmac("SDK-HMAC-SHA256 Access=a"));
        assert!(is_sdk_hmac("  SDK-HMAC-SHA256"));
        assert!(!is_sdk_hmac("SDK-HMAC-SHA2567 Access=a"));
        assert!(!is_sdk_hmac("sdk-hmac-sha256 Access=a"));
        assert!(!is_sdk_hmac("AWS4-HMAC-SHA256 Credential=x"));
        assert!(!is_sdk_hmac(""));
    }
}
