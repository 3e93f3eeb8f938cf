//! Bad input never panics: the corpus documents, mutated at random (a fixed seed), go through
//! ImportRestApi and PutRestApi with the room's real handlers; every answer is a success or
//! a client error, never a panic or a 500.

use serde_json::Value;

use crate::testing::Harness;

const CORPUS: &[&str] = &[
    include_str!(
        "../../../../../tests/fixtures/openapi/localstack/petstore-authorizer.swagger.json"
    ),
    include_str!("../../../../../tests/fixtures/openapi/localstack/openapi.spec.circular-ref.json"),
    include_str!("../../../../../tests/fixtures/openapi/localstack/openapi-basepath-url.yaml"),
    include_str!("../../../../../tests/fixtures/openapi/localstack/swagger-mock-cors.json"),
    include_str!("../../../../../tests/fixtures/openapi/moto/test_api.yaml"),
    include_str!("../../../../../tests/fixtures/openapi/moto/petstore-swagger-v3.yaml"),
    include_str!("../../../../../tests/fixtures/openapi/aws/kinesis-proxy.swagger.json"),
];

/// xorshift64*: reproducible, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A few random edits: replace, delete or duplicate a span, or insert a byte that matters to
/// JSON or YAML.
fn mutate(doc: &str, rng: &mut Rng) -> String {
    let mut b = doc.as_bytes().to_vec();
    const SPECIAL: &[u8] = b"{}[]:,\"'\n -#&*!|>$/~0";
    for _ in 0..1 + rng.below(4) {
        if b.is_empty() {
            break;
        }
        let at = rng.below(b.len());
        let len = 1 + rng.below(16).min(b.len() - at);
        match rng.below(4) {
            0 => b[at] = SPECIAL[rng.below(SPECIAL.len())],
            1 => {
                b.drain(at..(at + len).min(b.len()));
            }
            2 => {
                let span: Vec<u8> = b[at..(at + len).min(b.len())].to_vec();
                b.splice(at..at, span);
            }
            _ => b.insert(at, SPECIAL[rng.below(SPECIAL.len())]),
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

#[test]
fn mutated_documents_never_panic_nor_fail_the_server() {
    let h = Harness::new();
    let target = h.call(
        "POST",
        "/restapis",
        "",
        serde_json::json!({"name": "target"}),
    );
    let target = format!("/restapis/{}", target["id"].as_str().unwrap());
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut imported = 0;
    for round in 0..240 {
        let doc = mutate(CORPUS[round % CORPUS.len()], &mut rng);
        let (method, path, query) = if round % 3 == 0 {
            ("PUT", target.as_str(), "mode=overwrite")
        } else {
            ("POST", "/restapis", "mode=import")
        };
        match h.try_call(method, path, query, Value::String(doc.clone())) {
            Ok(_) => imported += 1,
            Err(e) => assert!(
                e.status < 500,
                "{method} {path}: {} {} for\n{doc}",
                e.status,
                e.message
            ),
        }
    }
    // Some mutations leave a valid document (a changed description, say).
    assert!(imported > 0);
}
