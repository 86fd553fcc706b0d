//! Free-form series: a hash index into numbered slots.
//!
//! Slot `i` has a key (the tuple's values, in an `arc_swap` cell) and the tuple's series, which
//! live in an arena that never moves or frees them ([`Slab`]): a handle borrows its series
//! directly, and holds the key through an `arc_swap` guard only to keep the slot from being
//! reused under it.
//!
//! Removal: under the index's writer lock the tuple loses its index cell, then its key (the slot
//! now holds the vacant key, which matches nothing) and its share of the series budget, and
//! joins `retired`. Sweeps settle retired tuples once no handle holds their key: one expired for
//! idleness that was touched after the expiry decision (an update raced with it) is taken back,
//! values and all, so no update is lost; any other has its series zeroed and its slot freed for
//! the next new tuple.

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::OnceLock;
use std::time::Instant;

use arc_swap::{ArcSwapAny, Guard};
use parking_lot::Mutex;

use super::key::{new_key, vacant_key, Key, KeyOps};
use super::slab::Slab;
use super::{Dense, OVERFLOW_VALUE};
use crate::desc::{FamilyDesc, DEFAULT_MAX_LABEL_VALUE_BYTES};
use crate::index::{Found, Index, MAX_SLOTS};
use crate::value::{saturating_add, Series};

/// A removed tuple waiting for the last handle on its key to go.
#[derive(Debug)]
struct Retired {
    key: Key,
    slot: usize,
    /// Expired for idleness: taken back if an update touched it after the decision.
    expired: bool,
}

/// What a lookup found.
pub(super) enum Lookup<'a, S> {
    Entry(Guard<Key>, &'a S),
    Overflow(&'a S),
}

#[derive(Debug)]
pub(super) struct Keyed<S> {
    hasher: foldhash::fast::RandomState,
    index: Index,
    /// Filled when first handed out: a new slot gets its key without an `arc_swap` store,
    /// which would pay the debts of every thread that ever loaded through `arc_swap`.
    slots: Slab<OnceLock<Slot<S>>>,
    /// Series of enumerated combinations past the first: slot `i`'s combination `c > 0` is
    /// element `i * (per_tuple - 1) + c - 1`.
    rest: Slab<S>,
    per_tuple: usize,
    vacant: Key,
    /// Slots freed for reuse; its lock serialises growth.
    free: Mutex<Vec<usize>>,
    /// Slots below this are initialised: what readers walk.
    pub(super) used: AtomicUsize,
    /// Live tuples: what the series budget counts.
    len: AtomicUsize,
    overflow: OnceLock<Dense<S>>,
    folded: AtomicU64,
    /// Longest value that gets a series; longer ones fold.
    max_value_bytes: AtomicUsize,
    retired: Mutex<Vec<Retired>>,
    /// Held by the one sweep running; others skip.
    sweeping: Mutex<()>,
    /// Origin of the keys' `seen` times, and when the last sweep ran (ms since it).
    clock: Instant,
    last_sweep: AtomicU64,
    /// Sum of the values of the series dropped for good, for tests that account for every update.
    #[cfg(test)]
    pub(super) discarded: Mutex<f64>,
}

/// One tuple's place: its key and its first enumerated combination's series, side by side so
/// a hit reads one line.
#[derive(Debug)]
struct Slot<S> {
    /// The vacant key when the slot is free.
    key: ArcSwapAny<Key>,
    /// The key's hash, kept so growing the index and removing read no key.
    hash: AtomicU64,
    first: S,
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

/// A timeout in whole milliseconds, at most 24 days: keys keep 32-bit times compared by
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
            vacant: vacant_key(),
            free: Mutex::new(Vec::new()),
            used: AtomicUsize::new(0),
            len: AtomicUsize::new(0),
            overflow: OnceLock::new(),
            folded: AtomicU64::new(0),
            max_value_bytes: AtomicUsize::new(DEFAULT_MAX_LABEL_VALUE_BYTES),
            retired: Mutex::new(Vec::new()),
            sweeping: Mutex::new(()),
            clock: Instant::now(),
            last_sweep: AtomicU64::new(0),
            #[cfg(test)]
            discarded: Mutex::new(0.0),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.clock.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Slot `i`, once handed out.
    #[inline(always)]
    fn slot(&self, i: usize) -> Option<&Slot<S>> {
        self.slots.get(i)?.get()
    }

    /// The key in slot `i` (the vacant key past the slots in use).
    #[inline(always)]
    fn key(&self, i: usize) -> Guard<Key> {
        match self.slot(i) {
            Some(s) => s.key.load(),
            None => Guard::from_inner(self.vacant.clone()),
        }
    }

    #[inline(always)]
    fn series(&self, i: usize, slot: usize) -> Option<&S> {
        match slot {
            0 => self.slot(i).map(|s| &s.first),
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
        // The lock-free probe keeps the slot and the guard of the key it matched.
        let mut hit = None;
        self.index.find(hash, |i| {
            let Some(s) = self.slot(i) else {
                return false;
            };
            let key = s.key.load();
            let matches = key.matches(free);
            if matches {
                hit = Some((i, s, key));
            }
            matches
        });
        if let Some((i, s, key)) = hit {
            let series = match slot {
                0 => Some(&s.first),
                _ => self.series(i, slot),
            };
            if let Some(series) = series {
                key.touch();
                return Lookup::Entry(key, series);
            }
        }
        self.lookup_slow(desc, free, hash, slot)
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
            let Some(i) = self.find_or_create(desc, free, hash, attempt == 0) else {
                break;
            };
            let key = self.key(i);
            if key.matches(free) {
                if let Some(s) = self.series(i, slot) {
                    key.touch();
                    return Lookup::Entry(key, s);
                }
            }
        }
        self.fold(desc, free.len(), slot)
    }

    fn rehash(&self, i: usize) -> u64 {
        self.slot(i).map_or(0, |s| s.hash.load(Relaxed))
    }

    /// The slot holding `free`, creating it if the budget allows; when it does not and the
    /// family expires idle series, one sweep (at most once per `idle_timeout / 8`) may free a
    /// slot first.
    fn find_or_create(
        &self,
        desc: &'static FamilyDesc,
        free: &[&str],
        hash: u64,
        may_sweep: bool,
    ) -> Option<usize> {
        let eq = |i: usize| self.key(i).matches(free);
        let create = || self.insert(desc, new_key(free), hash, None);
        let rehash = |i| self.rehash(i);
        match self.index.find_or_insert(hash, eq, create, rehash) {
            Found::Existing(i) | Found::Inserted(i) => Some(i),
            Found::Refused => {
                let timeout = desc.idle_timeout.filter(|_| may_sweep)?;
                let due = self
                    .last_sweep
                    .load(Relaxed)
                    .saturating_add(u64::from(millis(timeout) / 8));
                if self.now_ms() < due {
                    return None;
                }
                self.sweep(desc);
                match self.index.find_or_insert(hash, eq, create, rehash) {
                    Found::Existing(i) | Found::Inserted(i) => Some(i),
                    Found::Refused => None,
                }
            }
        }
    }

    /// Gives `key` a slot (`reuse`, when taking back an expired tuple whose series are still
    /// there) if the series budget allows. Called under the index's writer lock.
    fn insert(
        &self,
        desc: &'static FamilyDesc,
        key: Key,
        hash: u64,
        reuse: Option<usize>,
    ) -> Option<usize> {
        let budget = desc.series_budget();
        self.len
            .fetch_update(Relaxed, Relaxed, |n| (n < budget).then_some(n + 1))
            .ok()?;
        let Some(i) = reuse.or_else(|| self.take_slot(desc)) else {
            self.len.fetch_sub(1, Relaxed);
            return None;
        };
        if let Some(cell) = self.slots.get(i) {
            match cell.get() {
                Some(s) => {
                    s.hash.store(hash, Relaxed);
                    s.key.store(key);
                }
                None => {
                    let _ = cell.set(Slot {
                        key: ArcSwapAny::new(key),
                        hash: AtomicU64::new(hash),
                        first: S::new(desc),
                    });
                }
            }
        }
        Some(i)
    }

    /// A free slot, or a new one (its series zeroed either way); `None` past the most slots
    /// an index cell can name.
    fn take_slot(&self, desc: &'static FamilyDesc) -> Option<usize> {
        let mut free = self.free.lock();
        if let Some(i) = free.pop() {
            return Some(i);
        }
        let i = self.used.load(Relaxed);
        if i >= MAX_SLOTS {
            return None;
        }
        self.slots.reserve(i + 1, OnceLock::new);
        self.rest
            .reserve((i + 1) * (self.per_tuple - 1), || S::new(desc));
        // Release: a reader that sees the count sees the initialised slot.
        self.used.store(i + 1, std::sync::atomic::Ordering::Release);
        Some(i)
    }

    /// Zeroes slot `i`'s series and frees the slot; no key or handle names it any more.
    fn release(&self, i: usize) {
        for c in 0..self.per_tuple {
            if let Some(s) = self.series(i, c) {
                s.reset();
            }
        }
        self.free.lock().push(i);
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
        let removed = match self.index.find(hash, |i| self.key(i).matches(free)) {
            Some(i) => self.retire(i, &self.key(i), false),
            None => false,
        };
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
        for i in 0..self.used.load(std::sync::atomic::Ordering::Acquire) {
            let key = self.key(i);
            let matches = !key.is_vacant()
                && key
                    .parts()
                    .zip(pattern)
                    .all(|(v, p)| p.is_none_or(|p| p == v));
            if matches && self.retire(i, &key, false) {
                removed += 1;
            }
        }
        self.settle(desc);
        removed
    }

    /// Takes `key`, found in slot `i`, out of the index and the slot. False when another
    /// removal took it first.
    fn retire(&self, i: usize, key: &Key, expired: bool) -> bool {
        if key.is_vacant() {
            return false;
        }
        if !self.index.remove(self.rehash(i), i) {
            return false;
        }
        let Some(slot) = self.slot(i) else {
            return false;
        };
        let old = slot.key.swap(self.vacant.clone());
        self.len.fetch_sub(1, Relaxed);
        self.retired.lock().push(Retired {
            key: old,
            slot: i,
            expired,
        });
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
                let key = self.key(i);
                if key.is_vacant() {
                    continue;
                }
                if key.take_touched() {
                    key.set_seen(now);
                } else if now.wrapping_sub(key.seen()) >= timeout {
                    self.retire(i, &key, true);
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
            // The slot no longer holds the key, so nothing new can take a guard on it: once
            // unique, it stays so.
            if Key::strong_count(&r.key) > 1 {
                held.push(r);
            } else if r.expired && r.key.touched() {
                self.revive(desc, r.key, r.slot);
            } else {
                #[cfg(test)]
                for c in 0..self.per_tuple {
                    *self.discarded.lock() +=
                        self.series(r.slot, c).map_or(0.0, |s| s.sample().value());
                }
                self.release(r.slot);
            }
        }
        self.retired.lock().extend(held);
    }

    /// Puts back an expired tuple that was updated after all, its series still in slot `i`:
    /// linked again if its key has no slot now, added into the one it has otherwise (or into
    /// the overflow series).
    fn revive(&self, desc: &'static FamilyDesc, key: Key, i: usize) {
        key.set_seen(self.now_ms() as u32);
        let parts: Vec<&str> = key.parts().collect();
        let hash = hash_key(&self.hasher, parts.iter().map(|v| v.as_bytes()));
        let eq = |j: usize| self.key(j).matches(&parts);
        let put = || self.insert(desc, key.clone(), hash, Some(i));
        let into = match self.index.find_or_insert(hash, eq, put, |j| self.rehash(j)) {
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

    /// Calls `f` with every live tuple's key and slot number.
    pub(super) fn for_each(&self, mut f: impl FnMut(&Key, usize)) {
        for i in 0..self.used.load(std::sync::atomic::Ordering::Acquire) {
            let key = self.key(i);
            if !key.is_vacant() {
                f(&key, i);
            }
        }
    }

    /// Enumerated combination `c` of slot `i`'s tuple.
    pub(super) fn tuple_series(&self, i: usize, c: usize) -> Option<&S> {
        self.series(i, c)
    }
}
