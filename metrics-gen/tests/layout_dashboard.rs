//! Hand-laid dashboards: rendered with what Grafana requires, laid out in order without overlap,
//! sharing the generated dashboards' data source variable, and checked against the declarations.

mod common;

use std::collections::BTreeSet;

use common::{assert_no_overlap, panels, rects, u64_of};
use promdecl::{Counter, Gauge, Histogram, Metrics};
use promdecl_gen::layout_dashboard::{self, render, Kind, Layout, Panel, Query};
use promdecl_gen::{dashboard, promql::Checker, Group, Project};
use serde_json::Value;

#[derive(Metrics)]
#[metrics(prefix = "web")]
struct Web {
    /// Requests served
    #[metric(counter, labels = [route, status = [ok, error]], max_series = 50)]
    requests_total: Counter,
    /// Request latency
    #[metric(histogram)]
    request_seconds: Histogram,
    /// Connections open now
    #[metric(gauge)]
    connections: Gauge,
}

fn project() -> Project {
    Project::new("Web", "web").group(Group::new("web", "Web").metrics::<Web>("Requests"))
}

fn layout() -> Layout {
    Layout::new("web-main", "Web - Main Dashboard")
        .description("The web tier's own dashboard.")
        .tag("web")
        .row("Traffic")
        .panel(
            Panel::new(Kind::Timeseries, "Request Rate")
                .query("rate(web_requests_total[5m])", "Requests/sec")
                .unit("ops")
                .axis_label("Requests/sec"),
        )
        .panel(
            Panel::new(Kind::Timeseries, "Error Rate")
                .target(
                    Query::new(
                        r#"sum(rate(web_requests_total{status="error"}[5m]))"#,
                        "Errors/sec",
                    )
                    .corrects(
                        r#"rate(web_requests_total{status="eror"}[5m])"#,
                        "misspelled status",
                    ),
                )
                .unit("ops"),
        )
        .panel(Panel::new(Kind::Stat, "Connections").query("web_connections", ""))
        .row("Latency")
        .panel(
            Panel::new(Kind::Timeseries, "Response Time")
                .query(
                    "histogram_quantile(0.95, rate(web_request_seconds_bucket[5m]))",
                    "95th percentile",
                )
                .query(
                    "histogram_quantile(0.50, rate(web_request_seconds_bucket[5m]))",
                    "50th percentile",
                )
                .target(
                    Query::new("rate(web_request_seconds_count[5m])", "Requests/sec").unit("ops"),
                )
                .unit("s"),
        )
        .panel(
            Panel::new(Kind::Heatmap, "Latency histogram")
                .query(
                    "sum by (le) (rate(web_request_seconds_bucket[5m]))",
                    "{{le}}",
                )
                .unit("s"),
        )
        .panel(
            Panel::new(Kind::Table, "Routes")
                .query("sum by (route) (web_requests_total)", "")
                .width(24),
        )
}

#[test]
fn dashboard_has_what_grafana_requires() {
    let board = render(&layout());
    assert_eq!(board["schemaVersion"], dashboard::SCHEMA_VERSION);
    assert_eq!(board["uid"], "web-main");
    assert_eq!(board["title"], "Web - Main Dashboard");
    assert_eq!(board["description"], "The web tier's own dashboard.");
    assert!(board["id"].is_null(), "an imported dashboard has a null id");
    assert_eq!(board["tags"], serde_json::json!(["promdecl", "web"]));
    assert_eq!(board["time"]["from"], "now-1h");
    assert!(board["annotations"]["list"].is_array());
    let file = layout_dashboard::file("web-main", &layout());
    assert_eq!(file.path, "docs/dashboards/web-main.json");
    let parsed: Value = serde_json::from_str(&file.contents).expect("the file is JSON");
    assert_eq!(parsed, board);
}

#[test]
fn only_the_generated_dashboards_data_source_variable() {
    let board = render(&layout());
    let list = board["templating"]["list"].as_array().expect("templating");
    let project = project();
    let generated = dashboard::dashboard(&project, &project.groups[0]);
    assert_eq!(list.len(), 1);
    assert_eq!(list[0], generated["templating"]["list"][0]);
    assert_eq!(list[0]["type"], "datasource");
    for p in panels(&board).iter().filter(|p| p["type"] != "row") {
        assert_eq!(p["datasource"]["type"], "prometheus", "{p}");
        assert_eq!(p["datasource"]["uid"], "${datasource}", "{p}");
        for t in p["targets"].as_array().unwrap() {
            assert_eq!(t["datasource"], p["datasource"]);
        }
    }
}

#[test]
fn every_panel_is_complete_and_in_order() {
    let board = render(&layout());
    let titles: Vec<&str> = panels(&board)
        .iter()
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Traffic",
            "Request Rate",
            "Error Rate",
            "Connections",
            "Latency",
            "Response Time",
            "Latency histogram",
            "Routes"
        ]
    );
    let mut ids = BTreeSet::new();
    for p in panels(&board) {
        assert!(ids.insert(u64_of(p, "id")), "duplicate id in {p}");
        let pos = &p["gridPos"];
        assert!(u64_of(pos, "x") + u64_of(pos, "w") <= 24, "{p}");
        u64_of(pos, "y");
        u64_of(pos, "h");
        if p["type"] == "row" {
            assert_eq!(pos["w"], 24);
            assert_eq!(pos["x"], 0);
            continue;
        }
        assert!(p["fieldConfig"]["defaults"]["unit"].is_string(), "{p}");
        let targets = p["targets"].as_array().expect("targets");
        assert!(!targets.is_empty());
        for (t, ref_id) in targets.iter().zip(["A", "B", "C"]) {
            assert_eq!(t["refId"], ref_id);
            let expr = t["expr"].as_str().expect("expr");
            promql_parser::parser::parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
            assert!(t["legendFormat"].is_string());
        }
    }
    let p = |title: &str| {
        panels(&board)
            .iter()
            .find(|p| p["title"] == title)
            .unwrap()
            .clone()
    };
    assert_eq!(p("Request Rate")["type"], "timeseries");
    assert_eq!(
        p("Request Rate")["fieldConfig"]["defaults"]["custom"]["axisLabel"],
        "Requests/sec"
    );
    let response = p("Response Time");
    assert_eq!(response["targets"][1]["legendFormat"], "50th percentile");
    // The third query's own unit overrides the panel's for its series only.
    assert_eq!(response["fieldConfig"]["defaults"]["unit"], "s");
    assert_eq!(
        response["fieldConfig"]["overrides"],
        serde_json::json!([{
            "matcher": { "id": "byFrameRefID", "options": "C" },
            "properties": [{ "id": "unit", "value": "ops" }],
        }])
    );
    assert_eq!(
        p("Request Rate")["fieldConfig"]["overrides"],
        serde_json::json!([])
    );
    assert_eq!(p("Connections")["type"], "stat");
    assert_eq!(p("Connections")["gridPos"]["w"], 6);
    let heat = p("Latency histogram");
    assert_eq!(heat["targets"][0]["format"], "heatmap");
    assert_eq!(heat["options"]["calculate"], false);
    let table = p("Routes");
    assert_eq!(table["targets"][0]["format"], "table");
    assert_eq!(table["targets"][0]["instant"], true);
}

#[test]
fn panels_follow_each_other_without_overlap() {
    let board = render(&layout());
    let rects = rects(&board);
    assert_no_overlap(&rects);
    // Reading order: each panel starts below, or on the same line to the right of, the one
    // before.
    for pair in rects.windows(2) {
        let (a, next) = (pair[0], pair[1]);
        assert!(
            next.1 > a.1 || (next.1 == a.1 && next.0 >= a.0 + a.2),
            "{a:?} {next:?}"
        );
    }
    // Two half-width panels share a line; the stat after them starts the next.
    assert_eq!(rects[1], (0, 1, 12, 8));
    assert_eq!(rects[2], (12, 1, 12, 8));
    assert_eq!(rects[3], (0, 9, 6, 8));
    // A row closes the line before it.
    assert_eq!(rects[4], (0, 17, 24, 1));
}

#[test]
fn corrections_are_in_the_panel_description() {
    let board = render(&layout());
    let error_rate = panels(&board)
        .iter()
        .find(|p| p["title"] == "Error Rate")
        .unwrap();
    assert_eq!(
        error_rate["description"],
        r#"Query A corrects the source's `rate(web_requests_total{status="eror"}[5m])`: misspelled status"#
    );
    let panel = Panel::new(Kind::Stat, "x")
        .description("Open connections.")
        .target(Query::new("b", "").corrects("a", "why"));
    assert_eq!(
        panel.full_description(),
        "Open connections.\n\nQuery A corrects the source's `a`: why"
    );
}

#[test]
fn check_names_each_problem_and_its_panel() {
    let project = project();
    let checker = Checker::new(&project);
    assert_eq!(layout().check(&checker), Ok(()));
    let bad = Layout::new("bad", "Bad")
        .panel(Panel::new(Kind::Timeseries, "").query("web_connections", ""))
        .panel(Panel::new(Kind::Stat, "Empty"))
        .panel(Panel::new(Kind::Row, "Row").query("up", ""))
        .panel(
            Panel::new(Kind::Timeseries, "Typos")
                .query("web_connections", "")
                .query(r#"rate(web_requests_total{status="eror"}[5m])"#, "")
                .query("rate(web_request_total[5m]) by (status)", ""),
        );
    let errors = bad.check(&checker).unwrap_err();
    assert_eq!(errors[0], "panel 1 has no title");
    assert_eq!(errors[1], "panel `Empty` has no query");
    assert_eq!(errors[2], "row `Row` has queries");
    assert!(
        errors[3].starts_with(
            "panel `Typos` query B: label `status` of `web_requests_total` has no value `eror`"
        ),
        "{errors:?}"
    );
    assert!(
        errors[4].starts_with("panel `Typos` query C: "),
        "{errors:?}"
    );
    assert_eq!(errors.len(), 5, "{errors:?}");
    let queries: Vec<(&str, &str)> = bad
        .queries()
        .map(|(title, q)| (title, q.expr.as_str()))
        .collect();
    assert_eq!(queries[0], ("", "web_connections"));
    assert_eq!(queries.len(), 5);
    assert_eq!(layout().queries().count(), 8);
}

#[test]
fn uid_is_cleaned_like_a_generated_one() {
    let board = render(&Layout::new("web / main", "Web"));
    assert_eq!(board["uid"], dashboard::uid("web / main"));
    assert_eq!(board["uid"], "web---main");
}
