//! The connections this node holds, by connection id: what `@connections` reaches and what a
//! connection's own task reads its outgoing messages from.
//!
//! A connection is registered once `$connect` let it through (AWS answers `GoneException` to a
//! post made during `$connect`) and removed when it closes, before `$disconnect` runs. Each
//! has a bounded queue of outgoing messages: a client that does not read fills it, and then
//! `PostToConnection` answers `LimitExceededException` rather than buffer without bound.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;

use base64::Engine as _;
use bytes::Bytes;
use parking_lot::Mutex;
use portico_core::Tenant;
use prometheus_client::metrics::counter::Counter;
use time::OffsetDateTime;
use tokio::sync::Notify;

use super::registry::{WsApi, WsStage};
use crate::fast_map::FastMap;

/// Messages waiting to be written to one client, at most.
pub const QUEUE: usize = 256;

/// A message to a client.
#[derive(Debug)]
pub enum Out {
    Text(String),
    Binary(Bytes),
}

/// A connection id (see [`new_id`]), kept inline: no allocation per connection, here or as the
/// registry's key.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnId([u8; 16]);

impl ConnId {
    pub fn new() -> ConnId {
        let random: [u8; 11] = rand::random();
        let mut id = [0u8; 16];
        // 11 bytes are 16 characters of base64, padding included: the slice always fits.
        let _ = base64::engine::general_purpose::URL_SAFE.encode_slice(random, &mut id);
        ConnId(id)
    }

    /// The id a caller names; `None` when it cannot be one.
    pub fn parse(s: &str) -> Option<ConnId> {
        s.as_bytes().try_into().ok().map(ConnId)
    }

    pub fn as_str(&self) -> &str {
        // Made of base64 characters, or parsed from a `str` of the same 16 bytes.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl Default for ConnId {
    fn default() -> Self {
        ConnId::new()
    }
}

/// One open connection, as `@connections` and the connection's task share it. Compact: the
/// API and stage it belongs to are the compiled ones its task holds anyway (tenant, API id and
/// stage name are read from them), not copies.
pub struct Conn {
    pub id: ConnId,
    pub api: Arc<WsApi>,
    pub stage: Arc<WsStage>,
    /// Epoch milliseconds.
    pub connected_at: i64,
    last_active: AtomicI64,
    pub source_ip: Arc<str>,
    pub user_agent: Option<Box<str>>,
    /// Messages waiting for the connection's task. Not a tokio channel: a bounded one
    /// allocates ~1.5 KB up front (its shared state and a first block of 32 slots) for every
    /// connection, most of which are idle; this holds nothing while empty.
    queue: Mutex<VecDeque<Out>>,
    queued: Notify,
    /// DeleteConnection (or the node closing it): the task closes the socket.
    pub kill: Notify,
    closed: AtomicBool,
    /// Closed because the node is going away (shutdown): 1001 rather than 1000.
    going_away: AtomicBool,
    pub messages_out: Counter,
}

/// Why a message could not be queued.
#[derive(Debug, PartialEq, Eq)]
pub enum PostError {
    Gone,
    /// The client is not reading: its queue is full.
    Full,
}

impl Conn {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: ConnId,
        api: Arc<WsApi>,
        stage: Arc<WsStage>,
        connected_at: i64,
        source_ip: Arc<str>,
        user_agent: Option<Box<str>>,
        messages_out: Counter,
    ) -> Arc<Conn> {
        Arc::new(Conn {
            id,
            api,
            stage,
            connected_at,
            last_active: AtomicI64::new(connected_at),
            source_ip,
            user_agent,
            queue: Mutex::new(VecDeque::new()),
            queued: Notify::new(),
            kill: Notify::new(),
            closed: AtomicBool::new(false),
            going_away: AtomicBool::new(false),
            messages_out,
        })
    }

    pub fn tenant(&self) -> &Tenant {
        &self.api.tenant
    }

    pub fn api_id(&self) -> &str {
        &self.api.api_id
    }

    pub fn touch(&self) {
        self.last_active.store(epoch_ms(), Ordering::Relaxed);
    }

    pub fn last_active(&self) -> i64 {
        self.last_active.load(Ordering::Relaxed)
    }

    /// Queue a message for the client.
    pub fn post(&self, msg: Out) -> Result<(), PostError> {
        {
            let mut queue = self.queue.lock();
            // Checked under the lock: `end` empties the queue under it, so nothing is queued
            // after the task stopped reading.
            if self.closed.load(Ordering::Relaxed) {
                return Err(PostError::Gone);
            }
            if queue.len() >= QUEUE {
                return Err(PostError::Full);
            }
            queue.push_back(msg);
        }
        self.queued.notify_one();
        self.messages_out.inc();
        Ok(())
    }

    /// The next queued message (for the connection's task). Cancel-safe: a message leaves the
    /// queue only when this returns it.
    pub async fn next_out(&self) -> Out {
        loop {
            if let Some(msg) = self.pop() {
                return msg;
            }
            // A post between `pop` and here leaves a permit: this returns at once.
            self.queued.notified().await;
        }
    }

    fn pop(&self) -> Option<Out> {
        let mut queue = self.queue.lock();
        let msg = queue.pop_front();
        // The room is let go once all has been written: an idle connection holds none.
        if queue.is_empty() && queue.capacity() > 0 {
            *queue = VecDeque::new();
        }
        msg
    }

    /// The connection's task ends: posts answer `GoneException`, and what was queued goes.
    pub fn end(&self) {
        let mut queue = self.queue.lock();
        self.closed.store(true, Ordering::Relaxed);
        *queue = VecDeque::new();
    }

    /// Ask the connection's task to close the socket (DeleteConnection).
    pub fn close(&self) {
        self.closed.store(true, Ordering::Relaxed);
        self.kill.notify_one();
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Relaxed)
    }

    pub fn is_going_away(&self) -> bool {
        self.going_away.load(Ordering::Relaxed)
    }
}

/// The connections held by this node.
#[derive(Default)]
pub struct Connections {
    by_id: Mutex<FastMap<ConnId, Arc<Conn>>>,
    /// Connection tasks running, `$disconnect` included; `emptied` is told when none is left
    /// (shutdown waits for it).
    tasks: std::sync::atomic::AtomicUsize,
    emptied: Notify,
}

impl Connections {
    pub fn insert(&self, conn: Arc<Conn>) {
        self.by_id.lock().insert(conn.id, conn);
    }

    pub fn remove(&self, id: ConnId) -> Option<Arc<Conn>> {
        let c = self.by_id.lock().remove(&id);
        if let Some(c) = &c {
            c.closed.store(true, Ordering::Relaxed);
        }
        c
    }

    /// The connection `id` of `tenant` (another tenant's is as good as gone).
    pub fn get(&self, tenant: &Tenant, id: &str) -> Option<Arc<Conn>> {
        let id = ConnId::parse(id)?;
        self.by_id
            .lock()
            .get(&id)
            .filter(|c| c.tenant() == tenant)
            .cloned()
    }

    /// A connection's task starts (it ends with [`Connections::task_ended`], after
    /// `$disconnect`).
    pub fn task_started(&self) {
        self.tasks.fetch_add(1, Ordering::AcqRel);
    }

    pub fn task_ended(&self) {
        if self.tasks.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.emptied.notify_waiters();
        }
    }

    pub fn len(&self) -> usize {
        self.by_id.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Close every connection (a reset wipes the APIs they belong to).
    pub fn close_all(&self) {
        for c in self.by_id.lock().values() {
            c.close();
        }
    }

    /// Shutdown: close every connection with 1001 `Going away`, and wait (up to `limit`) until
    /// their tasks have let them go.
    pub async fn shut_down(&self, limit: std::time::Duration) {
        let emptied = self.emptied.notified();
        tokio::pin!(emptied);
        emptied.as_mut().enable();
        for c in self.by_id.lock().values() {
            c.going_away.store(true, Ordering::Relaxed);
            c.close();
        }
        if self.tasks.load(Ordering::Acquire) == 0 {
            return;
        }
        let _ = tokio::time::timeout(limit, emptied).await;
    }
}

/// A connection id, as AWS shapes them: 16 characters of base64 ending in `=`
/// (`R1kmxc2VNjMCFIA=`). Request and message ids have the same form. The URL-safe alphabet
/// (`-`, `_`): an id travels in `@connections` paths, where `/` and `+` would need encoding.
pub fn new_id() -> String {
    let random: [u8; 11] = rand::random();
    base64::engine::general_purpose::URL_SAFE.encode(random)
}

pub fn epoch_ms() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> Arc<Conn> {
        let api = Arc::new(WsApi {
            tenant: Tenant::aws("000000000000", "us-east-1"),
            api_id: "api".into(),
            route_selection: crate::http::params::parse("$request.body.action"),
            authorizers: FastMap::default(),
            stages: FastMap::default(),
            execute_api_disabled: false,
        });
        let stage = Arc::new(WsStage {
            name: "prod".into(),
            deployment: Arc::new(super::super::registry::WsDeployment {
                id: "d".into(),
                routes: FastMap::default(),
            }),
            variables: Default::default(),
            access_log: None,
        });
        Conn::new(
            ConnId::new(),
            api,
            stage,
            1,
            "127.0.0.1".into(),
            None,
            Counter::default(),
        )
    }

    #[test]
    fn ids_look_like_aws_ones() {
        let id = new_id();
        assert_eq!(id.len(), 16);
        assert!(id.ends_with('='));
        assert_ne!(id, new_id());
        let c = ConnId::new();
        assert_eq!(c.as_str().len(), 16);
        assert!(c.as_str().ends_with('='));
        assert!(c
            .as_str()
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_=".contains(&b)));
        assert!(ConnId::parse(c.as_str()) == Some(c));
        assert!(ConnId::parse("short").is_none());
        assert!(ConnId::new() != c);
    }

    #[test]
    fn a_full_queue_refuses_and_a_removed_connection_is_gone() {
        let c = conn();
        let id = c.id.as_str().to_string();
        let all = Connections::default();
        all.insert(c.clone());
        for _ in 0..QUEUE {
            c.post(Out::Text("x".into())).unwrap();
        }
        assert_eq!(c.post(Out::Text("x".into())), Err(PostError::Full));
        assert!(c.pop().is_some());
        c.post(Out::Text("x".into())).unwrap();
        let other = Tenant::aws("111111111111", "us-east-1");
        assert!(all.get(&other, &id).is_none());
        assert!(all.get(c.tenant(), &id).is_some());
        assert!(all.get(c.tenant(), "not-an-id").is_none());
        all.remove(c.id);
        assert!(all.get(c.tenant(), &id).is_none());
        assert_eq!(c.post(Out::Text("x".into())), Err(PostError::Gone));
    }

    #[tokio::test]
    async fn queued_messages_come_out_in_order_and_an_ended_connection_is_gone() {
        let c = conn();
        c.post(Out::Text("1".into())).unwrap();
        c.post(Out::Text("2".into())).unwrap();
        let text = |o: Out| match o {
            Out::Text(t) => t,
            Out::Binary(_) => panic!("binary"),
        };
        assert_eq!(text(c.next_out().await), "1");
        assert_eq!(text(c.next_out().await), "2");
        // A waiting reader gets what is posted after it began to wait.
        let waiting = tokio::spawn({
            let c = c.clone();
            async move { c.next_out().await }
        });
        tokio::task::yield_now().await;
        c.post(Out::Text("3".into())).unwrap();
        assert_eq!(text(waiting.await.unwrap()), "3");
        c.post(Out::Text("lost".into())).unwrap();
        c.end();
        assert_eq!(c.post(Out::Text("x".into())), Err(PostError::Gone));
        assert!(c.pop().is_none(), "what was queued went with the task");
    }
}
