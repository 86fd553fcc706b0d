//! The documents' own dashboards: every query valid against the catalog, every panel titled,
//! the JSON complete for Grafana, uids and paths unique beside the generated dashboards, and
//! the panels the documents list, in their order.

use std::collections::BTreeSet;

use promdecl_catalog::dashboards::{document_dashboard_files, document_dashboards};
use promdecl_catalog::project;
use promdecl_gen::layout_dashboard::Layout;
use promdecl_gen::{dashboard, promql::Checker};
use serde_json::Value;

fn u64_of(v: &Value, key: &str) -> u64 {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} of {v} is not a number"))
}

fn layout(uid: &str) -> Layout {
    document_dashboards()
        .into_iter()
        .map(|(_, d)| d)
        .find(|d| d.uid == uid)
        .unwrap_or_else(|| panic!("no document dashboard {uid}"))
}

fn titles(layout: &Layout) -> Vec<&str> {
    layout.panels.iter().map(|p| p.title.as_str()).collect()
}

#[test]
fn every_query_is_valid_against_the_catalog() {
    let project = project();
    let checker = Checker::new(&project);
    let mut errors = Vec::new();
    for (system, d) in document_dashboards() {
        if let Err(e) = d.check(&checker) {
            errors.extend(e.into_iter().map(|e| format!("{system} `{}`: {e}", d.uid)));
        }
    }
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn every_correction_keeps_the_documents_text_and_the_reason() {
    let project = project();
    let checker = Checker::new(&project);
    let mut corrected = Vec::new();
    for (_, d) in document_dashboards() {
        for p in &d.panels {
            for q in &p.queries {
                let Some(c) = &q.correction else { continue };
                assert_ne!(c.original.trim(), q.expr.trim(), "{}", p.title);
                assert!(!c.why.trim().is_empty(), "{}", p.title);
                let description = p.full_description();
                assert!(description.contains(c.original.trim()), "{description}");
                assert!(description.contains(c.why.trim()), "{description}");
                // A correction that is not a syntax fix keeps the document's labels and names.
                if promdecl_gen::promql::selectors(&c.original).is_ok() {
                    checker.check_expr(&c.original).unwrap_or_else(|e| {
                        panic!("{}: the original {} fails: {e:?}", p.title, c.original)
                    });
                }
                corrected.push(format!("{} / {}", d.uid, p.title));
            }
        }
    }
    assert_eq!(
        corrected,
        [
            "chorus-example-queries / DHT operation success rate",
            "chorus-example-queries / Task success rate",
            "zerostate-economic-task-execution / Task error rate by type",
            "zerostate-economic-task-execution / Auction creation rate",
            "zerostate-reputation / Reputation score distribution",
            "zerostate-reputation / Task execution volume by agent",
        ]
    );
}

#[test]
fn files_are_complete_grafana_dashboards() {
    let files = document_dashboard_files();
    let dashboards = document_dashboards();
    assert_eq!(files.len(), dashboards.len());
    for (file, (system, d)) in files.iter().zip(&dashboards) {
        assert_eq!(file.path, format!("docs/dashboards/{}.json", d.uid));
        assert!(file.contents.ends_with("}\n"));
        let board: Value = serde_json::from_str(&file.contents).expect("JSON");
        assert_eq!(board["schemaVersion"], dashboard::SCHEMA_VERSION);
        assert!(board["id"].is_null(), "an imported dashboard has a null id");
        assert_eq!(board["uid"], d.uid.as_str());
        assert_eq!(board["title"], d.title.as_str());
        assert!(board["description"].as_str().is_some_and(|s| !s.is_empty()));
        let tags = board["tags"].as_array().expect("tags");
        assert!(tags.contains(&Value::from(*system)), "{tags:?}");
        assert_eq!(board["time"]["from"], "now-1h");
        let variables = board["templating"]["list"].as_array().expect("templating");
        assert_eq!(variables.len(), 1);
        assert_eq!(variables[0]["type"], "datasource");
        assert_eq!(variables[0]["query"], "prometheus");
        let panels = board["panels"].as_array().expect("panels");
        assert_eq!(panels.len(), d.panels.len());
        let mut ids = BTreeSet::new();
        let mut rects = Vec::new();
        for p in panels {
            assert!(ids.insert(u64_of(p, "id")), "duplicate id in {}", d.uid);
            assert!(p["title"].as_str().is_some_and(|t| !t.is_empty()), "{p}");
            let g = &p["gridPos"];
            let rect = (
                u64_of(g, "x"),
                u64_of(g, "y"),
                u64_of(g, "w"),
                u64_of(g, "h"),
            );
            assert!(rect.0 + rect.2 <= 24, "{p}");
            rects.push(rect);
            if p["type"] == "row" {
                continue;
            }
            let kind = p["type"].as_str().expect("type");
            assert!(
                ["timeseries", "stat", "gauge", "table", "heatmap"].contains(&kind),
                "{kind}"
            );
            assert_eq!(p["datasource"]["uid"], "${datasource}", "{p}");
            assert!(p["fieldConfig"]["defaults"]["unit"].is_string(), "{p}");
            assert!(p["description"].as_str().is_some(), "{p}");
            let targets = p["targets"].as_array().expect("targets");
            assert!(!targets.is_empty(), "{p}");
            let mut ref_ids = BTreeSet::new();
            for t in targets {
                assert!(ref_ids.insert(t["refId"].as_str().expect("refId")), "{p}");
                let expr = t["expr"].as_str().expect("expr");
                promdecl_gen::promql::selectors(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
                assert!(t["legendFormat"].is_string(), "{t}");
                assert_eq!(t["datasource"], p["datasource"]);
            }
        }
        for (i, a) in rects.iter().enumerate() {
            for b in &rects[i + 1..] {
                let apart =
                    a.0 + a.2 <= b.0 || b.0 + b.2 <= a.0 || a.1 + a.3 <= b.1 || b.1 + b.3 <= a.1;
                assert!(apart, "{}: {a:?} overlaps {b:?}", d.uid);
            }
        }
    }
}

#[test]
fn uids_and_paths_are_unique_beside_the_generated_dashboards() {
    let project = project();
    let generated = dashboard::files(&project);
    let mut uids = BTreeSet::new();
    let mut paths = BTreeSet::new();
    for f in &generated {
        let board: Value = serde_json::from_str(&f.contents).unwrap();
        assert!(uids.insert(board["uid"].as_str().unwrap().to_string()));
        assert!(paths.insert(f.path.clone()));
    }
    for (system, d) in document_dashboards() {
        assert!(d.uid.starts_with(&format!("{system}-")), "{}", d.uid);
        assert_eq!(
            dashboard::uid(&d.uid),
            d.uid,
            "a uid Grafana takes as it is"
        );
        assert!(uids.insert(d.uid.clone()), "duplicate uid {}", d.uid);
    }
    for f in document_dashboard_files() {
        assert!(paths.insert(f.path.clone()), "duplicate path {}", f.path);
    }
    let systems: BTreeSet<&str> = document_dashboards().iter().map(|(s, _)| *s).collect();
    assert_eq!(
        systems,
        BTreeSet::from(["bridge", "chorus", "x0tta6bl4", "zerostate"])
    );
}

#[test]
fn bridge_dashboards_are_the_documents_panel_for_panel() {
    let main = layout("bridge-main");
    assert_eq!(main.title, "Chorus Bridge - Main Dashboard");
    assert_eq!(
        titles(&main),
        [
            "Request Rate",
            "Error Rate",
            "Response Time",
            "Conductor Health",
            "Circuit Breaker Status",
            "Database Connections"
        ]
    );
    let queries: Vec<(&str, &str)> = main
        .queries()
        .map(|(_, q)| (q.expr.as_str(), q.legend.as_str()))
        .collect();
    assert_eq!(
        queries,
        [
            ("rate(bridge_events_received_total[5m])", "Events/sec"),
            ("rate(bridge_events_failed_total[5m])", "Errors/sec"),
            (
                "histogram_quantile(0.95, rate(bridge_request_duration_seconds_bucket[5m]))",
                "95th percentile"
            ),
            (
                "histogram_quantile(0.50, rate(bridge_request_duration_seconds_bucket[5m]))",
                "50th percentile"
            ),
            ("rate(bridge_conductor_requests_total[5m])", "Requests/sec"),
            (
                "histogram_quantile(0.95, rate(bridge_conductor_latency_seconds_bucket[5m]))",
                "95th percentile latency"
            ),
            (
                "bridge_conductor_circuit_breaker_state",
                "{{client_type}} - {{endpoint}}"
            ),
            ("bridge_database_connections_active", "Active connections"),
            ("bridge_database_connections_idle", "Idle connections"),
        ]
    );
    let axis: Vec<Option<&str>> = main
        .panels
        .iter()
        .map(|p| p.axis_label.as_deref())
        .collect();
    assert_eq!(
        axis,
        [
            Some("Requests/sec"),
            Some("Errors/sec"),
            Some("Seconds"),
            None,
            None,
            None
        ]
    );
    let security = layout("bridge-security");
    assert_eq!(security.title, "Chorus Bridge - Security Dashboard");
    assert_eq!(
        titles(&security),
        [
            "Authentication Failures",
            "Rate Limit Violations",
            "Signature Verification Failures",
            "Blacklist Size",
            "Trust Store Size"
        ]
    );
    assert!(security.queries().all(|(_, q)| q.correction.is_none()));
}

#[test]
fn x0tta6bl4_dashboards_have_the_panels_the_document_recommends() {
    let expect: [(&str, [&str; 4]); 5] = [
        (
            "x0tta6bl4-mapek-health",
            [
                "Cycle duration (p50, p95, p99)",
                "Cycles per minute",
                "Anomalies detected",
                "Recovery actions executed",
            ],
        ),
        (
            "x0tta6bl4-ml-performance",
            [
                "GraphSAGE inference latency",
                "Model accuracy trend",
                "RAG retrieval performance",
                "Training loss progression",
            ],
        ),
        (
            "x0tta6bl4-mesh-network",
            [
                "Active nodes",
                "Connection count",
                "Packet loss ratio",
                "Latency histogram",
            ],
        ),
        (
            "x0tta6bl4-system-health",
            [
                "Error rates",
                "Request latency",
                "Memory usage",
                "CPU usage",
            ],
        ),
        (
            "x0tta6bl4-security",
            [
                "Threat alerts",
                "Suspect nodes",
                "Byzantine detections",
                "SPIFFE SVID issuance",
            ],
        ),
    ];
    let got: Vec<(String, Vec<String>)> = document_dashboards()
        .into_iter()
        .filter(|(s, _)| *s == "x0tta6bl4")
        .map(|(_, d)| {
            let titles = titles(&d).into_iter().map(String::from).collect();
            (d.uid, titles)
        })
        .collect();
    let expect: Vec<(String, Vec<String>)> = expect
        .iter()
        .map(|(u, t)| (u.to_string(), t.iter().map(|t| t.to_string()).collect()))
        .collect();
    assert_eq!(got, expect);
    // The document's own queries are used verbatim where it gives one.
    let all: Vec<String> = document_dashboards()
        .iter()
        .flat_map(|(_, d)| d.queries().map(|(_, q)| q.expr.clone()).collect::<Vec<_>>())
        .collect();
    for verbatim in [
        promdecl_catalog::x0tta6bl4::dashboards::PHASE_PERFORMANCE,
        "1 - x0tta6bl4_mesh_packet_loss_ratio",
        "x0tta6bl4_graphsage_model_accuracy",
        r#"rate(x0tta6bl4_requests_total{status=~"5.."}[5m])"#,
    ] {
        assert!(all.iter().any(|q| q == verbatim), "{verbatim}");
    }
}

#[test]
fn chorus_and_zerostate_dashboards_hold_their_query_examples() {
    let chorus = layout("chorus-example-queries");
    let rows: Vec<&str> = chorus
        .panels
        .iter()
        .filter(|p| p.queries.is_empty())
        .map(|p| p.title.as_str())
        .collect();
    assert_eq!(
        rows,
        [
            "P2P Network Health",
            "DHT Performance",
            "Election Stability",
            "Task Management",
            "Resource Utilization",
            "System Health"
        ]
    );
    assert_eq!(chorus.queries().count(), 18);
    // PromQL reads `#` to the end of the line as a comment, as the document's query has it.
    assert!(chorus
        .queries()
        .any(|(_, q)| q.expr.ends_with("# Convert to GB")));
    let zerostate: Vec<(String, usize)> = document_dashboards()
        .into_iter()
        .filter(|(s, _)| *s == "zerostate")
        .map(|(_, d)| (d.uid.clone(), d.queries().count()))
        .collect();
    assert_eq!(
        zerostate,
        [
            ("zerostate-economic-task-execution".to_string(), 6),
            ("zerostate-payment-channels".to_string(), 3),
            ("zerostate-reputation".to_string(), 3),
            ("zerostate-system-health".to_string(), 9),
        ]
    );
}
