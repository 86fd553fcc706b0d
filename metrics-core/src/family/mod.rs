//! Family storage: dense slots for enumerated labels, a bounded map for free-form ones.
//!
//! - `keyed.rs`: the free-form store, with removal and idle expiry;
//! - `key.rs`: a stored tuple's values; `slab.rs`: where its series live;
//! - `handle.rs`: what accessors return.

mod handle;
mod key;
mod keyed;
mod slab;

use crate::desc::FamilyDesc;
use crate::encode::text::{render_labels_into, render_pairs_into};
use crate::joined::Joined;
use crate::start;
use crate::value::Series;
use crate::view::{AnyFamily, LabelError, Labels, SeriesRef};
pub use handle::Handle;
use keyed::{Keyed, Lookup};

/// Label value used for every free-form label of the overflow series.
///
/// It is reserved: a caller passing it as a free-form value gets the overflow series (and the
/// update is counted as folded), so one label set never names two series.
pub const OVERFLOW_VALUE: &str = "__overflow__";

/// Series that are never removed, with their label text rendered once: an enumerated-only
/// family's, or the overflow series of a free-form one.
#[derive(Debug)]
pub(crate) struct Dense<S> {
    /// The free-form values (the overflow value for each; none in an enumerated-only family).
    free: Box<[&'static str]>,
    series: Box<[Padded<S>]>,
    /// `name="value",...` label text of each slot, for the text formats.
    labels: Joined,
    /// When the series were created, in ms since the Unix epoch: their start timestamp.
    created_ms: u64,
}

/// A series on cache lines of its own. An enumerated-only family's series are few (the
/// product of its enums) and are what request handlers on every core update (one method or
/// status each), so they are padded: cores updating different series never share a line.
/// Free-form series are not (there may be millions, each updated by few threads).
#[derive(Debug)]
#[repr(align(128))]
struct Padded<S>(S);

impl<S: Series> Dense<S> {
    /// No series: what a free-form family keeps beside its tuples.
    fn empty() -> Self {
        Self {
            free: Box::default(),
            series: Box::default(),
            labels: Joined::build(0, 0, |_, _| ()),
            created_ms: 0,
        }
    }

    fn new(desc: &'static FamilyDesc, free: Vec<&'static str>) -> Self {
        let n = desc.dense_len();
        Self {
            series: (0..n).map(|_| Padded(S::new(desc))).collect(),
            labels: Joined::build(n, n * 64, |slot, out| {
                render_labels_into(out, desc, &desc.label_values(&free, slot))
            }),
            free: free.into(),
            created_ms: start::now_ms(),
        }
    }
}

impl<S> Drop for Dense<S> {
    /// Forgets the exemplars of every series: their addresses will be reused.
    fn drop(&mut self) {
        for p in self.series.iter() {
            crate::exemplar::forget(crate::exemplar::address(&p.0));
        }
    }
}

impl<S: Series> Dense<S> {
    /// The series of enumerated slot `slot`. There is at least one, and generated accessors
    /// compute `slot` from the declared enums, so it is always in range.
    #[inline(always)]
    fn series(&self, slot: usize) -> &S {
        &self.series.get(slot).unwrap_or(&self.series[0]).0
    }

    fn for_each_series(&self, desc: &'static FamilyDesc, f: &mut dyn FnMut(&SeriesRef<'_>)) {
        for (slot, (Padded(s), text)) in self.series.iter().zip(self.labels.parts()).enumerate() {
            let labels = Labels::Stored {
                free: &self.free,
                slot,
            };
            f(&SeriesRef::new(desc, labels, text, s, self.created_ms));
        }
    }
}

/// A metric family: every series of one name, addressed by label values.
///
/// Users name it through the aliases [`Counter`](crate::Counter), [`Gauge`](crate::Gauge),
/// [`Histogram`](crate::Histogram) and friends, and reach series through generated accessors.
#[derive(Debug)]
pub struct Family<S> {
    desc: &'static FamilyDesc,
    /// Every series of an enumerated-only family; empty in a free-form one. A field, not an
    /// enum variant beside `keyed`, so an enumerated accessor is one bounds check and one
    /// atomic add, as a hand-indexed array is.
    dense: Dense<S>,
    /// A free-form family's tuples.
    keyed: Option<Keyed<S>>,
}

impl<S: Series> Family<S> {
    /// Creates the family; enumerated combinations exist (zeroed) from here on.
    pub fn new(desc: &'static FamilyDesc) -> Self {
        match desc.free_form_count() {
            0 => Self {
                desc,
                dense: Dense::new(desc, Vec::new()),
                keyed: None,
            },
            _ => Self {
                desc,
                dense: Dense::empty(),
                keyed: Some(Keyed::new(desc)),
            },
        }
    }

    /// The family's descriptor.
    pub fn desc(&self) -> &'static FamilyDesc {
        self.desc
    }

    /// The series for free-form values `free` (declared order) and enumerated slot `slot`.
    ///
    /// A hit is one hash, a lock-free index probe and one key comparison, with no allocation.
    /// A new tuple past the series budget lands in the overflow series and is counted in
    /// [`Family::folded`], and so does a tuple with a value that never gets a series:
    /// [`OVERFLOW_VALUE`] itself, or one longer than the label value cap
    /// ([`DEFAULT_MAX_LABEL_VALUE_BYTES`](crate::DEFAULT_MAX_LABEL_VALUE_BYTES)).
    /// Never panics.
    ///
    /// Generated accessors call this with a slot computed from the declared enums; users call
    /// the accessors, or [`Family::get_by_values`] for labels known only at run time.
    // Always inlined into the generated accessor, where `free` has a known length: families
    // without free-form labels compile to the slot index.
    #[doc(hidden)]
    #[inline(always)]
    pub fn get(&self, free: &[&str], slot: usize) -> Handle<'_, S> {
        match &self.keyed {
            None => Handle::borrowed(self.get_fixed(slot)),
            Some(k) => match k.lookup(self.desc, free, slot) {
                Lookup::Entry(pin, series) => Handle::shared(pin, series),
                Lookup::Overflow(series) => Handle::borrowed(series),
            },
        }
    }

    /// The series of enumerated slot `slot` in a family without free-form labels (generated
    /// accessors of such families return it directly: their series are never removed).
    #[doc(hidden)]
    #[inline(always)]
    pub fn get_fixed(&self, slot: usize) -> &S {
        match self.dense.series.get(slot) {
            Some(p) => &p.0,
            None => self.fixed_out_of_range(slot),
        }
    }

    /// Not reached from generated code (slots come from the declared enums, and only
    /// enumerated-only families are asked): the first series, or a free-form family's
    /// overflow series.
    #[cold]
    #[inline(never)]
    fn fixed_out_of_range(&self, slot: usize) -> &S {
        match (&self.keyed, self.dense.series.first()) {
            (_, Some(p)) => &p.0,
            (Some(k), None) => k.overflow_series(self.desc, slot),
            // `new` gives a family either dense series or a keyed store.
            (None, None) => unreachable!("a family without series or tuples"),
        }
    }

    /// The series for label values given as strings in declared order, checked at run time:
    /// for callers whose labels are only known dynamically (config-driven services, demos).
    pub fn get_by_values(&self, values: &[&str]) -> Result<Handle<'_, S>, LabelError> {
        let (free, slot) = resolve(self.desc, values)?;
        Ok(self.get(&free, slot))
    }

    /// Removes the series of free-form values `free` (declared order; enumerated labels are not
    /// given: every enumerated combination of the tuple goes), freeing its share of the series
    /// budget. Returns whether it existed. Updated again, it starts from zero as a new series.
    /// A [`Handle`] to it kept across the removal updates the removed series, whose values are
    /// discarded.
    ///
    /// Enumerated-only families have nothing to remove: always `false`.
    pub fn remove(&self, free: &[&str]) -> bool {
        match &self.keyed {
            Some(k) if free.len() == self.desc.free_form_count() => k.remove(self.desc, free),
            _ => false,
        }
    }

    /// Removes every series whose free-form values match `pattern` (declared order, `None`
    /// matching any value), like [`Family::remove`] for each; returns how many tuples went.
    pub fn remove_matching(&self, pattern: &[Option<&str>]) -> usize {
        match &self.keyed {
            Some(k) if pattern.len() == self.desc.free_form_count() => {
                k.remove_matching(self.desc, pattern)
            }
            _ => 0,
        }
    }

    /// Expires series idle past the family's
    /// [`idle_timeout`](crate::FamilyDesc::idle_timeout) and frees what removals left behind.
    /// The registry calls it at every scrape, and a family whose budget is full calls it before
    /// folding a new tuple; call it yourself for a family you encode without a registry.
    pub fn expire_idle(&self) {
        if let Some(k) = &self.keyed {
            k.sweep(self.desc);
        }
    }

    /// Updates folded into the overflow series: past the series budget, or with a value that
    /// never gets a series (the overflow value itself, or one longer than the cap).
    pub fn folded(&self) -> u64 {
        self.keyed.as_ref().map_or(0, Keyed::folded)
    }

    /// Updates dropped because the exposition could not represent them: a histogram's NaN,
    /// infinite or (when it exposes `_sum`) negative observations, and a summary's. Sums every
    /// series.
    pub fn dropped(&self) -> u64 {
        let mut n = 0u64;
        if matches!(
            self.desc.kind,
            crate::Kind::Histogram | crate::Kind::Summary
        ) {
            self.for_each_stored(|s| n = n.saturating_add(s.dropped()));
        }
        n
    }

    /// The longest free-form value, in bytes, that gets a series of its own from now on
    /// (default [`DEFAULT_MAX_LABEL_VALUE_BYTES`](crate::DEFAULT_MAX_LABEL_VALUE_BYTES)); set by
    /// the registry a family is registered with when it was built with
    /// [`max_label_value_bytes`](crate::RegistryBuilder::max_label_value_bytes).
    ///
    /// Meant for before the first update (the registry sets it on registration): series stored
    /// earlier stay exposed.
    pub fn set_max_label_value_bytes(&self, bytes: usize) {
        if let Some(k) = &self.keyed {
            k.set_max_value_bytes(bytes);
        }
    }

    /// Number of series currently exposed (including the overflow series once used).
    pub fn series_count(&self) -> usize {
        let per = self.desc.dense_len();
        match &self.keyed {
            None => per,
            Some(k) => (k.len() + usize::from(k.overflow_used().is_some())) * per,
        }
    }

    /// Calls `f` with every exposed series.
    fn for_each_stored(&self, mut f: impl FnMut(&S)) {
        let dense = match &self.keyed {
            None => Some(&self.dense),
            Some(k) => {
                let per = self.desc.dense_len();
                k.for_each(|_, i| {
                    (0..per)
                        .filter_map(|c| k.tuple_series(i, c))
                        .for_each(&mut f)
                });
                k.overflow_used()
            }
        };
        dense
            .into_iter()
            .flat_map(|d| d.series.iter().map(|p| &p.0))
            .for_each(f);
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
        let desc = self.desc;
        let Some(k) = &self.keyed else {
            return self.dense.for_each_series(desc, f);
        };
        // Free-form label text is rendered here rather than kept per series: memory per series
        // matters more than the few nanoseconds per series a scrape spends escaping.
        let per = desc.dense_len();
        let mut text = String::new();
        k.for_each(|parts, i| {
            let created_ms = k.created_ms(i);
            for slot in 0..per {
                let Some(s) = k.tuple_series(i, slot) else {
                    continue;
                };
                text.clear();
                let values = desc.label_values_iter(parts, slot);
                render_pairs_into(&mut text, desc.labels.iter().map(|l| l.name).zip(values));
                let labels = Labels::Stored { free: parts, slot };
                f(&SeriesRef::new(desc, labels, &text, s, created_ms));
            }
        });
        if let Some(d) = k.overflow_used() {
            d.for_each_series(desc, f);
        }
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
    fn expire_idle(&self) {
        Family::expire_idle(self)
    }
    fn series_count(&self) -> usize {
        Family::series_count(self)
    }
    fn record(&self, labels: &[&str], value: f64) -> Result<(), LabelError> {
        self.get_by_values(labels).map(|s| s.record(value))
    }
}

#[cfg(test)]
mod tests;
