//! `verify_with` and its [`KeyCache`]: same answers as `verify`, and a cached key never
//! outlives the secret, date, region or service it was derived for.

use sigv4::{parse_amz_date, sign, verify, verify_with, Error, KeyCache, Request};

const AK: &str = "AKIDEXAMPLE";
const SK: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn check(secret: &str, region: &str, date: &str, keys: &KeyCache) -> Result<(), Error> {
    let host = [("Host", "127.0.0.1:8080"), ("X-Amz-Date", date)];
    let unsigned = Request {
        method: "GET",
        raw_path: "/restapis",
        raw_query: "",
        headers: &host,
        body: b"",
    };
    let authz = sign(&unsigned, AK, SK, region, "apigateway", date);
    let h = [
        ("Host", "127.0.0.1:8080"),
        ("X-Amz-Date", date),
        ("Authorization", authz.as_str()),
    ];
    let req = Request {
        headers: &h,
        ..unsigned
    };
    let now = parse_amz_date(date).unwrap();
    let secret_for = |ak: &str| (ak == AK).then(|| secret.to_string());
    let cached = verify_with(&req, Some("apigateway"), now, secret_for, keys).map(|_| ());
    let plain = verify(&req, Some("apigateway"), now, secret_for).map(|_| ());
    assert_eq!(cached.is_ok(), plain.is_ok(), "cache changed the verdict");
    cached
}

#[test]
fn cached_keys_follow_secret_date_and_region() {
    let keys = KeyCache::new();
    for _ in 0..2 {
        check(SK, "us-east-1", "20240102T030405Z", &keys).unwrap();
        check(SK, "eu-west-1", "20240102T030405Z", &keys).unwrap();
        check(SK, "us-east-1", "20240103T000001Z", &keys).unwrap();
    }
    // The server's secret rotated: the key derived from the old one must not be reused.
    let rotated = check("another-secret", "us-east-1", "20240102T030405Z", &keys);
    assert!(matches!(rotated, Err(Error::SignatureDoesNotMatch { .. })));
}

#[test]
fn more_keys_than_the_capacity_still_verify() {
    let keys = KeyCache::new();
    for day in 1..=KeyCache::CAPACITY + 5 {
        let date = format!("202401{:02}T000000Z", day.min(28));
        let region = format!("r-{day}");
        check(SK, &region, &date, &keys).unwrap();
    }
    check(SK, "r-1", "20240101T000000Z", &keys).unwrap();
}
