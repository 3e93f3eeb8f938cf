//! VPC links: where an integration with `connectionType: VPC_LINK` connects.
//!
//! The index maps (tenant, link id) to the addresses behind the link's network load balancers
//! (the config file's `[[load_balancers]]`, handed in as a [`LoadBalancers`]). It is built off
//! the request path from the store's VPC link documents and swapped in with `ArcSwap`, like the
//! registry: [`VpcLinks::sync`] applies the store's `Change::VpcLinks` announcements, after every
//! management call and on the flusher's tick. A request looks its link up with one `load()` and
//! two hash lookups; only VPC_LINK integrations do.
//!
//! A link sends to its addresses in turn (round robin). An address that refuses a connection
//! is marked down for [`DOWN_FOR`] and skipped meanwhile (passive health), and the request goes
//! to the next one: nothing was sent, so this is safe for every method. When every address is
//! down, they are tried anyway, in turn. A rebuilt index keeps the state (turn, health) of
//! links whose addresses did not change.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use parking_lot::Mutex;
use portico_model::{Entity, LoadBalancers, VpcLink};
use portico_store::{self as store, kind, Change, Store, Tenant, Topic};
use tokio::sync::broadcast::{self, error::TryRecvError};

use crate::fast_map::FastMap;

/// How long an address that refused a connection is skipped.
pub const DOWN_FOR: Duration = Duration::from_secs(5);

type Index = FastMap<Tenant, FastMap<String, Arc<Link>>>;

/// The store links are read from, and its announcements.
type Source = (Arc<dyn Store>, Mutex<broadcast::Receiver<Change>>);

/// The live VPC links of every tenant.
pub struct VpcLinks {
    balancers: Arc<LoadBalancers>,
    index: ArcSwap<Index>,
    /// The store and its announcements; `None` for a client with no links (tests).
    source: Option<Source>,
}

impl Default for VpcLinks {
    fn default() -> Self {
        VpcLinks {
            balancers: Arc::default(),
            index: ArcSwap::from_pointee(Index::default()),
            source: None,
        }
    }
}

/// One link: its addresses and whose turn it is.
#[derive(Debug)]
pub struct Link {
    pub id: String,
    /// Why the link cannot be used (its status message), or its addresses.
    backends: Result<Vec<Backend>, String>,
    next: AtomicUsize,
}

#[derive(Debug)]
pub struct Backend {
    /// `host:port`: where to connect, and the connection pool's key.
    pub authority: Box<str>,
    /// Skipped until this many milliseconds after [`epoch`]; 0 = up.
    down_until: AtomicU64,
}

/// The instant the health marks count from.
fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn millis_since_epoch(now: Instant) -> u64 {
    now.saturating_duration_since(epoch()).as_millis() as u64
}

impl Link {
    pub fn new(id: String, addresses: Result<Vec<String>, String>) -> Link {
        Link {
            id,
            backends: addresses.map(|a| {
                a.into_iter()
                    .map(|authority| Backend {
                        authority: authority.into_boxed_str(),
                        down_until: AtomicU64::new(0),
                    })
                    .collect()
            }),
            next: AtomicUsize::new(0),
        }
    }

    /// The link's addresses, or why it has none.
    pub fn backends(&self) -> Result<&[Backend], &str> {
        match &self.backends {
            Ok(b) if b.is_empty() => Err("the link's load balancer has no targets"),
            Ok(b) => Ok(b),
            Err(why) => Err(why),
        }
    }

    /// The next address in turn that is not marked down; if all are, the next in turn.
    pub fn pick(&self, now: Instant) -> Option<&Backend> {
        let backends = self.backends().ok()?;
        let now = millis_since_epoch(now);
        let n = backends.len();
        let first = self.next.fetch_add(1, Ordering::Relaxed);
        for i in 0..n {
            let b = &backends[(first + i) % n];
            if b.down_until.load(Ordering::Relaxed) <= now {
                if i > 0 {
                    // Skipped some: the next request starts after the one chosen.
                    self.next.fetch_add(i, Ordering::Relaxed);
                }
                return Some(b);
            }
        }
        Some(&backends[first % n])
    }

    fn same_addresses(&self, addresses: &Result<Vec<String>, String>) -> bool {
        match (&self.backends, addresses) {
            (Ok(mine), Ok(theirs)) => mine
                .iter()
                .map(|b| &*b.authority)
                .eq(theirs.iter().map(String::as_str)),
            (Err(a), Err(b)) => a == b,
            _ => false,
        }
    }
}

impl Backend {
    /// It refused a connection: skip it for [`DOWN_FOR`].
    pub fn mark_down(&self, now: Instant) {
        let until = millis_since_epoch(now + DOWN_FOR);
        self.down_until.store(until, Ordering::Relaxed);
    }

    pub fn is_down(&self, now: Instant) -> bool {
        self.down_until.load(Ordering::Relaxed) > millis_since_epoch(now)
    }
}

impl VpcLinks {
    pub fn new(store: Arc<dyn Store>, balancers: Arc<LoadBalancers>) -> VpcLinks {
        // Subscribe before the initial scan so nothing committed in between is missed.
        let rx = store.subscribe(Topic::Serving);
        let links = VpcLinks {
            balancers,
            index: ArcSwap::from_pointee(Index::default()),
            source: Some((store, Mutex::new(rx))),
        };
        links.rebuild_all();
        links
    }

    /// The link `id` of `tenant`.
    pub fn get(&self, tenant: &Tenant, id: &str) -> Option<Arc<Link>> {
        self.index.load().get(tenant)?.get(id).cloned()
    }

    /// Apply every announced change. Cheap when nothing is pending.
    pub fn sync(&self) {
        let Some((_, rx)) = &self.source else {
            return;
        };
        let mut rx = rx.lock();
        let mut touched = Vec::new();
        loop {
            match rx.try_recv() {
                Ok(Change::VpcLinks { tenant }) => {
                    if !touched.contains(&tenant) {
                        touched.push(tenant);
                    }
                }
                Ok(_) => {}
                Err(TryRecvError::Lagged(_)) => {
                    drop(rx);
                    self.rebuild_all();
                    return;
                }
                Err(TryRecvError::Empty) | Err(TryRecvError::Closed) => break,
            }
        }
        if touched.is_empty() {
            return;
        }
        let current = self.index.load_full();
        let mut index = (*current).clone();
        for tenant in touched {
            match self.build_tenant(&tenant, current.get(&tenant)) {
                Ok(links) if links.is_empty() => {
                    index.remove(&tenant);
                }
                Ok(links) => {
                    index.insert(tenant, links);
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot rebuild VPC links; keeping the previous ones")
                }
            }
        }
        self.index.store(Arc::new(index));
        // Hold the receiver lock until the swap so two syncs can't publish out of order.
        drop(rx);
    }

    fn rebuild_all(&self) {
        let Some((store, _)) = &self.source else {
            return;
        };
        let docs = match store.scan(kind::VPC_LINK) {
            Ok(d) => d,
            Err(e) => {
                tracing::error!(error = %e, "cannot scan VPC links");
                return;
            }
        };
        let current = self.index.load_full();
        let mut index = Index::default();
        for (tenant, _, doc) in docs {
            let old = current.get(&tenant).and_then(|l| l.get(&doc.id));
            if let Some(link) = self.link(&doc.id, &doc.body, old) {
                index.entry(tenant).or_default().insert(doc.id, link);
            }
        }
        self.index.store(Arc::new(index));
    }

    fn build_tenant(
        &self,
        tenant: &Tenant,
        old: Option<&FastMap<String, Arc<Link>>>,
    ) -> Result<FastMap<String, Arc<Link>>, store::StoreError> {
        let Some((store, _)) = &self.source else {
            return Ok(FastMap::default());
        };
        let docs = store::read(&**store, tenant, |txn| {
            txn.list_shared(kind::VPC_LINK, "", 0, usize::MAX)
        })?;
        Ok(docs
            .into_iter()
            .filter_map(|d| {
                let link = self.link(&d.id, &d.body, old.and_then(|o| o.get(&d.id)))?;
                Some((d.id, link))
            })
            .collect())
    }

    /// A link from its document, reusing `old` (and its turn and health) when its addresses
    /// are unchanged.
    fn link(
        &self,
        id: &str,
        doc: &serde_json::Value,
        old: Option<&Arc<Link>>,
    ) -> Option<Arc<Link>> {
        let link = match VpcLink::from_value(doc) {
            Ok(l) => l,
            Err(e) => {
                tracing::error!(id, "{e}; VPC link not served");
                return None;
            }
        };
        let addresses = match link.unresolved(&self.balancers) {
            Some(why) => Err(why),
            None => Ok(link.addresses(&self.balancers).unwrap_or_default()),
        };
        match old {
            Some(o) if o.same_addresses(&addresses) => Some(o.clone()),
            _ => Some(Arc::new(Link::new(id.to_string(), addresses))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portico_store::SqliteStore;
    use serde_json::json;

    fn link(addrs: &[&str]) -> Link {
        Link::new(
            "l".into(),
            Ok(addrs.iter().map(|a| a.to_string()).collect()),
        )
    }

    fn picks(l: &Link, now: Instant, n: usize) -> Vec<String> {
        (0..n)
            .map(|_| l.pick(now).unwrap().authority.to_string())
            .collect()
    }

    #[test]
    fn addresses_take_turns() {
        let l = link(&["a:1", "b:1", "c:1"]);
        let now = Instant::now();
        assert_eq!(
            picks(&l, now, 6),
            ["a:1", "b:1", "c:1", "a:1", "b:1", "c:1"]
        );
    }

    #[test]
    fn an_address_marked_down_is_skipped_until_its_time_is_up() {
        let l = link(&["a:1", "b:1", "c:1"]);
        let now = Instant::now();
        l.backends().unwrap()[1].mark_down(now);
        assert!(l.backends().unwrap()[1].is_down(now));
        assert_eq!(picks(&l, now, 4), ["a:1", "c:1", "a:1", "c:1"]);
        let later = now + DOWN_FOR + Duration::from_millis(1);
        assert!(!l.backends().unwrap()[1].is_down(later));
        let got = picks(&l, later, 3);
        assert!(got.contains(&"b:1".to_string()), "{got:?}");
    }

    #[test]
    fn when_every_address_is_down_they_are_still_tried_in_turn() {
        let l = link(&["a:1", "b:1"]);
        let now = Instant::now();
        for b in l.backends().unwrap() {
            b.mark_down(now);
        }
        assert_eq!(picks(&l, now, 2), ["a:1", "b:1"]);
    }

    #[test]
    fn a_link_that_does_not_resolve_picks_nothing() {
        let l = Link::new("l".into(), Err("NLB ARN is malformed".into()));
        assert!(l.pick(Instant::now()).is_none());
        assert_eq!(l.backends().unwrap_err(), "NLB ARN is malformed");
        assert!(link(&[]).pick(Instant::now()).is_none());
    }

    #[test]
    fn the_index_follows_the_store_and_keeps_unchanged_links() {
        const NLB: &str = "arn:aws:elasticloadbalancing:us-east-1:0:loadbalancer/net/n/1";
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path()).unwrap());
        let t = Tenant::aws("000000000000", "us-east-1");
        let balancers = Arc::new(LoadBalancers::new([(
            NLB.to_string(),
            vec!["127.0.0.1:1".to_string(), "127.0.0.1:2".to_string()],
        )]));
        let doc = |arn: &str| json!({"id": "l1", "name": "n", "targetArns": [arn], "createdAt": 0});
        store::write(&*store, &t, |tx| {
            tx.put(kind::VPC_LINK, "", "l1", &doc(NLB))
        })
        .unwrap();
        let links = VpcLinks::new(store.clone(), balancers);
        let first = links.get(&t, "l1").unwrap();
        assert_eq!(first.backends().unwrap().len(), 2);

        // A write that leaves the addresses alone keeps the link (its turn, its health).
        store::write(&*store, &t, |tx| {
            tx.put(kind::VPC_LINK, "", "l1", &doc(NLB))
        })
        .unwrap();
        links.sync();
        assert!(Arc::ptr_eq(&first, &links.get(&t, "l1").unwrap()));

        let unknown = NLB.replace("/n/", "/other/");
        store::write(&*store, &t, |tx| {
            tx.put(kind::VPC_LINK, "", "l1", &doc(&unknown))
        })
        .unwrap();
        links.sync();
        let why = links
            .get(&t, "l1")
            .unwrap()
            .backends()
            .unwrap_err()
            .to_string();
        assert!(why.contains(&unknown), "{why}");

        store::write(&*store, &t, |tx| tx.delete(kind::VPC_LINK, "", "l1")).unwrap();
        links.sync();
        assert!(links.get(&t, "l1").is_none());
    }
}
