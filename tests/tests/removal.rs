//! Removing free-form series through the derived `remove_<field>` and `remove_<field>_matching`
//! methods, end to end through a `Registry`, and `idle_timeout` from the declaration to the
//! descriptor and to expiry. Every exposition asserted on must pass `promtool check metrics`
//! (text) and both Python parsers.

use std::time::{Duration, Instant};

use promdecl::{testing, Counter, Format, Gauge, Metrics, Registry, OVERFLOW_VALUE};
use tests::{find_sample, promtool_check_metrics, python_parse, ParsedFamily};

#[derive(Metrics)]
#[metrics(prefix = "removal")]
struct Links {
    /// Messages per peer and direction
    #[metric(counter, labels = [peer, dir = [sent, received]], max_series = 3, idle_timeout = "1h")]
    messages_total: Counter,
    /// Open streams per peer and protocol
    #[metric(gauge, labels = [peer, protocol], idle_timeout = "90s")]
    streams: Gauge,
    /// Connected peers
    #[metric(gauge)]
    connected: Gauge,
}

/// The text exposition, after checking that both formats pass their validators; with what
/// Python's text parser read (`None` where Python or its package is missing locally).
fn scrape(registry: &Registry) -> (String, Option<Vec<ParsedFamily>>) {
    let text = registry.encode(Format::Text);
    if let Some(result) = promtool_check_metrics(&text) {
        match result {
            Ok(out) => assert!(out.trim().is_empty(), "promtool lint:\n{out}\n---\n{text}"),
            Err(out) => panic!("promtool rejected the exposition:\n{out}\n---\n{text}"),
        }
    }
    let mut parsed_text = None;
    for format in [Format::Text, Format::OpenMetrics] {
        let out = if format == Format::Text {
            text.clone()
        } else {
            registry.encode(format)
        };
        if let Some(result) = python_parse(&out, format) {
            let families =
                result.unwrap_or_else(|e| panic!("python rejected {format:?}: {e}\n---\n{out}"));
            if format == Format::Text {
                parsed_text = Some(families);
            }
        }
    }
    (text, parsed_text)
}

/// Sample lines of `family` in a text exposition.
fn lines_of<'t>(text: &'t str, family: &str) -> Vec<&'t str> {
    let prefix = format!("{family}{{");
    text.lines().filter(|l| l.starts_with(&prefix)).collect()
}

#[test]
fn remove_drops_every_enumerated_combination_of_the_tuple_and_restarts_at_zero() {
    let registry = Registry::new();
    let m = registry.register(Links::new()).unwrap();
    use links_labels::Dir;
    m.messages_total("alice", Dir::Sent).inc_by(5);
    m.messages_total("alice", Dir::Received).inc_by(7);
    m.messages_total("bob", Dir::Sent).inc();

    let (text, parsed) = scrape(&registry);
    assert_eq!(lines_of(&text, "removal_messages_total").len(), 4, "{text}");
    if let Some(p) = &parsed {
        let alice = [("peer", "alice"), ("dir", "received")];
        assert_eq!(find_sample(p, "removal_messages_total", &alice), Some(7.0));
    }

    assert!(m.remove_messages_total("alice"));
    assert!(!m.remove_messages_total("alice"), "already removed");
    assert!(!m.remove_messages_total("carol"), "never existed");

    let (text, parsed) = scrape(&registry);
    let lines = lines_of(&text, "removal_messages_total");
    assert_eq!(
        lines,
        [
            "removal_messages_total{peer=\"bob\",dir=\"sent\"} 1",
            "removal_messages_total{peer=\"bob\",dir=\"received\"} 0",
        ],
        "{text}"
    );
    assert!(!text.contains("alice"), "{text}");
    if let Some(p) = &parsed {
        for dir in ["sent", "received"] {
            let alice = [("peer", "alice"), ("dir", dir)];
            assert_eq!(find_sample(p, "removal_messages_total", &alice), None);
        }
        let bob = [("peer", "bob"), ("dir", "sent")];
        assert_eq!(find_sample(p, "removal_messages_total", &bob), Some(1.0));
    }
    assert_eq!(
        testing::value(&*m, "removal_messages_total", &["alice", "sent"]),
        None
    );

    // Updated again, the tuple is a new series: from zero, both directions back at zero.
    m.messages_total("alice", Dir::Sent).inc();
    let (text, parsed) = scrape(&registry);
    assert!(
        text.contains("removal_messages_total{peer=\"alice\",dir=\"sent\"} 1\n"),
        "{text}"
    );
    assert!(
        text.contains("removal_messages_total{peer=\"alice\",dir=\"received\"} 0\n"),
        "{text}"
    );
    if let Some(p) = &parsed {
        let alice = [("peer", "alice"), ("dir", "sent")];
        assert_eq!(find_sample(p, "removal_messages_total", &alice), Some(1.0));
    }
    assert!(m.remove_messages_total("alice"));
}

#[test]
fn removal_frees_a_slot_of_the_series_budget() {
    let registry = Registry::new();
    let m = registry.register(Links::new()).unwrap();
    use links_labels::Dir;
    for peer in ["p1", "p2", "p3"] {
        m.messages_total(peer, Dir::Sent).inc();
    }
    // The budget (3) is full: a fourth peer folds into the overflow series.
    m.messages_total("p4", Dir::Sent).inc();
    let family = "removal_messages_total";
    assert_eq!(testing::value(&*m, family, &["p4", "sent"]), None);
    assert_eq!(
        testing::value(&*m, family, &[OVERFLOW_VALUE, "sent"]),
        Some(1.0)
    );
    let (text, parsed) = scrape(&registry);
    assert!(
        text.contains(&format!(
            "removal_messages_total{{peer=\"{OVERFLOW_VALUE}\",dir=\"sent\"}} 1\n"
        )),
        "{text}"
    );
    assert!(
        text.contains("metrics_series_overflow_total{family=\"removal_messages_total\"} 1\n"),
        "{text}"
    );
    if let Some(p) = &parsed {
        assert_eq!(
            find_sample(p, family, &[("peer", "p4"), ("dir", "sent")]),
            None
        );
    }

    assert!(m.remove_messages_total("p2"));
    m.messages_total("p5", Dir::Sent).inc_by(3);
    assert_eq!(testing::value(&*m, family, &["p5", "sent"]), Some(3.0));
    assert_eq!(
        testing::value(&*m, family, &[OVERFLOW_VALUE, "sent"]),
        Some(1.0),
        "p5 has its own series and did not fold"
    );
    // The budget is full again.
    m.messages_total("p6", Dir::Sent).inc();
    assert_eq!(testing::value(&*m, family, &["p6", "sent"]), None);
    assert_eq!(
        testing::value(&*m, family, &[OVERFLOW_VALUE, "sent"]),
        Some(2.0)
    );

    let (text, parsed) = scrape(&registry);
    assert!(!text.contains("\"p2\""), "{text}");
    assert!(
        text.contains("removal_messages_total{peer=\"p5\",dir=\"sent\"} 3\n"),
        "{text}"
    );
    assert!(
        text.contains("metrics_series_overflow_total{family=\"removal_messages_total\"} 2\n"),
        "{text}"
    );
    if let Some(p) = &parsed {
        let p5 = [("peer", "p5"), ("dir", "sent")];
        assert_eq!(find_sample(p, family, &p5), Some(3.0));
        let p2 = [("peer", "p2"), ("dir", "sent")];
        assert_eq!(find_sample(p, family, &p2), None);
    }
}

#[test]
fn remove_matching_removes_exactly_the_matching_tuples() {
    let registry = Registry::new();
    let m = registry.register(Links::new()).unwrap();
    let tuples = [
        ("p1", "tcp"),
        ("p1", "quic"),
        ("p2", "tcp"),
        ("p3", "udp"),
        ("p4", "quic"),
    ];
    for (i, (peer, protocol)) in tuples.iter().enumerate() {
        m.streams(peer, protocol).set(i as f64 + 1.0);
    }
    let exposed = |registry: &Registry| {
        let (text, parsed) = scrape(registry);
        let mut lines: Vec<String> = lines_of(&text, "removal_streams")
            .into_iter()
            .map(str::to_string)
            .collect();
        lines.sort();
        if let Some(p) = parsed {
            let n = p
                .iter()
                .filter(|f| f.name == "removal_streams")
                .flat_map(|f| &f.samples)
                .count();
            assert_eq!(n, lines.len(), "python reads the series the text holds");
        }
        lines
    };
    assert_eq!(exposed(&registry).len(), 5);

    assert_eq!(m.remove_streams_matching(Some("p1"), None), 2);
    assert_eq!(
        exposed(&registry),
        [
            "removal_streams{peer=\"p2\",protocol=\"tcp\"} 3",
            "removal_streams{peer=\"p3\",protocol=\"udp\"} 4",
            "removal_streams{peer=\"p4\",protocol=\"quic\"} 5",
        ]
    );

    assert_eq!(m.remove_streams_matching(None, Some("tcp")), 1);
    assert_eq!(
        m.remove_streams_matching(Some("p1"), None),
        0,
        "gone already"
    );
    assert_eq!(m.remove_streams_matching(Some("p3"), Some("quic")), 0);
    assert_eq!(m.remove_streams_matching(Some("p4"), Some("quic")), 1);
    assert_eq!(
        exposed(&registry),
        ["removal_streams{peer=\"p3\",protocol=\"udp\"} 4"]
    );

    // Both values given is `remove` for one tuple; `None` everywhere removes them all.
    m.streams("p5", "tcp").set(1.0);
    assert!(m.remove_streams("p5", "tcp"));
    assert!(!m.remove_streams("p3", "tcp"));
    m.streams("p6", "tcp").set(1.0);
    assert_eq!(m.remove_streams_matching(None, None), 2);
    assert!(exposed(&registry).is_empty());

    // The family is still declared (HELP and TYPE) and takes new series.
    let (text, _) = scrape(&registry);
    assert!(text.contains("# TYPE removal_streams gauge\n"), "{text}");
    m.streams("p1", "tcp").set(2.0);
    assert_eq!(
        exposed(&registry),
        ["removal_streams{peer=\"p1\",protocol=\"tcp\"} 2"]
    );
}

#[test]
fn idle_timeout_is_in_the_descriptor() {
    let timeout = |name: &str| {
        <Links as Metrics>::FAMILIES
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("no family {name}"))
            .idle_timeout
    };
    assert_eq!(timeout("removal_streams"), Some(Duration::from_secs(90)));
    assert_eq!(
        timeout("removal_messages_total"),
        Some(Duration::from_secs(3600))
    );
    assert_eq!(timeout("removal_connected"), None);
}

#[derive(Metrics)]
#[metrics(prefix = "expiry")]
struct Sessions {
    /// Requests per client
    #[metric(counter, labels = [client], idle_timeout = "1s")]
    requests_total: Counter,
}

#[test]
fn idle_series_expire_at_a_scrape_and_active_ones_stay() {
    let registry = Registry::new();
    let m = registry.register(Sessions::new()).unwrap();
    m.requests_total("idle").inc();
    m.requests_total("active").inc();
    let family = "expiry_requests_total";
    let started = Instant::now();
    // Expiry is checked at scrapes: a series goes between `idle_timeout` and `idle_timeout`
    // plus one scrape interval after its last update.
    loop {
        std::thread::sleep(Duration::from_millis(200));
        m.requests_total("active").inc();
        let text = registry.encode(Format::Text);
        if !text.contains("client=\"idle\"") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the idle series never expired:\n{text}"
        );
    }
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "expired before its idle_timeout"
    );
    let (text, _) = scrape(&registry);
    assert!(!text.contains("client=\"idle\""), "{text}");
    assert!(
        text.contains("expiry_requests_total{client=\"active\"} "),
        "{text}"
    );
    assert_eq!(testing::value(&*m, family, &["idle"]), None);
    // Expired, it is gone like a removed series: updated again, it starts from zero.
    assert!(!m.remove_requests_total("idle"));
    m.requests_total("idle").inc();
    assert_eq!(testing::value(&*m, family, &["idle"]), Some(1.0));
    let (text, parsed) = scrape(&registry);
    assert!(
        text.contains("expiry_requests_total{client=\"idle\"} 1\n"),
        "{text}"
    );
    if let Some(p) = parsed {
        assert_eq!(find_sample(&p, family, &[("client", "idle")]), Some(1.0));
    }
}
