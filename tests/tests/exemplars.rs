//! Exemplars: a counter increment or histogram observation can carry trace labels, exposed in
//! OpenMetrics (read back by Python's parser) and protobuf; OpenMetrics' 128-character limit is
//! enforced without losing the update; a freed series' exemplar does not outlive it.

use promdecl::proto::MetricFamily;
use promdecl::{Counter, Exposition, Format, Histogram, Metrics, Registry};
use prost::Message;

#[derive(Metrics)]
struct Api {
    /// Requests served
    #[metric(counter, labels = [route])]
    requests_total: Counter,
    /// Request latency
    #[metric(histogram, labels = [route], buckets = [0.1, 1.0])]
    request_seconds: Histogram,
}

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN: &str = "00f067aa0ba902b7";

fn families(registry: &Registry) -> Vec<MetricFamily> {
    let bytes = registry.expose(Exposition::protobuf());
    let mut rest = bytes.as_slice();
    let mut out = Vec::new();
    while !rest.is_empty() {
        out.push(MetricFamily::decode_length_delimited(&mut rest).unwrap());
    }
    out
}

#[test]
fn counter_and_histogram_exemplars_are_exposed() {
    let registry = Registry::new();
    let api = registry.register(Api::new()).unwrap();
    let trace = [("trace_id", TRACE), ("span_id", SPAN)];
    api.requests_total("/a")
        .inc_by_with_exemplar(3, &trace)
        .unwrap();
    api.requests_total("/b").inc();
    api.request_seconds("/a")
        .observe_with_exemplar(0.5, &trace)
        .unwrap();

    let text = registry.encode(Format::OpenMetrics);
    let line = format!(
        "requests_total{{route=\"/a\"}} 3 # {{trace_id=\"{TRACE}\",span_id=\"{SPAN}\"}} 3 "
    );
    assert!(text.contains(&line), "no {line:?} in\n{text}");
    assert!(text.contains("requests_total{route=\"/b\"} 1\n"), "{text}");
    let bucket = format!(
        "request_seconds_bucket{{route=\"/a\",le=\"1.0\"}} 1 # {{trace_id=\"{TRACE}\",span_id=\"{SPAN}\"}} 0.5 "
    );
    assert!(text.contains(&bucket), "no {bucket:?} in\n{text}");
    // Exemplars are OpenMetrics only.
    assert!(!registry.encode(Format::Text).contains(TRACE));

    if let Some(parsed) = tests::python_parse(&text, Format::OpenMetrics) {
        let parsed = parsed.unwrap_or_else(|e| panic!("{e}\n{text}"));
        let sample = parsed
            .iter()
            .flat_map(|f| &f.samples)
            .find(|s| {
                s.name == "requests_total"
                    && s.labels.get("route").map(String::as_str) == Some("/a")
            })
            .expect("the counter sample");
        let (labels, value) = sample.exemplar.clone().expect("Python reads the exemplar");
        assert_eq!(labels.get("trace_id").map(String::as_str), Some(TRACE));
        assert_eq!(labels.get("span_id").map(String::as_str), Some(SPAN));
        assert_eq!(value, 3.0);
    }

    let families = families(&registry);
    let counter = families
        .iter()
        .find(|f| f.name() == "requests_total")
        .unwrap();
    let a = counter
        .metric
        .iter()
        .find(|m| m.label.iter().any(|l| l.value() == "/a"))
        .unwrap();
    let e = a
        .counter
        .as_ref()
        .unwrap()
        .exemplar
        .as_ref()
        .expect("protobuf exemplar");
    let labels: Vec<(&str, &str)> = e.label.iter().map(|l| (l.name(), l.value())).collect();
    assert_eq!(labels, trace);
    assert_eq!(e.value, Some(3.0));
    assert!(e.timestamp.is_some());
    let histogram = families
        .iter()
        .find(|f| f.name() == "request_seconds")
        .unwrap();
    let buckets = &histogram.metric[0].histogram.as_ref().unwrap().bucket;
    assert!(
        buckets[0].exemplar.is_none(),
        "0.5 is not in the 0.1 bucket"
    );
    assert_eq!(
        buckets[1].exemplar.as_ref().and_then(|e| e.value),
        Some(0.5)
    );
}

#[test]
fn labels_over_the_limit_are_refused_but_the_update_counts() {
    let registry = Registry::new();
    let api = registry.register(Api::new()).unwrap();
    let long = "f".repeat(121);
    let err = api
        .requests_total("/a")
        .inc_by_with_exemplar(1, &[("trace_id", &long)])
        .unwrap_err();
    assert!(err.to_string().contains("128"), "{err}");
    let err = api
        .request_seconds("/a")
        .observe_with_exemplar(0.5, &[("trace-id", "x")])
        .unwrap_err();
    assert!(err.to_string().contains("trace-id"), "{err}");
    let text = registry.encode(Format::OpenMetrics);
    assert!(text.contains("requests_total{route=\"/a\"} 1\n"), "{text}");
    assert!(
        text.contains("request_seconds_count{route=\"/a\"} 1\n"),
        "{text}"
    );
    assert!(!text.contains(" # {"), "no exemplar was kept\n{text}");
}

#[test]
fn a_removed_series_takes_its_exemplar_with_it() {
    let registry = Registry::new();
    let api = registry.register(Api::new()).unwrap();
    api.requests_total("/a")
        .inc_by_with_exemplar(1, &[("trace_id", TRACE)])
        .unwrap();
    assert!(api.requests_total.remove(&["/a"]));
    // Removal frees the slot at the next scrape; the next tuple takes it.
    registry.encode(Format::OpenMetrics);
    api.requests_total("/c").inc();
    let text = registry.encode(Format::OpenMetrics);
    assert!(text.contains("requests_total{route=\"/c\"} 1\n"), "{text}");
    assert!(!text.contains(TRACE), "a stale exemplar\n{text}");
}
