//! Free-form series: a sharded hash index into slots of reference-counted entries.
//!
//! Entries can be removed (by the user, or when idle past the family's `idle_timeout`), so a
//! reader holds an entry through an `arc_swap` guard rather than a plain borrow: a lookup
//! costs one uncontended atomic store more than a borrow would, and a removed entry lives on
//! until the last handle to it is dropped.
//!
//! Removal: under its index shard's lock the entry loses its index cell, then its slot (given
//! back for reuse) and its share of the series budget, and joins `retired`. Sweeps settle
//! retired entries once no handle holds them. One expired for idleness that was touched after
//! the expiry decision (an update raced with it) is taken back, values and all, so no update
//! is lost; anything else is dropped.

use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use arc_swap::ArcSwap;
use parking_lot::Mutex;

use super::{Entry, OVERFLOW_VALUE};
use crate::desc::{FamilyDesc, DEFAULT_MAX_LABEL_VALUE_BYTES};
use crate::index::{Found, Index};
use crate::value::{saturating_add, Series};

/// Shards of the free-form index: creating different series rarely waits on one writer lock.
const SHARDS: usize = 16;

/// Slots of the per-thread memo of recent free-form lookups.
const MEMO: usize = 64;

/// Distinguishes families in the memo; never reused, so a stale memo entry cannot alias.
static NEXT_FAMILY_ID: AtomicUsize = AtomicUsize::new(1);

thread_local! {
    /// `(family id, place of the values, slot)` of recent hits: a repeat lookup on this thread
    /// skips hashing and the index (the slot's entry is still compared with the values).
    static RECENT: [std::cell::Cell<(usize, u64, usize)>; MEMO] =
        const { [const { std::cell::Cell::new((0, 0, 0)) }; MEMO] };
}

/// A removed entry waiting for its last handle to go.
#[derive(Debug)]
struct Retired<S> {
    entry: Arc<Entry<S>>,
    /// Expired for idleness: taken back if an update touched it after the decision.
    expired: bool,
}

/// What a lookup found.
pub(super) enum Lookup<'a, S> {
    Entry(arc_swap::Guard<Arc<Entry<S>>>),
    Overflow(&'a Entry<S>),
}

#[derive(Debug)]
pub(super) struct Keyed<S> {
    id: usize,
    hasher: foldhash::fast::RandomState,
    shards: Box<[Index]>,
    /// Entry per slot; a free slot holds `vacant`, which matches no key.
    pub(super) slots: boxcar::Vec<ArcSwap<Entry<S>>>,
    vacant: Arc<Entry<S>>,
    free_slots: Mutex<Vec<usize>>,
    /// Live entries: what the series budget counts.
    len: AtomicUsize,
    overflow: OnceLock<Entry<S>>,
    folded: AtomicU64,
    /// Longest value that gets a series; longer ones fold.
    max_value_bytes: AtomicUsize,
    retired: Mutex<Vec<Retired<S>>>,
    /// Held by the one sweep running; others skip.
    sweeping: Mutex<()>,
    /// Origin of the entries' `seen` times, and when the last sweep ran (ms since it).
    clock: Instant,
    last_sweep: AtomicU64,
    /// Sum of the values of the series dropped for good, for tests that account for every update.
    #[cfg(test)]
    pub(super) discarded: Mutex<f64>,
}

fn hash_key<'a>(
    hasher: &foldhash::fast::RandomState,
    key: impl IntoIterator<Item = &'a str>,
) -> u64 {
    let mut h = hasher.build_hasher();
    for k in key {
        k.hash(&mut h);
    }
    h.finish()
}

/// A duration in whole milliseconds, saturating (a timeout of ages never wraps to a short one).
fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[inline(always)]
fn memo_slot(place: u64) -> usize {
    (place >> 58) as usize % MEMO
}

impl<S: Series> Keyed<S> {
    pub(super) fn new(desc: &'static FamilyDesc) -> Self {
        Self {
            id: NEXT_FAMILY_ID.fetch_add(1, Relaxed),
            hasher: foldhash::fast::RandomState::default(),
            shards: (0..SHARDS).map(|_| Index::new()).collect(),
            slots: boxcar::Vec::new(),
            vacant: Arc::new(Entry::vacant(desc)),
            free_slots: Mutex::new(Vec::new()),
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
        millis(self.clock.elapsed())
    }

    fn shard(&self, hash: u64) -> &Index {
        &self.shards[(hash >> 60) as usize % SHARDS]
    }

    /// Where `free` lives (the addresses and lengths of the values) mixed with the family id.
    ///
    /// Callers usually pass the same strings again (a topic, a peer id held by a connection), so
    /// the memo is keyed by place: no hashing of the bytes on a repeat.
    #[inline(always)]
    fn place(&self, free: &[&str]) -> u64 {
        free.iter().fold(self.id as u64, |place, v| {
            (place ^ v.as_ptr() as u64 ^ ((v.len() as u64) << 48))
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        })
    }

    /// The entry this thread last found at the same place, if its key still matches `free`:
    /// the same address may hold new text, and the slot a new entry, so the key is compared.
    #[inline(always)]
    pub(super) fn recent(&self, free: &[&str]) -> Option<arc_swap::Guard<Arc<Entry<S>>>> {
        let place = self.place(free);
        let (id, p, i) = RECENT
            .try_with(|r| r.get(memo_slot(place)).map(std::cell::Cell::get))
            .ok()
            .flatten()?;
        if id != self.id || p != place {
            return None;
        }
        let entry = self.slots.get(i)?.load();
        entry.key.matches(free).then(|| {
            entry.touch();
            entry
        })
    }

    fn remember(&self, free: &[&str], i: usize) {
        let place = self.place(free);
        let _ = RECENT.try_with(|r| r.get(memo_slot(place)).map(|c| c.set((self.id, place, i))));
    }

    /// The index path: hash and a lock-free probe; on a miss, the shard's writer lock, the series
    /// budget and a new entry. Values that may not be stored fold without hashing or locking.
    #[inline(never)]
    pub(super) fn lookup(&self, desc: &'static FamilyDesc, free: &[&str]) -> Lookup<'_, S> {
        let max = self.max_value_bytes.load(Relaxed);
        if free.iter().any(|v| v.len() > max) {
            return self.fold(desc, free.len());
        }
        let hash = hash_key(&self.hasher, free.iter().copied());
        // The lock-free probe keeps the guard of the entry it matched: one load per hit.
        let mut hit = None;
        self.shard(hash).find(hash, |i| {
            let entry = self.slot(i);
            let matches = entry.key.matches(free);
            if matches {
                hit = Some((i, entry));
            }
            matches
        });
        if let Some((i, entry)) = hit {
            entry.touch();
            self.remember(free, i);
            return Lookup::Entry(entry);
        }
        // No stored key holds the overflow value, so only a miss can see it.
        if free.contains(&OVERFLOW_VALUE) {
            return self.fold(desc, free.len());
        }
        // A found slot may be emptied before it is read (a removal in between): look again.
        for attempt in 0..4 {
            let Some(i) = self.find_or_create(desc, free, hash, attempt == 0) else {
                break;
            };
            let entry = self.slot(i);
            if entry.key.matches(free) {
                entry.touch();
                self.remember(free, i);
                return Lookup::Entry(entry);
            }
        }
        self.fold(desc, free.len())
    }

    fn slot(&self, i: usize) -> arc_swap::Guard<Arc<Entry<S>>> {
        match self.slots.get(i) {
            Some(s) => s.load(),
            None => self.vacant_guard(),
        }
    }

    fn vacant_guard(&self) -> arc_swap::Guard<Arc<Entry<S>>> {
        arc_swap::Guard::from_inner(self.vacant.clone())
    }

    /// The slot holding `free`, creating its entry if the budget allows; when it does not and
    /// the family expires idle series, one sweep (at most once per `idle_timeout / 8`) may
    /// free a slot first.
    fn find_or_create(
        &self,
        desc: &'static FamilyDesc,
        free: &[&str],
        hash: u64,
        may_sweep: bool,
    ) -> Option<usize> {
        let eq = |i: usize| {
            self.slots
                .get(i)
                .is_some_and(|s| s.load().key.matches(free))
        };
        let create = || self.insert(desc, free, hash, None);
        match self
            .shard(hash)
            .find_or_insert(hash, eq, create, |i| self.slot(i).hash)
        {
            Found::Existing(i) | Found::Inserted(i) => Some(i),
            Found::Refused => {
                let timeout = desc.idle_timeout.filter(|_| may_sweep)?;
                let due = self
                    .last_sweep
                    .load(Relaxed)
                    .saturating_add(millis(timeout) / 8);
                if self.now_ms() < due {
                    return None;
                }
                self.sweep(desc);
                match self
                    .shard(hash)
                    .find_or_insert(hash, eq, create, |i| self.slot(i).hash)
                {
                    Found::Existing(i) | Found::Inserted(i) => Some(i),
                    Found::Refused => None,
                }
            }
        }
    }

    /// Takes a slot for a new entry (or `revived`, an expired one taken back) if the series
    /// budget allows. Called under the shard's writer lock.
    fn insert(
        &self,
        desc: &'static FamilyDesc,
        free: &[&str],
        hash: u64,
        revived: Option<Arc<Entry<S>>>,
    ) -> Option<usize> {
        let budget = desc.series_budget();
        self.len
            .fetch_update(Relaxed, Relaxed, |n| (n < budget).then_some(n + 1))
            .ok()?;
        let entry =
            revived.unwrap_or_else(|| Arc::new(Entry::new(desc, free, hash, self.now_ms())));
        let reused = self.free_slots.lock().pop();
        Some(match reused {
            Some(i) => {
                if let Some(s) = self.slots.get(i) {
                    s.store(entry);
                }
                i
            }
            None => self.slots.push(ArcSwap::new(entry)),
        })
    }

    /// The overflow entry, counting one more folded update.
    pub(super) fn fold(&self, desc: &'static FamilyDesc, values: usize) -> Lookup<'_, S> {
        saturating_add(&self.folded, 1);
        Lookup::Overflow(self.overflow(desc, values))
    }

    fn overflow(&self, desc: &'static FamilyDesc, values: usize) -> &Entry<S> {
        self.overflow.get_or_init(|| {
            let key = vec![OVERFLOW_VALUE; values];
            Entry::new(desc, &key, 0, 0)
        })
    }

    /// Removes the entry of `free`; returns whether there was one.
    pub(super) fn remove(&self, desc: &'static FamilyDesc, free: &[&str]) -> bool {
        self.settle(desc);
        let hash = hash_key(&self.hasher, free.iter().copied());
        let eq = |i: usize| {
            self.slots
                .get(i)
                .is_some_and(|s| s.load().key.matches(free))
        };
        match self.shard(hash).find(hash, eq) {
            Some(i) => self.retire(i, &self.slot(i), false),
            None => false,
        }
    }

    /// Removes every entry whose free-form values match `pattern` (`None` matches any value);
    /// returns how many.
    pub(super) fn remove_matching(
        &self,
        desc: &'static FamilyDesc,
        pattern: &[Option<&str>],
    ) -> usize {
        self.settle(desc);
        let mut removed = 0;
        for (i, slot) in self.slots.iter() {
            let entry = slot.load();
            let matches = !Arc::ptr_eq(&entry, &self.vacant)
                && entry
                    .key
                    .parts()
                    .zip(pattern)
                    .all(|(v, p)| p.is_none_or(|p| p == v));
            if matches && self.retire(i, &entry, false) {
                removed += 1;
            }
        }
        removed
    }

    /// Takes `entry`, found in slot `i`, out of the index and its slot. False when another
    /// removal took it first.
    fn retire(&self, i: usize, entry: &Arc<Entry<S>>, expired: bool) -> bool {
        if Arc::ptr_eq(entry, &self.vacant) || !self.shard(entry.hash).remove(entry.hash, i) {
            return false;
        }
        let Some(slot) = self.slots.get(i) else {
            return false;
        };
        let old = slot.swap(self.vacant.clone());
        self.len.fetch_sub(1, Relaxed);
        self.free_slots.lock().push(i);
        self.retired.lock().push(Retired {
            entry: old,
            expired,
        });
        true
    }

    /// Expires entries idle past the family's `idle_timeout`, then settles retired ones. One
    /// sweep runs at a time; a concurrent caller returns at once.
    pub(super) fn sweep(&self, desc: &'static FamilyDesc) {
        let Some(_sweeping) = self.sweeping.try_lock() else {
            return;
        };
        let now = self.now_ms();
        self.last_sweep.store(now, Relaxed);
        if let Some(timeout) = desc.idle_timeout {
            let timeout = millis(timeout);
            for (i, slot) in self.slots.iter() {
                let entry = slot.load();
                if entry.touched.swap(false, Relaxed) {
                    entry.seen.store(now, Relaxed);
                } else if now.saturating_sub(entry.seen.load(Relaxed)) >= timeout {
                    self.retire(i, &entry, true);
                }
            }
        }
        self.settle(desc);
    }

    /// Drops retired entries no handle holds any more, taking back expired ones that an update
    /// touched after the expiry decision.
    fn settle(&self, desc: &'static FamilyDesc) {
        let pending = std::mem::take(&mut *self.retired.lock());
        let mut held = Vec::new();
        for r in pending {
            match Arc::try_unwrap(r.entry) {
                Err(entry) => held.push(Retired {
                    entry,
                    expired: r.expired,
                }),
                Ok(entry) if r.expired && entry.touched.load(Relaxed) => self.revive(desc, entry),
                #[cfg(test)]
                Ok(entry) => {
                    let sum: f64 = entry.series.iter().map(|s| s.sample().value()).sum();
                    *self.discarded.lock() += sum;
                }
                #[cfg(not(test))]
                Ok(_) => {}
            }
        }
        self.retired.lock().extend(held);
    }

    /// Puts an expired entry that was updated after all back: as it was if its key has no
    /// entry now, merged into the one it has otherwise (or into the overflow series).
    fn revive(&self, desc: &'static FamilyDesc, entry: Entry<S>) {
        entry.seen.store(self.now_ms(), Relaxed);
        let revived = Arc::new(entry);
        let key: Vec<&str> = revived.key.parts().collect();
        let hash = revived.hash;
        let eq = |i: usize| {
            self.slots
                .get(i)
                .is_some_and(|s| s.load().key.matches(&key))
        };
        let put = || self.insert(desc, &key, hash, Some(revived.clone()));
        match self
            .shard(hash)
            .find_or_insert(hash, eq, put, |i| self.slot(i).hash)
        {
            Found::Inserted(_) => {}
            Found::Existing(i) => self.slot(i).absorb(&revived),
            Found::Refused => self.overflow(desc, key.len()).absorb(&revived),
        }
    }

    pub(super) fn folded(&self) -> u64 {
        self.folded.load(Relaxed)
    }

    pub(super) fn set_max_value_bytes(&self, bytes: usize) {
        self.max_value_bytes.store(bytes, Relaxed);
    }

    /// Live entries, not counting the overflow one.
    pub(super) fn len(&self) -> usize {
        self.len.load(Relaxed)
    }

    pub(super) fn has_overflow(&self) -> bool {
        self.overflow.get().is_some()
    }

    /// Calls `f` with every live entry, then the overflow entry once used.
    pub(super) fn for_each(&self, mut f: impl FnMut(&Entry<S>)) {
        for (_, slot) in self.slots.iter() {
            let entry = slot.load();
            if !Arc::ptr_eq(&entry, &self.vacant) {
                f(&entry);
            }
        }
        if let Some(e) = self.overflow.get() {
            f(e);
        }
    }
}

/// Per-entry bookkeeping of idleness.
impl<S> Entry<S> {
    /// Marks the entry used since the last sweep; a read first, so a hot entry's line is not
    /// written on every lookup.
    #[inline(always)]
    pub(super) fn touch(&self) {
        if !self.touched.load(Relaxed) {
            self.touched.store(true, Relaxed);
        }
    }
}
