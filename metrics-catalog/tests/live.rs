//! The five systems as they would run: one demo process per system, scraped by a real
//! Prometheus with the generated scrape configuration (one job per system, as the documents
//! name them) and every generated rule file. Bounded in time, loopback only, every process
//! stopped by PID.
//!
//! Asserts: every target up; every valid query of the documents returns data; every rule
//! evaluates without error, the SLO rules included, and the bridge's SLO error ratio is
//! recorded; and the scraped data is sane: the election state is one-hot, no ratio leaves
//! [0, 1] and no percentage [0, 100], no counter resets between scrapes, and the series count
//! holds still.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{free_port, Child, Prometheus, Scratch};
use promdecl::Kind;
use promdecl_catalog::SYSTEMS;

/// Everything must have happened within this long after Prometheus is up.
const DEADLINE: Duration = Duration::from_secs(120);

/// Starts the demo serving `system` alone on `port`.
fn demo(system: &str, port: u16) -> Child {
    Child(
        Command::new(env!("CARGO_BIN_EXE_promdecl-demo"))
            .args(["--system", system, "--listen", &format!("127.0.0.1:{port}")])
            .args(["--workload-ms", "200"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the demo starts"),
    )
}

/// The generated project with each system's job pointed at its process and every interval at
/// one second, so the test sees several scrapes and evaluations within seconds.
fn project(ports: &[(&str, u16)]) -> promdecl_gen::Project {
    let mut project = promdecl_catalog::project()
        .scrape_interval("1s")
        .evaluation_interval("1s");
    for group in &mut project.groups {
        if let Some(job) = &mut group.job {
            let port = ports.iter().find(|(s, _)| *s == group.name).map(|p| p.1);
            job.targets = vec![format!("127.0.0.1:{}", port.expect("a port per system"))];
            job.scrape_interval = Some("1s".into());
            job.scrape_timeout = Some("1s".into());
        }
    }
    project
}

/// `name_a|name_b|...`: the exposed names of a system's counters and histogram counts.
fn monotonic_names(system: &promdecl_catalog::System) -> String {
    let names: Vec<String> = system
        .families()
        .iter()
        .filter_map(|f| match f.kind {
            Kind::Counter => Some(f.name.to_string()),
            Kind::Histogram => Some(format!("{}_count", f.name)),
            _ => None,
        })
        .collect();
    names.join("|")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_systems_run_against_a_real_prometheus() {
    if !tests::require_tool("prometheus", "apt-get install -y prometheus") {
        return;
    }
    let ports: Vec<(&str, u16)> = SYSTEMS.iter().map(|s| (s.name, free_port())).collect();
    let _demos: Vec<Child> = ports.iter().map(|(s, p)| demo(s, *p)).collect();

    let scratch = Scratch::new("live");
    let project = project(&ports);
    let jobs: Vec<String> = project
        .groups
        .iter()
        .map(|g| project.job_of(g).to_string())
        .collect();
    promdecl_gen::write(&scratch.0, &promdecl_gen::generate(&project)).unwrap();
    let docs = scratch.0.join("docs");
    let prometheus = Prometheus::start(&docs).await;
    let deadline = Instant::now() + DEADLINE;

    // Every target up.
    let all_up = format!("count(up == 1) == {}", jobs.len());
    assert!(
        prometheus.eventually(&all_up, deadline).await,
        "not every target is up: {:?}",
        prometheus.query("up").await
    );

    // Every valid query of the documents returns data.
    let queries = promdecl_catalog::queries::all_queries();
    let mut missing: Vec<_> = queries.iter().collect();
    while !missing.is_empty() && Instant::now() < deadline {
        let mut still = Vec::new();
        for q in missing {
            if prometheus.query(q.1.expr).await.is_empty() {
                still.push(q);
            }
        }
        missing = still;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let missing: Vec<String> = missing
        .iter()
        .map(|(s, q)| format!("{s}: {} = {}", q.title, q.expr))
        .collect();
    assert!(missing.is_empty(), "no data for:\n{}", missing.join("\n"));
    eprintln!("{} document queries returned data", queries.len());

    // Every rule evaluated, without error.
    let mut problems = Vec::new();
    while Instant::now() < deadline {
        let rules = prometheus.api("rules", &[]).await;
        problems = rules["groups"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|g| g["rules"].as_array().cloned().unwrap_or_default())
            .filter(|r| r["health"] != "ok")
            .map(|r| format!("{}: {} {}", r["name"], r["health"], r["lastError"]))
            .collect();
        if problems.is_empty() && !rules["groups"].as_array().is_none_or(Vec::is_empty) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(problems.is_empty(), "rules:\n{}", problems.join("\n"));

    // The SLO rule groups are among them, and the bridge's error ratio is recorded.
    let rules = prometheus.api("rules", &[]).await;
    let slo_groups = rules["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|g| g["name"].as_str().is_some_and(|n| n.starts_with("slo-")))
        .count();
    let slos: usize = project.groups.iter().map(|g| g.slos.len()).sum();
    assert!(
        slos > 0 && slo_groups == slos,
        "{slo_groups} SLO rule groups of {slos}"
    );
    let ratio = r#"slo:sli_error:ratio_rate5m{slo="bridge-latency-p95"}"#;
    assert!(
        prometheus.eventually(ratio, deadline).await,
        "no data for {ratio}"
    );

    // Sane data. One-hot: each CHORUS node is in exactly one election state.
    let not_one_hot = "sum by (instance) (chorus_election_state) != 1";
    assert!(
        prometheus.query(not_one_hot).await.is_empty(),
        "{not_one_hot}"
    );
    for system in SYSTEMS {
        for f in system.families() {
            let out_of_range = if f.unit == Some("ratio") || f.name.ends_with("_ratio") {
                format!("{0} < 0 or {0} > 1", f.name)
            } else if f.name.contains("percent") {
                format!("{0} < 0 or {0} > 100", f.name)
            } else {
                continue;
            };
            let found = prometheus.query(&out_of_range).await;
            assert!(found.is_empty(), "{out_of_range}: {found:?}");
        }
    }
    let series = |jobs: &[String]| format!("count({{job=~\"{}\"}})", jobs.join("|"));
    let count = |r: Vec<serde_json::Value>| -> f64 {
        r.first()
            .and_then(|s| s["value"][1].as_str())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0)
    };
    let before = count(prometheus.query(&series(&jobs)).await);
    tokio::time::sleep(Duration::from_secs(10)).await;
    for system in SYSTEMS {
        let resets = format!(
            "resets({{__name__=~\"{}\"}}[1m]) > 0",
            monotonic_names(system)
        );
        let found = prometheus.query(&resets).await;
        assert!(
            found.is_empty(),
            "{}: counters went back: {found:?}",
            system.name
        );
    }
    let after = count(prometheus.query(&series(&jobs)).await);
    eprintln!("series scraped: {before} then {after} ten seconds later");
    assert!(before > 1000.0, "{before} series");
    assert!(
        (after - before).abs() / before < 0.05,
        "series count moved from {before} to {after}"
    );
}
