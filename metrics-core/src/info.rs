//! Info families: one series of constant value 1 whose labels carry facts (versions, ids).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};

use parking_lot::RwLock;

use crate::desc::{FamilyDesc, DEFAULT_MAX_LABEL_VALUE_BYTES};
use crate::encode::text::render_labels;
use crate::value::saturating_add;
use crate::value::Reading;
use crate::view::{AnyFamily, SeriesRef};

/// An `*_info` family. Setting it replaces the previous label values, so it holds one series.
///
/// Its values are free-form, so they obey the same length cap as other families' free-form
/// values ([`DEFAULT_MAX_LABEL_VALUE_BYTES`]): a value over it is never stored; the set is
/// ignored (the previous values stay) and counted in `metrics_series_overflow_total`.
#[derive(Debug)]
pub struct Info {
    desc: &'static FamilyDesc,
    /// Label values and their rendered exposition text; `None` until first set.
    current: RwLock<Option<(Vec<String>, String)>>,
    /// Longest value stored.
    max_value_bytes: AtomicUsize,
    /// Sets ignored because a value was too long.
    refused: AtomicU64,
}

impl Info {
    /// Creates an unset info family.
    pub fn new(desc: &'static FamilyDesc) -> Self {
        Self {
            desc,
            current: RwLock::new(None),
            max_value_bytes: AtomicUsize::new(DEFAULT_MAX_LABEL_VALUE_BYTES),
            refused: AtomicU64::new(0),
        }
    }

    /// Replaces the label values (declared order). Not a hot path: it takes a short write lock.
    /// A value longer than the cap is not stored: the set is ignored and counted.
    pub fn set(&self, values: &[&str]) {
        let max = self.max_value_bytes.load(Relaxed);
        if values.iter().any(|v| v.len() > max) {
            saturating_add(&self.refused, 1);
            return;
        }
        let rendered = render_labels(self.desc, values);
        *self.current.write() = Some((values.iter().map(|v| v.to_string()).collect(), rendered));
    }

    /// The current label values, if set.
    pub fn get(&self) -> Option<Vec<String>> {
        self.current.read().as_ref().map(|(v, _)| v.clone())
    }
}

impl AnyFamily for Info {
    fn desc(&self) -> &'static FamilyDesc {
        self.desc
    }
    fn for_each_series(&self, f: &mut dyn FnMut(&SeriesRef<'_>)) {
        if let Some((values, text)) = &*self.current.read() {
            f(&SeriesRef::listed(self.desc, values, text, Reading::Info));
        }
    }
    fn folded(&self) -> u64 {
        self.refused.load(Relaxed)
    }
    fn set_max_label_value_bytes(&self, bytes: usize) {
        self.max_value_bytes.store(bytes, Relaxed);
    }
    fn series_count(&self) -> usize {
        usize::from(self.current.read().is_some())
    }
    fn record(&self, labels: &[&str], _value: f64) -> Result<(), crate::LabelError> {
        if labels.len() != self.desc.labels.len() {
            return Err(crate::LabelError::new(format!(
                "`{}` takes {} label values, got {}",
                self.desc.name,
                self.desc.labels.len(),
                labels.len()
            )));
        }
        self.set(labels);
        Ok(())
    }
}
