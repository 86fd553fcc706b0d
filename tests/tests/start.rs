//! Start timestamps: counters and histograms say when they started from zero, in OpenMetrics
//! (`_created`) and protobuf (`created_timestamp`); gauges do not; a registry can leave them
//! out. A series created by an update starts no later than it was created and no earlier than
//! the scrape before it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use promdecl::proto::MetricFamily;
use promdecl::{Counter, Exposition, Format, Gauge, Histogram, Metrics, Registry};
use prost::Message;

#[derive(Metrics)]
struct Work {
    /// Jobs done
    #[metric(counter, labels = [queue])]
    jobs_total: Counter,
    /// Jobs waiting
    #[metric(gauge)]
    waiting: Gauge,
    /// Job latency
    #[metric(histogram, buckets = [0.1, 1.0])]
    job_seconds: Histogram,
}

fn seconds(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH).unwrap().as_secs_f64()
}

/// `name{labels} value` lines of an exposition, as `(name, labels, value)`.
fn samples(text: &str) -> Vec<(String, String, f64)> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').unwrap();
            let (name, labels) = series.split_once('{').unwrap_or((series, ""));
            (
                name.to_string(),
                labels.trim_end_matches('}').to_string(),
                value.parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn openmetrics_and_protobuf_carry_start_timestamps() {
    // Millisecond precision: round the bounds outwards.
    let before = seconds(SystemTime::now()) - 0.001;
    let registry = Registry::new();
    let work = registry.register(Work::new()).unwrap();
    work.job_seconds().observe(0.5);
    work.waiting().set(2.0);
    // The scrape before the series exists.
    let first = registry.encode(Format::OpenMetrics);
    assert!(first.contains("\njob_seconds_created "), "{first}");
    let between = seconds(SystemTime::now()) + 0.001;
    std::thread::sleep(Duration::from_millis(20));
    let scraped = seconds(SystemTime::now()) - 0.001;
    registry.encode(Format::Text);
    std::thread::sleep(Duration::from_millis(20));
    work.jobs_total("mail").inc();
    let created = seconds(SystemTime::now()) + 0.001;

    let text = registry.encode(Format::OpenMetrics);
    let all = samples(&text);
    let value = |name: &str, labels: &str| {
        all.iter()
            .find(|(n, l, _)| n == name && l == labels)
            .unwrap_or_else(|| panic!("no {name}{{{labels}}} in\n{text}"))
            .2
    };
    // The histogram was created with the family, before the first scrape.
    let histogram = value("job_seconds_created", "");
    assert!(
        (before..=between).contains(&histogram),
        "{histogram} not in {before}..{between}"
    );
    // The counter series started between the last scrape before it and its creation.
    let jobs = value("jobs_created", "queue=\"mail\"");
    assert!(
        (scraped..=created).contains(&jobs),
        "{jobs} not in {scraped}..{created}"
    );
    assert!(
        !text.contains("waiting_created"),
        "gauges have no start\n{text}"
    );
    // OpenMetrics order: a series' `_created` follows its other samples.
    let at = |needle: &str| text.find(needle).unwrap();
    assert!(at("jobs_total{queue=\"mail\"} 1") < at("jobs_created{queue=\"mail\"}"));
    assert!(at("job_seconds_count ") < at("job_seconds_created "));
    if let Some(parsed) = tests::python_parse(&text, Format::OpenMetrics) {
        let parsed = parsed.unwrap_or_else(|e| panic!("{e}\n{text}"));
        let found = tests::find_sample(&parsed, "jobs_created", &[("queue", "mail")]);
        assert_eq!(
            found,
            Some(jobs),
            "Python's OpenMetrics parser reads the start"
        );
    }

    // Text 0.0.4 has no start timestamps.
    assert!(!registry.encode(Format::Text).contains("_created"));

    let bytes = registry.expose(Exposition::protobuf());
    let mut rest = bytes.as_slice();
    let mut starts = Vec::new();
    while !rest.is_empty() {
        let family = MetricFamily::decode_length_delimited(&mut rest).unwrap();
        for metric in &family.metric {
            let created = metric
                .counter
                .as_ref()
                .and_then(|c| c.created_timestamp)
                .or_else(|| metric.histogram.as_ref().and_then(|h| h.created_timestamp));
            let secs = created.map(|t| t.seconds as f64 + f64::from(t.nanos) / 1e9);
            starts.push((family.name().to_string(), secs));
        }
    }
    let start_of = |name: &str| starts.iter().find(|(n, _)| n == name).unwrap().1;
    // Same instants as OpenMetrics (both in ms).
    assert_eq!(
        start_of("jobs_total").map(|s| (s * 1000.0).round()),
        Some((jobs * 1000.0).round())
    );
    assert_eq!(
        start_of("job_seconds").map(|s| (s * 1000.0).round()),
        Some((histogram * 1000.0).round())
    );
    assert_eq!(start_of("waiting"), None);
}

#[test]
fn a_registry_can_leave_start_timestamps_out() {
    let registry = Registry::builder()
        .without_start_timestamps()
        .build()
        .unwrap();
    let work = registry.register(Work::new()).unwrap();
    work.jobs_total("mail").inc();
    let text = registry.encode(Format::OpenMetrics);
    assert!(text.contains("jobs_total{queue=\"mail\"} 1\n"), "{text}");
    assert!(!text.contains("_created"), "{text}");
    let bytes = registry.expose(Exposition::protobuf());
    let mut rest = bytes.as_slice();
    while !rest.is_empty() {
        let family = MetricFamily::decode_length_delimited(&mut rest).unwrap();
        for metric in &family.metric {
            assert!(metric
                .counter
                .as_ref()
                .is_none_or(|c| c.created_timestamp.is_none()));
            assert!(metric
                .histogram
                .as_ref()
                .is_none_or(|h| h.created_timestamp.is_none()));
        }
    }
}
