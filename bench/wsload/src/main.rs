//! `wsload`: the load client of bench/websocket.sh for issue 25's WebSocket budgets. A Python
//! client ran out of CPU long before Portico did (p99 3.4 ms, 3,029 posts/s), so these figures
//! are measured by a client that costs a few microseconds a message and says what it spent.
//!
//! ```text
//! wsload rtt --url ws://127.0.0.1:PORT/_aws/execute-api/ID/prod [--rate 5000]
//!     [--connections 50] [--seconds 10] [--warmup 1] [--body '{"action": "x"}']
//!     [--expect '{"id"']
//! wsload fanout --endpoint http://127.0.0.1:PORT --api ID [--stage prod]
//!     [--connections 1000] [--messages 100000] [--senders 8] [--depth 1] [--body m]
//! common: [--threads 2] (tokio workers) [--server-pid PID] (the server's CPU per message)
//! ```
//!
//! Exits 1 when a message was lost or refused, 2 on bad arguments or a failed setup.

mod fanout;
mod http;
mod rtt;
mod stats;
mod ws;

use std::collections::HashMap;
use std::str::FromStr;

const USAGE: &str = "usage: wsload rtt --url ws://HOST:PORT/PATH [--rate N] [--connections N] \
[--seconds S] [--warmup S] [--body TEXT] [--expect PREFIX]
       wsload fanout --endpoint http://HOST:PORT --api ID [--stage NAME] [--connections N] \
[--messages N] [--senders N] [--depth N] [--body TEXT]
       common: [--threads N] [--server-pid PID]";

/// `--name value` pairs; each read once, and any left unread is a mistake.
struct Args(HashMap<String, String>);

impl Args {
    fn parse(items: &[String]) -> Result<Args, String> {
        let mut m = HashMap::new();
        let mut it = items.iter();
        while let Some(k) = it.next() {
            let name = k
                .strip_prefix("--")
                .ok_or_else(|| format!("unexpected argument {k:?}"))?;
            let v = it.next().ok_or_else(|| format!("{k} needs a value"))?;
            if m.insert(name.to_string(), v.clone()).is_some() {
                return Err(format!("{k} given twice"));
            }
        }
        Ok(Args(m))
    }

    fn get<T: FromStr>(&mut self, name: &str, default: Option<T>) -> Result<T, String> {
        match self.0.remove(name) {
            Some(v) => v
                .parse()
                .map_err(|_| format!("--{name} {v:?} is not a valid value")),
            None => default.ok_or_else(|| format!("--{name} is required")),
        }
    }

    fn done(self) -> Result<(), String> {
        match self.0.keys().next() {
            Some(k) => Err(format!("unknown option --{k}")),
            None => Ok(()),
        }
    }
}

enum Job {
    Rtt(rtt::Opts),
    Fanout(fanout::Opts),
}

fn parse(argv: &[String]) -> Result<(Job, usize), String> {
    let (mode, rest) = argv.split_first().ok_or("no mode given")?;
    let mut a = Args::parse(rest)?;
    let threads = a.get("threads", Some(2usize))?;
    let server_pid: Option<u32> = match a.get::<u32>("server-pid", Some(0))? {
        0 => None,
        p => Some(p),
    };
    let job = match mode.as_str() {
        "rtt" => Job::Rtt(rtt::Opts {
            url: ws::WsUrl::parse(&a.get::<String>("url", None)?)?,
            rate: a.get("rate", Some(5000.0))?,
            connections: a.get("connections", Some(50))?,
            seconds: a.get("seconds", Some(10.0))?,
            warmup: a.get("warmup", Some(1.0))?,
            body: a.get("body", Some(r#"{"action": "x"}"#.to_string()))?,
            expect: a.get("expect", Some(r#"{"id""#.to_string()))?,
            server_pid,
        }),
        "fanout" => {
            let endpoint: String = a.get("endpoint", None)?;
            let authority = endpoint
                .strip_prefix("http://")
                .ok_or("--endpoint: only http:// endpoints are supported")?
                .trim_end_matches('/')
                .to_string();
            Job::Fanout(fanout::Opts {
                authority,
                api: a.get("api", None)?,
                stage: a.get("stage", Some("prod".to_string()))?,
                connections: a.get("connections", Some(1000))?,
                messages: a.get("messages", Some(100_000))?,
                senders: a.get("senders", Some(8))?,
                depth: a.get("depth", Some(1))?,
                body: a.get("body", Some("m".to_string()))?,
                server_pid,
            })
        }
        m => return Err(format!("unknown mode {m:?}")),
    };
    match &job {
        Job::Rtt(o)
            if !(o.rate > 0.0 && o.seconds > 0.0 && o.warmup >= 0.0 && o.connections > 0) =>
        {
            return Err("--rate, --seconds and --connections must be positive".into());
        }
        Job::Fanout(o) if o.connections == 0 || o.senders == 0 || o.depth == 0 => {
            return Err("--connections, --senders and --depth must be positive".into());
        }
        _ => {}
    }
    a.done()?;
    Ok((job, threads.max(1)))
}

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let (job, threads) = match parse(&argv) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("wsload: {e}\n{USAGE}");
            std::process::exit(2);
        }
    };
    stats::raise_fd_limit();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let result = rt.block_on(async {
        match job {
            Job::Rtt(o) => rtt::run(o).await,
            Job::Fanout(o) => fanout::run(o).await,
        }
    });
    // Whatever is still open is dropped with the process, not waited for.
    rt.shutdown_background();
    match result {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("wsload: {e}");
            std::process::exit(2);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn options_are_checked() {
        let (job, threads) = parse(&args("rtt --url ws://h:1/p --rate 100 --threads 3")).unwrap();
        assert_eq!(threads, 3);
        assert!(matches!(job, Job::Rtt(o) if o.rate == 100.0 && o.connections == 50));
        assert!(parse(&args("rtt --url ws://h:1/p --rte 100"))
            .err()
            .unwrap()
            .contains("--rte"));
        assert!(parse(&args("fanout --endpoint http://h:1")).is_err());
        let (job, _) = parse(&args("fanout --endpoint http://h:1/ --api a")).unwrap();
        assert!(matches!(job, Job::Fanout(o) if o.authority == "h:1" && o.senders == 8));
        assert!(parse(&args("rtt --url ws://h:1/p --rate 0")).is_err());
        assert!(parse(&args(
            "fanout --endpoint http://h:1 --api a --connections 0"
        ))
        .is_err());
    }
}
