//! An opt-in counter split across cache lines, for the hottest families under contention.
//!
//! Each thread adds to one of [`SHARDS`] padded atomics (chosen once per thread), so threads on
//! different cores stop bouncing one cache line; reading sums the shards. It costs
//! `SHARDS * 128` bytes per series, so use it only where many threads hit the same series.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};

/// Number of shards per series.
pub const SHARDS: usize = 8;

/// One atomic alone on its cache line pair (128 bytes covers adjacent-line prefetching).
#[derive(Debug, Default)]
#[repr(align(128))]
struct Padded(AtomicU64);

static NEXT_THREAD: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    // Const-initialised (no lazy-init check on access); `usize::MAX` means not numbered yet.
    static THREAD_INDEX: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// A small number fixed per thread (threads numbered in first-use order), for picking shards.
#[inline]
pub(crate) fn thread_index() -> usize {
    THREAD_INDEX
        .try_with(|i| {
            let v = i.get();
            if v != usize::MAX {
                return v;
            }
            let v = NEXT_THREAD.fetch_add(1, Relaxed);
            i.set(v);
            v
        })
        .unwrap_or(0)
}

/// A counter series sharded per thread. Declare the field as [`ShardedCounter`](crate::ShardedCounter).
#[derive(Debug, Default)]
pub struct ShardedCounterValue {
    shards: [Padded; SHARDS],
}

impl ShardedCounterValue {
    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.inc_by(1);
    }

    /// Adds `n`.
    #[inline]
    pub fn inc_by(&self, n: u64) {
        if let Some(p) = self.shards.get(thread_index() % SHARDS) {
            p.0.fetch_add(n, Relaxed);
        }
    }

    /// The current value: the sum of the shards.
    pub fn get(&self) -> u64 {
        self.shards
            .iter()
            .map(|p| p.0.load(Relaxed))
            .fold(0u64, u64::wrapping_add)
    }
}

crate::value::integer_counter_series!(ShardedCounterValue);
