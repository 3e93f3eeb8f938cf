//! Parses and renders arbitrary templates with tight limits: any panic, stack
//! overflow or hang is a bug (errors are fine).
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use vtl::{Context, Limits, Template};

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(t) = Template::parse(src) else {
        return;
    };
    let ctx = Context {
        body: r#"{"a": {"b": [1, 2.5, "x", null, true]}, "items": [{"id": 1}, {"id": 2}]}"#.into(),
        path_params: vec![("id".into(), "42".into())],
        query_params: vec![("q".into(), "a b".into())],
        header_params: vec![("Accept".into(), "*/*".into())],
        context: serde_json::json!({"requestId": "r-1", "identity": {"sourceIp": "1.2.3.4"}}),
        stage_variables: serde_json::Map::new(),
        ..Default::default()
    };
    let limits = Limits {
        max_output_bytes: 64 * 1024,
        max_loop_iterations: 200,
        max_depth: 16,
        max_duration: Duration::from_millis(200),
    };
    let _ = t.render(&ctx, &limits);
    // Looser loop limits let inputs build deep or large values (drop, display
    // and comparison paths); the time limit still bounds each run.
    let loose = Limits {
        max_loop_iterations: 20_000,
        max_duration: Duration::from_millis(100),
        ..limits
    };
    let _ = t.render(&ctx, &loose);
});
