//! Native (sparse, exponential) histogram buckets, as Prometheus defines them.
//!
//! A native histogram counts each observation in one bucket of an exponential scale: at
//! *schema* `s` (from [`MIN_SCHEMA`] to [`MAX_SCHEMA`]) bucket `i` holds the values `v` with
//! `2^((i-1)·2^-s) < v <= 2^(i·2^-s)` (upper bounds inclusive), so each bucket is `2^(2^-s)`
//! times as wide as the one below (schema 3: about 9 %). Values with `|v| <=` the zero
//! threshold go to the zero bucket, negative values to a second bucket set indexed by `|v|`.
//! Only populated buckets exist; when there are more than the declared maximum, the schema
//! drops by one, which merges bucket `i` into bucket `ceil(i / 2)` (so `2k-1` and `2k` into
//! `k`, for negative indices too), until they fit. The schema never goes below [`MIN_SCHEMA`]:
//! there, as in client_golang, the maximum may be exceeded (at most 132 buckets per sign can
//! exist at schema -4, however many are declared).
//!
//! What is observed follows [`HistogramValue`](super::HistogramValue)'s rule, not Prometheus's:
//! NaN and ±Inf are dropped and counted as dropped (Prometheus counts a NaN and makes the sum
//! NaN), and negative values are observed only by a histogram whose classic bounds include a
//! negative one (a native-only histogram exposes `_sum`, so it drops them); both parts of a
//! histogram always see the same observations.
//!
//! # Bucket boundaries
//!
//! The boundaries are `2^(j/256)` rounded to the nearest `f64`, from one table of the 256
//! fractions `2^(j/256 - 1)` (`j = 0..256`, generated to 80 digits and checked against
//! `exp2` by a test); schema `s > 0` uses every `2^(8-s)`-th entry. A value equal to a rounded
//! boundary belongs to the bucket it closes. Taking every schema's boundaries from one table
//! makes the boundaries of schema `s - 1` exactly a subset of those of schema `s`, so merging
//! buckets gives exactly what observing at the coarser schema would have. The index of `v` is
//! found from its binary exponent and a binary search of the fraction in the table (at most
//! eight comparisons), never from a logarithm, which rounds wrongly near exact powers.
//!
//! # Storage
//!
//! Each series owns fixed-capacity open-addressing tables, never grown: a key array
//! (`AtomicI32`, the bucket index times two plus one for the negative set; `i32::MIN` when
//! empty) and a count array (`AtomicU64`), probed linearly from a Fibonacci hash of the key. A
//! table's capacity is a power of two of at least twice the maximum bucket count (a load factor
//! of at most one half keeps probes short) and more than every bucket that can exist at schema
//! -4, so a table can never be full there: [`table_capacity`] (512 cells for the defaults,
//! 12 bytes each). A series has two such tables, one current and one spare that a reduction
//! fills (below); the spare is allocated by the first reduction or reset, so a series whose
//! buckets always fit never has it. Besides, an *overflow* array holds one count per bucket that
//! can exist at schema -4 (8 bytes each: 72 per set above the default zero threshold `2^-128`),
//! for the rare observation that finds no room anywhere else. Its memory is fixed whatever is
//! observed: for the defaults with negative values, `12 × 512 + 8 × 144 + 184 + 8 = 7488`
//! bytes until the first reduction (a 184-byte header in an allocation of its own and an
//! 8-byte pointer in the histogram series) and `7488 + 12 × 512 = 13632` bytes after it (576
//! fewer without negative values). (client_golang allocates per populated bucket instead,
//! which is smaller for a narrow distribution but grows and allocates on the observe path.)
//!
//! # Concurrency
//!
//! Observing is lock-free: an observer never waits for another thread, and allocates nothing
//! once its bucket exists.
//!
//! A *generation* counter names the current table (`generation & 1`), and each table has a
//! count of observers inside it. An observer loads the generation, increments that table's
//! count, and loads the generation again: if it changed, it decrements and starts over with the
//! new one (the generation changes at most 12 times between resets). Inside, it finds its
//! bucket's cell and adds one to the count; a new bucket is claimed with a compare-and-swap of
//! an empty key cell, after reserving a place under the maximum in a population counter. Keys
//! are only ever set, never changed or removed, while a table is current or has observers, so
//! the insert-only probing is sound: two threads with the same new key walk the same cells and
//! the first compare-and-swap wins. Then it decrements the count. Observing into an existing
//! bucket is four atomic operations on top of the probe (two of them on the observer count,
//! which threads observing one series share, as they share the count cells).
//!
//! A *reduction* (lowering the schema) is serialised by a mutex, and taken by the observer
//! whose new bucket finds the maximum reached if it gets the mutex without waiting
//! (`try_lock`). It sets the empty spare table's schema, makes it current (a new generation),
//! then waits until the old table's observer count is zero, and only then moves every old
//! count into the new table at the new schema with the same claim-and-add observers use (they
//! may be adding to the new table meanwhile; adds commute), and empties the old table, which
//! becomes the spare. The generation store and the count load on the reducer's side, and the
//! increment and generation load on the observer's, are all sequentially consistent: either
//! the observer sees the new generation (and leaves) or the reducer sees its increment (and
//! waits for its decrement, which releases its add). So no add lands in a table being moved,
//! none is lost or counted twice. A reduction repeats while more than the maximum are
//! populated. The reducer is the only one that waits here, and only for observers already
//! inside the old table, each a few atomic operations from leaving (or one that was preempted
//! there: then until it is scheduled again); it spins briefly, then yields.
//!
//! An observer whose new bucket finds the maximum reached while another thread holds the mutex
//! does not wait either: it claims a cell anyway while the table has a free one (never all, so
//! probes end), so the maximum is exceeded briefly, as client_golang allows; the reduction under
//! way, or the next scrape, brings the count back under it. Only when a table is truly full (a
//! burst of hundreds of new buckets during one reduction, or a reduction's moved buckets not
//! fitting) does a count go to the overflow array, indexed by its bucket at schema -4, which
//! can hold every bucket there. The next reduction or scrape then lowers the schema to -4 at
//! once and moves the overflow into the table: a coarser result, but every observation stays
//! in the bucket it belongs to at the schema shown.
//!
//! A scrape ([`NativeValue::snapshot`]) takes the mutex (so a scrape may wait for a reduction
//! in progress; observers never do), folds in any overflow, reduces if the maximum is exceeded,
//! and copies the populated cells of the current table: the spare is empty whenever the mutex
//! is free, so each observation is read exactly once, and the count of a snapshot is always
//! the zero count plus the sum of its buckets. An observation that finishes after the copy
//! began may be in it or in the next one. [`Series::reset`](super::Series::reset) and
//! [`Series::absorb`](super::Series::absorb) take the mutex too; a reset makes the spare, at the
//! declared schema, current, and empties the old table once its observers have left.
//!
//! Why not a lock: with a readers-writer lock (the previous design), observers wait while a
//! reduction holds it, and a task-fair lock makes them wait for a queued writer too. Why not
//! one table merged in place: an add racing the merge would land in a cell already drained
//! (lost) or keyed at the old schema (misplaced), and a sequence counter cannot undo it after
//! the fact. The two tables cost a second 6 KiB per reduced series; per-thread tables like the
//! classic buckets' lanes would multiply it by the lanes, and an epoch scheme freeing rebuilt
//! tables would need `unsafe` or another dependency.

use std::fmt;
use std::sync::atomic::{AtomicI32, AtomicU32, AtomicU64, Ordering::*};
use std::sync::OnceLock;

use parking_lot::{Mutex, MutexGuard};

use super::lane::saturating_add;
use crate::desc::NativeSpec;

/// The coarsest schema: buckets `2^16` times as wide as the one below.
pub(crate) const MIN_SCHEMA: i32 = NativeSpec::MIN_SCHEMA as i32;
/// The finest schema: buckets `2^(1/256)` (about 1.0027) times as wide as the one below.
pub(crate) const MAX_SCHEMA: i32 = NativeSpec::MAX_SCHEMA as i32;

/// `2^(j/256 - 1)` for `j = 0..256`, each the nearest `f64`: the fractions (in `[0.5, 1)`) of the
/// bucket boundaries of schema 8, and, every `2^(8-s)`-th, of schema `s > 0`.
#[rustfmt::skip]
const FRACTIONS: [f64; 256] = [
    0.5, 0.5013556375251013, 0.5027149505564014, 0.5040779490592088,
    0.5054446430258502, 0.5068150424757447, 0.5081891574554765, 0.509566998038869,
    0.5109485743270583, 0.5123338964485679, 0.5137229745593819, 0.5151158188430205,
    0.5165124395106142, 0.5179128468009786, 0.5193170509806894, 0.520725062344158,
    0.5221368912137069, 0.5235525479396449, 0.5249720429003436, 0.5263953865023132,
    0.5278225891802786, 0.5292536613972564, 0.530688613644631, 0.5321274564422322,
    0.5335702003384118, 0.5350168559101209, 0.5364674337629878, 0.5379219445313955,
    0.5393803988785599, 0.5408428074966076, 0.5423091811066546, 0.5437795304588848,
    0.5452538663326288, 0.5467321995364429, 0.5482145409081884, 0.549700901315111,
    0.5511912916539204, 0.5526857228508706, 0.5541842058618394, 0.5556867516724088,
    0.5571933712979462, 0.5587040757836846, 0.5602188762048034, 0.56173778366651,
    0.5632608093041209, 0.564787964283144, 0.5663192597993596, 0.5678547070789027,
    0.5693943173783458, 0.5709381019847808, 0.5724860722159021, 0.5740382394200895,
    0.5755946149764913, 0.577155210295108, 0.5787200368168756, 0.5802891060137494,
    0.5818624293887887, 0.5834400184762408, 0.5850218848416251, 0.5866080400818187,
    0.5881984958251406, 0.5897932637314379, 0.5913923554921705, 0.5929957828304969,
    0.5946035575013605, 0.5962156912915756, 0.5978321960199137, 0.5994530835371903,
    0.6010783657263515, 0.6027080545025619, 0.6043421618132908, 0.6059806996384006,
    0.6076236799902345, 0.6092711149137042, 0.6109230164863788, 0.6125793968185728,
    0.614240268053435, 0.6159056423670379, 0.6175755319684667, 0.6192499490999083,
    0.620928906036742, 0.622612415087629, 0.6243004885946024, 0.6259931389331581,
    0.6276903785123455, 0.6293922197748583, 0.6310986751971254, 0.6328097572894031,
    0.6345254785958666, 0.6362458516947014, 0.637970889198196, 0.6397006037528347,
    0.6414350080393891, 0.6431741147730128, 0.6449179367033329, 0.6466664866145447,
    0.6484197773255048, 0.6501778216898253, 0.6519406325959679, 0.6537082229673387,
    0.6554806057623822, 0.6572577939746773, 0.659039800633032, 0.6608266388015788,
    0.6626183215798707, 0.6644148621029772, 0.6662162735415808, 0.6680225691020729,
    0.6698337620266515, 0.6716498655934177, 0.6734708931164729, 0.6752968579460172,
    0.6771277734684463, 0.6789636531064506, 0.6808045103191124, 0.682650358602006,
    0.6845012114872953, 0.6863570825438342, 0.6882179853772651, 0.690083933630119,
    0.691954940981916, 0.6938310211492645, 0.6957121878859631, 0.6975984549831001,
    0.6994898362691556, 0.7013863456101024, 0.7032879969095077, 0.7051948041086353,
    std::f64::consts::FRAC_1_SQRT_2, 0.7090239421602076, 0.7109463010845828, 0.7128738720527471,
    0.714806669195985, 0.7167447066838945, 0.7186879987244912, 0.7206365595643128,
    0.7225904034885233, 0.7245495448210175, 0.7265139979245263, 0.7284837772007219,
    0.7304588970903235, 0.7324393720732029, 0.7344252166684909, 0.7364164454346838,
    0.7384130729697497, 0.7404151139112359, 0.7424225829363762, 0.7444354947621985,
    0.7464538641456324, 0.7484777058836177, 0.7505070348132128, 0.7525418658117032,
    0.7545822137967114, 0.7566280937263049, 0.7586795205991074, 0.7607365094544073,
    0.7627990753722692, 0.7648672334736435, 0.766940998920478, 0.7690203869158284,
    0.7711054127039704, 0.7731960915705107, 0.7752924388425, 0.7773944698885443,
    0.7795022001189185, 0.7816156449856788, 0.7837348199827765, 0.7858597406461707,
    0.7879904225539432, 0.7901268813264123, 0.7922691326262469, 0.794417192158582,
    0.7965710756711335, 0.7987307989543135, 0.8008963778413467, 0.8030678282083855,
    0.8052451659746271, 0.8074284071024304, 0.8096175675974319, 0.8118126635086644,
    0.8140137109286739, 0.8162207259936375, 0.8184337248834822, 0.8206527238220032,
    0.8228777390769825, 0.8251087869603089, 0.8273458838280972, 0.8295890460808081,
    0.8318382901633682, 0.8340936325652912, 0.8363550898207983, 0.8386226785089392,
    0.8408964152537145, 0.8431763167241967, 0.8454623996346526, 0.8477546807446663,
    0.8500531768592617, 0.8523579048290256, 0.8546688815502315, 0.856986123964963,
    0.859309649061239, 0.861639473873137, 0.8639756154809188, 0.8663180910111555,
    0.8686669176368531, 0.8710221125775782, 0.8733836930995845, 0.8757516765159391,
    0.8781260801866497, 0.880506921518792, 0.8828942179666364, 0.8852879870317774,
    0.8876882462632606, 0.8900950132577122, 0.8925083056594675, 0.8949281411607005,
    0.8973545375015536, 0.8997875124702676, 0.902227083903312, 0.904673269685516,
    0.9071260877501994, 0.9095855560793042, 0.9120516927035267, 0.9145245157024486,
    0.9170040432046712, 0.9194902933879469, 0.921983284479313, 0.9244830347552254,
    0.9269895625416927, 0.9295028862144102, 0.9320230241988945, 0.9345499949706193,
    0.93708381705515, 0.9396245090282801, 0.9421720895161673, 0.9447265771954696,
    0.9472879907934828, 0.9498563490882777, 0.9524316709088371, 0.9550139751351949,
    0.9576032806985737, 0.9601996065815237, 0.9628029718180625, 0.9654133954938136,
    0.9680308967461472, 0.9706554947643202, 0.9732872087896166, 0.9759260581154892,
    0.9785720620877001, 0.9812252401044637, 0.9838856116165879, 0.9865531961276172,
    0.9892280131939755, 0.9919100824251097, 0.9945994234836332, 0.9972960560854701,
];

/// `v = fraction × 2^exponent` with the fraction in `[0.5, 1)`, for a positive finite `v`
/// (C's `frexp`): read off the bits, subnormals scaled up first.
fn frexp(v: f64) -> (f64, i32) {
    const EXPONENT: u64 = 0x7ff << 52;
    let (v, shift) = if v.to_bits() & EXPONENT == 0 {
        // Subnormal: 2^64 × v is normal and exact.
        (v * f64::from_bits((1023 + 64) << 52), -64)
    } else {
        (v, 0)
    };
    let bits = v.to_bits();
    let exponent = ((bits & EXPONENT) >> 52) as i32 - 1022;
    (
        f64::from_bits((bits & !EXPONENT) | (1022 << 52)),
        exponent + shift,
    )
}

/// The index at `schema` of the bucket holding `v` (positive and finite): the smallest `i` with
/// `v <= 2^(i·2^-schema)`, boundaries rounded as [`FRACTIONS`] has them.
pub(crate) fn bucket_index(v: f64, schema: i32) -> i32 {
    let (fraction, exponent) = frexp(v);
    if schema > 0 {
        let schema = schema.min(MAX_SCHEMA);
        let per_octave = 1usize << schema;
        let stride = MAX_SCHEMA - schema;
        // The first boundary fraction at or above `fraction`, `per_octave` if none.
        let (mut lo, mut hi) = (0usize, per_octave);
        while lo < hi {
            let mid = (lo + hi) / 2;
            let bound = FRACTIONS.get(mid << stride).copied().unwrap_or(1.0);
            if fraction <= bound {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        lo as i32 + (exponent - 1) * per_octave as i32
    } else {
        // Schema 0: `v` in `[2^(e-1), 2^e)`, and exactly `2^(e-1)` belongs to bucket `e - 1`.
        let octave = if fraction == 0.5 {
            exponent - 1
        } else {
            exponent
        };
        let shift = -schema.max(MIN_SCHEMA);
        // ceil(octave / 2^shift): the shift floors, so round up first.
        (octave + (1 << shift) - 1) >> shift
    }
}

/// Bucket `index` at schema `s` lies in bucket `ceil(index / 2)` at schema `s - 1`: buckets
/// `2k-1` and `2k` merge into `k` (`-1` into `0`, `-3` and `-2` into `-1`).
#[cfg(test)]
pub(crate) fn coarser_index(index: i32) -> i32 {
    (index >> 1) + (index & 1)
}

/// [`coarser_index`] applied `levels` times: `ceil(index / 2^levels)`.
fn coarser_by(index: i32, levels: u32) -> i32 {
    let levels = levels.min(31);
    ((i64::from(index) + (1i64 << levels) - 1) >> levels) as i32
}

/// A cell key: the bucket index and the bucket set (negative or not) in one `i32`. Indices
/// lie within ±275,000 (schema 8 spans `2^-1074` to `2^1024`), so the key never overflows
/// nor meets [`EMPTY`].
fn key(index: i32, negative: bool) -> i32 {
    index.wrapping_mul(2) | i32::from(negative)
}

/// The bucket index and set of a key.
fn unkey(key: i32) -> (i32, bool) {
    (key >> 1, key & 1 == 1)
}

/// The key of an unclaimed cell.
const EMPTY: i32 = i32::MIN;

/// The lowest and highest bucket indices at [`MIN_SCHEMA`] of values above `zero_threshold`
/// (per set); `None` if no finite value is above it.
fn min_schema_range(zero_threshold: f64) -> Option<(i32, i32)> {
    let lowest = if zero_threshold >= 0.0 {
        zero_threshold.next_up()
    } else {
        f64::from_bits(1)
    };
    if lowest.is_infinite() {
        return None;
    }
    Some((
        bucket_index(lowest, MIN_SCHEMA),
        bucket_index(f64::MAX, MIN_SCHEMA),
    ))
}

/// Buckets (both sets) that can exist at [`MIN_SCHEMA`] when values `<= zero_threshold` go to
/// the zero bucket: 132 per set with no zero threshold, 72 with the default `2^-128`.
fn buckets_at_min_schema(zero_threshold: f64, negatives: bool) -> usize {
    let Some((lowest, highest)) = min_schema_range(zero_threshold) else {
        return 0;
    };
    let per_set = highest - lowest + 1;
    per_set.max(0) as usize * if negatives { 2 } else { 1 }
}

/// Cells in the table of a series: a power of two, at least twice `max_buckets` and more than
/// every bucket that can exist at [`MIN_SCHEMA`] (both sets when `negatives` are observed), so
/// the table always has an empty cell. 512 for the defaults (160 buckets, zero threshold
/// `2^-128`), with or without negative values; 12 bytes each.
pub(crate) fn table_capacity(spec: &NativeSpec, negatives: bool) -> usize {
    let spec = Sanitized::of(spec);
    let at_min = buckets_at_min_schema(spec.zero_threshold, negatives);
    (2 * spec.max_buckets as usize)
        .max(at_min + 1)
        .max(2)
        .next_power_of_two()
}

/// A spec brought into range, so a hand-written descriptor cannot make a series misbehave
/// (declarations are checked: the derive at compile time, [`FamilyBuilder`](crate::FamilyBuilder)
/// when building).
struct Sanitized {
    schema: i32,
    zero_threshold: f64,
    max_buckets: u32,
}

impl Sanitized {
    fn of(spec: &NativeSpec) -> Sanitized {
        let zero_threshold = if spec.zero_threshold >= 0.0 {
            spec.zero_threshold
        } else {
            // Negative or NaN.
            0.0
        };
        Sanitized {
            schema: i32::from(spec.schema).clamp(MIN_SCHEMA, MAX_SCHEMA),
            zero_threshold,
            max_buckets: spec.max_buckets.clamp(1, NativeSpec::MAX_BUCKETS_LIMIT),
        }
    }
}

/// The buckets of one series at one schema. Its schema changes, and its cells are emptied, only
/// while it is not current and has no observers (under [`NativeValue::reduction`]).
struct Table {
    schema: AtomicI32,
    /// Cell keys ([`key`]), [`EMPTY`] until claimed.
    keys: Box<[AtomicI32]>,
    /// Cell counts.
    counts: Box<[AtomicU64]>,
    /// Cells claimed, plus places reserved by claims in flight.
    populated: AtomicU32,
    /// `32 - log2(capacity)`: the hash's top bits pick the first cell.
    shift: u32,
}

impl Table {
    fn new(schema: i32, capacity: usize) -> Table {
        let capacity = capacity.max(2).next_power_of_two();
        Table {
            schema: AtomicI32::new(schema),
            keys: (0..capacity).map(|_| AtomicI32::new(EMPTY)).collect(),
            counts: (0..capacity).map(|_| AtomicU64::new(0)).collect(),
            populated: AtomicU32::new(0),
            shift: 32 - capacity.trailing_zeros(),
        }
    }

    fn schema(&self) -> i32 {
        self.schema.load(Relaxed)
    }

    /// Cells that may be claimed whatever the maximum: all but one, so probes always end.
    fn physical_limit(&self) -> u32 {
        u32::try_from(self.keys.len() - 1).unwrap_or(u32::MAX)
    }

    /// The first cell probed for `key`. Fibonacci hashing: neighbouring indices land far
    /// apart.
    fn home(&self, key: i32) -> usize {
        ((key as u32).wrapping_mul(0x9E37_79B9) >> self.shift) as usize
    }

    /// Cells probed for `key`, in order: all of them, from its home, wrapping around.
    fn probe(&self, key: i32) -> impl Iterator<Item = usize> {
        let (home, mask) = (self.home(key), self.keys.len() - 1);
        (0..self.keys.len()).map(move |step| (home + step) & mask)
    }

    /// The count cell of `key`, claiming a cell for it if it has none and fewer than `limit`
    /// are populated; `None` when it has none and the table is at its limit.
    ///
    /// The hot path: atomic loads, and for a new bucket one compare-and-swap and a population
    /// update; no allocation, no lock.
    fn find_or_claim(&self, key: i32, limit: u32) -> Option<&AtomicU64> {
        for i in self.probe(key) {
            let cell = self.keys.get(i)?;
            let mut found = cell.load(Acquire);
            if found == EMPTY {
                // Reserve a place under the limit first, so claims in flight never exceed it.
                if self.populated.fetch_add(1, Relaxed) >= limit {
                    self.populated.fetch_sub(1, Relaxed);
                    return None;
                }
                match cell.compare_exchange(EMPTY, key, AcqRel, Acquire) {
                    Ok(_) => return self.counts.get(i),
                    Err(other) => {
                        // Another claim took the cell first: ours if it was the same key.
                        self.populated.fetch_sub(1, Relaxed);
                        found = other;
                    }
                }
            }
            if found == key {
                return self.counts.get(i);
            }
        }
        None
    }

    /// Whether `key` has a cell.
    fn contains(&self, key: i32) -> bool {
        for i in self.probe(key) {
            match self.keys.get(i).map(|k| k.load(Acquire)) {
                Some(k) if k == key => return true,
                Some(EMPTY) | None => return false,
                _ => {}
            }
        }
        false
    }

    /// Every populated cell's key and count, emptying the table: only for a table with no
    /// observers.
    fn drain(&self) -> impl Iterator<Item = (i32, u64)> + '_ {
        self.populated.store(0, Relaxed);
        self.keys
            .iter()
            .zip(self.counts.iter())
            .filter_map(|(k, c)| {
                let (k, c) = (k.swap(EMPTY, Relaxed), c.swap(0, Relaxed));
                (k != EMPTY && c > 0).then_some((k, c))
            })
    }
}

/// One count per bucket that can exist at [`MIN_SCHEMA`], indexed directly: where a count goes
/// when a table has no free cell for it (see the module doc).
struct Overflow {
    counts: Box<[AtomicU64]>,
    /// The lowest bucket index at [`MIN_SCHEMA`] above the zero threshold.
    lowest: i32,
    /// Buckets per set; the negative set, when kept, follows the positive one.
    per_set: usize,
}

impl Overflow {
    fn new(zero_threshold: f64, negatives: bool) -> Overflow {
        let (lowest, per_set) = match min_schema_range(zero_threshold) {
            Some((lowest, highest)) => (lowest, (highest - lowest + 1).max(0) as usize),
            None => (0, 0),
        };
        let len = per_set * if negatives { 2 } else { 1 };
        Overflow {
            counts: (0..len).map(|_| AtomicU64::new(0)).collect(),
            lowest,
            per_set,
        }
    }

    /// The count of bucket `index` at [`MIN_SCHEMA`]. Indices of observed values are always in
    /// range; anything else (a foreign snapshot's) is clamped rather than lost.
    fn cell(&self, index: i32, negative: bool) -> Option<&AtomicU64> {
        let offset = (i64::from(index) - i64::from(self.lowest)).max(0) as usize;
        let offset = offset.min(self.per_set.saturating_sub(1));
        let slot = offset + if negative { self.per_set } else { 0 };
        self.counts.get(slot).or_else(|| self.counts.last())
    }

    /// Adds `n` to the bucket of `key`, a key at `schema`.
    fn add(&self, key: i32, schema: i32, n: u64) {
        let (index, negative) = unkey(key);
        let levels = u32::try_from(schema - MIN_SCHEMA).unwrap_or(0);
        if let Some(cell) = self.cell(coarser_by(index, levels), negative) {
            saturating_add(cell, n);
        }
    }

    fn is_empty(&self) -> bool {
        self.counts.iter().all(|c| c.load(Relaxed) == 0)
    }
}

/// The native part of a histogram series.
pub(super) struct NativeValue {
    /// The declared schema, which a reset returns to.
    schema: i32,
    zero_threshold: f64,
    max_buckets: u32,
    /// Observations with `|v| <= zero_threshold`.
    zero: AtomicU64,
    /// The current table is `first` when even, `second` when odd.
    generation: AtomicU64,
    /// Observers inside (or about to check whether they may enter) `first` and `second`.
    observers: [AtomicU32; 2],
    first: Table,
    /// The other table, allocated by the first reduction or reset.
    second: OnceLock<Table>,
    overflow: Overflow,
    /// Held to change which table is current: reductions, scrapes, resets, absorbs. Observers
    /// only ever `try_lock` it.
    reduction: Mutex<()>,
}

impl fmt::Debug for NativeValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let generation = self.generation.load(Acquire);
        let table = self.table(generation).unwrap_or(&self.first);
        f.debug_struct("NativeValue")
            .field("schema", &table.schema())
            .field("zero_threshold", &self.zero_threshold)
            .field("max_buckets", &self.max_buckets)
            .field("generation", &generation)
            .field("populated", &table.populated.load(Relaxed))
            .field("capacity", &table.keys.len())
            .field("zero_count", &self.zero.load(Relaxed))
            .finish()
    }
}

impl NativeValue {
    /// An empty series of `spec`; `negatives` when the histogram observes negative values.
    pub(super) fn new(spec: &NativeSpec, negatives: bool) -> NativeValue {
        let capacity = table_capacity(spec, negatives);
        let spec = Sanitized::of(spec);
        NativeValue {
            schema: spec.schema,
            zero_threshold: spec.zero_threshold,
            max_buckets: spec.max_buckets,
            zero: AtomicU64::new(0),
            generation: AtomicU64::new(0),
            observers: [AtomicU32::new(0), AtomicU32::new(0)],
            first: Table::new(spec.schema, capacity),
            second: OnceLock::new(),
            overflow: Overflow::new(spec.zero_threshold, negatives),
            reduction: Mutex::new(()),
        }
    }

    /// The table of `generation` (`None` only for an odd one before the spare exists, which is
    /// never current).
    fn table(&self, generation: u64) -> Option<&Table> {
        if generation & 1 == 0 {
            Some(&self.first)
        } else {
            self.second.get()
        }
    }

    /// The current generation and its table, for the holder of [`Self::reduction`] (under
    /// which it cannot change).
    fn current(&self, _: &MutexGuard<'_, ()>) -> (u64, &Table) {
        let generation = self.generation.load(Acquire);
        (generation, self.table(generation).unwrap_or(&self.first))
    }

    /// Enters the current table as an observer: the generation and table, until
    /// [`Self::leave`]. While an observer is inside, its table stays current or, once a
    /// reduction has replaced it, keeps its cells until the observer leaves.
    #[inline]
    fn enter(&self) -> (u64, &Table) {
        let mut generation = self.generation.load(SeqCst);
        loop {
            let observers = self.observers(generation);
            observers.fetch_add(1, SeqCst);
            let now = self.generation.load(SeqCst);
            if now == generation {
                if let Some(table) = self.table(generation) {
                    return (generation, table);
                }
            }
            // A reduction made another table current meanwhile: enter that one.
            observers.fetch_sub(1, Release);
            generation = now;
        }
    }

    /// Leaves the table of `generation`, releasing the adds made inside to a reduction.
    #[inline]
    fn leave(&self, generation: u64) {
        self.observers(generation).fetch_sub(1, Release);
    }

    fn observers(&self, generation: u64) -> &AtomicU32 {
        if generation & 1 == 0 {
            &self.observers[0]
        } else {
            &self.observers[1]
        }
    }

    /// Populated buckets allowed in `table` without a reduction: the declared maximum, or, at
    /// the coarsest schema, any number (the table holds every bucket there).
    fn limit(&self, table: &Table) -> u32 {
        if table.schema() > MIN_SCHEMA {
            self.max_buckets
        } else {
            u32::MAX
        }
    }

    /// Counts `v`, a finite value the histogram observes. Never waits for another thread.
    #[inline]
    pub(super) fn observe(&self, v: f64) {
        let magnitude = v.abs();
        if magnitude <= self.zero_threshold {
            self.zero.fetch_add(1, Relaxed);
            return;
        }
        let negative = v < 0.0;
        // Each round counts `v` or, holding the mutex, lowers the schema (at most 12 times).
        loop {
            let (generation, table) = self.enter();
            let key = key(bucket_index(magnitude, table.schema()), negative);
            if let Some(count) = table.find_or_claim(key, self.limit(table)) {
                // Like a classic bucket's add: 2^64 observations to wrap.
                count.fetch_add(1, Relaxed);
                self.leave(generation);
                return;
            }
            // A new bucket, and the maximum reached.
            let Some(reduction) = self.reduction.try_lock() else {
                self.observe_beyond_maximum(generation, table, key);
                return;
            };
            self.leave(generation);
            self.make_room(&reduction, |table| {
                key_of(magnitude, negative, table.schema())
            });
        }
    }

    /// Counts the observation of `key` in `table` (entered as `generation`), whose maximum
    /// is reached while another thread holds the mutex: in a free cell beyond the maximum, or
    /// if there is none, in the overflow. No waiting.
    #[cold]
    #[inline(never)]
    fn observe_beyond_maximum(&self, generation: u64, table: &Table, key: i32) {
        if let Some(count) = table.find_or_claim(key, table.physical_limit()) {
            count.fetch_add(1, Relaxed);
            self.leave(generation);
            return;
        }
        let schema = table.schema();
        self.leave(generation);
        self.overflow.add(key, schema, 1);
    }

    /// Lowers the schema until the bucket `key_at(schema)` exists or has room under the
    /// maximum (the observer that found the maximum reached, holding the mutex); folds in the
    /// overflow first.
    #[cold]
    #[inline(never)]
    fn make_room(&self, guard: &MutexGuard<'_, ()>, key_at: impl Fn(&Table) -> i32) {
        self.settle(guard, |table| {
            table.populated.load(Relaxed) >= self.max_buckets && !table.contains(key_at(table))
        });
    }

    /// Folds the overflow in (lowering the schema to the coarsest first) if it holds anything,
    /// then lowers the schema one step at a time while `too_full` says so.
    fn settle(&self, guard: &MutexGuard<'_, ()>, too_full: impl Fn(&Table) -> bool) {
        if !self.overflow.is_empty() {
            let (_, table) = self.current(guard);
            if table.schema() > MIN_SCHEMA {
                self.reduce(guard, MIN_SCHEMA);
            }
            let (_, table) = self.current(guard);
            self.fold_overflow(table);
        }
        for _ in MIN_SCHEMA..MAX_SCHEMA {
            let (_, table) = self.current(guard);
            if table.schema() <= MIN_SCHEMA || !too_full(table) {
                return;
            }
            self.reduce(guard, table.schema() - 1);
        }
    }

    /// Moves the overflow's counts into `table`, which is at [`MIN_SCHEMA`] and current.
    fn fold_overflow(&self, table: &Table) {
        let per_set = self.overflow.per_set;
        for (slot, cell) in self.overflow.counts.iter().enumerate() {
            let n = cell.swap(0, Relaxed);
            if n == 0 {
                continue;
            }
            let negative = slot >= per_set;
            let index = self.overflow.lowest + (slot % per_set.max(1)) as i32;
            self.add_moved(table, key(index, negative), n);
        }
    }

    /// Adds `n` moved from elsewhere to the bucket `key` of `table` (current, held by the
    /// mutex holder): in any free cell, or the overflow if there is none.
    fn add_moved(&self, table: &Table, key: i32, n: u64) {
        match table.find_or_claim(key, table.physical_limit()) {
            Some(count) => saturating_add(count, n),
            None => self.overflow.add(key, table.schema(), n),
        }
    }

    /// Makes the spare table, at `schema`, current, and waits for the observers of the old one
    /// to leave it: the old table, now idle, for the caller to drain.
    fn switch(&self, guard: &MutexGuard<'_, ()>, schema: i32) -> &Table {
        let (generation, old) = self.current(guard);
        let next = generation.wrapping_add(1);
        let new = if next & 1 == 0 {
            &self.first
        } else {
            // The one allocation a series makes after its creation, once.
            self.second
                .get_or_init(|| Table::new(self.schema, self.first.keys.len()))
        };
        new.schema.store(schema, Relaxed);
        self.generation.store(next, SeqCst);
        // Observers inside the old table are a few atomic operations from leaving it.
        let observers = self.observers(generation);
        let mut spins = 0u32;
        while observers.load(SeqCst) != 0 {
            if spins < 100 {
                spins += 1;
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
        old
    }

    /// Lowers the schema to `schema`, moving every count to the spare table while observers
    /// keep adding to it.
    fn reduce(&self, guard: &MutexGuard<'_, ()>, schema: i32) {
        let old = self.switch(guard, schema);
        let (_, new) = self.current(guard);
        let levels = u32::try_from(old.schema() - schema).unwrap_or(0);
        for (k, n) in old.drain() {
            let (index, negative) = unkey(k);
            self.add_moved(new, key(coarser_by(index, levels), negative), n);
        }
    }

    /// The buckets now; `sum` is the histogram's. Takes the mutex: waits for a reduction in
    /// progress, and itself folds in the overflow and reduces if the maximum is exceeded.
    pub(super) fn snapshot(&self, sum: f64) -> NativeSnapshot {
        let (schema, mut positive, mut negative) = {
            let guard = self.reduction.lock();
            self.settle(&guard, |table| {
                table.populated.load(Relaxed) > self.max_buckets
            });
            let (_, table) = self.current(&guard);
            let mut positive = Vec::with_capacity(table.populated.load(Relaxed) as usize);
            let mut negative = Vec::new();
            for (k, c) in table.keys.iter().zip(table.counts.iter()) {
                let k = k.load(Acquire);
                let c = c.load(Relaxed);
                if k == EMPTY || c == 0 {
                    continue;
                }
                match unkey(k) {
                    (index, false) => positive.push((index, c)),
                    (index, true) => negative.push((index, c)),
                }
            }
            (table.schema(), positive, negative)
        };
        positive.sort_unstable_by_key(|b| b.0);
        negative.sort_unstable_by_key(|b| b.0);
        let zero_count = self.zero.load(Relaxed);
        let count = positive
            .iter()
            .chain(&negative)
            .fold(zero_count, |acc, b| acc.saturating_add(b.1));
        NativeSnapshot {
            schema,
            zero_threshold: self.zero_threshold,
            zero_count,
            count,
            sum,
            positive,
            negative,
        }
    }

    /// Adds the buckets of `other`, a snapshot of a series of the same family, at the coarser
    /// of the two schemas (coarser still if the union does not fit).
    pub(super) fn absorb(&self, other: &NativeSnapshot) {
        let guard = self.reduction.lock();
        self.settle(&guard, |_| false);
        let target = other.schema.max(MIN_SCHEMA);
        let (_, table) = self.current(&guard);
        if table.schema() > target {
            self.reduce(&guard, target);
        }
        let theirs = other.positive.iter().map(|b| (b, false));
        let theirs = theirs.chain(other.negative.iter().map(|b| (b, true)));
        for (&(index, count), negative) in theirs {
            let key_at = |table: &Table| {
                let levels = u32::try_from(other.schema - table.schema()).unwrap_or(0);
                key(coarser_by(index, levels), negative)
            };
            self.make_room(&guard, key_at);
            let (_, table) = self.current(&guard);
            match table.find_or_claim(key_at(table), self.limit(table)) {
                Some(cell) => saturating_add(cell, count),
                // Over the maximum only if observers claimed cells meanwhile.
                None => self.add_moved(table, key_at(table), count),
            }
        }
        drop(guard);
        saturating_add(&self.zero, other.zero_count);
    }

    /// Empties the series and returns it to the declared schema.
    pub(super) fn reset(&self) {
        let guard = self.reduction.lock();
        let old = self.switch(&guard, self.schema);
        old.drain().for_each(drop);
        for cell in self.overflow.counts.iter() {
            cell.store(0, Relaxed);
        }
        drop(guard);
        self.zero.store(0, Relaxed);
    }
}

/// The key of the bucket of `magnitude` at `schema`.
fn key_of(magnitude: f64, negative: bool, schema: i32) -> i32 {
    key(bucket_index(magnitude, schema), negative)
}

/// A native histogram as one scrape reads it: what an encoder writes.
///
/// Buckets are non-cumulative and sorted by index; only populated ones are listed. `count` is
/// always `zero_count` plus every bucket's count, as Prometheus requires of a native histogram
/// without NaN. `sum` is the histogram's (shared with its classic buckets), which may lag an
/// observation in flight.
#[derive(Debug, Clone, PartialEq)]
pub struct NativeSnapshot {
    /// The schema now: the declared one, or lower after reductions.
    pub schema: i32,
    /// Observations with `|v| <=` this went to the zero bucket.
    pub zero_threshold: f64,
    /// Observations in the zero bucket.
    pub zero_count: u64,
    /// All observations: `zero_count` plus every bucket's count (saturating).
    pub count: u64,
    /// Sum of the observations.
    pub sum: f64,
    /// `(index, count)` of each populated bucket of positive values: bucket `i` holds
    /// `2^((i-1)·2^-schema) < v <= 2^(i·2^-schema)`.
    pub positive: Vec<(i32, u64)>,
    /// `(index, count)` of each populated bucket of negative values, indexed by `|v|`.
    pub negative: Vec<(i32, u64)>,
}

impl NativeSnapshot {
    /// The spans and deltas of the positive buckets ([`spans_and_deltas`]).
    pub fn positive_spans(&self) -> (Vec<BucketSpan>, Vec<i64>) {
        spans_and_deltas(&self.positive)
    }

    /// The spans and deltas of the negative buckets ([`spans_and_deltas`]).
    pub fn negative_spans(&self) -> (Vec<BucketSpan>, Vec<i64>) {
        spans_and_deltas(&self.negative)
    }
}

/// A run of consecutive buckets in Prometheus's protobuf form (`BucketSpan`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BucketSpan {
    /// For the first span, the index of its first bucket; for a later span, the number of
    /// buckets between the end of the previous span and its start.
    pub offset: i32,
    /// Buckets in the span.
    pub length: u32,
}

/// Gaps of at most this many empty buckets are filled with zero counts rather than starting a
/// new span (as client_golang does): a span costs two varints and a message header, a zero
/// bucket one byte.
const FILLED_GAP: i64 = 2;

/// Buckets `(index, count)`, sorted by index with each index once (as in a [`NativeSnapshot`]),
/// in Prometheus's protobuf form: spans of consecutive indices and one delta per bucket.
///
/// The first delta is the first bucket's count, each later one its count minus the previous
/// bucket's (across spans). A gap of one or two empty buckets is filled with zero-count buckets
/// instead of starting a span. Counts above `i64::MAX` wrap, as the format's `sint64` would;
/// [`buckets_from_spans`] undoes this exactly.
///
/// ```
/// use promdecl::value::{spans_and_deltas, BucketSpan};
///
/// let (spans, deltas) = spans_and_deltas(&[(-2, 3), (-1, 5), (1, 4), (7, 1)]);
/// // -2, -1, then index 0 filled with a zero, 1; then a gap of five before 7.
/// assert_eq!(spans, [BucketSpan { offset: -2, length: 4 }, BucketSpan { offset: 5, length: 1 }]);
/// assert_eq!(deltas, [3, 2, -5, 4, -3]);
/// ```
pub fn spans_and_deltas(buckets: &[(i32, u64)]) -> (Vec<BucketSpan>, Vec<i64>) {
    let mut spans: Vec<BucketSpan> = Vec::new();
    let mut deltas = Vec::with_capacity(buckets.len());
    let mut previous = 0u64;
    // The index after the last bucket written.
    let mut next = 0i64;
    for &(index, count) in buckets {
        let index = i64::from(index);
        let gap = index - next;
        match spans.last_mut() {
            Some(span) if (0..=FILLED_GAP).contains(&gap) => {
                for _ in 0..gap {
                    deltas.push(0i64.wrapping_sub(previous as i64));
                    previous = 0;
                }
                span.length = span.length.saturating_add(gap as u32 + 1);
            }
            last => {
                // The first span starts at its index; a later one after its gap.
                let offset = if last.is_some() { gap } else { index };
                spans.push(BucketSpan {
                    offset: offset.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32,
                    length: 1,
                });
            }
        }
        deltas.push((count as i64).wrapping_sub(previous as i64));
        previous = count;
        next = index + 1;
    }
    (spans, deltas)
}

/// The buckets `(index, count)` that spans and deltas describe, zero-count ones included: the
/// inverse of [`spans_and_deltas`]. `None` if the spans hold more buckets than there are deltas
/// or fewer.
pub fn buckets_from_spans(spans: &[BucketSpan], deltas: &[i64]) -> Option<Vec<(i32, u64)>> {
    let mut out = Vec::with_capacity(deltas.len());
    let mut deltas = deltas.iter();
    let mut count = 0i64;
    let mut index = 0i64;
    for (n, span) in spans.iter().enumerate() {
        index = if n == 0 {
            i64::from(span.offset)
        } else {
            index + i64::from(span.offset)
        };
        for _ in 0..span.length {
            count = count.wrapping_add(*deltas.next()?);
            out.push((i32::try_from(index).ok()?, count as u64));
            index += 1;
        }
    }
    deltas.next().is_none().then_some(out)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn spec(schema: i8, zero_threshold: f64, max_buckets: u32) -> NativeSpec {
        NativeSpec {
            schema,
            zero_threshold,
            max_buckets,
        }
    }

    #[test]
    fn frexp_splits_fraction_and_exponent() {
        assert_eq!(frexp(1.0), (0.5, 1));
        assert_eq!(frexp(0.75), (0.75, 0));
        assert_eq!(frexp(6.0), (0.75, 3));
        assert_eq!(frexp(f64::from_bits(1)), (0.5, -1073));
        assert_eq!(frexp(f64::MIN_POSITIVE), (0.5, -1021));
        assert_eq!(
            frexp(f64::MAX),
            (f64::MAX / 2f64.powi(1024 - 1) / 2.0, 1024)
        );
    }

    #[test]
    fn the_fraction_table_is_exp2_rounded() {
        assert_eq!(FRACTIONS[0], 0.5);
        assert_eq!(FRACTIONS[128], std::f64::consts::FRAC_1_SQRT_2);
        assert!(FRACTIONS.windows(2).all(|w| w[0] < w[1]));
        assert!(FRACTIONS.iter().all(|f| (0.5..1.0).contains(f)));
        for (j, f) in FRACTIONS.iter().enumerate() {
            let libm = (j as f64 / 256.0 - 1.0).exp2();
            // The table is correctly rounded; a libm may be half an ulp further off.
            assert!(
                f.to_bits().abs_diff(libm.to_bits()) <= 1,
                "{j}: {f} vs {libm}"
            );
        }
    }

    #[test]
    fn schema_0_boundaries_are_powers_of_two() {
        for (v, i) in [
            (1.0, 0),
            (2.0, 1),
            (2.5, 2),
            (0.5, -1),
            (0.75, 0),
            (3.0, 2),
            (4.0, 2),
            (4.000001, 3),
            (0.25, -2),
            (0.2500001, -1),
            (1024.0, 10),
            (f64::MAX, 1024),
            (f64::from_bits(1), -1074),
            (f64::MIN_POSITIVE, -1022),
        ] {
            assert_eq!(bucket_index(v, 0), i, "{v}");
        }
        assert_eq!(bucket_index(1f64.next_up(), 0), 1);
        assert_eq!(bucket_index(1f64.next_down(), 0), 0);
    }

    #[test]
    fn schema_3_boundaries_are_eighth_powers_of_two() {
        // 2^(k/8) to 17 digits (computed to 80 digits and rounded), with the bucket each bounds.
        let bounds = [
            (1.0905077326652577, 1),
            (1.2968395546510096, 3),
            (std::f64::consts::SQRT_2, 4),
            (0.9170040432046712, -1),
            (2.0, 8),
            (2.1810154653305154, 9),
            (2.8284271247461903, 12),
            (0.4585020216023356, -9),
            (0.3535533905932738, -12),
            (1.0, 0),
        ];
        for (b, k) in bounds {
            assert_eq!(bucket_index(b, 3), k, "{b} closes bucket {k}");
            assert_eq!(bucket_index(b.next_up(), 3), k + 1, "just above {b}");
            assert_eq!(bucket_index(b.next_down(), 3), k, "just below {b}");
        }
        // Between boundaries: 1.1 is above 2^(1/8) = 1.0905 and below 2^(2/8) = 1.1892.
        assert_eq!(bucket_index(1.1, 3), 2);
        assert_eq!(bucket_index(1e-9, 3), -239);
    }

    #[test]
    fn other_schemas_hand_computed() {
        // Schema -1: base 4.
        for (v, i) in [
            (1.0, 0),
            (2.0, 1),
            (4.0, 1),
            (4.5, 2),
            (16.0, 2),
            (0.5, 0),
            (0.25, -1),
            (0.3, 0),
        ] {
            assert_eq!(bucket_index(v, -1), i, "schema -1: {v}");
        }
        // Schema -4: base 65536.
        for (v, i) in [
            (1.0, 0),
            (1.5, 1),
            (65536.0, 1),
            (65537.0, 2),
            (1.52587890625e-05, -1), // 2^-16
            (1.52587890625e-05f64.next_up(), 0),
            (f64::MAX, 64),
            (f64::from_bits(1), -67),
        ] {
            assert_eq!(bucket_index(v, -4), i, "schema -4: {v}");
        }
        // Schema 8: 2^(1/256) = 1.0027112750502025, 2^(-1/256) = 0.9972960560854701.
        for (v, i) in [
            (1.0027112750502025, 1),
            (1.0027112750502025f64.next_up(), 2),
            (0.9972960560854701, -1),
            (0.9972960560854701f64.next_up(), 0),
            (1e300, 255_125),
            (f64::MAX, 262_144),
            (f64::from_bits(1), -274_944),
        ] {
            assert_eq!(bucket_index(v, 8), i, "schema 8: {v}");
        }
    }

    /// Every index from the table agrees with `2^(i·2^-s)` computed by libm, away from the
    /// boundaries themselves (where libm may be an ulp off).
    #[test]
    fn indices_agree_with_exp2_between_boundaries() {
        for schema in MIN_SCHEMA..=MAX_SCHEMA {
            let scale = 2f64.powi(-schema);
            let upper = |i: i32| (f64::from(i) * scale).exp2();
            for k in -1300..1300 {
                let v = 1.37f64.powi(k);
                if !(v > 0.0 && v.is_finite()) {
                    continue;
                }
                let i = bucket_index(v, schema);
                let (lo, hi) = (upper(i - 1), upper(i));
                let near = |b: f64| (v - b).abs() <= 4.0 * f64::EPSILON * b;
                if near(lo) || near(hi) {
                    continue;
                }
                assert!(
                    lo < v && v <= hi,
                    "schema {schema}: {v} in ({lo}, {hi}] as {i}"
                );
            }
        }
    }

    #[test]
    fn pairs_merge_into_the_coarser_bucket() {
        for (i, k) in [
            (0, 0),
            (1, 1),
            (2, 1),
            (3, 2),
            (4, 2),
            (-1, 0),
            (-2, -1),
            (-3, -1),
            (-4, -2),
            (-5, -2),
        ] {
            assert_eq!(coarser_index(i), k, "{i}");
        }
        for i in -600..600 {
            let twice = coarser_index(coarser_index(i));
            assert_eq!(coarser_by(i, 2), twice, "{i}");
            assert_eq!(coarser_by(i, 0), i);
        }
    }

    /// Observing at schema `s - 1` gives the bucket that merging the schema-`s` bucket gives,
    /// for values on every boundary of schema `s` and either side of it.
    #[test]
    fn merging_matches_observing_at_the_coarser_schema() {
        let mut values = vec![1.0, 3.0, 0.1, 1e-300, 1e300, f64::MAX, f64::from_bits(1)];
        for f in FRACTIONS {
            // Subnormal (rounded), small, around one, large.
            for scale in [
                2f64.powi(-1000) * 2f64.powi(-60),
                2f64.powi(-5),
                0.5,
                1.0,
                2.0,
                2f64.powi(1000),
            ] {
                let b = f * scale;
                values.extend([b, b.next_up(), b.next_down()]);
            }
        }
        for schema in MIN_SCHEMA + 1..=MAX_SCHEMA {
            for &v in values.iter().filter(|v| **v > 0.0 && v.is_finite()) {
                assert_eq!(
                    bucket_index(v, schema - 1),
                    coarser_index(bucket_index(v, schema)),
                    "{v} from schema {schema}"
                );
            }
        }
    }

    #[test]
    fn capacity_holds_every_coarsest_bucket() {
        let default = NativeSpec::DEFAULT;
        assert_eq!(table_capacity(&default, false), 512);
        assert_eq!(table_capacity(&default, true), 512);
        // 72 buckets at schema -4 above 2^-128, per set.
        assert_eq!(buckets_at_min_schema(default.zero_threshold, false), 72);
        assert_eq!(
            table_capacity(&spec(3, default.zero_threshold, 10), false),
            128
        );
        assert_eq!(
            table_capacity(&spec(3, default.zero_threshold, 10), true),
            256
        );
        // 132 per set with no zero threshold (2^-1074 to 2^1024).
        assert_eq!(buckets_at_min_schema(0.0, true), 264);
        assert_eq!(table_capacity(&spec(3, 0.0, 1), true), 512);
        assert_eq!(table_capacity(&spec(3, 0.0, 1000), false), 2048);
        assert_eq!(buckets_at_min_schema(f64::MAX, true), 0);
        assert_eq!(table_capacity(&spec(3, f64::INFINITY, 1), true), 2);
    }

    type Buckets = Vec<(i32, u64)>;

    /// The zero count and buckets `values` fall in at `schema`, counted independently of the
    /// table.
    fn expected(values: &[f64], schema: i32, zero_threshold: f64) -> (u64, Buckets, Buckets) {
        let (mut zero, mut pos, mut neg) = (0, BTreeMap::new(), BTreeMap::new());
        for &v in values {
            if v.abs() <= zero_threshold {
                zero += 1;
                continue;
            }
            let set = if v < 0.0 { &mut neg } else { &mut pos };
            *set.entry(bucket_index(v.abs(), schema)).or_insert(0u64) += 1;
        }
        (zero, pos.into_iter().collect(), neg.into_iter().collect())
    }

    fn assert_holds(snap: &NativeSnapshot, values: &[f64]) {
        let (zero, positive, negative) = expected(values, snap.schema, snap.zero_threshold);
        assert_eq!(snap.count, values.len() as u64);
        assert_eq!(snap.zero_count, zero);
        assert_eq!(snap.positive, positive);
        assert_eq!(snap.negative, negative);
    }

    #[test]
    fn observations_land_in_their_buckets() {
        let n = NativeValue::new(&spec(0, 0.001, 160), true);
        let values = [
            1.0, 2.0, 2.5, 0.5, 3.0, -1.0, -2.5, 0.0, 0.001, -0.0005, 0.0011, 1.0,
        ];
        for v in values {
            n.observe(v);
        }
        let s = n.snapshot(7.5);
        assert_eq!(s.schema, 0);
        assert_eq!(s.sum, 7.5);
        assert_eq!(s.zero_count, 3);
        assert_eq!(s.count, 12);
        // 0.0011 is in (2^-10, 2^-9]; 1.0 twice in bucket 0; 2.5 and 3.0 in (2, 4].
        assert_eq!(s.positive, [(-9, 1), (-1, 1), (0, 2), (1, 1), (2, 2)]);
        assert_eq!(s.negative, [(0, 1), (2, 1)]);
        assert_holds(&s, &values);
    }

    #[test]
    fn too_many_buckets_lower_the_schema_until_they_fit() {
        let n = NativeValue::new(&spec(3, 0.0, 8), false);
        // 1.0 to 1024: 81 buckets at schema 3, 41 at 2, 21 at 1, 11 at 0, 6 at -1.
        let values: Vec<f64> = (0..=80).map(|k| 2f64.powf(f64::from(k) / 8.0)).collect();
        for &v in &values {
            n.observe(v);
        }
        let s = n.snapshot(0.0);
        assert_eq!(s.schema, -1);
        assert!(s.positive.len() <= 8, "{s:?}");
        assert_holds(&s, &values);
        // Reset returns to the declared schema.
        n.reset();
        let s = n.snapshot(0.0);
        assert_eq!((s.schema, s.count, s.positive.len()), (3, 0, 0));
    }

    #[test]
    fn the_coarsest_schema_exceeds_the_maximum_rather_than_lose_anything() {
        let n = NativeValue::new(&spec(-3, 0.0, 2), true);
        let values: Vec<f64> = (-300..300)
            .map(|k| 10f64.powi(k))
            .chain((-300..300).map(|k| -(7f64.powi(k))))
            .filter(|v| v.is_finite() && *v != 0.0)
            .collect();
        for &v in &values {
            n.observe(v);
        }
        let s = n.snapshot(0.0);
        assert_eq!(s.schema, MIN_SCHEMA);
        assert!(s.positive.len() + s.negative.len() > 2);
        assert_holds(&s, &values);
    }

    #[test]
    fn absorbing_merges_at_the_coarser_schema() {
        let a = NativeValue::new(&spec(3, 0.0, 12), true);
        let b = NativeValue::new(&spec(3, 0.0, 12), true);
        let mine = [1.0, 1.1, 1.2, -3.0, 0.0];
        let theirs: Vec<f64> = (0..40).map(|k| 1.3f64.powi(k)).chain([-0.5, 0.0]).collect();
        for &v in &mine {
            a.observe(v);
        }
        for &v in &theirs {
            b.observe(v);
        }
        let other = b.snapshot(0.0);
        assert!(other.schema < 3);
        a.absorb(&other);
        let s = a.snapshot(0.0);
        assert!(s.schema <= other.schema);
        let all: Vec<f64> = mine.iter().chain(&theirs).copied().collect();
        assert_holds(&s, &all);
    }

    /// Threads observe values spread wide enough to force reductions while a reader takes
    /// snapshots: every snapshot is consistent, and at the end every observation is in the
    /// bucket it belongs to at the final schema.
    #[test]
    fn concurrent_observations_survive_reductions() {
        let n = NativeValue::new(&spec(8, 1e-6, 20), true);
        let threads = 4;
        let per_thread = 20_000;
        let value = |t: usize, i: usize| {
            // The spread widens with `i` (to 2^±11), so new buckets, and reductions, keep
            // coming while the threads run.
            let width = 1 + i / 4;
            let k = ((i * 7 + t * 13) % width) as i32 - (width / 2) as i32;
            let v = 1.003f64.powi(k) * 1.0001f64.powi(t as i32);
            match i % 5 {
                0 => -v,
                1 => 0.0,
                _ => v,
            }
        };
        let done = std::sync::atomic::AtomicBool::new(false);
        let start = std::sync::Barrier::new(threads);
        std::thread::scope(|s| {
            let writers: Vec<_> = (0..threads)
                .map(|t| {
                    let (n, start) = (&n, &start);
                    s.spawn(move || {
                        start.wait();
                        for i in 0..per_thread {
                            n.observe(value(t, i));
                        }
                    })
                })
                .collect();
            s.spawn(|| {
                let mut last = 0;
                while !done.load(Relaxed) {
                    let snap = n.snapshot(0.0);
                    let buckets: u64 = snap
                        .positive
                        .iter()
                        .chain(&snap.negative)
                        .map(|b| b.1)
                        .sum();
                    assert_eq!(snap.count, snap.zero_count + buckets);
                    assert!(snap.count >= last, "counts never go back");
                    last = snap.count;
                    assert!(snap.positive.windows(2).all(|w| w[0].0 < w[1].0));
                    std::thread::yield_now();
                }
            });
            for w in writers {
                w.join().unwrap();
            }
            done.store(true, Relaxed);
        });
        let all: Vec<f64> = (0..threads)
            .flat_map(|t| (0..per_thread).map(move |i| value(t, i)))
            .collect();
        let s = n.snapshot(0.0);
        assert!(s.schema < 8, "the spread forces reductions");
        assert_holds(&s, &all);
    }

    /// Runs `f` on another thread, failing the test if it has not finished within ten seconds
    /// (it would block forever if it waited for the test thread).
    fn finishes_without_waiting(f: impl FnOnce() + Send) {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::scope(|s| {
            s.spawn(move || {
                f();
                let _ = tx.send(());
            });
            let finished = rx.recv_timeout(std::time::Duration::from_secs(10));
            assert!(finished.is_ok(), "an observer waited");
        });
    }

    /// While another thread holds the reduction mutex (as a reduction or a scrape in progress
    /// does), observations into existing buckets, into new buckets beyond the maximum, and
    /// beyond the table's capacity (into the overflow) all complete, and the next snapshot
    /// counts every one of them in its bucket.
    #[test]
    fn observers_never_wait_for_the_mutex() {
        let n = NativeValue::new(&spec(3, 0.0, 4), true);
        let first = [1.0, 1.1, -1.0, 0.0];
        for v in first {
            n.observe(v);
        }
        let capacity = n.first.keys.len();
        // Existing buckets, then more new buckets than the table has cells.
        let later: Vec<f64> = first
            .iter()
            .copied()
            .chain((0..2 * capacity).map(|k| 1.01f64.powi(k as i32)))
            .chain((0..capacity).map(|k| -(1.3f64.powi(k as i32 - 100))))
            .collect();
        let held = n.reduction.lock();
        finishes_without_waiting(|| {
            for &v in &later {
                n.observe(v);
            }
        });
        let (_, table) = n.current(&held);
        assert_eq!(table.schema(), 3, "no reduction while the mutex is held");
        assert!(table.populated.load(Relaxed) > 4, "beyond the maximum");
        assert!(!n.overflow.is_empty(), "beyond the table: the overflow");
        drop(held);
        let s = n.snapshot(0.0);
        assert_eq!(
            s.schema, MIN_SCHEMA,
            "the overflow folded in at the coarsest schema"
        );
        let all: Vec<f64> = first.iter().chain(&later).copied().collect();
        assert_holds(&s, &all);
        assert!(n.overflow.is_empty());
        // Without the overflow, the counts stay at the schema the reduction reaches.
        let n = NativeValue::new(&spec(3, 0.0, 4), false);
        let held = n.reduction.lock();
        let values: Vec<f64> = (0..20).map(|k| 1.1f64.powi(k)).collect();
        finishes_without_waiting(|| values.iter().for_each(|&v| n.observe(v)));
        drop(held);
        let s = n.snapshot(0.0);
        assert!(s.schema < 3 && s.schema > MIN_SCHEMA, "{s:?}");
        assert!(s.positive.len() <= 4);
        assert_holds(&s, &values);
    }

    /// A reduction waits for an observer inside the old table (simulated by holding its
    /// observer count up), and observers meanwhile go to the new table without waiting; when
    /// the old table's observer leaves, its count is moved too.
    #[test]
    fn a_reduction_waits_only_for_observers_inside_the_old_table() {
        let n = NativeValue::new(&spec(3, 0.0, 4), false);
        for v in [1.0, 2.0, 4.0, 8.0] {
            n.observe(v);
        }
        // An observer inside generation 0, its add not yet made.
        let (generation, table) = n.enter();
        assert_eq!(generation, 0);
        let pending = table
            .find_or_claim(key(bucket_index(8.0, 3), false), u32::MAX)
            .expect("bucket exists");
        let reduced = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|s| {
            s.spawn(|| {
                // A fifth bucket: this observer reduces, and waits for the one inside.
                n.observe(16.0);
                reduced.store(true, SeqCst);
            });
            while n.generation.load(SeqCst) == 0 {
                std::thread::yield_now();
            }
            // The new table is current; other observers go there and do not wait.
            finishes_without_waiting(|| {
                for v in [1.0, 2.0, 1000.0] {
                    n.observe(v);
                }
            });
            std::thread::sleep(std::time::Duration::from_millis(20));
            assert!(
                !reduced.load(SeqCst),
                "the reduction waits for the observer inside"
            );
            pending.fetch_add(1, Relaxed);
            n.leave(generation);
        });
        let s = n.snapshot(0.0);
        assert!(s.schema < 3);
        assert_holds(&s, &[1.0, 2.0, 4.0, 8.0, 8.0, 16.0, 1.0, 2.0, 1000.0]);
    }

    #[test]
    fn memory_per_series() {
        // The figures of the module doc (for a 64-bit target).
        #[cfg(target_pointer_width = "64")]
        assert_eq!(std::mem::size_of::<NativeValue>(), 184);
        let n = NativeValue::new(&NativeSpec::DEFAULT, true);
        assert_eq!(n.first.keys.len(), 512);
        assert_eq!(n.overflow.counts.len(), 144);
        assert!(n.second.get().is_none(), "the spare waits for a reduction");
        let n = NativeValue::new(&NativeSpec::DEFAULT, false);
        assert_eq!(n.overflow.counts.len(), 72);
    }

    #[test]
    fn spans_and_deltas_hand_computed() {
        let (spans, deltas) = spans_and_deltas(&[]);
        assert!(spans.is_empty() && deltas.is_empty());
        let (spans, deltas) = spans_and_deltas(&[(5, 7)]);
        assert_eq!(
            spans,
            [BucketSpan {
                offset: 5,
                length: 1
            }]
        );
        assert_eq!(deltas, [7]);
        // Gaps of 1 and 2 are filled, a gap of 3 starts a span 3 after the previous end.
        let (spans, deltas) = spans_and_deltas(&[(-3, 2), (-1, 4), (2, 1), (6, 9), (7, 9)]);
        assert_eq!(
            spans,
            [
                BucketSpan {
                    offset: -3,
                    length: 6
                },
                BucketSpan {
                    offset: 3,
                    length: 2
                }
            ]
        );
        // -3: 2, -2: 0, -1: 4, 0: 0, 1: 0, 2: 1, then 6: 9, 7: 9.
        assert_eq!(deltas, [2, -2, 4, -4, 0, 1, 8, 0]);
    }

    #[test]
    fn spans_and_deltas_round_trip() {
        let cases: Vec<Vec<(i32, u64)>> = vec![
            vec![],
            vec![(0, 1)],
            vec![(-274_944, 3), (262_144, 5)],
            vec![(-2, 1), (-1, 2), (0, 3), (1, 4)],
            vec![(0, 5), (2, 5), (5, 5), (9, 5), (10, 1)],
            vec![(-10, 1), (-8, 2), (-5, 3), (-1, 4), (3, 5)],
            vec![(1, u64::MAX), (2, 1), (4, u64::MAX - 1)],
            (0..100i32)
                .map(|i| (i * i - 50, u64::from(i.unsigned_abs()) + 1))
                .collect(),
        ];
        for buckets in cases {
            let (spans, deltas) = spans_and_deltas(&buckets);
            let length: u32 = spans.iter().map(|s| s.length).sum();
            assert_eq!(length as usize, deltas.len());
            assert!(spans.iter().skip(1).all(|s| s.offset > FILLED_GAP as i32));
            let back = buckets_from_spans(&spans, &deltas).expect("round trip");
            let populated: Vec<(i32, u64)> = back.iter().copied().filter(|b| b.1 > 0).collect();
            assert_eq!(populated, buckets);
            // Filled buckets are zeros at the missing indices only.
            assert!(back
                .iter()
                .all(|b| b.1 > 0 || !buckets.iter().any(|x| x.0 == b.0)));
        }
        let spans = [BucketSpan {
            offset: 0,
            length: 2,
        }];
        assert_eq!(buckets_from_spans(&spans, &[1]), None);
        assert_eq!(buckets_from_spans(&spans, &[1, 1, 1]), None);
    }
}
