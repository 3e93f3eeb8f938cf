//! The connections this node holds, by connection id: what `@connections` reaches and what a
//! connection's own task reads its outgoing messages from.
//!
//! A connection is registered once `$connect` let it through (AWS answers `GoneException` to a
//! post made during `$connect`) and removed when it closes, before `$disconnect` runs. Each
//! has a bounded queue of outgoing messages: a client that does not read fills it, and then
//! `PostToConnection` answers `LimitExceededException` rather than buffer without bound.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;

use base64::Engine as _;
use bytes::Bytes;
use parking_lot::Mutex;
use portico_core::Tenant;
use prometheus_client::metrics::counter::Counter;
use time::OffsetDateTime;
use tokio::sync::{mpsc, Notify};

use crate::fast_map::FastMap;

/// Messages waiting to be written to one client, at most.
pub const QUEUE: usize = 256;

/// A message to a client.
#[derive(Debug)]
pub enum Out {
    Text(String),
    Binary(Bytes),
}

/// One open connection, as `@connections` and the connection's task share it.
pub struct Conn {
    pub id: String,
    pub tenant: Tenant,
    pub api_id: String,
    pub stage: String,
    /// Epoch milliseconds.
    pub connected_at: i64,
    last_active: AtomicI64,
    pub source_ip: Arc<str>,
    pub user_agent: Option<String>,
    tx: mpsc::Sender<Out>,
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
        id: String,
        tenant: Tenant,
        api_id: String,
        stage: String,
        connected_at: i64,
        source_ip: Arc<str>,
        user_agent: Option<String>,
        messages_out: Counter,
    ) -> (Arc<Conn>, mpsc::Receiver<Out>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        let conn = Arc::new(Conn {
            id,
            tenant,
            api_id,
            stage,
            connected_at,
            last_active: AtomicI64::new(connected_at),
            source_ip,
            user_agent,
            tx,
            kill: Notify::new(),
            closed: AtomicBool::new(false),
            going_away: AtomicBool::new(false),
            messages_out,
        });
        (conn, rx)
    }

    pub fn touch(&self) {
        self.last_active.store(epoch_ms(), Ordering::Relaxed);
    }

    pub fn last_active(&self) -> i64 {
        self.last_active.load(Ordering::Relaxed)
    }

    /// Queue a message for the client.
    pub fn post(&self, msg: Out) -> Result<(), PostError> {
        if self.closed.load(Ordering::Relaxed) {
            return Err(PostError::Gone);
        }
        match self.tx.try_send(msg) {
            Ok(()) => {
                self.messages_out.inc();
                Ok(())
            }
            Err(mpsc::error::TrySendError::Full(_)) => Err(PostError::Full),
            Err(mpsc::error::TrySendError::Closed(_)) => Err(PostError::Gone),
        }
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
    by_id: Mutex<FastMap<String, Arc<Conn>>>,
    /// Connection tasks running, `$disconnect` included; `emptied` is told when none is left
    /// (shutdown waits for it).
    tasks: std::sync::atomic::AtomicUsize,
    emptied: Notify,
}

impl Connections {
    pub fn insert(&self, conn: Arc<Conn>) {
        self.by_id.lock().insert(conn.id.clone(), conn);
    }

    pub fn remove(&self, id: &str) -> Option<Arc<Conn>> {
        let c = self.by_id.lock().remove(id);
        if let Some(c) = &c {
            c.closed.store(true, Ordering::Relaxed);
        }
        c
    }

    /// The connection `id` of `tenant` (another tenant's is as good as gone).
    pub fn get(&self, tenant: &Tenant, id: &str) -> Option<Arc<Conn>> {
        self.by_id
            .lock()
            .get(id)
            .filter(|c| &c.tenant == tenant)
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

    fn conn(id: &str) -> (Arc<Conn>, mpsc::Receiver<Out>) {
        Conn::new(
            id.into(),
            Tenant::aws("000000000000", "us-east-1"),
            "api".into(),
            "prod".into(),
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
    }

    #[test]
    fn a_full_queue_refuses_and_a_removed_connection_is_gone() {
        let (c, mut rx) = conn("a");
        let all = Connections::default();
        all.insert(c.clone());
        for _ in 0..QUEUE {
            c.post(Out::Text("x".into())).unwrap();
        }
        assert_eq!(c.post(Out::Text("x".into())), Err(PostError::Full));
        assert!(rx.try_recv().is_ok());
        c.post(Out::Text("x".into())).unwrap();
        let other = Tenant::aws("111111111111", "us-east-1");
        assert!(all.get(&other, "a").is_none());
        assert!(all.get(&c.tenant, "a").is_some());
        all.remove("a");
        assert!(all.get(&c.tenant, "a").is_none());
        assert_eq!(c.post(Out::Text("x".into())), Err(PostError::Gone));
    }
}
