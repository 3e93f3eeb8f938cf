//! `header_read_timeout`: a connection that leaves Portico waiting for a request head for that
//! long is closed, whether it sends nothing or trickles its head a byte at a time.
//!
//! hyper has this built in, but arms a timer for every request head it reads, and reads once
//! more after every request to start the next one: measured at ~1,000–1,300 instructions a
//! request (5% of a proxied request) however cheap the timer (bench/HISTORY.md, 2026-12-07).
//! Here the cost per request is two relaxed atomic counts and an `Arc` clone: each connection
//! task runs a watchdog that looks at the connection four times per timeout and closes it
//! when, for a whole timeout, no request head was parsed, no response finished, and no request
//! was in flight. So a connection waiting for a head is cut between 1× and 1.25× the timeout
//! after the previous response was written (or the connection was accepted); a request that
//! takes long, or a response that streams for long, is never cut. Request bodies are not
//! covered, as with hyper's.

use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};

use crate::http::ResponseBody;

/// Looks per timeout: the cut comes at most a quarter of the timeout late.
const LOOKS: u32 = 4;

/// What a connection's requests tell its watchdog.
#[derive(Debug, Default)]
pub struct HeadWatch {
    /// Heads parsed plus responses finished: any change is progress.
    progress: AtomicU32,
    /// Requests whose response has not finished yet.
    in_flight: AtomicU32,
}

impl HeadWatch {
    /// A request head was parsed: its request is in flight until its [`Watched`] response body
    /// is done (or the request is dropped unanswered).
    pub fn begin(self: &Arc<Self>) -> InFlight {
        self.progress.fetch_add(1, Relaxed);
        self.in_flight.fetch_add(1, Relaxed);
        InFlight(self.clone())
    }

    /// Resolves when the connection has waited `timeout` for a head without progress.
    pub async fn expired(&self, timeout: Duration) {
        let mut look = tokio::time::interval(timeout / LOOKS);
        look.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // The first tick is immediate: it marks the start (the accept).
        look.tick().await;
        let (mut seen, mut idle) = (self.progress.load(Relaxed), 0);
        loop {
            look.tick().await;
            let now = self.progress.load(Relaxed);
            if now != seen || self.in_flight.load(Relaxed) > 0 {
                (seen, idle) = (now, 0);
                continue;
            }
            idle += 1;
            if idle >= LOOKS {
                return;
            }
        }
    }
}

/// A request in flight, until it is dropped.
pub struct InFlight(Arc<HeadWatch>);

impl InFlight {
    /// The request's response body carries it until the body is done.
    pub fn respond(self, body: ResponseBody) -> Watched {
        Watched {
            body,
            _in_flight: self,
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Relaxed);
        self.0.progress.fetch_add(1, Relaxed);
    }
}

/// A response body that tells its connection's watchdog when it is done (written, or dropped
/// because the connection failed).
pub struct Watched {
    body: ResponseBody,
    _in_flight: InFlight,
}

impl Body for Watched {
    type Data = Bytes;
    type Error = <ResponseBody as Body>::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    const T: Duration = Duration::from_millis(400);

    #[test]
    fn a_connection_without_a_head_expires_between_one_and_one_and_a_quarter_timeouts() {
        runtime().block_on(async {
            let watch = HeadWatch::default();
            let start = Instant::now();
            watch.expired(T).await;
            let took = start.elapsed();
            assert!(took >= T && took <= T + T / 4 + T / 8, "{took:?}");
        });
    }

    #[test]
    fn a_request_in_flight_is_never_cut() {
        runtime().block_on(async {
            let watch = Arc::new(HeadWatch::default());
            let body = watch.begin().respond(crate::http::full("x"));
            let cut = tokio::time::timeout(T * 3, watch.expired(T)).await;
            assert!(cut.is_err(), "cut while a response was in flight");
            // Once the response is done, the wait for the next head starts.
            drop(body);
            let start = Instant::now();
            watch.expired(T).await;
            assert!(start.elapsed() >= T);
        });
    }

    #[test]
    fn progress_restarts_the_wait() {
        runtime().block_on(async {
            let watch = Arc::new(HeadWatch::default());
            let w = watch.clone();
            let start = Instant::now();
            let keep_busy = async move {
                // A quick request every T/2 for 3T: never idle for a whole timeout.
                for _ in 0..6 {
                    tokio::time::sleep(T / 2).await;
                    drop(w.begin().respond(crate::http::full("x")));
                }
            };
            let (_, ()) = tokio::join!(keep_busy, watch.expired(T));
            assert!(start.elapsed() >= T * 3 + T, "{:?}", start.elapsed());
        });
    }
}
