//! Prometheus text 0.0.4 and OpenMetrics 1.0: one line syntax, two kinds of metadata.
//!
//! Text names a counter family `x_total` and has no `info` type; OpenMetrics names the family `x`
//! (samples keep `x_total`), adds `# UNIT`, escapes `"` in HELP and ends with `# EOF`. Samples are
//! written identically. Names come from `promdecl_spec`.

use std::fmt::Write;

use promdecl_spec::{
    Kind, NameForm, BUCKET_LABEL, BUCKET_SUFFIX, COUNT_SUFFIX, CREATED_SUFFIX, QUANTILE_LABEL,
    SUM_SUFFIX,
};

use super::{Escaping, Format, Source, Writer};
use crate::desc::FamilyDesc;
use crate::exemplar::Stored;
use crate::value::{HistogramValue, Reading, SummaryValue};
use crate::view::SeriesRef;

/// A number as written in a sample.
#[derive(Debug, Clone, Copy)]
enum Num {
    U64(u64),
    I64(i64),
    F64(f64),
}

/// Writes `v` the way Prometheus clients do: `+Inf`, `-Inf`, `NaN`, else shortest round-trip.
pub(crate) fn write_f64(out: &mut String, v: f64) {
    if v.is_nan() {
        out.push_str("NaN");
    } else if v.is_infinite() {
        out.push_str(if v > 0.0 { "+Inf" } else { "-Inf" });
    } else {
        let _ = write!(out, "{v}");
    }
}

/// The canonical text of a bucket bound, as OpenMetrics parsers demand for `le`:
/// Go's formatting of floats (`1.0`, `0.005`, `1e-05`, `1.6777216e+07`, `+Inf`).
pub(crate) fn canonical_float(v: f64) -> String {
    if !v.is_finite() {
        let mut s = String::new();
        write_f64(&mut s, v);
        return s;
    }
    let abs = v.abs();
    // Go (and Python's parser, which checks it) switch to exponents below 1e-4 and from 7 digits.
    if abs != 0.0 && !(1e-4..1e6).contains(&abs) {
        return exponent_form(v);
    }
    let mut s = format!("{v}");
    if !s.contains('.') {
        s.push_str(".0");
    }
    s
}

/// `1.5e-05` / `1.6777216e+07`: Rust's `{:e}` with a signed, two-digit exponent.
fn exponent_form(v: f64) -> String {
    let s = format!("{v:e}");
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let (sign, digits) = match exp.strip_prefix('-') {
        Some(d) => ('-', d),
        None => ('+', exp),
    };
    format!("{mantissa}e{sign}{digits:0>2}")
}

/// Appends `s` with label-value escaping (`\`, `"`, newline).
pub(crate) fn escape_label_value(out: &mut String, s: &str) {
    escape(out, s, |b| match b {
        b'\\' => Some("\\\\"),
        b'"' => Some("\\\""),
        b'\n' => Some("\\n"),
        _ => None,
    });
}

/// Appends HELP text with the escaping `format` requires (OpenMetrics also escapes `"`).
pub(crate) fn escape_help(out: &mut String, s: &str, format: Format) {
    escape(out, s, |b| match b {
        b'\\' => Some("\\\\"),
        b'\n' => Some("\\n"),
        b'"' if format == Format::OpenMetrics => Some("\\\""),
        _ => None,
    });
}

/// Copies `s` into `out` in runs, replacing the ASCII bytes `replace` names (every escape the
/// formats define is ASCII, so runs always end on character boundaries).
fn escape(out: &mut String, s: &str, replace: impl Fn(u8) -> Option<&'static str>) {
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        if let Some(r) = replace(b) {
            out.push_str(s.get(start..i).unwrap_or_default());
            out.push_str(r);
            start = i + 1;
        }
    }
    out.push_str(s.get(start..).unwrap_or_default());
}

/// Appends `a="x",b="y"` for label values in declared order: the text each series caches.
pub(crate) fn render_labels_into(out: &mut String, desc: &FamilyDesc, values: &[&str]) {
    let names = desc.labels.iter().map(|l| l.name);
    render_pairs_into(out, names.zip(values.iter().copied()));
}

/// Renders `a="x",b="y"` for label values in declared order.
pub(crate) fn render_labels(desc: &FamilyDesc, values: &[&str]) -> String {
    let mut out = String::new();
    render_labels_into(&mut out, desc, values);
    out
}

/// Appends `a="x",b="y"` for `(name, value)` pairs.
pub(crate) fn render_pairs_into<'a>(
    out: &mut String,
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) {
    for (i, (name, value)) in pairs.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(name);
        out.push_str("=\"");
        escape_label_value(out, value);
        out.push('"');
    }
}

/// Appends ` # {name="value",...} value timestamp`: an OpenMetrics exemplar.
fn write_exemplar(out: &mut String, e: &Stored) {
    out.push_str(" # {");
    render_pairs_into(out, e.labels.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    out.push_str("} ");
    write_f64(out, e.value);
    out.push(' ');
    write_f64(out, e.timestamp_ms as f64 / 1000.0);
}

/// The const labels of `source` as `a="x",b="y"`, rendered once per scrape.
pub(crate) fn render_const_labels(source: &Source<'_>) -> String {
    let mut out = String::new();
    let pairs = source.const_labels.iter();
    render_pairs_into(&mut out, pairs.map(|(k, v)| (k.as_str(), v.as_str())));
    out
}

/// Writes families in either text dialect.
pub(crate) struct TextWriter<'a> {
    out: &'a mut String,
    format: Format,
    escaping: Escaping,
    /// The current family's sample name before any suffix (`_bucket`, ...): prefixed, and
    /// escaped unless it is quoted.
    name: String,
    /// The current family's name as its metadata lines write it (escaped or quoted).
    family: String,
    /// Bytes of `name` that are the family name (OpenMetrics counters: all but `_total`), the
    /// stem of `_created`.
    family_len: usize,
    /// Whether `_created` samples are written: OpenMetrics, start timestamps on.
    created: bool,
    /// The current series' exemplars by bucket (OpenMetrics only).
    exemplars: Vec<Option<Stored>>,
    /// Whether the current family's name is written quoted (`{"a.b",x="y"}`): a name outside
    /// the legacy grammar for a scraper that allows UTF-8.
    quoted: bool,
    /// The const labels, rendered once per scrape.
    const_labels: String,
    /// Canonical `le` texts of the current histogram family, or `quantile` texts of the
    /// current summary family, formatted once per scrape.
    le: Vec<String>,
    /// Whether the current histogram family writes `_sum` and `_count` (no negative bound).
    has_sum: bool,
    scratch: Vec<u64>,
}

impl<'a> TextWriter<'a> {
    pub(crate) fn new(out: &'a mut String, format: Format, source: &Source<'a>) -> Self {
        let const_labels = render_const_labels(source);
        Self {
            out,
            format,
            escaping: source.escaping,
            name: String::new(),
            family: String::new(),
            family_len: 0,
            exemplars: Vec::new(),
            created: format == Format::OpenMetrics && source.start_timestamps,
            quoted: false,
            const_labels,
            le: Vec::new(),
            has_sum: true,
            scratch: Vec::new(),
        }
    }

    /// Writes one sample line: `name{suffix}{const,labels,extra} value`, or
    /// `{"name{suffix}",const,labels,extra} value` when the name is quoted.
    fn sample(&mut self, suffix: &str, labels: &str, extra: Option<(&str, &str)>, v: Num) {
        self.line(self.name.len(), suffix, labels, extra, v);
    }

    /// [`sample`](Self::sample) followed by exemplar `i` of the current series, if it has one.
    fn sample_with_exemplar(
        &mut self,
        suffix: &str,
        labels: &str,
        extra: Option<(&str, &str)>,
        v: Num,
        i: usize,
    ) {
        self.sample(suffix, labels, extra, v);
        if let Some(Some(e)) = self.exemplars.get(i) {
            // ` # {trace_id="..."} value timestamp`, before the line's end.
            self.out.pop();
            write_exemplar(self.out, e);
            self.out.push('\n');
        }
    }

    /// Writes the `_created` sample of a series that has a start timestamp.
    fn created(&mut self, labels: &str, created_ms: u64) {
        if self.created && created_ms > 0 {
            let seconds = created_ms as f64 / 1000.0;
            self.line(
                self.family_len,
                CREATED_SUFFIX,
                labels,
                None,
                Num::F64(seconds),
            );
        }
    }

    /// A sample line whose name is the first `stem` bytes of the current name, then `suffix`.
    fn line(
        &mut self,
        stem: usize,
        suffix: &str,
        labels: &str,
        extra: Option<(&str, &str)>,
        v: Num,
    ) {
        let out = &mut *self.out;
        let stem = self.name.get(..stem).unwrap_or(&self.name);
        let mut first = true;
        if self.quoted {
            out.push_str("{\"");
            out.push_str(stem);
            out.push_str(suffix);
            out.push('"');
            first = false;
        } else {
            out.push_str(stem);
            out.push_str(suffix);
        }
        let parts = [self.const_labels.as_str(), labels];
        for p in parts.iter().filter(|p| !p.is_empty()) {
            out.push(if first { '{' } else { ',' });
            first = false;
            out.push_str(p);
        }
        if let Some((k, val)) = extra {
            out.push(if first { '{' } else { ',' });
            first = false;
            out.push_str(k);
            out.push_str("=\"");
            out.push_str(val);
            out.push('"');
        }
        if !first {
            out.push('}');
        }
        out.push(' ');
        // itoa: integer samples are most of a scrape, and `fmt` costs several times more.
        match v {
            Num::U64(n) => out.push_str(itoa::Buffer::new().format(n)),
            Num::I64(n) => out.push_str(itoa::Buffer::new().format(n)),
            Num::F64(f) => write_f64(out, f),
        }
        out.push('\n');
    }

    fn histogram(&mut self, labels: &str, h: &HistogramValue) {
        let mut cum = std::mem::take(&mut self.scratch);
        h.cumulative_into(&mut cum);
        let le = std::mem::take(&mut self.le);
        for (i, (n, le)) in cum.iter().zip(le.iter()).enumerate() {
            self.sample_with_exemplar(
                BUCKET_SUFFIX,
                labels,
                Some((BUCKET_LABEL, le)),
                Num::U64(*n),
                i,
            );
        }
        self.le = le;
        // OpenMetrics: no `_sum` with a negative bound, and `_count` if and only if `_sum`. Text
        // 0.0.4 gets the same samples, so a series never depends on the format.
        if self.has_sum {
            let total = cum.last().copied().unwrap_or(0);
            self.sample(SUM_SUFFIX, labels, None, Num::F64(h.sum()));
            self.sample(COUNT_SUFFIX, labels, None, Num::U64(total));
        }
        self.scratch = cum;
    }

    fn summary(&mut self, labels: &str, s: &SummaryValue) {
        let snapshot = s.snapshot();
        let quantiles = std::mem::take(&mut self.le);
        for ((_, v), q) in snapshot.quantiles.iter().zip(quantiles.iter()) {
            self.sample("", labels, Some((QUANTILE_LABEL, q)), Num::F64(*v));
        }
        self.le = quantiles;
        self.sample(SUM_SUFFIX, labels, None, Num::F64(snapshot.sum));
        self.sample(COUNT_SUFFIX, labels, None, Num::U64(snapshot.count));
    }
}

impl Writer for TextWriter<'_> {
    fn family(&mut self, prefix: &str, desc: &FamilyDesc) {
        let form = match self.format {
            Format::OpenMetrics | Format::OpenMetrics2 => NameForm::OpenMetrics,
            Format::Text => NameForm::Exposed,
        };
        // The whole sample name is escaped, then the family name read off it, as Prometheus's
        // own clients do, so every sample name still starts with its family's.
        let mut name = std::mem::take(&mut self.name);
        name.clear();
        name.push_str(prefix);
        name.push_str(desc.name);
        let legacy = promdecl_spec::is_legacy_name(&name);
        self.quoted = !legacy && self.escaping == Escaping::AllowUtf8;
        if !legacy && !self.quoted {
            name = self.escaping.escape(&name).into_owned();
        }
        let family_name = desc.kind.family_name(&name, form);
        self.family_len = family_name.len();
        // OpenMetrics requires the family name to end in the unit it declares.
        let unit = desc
            .unit
            .filter(|u| promdecl_spec::ends_with_unit(family_name, u));
        self.family.clear();
        let quote = if self.quoted { "\"" } else { "" };
        self.family.push_str(quote);
        self.family.push_str(family_name);
        self.family.push_str(quote);
        self.name = name;
        let (format, out, family_name) = (self.format, &mut *self.out, self.family.as_str());
        let meta = |out: &mut String, tag: &str| {
            out.push_str("# ");
            out.push_str(tag);
            out.push(' ');
            out.push_str(family_name);
            out.push(' ');
        };
        match format {
            Format::Text => {
                meta(out, "HELP");
                escape_help(out, desc.help, format);
                out.push('\n');
                meta(out, "TYPE");
                out.push_str(desc.kind.text_type());
                out.push('\n');
            }
            // OpenMetrics 2.0 has a writer of its own (openmetrics2.rs).
            Format::OpenMetrics | Format::OpenMetrics2 => {
                meta(out, "TYPE");
                out.push_str(desc.kind.as_str());
                out.push('\n');
                if let Some(unit) = unit {
                    meta(out, "UNIT");
                    out.push_str(unit);
                    out.push('\n');
                }
                meta(out, "HELP");
                escape_help(out, desc.help, format);
                out.push('\n');
            }
        }
        self.le.clear();
        self.has_sum = true;
        if desc.kind == Kind::Histogram {
            let b = desc.buckets.unwrap_or(crate::buckets::DEFAULT);
            self.le.extend(b.iter().map(|v| canonical_float(*v)));
            self.le.push(canonical_float(f64::INFINITY));
            self.has_sum = promdecl_spec::histogram_has_sum(b);
        }
        if desc.kind == Kind::Summary {
            let spec = desc.summary.unwrap_or_default();
            self.le
                .extend(spec.quantiles.iter().map(|q| canonical_float(*q)));
        }
    }

    fn series(&mut self, series: &SeriesRef<'_>) {
        let labels = series.text_labels();
        self.exemplars.clear();
        if self.format == Format::OpenMetrics {
            self.exemplars
                .extend(series.exemplars().into_iter().flatten());
        }
        match series.reading() {
            Reading::Counter(n) => self.sample_with_exemplar("", labels, None, Num::U64(n), 0),
            Reading::FloatCounter(v) => self.sample_with_exemplar("", labels, None, Num::F64(v), 0),
            Reading::Gauge(v) => self.sample("", labels, None, Num::F64(v)),
            Reading::IntGauge(n) => self.sample("", labels, None, Num::I64(n)),
            Reading::Histogram(h) => self.histogram(labels, h),
            Reading::Summary(s) => self.summary(labels, s),
            Reading::Info => self.sample("", labels, None, Num::U64(1)),
        }
        self.created(labels, series.created_ms());
    }

    fn finish(self) {
        if self.format == Format::OpenMetrics {
            self.out.push_str("# EOF\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_floats_match_go_formatting() {
        let cases = [
            (1.0, "1.0"),
            (0.005, "0.005"),
            (2.5, "2.5"),
            (262144.0, "262144.0"),
            (1048576.0, "1.048576e+06"),
            (1000000.0, "1e+06"),
            (999999.0, "999999.0"),
            (16777216.0, "1.6777216e+07"),
            (0.00001, "1e-05"),
            (f64::INFINITY, "+Inf"),
        ];
        for (v, want) in cases {
            assert_eq!(canonical_float(v), want, "{v}");
        }
    }

    #[test]
    fn label_values_are_escaped() {
        let mut s = String::new();
        escape_label_value(&mut s, "a\\b\"c\nd");
        assert_eq!(s, r#"a\\b\"c\nd"#);
    }
}
