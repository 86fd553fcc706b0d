//! Exemplars: the labels (a trace id, say) of one recent observation of a series, its value
//! and time, which Prometheus shows beside the series to lead from a graph to a trace.
//!
//! A series keeps no room for an exemplar: most never get one, and a free-form counter series
//! is 8 bytes. Exemplars live in a process-wide table keyed by the series' address (series
//! never move) and the histogram bucket, sharded so writers on different series rarely meet
//! on one lock. A family forgets its series' entries when a series is freed or the family is
//! dropped, so an address reused later never shows a stale exemplar. Writing one takes a lock
//! and reads the clock; recording without an exemplar costs nothing more than before.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::LazyLock;

use parking_lot::Mutex;

/// Combined length of an exemplar's label names and values, in characters, that OpenMetrics
/// allows ("MUST NOT exceed 128 UTF-8 character code points").
pub const MAX_EXEMPLAR_LABEL_CHARS: usize = 128;

/// An exemplar's labels were refused; the observation itself was recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExemplarError(String);

impl std::fmt::Display for ExemplarError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ExemplarError {}

/// One stored exemplar.
#[derive(Debug, Clone, Default)]
pub(crate) struct Stored {
    /// `(name, value)` pairs, in the order given.
    pub labels: Vec<(String, String)>,
    pub value: f64,
    /// Milliseconds since the Unix epoch.
    pub timestamp_ms: u64,
}

/// A series' exemplars: one for a counter (bucket 0), one per bucket for a histogram.
type Entry = Vec<Option<Stored>>;

const SHARDS: usize = 64;

static TABLE: LazyLock<[Mutex<HashMap<usize, Entry>>; SHARDS]> =
    LazyLock::new(|| std::array::from_fn(|_| Mutex::new(HashMap::new())));

/// Whether any exemplar was ever recorded: until then, scrapes and frees skip the table.
static USED: AtomicBool = AtomicBool::new(false);

/// The key of a series in the table: its address.
pub(crate) fn address<S>(series: &S) -> usize {
    series as *const S as usize
}

fn shard(series: usize) -> &'static Mutex<HashMap<usize, Entry>> {
    // Series are at least 8 bytes apart: drop the low bits that never differ.
    &TABLE[(series >> 3) % SHARDS]
}

/// Checks exemplar labels against OpenMetrics: label names of the legacy grammar, and at most
/// [`MAX_EXEMPLAR_LABEL_CHARS`] characters of names and values together.
pub(crate) fn check(labels: &[(&str, &str)]) -> Result<(), ExemplarError> {
    if let Some((name, _)) = labels
        .iter()
        .find(|(n, _)| !promdecl_spec::is_label_name(n))
    {
        return Err(ExemplarError(format!(
            "exemplar label name `{name}` is invalid; use ASCII letters, digits and `_`"
        )));
    }
    let chars: usize = labels
        .iter()
        .map(|(n, v)| n.chars().count() + v.chars().count())
        .sum();
    if chars > MAX_EXEMPLAR_LABEL_CHARS {
        return Err(ExemplarError(format!(
            "exemplar labels take {chars} characters; OpenMetrics allows \
             {MAX_EXEMPLAR_LABEL_CHARS} for names and values together"
        )));
    }
    Ok(())
}

/// Records an exemplar of `value` with `labels` for bucket `bucket` of the series at address
/// `series`, replacing the previous one. Reuses the stored strings, so a series' later
/// exemplars allocate only when a label grows.
pub(crate) fn record(
    series: usize,
    bucket: usize,
    labels: &[(&str, &str)],
    value: f64,
) -> Result<(), ExemplarError> {
    check(labels)?;
    let timestamp_ms = crate::start::now_ms();
    USED.store(true, Relaxed);
    let mut table = shard(series).lock();
    let entry = table.entry(series).or_default();
    if entry.len() <= bucket {
        entry.resize(bucket + 1, None);
    }
    let stored = entry[bucket].get_or_insert_with(Stored::default);
    stored.labels.resize_with(labels.len(), Default::default);
    for ((name, val), (n, v)) in stored.labels.iter_mut().zip(labels) {
        name.clear();
        name.push_str(n);
        val.clear();
        val.push_str(v);
    }
    stored.value = value;
    stored.timestamp_ms = timestamp_ms;
    Ok(())
}

/// A copy of the exemplars of the series at address `series` (index: bucket), if it has any.
pub(crate) fn of(series: usize) -> Option<Entry> {
    if !USED.load(Relaxed) {
        return None;
    }
    shard(series).lock().get(&series).cloned()
}

/// Forgets the exemplars of the series at address `series`: it was freed.
pub(crate) fn forget(series: usize) {
    if USED.load(Relaxed) {
        shard(series).lock().remove(&series);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_checked_and_exemplars_replaced_then_forgotten() {
        let long = "a".repeat(121);
        assert!(check(&[("trace_id", &long)]).is_err(), "8 + 121 > 128");
        assert!(
            check(&[("trace_id", &long[..120])]).is_ok(),
            "8 + 120 = 128"
        );
        assert!(check(&[("trace-id", "x")]).is_err());
        let key = Box::new(0u64);
        let series = &*key as *const u64 as usize;
        record(series, 2, &[("trace_id", "abc")], 0.5).unwrap();
        record(series, 2, &[("trace_id", "def"), ("span_id", "1")], 0.7).unwrap();
        let got = of(series).unwrap();
        assert_eq!(got.len(), 3);
        assert!(got[0].is_none() && got[1].is_none());
        let e = got[2].as_ref().unwrap();
        let labels: Vec<(&str, &str)> = e
            .labels
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        assert_eq!(labels, [("trace_id", "def"), ("span_id", "1")]);
        assert_eq!(e.value, 0.7);
        forget(series);
        assert!(of(series).is_none());
    }
}
