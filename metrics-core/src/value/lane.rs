//! Per-thread lanes for the hottest series (histograms and `ShardedCounterValue`).
//!
//! A sharded series keeps `N` lanes on separate cache lines. Each of the first `N - 1` live
//! threads to use any sharded series owns one lane, everywhere: it is that lane's only writer, so
//! it adds with a plain load and store instead of a locked read-modify-write, and threads on
//! different cores never bounce a line. Further threads share the last lane with atomic adds. A
//! thread returns its lane number when it exits, so thread pools that churn threads keep owning.
//! Reading sums the lanes.

use std::cell::Cell;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Mutex, PoisonError};

/// Lane numbers given back by exited threads, reused (smallest first, so owned lanes are
/// preferred) before new ones are issued.
static RETURNED: Mutex<BinaryHeap<Reverse<usize>>> = Mutex::new(BinaryHeap::new());
static NEXT_THREAD: AtomicUsize = AtomicUsize::new(0);

/// Not numbered yet.
const UNSET: usize = usize::MAX;
/// Number given back at thread exit: from then on this thread uses the shared lane.
const RETIRED: usize = usize::MAX - 1;

thread_local! {
    // No destructor, so reading it needs no initialisation check: this is the hot-path read.
    static NUMBER: Cell<usize> = const { Cell::new(UNSET) };
    // Registered only when a number is issued; its destructor gives the number back.
    static GIVE_BACK: GiveBack = const { GiveBack };
}

struct GiveBack;

impl Drop for GiveBack {
    fn drop(&mut self) {
        let n = NUMBER.with(|c| c.replace(RETIRED));
        if n < RETIRED {
            // The mutex orders this thread's last plain stores before the next owner's loads.
            RETURNED
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(Reverse(n));
        }
    }
}

/// A number unique among live threads, small while few threads use sharded series.
#[inline]
fn thread_number() -> usize {
    let n = NUMBER.with(Cell::get);
    if n == UNSET {
        issue_number()
    } else {
        n
    }
}

#[cold]
fn issue_number() -> usize {
    // Without a destructor slot (thread teardown) the number could not be given back: share.
    if GIVE_BACK.try_with(|_| ()).is_err() {
        NUMBER.with(|c| c.set(RETIRED));
        return RETIRED;
    }
    let reused = RETURNED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .pop()
        .map(|Reverse(n)| n);
    let n = reused.unwrap_or_else(|| NEXT_THREAD.fetch_add(1, Relaxed));
    NUMBER.with(|c| c.set(n));
    n
}

/// The lane this thread writes among `lanes`, and whether it is the lane's only writer.
#[derive(Debug, Clone, Copy)]
pub(super) struct Lane {
    pub(super) index: usize,
    pub(super) owned: bool,
}

impl Lane {
    /// This thread's lane in a series of `lanes` lanes (the last one is shared).
    #[inline]
    pub(super) fn of_thread(lanes: usize) -> Lane {
        let shared = lanes.saturating_sub(1);
        let n = thread_number();
        if n < shared {
            Lane {
                index: n,
                owned: true,
            }
        } else {
            Lane {
                index: shared,
                owned: false,
            }
        }
    }

    /// Adds `n` to `cell` of this lane, saturating at `u64::MAX`: no lock prefix when this
    /// thread is its only writer.
    #[inline]
    pub(super) fn add_u64(self, cell: &AtomicU64, n: u64) {
        if self.owned {
            cell.store(cell.load(Relaxed).saturating_add(n), Relaxed);
        } else {
            saturating_add(cell, n);
        }
    }

    /// Adds one to `cell` of this lane: a histogram's bucket, which counts observations one at a
    /// time, so it would take 2^64 of them (centuries at a billion a second) to wrap; no
    /// saturation check on this path.
    #[inline]
    pub(super) fn add_one(self, cell: &AtomicU64) {
        if self.owned {
            cell.store(cell.load(Relaxed).wrapping_add(1), Relaxed);
        } else {
            cell.fetch_add(1, Relaxed);
        }
    }

    /// Adds `v` to the `f64` bits in `cell` of this lane.
    #[inline]
    pub(super) fn add_f64(self, cell: &AtomicU64, v: f64) {
        if self.owned {
            cell.store((f64::from_bits(cell.load(Relaxed)) + v).to_bits(), Relaxed);
        } else {
            add_f64(cell, v);
        }
    }
}

/// Adds `n` to `cell`, saturating at `u64::MAX`, with one plain atomic add.
///
/// A compare-and-swap loop would saturate exactly but costs a loop on every update; instead the
/// add that wraps (it sees a previous value within `n` of the maximum, so never in practice)
/// sets the maximum right after. No increment is lost below the maximum, and once there the
/// value stays: every later add wraps and sets it again. A reader racing that one add may see
/// the wrapped value once.
#[inline]
pub(crate) fn saturating_add(cell: &AtomicU64, n: u64) {
    if cell.fetch_add(n, Relaxed).checked_add(n).is_none() {
        saturate(cell);
    }
}

#[cold]
#[inline(never)]
fn saturate(cell: &AtomicU64) {
    cell.store(u64::MAX, Relaxed);
}

/// Adds `delta` to an `f64` stored as bits; a CAS loop because there is no atomic float add.
#[inline]
pub(super) fn add_f64(cell: &AtomicU64, delta: f64) {
    let mut cur = cell.load(Relaxed);
    loop {
        let next = (f64::from_bits(cur) + delta).to_bits();
        match cell.compare_exchange_weak(cur, next, Relaxed, Relaxed) {
            Ok(_) => return,
            Err(actual) => cur = actual,
        }
    }
}
