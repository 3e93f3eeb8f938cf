//! Hostile input: random and garbage `Authorization` values, huge headers,
//! odd bytes in every field, extreme clocks. Nothing may panic, nothing may
//! verify, and error messages stay short whatever the client sent.

mod common;

use common::{kind, Owned};
use sdk_hmac::{canonical_request, is_sdk_hmac, parse_sdk_date, sign, verify, Request};

const AK: &str = "HPUAEXAMPLEAK0123456";
const SK: &str = "exampleSecretKey";
const T0: &str = "20240102T030405Z";

/// xorshift64*: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

fn base() -> Owned {
    Owned {
        method: "GET".into(),
        path: "/v2/p1/apis".into(),
        query: "a=1".into(),
        headers: vec![
            ("Host".into(), "127.0.0.1:8080".into()),
            ("X-Sdk-Date".into(), T0.into()),
        ],
        body: Vec::new(),
    }
}

fn now() -> i64 {
    parse_sdk_date(T0).unwrap()
}

/// Verifies `r` and asserts it failed with a short message.
fn must_fail(what: &str, r: &Owned, now: i64) {
    let res = r.with(|q| verify(q, now, |k| (k == AK).then(|| SK.to_string())));
    let e = res.expect_err(what);
    assert_eq!(e.status(), 401);
    assert_eq!(e.error_code(), "APIG.0301");
    let msg = e.error_msg();
    assert!(msg.len() < 400, "{what}: message of {} bytes", msg.len());
    let _ = e.to_string();
}

#[test]
fn random_bytes_as_authorization() {
    let mut rng = Rng(0x5eed_1234_abcd_9876);
    for i in 0..3000 {
        let len = rng.below(200);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let mut r = base();
        // Half of them claim the scheme, so the parser behind it is reached.
        let value = if i % 2 == 0 {
            format!("SDK-HMAC-SHA256 {text}")
        } else {
            text
        };
        let _ = is_sdk_hmac(&value);
        r.headers.push(("Authorization".into(), value));
        must_fail("random bytes", &r, now());
    }
}

#[test]
fn random_token_soup_as_authorization() {
    let pieces = [
        "SDK-HMAC-SHA256",
        " ",
        "\t",
        ",",
        ", ",
        "=",
        ";",
        "Access=",
        "SignedHeaders=",
        "Signature=",
        AK,
        "host",
        "x-sdk-date",
        "host;x-sdk-date",
        "x-project-id",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "ffff",
        "é",
        "\u{0}",
        "\u{feff}",
        "\u{202e}",
        "\u{10ffff}",
        "\u{fffd}",
        "%",
        "%zz",
        "Access=Access=",
        "Signature=,",
        ";;",
        "",
    ];
    let mut rng = Rng(42);
    let mut reached = std::collections::BTreeSet::new();
    for _ in 0..20_000 {
        let soup = |rng: &mut Rng, max: usize| {
            let n = rng.below(max);
            let mut v = String::new();
            for _ in 0..n {
                v.push_str(rng.pick(&pieces));
            }
            v
        };
        let v = if rng.below(2) == 0 {
            let mut v = String::new();
            if rng.below(4) != 0 {
                v.push_str("SDK-HMAC-SHA256 ");
            }
            v + &soup(&mut rng, 14)
        } else {
            // A well-formed skeleton with some slots filled from the soup.
            let slot = |rng: &mut Rng, good: &str| {
                if rng.below(3) == 0 {
                    soup(rng, 4)
                } else {
                    good.to_string()
                }
            };
            format!(
                "SDK-HMAC-SHA256 Access={}, SignedHeaders={}, Signature={}",
                slot(&mut rng, AK),
                slot(&mut rng, "host;x-sdk-date"),
                slot(&mut rng, &"0".repeat(64)),
            )
        };
        let _ = is_sdk_hmac(&v);
        let mut r = base();
        r.headers.push(("Authorization".into(), v));
        let res = r.verify(now(), AK, SK);
        let e = res.expect_err("a random header cannot carry a valid signature");
        reached.insert(kind(&e));
        assert!(e.error_msg().len() < 400);
    }
    // The soup gets past the parser into the later checks too.
    for k in [
        "UnsupportedAlgorithm",
        "MalformedAuthorization",
        "HeaderNotSigned",
        "SignatureDoesNotMatch",
    ] {
        assert!(reached.contains(k), "never reached {k}: {reached:?}");
    }
}

#[test]
fn huge_inputs() {
    let mb = 1 << 20;
    let mut r = base();
    r.headers.push((
        "Authorization".into(),
        format!("SDK-HMAC-SHA256 {}", "A".repeat(mb)),
    ));
    must_fail("1 MiB authorization", &r, now());

    let mut r = base();
    r.headers.push((
        "Authorization".into(),
        format!("{} Access=a", "X".repeat(4000)),
    ));
    must_fail("long algorithm", &r, now());

    let mut r = base();
    r.headers.push((
        "Authorization".into(),
        format!(
            "SDK-HMAC-SHA256 Access={}, SignedHeaders=host;x-sdk-date, Signature={}",
            "K".repeat(129),
            "0".repeat(64)
        ),
    ));
    must_fail("long access key", &r, now());

    let mut r = base();
    r.headers.push((
        "Authorization".into(),
        format!(
            "SDK-HMAC-SHA256 Access=a, SignedHeaders=host;x-sdk-date;{}, Signature={}",
            "h".repeat(129),
            "0".repeat(64)
        ),
    ));
    must_fail("long signed header name", &r, now());

    // Big but legal parts of a request are simply signed: a 1 MiB path made
    // of '%', 20k query pairs, 10k headers, a 1 MiB header value.
    let mut r = base();
    r.path = format!("/{}", "%".repeat(mb));
    r.query = (0..20_000)
        .map(|i| format!("k{}=%{i}%", 20_000 - i))
        .collect::<Vec<_>>()
        .join("&");
    for i in 0..10_000 {
        r.headers.push((format!("X_Junk_{i}"), "v".into()));
    }
    r.headers.push(("X-Big".into(), "é".repeat(mb / 2)));
    let a = r.with(|q| sign(q, AK, SK));
    r.headers.push(("Authorization".into(), a));
    assert!(r.verify(now(), AK, SK).is_ok());
    r.query.push_str("&k0=1");
    must_fail("one more pair", &r, now());

    // A huge date is echoed only in part.
    let mut r = base();
    *r.header_mut("x-sdk-date").unwrap() = "é".repeat(mb);
    let a = r.with(|q| sign(q, AK, SK));
    r.headers.push(("Authorization".into(), a));
    must_fail("1 MiB date", &r, now());
}

#[test]
fn odd_bytes_everywhere() {
    let odd = [
        "",
        "%",
        "%%",
        "%2",
        "%zz",
        "%C3",
        "%C3%28",
        "%ED%A0%80",
        "%F4%90%80%80",
        "%00",
        "\u{0}",
        "\u{7f}",
        "\u{fffd}",
        "\u{feff}x",
        "\u{202e}evil",
        "\u{10ffff}",
        "a+b",
        "==",
        "&&",
        "/",
        "//",
        "/./../",
        "\u{1c}\u{85}\u{a0}",
        "\u{3000}",
    ];
    let n = now();
    for o in odd {
        // Each odd string as path, query, method, header value and body:
        // signing and verifying must agree with each other and not panic.
        let variants: [fn(&mut Owned, &str); 6] = [
            |r, o| r.path = format!("/p{o}q"),
            |r, o| r.query = format!("{o}={o}&k{o}"),
            |r, o| r.method = format!("G{o}"),
            |r, o| r.headers.push(("X-Odd".into(), o.into())),
            |r, o| r.body = o.as_bytes().to_vec(),
            |r, o| {
                r.headers.push(("X-Sdk-Content-Sha256".into(), o.into()));
                r.body = b"x".to_vec();
            },
        ];
        for (i, f) in variants.iter().enumerate() {
            let mut r = base();
            f(&mut r, o);
            let creq = r.with(|q| canonical_request(q, "host;x-sdk-date"));
            assert!(creq.contains("\nhost:127.0.0.1:8080\n"), "{o:?}/{i}");
            let a = r.with(|q| sign(q, AK, SK));
            r.headers.push(("Authorization".into(), a));
            assert!(r.verify(n, AK, SK).is_ok(), "{o:?}/{i}");
            let mut wrong = r.clone();
            *wrong.header_mut("host").unwrap() = "other".into();
            must_fail("host changed", &wrong, n);
        }
        // ...and as the date, the access key, a signed header name.
        let mut r = base();
        *r.header_mut("x-sdk-date").unwrap() = o.into();
        let a = r.with(|q| sign(q, AK, SK));
        r.headers.push(("Authorization".into(), a));
        must_fail("odd date", &r, n);
        let mut r = base();
        let a = r.with(|q| sign(q, &format!("A{o}"), SK));
        r.headers.push(("Authorization".into(), a));
        must_fail("odd access key", &r, n);
        let mut r = base();
        r.headers.push((
            "Authorization".into(),
            format!(
                "SDK-HMAC-SHA256 Access={AK}, SignedHeaders=host;x-sdk-date;x{o}, Signature={}",
                "0".repeat(64)
            ),
        ));
        must_fail("odd signed header", &r, n);
    }
}

#[test]
fn extreme_clocks() {
    let mut r = base();
    let a = r.with(|q| sign(q, AK, SK));
    r.headers.push(("Authorization".into(), a));
    for t in [i64::MIN, i64::MIN + 1, -1, 0, i64::MAX - 1, i64::MAX] {
        let e = r.verify(t, AK, SK).unwrap_err();
        assert_eq!(kind(&e), "SignatureExpired", "{t}");
        assert!(e.error_msg().len() < 200);
    }
    // Dates at the ends of the format's range parse and are simply stale.
    for d in ["00010101T000000Z", "99991231T235959Z"] {
        let mut r = base();
        *r.header_mut("x-sdk-date").unwrap() = d.into();
        let a = r.with(|q| sign(q, AK, SK));
        r.headers.push(("Authorization".into(), a));
        let e = r.verify(now(), AK, SK).unwrap_err();
        assert_eq!(kind(&e), "SignatureExpired", "{d}");
        assert!(r.verify(parse_sdk_date(d).unwrap(), AK, SK).is_ok(), "{d}");
    }
}

#[test]
fn empty_request() {
    let req = Request {
        method: "",
        raw_path: "",
        raw_query: "",
        headers: &[],
        body: b"",
    };
    let e = verify(&req, 0, |_| Some(String::new())).unwrap_err();
    assert_eq!(kind(&e), "MissingAuthorization");
    let _ = sign(&req, "", "");
    let _ = canonical_request(&req, "");
    let _ = canonical_request(&req, ";;");
}
