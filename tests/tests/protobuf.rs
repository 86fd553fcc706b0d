//! Protobuf exposition: the generated message types are fresh, and what `Registry::expose`
//! writes decodes, with Debian's `protoc` and with those types, to exactly what was recorded.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use promdecl::proto::MetricFamily;
use promdecl::value::GaugeValue;
use promdecl::{
    Counter, Escaping, Exposition, FamilyDesc, Format, Gauge, Histogram, Info, IntGauge, Kind,
    LabelValue, Metrics, Registry, OVERFLOW_FAMILY,
};
use prost::Message;

/// Where metrics-core keeps the vendored `metrics.proto` (under `io/prometheus/client/`).
fn proto_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../metrics-core/proto")
}

const PROTO_FILE: &str = "io/prometheus/client/metrics.proto";

/// The committed output of prost-build for `metrics.proto`.
fn generated_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../metrics-core/src/encode/proto_gen.rs")
}

/// Compiles the vendored proto with protox (no `protoc` needed) and generates its Rust types
/// with prost-build, as the committed file was made.
fn generate() -> String {
    let fds = protox::compile([PROTO_FILE], [proto_dir()]).expect("protox compiles metrics.proto");
    let out = tempfile::tempdir().expect("temp dir");
    prost_build::Config::new()
        // `google.protobuf.Timestamp` is not generated: prost-build maps the well-known types
        // to prost-types by default.
        .out_dir(out.path())
        .compile_fds(fds)
        .expect("prost-build generates the types");
    std::fs::read_to_string(out.path().join("io.prometheus.client.rs"))
        .expect("prost-build wrote io.prometheus.client.rs")
}

#[test]
fn generated_code_is_fresh() {
    let fresh = generate();
    let path = generated_file();
    if std::env::var_os("PROMDECL_REGENERATE").is_some() {
        std::fs::write(&path, &fresh).expect("write proto_gen.rs");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{} is not what prost-build generates from metrics-core/proto; regenerate it with \
         `PROMDECL_REGENERATE=1 cargo test -p tests --test protobuf generated_code_is_fresh`",
        path.display()
    );
}

// ---------------------------------------------------------------------------------------------
// What an exposition decodes to, whichever decoder read it.

/// One decoded `MetricFamily`, series sorted by labels so the comparison ignores their order.
#[derive(Debug, Clone, PartialEq)]
struct Family {
    name: String,
    help: String,
    kind: String,
    unit: Option<String>,
    series: Vec<Series>,
}

#[derive(Debug, Clone, PartialEq)]
struct Series {
    labels: Vec<(String, String)>,
    value: Value,
}

#[derive(Debug, Clone, PartialEq)]
enum Value {
    Counter(f64),
    Gauge(f64),
    Histogram {
        count: u64,
        sum: Option<f64>,
        /// `(upper_bound, cumulative_count)`.
        buckets: Vec<(f64, u64)>,
    },
}

impl Family {
    fn new(name: &str, help: &str, kind: &str, unit: Option<&str>, series: Vec<Series>) -> Self {
        let mut family = Family {
            name: name.to_string(),
            help: help.to_string(),
            kind: kind.to_string(),
            unit: unit.map(str::to_string),
            series,
        };
        family.series.sort_by(|a, b| a.labels.cmp(&b.labels));
        family
    }
}

fn series(labels: &[(&str, &str)], value: Value) -> Series {
    let labels = labels.iter().map(|(k, v)| (k.to_string(), v.to_string()));
    Series {
        labels: labels.collect(),
        value,
    }
}

/// Splits length-delimited messages: each is preceded by its length as a base-128 varint.
fn split_delimited(mut bytes: &[u8]) -> Vec<&[u8]> {
    let mut messages = Vec::new();
    while !bytes.is_empty() {
        let (mut len, mut shift, mut used) = (0usize, 0u32, 0usize);
        loop {
            let b = *bytes.get(used).expect("truncated length prefix");
            used += 1;
            len |= usize::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                break;
            }
        }
        let (message, rest) = bytes[used..].split_at(len);
        messages.push(message);
        bytes = rest;
    }
    messages
}

/// Decodes one message with `protoc --decode`, which knows the schema only from the vendored
/// `metrics.proto`, and reads its text output.
fn protoc_decode(message: &[u8]) -> Family {
    let mut child = Command::new("protoc")
        .arg("--decode=io.prometheus.client.MetricFamily")
        .arg(format!("--proto_path={}", proto_dir().display()))
        .arg(PROTO_FILE)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("protoc runs");
    let mut stdin = child.stdin.take().expect("piped stdin");
    stdin.write_all(message).expect("write to protoc");
    drop(stdin);
    let out = child.wait_with_output().expect("protoc finishes");
    let text = String::from_utf8(out.stdout).expect("protoc prints UTF-8");
    assert!(
        out.status.success(),
        "protoc failed: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    family_from_text(&parse_text_format(&text))
}

/// A message in protobuf text format, as `protoc --decode` prints it: fields in order.
#[derive(Debug, Default)]
struct TextMessage {
    fields: Vec<(String, TextField)>,
}

#[derive(Debug)]
enum TextField {
    Scalar(String),
    Message(TextMessage),
}

impl TextMessage {
    fn scalar(&self, name: &str) -> Option<&str> {
        self.fields.iter().find_map(|(k, v)| match v {
            TextField::Scalar(s) if k == name => Some(s.as_str()),
            _ => None,
        })
    }

    fn messages(&self, name: &'static str) -> impl Iterator<Item = &TextMessage> {
        self.fields.iter().filter_map(move |(k, v)| match v {
            TextField::Message(m) if k == name => Some(m),
            _ => None,
        })
    }

    fn message(&self, name: &'static str) -> Option<&TextMessage> {
        self.messages(name).next()
    }
}

/// Parses protoc's output: `name: value` lines, `name {` ... `}` blocks.
fn parse_text_format(text: &str) -> TextMessage {
    let mut stack = vec![(String::new(), TextMessage::default())];
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if line == "}" {
            let (name, done) = stack.pop().expect("balanced braces");
            let parent = &mut stack.last_mut().expect("balanced braces").1;
            parent.fields.push((name, TextField::Message(done)));
        } else if let Some(name) = line.strip_suffix(" {") {
            stack.push((name.to_string(), TextMessage::default()));
        } else {
            let (name, value) = line.split_once(": ").expect("`name: value`");
            let value = match value.strip_prefix('"') {
                Some(quoted) => unescape(quoted.strip_suffix('"').expect("closing quote")),
                None => value.to_string(),
            };
            let top = &mut stack.last_mut().expect("a message").1;
            top.fields
                .push((name.to_string(), TextField::Scalar(value)));
        }
    }
    assert_eq!(stack.len(), 1, "unbalanced braces in:\n{text}");
    stack.pop().expect("the top message").1
}

/// Undoes protoc's C-style string escaping (`\"`, `\\`, `\n`, octal bytes for non-ASCII).
fn unescape(s: &str) -> String {
    let mut bytes = Vec::new();
    let mut it = s.bytes().peekable();
    while let Some(b) = it.next() {
        if b != b'\\' {
            bytes.push(b);
            continue;
        }
        match it.next().expect("escape") {
            b'n' => bytes.push(b'\n'),
            b't' => bytes.push(b'\t'),
            b'r' => bytes.push(b'\r'),
            d @ b'0'..=b'7' => {
                let mut v = u32::from(d - b'0');
                for _ in 0..2 {
                    match it.peek() {
                        Some(&d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            it.next();
                        }
                        _ => break,
                    }
                }
                bytes.push(u8::try_from(v).expect("octal byte"));
            }
            other => bytes.push(other),
        }
    }
    String::from_utf8(bytes).expect("UTF-8 string")
}

fn family_from_text(m: &TextMessage) -> Family {
    let f64_of = |m: &TextMessage, name: &str| -> Option<f64> {
        m.scalar(name).map(|v| v.parse().expect("a double"))
    };
    let series = m
        .messages("metric")
        .map(|metric| {
            let labels = metric.messages("label").map(|l| {
                let get = |k| l.scalar(k).unwrap_or_default().to_string();
                (get("name"), get("value"))
            });
            let mut values = Vec::new();
            if let Some(c) = metric.message("counter") {
                values.push(Value::Counter(f64_of(c, "value").unwrap_or(0.0)));
            }
            if let Some(g) = metric.message("gauge") {
                values.push(Value::Gauge(f64_of(g, "value").unwrap_or(0.0)));
            }
            if let Some(h) = metric.message("histogram") {
                let count = h
                    .scalar("sample_count")
                    .map(|v| v.parse().expect("a count"));
                let buckets = h.messages("bucket").map(|b| {
                    let count = b
                        .scalar("cumulative_count")
                        .map(|v| v.parse().expect("count"));
                    (f64_of(b, "upper_bound").unwrap_or(0.0), count.unwrap_or(0))
                });
                values.push(Value::Histogram {
                    count: count.unwrap_or(0),
                    sum: f64_of(h, "sample_sum"),
                    buckets: buckets.collect(),
                });
            }
            assert_eq!(values.len(), 1, "one value per metric: {metric:?}");
            Series {
                labels: labels.collect(),
                value: values.remove(0),
            }
        })
        .collect();
    Family::new(
        m.scalar("name").unwrap_or_default(),
        m.scalar("help").unwrap_or_default(),
        m.scalar("type").unwrap_or("COUNTER"),
        m.scalar("unit"),
        series,
    )
}

/// Decodes an exposition with the generated prost types.
fn prost_decode(mut bytes: &[u8]) -> Vec<MetricFamily> {
    let mut families = Vec::new();
    while !bytes.is_empty() {
        families.push(MetricFamily::decode_length_delimited(&mut bytes).expect("a MetricFamily"));
    }
    families
}

fn family_from_prost(f: &MetricFamily) -> Family {
    let series = f.metric.iter().map(|m| {
        let mut values = Vec::new();
        if let Some(c) = &m.counter {
            values.push(Value::Counter(c.value()));
        }
        if let Some(g) = &m.gauge {
            values.push(Value::Gauge(g.value()));
        }
        if let Some(h) = &m.histogram {
            values.push(Value::Histogram {
                count: h.sample_count(),
                sum: h.sample_sum,
                buckets: h
                    .bucket
                    .iter()
                    .map(|b| (b.upper_bound(), b.cumulative_count()))
                    .collect(),
            });
        }
        assert_eq!(values.len(), 1, "one value per metric: {m:?}");
        Series {
            labels: m
                .label
                .iter()
                .map(|l| (l.name().to_string(), l.value().to_string()))
                .collect(),
            value: values.remove(0),
        }
    });
    Family::new(
        f.name(),
        f.help(),
        f.r#type().as_str_name(),
        f.unit.as_deref(),
        series.collect(),
    )
}

// ---------------------------------------------------------------------------------------------
// The registry under test.

/// How a payment ended.
#[derive(Clone, Copy, LabelValue)]
enum Outcome {
    Paid,
    Declined,
}

#[derive(Metrics)]
#[metrics(prefix = "shop")]
struct Shop {
    /// Orders placed, with a \ and "quotes"
    #[metric(counter, labels = [region, outcome: Outcome])]
    orders_total: Counter,
    /// Bytes sent to clients
    #[metric(counter, unit = "bytes")]
    sent_bytes_total: Counter,
    /// Items in stock
    #[metric(gauge, labels = [warehouse])]
    stock_items: IntGauge,
    /// Oven temperature
    #[metric(gauge, unit = "celsius")]
    oven_temperature_celsius: Gauge,
    /// Checkout latency
    #[metric(histogram, unit = "seconds", labels = [method = [card, cash]], buckets = [0.5, 1.0, 2.5])]
    checkout_duration_seconds: Histogram,
    /// Price changes, which can be negative
    #[metric(histogram, buckets = [-1.0, 0.0, 1.0])]
    price_change: Histogram,
    /// Build information
    #[metric(info, labels = [version])]
    build_info: Info,
}

const REGION: &str = "zürich \"hq\"";

/// A registry with prefix `acme` and const label `node="n1"`, and `Shop` updated with the values
/// the tests expect back.
fn shop_registry() -> (Registry, std::sync::Arc<Shop>) {
    let registry = Registry::builder()
        .prefix("acme")
        .const_label("node", "n1")
        .build()
        .unwrap();
    let shop = registry.register(Shop::new()).unwrap();
    shop.orders_total("eu", Outcome::Paid).inc_by(3);
    shop.orders_total(REGION, Outcome::Declined).inc();
    shop.sent_bytes_total().inc_by(4096);
    shop.stock_items("north").set(-2);
    shop.stock_items("south").set(40);
    shop.oven_temperature_celsius().set(180.5);
    let card = shop.checkout_duration_seconds(shop_labels::Method::Card);
    for seconds in [0.25, 0.5, 2.0, 5.0] {
        card.observe(seconds);
    }
    shop.price_change().observe(-0.5);
    shop.price_change().observe(0.75);
    shop.build_info("1.2.3");
    (registry, shop)
}

/// What `shop_registry` recorded, as Prometheus names it in protobuf: counters with `_total`,
/// histograms by their base name, info as a gauge of 1; the const label first, then the
/// declared ones; every enumerated value of a tuple exposed, 0 until counted.
fn expected_shop() -> Vec<Family> {
    let node = ("node", "n1");
    let counter = Value::Counter;
    let gauge = Value::Gauge;
    vec![
        Family::new(
            "acme_shop_orders_total",
            "Orders placed, with a \\ and \"quotes\"",
            "COUNTER",
            None,
            vec![
                series(&[node, ("region", "eu"), ("outcome", "paid")], counter(3.0)),
                series(
                    &[node, ("region", "eu"), ("outcome", "declined")],
                    counter(0.0),
                ),
                series(
                    &[node, ("region", REGION), ("outcome", "paid")],
                    counter(0.0),
                ),
                series(
                    &[node, ("region", REGION), ("outcome", "declined")],
                    counter(1.0),
                ),
            ],
        ),
        Family::new(
            "acme_shop_sent_bytes_total",
            "Bytes sent to clients",
            "COUNTER",
            Some("bytes"),
            vec![series(&[node], counter(4096.0))],
        ),
        Family::new(
            "acme_shop_stock_items",
            "Items in stock",
            "GAUGE",
            None,
            vec![
                series(&[node, ("warehouse", "north")], gauge(-2.0)),
                series(&[node, ("warehouse", "south")], gauge(40.0)),
            ],
        ),
        Family::new(
            "acme_shop_oven_temperature_celsius",
            "Oven temperature",
            "GAUGE",
            Some("celsius"),
            vec![series(&[node], gauge(180.5))],
        ),
        Family::new(
            "acme_shop_checkout_duration_seconds",
            "Checkout latency",
            "HISTOGRAM",
            Some("seconds"),
            vec![
                // 0.25 and 0.5 are <= 0.5; 2.0 is <= 2.5; 5.0 only in +Inf, which is the count.
                series(
                    &[node, ("method", "card")],
                    Value::Histogram {
                        count: 4,
                        sum: Some(0.25 + 0.5 + 2.0 + 5.0),
                        buckets: vec![(0.5, 2), (1.0, 2), (2.5, 3)],
                    },
                ),
                series(
                    &[node, ("method", "cash")],
                    Value::Histogram {
                        count: 0,
                        sum: Some(0.0),
                        buckets: vec![(0.5, 0), (1.0, 0), (2.5, 0)],
                    },
                ),
            ],
        ),
        Family::new(
            "acme_shop_price_change",
            "Price changes, which can be negative",
            "HISTOGRAM",
            None,
            // A negative bound: no sum, as in the text formats.
            vec![series(
                &[node],
                Value::Histogram {
                    count: 2,
                    sum: None,
                    buckets: vec![(-1.0, 0), (0.0, 1), (1.0, 2)],
                },
            )],
        ),
        Family::new(
            "acme_shop_build_info",
            "Build information",
            "GAUGE",
            None,
            vec![series(&[node, ("version", "1.2.3")], gauge(1.0))],
        ),
        // The registry's own: per family with a free-form label (info's too), the updates it
        // folded (none).
        Family::new(
            &format!("acme_{}", OVERFLOW_FAMILY.name),
            OVERFLOW_FAMILY.help,
            "COUNTER",
            None,
            ["shop_orders_total", "shop_stock_items", "shop_build_info"]
                .iter()
                .map(|f| series(&[node, (OVERFLOW_FAMILY.labels[0].name, f)], counter(0.0)))
                .collect(),
        ),
    ]
}

/// Compares families by name, then one by one, so a failure shows the family that differs.
fn assert_families(mut got: Vec<Family>, mut want: Vec<Family>) {
    got.sort_by(|a, b| a.name.cmp(&b.name));
    want.sort_by(|a, b| a.name.cmp(&b.name));
    let names = |fs: &[Family]| fs.iter().map(|f| f.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&got), names(&want));
    for (got, want) in got.iter().zip(&want) {
        assert_eq!(got, want);
    }
}

#[test]
fn protoc_decodes_what_was_recorded() {
    if !tests::require_tool("protoc", "apt-get install protobuf-compiler") {
        return;
    }
    let (registry, _shop) = shop_registry();
    let bytes = registry.expose(Exposition::protobuf());
    let decoded: Vec<Family> = split_delimited(&bytes)
        .into_iter()
        .map(protoc_decode)
        .collect();
    assert_families(decoded.clone(), expected_shop());
    // The generated types read the same messages the same way.
    let by_prost: Vec<Family> = prost_decode(&bytes).iter().map(family_from_prost).collect();
    assert_families(by_prost, decoded);
}

#[test]
fn generated_types_decode_what_was_recorded() {
    let (registry, _shop) = shop_registry();
    let bytes = registry.expose(Exposition::protobuf());
    let decoded: Vec<Family> = prost_decode(&bytes).iter().map(family_from_prost).collect();
    assert_families(decoded, expected_shop());
}

/// Background jobs.
#[derive(Metrics)]
#[metrics(prefix = "jobs")]
struct Jobs {
    /// Jobs run
    #[metric(counter, labels = [queue])]
    run_total: Counter,
    /// Jobs failed, never updated here: a family with no series
    #[metric(counter, labels = [queue])]
    failed_total: Counter,
    /// Job duration
    #[metric(histogram, buckets = [1.0, 10.0])]
    duration_seconds: Histogram,
    /// Workers busy
    #[metric(gauge)]
    busy_workers: IntGauge,
}

#[test]
fn every_family_of_a_registry_is_exposed() {
    let (registry, _shop) = shop_registry();
    let jobs = registry.register(Jobs::new()).unwrap();
    let other = registry.register_prefixed("batch", Jobs::new()).unwrap();
    jobs.run_total("mail").inc();
    other.busy_workers().set(2);
    // NaN cannot be observed: the registry's dropped-observations family appears.
    jobs.duration_seconds().observe(f64::NAN);
    let desc = FamilyDesc::builder("queue_depth", Kind::Gauge, "Jobs waiting")
        .label("queue")
        .build()
        .unwrap();
    let depth = registry.register_family::<GaugeValue>(desc).unwrap();
    depth.get_by_values(&["mail"]).unwrap().set(3.0);

    // Text 0.0.4 names each family as protobuf does (counters with `_total`, info as a gauge).
    let text = registry.encode(Format::Text);
    let want: BTreeSet<(String, String)> = text
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .map(|l| {
            let (name, kind) = l.split_once(' ').expect("`# TYPE name type`");
            (name.to_string(), kind.to_uppercase())
        })
        .collect();
    let families = prost_decode(&registry.expose(Exposition::protobuf()));
    let got: BTreeSet<(String, String)> = families
        .iter()
        .map(|f| (f.name().to_string(), f.r#type().as_str_name().to_string()))
        .collect();
    assert_eq!(families.len(), got.len(), "a family was written twice");
    assert_eq!(got, want);
    assert!(got.contains(&("acme_batch_jobs_busy_workers".into(), "GAUGE".into())));
    assert!(got.contains(&("acme_jobs_failed_total".into(), "COUNTER".into())));
}

#[test]
fn utf8_names_are_written_as_the_scraper_asks() {
    let registry = Registry::builder().utf8_names().build().unwrap();
    let desc = FamilyDesc::builder("queue.depth", Kind::Gauge, "Jobs waiting")
        .build()
        .unwrap();
    let depth = registry.register_family::<GaugeValue>(desc).unwrap();
    depth.get_by_values(&[]).unwrap().set(3.0);
    let cases = [
        (Escaping::AllowUtf8, "queue.depth"),
        (Escaping::Underscores, "queue_depth"),
        (Escaping::Dots, "queue_dot_depth"),
        (Escaping::Values, "U__queue_2e_depth"),
    ];
    for (escaping, want) in cases {
        let bytes = registry.expose(Exposition::protobuf().with_escaping(escaping));
        let families = prost_decode(&bytes);
        let names: Vec<&str> = families.iter().map(|f| f.name()).collect();
        assert_eq!(names, [want], "{escaping:?}");
    }
}

#[derive(Metrics)]
struct Latency {
    /// Request latency
    #[metric(histogram, labels = [route], buckets = [0.1, 1.0], native(factor = 2.0))]
    request_seconds: Histogram,
}

/// A native histogram in protobuf: schema, zero bucket, spans and deltas that decode back to
/// the buckets the observations fall in (schema 0: bucket `i` holds `(2^(i-1), 2^i]`), beside
/// the classic buckets.
#[test]
fn native_histograms_are_written_with_spans_and_deltas() {
    let registry = Registry::new();
    let latency = registry.register(Latency::new()).unwrap();
    let h = latency.request_seconds("/a");
    for v in [0.3, 0.4, 0.75, 3.0, 3.5, 100.0, 0.0] {
        h.observe(v);
    }
    let families = prost_decode(&registry.expose(Exposition::protobuf()));
    let family = families
        .iter()
        .find(|f| f.name() == "request_seconds")
        .unwrap();
    let hist = family.metric[0].histogram.as_ref().unwrap();
    assert_eq!(hist.schema, Some(0));
    assert_eq!(hist.sample_count, Some(7));
    assert_eq!(hist.zero_count, Some(1), "0.0 is in the zero bucket");
    assert!((hist.sample_sum.unwrap() - 107.95).abs() < 1e-9);
    // Back from spans and deltas to (index, count).
    let mut buckets = Vec::new();
    let mut index = 0i32;
    let mut count = 0i64;
    let mut deltas = hist.positive_delta.iter();
    // The first span's offset is its first index; a later one's, the gap since the last.
    for span in &hist.positive_span {
        index += span.offset();
        for _ in 0..span.length() {
            count += deltas.next().unwrap();
            if count > 0 {
                buckets.push((index, count));
            }
            index += 1;
        }
    }
    // 0.3, 0.4 -> (0.25, 0.5] = -1; 0.75 -> 0; 3.0, 3.5 -> (2, 4] = 2; 100 -> (64, 128] = 7.
    assert_eq!(buckets, [(-1, 2), (0, 1), (2, 2), (7, 1)]);
    // The classic buckets are there too.
    let classic: Vec<(f64, u64)> = hist
        .bucket
        .iter()
        .map(|b| (b.upper_bound(), b.cumulative_count()))
        .collect();
    assert_eq!(classic, [(0.1, 1), (1.0, 4)]);
}
