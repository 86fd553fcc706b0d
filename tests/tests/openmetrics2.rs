//! OpenMetrics 2.0 text ([`Format::OpenMetrics2`]) against the specification's own examples.
//!
//! Source: the OpenMetrics 2.0 specification, release candidate 2.0.0-rc0, in the
//! prometheus/docs repository, `docs/specs/om/open_metrics_spec_2_0.md` at commit
//! fe6f3c941a7804f066ec31b962dd40b2ca7d4654 (blob b7e2c13fd6b30f43b5d9a245c671454344dc73af). A
//! few examples come from the same repository's `docs/guides/open_metrics_2_0_migration.md` (at
//! commit 1d5f492ce300c8cc560421f1f575992593c47433), which defers to the specification. Each test
//! quotes its example and the section it is in, and builds the same metrics with promdecl.
//!
//! What promdecl's output cannot repeat of an example, and how the tests compare instead:
//! - start timestamps (`st@`) and exemplar timestamps are the series' own: a start is computed
//!   from [`SeriesRef::created`], an exemplar's time is checked to lie within the milliseconds
//!   the test recorded it in, and either replaces the example's;
//! - sample timestamps: promdecl writes none (the specification advises against them), so an
//!   example's is left out;
//! - numbers the examples spell otherwise (`1e-4` where promdecl writes `0.0001`, a float sum
//!   `0` where it writes `0.0`) are compared as numbers;
//! - several histogram examples have a sum their buckets cannot produce (the 12-bucket example's
//!   sum is 324789.3 though one observation is above 1e23): their sum is compared with the sum
//!   of what the test observed.
//!
//! Beyond the examples: every line of a larger exposition is checked against the specification's
//! ABNF, by hand ([`check_lines`]) and by Python's `abnf` package loading the ABNF itself, as
//! the specification's own CI checks its examples (`pip install abnf`; like the other external
//! validators, missing it fails under `CI` and skips loudly elsewhere); text 0.0.4 and
//! OpenMetrics 1.0 stay as they were.
//!
//! No independent OpenMetrics 2.0 parser was found to read the output back: Python's
//! `prometheus_client` (0.26.0, the newest) parses OpenMetrics 1.0 and an older native
//! histogram syntax (`positive_deltas`), not 2.0's composite values nor `st@`.

use std::time::{SystemTime, UNIX_EPOCH};

use promdecl::value::{FloatCounterValue, HistogramValue, IntGaugeValue, NativeSpec};
use promdecl::{
    Counter, Escaping, Exposition, FamilyDesc, FloatCounter, Format, Gauge, Histogram, Info,
    IntGauge, Kind, LabelDesc, Metrics, Registry, SeriesRef,
};

/// The ABNF of the specification ("Text Format", "ABNF"), verbatim.
const ABNF: &str = r##"exposition = metricset HASH SP %s"EOF" [ LF ]

metricset = *metricfamily

metricfamily = *metric-descriptor *sample

metric-descriptor = HASH SP %s"TYPE" SP (metricname / metricname-utf8) SP metric-type LF
metric-descriptor =/ HASH SP %s"HELP" SP (metricname / metricname-utf8) SP escaped-string LF
metric-descriptor =/ HASH SP %s"UNIT" SP (metricname / metricname-utf8) SP *metricname-char LF

metric-type = %s"counter" / %s"gauge" / %s"histogram" / %s"gaugehistogram" / %s"stateset"
metric-type =/ %s"info" / %s"summary" / %s"unknown"

sample = metricname-and-labels SP value [SP timestamp] [SP start-timestamp] *exemplar LF

value = number / "{" composite-value "}"

timestamp = realnumber

; Lowercase st @ timestamp
start-timestamp = %s"st" "@" timestamp

exemplar = SP HASH SP labels-in-braces SP number SP timestamp

metricname-and-labels = metricname [labels-in-braces] / name-and-labels-in-braces
labels-in-braces = "{" [label *(COMMA label)] "}"
name-and-labels-in-braces = "{" metricname-utf8 *(COMMA label) "}"

label = label-key "=" DQUOTE escaped-string DQUOTE

; Number value
number = realnumber
; Case insensitive
number =/ [SIGN] (%i"inf" / %i"infinity")
number =/ %i"nan"

; Real floats
; Leading 0s explicitly okay
realnumber = [SIGN] 1*DIGIT ["." *DIGIT] [ "e" [SIGN] 1*DIGIT ]
realnumber =/ [SIGN] *DIGIT "." 1*DIGIT [ "e" [SIGN] 1*DIGIT ]

; Integers
; Leading 0s explicitly okay
integer = [SIGN] 1*"0" / [SIGN] positive-integer
non-negative-integer = ["+"] 1*"0" / ["+"] positive-integer
positive-integer = *"0" positive-digit *DIGIT
positive-digit = "1" / "2" / "3" / "4" / "5" / "6" / "7" / "8" / "9"

BS = "\"
COMMA = ","
HASH = "#"
SIGN = "-" / "+"

metricname = metricname-initial-char 0*metricname-char

metricname-char = metricname-initial-char / DIGIT
metricname-initial-char = ALPHA / "_" / ":"
metricname-utf8 = DQUOTE escaped-string-non-empty DQUOTE

label-key = label-name / DQUOTE escaped-string-non-empty DQUOTE
label-name = label-name-initial-char *label-name-char

label-name-char = label-name-initial-char / DIGIT
label-name-initial-char = ALPHA / "_"

escaped-string = *escaped-char
escaped-string-non-empty = 1*escaped-char

escaped-char = normal-char
escaped-char =/ BS ("n" / DQUOTE / BS)
escaped-char =/ BS normal-char

; Any unicode character, except newline, double quote, and backslash
normal-char = %x00-09 / %x0B-21 / %x23-5B / %x5D-D7FF / %xE000-10FFFF

; Composite values
composite-value = histogram-value / gauge-histogram-value / summary-value

; Histograms
histogram-value = h-count "," h-sum "," histogram-buckets
gauge-histogram-value = %s"g" h-count "," %s"g" h-sum "," histogram-buckets

; count:x
h-count = %s"count" ":" number
; sum:f allows real numbers and +-Inf and NaN
h-sum = %s"sum" ":" number

histogram-buckets = classic-buckets / native-buckets [ "," classic-buckets ]

; bucket:[...,+Inf:v] The +Inf bucket is required.
classic-buckets = %s"bucket" ":" "[" [ ch-le-counts "," ] ch-pos-inf-bucket "]"
ch-le-counts = (ch-neg-inf-bucket / ch-le-bucket) *("," ch-le-bucket)
ch-pos-inf-bucket = "+" %s"Inf" ":" number
ch-neg-inf-bucket = "-" %s"Inf" ":" number
ch-le-bucket = realnumber ":" number

; schema:3,zero_threshold:1e-128,zero_count:2,negative_spans:[1:1],negative_buckets:[2],positive_spanes:[-3:1,2:2],positive_buckets:[3,1,0]
native-buckets = nh-schema "," nh-zero-threshold "," nh-zero-count [ "," nh-negative-spans "," nh-negative-buckets ] [ "," nh-positive-spans "," nh-positive-buckets ]

; schema:i
nh-schema = %s"schema" ":" integer
; zero_threshold:f
nh-zero-threshold = %s"zero_threshold" ":" realnumber
; zero_count:x
nh-zero-count = %s"zero_count" ":" number
; negative_spans:[1:2,3:4] and positive_spans:[-3:1,2:2]
nh-negative-spans = %s"negative_spans" ":" "[" [nh-spans] "]"
nh-positive-spans = %s"positive_spans" ":" "[" [nh-spans] "]"
; Spans hold offset and length. The offset can start from any index, even
; negative, however subsequent spans can only advance the index, not decrease it.
nh-spans = nh-start-span *("," nh-span)
nh-start-span = integer ":" non-negative-integer
nh-span = non-negative-integer ":" non-negative-integer

; negative_buckets:[1,2,3] and positive_buckets:[1,2,3]
nh-negative-buckets = %s"negative_buckets" ":" "[" [nh-buckets] "]"
nh-positive-buckets = %s"positive_buckets" ":" "[" [nh-buckets] "]"

nh-buckets = number *("," number)

; Summary

; count:12.0,sum:100.0,quantile:[0.9:2.0,0.95:3.0,0.99:20.0]
summary-value = cs-count "," cs-sum "," cs-quantile

; count:x where x is a number
cs-count = %s"count" ":" number
; sum:x where x is a real number or +-Inf or NaN
cs-sum = %s"sum" ":" number
; quantile:[...]
cs-quantile = %s"quantile" ":" "[" [ cs-q-counts ] "]"
cs-q-counts = cs-q-count *("," cs-q-count)
cs-q-count = realnumber ":" number
"##;

// ---------------------------------------------------------------------------------------------
// Helpers.

fn om2(registry: &Registry) -> String {
    registry.encode(Format::OpenMetrics2)
}

fn om2_with(registry: &Registry, escaping: Escaping) -> String {
    let bytes = registry.expose(Exposition::text(Format::OpenMetrics2).with_escaping(escaping));
    String::from_utf8(bytes).expect("UTF-8")
}

fn without_start_timestamps() -> Registry {
    Registry::builder()
        .without_start_timestamps()
        .build()
        .unwrap()
}

/// The lines of family `name` (as its `# TYPE` line writes it): that line and the ones after it,
/// up to the next family or the end.
fn family(text: &str, name: &str) -> Vec<String> {
    let start = format!("# TYPE {name} ");
    let mut lines = text.lines().skip_while(|l| !l.starts_with(&start));
    let Some(first) = lines.next() else {
        panic!("no family {name} in\n{text}");
    };
    let rest = lines.take_while(|l| !l.starts_with("# TYPE ") && *l != "# EOF");
    std::iter::once(first)
        .chain(rest)
        .map(str::to_string)
        .collect()
}

/// The one sample line of family `name`, its last.
fn sample_line(text: &str, name: &str) -> String {
    let lines = family(text, name);
    let last = lines.last().unwrap();
    assert!(!last.starts_with('#'), "no sample of {name} in\n{text}");
    last.clone()
}

/// `text` without the registry's own `metrics_series_overflow_total` family, which it adds for
/// families with free-form labels (all zero here).
fn without_overflow_family(text: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in text.split_inclusive('\n') {
        if line.starts_with("# TYPE ") {
            inside = line.starts_with("# TYPE metrics_series_overflow_total ");
        }
        if !inside || line == "# EOF\n" {
            out.push_str(line);
        }
    }
    out
}

/// `lines` without `# HELP` lines: promdecl requires help text where the examples have none.
fn without_help(lines: &[String]) -> Vec<String> {
    let lines = lines.iter().filter(|l| !l.starts_with("# HELP "));
    lines.cloned().collect()
}

fn spec(lines: &str) -> Vec<String> {
    lines.lines().map(str::to_string).collect()
}

fn ms(t: SystemTime) -> u64 {
    u64::try_from(t.duration_since(UNIX_EPOCH).unwrap().as_millis()).unwrap()
}

/// When the series of family `name` with label values `labels` started, as its view says.
fn created(registry: &Registry, name: &str, labels: &[&str]) -> SystemTime {
    let mut found = None;
    registry.visit(&mut |f| {
        if f.desc().name == name {
            f.for_each_series(&mut |s: &SeriesRef<'_>| {
                if s.label_values() == labels {
                    found = s.created();
                }
            });
        }
    });
    found.unwrap_or_else(|| panic!("{name}{labels:?} has no start timestamp"))
}

/// `st@` and a time in seconds with millisecond decimals, as the examples write it
/// (`st@1520430000.123`).
fn st(t: SystemTime) -> String {
    let ms = ms(t);
    format!("st@{}.{:03}", ms / 1000, ms % 1000)
}

/// `line` with its `st@...` replaced by `with`.
fn replace_st(line: &str, with: &str) -> String {
    let words = line.split(' ');
    let words = words.map(|w| if w.starts_with("st@") { with } else { w });
    words.collect::<Vec<_>>().join(" ")
}

/// Milliseconds since the epoch of a timestamp written in seconds (`1520879607.789`).
fn parse_ms(ts: &str) -> u64 {
    let (secs, frac) = ts.split_once('.').unwrap_or((ts, ""));
    let frac = format!("{frac:0<3}");
    assert!(frac.len() == 3, "not millisecond precision: {ts}");
    secs.parse::<u64>().unwrap() * 1000 + frac.parse::<u64>().unwrap()
}

/// `expected` (an example line) with each exemplar's timestamp replaced by the one `got` has,
/// after checking that one lies within `window` (ms since the epoch) when the test recorded it.
fn with_exemplar_times(expected: &str, got: &str, window: (u64, u64)) -> String {
    let mut want: Vec<String> = expected.split(" # ").map(str::to_string).collect();
    let have: Vec<&str> = got.split(" # ").collect();
    assert_eq!(want.len(), have.len(), "exemplars:\n{got}\n{expected}");
    for (w, h) in want.iter_mut().zip(&have).skip(1) {
        let (_, time) = h.rsplit_once(' ').unwrap();
        let at = parse_ms(time);
        assert!(
            (window.0..=window.1).contains(&at),
            "exemplar time {time} outside {window:?}"
        );
        let (rest, _) = w.rsplit_once(' ').unwrap();
        *w = format!("{rest} {time}");
    }
    want.join(" # ")
}

/// `line` with the value of each CompositeValue field in `fields` written as `<f64 Debug>`, so
/// two lines compare those fields as numbers whatever their spelling (`1e-4`, `0.0001`).
fn numeric(line: &str, fields: &[&str]) -> String {
    let mut out = line.to_string();
    for field in fields {
        let key = format!("{field}:");
        let Some(at) = ["{", ","]
            .iter()
            .find_map(|sep| out.find(&format!("{sep}{key}")))
        else {
            panic!("no {field} in {line}");
        };
        let start = at + 1 + key.len();
        let len = out[start..].find([',', '}']).unwrap();
        let v: f64 = out[start..start + len].parse().unwrap();
        out.replace_range(start..start + len, &format!("<{v:?}>"));
    }
    out
}

/// `line`, already [`numeric`] in `field`, with that field set to `v`.
fn set_numeric(line: &str, field: &str, v: f64) -> String {
    let key = format!("{field}:<");
    let start = line.find(&key).unwrap() + key.len() - 1;
    let len = line[start..].find('>').unwrap() + 1;
    let mut out = line.to_string();
    out.replace_range(start..start + len, &format!("<{v:?}>"));
    out
}

/// The sum a histogram keeps of `values` observed in this order by one thread.
fn sum_of(values: &[f64]) -> f64 {
    values.iter().fold(0.0, |a, v| a + v)
}

/// Checks `text` with [`check_lines`] and, where Python's `abnf` is installed, with the
/// specification's ABNF: the whole exposition, then, if it fails, each line by itself to say
/// which.
fn assert_valid(text: &str) {
    if let Err(e) = check_lines(text) {
        panic!("{e}\n---\n{text}");
    }
    let Some(whole) = tests::abnf_parse(ABNF, &[("exposition", text)]) else {
        return;
    };
    let whole = whole.unwrap_or_else(|e| panic!("the ABNF does not load: {e}"));
    let Some(Err(e)) = whole.first() else {
        return;
    };
    let lines: Vec<String> = text.lines().map(|l| format!("{l}\n")).collect();
    let inputs: Vec<(&str, &str)> = lines
        .iter()
        .filter(|l| l.as_str() != "# EOF\n")
        .map(|l| match l.starts_with("# ") {
            true => ("metric-descriptor", l.as_str()),
            false => ("sample", l.as_str()),
        })
        .collect();
    let each = tests::abnf_parse(ABNF, &inputs).unwrap().unwrap();
    for ((rule, line), result) in inputs.iter().zip(&each) {
        if let Err(e) = result {
            panic!("ABNF `{rule}` rejects {line:?}: {e}\n---\n{text}");
        }
    }
    panic!("ABNF `exposition` rejects it: {e}\n---\n{text}");
}

// ---------------------------------------------------------------------------------------------
// A hand-written check of each line against the ABNF, for where Python's `abnf` is absent.

type Check<T = ()> = Result<T, String>;

/// Checks an exposition line by line against the specification's ABNF (the rules promdecl can
/// produce: no sample timestamps) and a few of its other MUSTs: it ends with
/// `# EOF\n`, a sample's name is its family's ("requires Metric name to strictly match its
/// MetricFamily name"), families are not interleaved, TYPE comes first.
fn check_lines(text: &str) -> Check {
    let body = text
        .strip_suffix("# EOF\n")
        .ok_or("does not end with `# EOF\\n`")?;
    if text.contains('\r') {
        return Err("carriage return".into());
    }
    let mut families: Vec<String> = Vec::new();
    let mut seen_meta: Vec<String> = Vec::new();
    for (n, line) in body.lines().enumerate() {
        let mut p = Line { s: line, i: 0 };
        let at = |e: String| format!("line {}: {e}: {line}", n + 1);
        if line.starts_with("# ") {
            let (tag, name) = p.descriptor().map_err(at)?;
            if tag == "TYPE" {
                if families.contains(&name) {
                    return Err(at(format!("family {name} again")));
                }
                families.push(name.clone());
                seen_meta.clear();
            } else if families.last() != Some(&name) {
                return Err(at("metadata before its TYPE".into()));
            }
            if seen_meta.contains(&tag) {
                return Err(at(format!("a second {tag}")));
            }
            seen_meta.push(tag);
        } else {
            let name = p.sample().map_err(at)?;
            if families.last() != Some(&name) {
                return Err(at(format!("sample of {name} outside its family")));
            }
        }
        p.end().map_err(at)?;
    }
    Ok(())
}

/// A cursor over one line.
struct Line<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> Line<'a> {
    fn rest(&self) -> &'a str {
        &self.s[self.i..]
    }

    fn eat(&mut self, lit: &str) -> bool {
        let found = self.rest().starts_with(lit);
        if found {
            self.i += lit.len();
        }
        found
    }

    fn lit(&mut self, lit: &str) -> Check {
        match self.eat(lit) {
            true => Ok(()),
            false => Err(format!("expected `{lit}` at `{}`", self.rest())),
        }
    }

    fn end(&self) -> Check {
        match self.rest() {
            "" => Ok(()),
            rest => Err(format!("unexpected `{rest}`")),
        }
    }

    /// The longest run of ASCII bytes that `ok(byte, position)` accepts.
    fn run(&mut self, ok: impl Fn(u8, usize) -> bool) -> &'a str {
        let start = self.i;
        let bytes = self.s.as_bytes();
        while self.i < bytes.len() && ok(bytes[self.i], self.i - start) {
            self.i += 1;
        }
        &self.s[start..self.i]
    }

    fn digits(&mut self) -> usize {
        self.run(|b, _| b.is_ascii_digit()).len()
    }

    /// `metricname = metricname-initial-char 0*metricname-char`.
    fn metricname(&mut self) -> Check<&'a str> {
        let name = self.run(|b, k| {
            b.is_ascii_alphabetic() || b == b'_' || b == b':' || (k > 0 && b.is_ascii_digit())
        });
        match name {
            "" => Err(format!("expected a metric name at `{}`", self.rest())),
            name => Ok(name),
        }
    }

    /// `escaped-string`: up to an unescaped `"` or the end of the line; the characters read.
    fn escaped(&mut self) -> Check<usize> {
        let mut chars = self.rest().char_indices();
        let mut n = 0;
        while let Some((k, c)) = chars.next() {
            match c {
                '"' => {
                    self.i += k;
                    return Ok(n);
                }
                // `BS ("n" / DQUOTE / BS)` or `BS normal-char`: anything but a line feed.
                '\\' if !matches!(chars.next(), Some((_, c)) if c != '\n') => {
                    return Err("a lone backslash".into())
                }
                _ => {}
            }
            n += 1;
        }
        self.i = self.s.len();
        Ok(n)
    }

    /// `DQUOTE escaped-string DQUOTE`, non-empty if `non_empty`; the text with its quotes.
    fn quoted(&mut self, non_empty: bool) -> Check<&'a str> {
        let start = self.i;
        self.lit("\"")?;
        let n = self.escaped()?;
        self.lit("\"")?;
        if non_empty && n == 0 {
            return Err("an empty quoted name".into());
        }
        Ok(&self.s[start..self.i])
    }

    /// `metricname / metricname-utf8`.
    fn name(&mut self) -> Check<&'a str> {
        match self.rest().starts_with('"') {
            true => self.quoted(true),
            false => self.metricname(),
        }
    }

    /// `label = label-key "=" DQUOTE escaped-string DQUOTE`.
    fn label(&mut self) -> Check {
        if self.rest().starts_with('"') {
            self.quoted(true)?;
        } else if self
            .run(|b, k| b.is_ascii_alphabetic() || b == b'_' || (k > 0 && b.is_ascii_digit()))
            .is_empty()
        {
            return Err(format!("expected a label name at `{}`", self.rest()));
        }
        self.lit("=")?;
        self.quoted(false).map(drop)
    }

    /// `[label *(COMMA label)] "}"`, after the opening brace.
    fn labels_rest(&mut self) -> Check {
        if self.eat("}") {
            return Ok(());
        }
        loop {
            self.label()?;
            if self.eat("}") {
                return Ok(());
            }
            self.lit(",")?;
        }
    }

    /// `realnumber`.
    fn realnumber(&mut self) -> Check {
        let _ = self.eat("+") || self.eat("-");
        let whole = self.digits();
        let fraction = match self.eat(".") {
            true => Some(self.digits()),
            false => None,
        };
        if whole == 0 && fraction.unwrap_or(0) == 0 {
            return Err(format!("expected a number at `{}`", self.rest()));
        }
        if self.eat("e") {
            let _ = self.eat("+") || self.eat("-");
            if self.digits() == 0 {
                return Err("an exponent without digits".into());
            }
        }
        Ok(())
    }

    /// `number`: a realnumber, or (case-insensitively) a signed infinity or NaN.
    fn number(&mut self) -> Check {
        let rest = self.rest().to_ascii_lowercase();
        let unsigned = rest.trim_start_matches(['+', '-']);
        let sign = rest.len() - unsigned.len();
        for word in ["infinity", "inf"] {
            if sign <= 1 && unsigned.starts_with(word) {
                self.i += sign + word.len();
                return Ok(());
            }
        }
        if rest.starts_with("nan") {
            self.i += 3;
            return Ok(());
        }
        self.realnumber()
    }

    /// `integer` (`non_negative`: `non-negative-integer`).
    fn integer(&mut self, non_negative: bool) -> Check {
        let _ = self.eat("+") || (!non_negative && self.eat("-"));
        match self.digits() {
            0 => Err(format!("expected an integer at `{}`", self.rest())),
            _ => Ok(()),
        }
    }

    /// `"[" [nh-spans] "]"`.
    fn spans(&mut self) -> Check {
        self.lit("[")?;
        let mut first = true;
        while !self.eat("]") {
            if !first {
                self.lit(",")?;
            }
            self.integer(!first)?;
            self.lit(":")?;
            self.integer(true)?;
            first = false;
        }
        Ok(())
    }

    /// `"[" [nh-buckets] "]"`.
    fn buckets(&mut self) -> Check {
        self.lit("[")?;
        let mut first = true;
        while !self.eat("]") {
            if !first {
                self.lit(",")?;
            }
            self.number()?;
            first = false;
        }
        Ok(())
    }

    /// `classic-buckets` after `bucket:`: ascending bounds (not checked), `+Inf` last.
    fn classic(&mut self) -> Check {
        self.lit("[")?;
        let mut first = true;
        loop {
            if self.eat("+Inf:") {
                self.number()?;
                return self.lit("]");
            }
            if !(first && self.eat("-Inf")) {
                self.realnumber()?;
            }
            self.lit(":")?;
            self.number()?;
            self.lit(",")?;
            first = false;
        }
    }

    /// `histogram-value` / `gauge-histogram-value`, after the opening brace, through the
    /// closing one.
    fn composite(&mut self) -> Check {
        let g = if self.eat("g") { "g" } else { "" };
        self.lit(&format!("{g}count:"))?;
        self.number()?;
        self.lit(&format!(",{g}sum:"))?;
        self.number()?;
        if g.is_empty() && self.eat(",quantile:[") {
            // `summary-value`: `realnumber ":" number`, comma-separated.
            if !self.eat("]") {
                loop {
                    self.realnumber()?;
                    self.lit(":")?;
                    self.number()?;
                    if self.eat("]") {
                        break;
                    }
                    self.lit(",")?;
                }
            }
        } else if self.eat(",bucket:") {
            self.classic()?;
        } else {
            self.lit(",schema:")?;
            self.integer(false)?;
            self.lit(",zero_threshold:")?;
            self.realnumber()?;
            self.lit(",zero_count:")?;
            self.number()?;
            for side in ["negative", "positive"] {
                if self.eat(&format!(",{side}_spans:")) {
                    self.spans()?;
                    self.lit(&format!(",{side}_buckets:"))?;
                    self.buckets()?;
                }
            }
            if self.eat(",bucket:") {
                self.classic()?;
            }
        }
        self.lit("}")
    }

    /// `metric-descriptor` without its line feed: the tag and the family name as written.
    fn descriptor(&mut self) -> Check<(String, String)> {
        self.lit("# ")?;
        for tag in ["TYPE", "UNIT", "HELP"] {
            if !self.eat(tag) {
                continue;
            }
            self.lit(" ")?;
            let name = self.name()?.to_string();
            self.lit(" ")?;
            match tag {
                "TYPE" => {
                    let types = [
                        "counter",
                        "gaugehistogram",
                        "gauge",
                        "histogram",
                        "stateset",
                        "info",
                        "summary",
                        "unknown",
                    ];
                    let Some(t) = types.iter().find(|t| self.rest() == **t) else {
                        return Err(format!("unknown type `{}`", self.rest()));
                    };
                    self.i += t.len();
                }
                "UNIT" => {
                    self.run(|b, _| b.is_ascii_alphanumeric() || b == b'_' || b == b':');
                }
                _ => {
                    self.escaped()?;
                }
            }
            return Ok((tag.to_string(), name));
        }
        Err("a `#` line that is no TYPE, UNIT or HELP".into())
    }

    /// `sample` without its line feed; the metric name as written.
    fn sample(&mut self) -> Check<String> {
        let name = if self.eat("{") {
            // `name-and-labels-in-braces`: the quoted name first.
            let name = self.quoted(true)?;
            if !self.eat("}") {
                self.lit(",")?;
                self.labels_rest()?;
            }
            name
        } else {
            let name = self.metricname()?;
            if self.eat("{") {
                self.labels_rest()?;
            }
            name
        };
        self.lit(" ")?;
        if self.eat("{") {
            self.composite()?;
        } else {
            self.number()?;
        }
        if self.eat(" st@") {
            self.realnumber()?;
        }
        while self.eat(" # {") {
            self.labels_rest()?;
            self.lit(" ")?;
            self.number()?;
            self.lit(" ")?;
            self.realnumber()?;
        }
        Ok(name.to_string())
    }
}

#[test]
fn the_line_check_takes_the_specifications_examples_and_refuses_broken_lines() {
    // From "Overall Structure", "Histogram with Native Buckets", "Histogram with Classic
    // Buckets" and "Metric".
    let good = [
        "acme_http_request_seconds{path=\"/api/v1\",method=\"GET\"} {count:2,sum:1.2e2,schema:0,zero_threshold:1e-4,zero_count:0,positive_spans:[1:2],positive_buckets:[1,1],bucket:[0.5:1,1:2,+Inf:2]} st@1605301325.0",
        "acme_http_request_seconds{path=\"/api/v1\",method=\"GET\"} {count:59,sum:1.2e2,schema:7,zero_threshold:1e-4,zero_count:0,negative_spans:[1:2],negative_buckets:[5,7],positive_spans:[-1:2,3:4],positive_buckets:[5,7,10,9,8,8]} st@1520430000.123",
        "foo {count:17,sum:324789.3,bucket:[0.01:0,0.1:8,1.0:11,10.0:17,+Inf:17]} st@1520430000.123 # {} 0.054 1520879607.7 # {trace_id=\"KOO5S4vxi0o\"} 1.67 1520879602.890 # {trace_id=\"oHg5SJYRHA0\"} 9.8 1520879607.789",
        "{\"\\\"bar\\\".seconds.count\",\"b\\\\\"=\"escaping\\\" example \\n \"} 0",
    ];
    for line in good {
        let name = line.split([' ', '{']).find(|s| !s.is_empty()).unwrap();
        let name = name.split(',').next().unwrap();
        let text = format!("# TYPE {name} histogram\n{line}\n# EOF\n");
        check_lines(&text).unwrap_or_else(|e| panic!("{e}"));
    }
    let bad = [
        // No `+Inf` bucket.
        "# TYPE foo histogram\nfoo {count:1,sum:1.0,bucket:[1.0:1]}\n# EOF\n",
        // Classic buckets before native ones.
        "# TYPE foo histogram\nfoo {count:1,sum:1.0,bucket:[+Inf:1],schema:0,zero_threshold:0.0,zero_count:1}\n# EOF\n",
        // An exemplar without its timestamp.
        "# TYPE foo_total counter\nfoo_total 1 # {a=\"b\"} 1.0\n# EOF\n",
        // The start timestamp after the exemplar.
        "# TYPE foo_total counter\nfoo_total 1 # {a=\"b\"} 1.0 1.0 st@1.0\n# EOF\n",
        // A sample named otherwise than its family (OpenMetrics 1.0's `_total` stripping).
        "# TYPE foo counter\nfoo_total 1\n# EOF\n",
        // No `# EOF`.
        "# TYPE foo gauge\nfoo 1\n",
        // A whitespace inside the composite value.
        "# TYPE foo histogram\nfoo {count:1, sum:1.0,bucket:[+Inf:1]}\n# EOF\n",
    ];
    for text in bad {
        assert!(check_lines(text).is_err(), "accepted:\n{text}");
    }
    // Python's `abnf`, loading the specification's ABNF, tells them apart too.
    let inputs: Vec<(&str, &str)> = bad.iter().map(|t| ("exposition", *t)).collect();
    if let Some(results) = tests::abnf_parse(ABNF, &inputs) {
        let results = results.unwrap_or_else(|e| panic!("the ABNF does not load: {e}"));
        for (text, result) in bad.iter().zip(&results) {
            // The name mismatch is beyond a grammar: OpenMetrics 1.0's `foo`/`foo_total` parses.
            if !text.contains("foo_total 1\n") {
                assert!(result.is_err(), "ABNF accepted:\n{text}");
            }
        }
        let good = "# TYPE foo histogram\nfoo {count:1,sum:1.0,bucket:[+Inf:1]}\n# EOF\n";
        let results = tests::abnf_parse(ABNF, &[("exposition", good)])
            .unwrap()
            .unwrap();
        assert_eq!(results, [Ok(())]);
    }
}

// ---------------------------------------------------------------------------------------------
// The specification's examples.

#[derive(Metrics)]
struct Process {
    /// Number of goroutines that currently exist.
    #[metric(gauge)]
    go_goroutines: IntGauge,
    /// Total user and system CPU time spent in seconds.
    #[metric(counter)]
    process_cpu_seconds_total: FloatCounter,
}

/// "Overall Structure", "An example of a complete exposition": its gauge and counter families
/// (promdecl has no summary nor gaugehistogram; its histogram line's buckets contradict each
/// other: native ones above 1, a classic one at or below 0.5).
#[test]
fn complete_exposition_example_gauge_and_counter() {
    const EXAMPLE: &str = "\
# TYPE go_goroutines gauge
# HELP go_goroutines Number of goroutines that currently exist.
go_goroutines 69
# TYPE process_cpu_seconds_total counter
# UNIT process_cpu_seconds_total seconds
# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.
process_cpu_seconds_total 4.20072246e+06
# EOF
";
    let registry = without_start_timestamps();
    let p = registry.register(Process::new()).unwrap();
    p.go_goroutines().set(69);
    p.process_cpu_seconds_total().inc_by(4.20072246e+06);
    let text = om2(&registry);
    assert_eq!(text, EXAMPLE);
    assert_valid(&text);

    // With start timestamps, the counter gets one and the gauge none.
    let registry = Registry::new();
    let p = registry.register(Process::new()).unwrap();
    p.go_goroutines().set(69);
    p.process_cpu_seconds_total().inc_by(4.20072246e+06);
    let text = om2(&registry);
    let start = st(created(&registry, "process_cpu_seconds_total", &[]));
    let want = EXAMPLE.replace(
        "process_cpu_seconds_total 4.20072246e+06",
        &format!("process_cpu_seconds_total 4.20072246e+06 {start}"),
    );
    assert_eq!(text, want);
    assert_valid(&text);
}

#[derive(Metrics)]
struct FooCounter {
    /// Foo
    #[metric(counter)]
    foo_total: FloatCounter,
}

/// "Metric types" > "Counter": without and with a start timestamp, and with an exemplar.
#[test]
fn counter_examples() {
    // "An example with a Metric with no labels, and a Sample with no timestamp and no Start
    // Timestamp"
    let registry = without_start_timestamps();
    let foo = registry.register(FooCounter::new()).unwrap();
    foo.foo_total().inc_by(17.0);
    let text = om2(&registry);
    let lines = family(&text, "foo_total");
    assert_eq!(lines[1], "# HELP foo_total Foo");
    assert_eq!(
        without_help(&lines),
        spec("# TYPE foo_total counter\nfoo_total 17.0")
    );
    assert_valid(&text);

    // "An example with a Metric with no labels, and a Sample with no timestamp and a Start
    // Timestamp"
    let registry = Registry::new();
    let foo = registry.register(FooCounter::new()).unwrap();
    foo.foo_total().inc_by(17.0);
    let text = om2(&registry);
    let start = st(created(&registry, "foo_total", &[]));
    let example = spec("# TYPE foo_total counter\nfoo_total 17.0 st@1520430000.123");
    let want: Vec<String> = example.iter().map(|l| replace_st(l, &start)).collect();
    assert_eq!(without_help(&family(&text, "foo_total")), want);
    assert_valid(&text);

    // "An example with a Metric with no labels, and a Sample with a timestamp and a Start
    // Timestamp and an exemplar" (promdecl writes no sample timestamp: `1520879607.789` left
    // out).
    let example = "foo_total 17.0 st@1520430000.123 # {trace_id=\"KOO5S4vxi0o\"} 0.67 1520879606.1";
    let registry = Registry::new();
    let foo = registry.register(FooCounter::new()).unwrap();
    foo.foo_total().inc_by(16.33);
    let before = ms(SystemTime::now());
    foo.foo_total()
        .inc_by_with_exemplar(0.67, &[("trace_id", "KOO5S4vxi0o")])
        .unwrap();
    let after = ms(SystemTime::now());
    let text = om2(&registry);
    let got = &family(&text, "foo_total")[2];
    let start = st(created(&registry, "foo_total", &[]));
    let want = with_exemplar_times(&replace_st(example, &start), got, (before, after));
    assert_eq!(*got, want);
    assert_valid(&text);
}

#[derive(Metrics)]
struct FooGauge {
    /// Foo
    #[metric(gauge)]
    foo: Gauge,
}

#[derive(Metrics)]
struct FooGauges {
    /// Foo
    #[metric(gauge, labels = [a])]
    foo: Gauge,
}

/// "Metric types" > "Gauge": no labels, then a label; never a start timestamp.
#[test]
fn gauge_examples() {
    // "An example MetricFamily with a Metric with no labels and a Sample with no timestamp"
    let registry = Registry::new();
    let foo = registry.register(FooGauge::new()).unwrap();
    foo.foo().set(17.0);
    let text = om2(&registry);
    let example = spec("# TYPE foo gauge\nfoo 17.0");
    assert_eq!(without_help(&family(&text, "foo")), example);
    assert_valid(&text);

    // "An example of a MetricFamily with two Metrics with a label and Samples with no
    // timestamp"
    let registry = Registry::new();
    let foo = registry.register(FooGauges::new()).unwrap();
    foo.foo("bb").set(17.0);
    foo.foo("ccc").set(17.0);
    let text = om2(&registry);
    let example = spec("# TYPE foo gauge\nfoo{a=\"bb\"} 17.0\nfoo{a=\"ccc\"} 17.0");
    assert_eq!(without_help(&family(&text, "foo")), example);
    assert_valid(&text);
}

#[derive(Metrics)]
struct FooInfo {
    /// Foo
    #[metric(info, labels = [name, version])]
    foo_info: Info,
}

/// "Metric types" > "Info": "An example of a Metric with no labels, and one Sample value with
/// "name" and "version" labels".
#[test]
fn info_example() {
    let registry = Registry::new();
    let foo = registry.register(FooInfo::new()).unwrap();
    foo.foo_info("pretty name", "8.2.7");
    let text = om2(&registry);
    let example = spec("# TYPE foo_info info\nfoo_info{name=\"pretty name\",version=\"8.2.7\"} 1");
    assert_eq!(without_help(&family(&text, "foo_info")), example);
    assert_valid(&text);
}

#[derive(Metrics)]
struct Rpc {
    /// RPC latency
    #[metric(summary, labels = [service = [exponential]], quantiles = [0.0, 0.5, 1.0])]
    rpc_durations_seconds: promdecl::Summary,
}

/// "Metric types" > "Summary": a summary's sample is one CompositeValue, `count`, `sum`, then
/// `quantile:[...]` in the form of the ABNF's example
/// (`count:12.0,sum:100.0,quantile:[0.9:2.0,0.95:3.0,0.99:20.0]`). Quantiles 0 and 1 are the
/// exact minimum and maximum, so every value is known.
#[test]
fn summary_values() {
    let registry = without_start_timestamps();
    let rpc = registry.register(Rpc::new()).unwrap();
    for v in [2.0, 8.0] {
        rpc.rpc_durations_seconds(rpc_labels::Service::Exponential)
            .observe(v);
    }
    let text = om2(&registry);
    let lines = without_help(&family(&text, "rpc_durations_seconds"));
    assert_eq!(lines[0], "# TYPE rpc_durations_seconds summary");
    let line = &lines[2];
    let (head, value) = line.split_once(' ').unwrap();
    assert_eq!(head, "rpc_durations_seconds{service=\"exponential\"}");
    let fields = value.strip_prefix("{count:2,sum:").expect(line);
    let (sum, quantiles) = fields.split_once(",quantile:[").expect(line);
    assert_eq!(sum.parse::<f64>(), Ok(10.0), "{line}");
    let pairs: Vec<(f64, f64)> = quantiles
        .strip_suffix("]}")
        .expect(line)
        .split(',')
        .map(|pair| {
            let (q, v) = pair.split_once(':').expect(line);
            (q.parse().unwrap(), v.parse().unwrap())
        })
        .collect();
    assert_eq!((pairs[0], pairs[2]), ((0.0, 2.0), (1.0, 8.0)), "{line}");
    // The median is the observation at rank floor(0.5 * (2 - 1)) = 0, within 1 %.
    assert_eq!(pairs[1].0, 0.5);
    assert!((pairs[1].1 - 2.0).abs() <= 0.02, "{line}");
    assert_valid(&text);
    // An empty window: NaN quantiles, which `number` allows.
    let empty = Registry::new();
    empty.register(Rpc::new()).unwrap();
    let text = om2(&empty);
    assert!(
        text.contains("quantile:[0.0:NaN,0.5:NaN,1.0:NaN]}"),
        "{text}"
    );
    assert_valid(&text);
}

/// "MetricFamily metadata", "Full example": TYPE, UNIT, HELP in that order, HELP escaped.
#[test]
fn metadata_full_example() {
    const EXAMPLE: &str = "\
# TYPE foo_seconds_total counter
# UNIT foo_seconds_total seconds
# HELP foo_seconds_total Some text and \\n some \\\" escaping";
    let registry = Registry::new();
    let desc = FamilyDesc::builder(
        "foo_seconds_total",
        Kind::Counter,
        "Some text and \n some \" escaping",
    )
    .unit("seconds")
    .build()
    .unwrap();
    registry.register_family::<FloatCounterValue>(desc).unwrap();
    let text = om2(&registry);
    assert_eq!(family(&text, "foo_seconds_total")[..3], spec(EXAMPLE));
    assert_valid(&text);
}

/// A family of one classic histogram named `name` with these bounds, in `registry`.
fn classic(registry: &Registry, name: &str, bounds: &[f64]) -> std::sync::Arc<Histogram> {
    let desc = FamilyDesc::builder(name, Kind::Histogram, "h")
        .buckets(bounds.to_vec())
        .build()
        .unwrap();
    registry.register_family::<HistogramValue>(desc).unwrap()
}

/// "Histogram with Classic Buckets": "a Sample with Sum, Count, and Start Timestamp values, and
/// with 12 Classic Buckets. A wide and atypical but valid variety of bucket threshold values".
/// Its thresholds and counts are repeated exactly; its sum (324789.3) is not what observations
/// filling those buckets can add up to (one is above 1e23), so the sum is what was observed.
#[test]
fn classic_histogram_example() {
    let example = "foo {count:17,sum:324789.3,bucket:[0.0:0,1e-05:0,0.0001:5,0.1:8,1.0:10,10.0:11,100000.0:11,1e+06:15,1e+23:16,1.1e+23:17,+Inf:17]} st@1520430000.123";
    let bounds = [
        0.0, 1e-05, 0.0001, 0.1, 1.0, 10.0, 100000.0, 1e+06, 1e+23, 1.1e+23,
    ];
    let registry = Registry::new();
    let foo = classic(&registry, "foo", &bounds);
    // Cumulative 0, 0, 5, 8, 10, 11, 11, 15, 16, 17: per bucket 5 up to 1e-4, 3 up to 0.1, 2
    // up to 1, 1 up to 10, 4 up to 1e6, 1 up to 1e23 and 1 up to 1.1e23.
    let mut values = vec![5e-5; 5];
    values.extend([0.05; 3]);
    values.extend([0.5; 2]);
    values.push(5.0);
    values.extend([5e5; 4]);
    values.extend([1e22, 1.05e23]);
    let series = foo.get_by_values(&[]).unwrap();
    for v in &values {
        series.observe(*v);
    }
    let text = om2(&registry);
    let got = &sample_line(&text, "foo");
    let start = st(created(&registry, "foo", &[]));
    let want = set_numeric(
        &numeric(&replace_st(example, &start), &["sum"]),
        "sum",
        sum_of(&values),
    );
    assert_eq!(numeric(got, &["sum"]), want);
    assert_valid(&text);
}

/// "Histogram with Classic Buckets" > "Exemplars and Start Timestamp": "An example of a
/// Histogram with Classic Buckets, and Start Timestamp where no exemplar falls within the
/// "0.01" bucket and the "+Inf" bucket. An exemplar without Labels falls within the "0.1"
/// bucket. An exemplar with one Label falls within the "1" bucket and another in the "10"
/// bucket."
///
/// The example's 1.67 lies in the "10" bucket, not the "1" one, as does 9.8; promdecl keeps
/// one exemplar per bucket (one per Classic Bucket is what the specification suggests), so
/// 9.8, observed after 1.67, replaces it and the line has two exemplars. The sum (324789.3)
/// cannot come from 17 observations of at most 10: it is what was observed.
#[test]
fn classic_histogram_exemplars_example() {
    let example = "foo {count:17,sum:324789.3,bucket:[0.01:0,0.1:8,1.0:11,10.0:17,+Inf:17]} st@1520430000.123 # {} 0.054 1520879607.7 # {trace_id=\"oHg5SJYRHA0\"} 9.8 1520879607.789";
    let registry = Registry::new();
    let foo = classic(&registry, "foo", &[0.01, 0.1, 1.0, 10.0]);
    let series = foo.get_by_values(&[]).unwrap();
    let before = ms(SystemTime::now());
    series.observe_with_exemplar(0.054, &[]).unwrap();
    let mut values = vec![0.054];
    for v in [0.05; 7].into_iter().chain([0.5; 3]).chain([5.0; 4]) {
        series.observe(v);
        values.push(v);
    }
    let trace = |id| [("trace_id", id)];
    series
        .observe_with_exemplar(1.67, &trace("KOO5S4vxi0o"))
        .unwrap();
    series
        .observe_with_exemplar(9.8, &trace("oHg5SJYRHA0"))
        .unwrap();
    values.extend([1.67, 9.8]);
    let after = ms(SystemTime::now());
    let text = om2(&registry);
    let got = &sample_line(&text, "foo");
    let start = st(created(&registry, "foo", &[]));
    let want = with_exemplar_times(&replace_st(example, &start), got, (before, after));
    let want = set_numeric(&numeric(&want, &["sum"]), "sum", sum_of(&values));
    assert_eq!(numeric(got, &["sum"]), want);
    assert_valid(&text);
}

/// The migration guide's classic histograms: "Naming Changes in Practice" (a complete
/// exposition) and "Start Timestamps" (the `st@` of a histogram), both reproducible exactly.
#[derive(Metrics)]
struct HttpServer {
    /// Total HTTP requests received.
    #[metric(counter, labels = [method, code])]
    http_requests_total: Counter,
    /// Duration of HTTP requests in seconds.
    #[metric(histogram, labels = [method], buckets = [0.1, 0.5])]
    http_request_duration_seconds: Histogram,
    /// Build metadata.
    #[metric(info, labels = [version, branch, goversion])]
    build_info: Info,
}

/// 800 observations up to 0.1, 150 more up to 0.5, 77 above: 1027 adding up to 172.5 exactly
/// (every value and partial sum is a binary fraction).
fn guide_latencies() -> Vec<f64> {
    let mut values = vec![0.0625; 800];
    values.extend([0.25; 150]);
    values.extend([1.0; 76]);
    values.push(9.0);
    assert_eq!(sum_of(&values), 172.5);
    values
}

#[test]
fn migration_guide_examples() {
    // docs/guides/open_metrics_2_0_migration.md, "Naming Changes in Practice". The family
    // `http_request_duration_seconds` also gets `# UNIT`, which the guide leaves out: its unit
    // is known (the name ends in `_seconds`), and the specification says "If the unit is known
    // it SHOULD be provided".
    const EXAMPLE: &str = "\
# TYPE http_requests_total counter
# HELP http_requests_total Total HTTP requests received.
http_requests_total{method=\"GET\",code=\"200\"} 1027
http_requests_total{method=\"POST\",code=\"201\"} 53
# TYPE http_request_duration_seconds histogram
# UNIT http_request_duration_seconds seconds
# HELP http_request_duration_seconds Duration of HTTP requests in seconds.
http_request_duration_seconds{method=\"GET\"} {count:1027,sum:172.5,bucket:[0.1:800,0.5:950,+Inf:1027]}
# TYPE build_info info
# HELP build_info Build metadata.
build_info{version=\"1.4.2\",branch=\"main\",goversion=\"go1.22\"} 1
# EOF
";
    let registry = without_start_timestamps();
    let m = registry.register(HttpServer::new()).unwrap();
    m.http_requests_total("GET", "200").inc_by(1027);
    m.http_requests_total("POST", "201").inc_by(53);
    for v in guide_latencies() {
        m.http_request_duration_seconds("GET").observe(v);
    }
    m.build_info("1.4.2", "main", "go1.22");
    let text = om2(&registry);
    assert_eq!(without_overflow_family(&text), EXAMPLE);
    assert_valid(&text);

    // "Start Timestamps", "Histogram", OM 2.0.
    let example = "http_request_duration_seconds {count:1027,sum:172.5,bucket:[0.1:800,0.5:950,+Inf:1027]} st@1000000000.000";
    let registry = Registry::new();
    let latency = classic(&registry, "http_request_duration_seconds", &[0.1, 0.5]);
    let series = latency.get_by_values(&[]).unwrap();
    for v in guide_latencies() {
        series.observe(v);
    }
    let text = om2(&registry);
    let start = st(created(&registry, "http_request_duration_seconds", &[]));
    let lines = family(&text, "http_request_duration_seconds");
    assert_eq!(lines.last().unwrap(), &replace_st(example, &start));
    assert_valid(&text);
}

/// A native histogram family `name` with these labels, `native` buckets and, if given, classic
/// `bounds`.
fn native(
    registry: &Registry,
    name: &str,
    labels: &[&str],
    spec: NativeSpec,
    bounds: Option<&[f64]>,
) -> std::sync::Arc<Histogram> {
    let mut builder = FamilyDesc::builder(name, Kind::Histogram, "h").native(spec);
    for l in labels {
        builder = builder.label(*l);
    }
    if let Some(b) = bounds {
        builder = builder.buckets(b.to_vec());
    }
    registry
        .register_family::<HistogramValue>(builder.build().unwrap())
        .unwrap()
}

/// A value inside native bucket `index` at `schema` (which holds `(2^((i-1)·2^-s), 2^(i·2^-s)]`):
/// the middle of it, on a log scale.
fn inside(schema: i32, index: i32) -> f64 {
    ((f64::from(index) - 0.5) / f64::from(1 << schema)).exp2()
}

/// "Histogram with Native Buckets", "An example with all fields". promdecl observes negative
/// values only in a histogram with a negative classic bound, so this one has one (-1): its line
/// is the example's, then that `bucket` field. Its sum (1.2e2) is not what 59 observations
/// near ±1 add up to: it is what was observed; `1e-4` is compared as a number.
#[test]
fn native_histogram_example_with_all_fields() {
    let example = "acme_http_request_seconds{path=\"/api/v1\",method=\"GET\"} {count:59,sum:1.2e2,schema:7,zero_threshold:1e-4,zero_count:0,negative_spans:[1:2],negative_buckets:[5,7],positive_spans:[-1:2,3:4],positive_buckets:[5,7,10,9,8,8]} st@1520430000.123";
    let spec7 = NativeSpec::from_factor(1.006).with_zero_threshold(1e-4);
    assert_eq!(spec7.schema, 7);
    let registry = Registry::new();
    let acme = native(
        &registry,
        "acme_http_request_seconds",
        &["path", "method"],
        spec7,
        Some(&[-1.0]),
    );
    let series = acme.get_by_values(&["/api/v1", "GET"]).unwrap();
    let mut values = Vec::new();
    // negative_spans:[1:2] with [5,7]: buckets 1 and 2 of negative values.
    for (index, n) in [(1, 5), (2, 7)] {
        values.extend(std::iter::repeat_n(-inside(7, index), n));
    }
    // positive_spans:[-1:2,3:4] with [5,7,10,9,8,8]: buckets -1, 0, then 4 to 7.
    for (index, n) in [(-1, 5), (0, 7), (4, 10), (5, 9), (6, 8), (7, 8)] {
        values.extend(std::iter::repeat_n(inside(7, index), n));
    }
    for v in &values {
        series.observe(*v);
    }
    let text = om2(&registry);
    let got = &sample_line(&text, "acme_http_request_seconds");
    let start = st(created(
        &registry,
        "acme_http_request_seconds",
        &["/api/v1", "GET"],
    ));
    // The 12 negative values are at or below -1, the classic bucket's bound.
    let want = replace_st(example, &start).replace("]} st@", "],bucket:[-1.0:12,+Inf:59]} st@");
    let fields = ["sum", "zero_threshold"];
    let want = set_numeric(&numeric(&want, &fields), "sum", sum_of(&values));
    assert_eq!(numeric(got, &fields), want);
    assert_valid(&text);
}

/// "Histogram with Native Buckets", "An example without any buckets in use": a native-only
/// histogram before any observation. `sum:0` and `1e-4` are compared as numbers (promdecl
/// writes a float sum `0.0`, and `0.0001`).
#[test]
fn native_histogram_example_without_buckets() {
    let example = "acme_http_request_seconds{path=\"/api/v1\",method=\"GET\"} {count:0,sum:0,schema:3,zero_threshold:1e-4,zero_count:0} st@1520430000.123";
    let registry = Registry::new();
    let spec3 = NativeSpec::from_factor(1.1).with_zero_threshold(1e-4);
    let acme = native(
        &registry,
        "acme_http_request_seconds",
        &["path", "method"],
        spec3,
        None,
    );
    let _ = acme.get_by_values(&["/api/v1", "GET"]).unwrap();
    let text = om2(&registry);
    let got = &sample_line(&text, "acme_http_request_seconds");
    let start = st(created(
        &registry,
        "acme_http_request_seconds",
        &["/api/v1", "GET"],
    ));
    let fields = ["sum", "zero_threshold"];
    assert_eq!(
        numeric(got, &fields),
        numeric(&replace_st(example, &start), &fields)
    );
    assert_valid(&text);
}

/// "Histogram with both Classic and Native Buckets" > "Exemplars and Start Timestamp": "An
/// example of a Histogram with Native Buckets and Start Timestamp that has multiple Exemplars".
/// promdecl keeps exemplars per classic bucket, so two need two classic buckets: this histogram
/// has a bound at 1, and its line is the example's, then that `bucket` field. The sum
/// (324789.3) cannot come from 17 observations of at most 2: it is what was observed.
#[test]
fn native_histogram_exemplars_example() {
    let example = "foo {count:17,sum:324789.3,schema:0,zero_threshold:1e-4,zero_count:0,positive_spans:[0:2],positive_buckets:[5,12]} st@1520430000.123 # {trace_id=\"shaZ8oxi\"} 0.67 1520879607.789 # {trace_id=\"ookahn0M\"} 1.2 1520879608.589";
    let registry = Registry::new();
    let spec0 = NativeSpec::from_factor(2.0).with_zero_threshold(1e-4);
    let foo = native(&registry, "foo", &[], spec0, Some(&[1.0]));
    let series = foo.get_by_values(&[]).unwrap();
    // Schema 0: bucket 0 holds (0.5, 1], bucket 1 (1, 2].
    let before = ms(SystemTime::now());
    series
        .observe_with_exemplar(0.67, &[("trace_id", "shaZ8oxi")])
        .unwrap();
    let mut values = vec![0.67];
    for v in [0.75; 4].into_iter().chain([1.5; 11]) {
        series.observe(v);
        values.push(v);
    }
    series
        .observe_with_exemplar(1.2, &[("trace_id", "ookahn0M")])
        .unwrap();
    values.push(1.2);
    let after = ms(SystemTime::now());
    let text = om2(&registry);
    let got = &sample_line(&text, "foo");
    let start = st(created(&registry, "foo", &[]));
    let want = replace_st(example, &start).replace("]} st@", "],bucket:[1.0:5,+Inf:17]} st@");
    let want = with_exemplar_times(&want, got, (before, after));
    let fields = ["sum", "zero_threshold"];
    let want = set_numeric(&numeric(&want, &fields), "sum", sum_of(&values));
    assert_eq!(numeric(got, &fields), want);
    assert_valid(&text);
}

/// A counter named as the UTF-8 examples name theirs, without `_total` (which 2.0 allows):
/// promdecl's builder insists on the suffix, so this descriptor is written by hand.
static CPU: FamilyDesc = FamilyDesc {
    name: "process.cpu.seconds",
    kind: Kind::Counter,
    help: "Total user and system CPU time spent in seconds.",
    unit: Some("seconds"),
    labels: &[LabelDesc {
        name: "node_name",
        values: None,
    }],
    buckets: None,
    native: None,
    summary: None,
    max_series: None,
    idle_timeout: None,
    note: None,
};

/// "UTF-8 Quoting", "Complete example" (its first family): the quoted name in every metadata
/// line and first inside the braces. promdecl takes legacy label names only, so the label
/// `node.name` is `node_name` here (and not quoted).
#[test]
fn utf8_quoting_example() {
    const EXAMPLE: &str = "\
# TYPE \"process.cpu.seconds\" counter
# UNIT \"process.cpu.seconds\" seconds
# HELP \"process.cpu.seconds\" Total user and system CPU time spent in seconds.
{\"process.cpu.seconds\",\"node.name\"=\"my_node\"} 4.20072246e+06";
    let registry = Registry::builder()
        .utf8_names()
        .without_start_timestamps()
        .build()
        .unwrap();
    let cpu = registry.register_family::<FloatCounterValue>(&CPU).unwrap();
    cpu.get_by_values(&["my_node"])
        .unwrap()
        .inc_by(4.20072246e+06);
    let text = om2_with(&registry, Escaping::AllowUtf8);
    let want = spec(&EXAMPLE.replace("\"node.name\"", "node_name"));
    assert_eq!(family(&text, "\"process.cpu.seconds\""), want);
    assert_valid(&text);

    // A scraper that does not allow UTF-8 gets the name escaped, unquoted.
    let text = om2_with(&registry, Escaping::Underscores);
    let want = spec(
        &EXAMPLE
            .replace("\"node.name\"", "node_name")
            .replace("{\"process.cpu.seconds\",", "process_cpu_seconds{")
            .replace("\"process.cpu.seconds\"", "process_cpu_seconds"),
    );
    assert_eq!(family(&text, "process_cpu_seconds"), want);
    assert_valid(&text);
}

/// "Metric": "Metric names and label names MAY also be any valid UTF-8 value, and under certain
/// circumstances they MUST be quoted and escaped per the ABNF", with
/// `{"\"bar\".seconds.count","b\\"="escaping\" example \n "} 0`: the name's quotes escaped
/// inside its own. The label name `b\` is beyond promdecl (legacy label names only): `b` here.
#[test]
fn quoted_name_escaping_example() {
    let example = r#"{"\"bar\".seconds.count","b\\"="escaping\" example \n "} 0"#;
    let registry = Registry::builder().utf8_names().build().unwrap();
    let desc = FamilyDesc::builder("\"bar\".seconds.count", Kind::Gauge, "h")
        .label("b")
        .build()
        .unwrap();
    let bar = registry.register_family::<IntGaugeValue>(desc).unwrap();
    let _ = bar.get_by_values(&["escaping\" example \n "]).unwrap();
    let text = om2_with(&registry, Escaping::AllowUtf8);
    let lines = family(&text, r#""\"bar\".seconds.count""#);
    assert_eq!(lines.last().unwrap(), &example.replace(r#""b\\""#, "b"));
    assert_valid(&text);
}

// ---------------------------------------------------------------------------------------------
// A larger exposition, checked line by line.

#[derive(Metrics)]
struct Service {
    /// Requests served, with "quotes", a \ backslash
    /// and a second line
    #[metric(counter, labels = [route])]
    requests_total: Counter,
    /// Amount paid
    #[metric(counter)]
    paid_total: FloatCounter,
    /// Temperature
    #[metric(gauge, unit = "celsius")]
    temperature_celsius: Gauge,
    /// Jobs waiting
    #[metric(gauge, labels = [queue])]
    queue_jobs: IntGauge,
    /// Request latency
    #[metric(histogram, labels = [route], buckets = [0.005, 0.1, 1.0, 2.5])]
    request_seconds: Histogram,
    /// Payload sizes
    #[metric(histogram, native(factor = 2.0))]
    payload_bytes: Histogram,
    /// Clock skew, either side of zero
    #[metric(histogram, buckets = [-1.0, 0.0, 1.0], native(factor = 1.1))]
    skew_seconds: Histogram,
    /// Build
    #[metric(info, labels = [version])]
    build_info: Info,
}

fn service_registry() -> Registry {
    let registry = Registry::builder()
        .const_label("node_id", "node-1")
        .utf8_names()
        .build()
        .unwrap();
    let m = registry.register(Service::new()).unwrap();
    let trace = [("trace_id", "4bf92f3577b34da6"), ("span_id", "00f067aa")];
    m.requests_total("/a")
        .inc_by_with_exemplar(3, &trace)
        .unwrap();
    m.requests_total("we\"ird\\route\n").inc();
    m.paid_total().inc_by(12.5);
    m.temperature_celsius().set(-3.25);
    m.queue_jobs("mail").set(-7);
    m.request_seconds("/a")
        .observe_with_exemplar(0.05, &trace)
        .unwrap();
    m.request_seconds("/a").observe(3.0);
    let _ = m.request_seconds("/b");
    for v in [0.0, 3.0, 1500.0, 65536.0] {
        m.payload_bytes().observe(v);
    }
    for v in [-0.5, -0.25, 0.0, 0.25, 7.5] {
        m.skew_seconds().observe(v);
    }
    m.build_info("1.2.3");
    let queue = FamilyDesc::builder("queue.depth", Kind::Gauge, "Jobs \"waiting\"")
        .build()
        .unwrap();
    let depth = registry
        .register_family::<promdecl::value::GaugeValue>(queue)
        .unwrap();
    depth.get_by_values(&[]).unwrap().set(3.0);
    registry
}

#[test]
fn every_line_of_a_larger_exposition_follows_the_abnf() {
    let registry = service_registry();
    for escaping in Escaping::ALL {
        let text = om2_with(&registry, escaping);
        assert!(text.ends_with("\n# EOF\n"), "{text}");
        assert_eq!(text.matches("# EOF").count(), 1, "{text}");
        assert_valid(&text);
    }
    let text = om2_with(&registry, Escaping::AllowUtf8);
    // One line per series: no `_bucket`, `_sum`, `_count` or `_created` samples.
    for suffix in ["_bucket", "_sum", "_count", "_created"] {
        assert!(
            !text.contains(&format!("{suffix}{{")),
            "{suffix} in\n{text}"
        );
    }
    assert!(
        text.contains("\n{\"queue.depth\",node_id=\"node-1\"} 3.0\n"),
        "{text}"
    );
    assert!(text.contains("# TYPE \"queue.depth\" gauge\n"), "{text}");
    assert!(
        text.contains("# HELP \"queue.depth\" Jobs \\\"waiting\\\"\n"),
        "{text}"
    );
    // Counters and histograms have a start, gauges and info do not.
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let counts = [
            "requests_total",
            "paid_total",
            "request_seconds",
            "payload_bytes",
            "skew",
        ];
        let has_start = line.contains(" st@");
        assert_eq!(
            counts.iter().any(|c| line.starts_with(c)),
            has_start,
            "{line}"
        );
    }
    // Every value a number could not be: the sum of the histogram with a negative bound is
    // written (2.0 requires it), as are its negative native buckets.
    let skew = family(&text, "skew_seconds");
    let skew = skew.last().unwrap();
    assert!(skew.contains("{count:5,sum:7.0,schema:3,"), "{skew}");
    assert!(skew.contains(",negative_spans:["), "{skew}");
    assert!(
        skew.contains(",bucket:[-1.0:0,0.0:3,1.0:4,+Inf:5]}"),
        "{skew}"
    );
    // A native-only histogram has no `bucket` field.
    let payload = family(&text, "payload_bytes");
    let payload = payload.last().unwrap();
    assert!(
        payload.contains("{count:4,sum:67039.0,schema:0,"),
        "{payload}"
    );
    assert!(!payload.contains("bucket:"), "{payload}");
    // An exposition of nothing is its end.
    assert_eq!(om2(&Registry::new()), "# EOF\n");
}

/// "The content type MUST be: application/openmetrics-text; version=2.0.0; charset=utf-8".
#[test]
fn content_type() {
    let ct = Exposition::text(Format::OpenMetrics2).content_type();
    assert!(
        ct.starts_with("application/openmetrics-text; version=2.0.0; charset=utf-8"),
        "{ct}"
    );
}

#[derive(Metrics)]
struct Jobs {
    /// Jobs done
    #[metric(counter)]
    jobs_total: Counter,
    /// Job latency
    #[metric(histogram, buckets = [0.5])]
    job_seconds: Histogram,
}

/// OpenMetrics 1.0 and text 0.0.4 are as they were: one sample per bucket, `_sum`, `_count`,
/// `_created`, the counter family named without `_total` in OpenMetrics 1.0.
#[test]
fn older_formats_are_unchanged() {
    let registry = without_start_timestamps();
    let jobs = registry.register(Jobs::new()).unwrap();
    jobs.jobs_total().inc_by(2);
    jobs.job_seconds().observe(0.25);
    jobs.job_seconds().observe(4.0);
    assert_eq!(
        registry.encode(Format::OpenMetrics),
        "\
# TYPE jobs counter
# HELP jobs Jobs done
jobs_total 2
# TYPE job_seconds histogram
# UNIT job_seconds seconds
# HELP job_seconds Job latency
job_seconds_bucket{le=\"0.5\"} 1
job_seconds_bucket{le=\"+Inf\"} 2
job_seconds_sum 4.25
job_seconds_count 2
# EOF
"
    );
    assert_eq!(
        registry.encode(Format::Text),
        "\
# HELP jobs_total Jobs done
# TYPE jobs_total counter
jobs_total 2
# HELP job_seconds Job latency
# TYPE job_seconds histogram
job_seconds_bucket{le=\"0.5\"} 1
job_seconds_bucket{le=\"+Inf\"} 2
job_seconds_sum 4.25
job_seconds_count 2
"
    );
    // With start timestamps, OpenMetrics 1.0 still writes `_created` samples.
    let registry = Registry::new();
    let jobs = registry.register(Jobs::new()).unwrap();
    jobs.jobs_total().inc();
    let text = registry.encode(Format::OpenMetrics);
    assert!(text.contains("\njobs_created "), "{text}");
    assert!(text.contains("\njob_seconds_created "), "{text}");
    assert!(
        text.contains("\njob_seconds_bucket{le=\"0.5\"} 0\n"),
        "{text}"
    );
}
