//! `MemorySize`, enforced: one task on the host's runtime measures the resident memory of every
//! environment that is running an invocation, each `MEMORY_POLL`, and tells the invocation of
//! one that passed its limit (AWS's kernel would have killed it: a cgroup's OOM kill).
//!
//! Why one task for all environments, and not a timer in each invocation: a warm invocation
//! takes well under a millisecond, and a timer of its own was a timer-wheel entry made and torn
//! down on the serving thread every time, for a measurement that almost never ran. An
//! invocation now only flips a flag; the watcher sleeps while no environment is busy.

use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use tokio::sync::Notify;

/// How often the memory of busy environments is measured. An invocation shorter than this may
/// never be measured; the peak (VmHWM) read after every invocation catches what it passed.
const MEMORY_POLL: Duration = Duration::from_millis(10);

/// The watcher of all of a host's environments.
#[derive(Default)]
pub(crate) struct MemoryWatch {
    watched: Mutex<Vec<Weak<Watched>>>,
    /// The watcher sleeps until some environment is busy; set while it does.
    parked: AtomicBool,
    wake: Notify,
}

/// One environment's process, as the watcher sees it.
pub(crate) struct Watched {
    pid: u32,
    /// Its `MemorySize`, in bytes: the resident memory its processes may use.
    limit: u64,
    busy: AtomicBool,
    over: AtomicBool,
    told: Notify,
}

impl MemoryWatch {
    /// Start watching `pid`; the environment holds the returned handle (watching ends with it).
    pub fn watch(&self, pid: u32, limit: u64) -> Arc<Watched> {
        let w = Arc::new(Watched {
            pid,
            limit,
            busy: AtomicBool::new(false),
            over: AtomicBool::new(false),
            told: Notify::new(),
        });
        let mut all = self.watched.lock().expect("memory watch lock");
        all.retain(|w| w.strong_count() > 0);
        all.push(Arc::downgrade(&w));
        w
    }

    /// The watcher: runs for the host's life on the host's runtime.
    pub async fn run(self: Arc<Self>) {
        loop {
            // Sleep while nothing runs. `parked` is set before the busy flags are read, and an
            // invocation sets its flag before it reads `parked`: one of the two sees the other.
            loop {
                self.parked.store(true, SeqCst);
                if self.any_busy() {
                    self.parked.store(false, SeqCst);
                    break;
                }
                // `notify_one` keeps a permit when nobody waits yet: no wake is lost.
                self.wake.notified().await;
            }
            tokio::time::sleep(MEMORY_POLL).await;
            for w in self.busy() {
                if !w.over.load(SeqCst) && tree_rss(w.pid) > w.limit {
                    w.over.store(true, SeqCst);
                    w.told.notify_waiters();
                }
            }
        }
    }

    fn any_busy(&self) -> bool {
        let all = self.watched.lock().expect("memory watch lock");
        all.iter()
            .filter_map(Weak::upgrade)
            .any(|w| w.busy.load(SeqCst))
    }

    fn busy(&self) -> Vec<Arc<Watched>> {
        let all = self.watched.lock().expect("memory watch lock");
        all.iter()
            .filter_map(Weak::upgrade)
            .filter(|w| w.busy.load(SeqCst))
            .collect()
    }
}

impl Watched {
    /// Mark the environment busy for as long as the guard lives, waking the watcher if it sleeps.
    pub fn busy(self: &Arc<Self>, watch: &MemoryWatch) -> Busy {
        self.busy.store(true, SeqCst);
        if watch.parked.load(SeqCst) && watch.parked.swap(false, SeqCst) {
            watch.wake.notify_one();
        }
        Busy(self.clone())
    }

    /// Resolves once the watcher has found the environment over its limit.
    pub async fn over_limit(&self) {
        loop {
            let told = self.told.notified();
            tokio::pin!(told);
            // Registered before the flag is read: a notice sent in between is not lost.
            told.as_mut().enable();
            if self.over.load(SeqCst) {
                return;
            }
            told.await;
        }
    }
}

/// An environment's busy mark; cleared on drop.
pub(crate) struct Busy(Arc<Watched>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.store(false, SeqCst);
    }
}

/// Resident bytes of `pid` and its descendants (`/proc/PID/task/PID/children`, recursively).
fn tree_rss(pid: u32) -> u64 {
    let mut total = 0;
    let mut todo = vec![pid];
    let mut seen = 0;
    while let Some(p) = todo.pop() {
        seen += 1;
        if seen > 256 {
            break;
        }
        total += rss_of(p);
        if let Ok(kids) = std::fs::read_to_string(format!("/proc/{p}/task/{p}/children")) {
            todo.extend(
                kids.split_whitespace()
                    .filter_map(|k| k.parse::<u32>().ok()),
            );
        }
    }
    total
}

/// `VmRSS` of one process, in bytes (0 when it is gone).
fn rss_of(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}
