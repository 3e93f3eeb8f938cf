//! `fanout`: PostToConnection to many connections as fast as the server takes them.
//!
//! N WebSocket connections learn their ids (the MOCK route answers `{"id":
//! "$context.connectionId"}`), then K senders post M messages to them round-robin, each over
//! one keep-alive HTTP/1.1 connection with up to `depth` requests in flight on it (pipelined
//! when depth > 1). Every request is signed once per connection id before the clock starts
//! and reused: SigV4 dates stay valid for 15 minutes, and signing per request would measure
//! the client's HMACs, not the server. Each side counts for itself: 2xx answers on the posting
//! side, messages on the WebSocket side.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;

use crate::http::{amz_now, signed_post, ResponseReader};
use crate::stats::CpuMeter;
use crate::ws::{self, WsUrl};

pub struct Opts {
    /// `host:port`.
    pub authority: String,
    pub api: String,
    pub stage: String,
    pub connections: usize,
    pub messages: usize,
    pub senders: usize,
    pub depth: usize,
    pub body: String,
    pub server_pid: Option<u32>,
}

/// What one sender got back.
#[derive(Default)]
struct Posted {
    ok: u64,
    /// Non-2xx answers by status (0: the connection failed), and the first one's body.
    refused: BTreeMap<u16, u64>,
    first_refusal: Option<String>,
}

/// Runs the measurement; `Ok(true)` when every post was accepted and delivered.
pub async fn run(o: Opts) -> Result<bool, String> {
    let base = format!("/_aws/execute-api/{}/{}", o.api, o.stage);
    let url = WsUrl::parse(&format!("ws://{}{base}", o.authority))?;
    let probe = ws::text_frame(br#"{"action": "id"}"#);
    let mut conns = Vec::with_capacity(o.connections);
    let mut ids = Vec::with_capacity(o.connections);
    for i in 0..o.connections {
        let (mut s, mut r) = ws::connect(&url).map_err(|e| format!("connection {i}: {e}"))?;
        std::io::Write::write_all(&mut s, &probe).map_err(|e| e.to_string())?;
        let answer = ws::read_message(&mut r, &mut s).map_err(|e| e.to_string())?;
        let id = ws::id_of(&answer).ok_or_else(|| {
            format!(
                "connection {i}: no id in the answer {:?}",
                String::from_utf8_lossy(&answer)
            )
        })?;
        ids.push(id);
        s.set_nonblocking(true).map_err(|e| e.to_string())?;
        conns.push((
            tokio::net::TcpStream::from_std(s).map_err(|e| e.to_string())?,
            r,
        ));
    }
    let date = amz_now();
    let requests: Arc<Vec<Vec<u8>>> = Arc::new(
        ids.iter()
            .map(|id| signed_post(&o.authority, &base, id, o.body.as_bytes(), &date))
            .collect(),
    );
    println!(
        "fanout: {} connections, {} messages of {} bytes by {} senders (keep-alive, {} in \
         flight each); requests pre-signed once per connection id",
        o.connections,
        o.messages,
        o.body.len(),
        o.senders,
        o.depth
    );

    // Readers start a few microseconds before the senders: one clock for both.
    let t0 = Instant::now();
    let received = Arc::new(AtomicU64::new(0));
    // Nanoseconds from t0 to the last message received.
    let last_rx = Arc::new(AtomicU64::new(0));
    let mut readers = Vec::with_capacity(conns.len());
    for (mut s, mut r) in conns {
        let (received, last_rx) = (received.clone(), last_rx.clone());
        readers.push(tokio::spawn(async move {
            while let Ok(Some(f)) = ws::next_frame(&mut r, &mut s).await {
                if f.opcode == 0x8 {
                    break;
                }
                if f.is_data() && f.fin {
                    received.fetch_add(1, Ordering::Relaxed);
                    last_rx.fetch_max(t0.elapsed().as_nanos() as u64, Ordering::Relaxed);
                }
            }
            s
        }));
    }

    let meter = CpuMeter::start(o.server_pid);
    let mut senders = Vec::with_capacity(o.senders);
    for k in 0..o.senders.max(1) {
        let requests = requests.clone();
        let (authority, stride, total, depth) = (
            o.authority.clone(),
            o.senders.max(1),
            o.messages,
            o.depth.max(1),
        );
        senders.push(tokio::spawn(async move {
            send(&authority, &requests, k, stride, total, depth).await
        }));
    }
    let mut posted = Posted::default();
    for s in senders {
        let p = s.await.map_err(|e| e.to_string())?;
        posted.ok += p.ok;
        for (code, n) in p.refused {
            *posted.refused.entry(code).or_default() += n;
        }
        posted.first_refusal = posted.first_refusal.or(p.first_refusal);
    }
    let post_time = t0.elapsed();
    // Wait for what was accepted to arrive, as long as it keeps arriving.
    let mut seen = (received.load(Ordering::Relaxed), Instant::now());
    while seen.0 < posted.ok && seen.1.elapsed() < Duration::from_secs(2) {
        tokio::time::sleep(Duration::from_millis(10)).await;
        let now = received.load(Ordering::Relaxed);
        if now != seen.0 {
            seen = (now, Instant::now());
        }
    }
    let got = received.load(Ordering::Relaxed);
    let rx_time = Duration::from_nanos(last_rx.load(Ordering::Relaxed));
    let cpu = meter.report("fanout", o.messages as u64);
    for r in &readers {
        r.abort();
    }

    let refused: u64 = posted.refused.values().sum();
    println!(
        "fanout: posted {} accepted in {:.3} s = {:.0} msg/s; refused {refused} {:?}",
        posted.ok,
        post_time.as_secs_f64(),
        posted.ok as f64 / post_time.as_secs_f64(),
        posted.refused
    );
    if let Some(body) = &posted.first_refusal {
        println!("fanout: first refusal: {body}");
    }
    println!(
        "fanout: received {got} on the WebSocket side = {:.0} msg/s (first post to last \
         message); lost {}",
        got as f64 / rx_time.as_secs_f64().max(1e-9),
        posted.ok.saturating_sub(got)
    );
    println!("{cpu}");
    Ok(refused == 0 && got == posted.ok && posted.ok == o.messages as u64)
}

/// Sender `k` of `stride`: messages k, k+stride, … below `total`, to connection `m % ids`, at
/// most `depth` in flight.
async fn send(
    authority: &str,
    requests: &[Vec<u8>],
    k: usize,
    stride: usize,
    total: usize,
    depth: usize,
) -> Posted {
    let mut p = Posted::default();
    let mine: Vec<usize> = (k..total).step_by(stride).collect();
    let fail = |p: &mut Posted, n: usize, why: String| {
        *p.refused.entry(0).or_default() += n as u64;
        p.first_refusal.get_or_insert(why);
    };
    let mut s = match tokio::net::TcpStream::connect(authority).await {
        Ok(s) => s,
        Err(e) => {
            fail(&mut p, mine.len(), format!("connect: {e}"));
            return p;
        }
    };
    let _ = s.set_nodelay(true);
    let (mut rd, mut wr) = s.split();
    let mut responses = ResponseReader::default();
    let mut batch = Vec::with_capacity(depth * requests.first().map_or(0, Vec::len));
    let (mut next, mut done) = (0, 0);
    while done < mine.len() {
        batch.clear();
        while next < mine.len() && next - done < depth {
            batch.extend_from_slice(&requests[mine[next] % requests.len()]);
            next += 1;
        }
        if !batch.is_empty() {
            if let Err(e) = wr.write_all(&batch).await {
                fail(&mut p, mine.len() - done, format!("write: {e}"));
                return p;
            }
        }
        match responses.next(&mut rd).await {
            Ok(st) if (200..300).contains(&st.code) => p.ok += 1,
            Ok(st) => {
                *p.refused.entry(st.code).or_default() += 1;
                if p.first_refusal.is_none() {
                    p.first_refusal =
                        Some(format!("{} {}", st.code, st.error_body.unwrap_or_default()));
                }
            }
            Err(e) => {
                fail(&mut p, mine.len() - done, format!("read: {e}"));
                return p;
            }
        }
        done += 1;
    }
    p
}
