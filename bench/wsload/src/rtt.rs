//! `rtt`: a two-way route's round trip under an open-loop paced load.
//!
//! Message k of the run is due at `start + k / rate` on connection `k % connections`. One
//! thread (the pacer) sleeps until each message is due and writes its prepared frame straight
//! to the socket: tokio's timer has a 1 ms grain, which would add up to a millisecond to every
//! figure measured here. The latency of an answer is measured from the time its message was
//! *due*, not sent, so a pacer or server that falls behind shows in the figures instead of
//! hiding in a lower rate (no coordinated omission). Answers are matched to messages in order
//! per connection; the pacer's own lateness is reported apart, so the client's share of a bad
//! figure can be told from the server's.

use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::stats::{summary, CpuMeter};
use crate::ws::{self, WsUrl};

pub struct Opts {
    pub url: WsUrl,
    pub rate: f64,
    pub connections: usize,
    pub seconds: f64,
    pub warmup: f64,
    pub body: String,
    /// An answer must start with this to count as one.
    pub expect: String,
    pub server_pid: Option<u32>,
}

const NOT_SENT: u64 = u64::MAX;

/// What one connection's reader saw.
struct Seen {
    answers: u64,
    bad: u64,
    /// Microseconds from each measured message's due time to its answer.
    from_due: Vec<u32>,
    /// The same from the moment the pacer actually wrote it.
    from_send: Vec<u32>,
}

fn micros(d: Duration) -> u32 {
    d.as_micros().min(u128::from(u32::MAX)) as u32
}

/// Runs the measurement; `Ok(true)` when every message was answered as expected.
pub async fn run(o: Opts) -> Result<bool, String> {
    let c = o.connections.max(1);
    let total = (o.rate * (o.warmup + o.seconds)).round() as usize;
    let warm = (o.rate * o.warmup).round() as usize;
    let interval_ns = 1e9 / o.rate;
    let due = move |k: usize| Duration::from_nanos((k as f64 * interval_ns) as u64);

    let mut writers = Vec::with_capacity(c);
    let mut readers = Vec::with_capacity(c);
    for _ in 0..c {
        let (s, r) = ws::connect(&o.url).map_err(|e| format!("connect {:?}: {e}", o.url))?;
        let w = s.try_clone().map_err(|e| e.to_string())?;
        s.set_nonblocking(true).map_err(|e| e.to_string())?;
        let s = tokio::net::TcpStream::from_std(s).map_err(|e| e.to_string())?;
        writers.push(w);
        readers.push((s, r));
    }
    println!(
        "rtt: {c} connections, {} msg/s for {} s after {} s of warm-up; open loop, latency from \
         each message's due time",
        o.rate, o.seconds, o.warmup
    );

    let sent_at: Arc<Vec<AtomicU64>> =
        Arc::new((0..total).map(|_| AtomicU64::new(NOT_SENT)).collect());
    // Readers are running before the first message is due.
    let start = Instant::now() + Duration::from_millis(50);
    let deadline = start + due(total) + Duration::from_secs(2);
    let expect: Arc<[u8]> = o.expect.as_bytes().into();
    let meter = CpuMeter::start(o.server_pid);

    let mut tasks = Vec::with_capacity(c);
    for (conn, (mut s, mut r)) in readers.into_iter().enumerate() {
        let mine = total.saturating_sub(conn).div_ceil(c);
        let sent_at = sent_at.clone();
        let expect = expect.clone();
        tasks.push(tokio::spawn(async move {
            let mut seen = Seen {
                answers: 0,
                bad: 0,
                from_due: Vec::with_capacity(mine),
                from_send: Vec::with_capacity(mine),
            };
            let deadline = tokio::time::Instant::from_std(deadline);
            while (seen.answers as usize) < mine {
                let f =
                    match tokio::time::timeout_at(deadline, ws::next_frame(&mut r, &mut s)).await {
                        Ok(Ok(Some(f))) => f,
                        _ => break,
                    };
                if f.opcode == 0x8 {
                    break;
                }
                if !f.is_data() || !f.fin {
                    continue;
                }
                let now = Instant::now();
                if !r.payload(&f).starts_with(&expect) {
                    seen.bad += 1;
                }
                let k = seen.answers as usize * c + conn;
                seen.answers += 1;
                if k < warm {
                    continue;
                }
                seen.from_due
                    .push(micros(now.saturating_duration_since(start + due(k))));
                let sent = sent_at[k].load(Ordering::Acquire);
                if sent != NOT_SENT {
                    let at = start + Duration::from_nanos(sent);
                    seen.from_send
                        .push(micros(now.saturating_duration_since(at)));
                }
            }
            seen
        }));
    }

    let frame = ws::text_frame(o.body.as_bytes());
    let pacer_sent = sent_at.clone();
    let pacer =
        tokio::task::spawn_blocking(move || pace(writers, &frame, total, start, due, &pacer_sent));

    let (sent, write_errors, mut late, writers) = pacer.await.map_err(|e| e.to_string())?;
    let mut all = Seen {
        answers: 0,
        bad: 0,
        from_due: Vec::with_capacity(total),
        from_send: Vec::with_capacity(total),
    };
    for t in tasks {
        let s = t.await.map_err(|e| e.to_string())?;
        all.answers += s.answers;
        all.bad += s.bad;
        all.from_due.extend(s.from_due);
        all.from_send.extend(s.from_send);
    }
    let cpu = meter.report("rtt", all.answers);
    let close = ws::close_frame();
    for mut w in writers {
        use std::io::Write;
        let _ = w.write_all(&close);
    }

    let lost = sent.saturating_sub(all.answers);
    let measured = all.from_due.len();
    println!(
        "rtt: sent {sent}, answered {}, lost {lost}, unexpected answers {}, write errors \
         {write_errors}; {:.0} msg/s answered of {} due",
        all.answers,
        all.bad,
        measured as f64 / o.seconds,
        o.rate
    );
    println!("rtt: latency us from due  {}", summary(&mut all.from_due));
    println!("rtt: latency us from send {}", summary(&mut all.from_send));
    println!("rtt: pacer lateness us    {}", summary(&mut late));
    println!("{cpu}");
    Ok(lost == 0 && all.bad == 0 && write_errors == 0)
}

/// The pacer: writes message k's frame when it is due. Returns how many went out, the write
/// errors, each message's lateness (µs) and the sockets.
fn pace(
    mut writers: Vec<TcpStream>,
    frame: &[u8],
    total: usize,
    start: Instant,
    due: impl Fn(usize) -> Duration,
    sent_at: &[AtomicU64],
) -> (u64, u64, Vec<u32>, Vec<TcpStream>) {
    use std::io::{ErrorKind, Write};
    // Sleep to the microsecond: the default 50 µs timer slack would be a fifth of the interval
    // at 5,000 msg/s.
    // SAFETY: PR_SET_TIMERSLACK takes a number and changes only this thread's timer slack.
    unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong) };
    let c = writers.len();
    let mut late = Vec::with_capacity(total);
    let (mut sent, mut errors) = (0u64, 0u64);
    for (k, slot) in sent_at.iter().enumerate().take(total) {
        let at = start + due(k);
        let now = Instant::now();
        if at > now {
            std::thread::sleep(at - now);
        }
        let w = &mut writers[k % c];
        let mut off = 0;
        // The socket is non-blocking (its reader's half is tokio's); a full buffer is waited out.
        while off < frame.len() {
            match w.write(&frame[off..]) {
                Ok(n) => off += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => std::thread::yield_now(),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        let now = Instant::now();
        if off < frame.len() {
            errors += 1;
            continue;
        }
        slot.store(
            now.duration_since(start).as_nanos() as u64,
            Ordering::Release,
        );
        late.push(micros(now.saturating_duration_since(at)));
        sent += 1;
    }
    (sent, errors, late, writers)
}
