//! Series budgets: free-form values past `max_series` fold into one overflow series, counted.

use std::fmt::Write;

use promdecl::{testing, Counter, Format, Metrics, Registry, OVERFLOW_VALUE};

#[derive(Metrics)]
struct Peers {
    /// Messages per peer
    #[metric(counter, labels = [peer_id, dir = [sent, received]], max_series = 1000)]
    peer_messages_total: Counter,
}

#[test]
fn a_million_distinct_values_keep_at_most_budget_plus_one_series() {
    let registry = Registry::new();
    let peers = registry.register(Peers::new()).unwrap();
    let mut id = String::new();
    for i in 0..1_000_000u32 {
        id.clear();
        write!(id, "peer-{i}").unwrap();
        peers
            .peer_messages_total(&id, peers_labels::Dir::Sent)
            .inc();
    }
    // Every tuple has 2 enumerated slots; 1000 tuples + the overflow tuple.
    let series = testing::series_count(&*peers, "peer_messages_total").unwrap();
    assert_eq!(series, (1000 + 1) * 2);
    assert_eq!(
        testing::value(&*peers, "peer_messages_total", &["peer-7", "sent"]),
        Some(1.0)
    );
    assert_eq!(
        testing::value(&*peers, "peer_messages_total", &[OVERFLOW_VALUE, "sent"]),
        Some(999_000.0)
    );
    assert_eq!(
        testing::value(&*peers, "peer_messages_total", &["peer-999999", "sent"]),
        None
    );

    // A value admitted before the budget filled keeps its own series.
    peers
        .peer_messages_total("peer-0", peers_labels::Dir::Received)
        .inc();
    assert_eq!(
        testing::value(&*peers, "peer_messages_total", &["peer-0", "received"]),
        Some(1.0)
    );

    let text = registry.encode(Format::Text);
    assert!(text.contains("metrics_series_overflow_total{family=\"peer_messages_total\"} 999000\n"));
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("peer_messages_total{"))
            .count(),
        2002
    );
}

#[derive(Metrics)]
struct Twins {
    /// First
    #[metric(counter, labels = [key])]
    first_total: Counter,
    /// Second
    #[metric(counter, labels = [key])]
    second_total: Counter,
}

#[test]
fn repeated_lookups_of_one_key_in_two_families_stay_apart() {
    // Exercises the per-thread memo of recent lookups: same key, same thread, two families.
    let twins = Twins::new();
    for i in 0..10_000u64 {
        let key = format!("k{}", i % 100);
        twins.first_total(&key).inc();
        twins.second_total(&key).inc_by(2);
    }
    let other = Twins::new();
    other.first_total("k1").inc_by(7);
    assert_eq!(testing::value(&twins, "first_total", &["k1"]), Some(100.0));
    assert_eq!(testing::value(&twins, "second_total", &["k1"]), Some(200.0));
    assert_eq!(testing::value(&other, "first_total", &["k1"]), Some(7.0));
    assert_eq!(testing::series_count(&twins, "first_total"), Some(100));
}

#[test]
fn a_reused_buffer_with_new_text_counts_each_text_apart() {
    // Same address and length on every call: the memo must compare the text, not trust the place.
    let twins = Twins::new();
    let mut buf = String::with_capacity(8);
    for i in 0..1000 {
        buf.clear();
        buf.push_str(&format!("t{}", i % 10));
        twins.first_total(&buf).inc();
    }
    for i in 0..10 {
        let key = format!("t{i}");
        assert_eq!(
            testing::value(&twins, "first_total", &[&key]),
            Some(100.0),
            "{key}"
        );
    }
    assert_eq!(testing::series_count(&twins, "first_total"), Some(10));
}

#[derive(Metrics)]
struct Routes {
    /// Requests by host and path
    #[metric(counter, labels = [host, path])]
    requests_total: Counter,
}

#[test]
fn value_tuples_that_concatenate_alike_stay_apart() {
    let routes = Routes::new();
    let tuples = [("ab", "c"), ("a", "bc"), ("", "abc"), ("abc", "")];
    for (n, (host, path)) in tuples.iter().enumerate() {
        for _ in 0..=n {
            routes.requests_total(host, path).inc();
        }
    }
    for (n, (host, path)) in tuples.iter().enumerate() {
        let expected = (n + 1) as f64;
        let got = testing::value(&routes, "requests_total", &[host, path]);
        assert_eq!(got, Some(expected), "{host:?} {path:?}");
    }
    assert_eq!(testing::series_count(&routes, "requests_total"), Some(4));
}

#[derive(Metrics)]
struct Wide {
    /// Messages per key
    #[metric(counter, labels = [key], max_series = 100_000)]
    wide_total: Counter,
}

#[test]
fn threads_creating_the_same_series_at_once_get_one_series_each() {
    // Four threads insert the same 5000 keys in different orders while the index grows.
    const KEYS: usize = 5000;
    let wide = std::sync::Arc::new(Wide::new());
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let wide = wide.clone();
            std::thread::spawn(move || {
                for i in 0..KEYS {
                    let k = if t % 2 == 0 { i } else { KEYS - 1 - i };
                    wide.wide_total(&format!("key-{k}")).inc();
                }
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    assert_eq!(testing::series_count(&*wide, "wide_total"), Some(KEYS));
    for k in [0, 1, KEYS / 2, KEYS - 1] {
        let key = format!("key-{k}");
        assert_eq!(
            testing::value(&*wide, "wide_total", &[&key]),
            Some(4.0),
            "{key}"
        );
    }
    let text = testing::render(&*wide, promdecl::Format::Text);
    let total: f64 = text
        .lines()
        .filter(|l| l.starts_with("wide_total{"))
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum();
    assert_eq!(total, (4 * KEYS) as f64);
}

#[test]
fn the_overflow_value_and_oversized_values_never_get_a_series_of_their_own() {
    let registry = Registry::new();
    let peers = registry.register(Peers::new()).unwrap();
    let long = "p".repeat(promdecl::DEFAULT_MAX_LABEL_VALUE_BYTES + 1);
    let longest = "p".repeat(promdecl::DEFAULT_MAX_LABEL_VALUE_BYTES);
    // Well under the budget: these fold because of what they are, not because it is spent.
    for _ in 0..10 {
        peers
            .peer_messages_total(OVERFLOW_VALUE, peers_labels::Dir::Sent)
            .inc();
        peers
            .peer_messages_total(&long, peers_labels::Dir::Received)
            .inc();
        peers
            .peer_messages_total(&longest, peers_labels::Dir::Sent)
            .inc();
    }
    peers.visit(&mut |f| {
        f.record(&[OVERFLOW_VALUE, "sent"], 5.0).unwrap();
    });
    assert_eq!(
        testing::value(&*peers, "peer_messages_total", &[OVERFLOW_VALUE, "sent"]),
        Some(15.0)
    );
    assert_eq!(
        testing::value(
            &*peers,
            "peer_messages_total",
            &[OVERFLOW_VALUE, "received"]
        ),
        Some(10.0)
    );
    assert_eq!(
        testing::value(&*peers, "peer_messages_total", &[&longest, "sent"]),
        Some(10.0),
        "a value exactly at the cap keeps its series"
    );
    // The longest value's tuple and the overflow tuple, two enumerated slots each.
    assert_eq!(
        testing::series_count(&*peers, "peer_messages_total"),
        Some(4)
    );
    let text = registry.encode(Format::Text);
    assert!(
        text.contains("metrics_series_overflow_total{family=\"peer_messages_total\"} 21\n"),
        "{text}"
    );
    assert_eq!(
        text.matches("peer_id=\"__overflow__\",dir=\"sent\"")
            .count(),
        1,
        "one label set, one series\n{text}"
    );
}
