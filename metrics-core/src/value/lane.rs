//! Per-thread lanes for the hottest series (histograms and `ShardedCounterValue`).
//!
//! A sharded series keeps one cache-line pair per lane; every sharded series of the process has
//! the same lanes ([`layout`]), fixed at first use from the machine's parallelism:
//! - **owned lanes**, one per CPU up to [`MAX_OWNED`]: each is written by one thread only, with a
//!   plain load and store instead of a locked read-modify-write;
//! - **shared lanes**, a quarter as many (at least one, at most [`MAX_SHARED`]): every other
//!   thread is striped over them and adds atomically.
//!
//! A thread starts on a shared lane and asks for an owned one after [`PROMOTE_AFTER`] updates,
//! so lanes go to the threads that update most (workers), not to whichever touched a histogram
//! first (`main`, start-up code, collectors). A thread gives its owned lane back when it exits.
//! Reading sums the lanes.

use std::cell::Cell;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Mutex, OnceLock, PoisonError};

/// Most owned lanes. A lane of a histogram with up to 14 buckets is one 128-byte line, so such a
/// series takes at most `(MAX_OWNED + MAX_SHARED) * 128` bytes = 3 KiB (on a machine of 32
/// CPUs or more; 384 bytes on 2).
pub const MAX_OWNED: usize = 16;
/// Most shared lanes.
pub const MAX_SHARED: usize = 8;
/// Updates a thread makes on a shared lane before it asks for an owned one.
pub const PROMOTE_AFTER: u32 = 1024;

/// The lanes of every sharded series in this process.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// Lanes `0..owned`, each written by one thread.
    pub owned: usize,
    /// Lanes `owned..owned + shared`, striped over every other thread.
    pub shared: usize,
}

impl Layout {
    /// For a machine running `cpus` threads at once.
    pub fn for_cpus(cpus: usize) -> Layout {
        let owned = cpus.clamp(1, MAX_OWNED);
        Layout {
            owned,
            shared: (cpus / 4).clamp(1, MAX_SHARED),
        }
    }

    /// Lanes in all.
    pub fn lanes(self) -> usize {
        self.owned + self.shared
    }
}

/// This process's lanes, from [`std::thread::available_parallelism`].
pub fn layout() -> Layout {
    static LAYOUT: OnceLock<Layout> = OnceLock::new();
    *LAYOUT.get_or_init(|| {
        Layout::for_cpus(std::thread::available_parallelism().map_or(1, |n| n.get()))
    })
}

/// Owned lane numbers given back by exited threads, reused smallest first.
static RETURNED: Mutex<BinaryHeap<Reverse<usize>>> = Mutex::new(BinaryHeap::new());
static NEXT_OWNED: AtomicUsize = AtomicUsize::new(0);
/// Stripes threads over the shared lanes.
static NEXT_STRIPE: AtomicUsize = AtomicUsize::new(0);

/// Not assigned yet (without the `OWNED` bit, so the owned check comes first on the hot path).
const UNSET: usize = usize::MAX >> 1;
/// Marks an owned lane in `LANE`.
const OWNED: usize = 1 << (usize::BITS - 1);

thread_local! {
    // No destructor, so reading it needs no initialisation check: this is the hot-path read.
    static LANE: Cell<usize> = const { Cell::new(UNSET) };
    // Updates on a shared lane so far (counts to `PROMOTE_AFTER`).
    static SHARED_UPDATES: Cell<u32> = const { Cell::new(0) };
    // Registered only when an owned lane is taken; its destructor gives it back.
    static GIVE_BACK: GiveBack = const { GiveBack };
}

struct GiveBack;

impl Drop for GiveBack {
    fn drop(&mut self) {
        let lane = LANE.with(|c| c.replace(shared_lane()));
        if lane & OWNED != 0 {
            // The mutex orders this thread's last plain stores before the next owner's loads.
            RETURNED
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(Reverse(lane & !OWNED));
        }
    }
}

/// A shared lane, the next in turn.
fn shared_lane() -> usize {
    let l = layout();
    l.owned + NEXT_STRIPE.fetch_add(1, Relaxed) % l.shared
}

/// Takes an owned lane for this thread if one is free.
#[cold]
#[inline(never)]
fn promote() {
    // Without a destructor slot (thread teardown) the lane could not be given back: stay.
    if GIVE_BACK.try_with(|_| ()).is_err() {
        return;
    }
    let mut returned = RETURNED.lock().unwrap_or_else(PoisonError::into_inner);
    let lane = match returned.pop() {
        Some(Reverse(n)) => Some(n),
        None => NEXT_OWNED
            .fetch_update(Relaxed, Relaxed, |n| (n < layout().owned).then_some(n + 1))
            .ok(),
    };
    if let Some(n) = lane {
        LANE.with(|c| c.set(n | OWNED));
    }
}

#[cold]
#[inline(never)]
fn first_lane() -> usize {
    let lane = shared_lane();
    LANE.with(|c| c.set(lane));
    lane
}

/// The lane this thread writes, and whether it is the lane's only writer.
#[derive(Debug, Clone, Copy)]
pub(super) struct Lane {
    pub(super) index: usize,
    pub(super) owned: bool,
}

impl Lane {
    /// This thread's lane.
    #[inline]
    pub(super) fn of_thread() -> Lane {
        let mut lane = LANE.with(Cell::get);
        if lane & OWNED != 0 {
            return Lane {
                index: lane & !OWNED,
                owned: true,
            };
        }
        if lane == UNSET {
            lane = first_lane();
        }
        let updates = SHARED_UPDATES.with(|c| {
            let n = c.get().wrapping_add(1);
            c.set(n);
            n
        });
        if updates.is_multiple_of(PROMOTE_AFTER) {
            promote();
        }
        Lane {
            index: lane,
            owned: false,
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

/// Cells per [`Line`].
const CELLS_PER_LINE: usize = 16;

/// A 128-byte line pair of cells (the pair also defeats adjacent-line prefetch sharing); the
/// allocator aligns it, so lanes never share a line.
#[derive(Debug, Default)]
#[repr(align(128))]
struct Line([AtomicU64; CELLS_PER_LINE]);

/// `cells` atomic cells per lane, each lane on lines of its own.
#[derive(Debug)]
pub(super) struct Lanes {
    lines: Box<[Line]>,
    lines_per_lane: usize,
    lanes: usize,
}

impl Lanes {
    pub(super) fn new(cells: usize) -> Self {
        let lines_per_lane = cells.div_ceil(CELLS_PER_LINE).max(1);
        let lanes = layout().lanes();
        Self {
            lines: (0..lanes * lines_per_lane)
                .map(|_| Line::default())
                .collect(),
            lines_per_lane,
            lanes,
        }
    }

    /// Cell `i` of lane `lane`.
    #[inline(always)]
    pub(super) fn cell(&self, lane: usize, i: usize) -> Option<&AtomicU64> {
        let line = self
            .lines
            .get(lane * self.lines_per_lane + i / CELLS_PER_LINE)?;
        line.0.get(i % CELLS_PER_LINE)
    }

    /// Cell `i` summed over the lanes, saturating.
    pub(super) fn sum_u64(&self, i: usize) -> u64 {
        self.each(i)
            .fold(0u64, |acc, c| acc.saturating_add(c.load(Relaxed)))
    }

    /// Cell `i`, read as `f64` bits, summed over the lanes.
    pub(super) fn sum_f64(&self, i: usize) -> f64 {
        self.each(i).map(|c| f64::from_bits(c.load(Relaxed))).sum()
    }

    fn each(&self, i: usize) -> impl Iterator<Item = &AtomicU64> {
        (0..self.lanes).filter_map(move |lane| self.cell(lane, i))
    }

    /// A lane any thread may add to atomically: where taken-back values go.
    pub(super) fn shared_lane(&self) -> usize {
        layout().owned
    }

    /// Zeroes every cell.
    pub(super) fn clear(&self) {
        for c in self.lines.iter().flat_map(|l| &l.0) {
            c.store(0, Relaxed);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{HistogramValue, Series, ShardedCounterValue};
    use crate::{FamilyDesc, Kind};

    /// The most threads adding to one shared lane when `threads` threads keep updating on a
    /// machine of `cpus` CPUs, once the busiest have owned lanes (the design notes' model).
    fn busiest_shared_lane(cpus: usize, threads: usize) -> usize {
        let l = Layout::for_cpus(cpus);
        threads.saturating_sub(l.owned).div_ceil(l.shared)
    }

    #[test]
    fn the_layout_follows_the_machine_within_bounds() {
        let lanes = |cpus| {
            let l = Layout::for_cpus(cpus);
            (l.owned, l.shared)
        };
        assert_eq!(lanes(1), (1, 1));
        assert_eq!(lanes(2), (2, 1));
        assert_eq!(lanes(16), (16, 4));
        assert_eq!(lanes(32), (16, 8));
        assert_eq!(lanes(256), (MAX_OWNED, MAX_SHARED));
        assert_eq!(busiest_shared_lane(16, 16), 0);
        assert_eq!(busiest_shared_lane(32, 32), 2);
        assert_eq!(busiest_shared_lane(64, 64), 6);
    }

    #[test]
    fn new_threads_are_striped_and_busy_ones_promoted() {
        let l = layout();
        let threads = l.owned + 2;
        // Every thread stays alive until all have their lanes, so two owners would be live at once.
        let all_placed = std::sync::Barrier::new(threads);
        // Threads of this test that own a lane.
        let promoted = AtomicUsize::new(0);
        // Other tests' busy threads hold owned lanes until they exit: keep asking, until one
        // of this test's threads has one (or a bound far past any other test's length).
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let lanes: Vec<(Lane, Lane)> = std::thread::scope(|s| {
            let threads: Vec<_> = (0..threads)
                .map(|_| {
                    s.spawn(|| {
                        let first = Lane::of_thread();
                        let mut last = first;
                        for round in 0u64.. {
                            last = Lane::of_thread();
                            if last.owned {
                                promoted.fetch_add(1, Relaxed);
                                break;
                            }
                            let tried = round >= 4 * u64::from(PROMOTE_AFTER);
                            if tried && promoted.load(Relaxed) > 0
                                || std::time::Instant::now() > deadline
                            {
                                break;
                            }
                            if round % u64::from(PROMOTE_AFTER) == 0 {
                                std::thread::yield_now();
                            }
                        }
                        all_placed.wait();
                        (first, last)
                    })
                })
                .collect();
            threads.into_iter().filter_map(|t| t.join().ok()).collect()
        });
        for (first, _) in &lanes {
            assert!(!first.owned, "a thread starts on a shared lane");
            assert!((l.owned..l.lanes()).contains(&first.index));
        }
        let mut owners: Vec<usize> = lanes
            .iter()
            .filter(|(_, last)| last.owned)
            .map(|(_, last)| last.index)
            .collect();
        assert!(!owners.is_empty(), "busy threads take the owned lanes");
        owners.sort_unstable();
        let n = owners.len();
        owners.dedup();
        assert_eq!(owners.len(), n, "an owned lane has one writer at a time");
        assert!(owners.iter().all(|&i| i < l.owned));
    }

    #[test]
    fn more_threads_than_lanes_lose_nothing() {
        static D: FamilyDesc = FamilyDesc {
            name: "t_seconds",
            kind: Kind::Histogram,
            help: "h",
            unit: None,
            labels: &[],
            buckets: Some(&[0.5, 1.0]),
            native: None,
            summary: None,
            max_series: None,
            idle_timeout: None,
            note: None,
        };
        let h = HistogramValue::new(&D);
        let c = ShardedCounterValue::default();
        let threads = 3 * layout().lanes();
        std::thread::scope(|s| {
            for t in 0..threads {
                let (h, c) = (&h, &c);
                s.spawn(move || {
                    for i in 0..5_000u64 {
                        h.observe(if (i + t as u64).is_multiple_of(2) {
                            0.25
                        } else {
                            1.0
                        });
                        c.inc();
                    }
                });
            }
        });
        let n = threads as u64 * 5_000;
        assert_eq!(h.count(), n);
        assert_eq!(c.get(), n);
        assert_eq!(h.sum(), n as f64 / 2.0 * 1.25);
    }
}
