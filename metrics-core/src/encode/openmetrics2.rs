//! OpenMetrics 2.0 text, written to the release candidate 2.0.0-rc0 (prometheus/docs,
//! `docs/specs/om/open_metrics_spec_2_0.md` at commit fe6f3c941a78). Quotes in comments below
//! are from that text.
//!
//! What changes from OpenMetrics 1.0, and how this writer does it:
//!
//! - "this specification requires Metric name to strictly match its MetricFamily name": the
//!   `# TYPE`, `# UNIT` and `# HELP` lines name the family exactly as its samples do, so a
//!   counter family is `x_total` (1.0 wrote `x`) and an info family `x_info`.
//! - A histogram is one sample per series whose value is a CompositeValue:
//!   `{count:N,sum:S,schema:..,zero_threshold:..,zero_count:..,negative_spans:[..],negative_buckets:[..],positive_spans:[..],positive_buckets:[..],bucket:[le:n,...,+Inf:n]}`,
//!   native fields only when the family declares native buckets, `bucket` only when it has
//!   classic ones (a native-only family has no classic buckets, so the lone `+Inf` bucket the
//!   other text formats show is not written here). Native bucket values are absolute counts,
//!   not the deltas of protobuf.
//! - The start timestamp is inline, `st@<seconds>`, after the value and before any exemplar,
//!   instead of a `_created` sample.
//! - Exemplars must have a timestamp, and a sample may have several: every exemplar a series
//!   keeps (one per classic bucket of a histogram) is written on its one line, in bucket order.
//! - Names outside the legacy grammar are quoted (`{"a.b",x="y"}`, `# TYPE "a.b" gauge`) for a
//!   scraper that allows UTF-8 and escaped for any other, as in the other text formats. Label
//!   names never need quoting: promdecl only takes legacy ones.
//!
//! Choices where the specification leaves room, each marked "Choice" where it is made:
//! numbers, timestamps, the sum of a histogram with a negative bound, the counts of a
//! histogram read while observed, empty native buckets, `# UNIT` and empty `# HELP`.
//!
//! The types promdecl has no family of (stateset, gaugehistogram, summary, unknown) are never
//! written; nor are sample timestamps, which promdecl does not keep.

use std::fmt::Write;

use promdecl_spec::Kind;

use super::text::{
    canonical_float, escape_label_value, render_const_labels, render_pairs_into, write_f64,
};
use super::{drive, Escaping, Source, Writer};
use crate::desc::FamilyDesc;
use crate::exemplar::Stored;
use crate::value::{HistogramValue, Reading, SummarySnapshot};
use crate::view::SeriesRef;

/// Writes every family of `source` as OpenMetrics 2.0 text, appending to `out`.
pub(crate) fn write(out: &mut String, source: &Source<'_>) {
    drive(OpenMetrics2Writer::new(out, source), source)
}

/// Writes families as OpenMetrics 2.0 text.
struct OpenMetrics2Writer<'a> {
    out: &'a mut String,
    escaping: Escaping,
    start_timestamps: bool,
    /// The const labels, rendered once per scrape.
    const_labels: String,
    /// The current family's name as written: bare, or quoted with its `"` and `\` escaped.
    name: String,
    /// Whether `name` is quoted, so samples carry it inside their braces.
    quoted: bool,
    kind: Kind,
    /// The current histogram family's bucket bounds as written, `+Inf` last.
    le: Vec<String>,
    /// Cumulative classic counts of one histogram series, reused across series.
    cumulative: Vec<u64>,
}

impl<'a> OpenMetrics2Writer<'a> {
    fn new(out: &'a mut String, source: &Source<'_>) -> Self {
        let const_labels = render_const_labels(source);
        Self {
            out,
            escaping: source.escaping,
            start_timestamps: source.start_timestamps,
            const_labels,
            name: String::new(),
            quoted: false,
            kind: Kind::Gauge,
            le: Vec::new(),
            cumulative: Vec::new(),
        }
    }

    /// Appends a metadata line: `# TAG name `, then `text` as given.
    fn meta(&mut self, tag: &str, text: impl FnOnce(&mut String)) {
        let out = &mut *self.out;
        out.push_str("# ");
        out.push_str(tag);
        out.push(' ');
        out.push_str(&self.name);
        out.push(' ');
        text(out);
        out.push('\n');
    }
}

impl Writer for OpenMetrics2Writer<'_> {
    fn family(&mut self, prefix: &str, desc: &FamilyDesc) {
        let mut full = String::with_capacity(prefix.len() + desc.name.len());
        full.push_str(prefix);
        full.push_str(desc.name);
        let legacy = promdecl_spec::is_legacy_name(&full);
        self.quoted = !legacy && self.escaping == Escaping::AllowUtf8;
        self.kind = desc.kind;
        self.name.clear();
        if self.quoted {
            // "Escaping MUST also be applied to quoted UTF-8 strings."
            self.name.push('"');
            escape_label_value(&mut self.name, &full);
            self.name.push('"');
        } else if legacy {
            self.name.push_str(&full);
        } else {
            self.name.push_str(&self.escaping.escape(&full));
        }

        self.meta("TYPE", |out| out.push_str(desc.kind.as_str()));
        // Choice: "If a unit is specified it MUST be provided in a UNIT metadata line", so a
        // declared unit is written even where the name does not end in it (which 2.0 only
        // discourages), except on info families, which "MUST have an empty Unit string", and
        // except a unit the line's grammar (`*metricname-char`) cannot carry.
        let unit = desc.unit.filter(|u| {
            desc.kind != Kind::Info
                && !u.is_empty()
                && u.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
        });
        if let Some(unit) = unit {
            self.meta("UNIT", |out| out.push_str(unit));
        }
        // Choice: an empty HELP "MUST be treated as if the metadata line were not present", so
        // none is written rather than a line ending in a space.
        if !desc.help.is_empty() {
            self.meta("HELP", |out| escape_label_value(out, desc.help));
        }

        self.le.clear();
        if desc.kind == Kind::Histogram {
            let bounds = desc.buckets.unwrap_or(crate::buckets::DEFAULT);
            bounds_text(&mut self.le, bounds);
        }
    }

    fn series(&mut self, series: &SeriesRef<'_>) {
        let out = &mut *self.out;
        name_and_labels(
            out,
            &self.name,
            self.quoted,
            [self.const_labels.as_str(), series.text_labels()],
        );
        out.push(' ');
        match series.reading() {
            Reading::Counter(n) => out.push_str(itoa::Buffer::new().format(n)),
            Reading::FloatCounter(v) | Reading::Gauge(v) => write_float(out, v),
            Reading::IntGauge(n) => out.push_str(itoa::Buffer::new().format(n)),
            // "The Sample value MUST always be 1."
            Reading::Info => out.push('1'),
            Reading::Histogram(h) => {
                if self.le.len() != h.bounds().len() + 1 {
                    // A series whose bounds are not its descriptor's (none are, today).
                    bounds_text(&mut self.le, h.bounds());
                }
                histogram(out, h, &self.le, &mut self.cumulative);
            }
            Reading::Summary(s) => summary(out, &s.snapshot()),
        }
        // Counters, histograms and summaries only: the series view has no start for other
        // kinds.
        let created = series.created_ms();
        if self.start_timestamps && created > 0 {
            out.push_str(" st@");
            write_timestamp(out, created);
        }
        // "A Sample in a Metric with the type Counter MAY have exemplars", as may a histogram's;
        // the 2.0 data model gives no other type any.
        if matches!(self.kind, Kind::Counter | Kind::Histogram) {
            if let Some(exemplars) = series.exemplars() {
                for e in exemplars.iter().flatten() {
                    write_exemplar(out, e);
                }
            }
        }
        out.push('\n');
    }

    fn finish(self) {
        // "Expositions MUST end with `EOF` and SHOULD end with `EOF\n`."
        self.out.push_str("# EOF\n");
    }
}

/// Appends a summary's CompositeValue: `{count:12,sum:100.0,quantile:[0.9:2.0,0.99:20.0]}`.
fn summary(out: &mut String, s: &SummarySnapshot) {
    out.push_str("{count:");
    out.push_str(itoa::Buffer::new().format(s.count));
    out.push_str(",sum:");
    write_float(out, s.sum);
    out.push_str(",quantile:[");
    for (i, (q, v)) in s.quantiles.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_float(out, *q);
        out.push(':');
        write_float(out, *v);
    }
    out.push_str("]}");
}

/// Replaces `le` with the written bounds of classic buckets `bounds`, then `+Inf`.
fn bounds_text(le: &mut Vec<String>, bounds: &[f64]) {
    le.clear();
    le.extend(bounds.iter().map(|b| canonical_float(*b)));
    le.push(canonical_float(f64::INFINITY));
}

/// Appends `name{a="x",...}`, or `{"name",a="x",...}` for a quoted name, which "MUST be moved
/// inside the brackets as the first item"; no braces for an unquoted name without labels.
fn name_and_labels(out: &mut String, name: &str, quoted: bool, parts: [&str; 2]) {
    // Whether the next label opens the braces.
    let mut first = !quoted;
    if quoted {
        out.push('{');
    }
    out.push_str(name);
    for part in parts.iter().filter(|p| !p.is_empty()) {
        out.push(if first { '{' } else { ',' });
        first = false;
        out.push_str(part);
    }
    if !first {
        out.push('}');
    }
}

/// Appends a histogram's CompositeValue: `count` and `sum`, the native fields if it keeps
/// native buckets, then `bucket` if it has classic ones, "in this order".
fn histogram(out: &mut String, h: &HistogramValue, le: &[String], cumulative: &mut Vec<u64>) {
    h.cumulative_into(cumulative);
    let native = h.native();
    // Choice: the native and classic parts are read one after the other, so an observation in
    // flight may show in one only. "The Count value MUST be equal to the value of the +Inf
    // bucket" and, for native buckets, to "the sum of the negative, positive and zero Native
    // Buckets": the native count is written, the classic counts are clamped to it and the
    // `+Inf` bucket is it, as the protobuf writer does. One scrape may so misplace one
    // in-flight observation among the classic buckets; none is ever counted twice.
    let count = match &native {
        Some(n) => n.count,
        None => cumulative.last().copied().unwrap_or(0),
    };
    // Choice: "A Histogram Sample MUST contain Count and Sum", so the sum is written for a
    // histogram with a negative bound too, which OpenMetrics 1.0 forbade; 2.0 says only that
    // "The Sum is only a counter semantically as long as there are no negative event values".
    let sum = native.as_ref().map_or_else(|| h.sum(), |n| n.sum);
    out.push_str("{count:");
    out.push_str(itoa::Buffer::new().format(count));
    out.push_str(",sum:");
    write_float(out, sum);
    if let Some(n) = &native {
        out.push_str(",schema:");
        out.push_str(itoa::Buffer::new().format(n.schema));
        out.push_str(",zero_threshold:");
        // A realnumber: finite, as every declared zero threshold is.
        write_float(out, n.zero_threshold);
        out.push_str(",zero_count:");
        out.push_str(itoa::Buffer::new().format(n.zero_count));
        native_buckets(out, "negative", &n.negative);
        native_buckets(out, "positive", &n.positive);
    }
    // A native-only histogram (no classic bounds) keeps just the `+Inf` cell, which is not a
    // classic bucket of its own.
    if native.is_none() || !h.bounds().is_empty() {
        out.push_str(",bucket:[");
        let last = cumulative.len().saturating_sub(1);
        for (i, (n, le)) in cumulative.iter().zip(le).enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(le);
            out.push(':');
            let n = if i == last { count } else { (*n).min(count) };
            out.push_str(itoa::Buffer::new().format(n));
        }
        out.push(']');
    }
    out.push('}');
}

/// Appends `,{side}_spans:[offset:length,...],{side}_buckets:[count,...]` for native buckets
/// `(index, count)` sorted by index, each index once (as a snapshot has them); nothing when none
/// is populated ("the fields [...] SHOULD be omitted").
///
/// Choice: "Native Buckets that have a value of 0 SHOULD NOT be present", so none is written;
/// the specification's exception (an empty bucket that saves a span) is not taken, a span
/// costing about as many characters as the `0` it saves.
fn native_buckets(out: &mut String, side: &str, buckets: &[(i32, u64)]) {
    let populated = || buckets.iter().filter(|b| b.1 > 0);
    if populated().next().is_none() {
        return;
    }
    out.push(',');
    out.push_str(side);
    out.push_str("_spans:[");
    // "Only the first span in each list can have a negative offset. It defines the index of
    // the first bucket [...] The offsets of the following spans define the number of excluded
    // (and thus unpopulated buckets)."
    let mut span: Option<(i64, u64)> = None;
    // The index after the last bucket of the current span.
    let mut next: Option<i64> = None;
    for &(index, _) in populated() {
        let index = i64::from(index);
        match (&mut span, next) {
            (Some((_, length)), Some(n)) if index == n => *length += 1,
            (current, _) => {
                if let Some(done) = current.take() {
                    write_span(out, done);
                    out.push(',');
                }
                let offset = next.map_or(index, |n| index - n);
                *current = Some((offset, 1));
            }
        }
        next = Some(index + 1);
    }
    if let Some(done) = span {
        write_span(out, done);
    }
    out.push_str("],");
    out.push_str(side);
    out.push_str("_buckets:[");
    for (i, &(_, n)) in populated().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(itoa::Buffer::new().format(n));
    }
    out.push(']');
}

fn write_span(out: &mut String, (offset, length): (i64, u64)) {
    out.push_str(itoa::Buffer::new().format(offset));
    out.push(':');
    out.push_str(itoa::Buffer::new().format(length));
}

/// Appends ` # {name="value",...} value timestamp`: "Exemplars without Labels MUST represent an
/// empty LabelSet as {}", and the timestamp is no longer optional.
fn write_exemplar(out: &mut String, e: &Stored) {
    out.push_str(" # {");
    render_pairs_into(out, e.labels.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    out.push_str("} ");
    write_float(out, e.value);
    out.push(' ');
    write_timestamp(out, e.timestamp_ms);
}

/// Appends `ms` (since the Unix epoch) as seconds with three decimals: `1520430000.123`.
///
/// Choice: "Timestamps MUST be Unix Epoch in seconds" and "SHOULD be floating point to represent
/// sub-second precision"; written from the integer milliseconds, always with three decimals, the
/// value is exact (no float rounding) and never in exponent form, which the specification
/// advises against for timestamps.
fn write_timestamp(out: &mut String, ms: u64) {
    out.push_str(itoa::Buffer::new().format(ms / 1000));
    let frac = ms % 1000;
    out.push('.');
    if frac < 100 {
        out.push('0');
    }
    if frac < 10 {
        out.push('0');
    }
    out.push_str(itoa::Buffer::new().format(frac));
}

/// Appends a floating-point value.
///
/// Choice: "Floating point numbers MUST be represented either with a decimal point or using
/// scientific notation", so a float that happens to be whole is `17.0`, never `17` (integers,
/// such as counts and integer counters, are written without a point: "Integer numbers MUST NOT
/// have a decimal point"). The form is the shortest that reads back exactly, with an exponent
/// below 1e-4 and from 1e6, in the style of the specification's own examples (`0.0001`,
/// `100000.0`, `1e+06`, `1.1e+23`, `4.20072246e+06`): the text of [`canonical_float`], without
/// allocating. NaN and infinities are `NaN`, `+Inf` and `-Inf`.
fn write_float(out: &mut String, v: f64) {
    if !v.is_finite() {
        write_f64(out, v);
        return;
    }
    let start = out.len();
    let abs = v.abs();
    if abs == 0.0 || (1e-4..1e6).contains(&abs) {
        let _ = write!(out, "{v}");
        if !out.get(start..).is_some_and(|s| s.contains('.')) {
            out.push_str(".0");
        }
        return;
    }
    // Rust writes `1.5e-5` and `1e23`; the exponent is rewritten signed, with two digits or
    // more: `1.5e-05`, `1e+23`.
    let _ = write!(out, "{v:e}");
    let Some(e) = out.get(start..).and_then(|s| s.find('e')) else {
        return;
    };
    let at = start + e;
    let exponent: i32 = out.get(at + 1..).and_then(|s| s.parse().ok()).unwrap_or(0);
    out.truncate(at);
    let sign = if exponent < 0 { '-' } else { '+' };
    let _ = write!(out, "e{sign}{:02}", exponent.unsigned_abs());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn float(v: f64) -> String {
        let mut s = String::new();
        write_float(&mut s, v);
        s
    }

    #[test]
    fn floats_always_show_they_are_floats() {
        let cases = [
            (17.0, "17.0"),
            (0.0, "0.0"),
            (-2.5, "-2.5"),
            (324789.3, "324789.3"),
            (100000.0, "100000.0"),
            (1e6, "1e+06"),
            (4200722.46, "4.20072246e+06"),
            (1e-5, "1e-05"),
            (1e-4, "0.0001"),
            (1.1e23, "1.1e+23"),
            (-3.5e-200, "-3.5e-200"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Inf"),
        ];
        for (v, want) in cases {
            assert_eq!(float(v), want, "{v}");
            if v.is_finite() {
                assert_eq!(float(v), canonical_float(v), "{v}");
                assert_eq!(float(v).parse::<f64>().ok(), Some(v), "{v} reads back");
            }
        }
    }

    #[test]
    fn timestamps_are_exact_seconds_with_three_decimals() {
        let mut s = String::new();
        for ms in [
            1_520_430_000_123u64,
            1_000_000_000_000,
            1_605_301_325_005,
            42,
        ] {
            s.clear();
            write_timestamp(&mut s, ms);
            let (secs, frac) = s.split_once('.').expect("a decimal point");
            assert_eq!(frac.len(), 3, "{s}");
            assert_eq!(secs.parse::<u64>().ok(), Some(ms / 1000), "{s}");
            assert_eq!(frac.parse::<u64>().ok(), Some(ms % 1000), "{s}");
        }
    }

    fn spans(buckets: &[(i32, u64)]) -> String {
        let mut s = String::new();
        native_buckets(&mut s, "positive", buckets);
        s
    }

    #[test]
    fn native_spans_hold_absolute_counts_of_populated_buckets() {
        // The specification's example: "positive_spans:[-1:2,3:4],positive_buckets:[5,7,10,9,8,8]"
        // is buckets -1 and 0, three unpopulated (1, 2, 3), then 4 to 7.
        let buckets = [(-1, 5), (0, 7), (4, 10), (5, 9), (6, 8), (7, 8)];
        assert_eq!(
            spans(&buckets),
            ",positive_spans:[-1:2,3:4],positive_buckets:[5,7,10,9,8,8]"
        );
        // A zero count is left out, splitting the span.
        assert_eq!(
            spans(&[(2, 1), (3, 0), (4, 6)]),
            ",positive_spans:[2:1,1:1],positive_buckets:[1,6]"
        );
        assert_eq!(spans(&[(3, 0)]), "");
        assert_eq!(spans(&[]), "");
    }

    #[test]
    fn quoted_names_go_inside_the_braces() {
        let mut s = String::new();
        name_and_labels(&mut s, "\"a.b\"", true, ["", ""]);
        assert_eq!(s, "{\"a.b\"}");
        s.clear();
        name_and_labels(&mut s, "\"a.b\"", true, ["c=\"1\"", "d=\"2\""]);
        assert_eq!(s, "{\"a.b\",c=\"1\",d=\"2\"}");
        s.clear();
        name_and_labels(&mut s, "ab", false, ["", "d=\"2\""]);
        assert_eq!(s, "ab{d=\"2\"}");
        s.clear();
        name_and_labels(&mut s, "ab", false, ["", ""]);
        assert_eq!(s, "ab");
    }
}
