//! Free-form series: a hash index into numbered slots.
//!
//! Slot `i` has a key (the tuple's values) and the tuple's series, in an arena that never moves
//! or frees them ([`Slab`]). A handle holds a read lock on its slot's key, which is what keeps
//! the slot from being given to another tuple under it: a slot takes a new key only under the
//! write lock. Taking the read lock is one compare-exchange and releasing it one atomic add,
//! both on the slot's own cache line, which the update writes anyway.
//!
//! Removal: under the index's writer lock the tuple loses its index cell, then the slot is
//! marked not live (so a reader that probed the old cell rejects it) and the tuple gives back
//! its share of the series budget and joins `retired`. Sweeps settle retired tuples once no
//! handle holds them (the write lock is free): one expired for idleness that was touched after
//! the expiry decision (an update raced with it) is taken back, values and all, so no update is
//! lost; any other has its series zeroed and its slot freed for the next new tuple.

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::OnceLock;
use std::time::Instant;

use parking_lot::{Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::key::{self, Key};
use super::slab::Slab;
use super::{Dense, OVERFLOW_VALUE};
use crate::desc::{FamilyDesc, DEFAULT_MAX_LABEL_VALUE_BYTES};
use crate::index::{Found, Index, MAX_SLOTS};
use crate::value::{saturating_add, Series};

/// A removed tuple waiting for the last handle on its slot to go.
#[derive(Debug)]
struct Retired {
    slot: usize,
    /// Expired for idleness: taken back if an update touched it after the decision.
    expired: bool,
}

/// What a handle on a free-form series holds: a read lock on its slot, so the slot keeps its
/// tuple until the handle drops.
pub(crate) struct Pin<'a> {
    _key: RwLockReadGuard<'a, Key>,
    touched: &'a AtomicBool,
}

impl Drop for Pin<'_> {
    /// Marks the tuple used: a sweep that decided to expire it meanwhile sees the use when it
    /// settles the slot, and takes the tuple back.
    #[inline(always)]
    fn drop(&mut self) {
        // A read first, so a hot slot's line is not written on every update.
        if !self.touched.load(Relaxed) {
            self.touched.store(true, Relaxed);
        }
    }
}

/// What [`Keyed::find_or_create`] did.
enum Created<'a> {
    /// The tuple was in the index (or was put there by another thread meanwhile).
    Existing,
    /// Put in slot `i`, returned read-locked.
    Inserted(usize, RwLockReadGuard<'a, Key>),
    /// The budget is spent.
    Refused,
}

/// What a lookup found.
pub(super) enum Lookup<'a, S> {
    Entry(Pin<'a>, &'a S),
    Overflow(&'a S),
}

/// What the index's writer lock guards besides the index: the slots freed for reuse.
#[derive(Debug, Default)]
struct Free(Vec<usize>);

#[derive(Debug)]
pub(super) struct Keyed<S> {
    hasher: foldhash::fast::RandomState,
    /// Its writer lock also serialises taking slots, growing the slabs and counting `len`.
    index: Index<Free>,
    slots: Slab<Slot<S>>,
    /// Series of enumerated combinations past the first: slot `i`'s combination `c > 0` is
    /// element `i * (per_tuple - 1) + c - 1`.
    rest: Slab<S>,
    per_tuple: usize,
    /// Free-form values per tuple.
    free_count: usize,
    /// Slots below this are initialised: what readers walk.
    pub(super) used: AtomicUsize,
    /// Live tuples: what the series budget counts. Written under the index's writer lock.
    len: AtomicUsize,
    overflow: OnceLock<Dense<S>>,
    folded: AtomicU64,
    /// Longest value that gets a series; longer ones fold.
    max_value_bytes: AtomicUsize,
    retired: Mutex<Vec<Retired>>,
    /// Held by the one sweep running; others skip.
    sweeping: Mutex<()>,
    /// Origin of the slots' `seen` times, and when the last sweep ran (ms since it).
    clock: Instant,
    /// When the family was created, in ms since the Unix epoch: no series starts earlier.
    created_ms: u64,
    last_sweep: AtomicU64,
    /// Sum of the values of the series dropped for good, for tests that account for every update.
    #[cfg(test)]
    pub(super) discarded: Mutex<f64>,
}

impl<S> Drop for Keyed<S> {
    /// Forgets the exemplars of every series: their addresses will be reused.
    fn drop(&mut self) {
        let per_tuple = self.per_tuple;
        for i in 0..*self.used.get_mut() {
            if let Some(slot) = self.slots.get(i) {
                crate::exemplar::forget(crate::exemplar::address(&slot.first));
            }
            for c in 1..per_tuple {
                if let Some(s) = self.rest.get(i * (per_tuple - 1) + c - 1) {
                    crate::exemplar::forget(crate::exemplar::address(s));
                }
            }
        }
    }
}

/// One tuple's place: its key, bookkeeping and first enumerated combination's series, side by
/// side so a hit reads one line beside the key's bytes.
#[derive(Debug)]
struct Slot<S> {
    /// The tuple's values joined (empty while the slot is free); read-locked by every handle.
    key: RwLock<Key>,
    /// When a sweep last found the tuple touched, in ms of the family's clock; wraps after 49
    /// days, which only delays an expiry.
    seen: AtomicU32,
    /// Whether a handle was dropped since the last sweep.
    touched: AtomicBool,
    /// Whether the index names this slot's tuple: false while free and once removed.
    live: AtomicBool,
    /// When the tuple's series started from zero, in ms since the Unix epoch
    /// ([`start`](crate::start)).
    created_ms: AtomicU64,
    first: S,
}

impl<S: Series> Slot<S> {
    fn new(desc: &'static FamilyDesc) -> Self {
        Self {
            key: RwLock::new(Key::default()),
            seen: AtomicU32::new(0),
            touched: AtomicBool::new(false),
            live: AtomicBool::new(false),
            created_ms: AtomicU64::new(0),
            first: S::new(desc),
        }
    }

    /// The slot's key, read-locked, if it holds a live tuple.
    #[inline(always)]
    fn read_live(&self) -> Option<RwLockReadGuard<'_, Key>> {
        // Recursive: a thread holding a handle on this slot may look it up again while a
        // writer waits.
        let key = self.key.read_recursive();
        // Under the lock: a key written by `insert` comes with its `live`.
        self.live.load(Relaxed).then_some(key)
    }

    fn pin<'a>(&'a self, key: RwLockReadGuard<'a, Key>) -> Pin<'a> {
        Pin {
            _key: key,
            touched: &self.touched,
        }
    }
}

/// The hash of a tuple: its values' bytes, each but the last followed by its length (so no two
/// tuples of one family, which all have the same number of values, write the same stream).
#[inline(always)]
fn hash_key<'a>(
    hasher: &foldhash::fast::RandomState,
    key: impl IntoIterator<Item = &'a [u8]>,
) -> u64 {
    let mut h = hasher.build_hasher();
    let mut key = key.into_iter().peekable();
    while let Some(k) = key.next() {
        h.write(k);
        if key.peek().is_some() {
            h.write_usize(k.len());
        }
    }
    h.finish()
}

/// A timeout in whole milliseconds, at most 24 days: slots keep 32-bit times compared by
/// wrapping difference.
fn millis(d: std::time::Duration) -> u32 {
    u32::try_from(d.as_millis()).map_or(u32::MAX / 2, |ms| ms.min(u32::MAX / 2))
}

impl<S: Series> Keyed<S> {
    pub(super) fn new(desc: &'static FamilyDesc) -> Self {
        Self {
            hasher: foldhash::fast::RandomState::default(),
            index: Index::new(),
            slots: Slab::new(),
            rest: Slab::new(),
            per_tuple: desc.dense_len(),
            free_count: desc.free_form_count(),
            used: AtomicUsize::new(0),
            len: AtomicUsize::new(0),
            overflow: OnceLock::new(),
            folded: AtomicU64::new(0),
            max_value_bytes: AtomicUsize::new(DEFAULT_MAX_LABEL_VALUE_BYTES),
            retired: Mutex::new(Vec::new()),
            sweeping: Mutex::new(()),
            clock: Instant::now(),
            created_ms: crate::start::now_ms(),
            last_sweep: AtomicU64::new(0),
            #[cfg(test)]
            discarded: Mutex::new(0.0),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.clock.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    #[inline(always)]
    fn series(&self, i: usize, slot: usize) -> Option<&S> {
        match slot {
            0 => self.slots.get(i).map(|s| &s.first),
            c => self.rest.get(i * (self.per_tuple - 1) + c - 1),
        }
    }

    /// Enumerated slot `slot` of the tuple `free` (declared order): a hash and a lock-free index
    /// probe when it exists; on a miss, the index's writer lock, the series budget and a new
    /// slot. Values that may not be stored fold without hashing or locking.
    #[inline]
    pub(super) fn lookup(
        &self,
        desc: &'static FamilyDesc,
        free: &[&str],
        slot: usize,
    ) -> Lookup<'_, S> {
        let max = self.max_value_bytes.load(Relaxed);
        if free.iter().any(|v| v.len() > max) {
            return self.fold(desc, free.len(), slot);
        }
        let hash = hash_key(&self.hasher, free.iter().map(|v| v.as_bytes()));
        if let Some(found) = self.find(hash, free, slot) {
            return found;
        }
        self.lookup_slow(desc, free, hash, slot)
    }

    /// The lock-free probe: the series, pinned, of the live slot holding `free`.
    #[inline(always)]
    fn find(&self, hash: u64, free: &[&str], slot: usize) -> Option<Lookup<'_, S>> {
        let mut hit = None;
        self.index.find(hash, |i| {
            let Some(s) = self.slots.get(i) else {
                return false;
            };
            match s.read_live() {
                Some(key) if key::matches(&key, free) => {
                    hit = Some((i, s, key));
                    true
                }
                _ => false,
            }
        });
        let (i, s, key) = hit?;
        let series = match slot {
            0 => &s.first,
            _ => self.series(i, slot)?,
        };
        Some(Lookup::Entry(s.pin(key), series))
    }

    #[cold]
    #[inline(never)]
    fn lookup_slow(
        &self,
        desc: &'static FamilyDesc,
        free: &[&str],
        hash: u64,
        slot: usize,
    ) -> Lookup<'_, S> {
        // No stored key holds the overflow value, so only a miss can see it.
        if free.contains(&OVERFLOW_VALUE) {
            return self.fold(desc, free.len(), slot);
        }
        // A found slot may be emptied before it is read (a removal in between): look again.
        for attempt in 0..4 {
            match self.find_or_create(desc, free, hash, attempt == 0) {
                Created::Refused => break,
                Created::Inserted(i, key) => {
                    if let Some(s) = self.slots.get(i) {
                        let series = match slot {
                            0 => Some(&s.first),
                            _ => self.series(i, slot),
                        };
                        if let Some(series) = series {
                            return Lookup::Entry(s.pin(key), series);
                        }
                    }
                }
                Created::Existing => {
                    if let Some(found) = self.find(hash, free, slot) {
                        return found;
                    }
                }
            }
        }
        self.fold(desc, free.len(), slot)
    }

    /// Slot `i`'s key, read-locked, if the slot holds the live tuple `free`.
    fn holding(&self, i: usize, free: &[&str]) -> Option<RwLockReadGuard<'_, Key>> {
        self.slots
            .get(i)?
            .read_live()
            .filter(|key| key::matches(key, free))
    }

    /// Finds `free` in the index, or creates it if the budget allows; when it does not and the
    /// family expires idle series, one sweep (at most once per `idle_timeout / 8`) may free a
    /// slot first.
    fn find_or_create(
        &self,
        desc: &'static FamilyDesc,
        free: &[&str],
        hash: u64,
        may_sweep: bool,
    ) -> Created<'_> {
        let eq = |i| self.holding(i, free).is_some();
        let mut created = None;
        let mut create = |state: &mut Free| {
            let (i, key) = self.insert(desc, free, state)?;
            created = Some(key);
            Some(i)
        };
        let mut found = self.index.find_or_insert(hash, eq, &mut create);
        if found == Found::Refused && may_sweep && self.sweep_due(desc) {
            self.sweep(desc);
            found = self.index.find_or_insert(hash, eq, &mut create);
        }
        match (found, created) {
            (Found::Inserted(i), Some(key)) => Created::Inserted(i, key),
            (Found::Refused, _) => Created::Refused,
            _ => Created::Existing,
        }
    }

    /// Whether a family that expires idle series has gone `idle_timeout / 8` without a sweep.
    fn sweep_due(&self, desc: &'static FamilyDesc) -> bool {
        desc.idle_timeout.is_some_and(|timeout| {
            let due = self
                .last_sweep
                .load(Relaxed)
                .saturating_add(u64::from(millis(timeout) / 8));
            self.now_ms() >= due
        })
    }

    /// Gives the tuple `free` a slot if the series budget allows; returns it read-locked, so
    /// it holds the tuple until the caller's handle drops. Called under the index's writer lock,
    /// which guards `state`.
    fn insert<'a>(
        &'a self,
        desc: &'static FamilyDesc,
        free: &[&str],
        state: &mut Free,
    ) -> Option<(usize, RwLockReadGuard<'a, Key>)> {
        if self.len.load(Relaxed) >= desc.series_budget() {
            return None;
        }
        let i = self.take_slot(desc, state)?;
        let slot = self.slots.get(i)?;
        // Only transient readers (which find it not live) can hold a free slot's lock.
        let mut key = slot.key.write();
        key::set_key(&mut key, free);
        slot.created_ms
            .store(crate::start::for_new_series(self.created_ms), Relaxed);
        // Starts touched: the next sweep records when it was first seen (no clock read on the
        // path that creates series).
        slot.touched.store(true, Relaxed);
        slot.live.store(true, Relaxed);
        self.len.store(self.len.load(Relaxed) + 1, Relaxed);
        Some((i, RwLockWriteGuard::downgrade(key)))
    }

    /// A free slot, or a new one (its series zeroed either way); `None` past the most slots
    /// an index cell can name.
    fn take_slot(&self, desc: &'static FamilyDesc, state: &mut Free) -> Option<usize> {
        if let Some(i) = state.0.pop() {
            return Some(i);
        }
        let i = self.used.load(Relaxed);
        if i >= MAX_SLOTS {
            return None;
        }
        self.slots.reserve(i + 1, || Slot::new(desc));
        self.rest
            .reserve((i + 1) * (self.per_tuple - 1), || S::new(desc));
        // Release: a reader that sees the count sees the initialised slot.
        self.used.store(i + 1, std::sync::atomic::Ordering::Release);
        Some(i)
    }

    /// Zeroes slot `i`'s series and frees the slot; no index cell or handle names it any more.
    /// The key keeps its allocation for the next tuple.
    fn release(&self, i: usize) {
        for c in 0..self.per_tuple {
            if let Some(s) = self.series(i, c) {
                s.reset();
                crate::exemplar::forget(crate::exemplar::address(s));
            }
        }
        self.index.with_state(|state| state.0.push(i));
    }

    /// Enumerated slot `slot` of the overflow series, counting one more folded update.
    pub(super) fn fold(
        &self,
        desc: &'static FamilyDesc,
        values: usize,
        slot: usize,
    ) -> Lookup<'_, S> {
        saturating_add(&self.folded, 1);
        Lookup::Overflow(self.overflow(desc, values).series(slot))
    }

    /// Enumerated slot `slot` of the overflow series, without counting a folded update.
    pub(super) fn overflow_series(&self, desc: &'static FamilyDesc, slot: usize) -> &S {
        self.overflow(desc, desc.free_form_count()).series(slot)
    }

    fn overflow(&self, desc: &'static FamilyDesc, values: usize) -> &Dense<S> {
        self.overflow
            .get_or_init(|| Dense::new(desc, vec![OVERFLOW_VALUE; values]))
    }

    /// Removes the tuple `free`; returns whether there was one.
    pub(super) fn remove(&self, desc: &'static FamilyDesc, free: &[&str]) -> bool {
        let hash = hash_key(&self.hasher, free.iter().map(|v| v.as_bytes()));
        let found = self.index.find(hash, |i| self.holding(i, free).is_some());
        // Retired under the read lock, so the slot cannot take another tuple in between.
        let removed = found.is_some_and(|i| {
            self.holding(i, free)
                .is_some_and(|_key| self.retire(i, false))
        });
        // Frees the slot now unless a handle holds it.
        self.settle(desc);
        removed
    }

    /// Removes every tuple whose values match `pattern` (`None` matches any value); returns how
    /// many.
    pub(super) fn remove_matching(
        &self,
        desc: &'static FamilyDesc,
        pattern: &[Option<&str>],
    ) -> usize {
        let mut removed = 0;
        // `for_each` holds each slot's read lock while it calls: the slot keeps its tuple.
        self.for_each(|values, i| {
            let matches = values
                .iter()
                .zip(pattern)
                .all(|(v, p)| p.is_none_or(|p| p == *v));
            if matches && self.retire(i, false) {
                removed += 1;
            }
        });
        self.settle(desc);
        removed
    }

    /// Takes the tuple in slot `i` out of the index and marks the slot not live. False when
    /// another removal took it first. Callers hold the slot's read lock, so it still holds the
    /// tuple they mean.
    fn retire(&self, i: usize, expired: bool) -> bool {
        let Some(slot) = self.slots.get(i) else {
            return false;
        };
        // The index arbitrates: one remover finds the cell.
        let removed = self.index.remove(i, |_| {
            slot.live.store(false, Relaxed);
            self.len.store(self.len.load(Relaxed) - 1, Relaxed);
        });
        if !removed {
            return false;
        }
        self.retired.lock().push(Retired { slot: i, expired });
        true
    }

    /// Expires tuples idle past the family's `idle_timeout`, then settles retired ones. One
    /// sweep runs at a time; a concurrent caller returns at once.
    pub(super) fn sweep(&self, desc: &'static FamilyDesc) {
        let Some(_sweeping) = self.sweeping.try_lock() else {
            return;
        };
        let now = self.now_ms();
        self.last_sweep.store(now, Relaxed);
        if let Some(timeout) = desc.idle_timeout {
            let (now, timeout) = (now as u32, millis(timeout));
            for i in 0..self.used.load(std::sync::atomic::Ordering::Acquire) {
                let Some(slot) = self.slots.get(i) else {
                    continue;
                };
                // The read lock keeps the slot's tuple from changing under the decision.
                let Some(_key) = slot.read_live() else {
                    continue;
                };
                if slot.touched.swap(false, Relaxed) {
                    slot.seen.store(now, Relaxed);
                } else if now.wrapping_sub(slot.seen.load(Relaxed)) >= timeout {
                    self.retire(i, true);
                }
            }
        }
        self.settle(desc);
    }

    /// Frees retired tuples no handle holds any more, taking back expired ones that an update
    /// touched after the expiry decision.
    fn settle(&self, desc: &'static FamilyDesc) {
        let pending = std::mem::take(&mut *self.retired.lock());
        let mut held = Vec::new();
        for r in pending {
            let Some(slot) = self.slots.get(r.slot) else {
                continue;
            };
            // The slot is not live, so no new handle takes it: once the write lock is free,
            // no handle holds the slot, and none will.
            let Some(key) = slot.key.try_write() else {
                held.push(r);
                continue;
            };
            if r.expired && slot.touched.load(Relaxed) {
                // A copy, so no lock is held while the index is searched (rare: an update
                // raced with the expiry).
                let values = key.clone();
                drop(key);
                self.revive(desc, &values, r.slot);
                continue;
            }
            drop(key);
            #[cfg(test)]
            for c in 0..self.per_tuple {
                *self.discarded.lock() +=
                    self.series(r.slot, c).map_or(0.0, |s| s.sample().value());
            }
            self.release(r.slot);
        }
        self.retired.lock().extend(held);
    }

    /// Puts back an expired tuple that was updated after all, its key and series still in
    /// slot `i`: linked again if the tuple has no slot now, added into the one it has otherwise
    /// (or into the overflow series).
    fn revive(&self, desc: &'static FamilyDesc, key: &Key, i: usize) {
        let parts: Vec<&str> = key::parts(key, self.free_count).collect();
        let hash = hash_key(&self.hasher, parts.iter().map(|v| v.as_bytes()));
        let eq = |j| self.holding(j, &parts).is_some();
        // Slot `i` is in no free list, so nothing else takes it: the tuple is linked again by
        // marking it live.
        let put = |_: &mut Free| {
            let slot = self.slots.get(i)?;
            if self.len.load(Relaxed) >= desc.series_budget() {
                return None;
            }
            slot.seen.store(self.now_ms() as u32, Relaxed);
            slot.touched.store(false, Relaxed);
            slot.live.store(true, Relaxed);
            self.len.store(self.len.load(Relaxed) + 1, Relaxed);
            Some(i)
        };
        let into = match self.index.find_or_insert(hash, eq, put) {
            Found::Inserted(_) => return,
            Found::Existing(j) => (0..self.per_tuple)
                .filter_map(|c| self.series(j, c))
                .collect::<Vec<_>>(),
            Found::Refused => {
                let overflow = self.overflow(desc, parts.len());
                (0..self.per_tuple).map(|c| overflow.series(c)).collect()
            }
        };
        for (c, target) in into.into_iter().enumerate() {
            if let Some(s) = self.series(i, c) {
                target.absorb(s);
            }
        }
        self.release(i);
    }

    pub(super) fn folded(&self) -> u64 {
        self.folded.load(Relaxed)
    }

    pub(super) fn set_max_value_bytes(&self, bytes: usize) {
        self.max_value_bytes.store(bytes, Relaxed);
    }

    /// Live tuples, not counting the overflow one.
    pub(super) fn len(&self) -> usize {
        self.len.load(Relaxed)
    }

    pub(super) fn overflow_used(&self) -> Option<&Dense<S>> {
        self.overflow.get()
    }

    /// Calls `f` with every live tuple's values (declared order) and slot number, holding the
    /// slot's read lock meanwhile.
    pub(super) fn for_each(&self, mut f: impl FnMut(&[&str], usize)) {
        for i in 0..self.used.load(std::sync::atomic::Ordering::Acquire) {
            let Some(key) = self.slots.get(i).and_then(Slot::read_live) else {
                continue;
            };
            if self.free_count == 1 {
                f(&[key::parts(&key, 1).next().unwrap_or_default()], i);
            } else {
                let many: Vec<&str> = key::parts(&key, self.free_count).collect();
                f(&many, i);
            }
        }
    }

    /// When slot `i`'s tuple started, in ms since the Unix epoch.
    pub(super) fn created_ms(&self, i: usize) -> u64 {
        self.slots.get(i).map_or(0, |s| s.created_ms.load(Relaxed))
    }

    /// Enumerated combination `c` of slot `i`'s tuple.
    pub(super) fn tuple_series(&self, i: usize, c: usize) -> Option<&S> {
        self.series(i, c)
    }
}
