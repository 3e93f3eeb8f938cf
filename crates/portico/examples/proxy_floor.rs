//! The floor under Portico's HTTP_PROXY figures: the same threading (one acceptor dealing
//! connections round-robin to single-threaded worker runtimes), the same hyper server and the
//! same backend pool as the data plane, with no pipeline at all. `bench/dataplane.sh` runs it;
//! the gap between this and Portico is what the pipeline costs.
//!
//!   cargo run --release --example proxy_floor -- 127.0.0.1:18095 http://127.0.0.1:18081/ [WORKERS]
//!
//! WORKERS defaults to Portico's own default (`config::default_workers`).

use std::borrow::Cow;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{HeaderMap, Method, Request, Response};
use hyper_util::rt::TokioIo;
use portico::http::{full, ResponseBody};
use portico_gateway::integrations::h1;
use portico_gateway::integrations::http::{Client, Endpoint};
use portico_gateway::rest::request_map::BackendRequest;
use portico_gateway::rest::response_map;
use tokio::net::TcpStream;
use tokio::sync::mpsc;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let listen = args.next().unwrap_or_else(|| "127.0.0.1:18095".into());
    let backend = Endpoint::parse(
        args.next()
            .unwrap_or_else(|| "http://127.0.0.1:18081/".into()),
    )
    .map(Arc::new)
    .map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            e.detail.or(e.message).unwrap_or_default(),
        )
    })?;
    let workers = args.next().and_then(|n| n.parse().ok()).unwrap_or_else(|| {
        portico::config::default_workers(
            std::thread::available_parallelism().map_or(1, |n| n.get()),
        )
    });
    let client = Arc::new(Client::new());
    let mut outboxes = Vec::new();
    for _ in 1..workers {
        let (tx, mut rx) = mpsc::unbounded_channel::<std::net::TcpStream>();
        let (client, backend) = (client.clone(), backend.clone());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            rt.block_on(async move {
                while let Some(s) = rx.recv().await {
                    serve(TcpStream::from_std(s)?, client.clone(), backend.clone());
                }
                Ok::<_, std::io::Error>(())
            })
        });
        outboxes.push(tx);
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&listen).await?;
        let mut next = 0;
        loop {
            let (stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            next = (next + 1) % (outboxes.len() + 1);
            match next {
                0 => serve(stream, client.clone(), backend.clone()),
                n => {
                    let _ = outboxes[n - 1].send(stream.into_std()?);
                }
            }
        }
    })
}

fn serve(stream: TcpStream, client: Arc<Client>, backend: Arc<Endpoint>) {
    tokio::spawn(async move {
        let service = service_fn(move |_req: Request<hyper::body::Incoming>| {
            let (client, backend) = (client.clone(), backend.clone());
            async move {
                let out = BackendRequest {
                    method: Method::GET,
                    endpoint: Cow::Borrowed(&*backend),
                    headers: Cow::Owned(HeaderMap::new()),
                    skip: h1::send_all,
                    added: Vec::new(),
                    body: Bytes::new(),
                    via: None,
                    tls: Default::default(),
                };
                let resp: Response<ResponseBody> = match client
                    .send(
                        out,
                        Instant::now(),
                        Duration::from_secs(29),
                        response_map::proxy_header,
                    )
                    .await
                {
                    Ok((r, _)) => response_map::proxy(r),
                    Err(e) => Response::new(full(e.message.unwrap_or_default())),
                };
                Ok::<_, Infallible>(resp)
            }
        });
        let _ = http1::Builder::new()
            .half_close(true)
            .writev(false)
            .max_buf_size(portico::server::CONN_BUFFER)
            .serve_connection(TokioIo::new(stream), service)
            .await;
    });
}
