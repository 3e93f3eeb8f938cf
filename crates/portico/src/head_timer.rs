//! The timer behind `header_read_timeout`: hyper arms one for every request head it reads, so
//! its cost is paid per request.
//!
//! hyper's stock choice (`hyper_util::rt::TokioTimer`) puts a tokio `Sleep` in the runtime's
//! timer wheel for each head and takes it out again when the head has arrived: measured at
//! ~1,300 instructions a request (8% of a keep-alive health check, 5% of a proxied request;
//! bench/HISTORY.md, 2026-12-07). Every deadline here is "now + one fixed timeout" and only
//! has to be honoured to within a fraction of a second, so a coarse clock does: each worker
//! thread keeps a list of waiting heads and one ticker task that, every [`TICK`], reads the
//! clock once and wakes the heads whose deadline has passed. A head costs a small allocation
//! (hyper boxes whatever a timer returns), one clock read and, when it has to wait, a slot in
//! that list.
//!
//! Deadlines are exact (`now()` reads the clock) and are only ever seen as passed once the
//! ticker's clock has passed them: a head is never cut early, and at most one [`TICK`] late.
//! A connection stays on its worker (ARCHITECTURE.md), so a head's slot is always in the list
//! of the thread that polls and drops it; a slot is checked by generation anyway, so a sleep
//! dropped elsewhere can never free another thread's slot.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use hyper::rt::{Sleep, Timer};

/// How often a worker's ticker looks at the clock.
pub const TICK: Duration = Duration::from_millis(100);

/// hyper's `Timer`: the same value on every worker; the state is per thread.
#[derive(Clone, Copy, Debug, Default)]
pub struct HeadTimer;

struct Waiting {
    generation: u64,
    deadline: Instant,
    waker: Waker,
}

#[derive(Default)]
struct Heads {
    slots: Vec<Option<Waiting>>,
    free: Vec<usize>,
    next_generation: u64,
    ticker: bool,
}

thread_local! {
    /// The ticker's last clock reading (the coarse clock of this worker).
    static NOW: Cell<Option<Instant>> = const { Cell::new(None) };
    static HEADS: RefCell<Heads> = RefCell::new(Heads::default());
}

fn coarse_now() -> Instant {
    NOW.with(|n| match n.get() {
        Some(t) => t,
        None => {
            let t = Instant::now();
            n.set(Some(t));
            t
        }
    })
}

/// Start this thread's ticker, once. Called from a task, so a runtime is there to spawn on.
fn ensure_ticker() {
    let start = HEADS.with(|h| !std::mem::replace(&mut h.borrow_mut().ticker, true));
    if start {
        tokio::spawn(ticker());
    }
}

/// Wake every head whose deadline has passed, [`TICK`] after [`TICK`], for the life of the
/// worker's runtime.
async fn ticker() {
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let now = Instant::now();
        NOW.with(|n| n.set(Some(now)));
        HEADS.with(|h| {
            for w in h.borrow().slots.iter().flatten() {
                if w.deadline <= now {
                    w.waker.wake_by_ref();
                }
            }
        });
    }
}

/// One head's deadline.
struct HeadSleep {
    deadline: Instant,
    /// Its slot in this thread's list and the slot's generation, once it has waited.
    slot: Option<(usize, u64)>,
}

impl Sleep for HeadSleep {}

impl Future for HeadSleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if coarse_now() >= self.deadline {
            return Poll::Ready(());
        }
        let deadline = self.deadline;
        let slot = self.slot;
        self.slot = Some(HEADS.with(|h| {
            let mut h = h.borrow_mut();
            if let Some((i, generation)) = slot {
                if let Some(Some(w)) = h.slots.get_mut(i) {
                    if w.generation == generation {
                        if !w.waker.will_wake(cx.waker()) {
                            w.waker = cx.waker().clone();
                        }
                        return (i, generation);
                    }
                }
            }
            h.next_generation += 1;
            let generation = h.next_generation;
            let waiting = Some(Waiting {
                generation,
                deadline,
                waker: cx.waker().clone(),
            });
            let i = match h.free.pop() {
                Some(i) => {
                    h.slots[i] = waiting;
                    i
                }
                None => {
                    h.slots.push(waiting);
                    h.slots.len() - 1
                }
            };
            (i, generation)
        }));
        ensure_ticker();
        Poll::Pending
    }
}

impl Drop for HeadSleep {
    fn drop(&mut self) {
        let Some((i, generation)) = self.slot else {
            return;
        };
        // `try_with`: a sleep dropped while its thread's locals are torn down has no list.
        let _ = HEADS.try_with(|h| {
            let mut h = h.borrow_mut();
            if matches!(h.slots.get(i), Some(Some(w)) if w.generation == generation) {
                h.slots[i] = None;
                h.free.push(i);
            }
        });
    }
}

impl Timer for HeadTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
        self.sleep_until(Instant::now() + duration)
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Sleep>> {
        Box::pin(HeadSleep {
            deadline,
            slot: None,
        })
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn Sleep>>, new_deadline: Instant) {
        match sleep.as_mut().downcast_mut_pin::<HeadSleep>() {
            // Keeps its slot; the ticker reads the new deadline.
            Some(mut s) => {
                s.deadline = new_deadline;
                let slot = s.slot;
                if let Some((i, generation)) = slot {
                    HEADS.with(|h| {
                        if let Some(Some(w)) = h.borrow_mut().slots.get_mut(i) {
                            if w.generation == generation {
                                w.deadline = new_deadline;
                            }
                        }
                    });
                }
            }
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn a_head_is_cut_after_its_deadline_never_before() {
        runtime().block_on(async {
            let timeout = Duration::from_millis(300);
            let start = Instant::now();
            HeadTimer.sleep(timeout).await;
            let took = start.elapsed();
            assert!(took >= timeout, "{took:?}");
            assert!(took <= timeout + 3 * TICK, "{took:?}");
        });
    }

    #[test]
    fn a_head_that_arrives_frees_its_slot() {
        runtime().block_on(async {
            let mut sleep = HeadTimer.sleep(Duration::from_secs(60));
            // Polled once (the head is not there yet): it takes a slot.
            let waker = futures_waker();
            let mut cx = Context::from_waker(&waker);
            assert!(sleep.as_mut().poll(&mut cx).is_pending());
            let taken = HEADS.with(|h| h.borrow().slots.iter().flatten().count());
            drop(sleep);
            let left = HEADS.with(|h| h.borrow().slots.iter().flatten().count());
            assert_eq!((taken, left), (1, 0));
        });
    }

    #[test]
    fn reset_moves_the_deadline_in_place() {
        runtime().block_on(async {
            let mut sleep = HeadTimer.sleep(Duration::from_secs(60));
            HeadTimer.reset(&mut sleep, Instant::now() + Duration::from_millis(50));
            let start = Instant::now();
            sleep.await;
            assert!(start.elapsed() < Duration::from_secs(5));
        });
    }

    fn futures_waker() -> Waker {
        struct Nothing;
        impl std::task::Wake for Nothing {
            fn wake(self: std::sync::Arc<Self>) {}
        }
        Waker::from(std::sync::Arc::new(Nothing))
    }
}
