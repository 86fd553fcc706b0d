//! The generated dashboard, checked field by field against what Grafana requires of a dashboard,
//! its variables, panels and targets.

mod common;

use std::collections::BTreeSet;

use common::{assert_no_overlap, panels, rects, u64_of};
use promdecl::{Counter, Gauge, Histogram, Info, LabelValue, Metrics};
use promdecl_gen::{dashboard, Group, Project};
use serde_json::Value;

/// Outcome of a request.
#[derive(Debug, Clone, Copy, LabelValue)]
pub enum Status {
    Ok,
    Error,
}

#[derive(Metrics)]
#[metrics(prefix = "web")]
struct Requests {
    /// Requests served, by route and status
    #[metric(counter, labels = [route, status: Status], max_series = 50)]
    requests_total: Counter,
    /// Bytes sent
    #[metric(counter)]
    sent_bytes_total: Counter,
    /// Request latency
    #[metric(histogram, labels = [method = [get, put], status: Status])]
    request_seconds: Histogram,
    /// Response sizes
    #[metric(histogram, buckets = promdecl::buckets::SIZE, unit = "bytes")]
    response_size_bytes: Histogram,
}

#[derive(Metrics)]
#[metrics(prefix = "web")]
struct State {
    /// Connections open now
    #[metric(gauge, note = "sampled once a second")]
    connections: Gauge,
    /// How full each queue is
    #[metric(gauge, labels = [queue = [high, low]])]
    queue_fill_ratio: Gauge,
    /// Entries per cache
    #[metric(gauge, labels = [cache], max_series = 20)]
    cache_entries: Gauge,
    /// Build information
    #[metric(info, labels = [version])]
    build_info: Info,
}

fn project() -> Project {
    Project::new("Web", "web").group(
        Group::new("web", "Web service")
            .intro("The web tier.")
            .metrics::<Requests>("Requests")
            .metrics::<State>("State"),
    )
}

fn board() -> Value {
    let project = project();
    dashboard::dashboard(&project, &project.groups[0])
}

fn panel<'a>(board: &'a Value, title: &str) -> &'a Value {
    panels(board)
        .iter()
        .find(|p| p["title"] == title)
        .unwrap_or_else(|| panic!("no panel titled {title}"))
}

fn exprs(panel: &Value) -> Vec<&str> {
    panel["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .map(|t| t["expr"].as_str().expect("expr"))
        .collect()
}

/// The Grafana unit of a panel's values.
fn unit(panel: &Value) -> &str {
    panel["fieldConfig"]["defaults"]["unit"]
        .as_str()
        .unwrap_or_else(|| panic!("no unit in {panel}"))
}

/// A panel's type and unit.
fn shown(panel: &Value) -> (&str, &str) {
    (panel["type"].as_str().unwrap_or_default(), unit(panel))
}

#[test]
fn dashboard_has_what_grafana_requires() {
    let board = board();
    assert_eq!(board["schemaVersion"], 39);
    assert_eq!(board["title"], "Web service");
    let uid = board["uid"].as_str().expect("uid");
    assert_eq!(uid, "web");
    assert!(board["id"].is_null(), "an imported dashboard has a null id");
    assert_eq!(board["time"]["from"], "now-1h");
    assert_eq!(board["time"]["to"], "now");
    assert!(board["tags"].as_array().is_some());
    // One file per group.
    let files = dashboard::files(&project());
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].path, "docs/dashboards/web.json");
    let parsed: Value = serde_json::from_str(&files[0].contents).expect("the file is JSON");
    assert_eq!(parsed, board);
}

#[test]
fn uid_is_stable_short_and_url_safe() {
    assert_eq!(dashboard::uid("web"), dashboard::uid("web"));
    let long = "a group name far longer than forty characters / with slashes";
    let uid = dashboard::uid(long);
    assert!(uid.len() <= 40, "{uid}");
    assert_eq!(uid, dashboard::uid(long));
    assert_ne!(uid, dashboard::uid(&format!("{long}!")));
    assert!(uid
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
}

#[test]
fn variables_datasource_job_instance_and_one_per_enumerated_label() {
    let board = board();
    let list = board["templating"]["list"].as_array().expect("templating");
    let names: Vec<&str> = list.iter().map(|v| v["name"].as_str().unwrap()).collect();
    // `route` and `cache` are free-form: no variable. `status` is shared: one variable.
    assert_eq!(
        names,
        ["datasource", "job", "instance", "status", "method", "queue"]
    );
    assert_eq!(list[0]["type"], "datasource");
    assert_eq!(list[0]["query"], "prometheus");
    assert_eq!(list[1]["query"], "label_values(up, job)");
    assert_eq!(list[1]["current"]["value"], "web");
    assert_eq!(
        list[2]["query"],
        r#"label_values(up{job="$job"}, instance)"#
    );
    for v in &list[1..] {
        assert_eq!(v["type"], "query", "{v}");
        assert_eq!(v["datasource"]["uid"], "${datasource}");
    }
    for v in &list[2..] {
        assert_eq!(v["multi"], true);
        assert_eq!(v["includeAll"], true);
        assert_eq!(v["allValue"], ".*");
        let query = v["query"].as_str().unwrap();
        let inner = query
            .strip_prefix("label_values(")
            .and_then(|q| q.strip_suffix(&format!(", {})", v["name"].as_str().unwrap())))
            .unwrap_or_else(|| panic!("{query} is not label_values(<selector>, <label>)"));
        promql_parser::parser::parse(inner).unwrap_or_else(|e| panic!("{inner}: {e}"));
    }
    assert_eq!(
        list[3]["query"],
        r#"label_values(web_requests_total{job=~"$job",instance=~"$instance"}, status)"#
    );
    // A histogram's labels are read off one of its samples, not its bare name.
    assert_eq!(
        list[4]["query"],
        r#"label_values(web_request_seconds_count{job=~"$job",instance=~"$instance"}, method)"#
    );
}

#[test]
fn every_panel_is_complete() {
    let board = board();
    let mut ids = BTreeSet::new();
    for p in panels(&board) {
        let id = u64_of(p, "id");
        assert!(ids.insert(id), "duplicate panel id {id}");
        assert!(p["type"].is_string() && p["title"].is_string(), "{p}");
        let pos = &p["gridPos"];
        for key in ["h", "w", "x", "y"] {
            u64_of(pos, key);
        }
        assert!(u64_of(pos, "x") + u64_of(pos, "w") <= 24, "{p}");
        if p["type"] == "row" {
            assert_eq!(pos["w"], 24);
            continue;
        }
        assert_eq!(p["datasource"]["type"], "prometheus", "{p}");
        assert_eq!(p["datasource"]["uid"], "${datasource}", "{p}");
        assert!(p["description"].as_str().is_some_and(|d| !d.is_empty()));
        assert!(!unit(p).is_empty());
        let targets = p["targets"].as_array().expect("targets");
        assert!(!targets.is_empty());
        let mut ref_ids = BTreeSet::new();
        for t in targets {
            let ref_id = t["refId"].as_str().expect("refId");
            assert!(ref_ids.insert(ref_id), "duplicate refId {ref_id} in {p}");
            let expr = t["expr"].as_str().expect("expr");
            // Grafana substitutes `$__rate_interval`; variables in strings parse as they are.
            let concrete = expr.replace("$__rate_interval", "5m");
            promql_parser::parser::parse(&concrete).unwrap_or_else(|e| panic!("{expr}: {e}"));
            assert!(expr.contains(r#"job=~"$job""#), "{expr}");
            assert!(expr.contains(r#"instance=~"$instance""#), "{expr}");
        }
    }
}

#[test]
fn panels_do_not_overlap() {
    let board = board();
    assert_no_overlap(&rects(&board));
}

#[test]
fn one_row_per_section_before_its_panels() {
    let board = board();
    let all = panels(&board);
    let rows: Vec<&str> = all
        .iter()
        .filter(|p| p["type"] == "row")
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    assert_eq!(rows, ["Requests", "State"]);
    let row_of = |title: &str| {
        let i = all.iter().position(|p| p["title"] == title).unwrap();
        all[..i]
            .iter()
            .rev()
            .find(|p| p["type"] == "row")
            .map(|p| p["title"].as_str().unwrap())
    };
    assert_eq!(row_of("web_requests_total (Requests)"), Some("Requests"));
    assert_eq!(row_of("web_build_info (State)"), Some("State"));
    // A row lies above every panel after it.
    let state_row = panel(&board, "State");
    let below = panel(&board, "web_connections (State)");
    assert!(u64_of(&below["gridPos"], "y") > u64_of(&state_row["gridPos"], "y"));
}

#[test]
fn counters_are_rates_summed_by_enumerated_labels() {
    let board = board();
    let p = panel(&board, "web_requests_total (Requests)");
    assert_eq!(shown(p), ("timeseries", "ops"));
    assert_eq!(
        exprs(p),
        [
            r#"sum by (status) (rate(web_requests_total{job=~"$job",instance=~"$instance",status=~"$status"}[$__rate_interval]))"#
        ]
    );
    let bytes = panel(&board, "web_sent_bytes_total (Requests)");
    assert_eq!(unit(bytes), "Bps");
    assert!(exprs(bytes)[0].starts_with("sum(rate(web_sent_bytes_total{"));
}

#[test]
fn histograms_have_quantiles_rate_and_heatmap() {
    let board = board();
    let titles =
        dashboard::panel_titles(promdecl::Kind::Histogram, "web_request_seconds", "Requests");
    assert_eq!(
        titles,
        [
            "web_request_seconds (Requests)",
            "web_request_seconds rate (Requests)",
            "web_request_seconds buckets (Requests)"
        ]
    );
    let q = panel(&board, &titles[0]);
    assert_eq!(shown(q), ("timeseries", "s"));
    let legends: Vec<&str> = q["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["legendFormat"].as_str().unwrap())
        .collect();
    assert_eq!(
        legends,
        [
            "p50 {{method}} {{status}}",
            "p90 {{method}} {{status}}",
            "p99 {{method}} {{status}}"
        ]
    );
    for (expr, q) in exprs(q).iter().zip(["0.5", "0.9", "0.99"]) {
        assert!(
            expr.starts_with(&format!("histogram_quantile({q}, sum by (le, method, status) (rate(web_request_seconds_bucket{{")),
            "{expr}"
        );
    }
    let rate = panel(&board, &titles[1]);
    assert!(exprs(rate)[0].contains("rate(web_request_seconds_count{"));
    let heat = panel(&board, &titles[2]);
    assert_eq!(heat["type"], "heatmap");
    assert_eq!(heat["targets"][0]["format"], "heatmap");
    assert!(exprs(heat)[0].starts_with("sum by (le) (rate(web_request_seconds_bucket{"));
    assert_eq!(heat["options"]["calculate"], false);
    // A histogram in bytes charts bytes.
    let size = panel(&board, "web_response_size_bytes (Requests)");
    assert_eq!(unit(size), "bytes");
    assert_eq!(
        panel(&board, "web_response_size_bytes buckets (Requests)")["type"],
        "heatmap"
    );
}

#[test]
fn gauges_show_current_values_with_their_unit() {
    let board = board();
    let stat = panel(&board, "web_connections (State)");
    // The description is the HELP text, then the note.
    let description = stat["description"].as_str().unwrap_or_default();
    assert_eq!(description, "Connections open now\n\nsampled once a second");
    assert_eq!(shown(stat), ("stat", "short"));
    let ratio = panel(&board, "web_queue_fill_ratio (State)");
    assert_eq!(shown(ratio), ("timeseries", "percentunit"));
    assert_eq!(
        exprs(ratio),
        [r#"web_queue_fill_ratio{job=~"$job",instance=~"$instance",queue=~"$queue"}"#]
    );
    // Free-form labels may hold many series: the panel shows the top ones.
    let entries = panel(&board, "web_cache_entries (State)");
    assert!(exprs(entries)[0].starts_with("topk("));
}

#[test]
fn info_is_an_instant_table() {
    let board = board();
    let p = panel(&board, "web_build_info (State)");
    assert_eq!(p["type"], "table");
    let t = &p["targets"][0];
    assert_eq!(t["format"], "table");
    assert_eq!(t["instant"], true);
    assert_eq!(t["range"], false);
}
