//! The backend client against real sockets: a listener on port 0 answers with scripted bytes.
//! The framing cases are also fed to the parser one byte at a time, so every split of a
//! response across reads is covered without depending on how TCP segments arrive.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};

use http_body_util::BodyExt;
use hyper::{HeaderMap, Method};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::*;
use crate::integrations::pool::{Failure, Pool, Window};

/// What a response became: status, body (or the error text), whether the connection was fit
/// for another request afterwards.
#[derive(Debug, PartialEq)]
struct Seen {
    status: u16,
    body: Result<String, String>,
    reusable: bool,
}

fn seen(status: u16, body: &str, reusable: bool) -> Seen {
    Seen {
        status,
        body: Ok(body.into()),
        reusable,
    }
}

fn failed(status: u16, error: &str) -> Seen {
    Seen {
        status,
        body: Err(error.into()),
        reusable: false,
    }
}

/// A connected `Conn` whose peer never writes: the tests below put bytes in its buffer.
async fn idle_conn() -> (Conn, tokio::net::TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (conn, accepted) = tokio::join!(Conn::connect(&addr), listener.accept());
    (conn.unwrap(), accepted.unwrap().0)
}

/// Parse `raw` as if it arrived one byte per read.
async fn byte_by_byte(raw: &[u8], head_request: bool) -> Result<Seen, String> {
    let (mut conn, _peer) = idle_conn().await;
    let mut fed = 0;
    let (head, mut framing) = loop {
        match conn
            .parse_head(head_request, keep_all)
            .map_err(|e| e.to_string())?
        {
            Some((h, _)) if h.status.is_informational() => continue,
            Some(head) => break head,
            None => {
                if fed == raw.len() {
                    return Err("head incomplete".into());
                }
                conn.buf.extend_from_slice(&raw[fed..fed + 1]);
                fed += 1;
            }
        }
    };
    let mut body = Vec::new();
    let result = loop {
        match conn.decode(&mut framing) {
            Ok(Some(Decoded::Data(b))) => body.extend_from_slice(&b),
            Ok(Some(Decoded::End)) => break Ok(()),
            Ok(None) if fed < raw.len() => {
                conn.buf.extend_from_slice(&raw[fed..fed + 1]);
                fed += 1;
            }
            Ok(None) if matches!(framing, Framing::Eof) => break Ok(()),
            Ok(None) => break Err("connection closed before the end of the response body".into()),
            Err(e) => break Err(e.to_string()),
        }
    };
    let framed = !matches!(framing, Framing::Eof);
    Ok(Seen {
        status: head.status.as_u16(),
        reusable: result.is_ok() && framed && head.keep_alive && fed == raw.len(),
        body: result.map(|()| String::from_utf8_lossy(&body).into_owned()),
    })
}

/// A listener on port 0 that hands every connection it accepts to `answer` on a task of its
/// own. Counts the connections it accepted.
async fn listen<F, Fut>(answer: F) -> (String, Arc<AtomicUsize>)
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((s, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(answer(s));
        }
    });
    (addr, accepted)
}

/// A backend that answers every request on every connection with `raw`, and closes the
/// connection after answering when `close` is set.
async fn backend(raw: &'static [u8], close: bool) -> (String, Arc<AtomicUsize>) {
    listen(move |mut s| async move {
        while read_request(&mut s).await.is_some() {
            if s.write_all(raw).await.is_err() || close {
                return;
            }
        }
    })
    .await
}

/// Read one request (head and `content-length` body); its bytes, or `None` at end of stream.
async fn read_request(s: &mut tokio::net::TcpStream) -> Option<Vec<u8>> {
    let mut got = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&got[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length: "))
                .map_or(0, |v| v.trim().parse().unwrap());
            if got.len() >= end + 4 + len {
                return Some(got);
            }
        }
        let n = s.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        got.extend_from_slice(&chunk[..n]);
    }
}

/// Send one request through a fresh pool and read the whole response.
async fn through_pool(raw: &'static [u8], method: Method) -> Seen {
    let (addr, accepted) = backend(raw, false).await;
    let pool = Arc::new(Pool::default());
    let seen = send(&pool, &addr, method.clone()).await;
    // Reusable means: the next request goes out on the same connection.
    let reusable = if seen.body.is_ok() {
        let again = send(&pool, &addr, method).await;
        assert_eq!(again.body, seen.body, "the second answer differs");
        accepted.load(Ordering::SeqCst) == 1
    } else {
        false
    };
    Seen { reusable, ..seen }
}

/// A window whose deadline no test reaches.
fn far() -> Window {
    Window::new(
        std::time::Instant::now(),
        std::time::Duration::from_secs(60),
    )
}

static NO_HEADERS: LazyLock<HeaderMap> = LazyLock::new(HeaderMap::new);

/// A bodiless request for `/` with no headers of its own.
fn bare<'a>(method: &'a Method, host: &'a str, rule: HeaderRule) -> Outbound<'a> {
    Outbound {
        method,
        target: "/",
        host,
        headers: &NO_HEADERS,
        skip: send_all,
        added: b"",
        body: b"",
        rule,
    }
}

async fn send(pool: &Arc<Pool>, addr: &str, method: Method) -> Seen {
    match pool.send(addr, &bare(&method, addr, keep_all), far()).await {
        Err(e) => failed(0, &e.to_string()),
        Ok((resp, _)) => {
            let status = resp.status().as_u16();
            match resp.into_body().collect().await {
                Ok(b) => seen(status, &String::from_utf8_lossy(&b.to_bytes()), true),
                Err(e) => failed(status, &e.to_string()),
            }
        }
    }
}

/// One response, both ways: parsed byte by byte, and over a real connection through the pool.
async fn check(raw: &'static [u8], method: Method, expected: Seen) {
    let head_request = method == Method::HEAD;
    match byte_by_byte(raw, head_request).await {
        Ok(s) => assert_eq!(
            s,
            expected,
            "byte by byte: {}",
            String::from_utf8_lossy(raw)
        ),
        Err(e) => assert_eq!(
            Err(e),
            expected.body,
            "byte by byte: {}",
            String::from_utf8_lossy(raw)
        ),
    }
    let s = through_pool(raw, method).await;
    assert_eq!(
        s.body.is_ok(),
        expected.body.is_ok(),
        "over a socket: {s:?}"
    );
    if expected.body.is_ok() {
        assert_eq!(
            s,
            expected,
            "over a socket: {}",
            String::from_utf8_lossy(raw)
        );
    }
}

#[tokio::test]
async fn a_content_length_body_is_read_and_the_connection_reused() {
    check(
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello",
        Method::GET,
        seen(200, "hello", true),
    )
    .await;
}

#[tokio::test]
async fn a_body_longer_than_a_read_streams_and_the_connection_is_reused() {
    // Longer than the largest read, and of no round size: it cannot all come with the head,
    // and pieces of it are read at several sizes. Its bytes vary, so a piece out of order shows.
    let body: String = (0..3 * MAX_READ + 8 * READ_SIZE + 17)
        .map(|i| char::from(b'a' + (i % 23) as u8))
        .collect();
    let length = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let chunked = format!(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{}\r\n{:x}\r\n{}\r\n0\r\n\r\n",
        MAX_READ + 5,
        &body[..MAX_READ + 5],
        body.len() - MAX_READ - 5,
        &body[MAX_READ + 5..],
    );
    for raw in [length, chunked] {
        let raw: &'static [u8] = raw.into_bytes().leak();
        assert_eq!(through_pool(raw, Method::GET).await, seen(200, &body, true));
    }
}

/// Drops `Transfer-Encoding`, renames `Connection`: what a proxy's rule may do to the very
/// headers that frame the response.
fn drop_and_rename(name: HeaderName) -> Option<HeaderName> {
    if name == TRANSFER_ENCODING {
        None
    } else if name == CONNECTION {
        Some(HeaderName::from_static("x-was-connection"))
    } else {
        Some(name)
    }
}

#[tokio::test]
async fn a_header_rule_applies_after_the_framing_headers_are_read() {
    let (addr, accepted) = backend(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\nX-Kept: 1\r\n\r\n2\r\nok\r\n0\r\n\r\n",
        false,
    )
    .await;
    let pool = Arc::new(Pool::default());
    for expected_connections in [1, 2] {
        let (resp, _) = pool
            .send(&addr, &bare(&Method::GET, &addr, drop_and_rename), far())
            .await
            .unwrap();
        let names: Vec<&str> = resp.headers().keys().map(|k| k.as_str()).collect();
        assert_eq!(names, ["x-was-connection", "x-kept"]);
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], b"ok");
        // `Connection: close` was honoured though renamed: every request needs a new connection.
        assert_eq!(accepted.load(Ordering::SeqCst), expected_connections);
    }
}

#[tokio::test]
async fn a_chunked_body_is_joined_and_its_extensions_and_trailers_dropped() {
    check(
        b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n5;name=x\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\n",
        Method::GET,
        seen(201, "hello, world", true),
    )
    .await;
}

#[tokio::test]
async fn a_body_without_length_ends_with_the_connection() {
    let raw = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end";
    assert_eq!(
        byte_by_byte(raw, false).await.unwrap(),
        seen(200, "until the end", false)
    );
    let (addr, _) = backend(raw, true).await;
    let pool = Arc::new(Pool::default());
    assert_eq!(
        send(&pool, &addr, Method::GET).await,
        seen(200, "until the end", true)
    );
}

#[tokio::test]
async fn interim_responses_are_skipped() {
    check(
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        Method::POST,
        seen(200, "ok", true),
    )
    .await;
}

#[tokio::test]
async fn head_204_and_304_have_no_body_whatever_their_headers_say() {
    let cases: [(&'static [u8], Method, Seen); 3] = [
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
            Method::HEAD,
            seen(200, "", true),
        ),
        (
            b"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n",
            Method::DELETE,
            seen(204, "", true),
        ),
        (
            b"HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n",
            Method::GET,
            seen(304, "", true),
        ),
    ];
    for (raw, method, expected) in cases {
        check(raw, method, expected).await;
    }
}

#[tokio::test]
async fn a_connection_the_backend_means_to_close_is_not_reused() {
    let cases: [(&'static [u8], Seen); 3] = [
        (
            b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nbye",
            seen(200, "bye", false),
        ),
        (
            b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nold",
            seen(200, "old", false),
        ),
        (
            b"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 3\r\n\r\nold",
            seen(200, "old", true),
        ),
    ];
    for (raw, expected) in cases {
        check(raw, Method::GET, expected).await;
    }
}

#[tokio::test]
async fn malformed_responses_are_errors() {
    let cases: &[(&[u8], &str)] = &[
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
            "invalid response from the backend: conflicting Content-Length values",
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
            "invalid response from the backend: Content-Length is not a number",
        ),
        (
            b"SMTP ready\r\n\r\n",
            "invalid response from the backend: invalid HTTP version",
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "invalid response from the backend: bad chunk size line",
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
            "invalid response from the backend: chunk data longer than its size",
        ),
        (
            b"HTTP/1.1 101 Switching Protocols\r\n\r\n",
            "invalid response from the backend: 101 Switching Protocols to a request that asked for no upgrade",
        ),
    ];
    for (raw, message) in cases {
        let (addr, _) = backend(raw, true).await;
        let pool = Arc::new(Pool::default());
        let got = send(&pool, &addr, Method::GET).await;
        assert_eq!(
            got.body,
            Err(message.to_string()),
            "{}",
            String::from_utf8_lossy(raw)
        );
    }
}

#[tokio::test]
async fn a_body_cut_short_is_an_error_and_the_connection_is_not_reused() {
    let (addr, accepted) =
        backend(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf", true).await;
    let pool = Arc::new(Pool::default());
    assert_eq!(
        send(&pool, &addr, Method::GET).await,
        failed(200, "connection closed before the end of the response body")
    );
    send(&pool, &addr, Method::GET).await;
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_backend_that_closes_without_answering_is_reported() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        read_request(&mut s).await;
    });
    let pool = Arc::new(Pool::default());
    assert_eq!(
        send(&pool, &addr, Method::GET).await,
        failed(0, "connection closed before the response arrived")
    );
}

#[tokio::test]
async fn limits_hold() {
    let mut long_head = b"HTTP/1.1 200 OK\r\nX-Big: ".to_vec();
    long_head.extend(std::iter::repeat_n(b'a', MAX_HEAD));
    long_head.extend_from_slice(b"\r\nContent-Length: 0\r\n\r\n");
    let many_headers: Vec<u8> = std::iter::once(b"HTTP/1.1 200 OK\r\n".to_vec())
        .chain((0..=MAX_HEADERS).map(|i| format!("X-H{i}: v\r\n").into_bytes()))
        .chain([b"\r\n".to_vec()])
        .flatten()
        .collect();
    let mut long_chunk_line = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5".to_vec();
    long_chunk_line.extend(std::iter::repeat_n(b' ', MAX_LINE + 1));
    let cases: Vec<(Vec<u8>, String)> = vec![
        (
            long_head,
            format!("invalid response from the backend: response head over {MAX_HEAD} bytes"),
        ),
        (
            many_headers,
            "invalid response from the backend: too many headers".into(),
        ),
        (
            long_chunk_line,
            format!("invalid response from the backend: chunk line over {MAX_LINE} bytes"),
        ),
    ];
    for (raw, message) in cases {
        let raw: &'static [u8] = raw.leak();
        let (addr, _) = backend(raw, true).await;
        let pool = Arc::new(Pool::default());
        let got = send(&pool, &addr, Method::GET).await;
        assert_eq!(
            got.body,
            Err(message),
            "{}",
            String::from_utf8_lossy(&raw[..80])
        );
    }
}

#[tokio::test]
async fn the_request_goes_out_in_origin_form_with_our_framing() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server = tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        let mut seen = Vec::new();
        for _ in 0..2 {
            let req = read_request(&mut s).await.unwrap();
            seen.push(String::from_utf8(req).unwrap());
            s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                .await
                .unwrap();
        }
        seen
    });
    let pool = Arc::new(Pool::default());
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static("backend.example"));
    // Framing headers from a mapping must not reach the wire: ours describe the body.
    headers.insert("content-length", HeaderValue::from_static("999"));
    headers.insert("transfer-encoding", HeaderValue::from_static("chunked"));
    headers.insert("x-custom", HeaderValue::from_static("v"));
    let post = Outbound {
        method: &Method::POST,
        target: "/items/1?x=%20y",
        host: "unused",
        headers: &headers,
        skip: send_all,
        added: b"x-added: after\r\n",
        body: b"{\"a\":1}",
        rule: keep_all,
    };
    let (resp, _) = pool.send(&addr, &post, far()).await.unwrap();
    assert_eq!(resp.status(), 200);
    drop(resp);
    // What `skip` names is not sent; a skipped Host gives way to the endpoint's.
    let proxied = Outbound {
        method: &Method::GET,
        host: "backend.example:81",
        body: b"",
        added: b"",
        skip: |name| name == HOST || name == "x-custom",
        ..post
    };
    pool.send(&addr, &proxied, far()).await.unwrap();
    let seen = server.await.unwrap();
    assert_eq!(
        seen[0],
        "POST /items/1?x=%20y HTTP/1.1\r\nhost: backend.example\r\nx-custom: v\r\nx-added: after\r\ncontent-length: 7\r\n\r\n{\"a\":1}"
    );
    assert_eq!(
        seen[1],
        "GET /items/1?x=%20y HTTP/1.1\r\nhost: backend.example:81\r\n\r\n"
    );
}

/// A backend that answers the first request on each connection and never the second. With
/// `hold_open` unset it closes the connection then, as when its keep-alive ends just as the
/// next request arrives; with it set it stays silent with the connection open.
async fn one_answer_per_connection(hold_open: bool) -> (String, Arc<AtomicUsize>) {
    listen(move |mut s| async move {
        if read_request(&mut s).await.is_some() {
            let _ = s
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                .await;
            read_request(&mut s).await;
            if hold_open {
                let _ = s.read(&mut [0u8; 1]).await;
            }
        }
    })
    .await
}

#[tokio::test]
async fn an_idempotent_request_on_a_connection_that_closes_unanswered_goes_again_on_a_fresh_one() {
    let (addr, accepted) = one_answer_per_connection(false).await;
    let pool = Arc::new(Pool::default());
    assert_eq!(send(&pool, &addr, Method::GET).await, seen(200, "ok", true));
    assert_eq!(send(&pool, &addr, Method::GET).await, seen(200, "ok", true));
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        2,
        "the retry used a new connection"
    );
}

#[tokio::test]
async fn a_post_that_may_have_reached_the_backend_is_not_sent_twice() {
    let (addr, accepted) = one_answer_per_connection(false).await;
    let pool = Arc::new(Pool::default());
    assert_eq!(
        send(&pool, &addr, Method::POST).await,
        seen(200, "ok", true)
    );
    assert_eq!(
        send(&pool, &addr, Method::POST).await,
        failed(0, "connection closed before the response arrived")
    );
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_reused_connection_whose_last_deadline_passed_while_idle_still_times_out() {
    use std::time::Duration;
    let (addr, accepted) = one_answer_per_connection(true).await;
    let pool = Arc::new(Pool::default());
    let get = || bare(&Method::GET, &addr, keep_all);
    let first = Window::new(std::time::Instant::now(), Duration::from_millis(20));
    let (resp, _) = pool.send(&addr, &get(), first).await.ok().unwrap();
    let body = resp.into_body().collect().await.unwrap();
    assert_eq!(&body.to_bytes()[..], b"ok");
    // Let the pooled connection's timer fire while it sits idle.
    tokio::time::sleep_until(first.deadline + Duration::from_millis(30)).await;
    let second = Window::new(std::time::Instant::now(), Duration::from_millis(50));
    let outcome = tokio::time::timeout(Duration::from_secs(5), pool.send(&addr, &get(), second))
        .await
        .expect("the second deadline was never armed");
    assert!(matches!(outcome, Err(Failure::TimedOut)));
    assert!(tokio::time::Instant::now() >= second.deadline);
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        1,
        "the connection was reused"
    );
}
