//! Renders a typical request template (10 `$input.path` calls, a `#foreach` over 20
//! items, `$util.escapeJavaScript`) in a loop on one thread and prints renders/s
//! and heap allocations per render (via a counting global allocator).
//!
//! Run: `cargo bench -p vtl --bench render`

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use vtl::{Context, Limits, Template};

struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const TEMPLATE: &str = r#"#set($root = $input.path('$'))
{
  "orderId": "$input.path('$.order.id')",
  "customer": "$input.path('$.order.customer.name')",
  "email": "$input.path('$.order.customer.email')",
  "country": "$input.path('$.order.customer.address.country')",
  "currency": "$input.path('$.order.currency')",
  "total": $input.path('$.order.total'),
  "express": $input.path('$.order.express'),
  "itemCount": $input.path('$.order.items').size(),
  "note": "$util.escapeJavaScript($input.path('$.order.note'))",
  "requestId": "$context.requestId",
  "source": "$input.params('source')",
  "items": [
#foreach($item in $input.path('$.order.items'))
    {"sku": "$item.sku", "qty": $item.qty, "line": $foreach.count}#if($foreach.hasNext),#end

#end
  ]
}
"#;

fn context() -> Context {
    let items: Vec<String> = (1..=20)
        .map(|i| format!(r#"{{"sku": "SKU-{i:03}", "qty": {i}}}"#))
        .collect();
    let body = format!(
        r#"{{"order": {{"id": "o-123", "currency": "EUR", "total": 99.5, "express": true,
            "note": "Leave at the \"back\" door, it's open / thanks",
            "customer": {{"name": "Ann Smith", "email": "ann@example.com", "address": {{"country": "FR"}}}},
            "items": [{}]}}}}"#,
        items.join(", ")
    );
    Context {
        body,
        path_params: vec![("id".into(), "o-123".into())],
        query_params: vec![("source".into(), "web".into())],
        header_params: vec![("Content-Type".into(), "application/json".into())],
        context: serde_json::json!({"requestId": "c0ffee", "stage": "prod"}),
        stage_variables: Default::default(),
        ..Default::default()
    }
}

fn main() {
    let limits = Limits::default();
    let ctx = context();
    let template = Template::parse(TEMPLATE).expect("parse");
    let sample = template.render(&ctx, &limits).expect("render").output;
    assert!(sample.contains("SKU-020"), "{sample}");
    println!(
        "output: {} bytes, body: {} bytes",
        sample.len(),
        ctx.body.len()
    );
    measure("typical request template", &template, &ctx, &limits);
    // The share of a render spent parsing the body.
    let parse_only = Template::parse("$input.path('$.order.id')").expect("parse");
    measure("body parse + one $input.path", &parse_only, &ctx, &limits);
    // Interpreter overhead without request data.
    let loop_only = Template::parse(
        "#foreach($i in [1..20])\n    {\"n\": $i, \"line\": $foreach.count}#if($foreach.hasNext),#end\n\n#end",
    )
    .expect("parse");
    measure(
        "20-iteration loop, no request data",
        &loop_only,
        &ctx,
        &limits,
    );
}

fn measure(name: &str, template: &Template, ctx: &Context, limits: &Limits) {
    // Warm up, then time for ~2 s.
    for _ in 0..2_000 {
        std::hint::black_box(template.render(ctx, limits).unwrap());
    }
    let allocs_before = ALLOCS.load(Ordering::Relaxed);
    let cpu_before = thread_cpu_seconds();
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(2) {
        for _ in 0..1_000 {
            std::hint::black_box(template.render(std::hint::black_box(ctx), limits).unwrap());
        }
        n += 1_000;
    }
    let secs = start.elapsed().as_secs_f64();
    let cpu = thread_cpu_seconds().zip(cpu_before).map(|(a, b)| a - b);
    let allocs = ALLOCS.load(Ordering::Relaxed) - allocs_before;
    println!("== {name}");
    println!("renders/s (wall clock): {:.0}", n as f64 / secs);
    // The machine may be shared: CPU time of this thread is the fairer measure.
    if let Some(cpu) = cpu.filter(|c| *c > 0.0) {
        println!(
            "renders/s (per CPU-second of this thread): {:.0}",
            n as f64 / cpu
        );
        println!("µs CPU/render: {:.2}", cpu * 1e6 / n as f64);
    }
    println!("allocs/render: {:.1}", allocs as f64 / n as f64);
}

/// User+system CPU time of the current thread from `/proc` (Linux; 10 ms ticks,
/// fine over a 2 s run).
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are 14 and 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}
