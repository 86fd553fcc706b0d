//! Family storage: dense slots for enumerated labels, a bounded map for free-form ones.

use std::cell::Cell;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::OnceLock;

use crate::desc::{FamilyDesc, DEFAULT_MAX_LABEL_VALUE_BYTES};
use crate::encode::text::render_labels_into;
use crate::index::{Found, Index};
use crate::joined::Joined;
use crate::value::{saturating_add, Series};
use crate::view::{AnyFamily, LabelError, Labels, SeriesRef};

/// Label value used for every free-form label of the overflow series.
///
/// It is reserved: a caller passing it as a free-form value gets the overflow series (and the
/// update is counted as folded), so one label set never names two series.
pub const OVERFLOW_VALUE: &str = "__overflow__";

/// Shards of the free-form index: creating different series rarely waits on one writer lock.
const SHARDS: usize = 16;

/// Slots of the per-thread memo of recent free-form lookups.
const MEMO: usize = 64;

/// Distinguishes families in the memo; never reused, so a stale memo entry cannot alias.
static NEXT_FAMILY_ID: AtomicUsize = AtomicUsize::new(1);

thread_local! {
    /// `(family id, address of the values, arena index)` of recent hits: a repeat lookup on
    /// this thread skips hashing and the index.
    static RECENT: [Cell<(usize, u64, usize)>; MEMO] = const { [const { Cell::new((0, 0, 0)) }; MEMO] };
}

/// The series behind one free-form value tuple: one per enumerated combination.
#[derive(Debug)]
struct Entry<S> {
    key: Joined,
    series: Box<[S]>,
    /// `name="value",...` label text of each slot, rendered once at creation by the text format.
    labels: Joined,
}

impl<S: Series> Entry<S> {
    fn new(desc: &'static FamilyDesc, key: &[&str]) -> Self {
        let n = desc.dense_len();
        let per_slot: usize = desc.labels.iter().map(|l| l.name.len() + 4).sum::<usize>()
            + key.iter().map(|v| v.len()).sum::<usize>();
        Self {
            key: Joined::key(key),
            series: (0..n).map(|_| S::new(desc)).collect(),
            labels: Joined::build(n, n * (per_slot + 16), |slot, out| {
                render_labels_into(out, desc, &desc.label_values(key, slot))
            }),
        }
    }
}

/// Free-form series: a sharded hash index into an append-only arena.
///
/// Entries are never removed, so `&S` borrowed from the arena stays valid for the family's life
/// and no lock is held while the caller updates it.
#[derive(Debug)]
struct Keyed<S> {
    id: usize,
    hasher: foldhash::fast::RandomState,
    shards: Box<[Index]>,
    arena: boxcar::Vec<Entry<S>>,
    len: AtomicUsize,
    overflow: OnceLock<Entry<S>>,
    folded: AtomicU64,
    /// Longest value that gets a series; longer ones fold.
    max_value_bytes: AtomicUsize,
}

impl<S> Keyed<S> {
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
    /// the same address may hold new text, so the content is always compared.
    #[inline(always)]
    fn recent(&self, free: &[&str]) -> Option<&Entry<S>> {
        let place = self.place(free);
        let (id, p, i) = RECENT
            .try_with(|r| r.get(memo_slot(place)).map(Cell::get))
            .ok()
            .flatten()?;
        if id != self.id || p != place {
            return None;
        }
        self.arena.get(i).filter(|e| e.key.matches(free))
    }

    fn remember(&self, free: &[&str], i: usize) {
        let place = self.place(free);
        let _ = RECENT.try_with(|r| r.get(memo_slot(place)).map(|c| c.set((self.id, place, i))));
    }

    /// Whether no value of `free` is longer than the cap: checked before hashing, so a huge
    /// value costs a length comparison, not a hash of its bytes.
    #[inline]
    fn within_cap(&self, free: &[&str]) -> bool {
        let max = self.max_value_bytes.load(Relaxed);
        free.iter().all(|v| v.len() <= max)
    }
}

#[inline(always)]
fn memo_slot(place: u64) -> usize {
    (place >> 58) as usize % MEMO
}

/// A metric family: every series of one name, addressed by label values.
///
/// Users name it through the aliases [`Counter`](crate::Counter), [`Gauge`](crate::Gauge),
/// [`Histogram`](crate::Histogram) and friends, and reach series through generated accessors.
#[derive(Debug)]
pub struct Family<S> {
    desc: &'static FamilyDesc,
    store: Store<S>,
}

// One store per family, so the size difference is irrelevant; boxing would add a hop per update.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum Store<S> {
    Dense(Entry<S>),
    Keyed(Keyed<S>),
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

impl<S: Series> Family<S> {
    /// Creates the family; enumerated combinations exist (zeroed) from here on.
    pub fn new(desc: &'static FamilyDesc) -> Self {
        let store = if desc.free_form_count() == 0 {
            Store::Dense(Entry::new(desc, &[]))
        } else {
            Store::Keyed(Keyed {
                id: NEXT_FAMILY_ID.fetch_add(1, Relaxed),
                hasher: foldhash::fast::RandomState::default(),
                shards: (0..SHARDS).map(|_| Index::new()).collect(),
                arena: boxcar::Vec::new(),
                len: AtomicUsize::new(0),
                overflow: OnceLock::new(),
                folded: AtomicU64::new(0),
                max_value_bytes: AtomicUsize::new(DEFAULT_MAX_LABEL_VALUE_BYTES),
            })
        };
        Self { desc, store }
    }

    /// The family's descriptor.
    pub fn desc(&self) -> &'static FamilyDesc {
        self.desc
    }

    /// The series for free-form values `free` (declared order) and enumerated slot `slot`.
    ///
    /// A repeat hit from the same thread is a memo probe and one key comparison; any other hit is
    /// one hash and a lock-free index probe. No allocation either way. A new tuple past the series
    /// budget lands in the overflow series and is counted in [`Family::folded`], and so does a
    /// tuple with a value that never gets a series: [`OVERFLOW_VALUE`] itself, or one longer than
    /// the label value cap ([`DEFAULT_MAX_LABEL_VALUE_BYTES`]). Never panics.
    ///
    /// Generated accessors call this with a slot computed from the declared enums; users call
    /// the accessors, or [`Family::get_by_values`] for labels known only at run time.
    // Always inlined into the generated accessor, where `free` has a known length: families
    // without free-form labels compile to the slot index, the others to the memo probe.
    #[doc(hidden)]
    #[inline(always)]
    pub fn get(&self, free: &[&str], slot: usize) -> &S {
        let entry = match &self.store {
            Store::Dense(e) => e,
            Store::Keyed(k) if free.is_empty() => self.lookup(k, free),
            Store::Keyed(k) => match k.recent(free) {
                Some(e) => e,
                None => self.lookup(k, free),
            },
        };
        // Generated accessors compute `slot` from the declared enums, so it is always in range.
        entry.series.get(slot).unwrap_or(&entry.series[0])
    }

    /// The index path: hash and a lock-free probe; on a miss, the shard's writer lock, the series
    /// budget and a new entry. Values that may not be stored fold without hashing or locking.
    #[inline(never)]
    fn lookup<'a>(&'a self, k: &'a Keyed<S>, free: &[&str]) -> &'a Entry<S> {
        if !k.within_cap(free) {
            return self.fold(k, free.len());
        }
        let hash = hash_key(&k.hasher, free.iter().copied());
        let shard = &k.shards[(hash >> 60) as usize % SHARDS];
        let eq = |i: usize| k.arena.get(i).is_some_and(|e| e.key.matches(free));
        let found = shard.find(hash, eq).or_else(|| {
            // No stored key holds the overflow value, so only a miss can see it: it folds
            // without taking the shard's lock.
            if free.contains(&OVERFLOW_VALUE) {
                return None;
            }
            let make = || {
                let budget = self.desc.series_budget();
                k.len
                    .fetch_update(Relaxed, Relaxed, |n| (n < budget).then_some(n + 1))
                    .ok()?;
                Some(k.arena.push(Entry::new(self.desc, free)))
            };
            let rehash = |i: usize| {
                k.arena
                    .get(i)
                    .map_or(0, |e| hash_key(&k.hasher, e.key.parts()))
            };
            match shard.find_or_insert(hash, eq, make, rehash) {
                Found::Existing(i) | Found::Inserted(i) => Some(i),
                Found::Refused => None,
            }
        });
        if let Some((i, e)) = found.and_then(|i| Some((i, k.arena.get(i)?))) {
            k.remember(free, i);
            return e;
        }
        self.fold(k, free.len())
    }

    /// The overflow entry, counting one more folded update.
    fn fold<'a>(&'a self, k: &'a Keyed<S>, values: usize) -> &'a Entry<S> {
        saturating_add(&k.folded, 1);
        k.overflow.get_or_init(|| {
            let key = vec![OVERFLOW_VALUE; values];
            Entry::new(self.desc, &key)
        })
    }

    /// The series for label values given as strings in declared order, checked at run time:
    /// for callers whose labels are only known dynamically (config-driven services, demos).
    pub fn get_by_values(&self, values: &[&str]) -> Result<&S, LabelError> {
        let (free, slot) = resolve(self.desc, values)?;
        Ok(self.get(&free, slot))
    }

    /// Updates folded into the overflow series: past the series budget, or with a value that
    /// never gets a series (the overflow value itself, or one longer than the cap).
    pub fn folded(&self) -> u64 {
        match &self.store {
            Store::Dense(_) => 0,
            Store::Keyed(k) => k.folded.load(Relaxed),
        }
    }

    /// Updates dropped because the exposition could not represent them: a histogram's NaN,
    /// infinite or (when it exposes `_sum`) negative observations. Sums every series.
    pub fn dropped(&self) -> u64 {
        let mut n = 0u64;
        if self.desc.kind == crate::Kind::Histogram {
            self.for_each_entry(|e| {
                n = e
                    .series
                    .iter()
                    .fold(n, |n, s| n.saturating_add(s.dropped()));
            });
        }
        n
    }

    /// The longest free-form value, in bytes, that gets a series of its own from now on
    /// (default [`DEFAULT_MAX_LABEL_VALUE_BYTES`]); set by the registry a family is registered
    /// with when it was built with
    /// [`max_label_value_bytes`](crate::RegistryBuilder::max_label_value_bytes).
    ///
    /// Meant for before the first update (the registry sets it on registration): series stored
    /// earlier stay exposed.
    pub fn set_max_label_value_bytes(&self, bytes: usize) {
        if let Store::Keyed(k) = &self.store {
            k.max_value_bytes.store(bytes, Relaxed);
        }
    }

    /// Number of series currently exposed (including the overflow series once used).
    pub fn series_count(&self) -> usize {
        let per = self.desc.dense_len();
        match &self.store {
            Store::Dense(_) => per,
            Store::Keyed(k) => (k.arena.count() + usize::from(k.overflow.get().is_some())) * per,
        }
    }

    fn for_each_entry(&self, mut f: impl FnMut(&Entry<S>)) {
        match &self.store {
            Store::Dense(e) => f(e),
            Store::Keyed(k) => {
                for (_, e) in k.arena.iter() {
                    f(e);
                }
                if let Some(e) = k.overflow.get() {
                    f(e);
                }
            }
        }
    }
}

/// Splits declared-order label values into free-form values and the enumerated slot.
fn resolve<'v>(desc: &FamilyDesc, values: &[&'v str]) -> Result<(Vec<&'v str>, usize), LabelError> {
    if values.len() != desc.labels.len() {
        let names: Vec<&str> = desc.labels.iter().map(|l| l.name).collect();
        return Err(LabelError::new(format!(
            "`{}` takes {} label values ({}), got {}",
            desc.name,
            names.len(),
            names.join(", "),
            values.len()
        )));
    }
    let mut free = Vec::new();
    let mut slot = 0;
    for (l, v) in desc.labels.iter().zip(values) {
        match l.values {
            None => free.push(*v),
            Some(allowed) => {
                let i = allowed.iter().position(|a| a == v).ok_or_else(|| {
                    LabelError::new(format!(
                        "label `{}` of `{}` has no value `{v}`; expected one of: {}",
                        l.name,
                        desc.name,
                        allowed.join(", ")
                    ))
                })?;
                slot = slot * allowed.len() + i;
            }
        }
    }
    Ok((free, slot))
}

impl<S: Series> AnyFamily for Family<S> {
    fn desc(&self) -> &'static FamilyDesc {
        self.desc
    }
    fn for_each_series(&self, f: &mut dyn FnMut(&SeriesRef<'_>)) {
        self.for_each_entry(|e| {
            for (slot, (s, text)) in e.series.iter().zip(e.labels.parts()).enumerate() {
                let labels = Labels::Stored { key: &e.key, slot };
                f(&SeriesRef::new(self.desc, labels, text, s.read()));
            }
        });
    }
    fn folded(&self) -> u64 {
        Family::folded(self)
    }
    fn dropped(&self) -> u64 {
        Family::dropped(self)
    }
    fn set_max_label_value_bytes(&self, bytes: usize) {
        Family::set_max_label_value_bytes(self, bytes)
    }
    fn series_count(&self) -> usize {
        Family::series_count(self)
    }
    fn record(&self, labels: &[&str], value: f64) -> Result<(), LabelError> {
        self.get_by_values(labels).map(|s| s.record(value))
    }
}
