//! The free-form series index: hash -> arena index, read without locks.
//!
//! Open addressing over atomic slots. Readers never write shared memory, so threads looking up
//! series from different cores do not bounce a lock's cache line. Writers take a mutex, insert
//! into the current table, and when it fills up build a table twice the size and publish it.
//! Entries are never removed, so every table is a subset of the next; old tables are kept
//! (together at most the size of the current one) because a reader may still be probing one.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use parking_lot::Mutex;

/// Low bits of a slot: arena index + 1 (0 marks an empty slot).
const INDEX_BITS: u32 = 40;
const INDEX_MASK: u64 = (1 << INDEX_BITS) - 1;
/// Slots in a shard's first table.
const FIRST_CAPACITY: usize = 8;
/// No table is current yet: nothing inserted.
const NONE: usize = usize::MAX;

/// One table: `capacity` slots, each `(hash tag << 40) | (arena index + 1)`.
#[derive(Debug)]
struct Table {
    slots: Box<[AtomicU64]>,
}

impl Table {
    fn with_capacity(capacity: usize) -> Self {
        Self {
            slots: (0..capacity).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    /// The arena index of the first slot with this hash's tag that `eq` accepts.
    #[inline]
    fn find(&self, hash: u64, eq: impl Fn(usize) -> bool) -> Option<usize> {
        let mask = self.slots.len().wrapping_sub(1);
        let tag = hash >> INDEX_BITS;
        let mut i = hash as usize & mask;
        // At most one pass: the table is never full, so an empty slot ends every probe.
        for _ in 0..self.slots.len() {
            let slot = self.slots.get(i)?.load(Ordering::Acquire);
            if slot == 0 {
                return None;
            }
            let index = (slot & INDEX_MASK).wrapping_sub(1) as usize;
            if slot >> INDEX_BITS == tag && eq(index) {
                return Some(index);
            }
            i = (i + 1) & mask;
        }
        None
    }

    /// Puts `index` in the first empty slot of this hash's probe sequence (writers only).
    fn insert(&self, hash: u64, index: usize) {
        let mask = self.slots.len().wrapping_sub(1);
        let slot = (hash >> INDEX_BITS << INDEX_BITS) | ((index as u64 + 1) & INDEX_MASK);
        let mut i = hash as usize & mask;
        for _ in 0..self.slots.len() {
            if let Some(s) = self.slots.get(i) {
                if s.load(Ordering::Relaxed) == 0 {
                    // Release: a reader that sees the slot also sees the arena entry it names.
                    s.store(slot, Ordering::Release);
                    return;
                }
            }
            i = (i + 1) & mask;
        }
    }

    fn indices(&self) -> impl Iterator<Item = usize> + '_ {
        self.slots
            .iter()
            .map(|s| s.load(Ordering::Relaxed))
            .filter(|&s| s != 0)
            .map(|s| (s & INDEX_MASK).wrapping_sub(1) as usize)
    }
}

/// What [`Index::find_or_insert`] did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Found {
    /// Already present (another thread may have inserted it meanwhile).
    Existing(usize),
    /// Inserted the index `make` returned.
    Inserted(usize),
    /// `make` declined (the series budget is spent).
    Refused,
}

/// One shard of the index.
#[derive(Debug)]
pub(crate) struct Index {
    tables: boxcar::Vec<Table>,
    current: AtomicUsize,
    /// Entries in the current table; held while inserting or growing.
    writer: Mutex<usize>,
}

impl Index {
    pub(crate) fn new() -> Self {
        Self {
            tables: boxcar::Vec::new(),
            current: AtomicUsize::new(NONE),
            writer: Mutex::new(0),
        }
    }

    /// Lock-free lookup.
    #[inline]
    pub(crate) fn find(&self, hash: u64, eq: impl Fn(usize) -> bool) -> Option<usize> {
        self.tables
            .get(self.current.load(Ordering::Acquire))?
            .find(hash, eq)
    }

    /// Finds the entry, or inserts the arena index `make` returns. `rehash` gives the hash of an
    /// index already inserted (used when the table grows).
    pub(crate) fn find_or_insert(
        &self,
        hash: u64,
        eq: impl Fn(usize) -> bool,
        make: impl FnOnce() -> Option<usize>,
        rehash: impl Fn(usize) -> u64,
    ) -> Found {
        let mut len = self.writer.lock();
        if let Some(i) = self.find(hash, &eq) {
            return Found::Existing(i);
        }
        let Some(index) = make() else {
            return Found::Refused;
        };
        let current = self.tables.get(self.current.load(Ordering::Relaxed));
        let capacity = current.map_or(0, |t| t.slots.len());
        // Keep at most 3/4 full so probes stay short and always meet an empty slot.
        let table = match current {
            Some(t) if (*len + 1) * 4 <= capacity * 3 => t,
            _ => {
                let bigger = Table::with_capacity((capacity * 2).max(FIRST_CAPACITY));
                for i in current.iter().flat_map(|t| t.indices()) {
                    bigger.insert(rehash(i), i);
                }
                let at = self.tables.push(bigger);
                // Readers of the old table that miss come here and find the entry under the lock.
                self.current.store(at, Ordering::Release);
                &self.tables[at]
            }
        };
        table.insert(hash, index);
        *len += 1;
        Found::Inserted(index)
    }
}
