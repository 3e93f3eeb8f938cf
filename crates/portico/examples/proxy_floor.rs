//! The floor under Portico's HTTP_PROXY figures: the same server (hyper http1 on tokio) and the
//! same backend pool as the data plane, with no pipeline at all. `bench/dataplane.sh FLOOR=1`
//! runs it; the gap between this and Portico is what the pipeline costs.
//!
//!   cargo run --release --example proxy_floor -- 127.0.0.1:18095 http://127.0.0.1:18081/

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use portico::data::integrations::http::Client;
use portico::data::response_map;
use portico::http::{full, ResponseBody};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let listen = args.next().unwrap_or_else(|| "127.0.0.1:18095".into());
    let backend: hyper::Uri = args
        .next()
        .unwrap_or_else(|| "http://127.0.0.1:18081/".into())
        .parse()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{e}")))?;
    let client = Arc::new(Client::new());
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        let (client, backend) = (client.clone(), backend.clone());
        tokio::spawn(async move {
            let service = service_fn(move |_req: Request<hyper::body::Incoming>| {
                let (client, backend) = (client.clone(), backend.clone());
                async move {
                    let mut out = Request::new(Full::new(Bytes::new()));
                    *out.uri_mut() = backend;
                    let resp: Response<ResponseBody> =
                        match client.send(out, Duration::from_secs(29)).await {
                            Ok(r) => response_map::proxy(r),
                            Err(e) => Response::new(full(e.message)),
                        };
                    Ok::<_, Infallible>(resp)
                }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
