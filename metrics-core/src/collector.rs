//! Scrape-time collectors: values that live elsewhere (a queue length, a pool size, a file's
//! age, the process's own statistics) read when the exposition is encoded.
//!
//! A collector is a derived metrics struct plus a function that fills it in
//! ([`Registry::register_collector`](crate::Registry::register_collector)). Each runs on a
//! worker thread of its own, so a slow or stuck one cannot stall a scrape: the scrape waits at
//! most the registry's [`collect_timeout`](crate::RegistryBuilder::collect_timeout) for all of
//! them together, leaves out the families of any that did not finish or failed, and counts
//! that in [`COLLECTOR_SKIPS_FAMILY`]. Scrapes that arrive while a collection is running share
//! its result instead of queueing another.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

use crate::value::saturating_add;

/// Why a collector's families were left out of a scrape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Skip {
    /// It did not finish within the collect timeout.
    Timeout,
    /// It returned an error or panicked.
    Error,
}

impl Skip {
    pub(crate) const ALL: [Skip; 2] = [Skip::Timeout, Skip::Error];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Skip::Timeout => "timeout",
            Skip::Error => "error",
        }
    }
}

/// What a collector function returns on failure: any error, reported by message.
pub type CollectError = Box<dyn std::error::Error + Send + Sync>;

type Job = Box<dyn Fn() -> Result<(), CollectError> + Send + Sync>;

struct State {
    /// Collections asked for, and finished; a collection runs while they differ.
    requested: u64,
    finished: u64,
    /// Outcome of the last finished collection: `None` when it succeeded.
    failure: Option<String>,
    /// The collector was unregistered: the worker exits.
    closed: bool,
}

struct Shared {
    name: String,
    job: Job,
    state: Mutex<State>,
    changed: Condvar,
    skips: [AtomicU64; Skip::ALL.len()],
    /// The message of the last failure, for whoever wants to log it.
    last_error: Mutex<Option<String>>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic is caught around the job, never while the lock is held: poison is harmless.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One registered collector and its worker thread, which exits when this is dropped.
pub(crate) struct Worker {
    shared: Arc<Shared>,
}

impl fmt::Debug for Worker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Worker")
            .field("name", &self.shared.name)
            .finish()
    }
}

/// A collection asked of one worker by one scrape.
pub(crate) struct Pending {
    target: u64,
}

impl Worker {
    /// Starts the worker thread of collector `name`.
    pub(crate) fn spawn(name: String, job: Job) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            name,
            job,
            state: Mutex::new(State {
                requested: 0,
                finished: 0,
                failure: None,
                closed: false,
            }),
            changed: Condvar::new(),
            skips: Default::default(),
            last_error: Mutex::new(None),
        });
        let worker = shared.clone();
        std::thread::Builder::new()
            .name(format!("promdecl-collect-{}", shared.name))
            .spawn(move || run(&worker))?;
        Ok(Self { shared })
    }

    pub(crate) fn name(&self) -> &str {
        &self.shared.name
    }

    /// Asks for a collection, or joins the one already running.
    pub(crate) fn request(&self) -> Pending {
        let mut st = self.shared.lock();
        if st.requested == st.finished {
            st.requested += 1;
            self.shared.changed.notify_all();
        }
        Pending {
            target: st.requested,
        }
    }

    /// Waits until `pending` finished or `deadline`; `Err` says why its families are skipped,
    /// counted here.
    pub(crate) fn wait(&self, pending: Pending, deadline: Instant) -> Result<(), Skip> {
        let mut st = self.shared.lock();
        let outcome = loop {
            if st.finished >= pending.target {
                break match &st.failure {
                    None => Ok(()),
                    Some(_) => Err(Skip::Error),
                };
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break Err(Skip::Timeout);
            }
            st = match self.shared.changed.wait_timeout(st, left) {
                Ok((st, _)) => st,
                Err(e) => e.into_inner().0,
            };
        };
        if let Err(skip) = outcome {
            saturating_add(&self.shared.skips[skip as usize], 1);
        }
        outcome
    }

    /// Scrapes skipped for `reason` so far.
    pub(crate) fn skipped(&self, reason: Skip) -> u64 {
        self.shared.skips[reason as usize].load(Relaxed)
    }

    /// The message of the last failed collection, if any failed.
    pub(crate) fn last_error(&self) -> Option<String> {
        self.shared
            .last_error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.changed.notify_all();
    }
}

/// The worker thread: one collection per request, until closed.
fn run(shared: &Shared) {
    loop {
        let target = {
            let mut st = shared.lock();
            while st.requested == st.finished && !st.closed {
                st = shared.changed.wait(st).unwrap_or_else(|e| e.into_inner());
            }
            if st.closed {
                return;
            }
            st.requested
        };
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (shared.job)()));
        let failure = match outcome {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e.to_string()),
            Err(panic) => Some(match panic.downcast_ref::<&str>() {
                Some(msg) => format!("panicked: {msg}"),
                None => match panic.downcast_ref::<String>() {
                    Some(msg) => format!("panicked: {msg}"),
                    None => "panicked".to_string(),
                },
            }),
        };
        if let Some(msg) = &failure {
            *shared.last_error.lock().unwrap_or_else(|e| e.into_inner()) =
                Some(format!("collector `{}`: {msg}", shared.name));
        }
        let mut st = shared.lock();
        st.finished = target;
        st.failure = failure;
        shared.changed.notify_all();
    }
}
