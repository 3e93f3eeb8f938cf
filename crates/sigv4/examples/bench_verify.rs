//! Prints the cost of one `verify` of the API Gateway PATCH vector.
//! Run with `cargo run --release -p sigv4 --example bench_verify`.

use sigv4::{parse_amz_date, sign, verify, Request};
use std::time::Instant;

fn main() {
    let body = br#"{"patchOperations": [{"op": "replace", "path": "/name", "value": "new"}]}"#;
    let base = [
        ("Accept", "application/json"),
        ("Content-Type", "application/json"),
        ("X-Amz-Date", "20240102T030405Z"),
        ("Host", "127.0.0.1:8080"),
    ];
    let sk = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    let unsigned = Request {
        method: "PATCH",
        raw_path: "/restapis/abc123",
        raw_query: "",
        headers: &base,
        body,
    };
    let authz = sign(
        &unsigned,
        "AKIDEXAMPLE",
        sk,
        "us-east-1",
        "apigateway",
        "20240102T030405Z",
    );
    let mut headers = base.to_vec();
    headers.push(("Authorization", &authz));
    let req = Request {
        headers: &headers,
        ..unsigned
    };
    let now = parse_amz_date("20240102T030405Z").unwrap();
    let n = 200_000;
    for _ in 0..1_000 {
        verify(&req, Some("apigateway"), now, |_| Some(sk.to_string())).unwrap();
    }
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(
            verify(std::hint::black_box(&req), Some("apigateway"), now, |_| {
                Some(sk.to_string())
            })
            .unwrap(),
        );
    }
    let ns = t.elapsed().as_nanos() / n as u128;
    println!("{ns} ns/verify ({n} iterations)");
}
