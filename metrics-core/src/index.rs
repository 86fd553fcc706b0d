//! The free-form series index: hash -> slot number, read without locks.
//!
//! Open addressing over atomic cells. Readers never write shared memory, so threads looking up
//! series from different cores do not bounce a lock's cache line. Writers take a mutex.
//!
//! A lock-free read may miss an entry that is present (while a writer rebuilds the table), never
//! return one that is not: callers compare the key behind every candidate, and treat a miss as
//! "ask again under the lock" ([`Index::find_or_insert`]). That is what lets removal be simple:
//! a removed entry leaves a tombstone, and when tombstones and entries fill the table it is
//! rebuilt in place, or into a bigger table when the entries alone need one. Tables are only
//! added when the number of live entries grows, so churn (series created and removed forever)
//! keeps memory flat; outgrown tables are kept because a reader may still be probing one.
//!
//! The writer keeps each slot's home (the low bits of its hash, where its probe starts) in
//! one array, so a rebuild reads neither the owner's slots nor their keys.

use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::OnceLock;

use parking_lot::Mutex;

/// Low bits of a cell: slot number + 1 (0 marks an empty cell). The high 8 bits are a tag from
/// the hash, so a probe compares keys of about one in 256 foreign cells.
const INDEX_BITS: u32 = 24;
const INDEX_MASK: u32 = (1 << INDEX_BITS) - 1;
/// Low bits of a tombstone: a removed entry. Probes go on past it.
const TOMBSTONE: u32 = INDEX_MASK;
/// Slots a cell can name: the most series one family holds.
pub(crate) const MAX_SLOTS: usize = INDEX_MASK as usize - 1;
/// Cells in the first table; table `g` has `FIRST_CAPACITY << g`.
const FIRST_CAPACITY: usize = 8;
/// Tables an index can grow through (the last holds 2^33 cells: more than any budget).
const GENERATIONS: usize = 31;
/// No table is current yet: nothing inserted.
const NONE: usize = usize::MAX;

/// One table: `capacity` cells, each `(hash tag << 24) | (slot + 1)`.
#[derive(Debug)]
struct Table {
    cells: Box<[AtomicU32]>,
}

/// The tag of a hash: its top 8 bits (the probe starts from its low bits).
fn tag(hash: u64) -> u32 {
    (hash >> 56) as u32
}

/// Where a hash's probe starts, before the table's mask: its low 32 bits, more than any
/// table's mask keeps (tables stay below 2^26 cells, [`MAX_SLOTS`] at the lowest load).
fn home(hash: u64) -> u32 {
    hash as u32
}

fn cell_value(hash: u64, index: usize) -> u32 {
    (tag(hash) << INDEX_BITS) | ((index as u32).wrapping_add(1) & INDEX_MASK)
}

/// The slot a live cell names; `None` for an empty cell or a tombstone.
fn slot_of(cell: u32) -> Option<usize> {
    match cell & INDEX_MASK {
        0 | TOMBSTONE => None,
        i => Some(i as usize - 1),
    }
}

impl Table {
    fn with_capacity(capacity: usize) -> Self {
        Self {
            cells: (0..capacity).map(|_| AtomicU32::new(0)).collect(),
        }
    }

    /// Walks the probe sequence from `home` up to the first empty cell; `visit` gets each
    /// cell's position and value and stops the walk by returning `Some`.
    #[inline]
    fn probe<T>(&self, home: u32, mut visit: impl FnMut(usize, u32) -> Option<T>) -> Option<T> {
        let mask = self.cells.len().wrapping_sub(1);
        let mut i = home as usize & mask;
        // At most one pass: the table is never full, so an empty cell ends every probe.
        for _ in 0..self.cells.len() {
            let cell = self.cells.get(i)?.load(Ordering::Acquire);
            if cell == 0 {
                return None;
            }
            if let Some(found) = visit(i, cell) {
                return Some(found);
            }
            i = (i + 1) & mask;
        }
        None
    }

    /// The slot of the first live cell with this hash's tag that `eq` accepts.
    #[inline]
    fn find(&self, hash: u64, mut eq: impl FnMut(usize) -> bool) -> Option<usize> {
        let tag = tag(hash);
        self.probe(home(hash), |_, cell| {
            let slot = slot_of(cell)?;
            (cell >> INDEX_BITS == tag && eq(slot)).then_some(slot)
        })
    }

    /// Puts `cell` in the first free cell (empty or tombstone) of the probe sequence from
    /// `home` (writers only, after checking the entry is absent). Returns whether it took a
    /// tombstone.
    fn insert(&self, home: u32, cell: u32) -> bool {
        let mask = self.cells.len().wrapping_sub(1);
        let mut i = home as usize & mask;
        for _ in 0..self.cells.len() {
            if let Some(c) = self.cells.get(i) {
                let old = c.load(Ordering::Relaxed);
                if old == 0 || old & INDEX_MASK == TOMBSTONE {
                    // Release: a reader that sees the cell also sees the slot it names.
                    c.store(cell, Ordering::Release);
                    return old != 0;
                }
            }
            i = (i + 1) & mask;
        }
        false
    }

    /// The live cells.
    fn live(&self) -> impl Iterator<Item = u32> + '_ {
        self.cells
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .filter(|&cell| slot_of(cell).is_some())
    }
}

/// What [`Index::find_or_insert`] did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Found {
    /// Already present (another thread may have inserted it meanwhile).
    Existing(usize),
    /// Inserted the slot `make` returned.
    Inserted(usize),
    /// `make` declined (the series budget is spent).
    Refused,
}

/// Live entries and tombstones of the current table, each slot's home, and the owner's state
/// `W`: what the writer lock guards.
#[derive(Debug, Default)]
struct Writer<W> {
    live: usize,
    tombstones: usize,
    /// [`home`] of the hash each slot was inserted with, by slot number.
    homes: Vec<u32>,
    state: W,
}

impl<W> Writer<W> {
    fn home_of(&self, cell: u32) -> u32 {
        slot_of(cell)
            .and_then(|slot| self.homes.get(slot))
            .copied()
            .unwrap_or(0)
    }
}

/// The index: the current table and the outgrown ones, each at a fixed place (a reader finds
/// the current one with two loads). Its writer lock also guards the owner's state `W` (the
/// free slots, say), so creating an entry takes one lock.
#[derive(Debug)]
pub(crate) struct Index<W = ()> {
    tables: [OnceLock<Table>; GENERATIONS],
    current: AtomicUsize,
    writer: Mutex<Writer<W>>,
}

impl<W: Default> Index<W> {
    pub(crate) fn new() -> Self {
        Self {
            tables: std::array::from_fn(|_| OnceLock::new()),
            current: AtomicUsize::new(NONE),
            writer: Mutex::new(Writer::default()),
        }
    }

    #[inline(always)]
    fn table(&self) -> Option<&Table> {
        self.tables.get(self.current.load(Ordering::Acquire))?.get()
    }

    /// Lock-free lookup; may miss while a writer rebuilds (see the module docs).
    #[inline]
    pub(crate) fn find(&self, hash: u64, eq: impl FnMut(usize) -> bool) -> Option<usize> {
        self.table()?.find(hash, eq)
    }

    /// Finds the entry, or inserts the slot `make` returns (given the owner's state, under the
    /// writer lock).
    pub(crate) fn find_or_insert(
        &self,
        hash: u64,
        mut eq: impl FnMut(usize) -> bool,
        make: impl FnOnce(&mut W) -> Option<usize>,
    ) -> Found {
        let mut writer = self.writer.lock();
        if let Some(i) = self.find(hash, &mut eq) {
            return Found::Existing(i);
        }
        let Some(table) = self.room_for_one(&mut writer) else {
            return Found::Refused;
        };
        let Some(index) = make(&mut writer.state) else {
            return Found::Refused;
        };
        if writer.homes.len() <= index {
            writer.homes.resize(index + 1, 0);
        }
        if let Some(h) = writer.homes.get_mut(index) {
            *h = home(hash);
        }
        if table.insert(home(hash), cell_value(hash, index)) {
            writer.tombstones -= 1;
        }
        writer.live += 1;
        Found::Inserted(index)
    }

    /// Runs `f` on the owner's state under the writer lock.
    pub(crate) fn with_state<R>(&self, f: impl FnOnce(&mut W) -> R) -> R {
        f(&mut self.writer.lock().state)
    }

    /// The current table, rebuilt first if one more entry would fill it over 3/4 with entries
    /// and tombstones (so probes stay short and always meet an empty cell): in place while the
    /// entries fill at most 5/8 of it, into one twice the size otherwise.
    fn room_for_one(&self, writer: &mut Writer<W>) -> Option<&Table> {
        let current = self.table();
        let capacity = current.map_or(0, |t| t.cells.len());
        if let Some(t) = current {
            if (writer.live + writer.tombstones + 1) * 4 <= capacity * 3 {
                return Some(t);
            }
        }
        writer.tombstones = 0;
        // Tombstones fill it: the same table, cleared and refilled (readers meanwhile miss and
        // take the lock). Otherwise the entries do: a bigger one.
        match current {
            Some(t) if (writer.live + 1) * 8 <= capacity * 5 => {
                let live: Vec<u32> = t.live().collect();
                for c in t.cells.iter() {
                    c.store(0, Ordering::Release);
                }
                for cell in live {
                    t.insert(writer.home_of(cell), cell);
                }
                Some(t)
            }
            _ => {
                let next = match self.current.load(Ordering::Relaxed) {
                    NONE => 0,
                    g => g + 1,
                };
                let bigger = Table::with_capacity(FIRST_CAPACITY << next);
                for cell in current.iter().flat_map(|t| t.live()) {
                    bigger.insert(writer.home_of(cell), cell);
                }
                // No budget comes near the last generation; past it, nothing more is inserted.
                let table = self.tables.get(next)?.get_or_init(|| bigger);
                // Readers of the old table that miss come here and find the entry under the lock.
                self.current.store(next, Ordering::Release);
                Some(table)
            }
        }
    }

    /// Removes the entry naming `slot`, if present, then runs `removed` on the owner's state;
    /// returns whether it was present. Taking the writer lock makes two removers of one entry
    /// agree on which of them removed it.
    pub(crate) fn remove(&self, slot: usize, removed: impl FnOnce(&mut W)) -> bool {
        let mut writer = self.writer.lock();
        let (Some(table), Some(&home)) = (self.table(), writer.homes.get(slot)) else {
            return false;
        };
        // A slot is named by at most one live cell: its number alone finds it.
        let at = table.probe(home, |at, cell| (slot_of(cell) == Some(slot)).then_some(at));
        let Some(cell) = at.and_then(|at| table.cells.get(at)) else {
            return false;
        };
        cell.store(TOMBSTONE, Ordering::Release);
        writer.live -= 1;
        writer.tombstones += 1;
        removed(&mut writer.state);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn churn_reuses_the_table() {
        let index = Index::<usize>::new();
        let hash = |i: usize| (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        for round in 0..1000 {
            let i = round % 7;
            let found = index.find_or_insert(hash(round), |s| s == i, |_| Some(i));
            assert_eq!(found, Found::Inserted(i));
            assert_eq!(index.find(hash(round), |s| s == i), Some(i));
            assert!(index.remove(i, |removed| *removed += 1));
            assert!(!index.remove(i, |removed| *removed += 1));
            assert_eq!(index.find(hash(round), |s| s == i), None);
        }
        let tables = index.tables.iter().filter(|t| t.get().is_some()).count();
        assert_eq!(tables, 1, "churn must not add tables");
        assert_eq!(
            index.with_state(|removed| *removed),
            1000,
            "one call per removal"
        );
    }

    #[test]
    fn growth_keeps_every_entry() {
        let index = Index::<()>::new();
        let hash = |i: usize| (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        for i in 0..5000 {
            index.find_or_insert(hash(i), |s| s == i, |_| Some(i));
            if i % 3 == 0 {
                assert!(index.remove(i, |_| ()));
            }
        }
        for i in 0..5000 {
            let expect = (i % 3 != 0).then_some(i);
            assert_eq!(index.find(hash(i), |s| s == i), expect, "entry {i}");
        }
    }
}
