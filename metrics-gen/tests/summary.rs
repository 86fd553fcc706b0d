//! Summaries in the generators: the checker knows their samples and their `quantile` label,
//! and the reference, dashboard and example queries chart them.

use promdecl::{Metrics, Summary};
use promdecl_gen::promql::{check, Checker};
use promdecl_gen::{Alert, Group, Project, RuleGroup};

#[derive(Metrics)]
#[metrics(prefix = "batch")]
struct Jobs {
    /// Job durations
    #[metric(summary, labels = [queue = [fast, slow]], quantiles = [0.5, 0.99], max_age = "5m")]
    job_seconds: Summary,
}

fn project(alert: Option<Alert>) -> Project {
    let mut group = Group::new("batch", "Batch").metrics::<Jobs>("Jobs");
    if let Some(alert) = alert {
        group = group.rules(RuleGroup::new("batch").alert(alert));
    }
    Project::new("Batch", "batch").group(group)
}

#[test]
fn summary_samples_and_the_quantile_label_are_known() {
    let p = project(None);
    let checker = Checker::new(&p);
    for expr in [
        r#"batch_job_seconds{queue="slow",quantile="0.99"} > 30"#,
        r#"rate(batch_job_seconds_sum[5m]) / rate(batch_job_seconds_count[5m])"#,
        r#"max by (queue, quantile) (batch_job_seconds)"#,
    ] {
        checker
            .check_expr(expr)
            .unwrap_or_else(|e| panic!("{expr}: {e:?}"));
    }
    // `quantile` is on the quantile samples only; `le` on none; `_bucket` does not exist.
    for expr in [
        r#"batch_job_seconds_count{quantile="0.99"}"#,
        r#"batch_job_seconds{le="1.0"}"#,
        r#"batch_job_seconds_bucket"#,
        r#"batch_job_seconds{queue="medium"}"#,
    ] {
        assert!(checker.check_expr(expr).is_err(), "{expr} passed");
    }
}

#[test]
fn generated_queries_chart_the_declared_quantiles_and_pass_the_checker() {
    let alert = Alert::new("SlowJobs")
        .expr(r#"max(batch_job_seconds{quantile="0.99"}) > 60"#)
        .label("severity", "ticket");
    let p = project(Some(alert));
    // Rules, example queries and dashboard queries alike.
    check(&p).unwrap_or_else(|e| panic!("{e:?}"));
    let board = promdecl_gen::dashboard::dashboard(&p, &p.groups[0]);
    let exprs: Vec<String> = board["panels"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|panel| panel["targets"].as_array().cloned().unwrap_or_default())
        .map(|t| t["expr"].as_str().unwrap().to_string())
        .collect();
    for q in ["0.5", "0.99"] {
        let want = format!("quantile=\"{q}\"");
        assert!(exprs.iter().any(|e| e.contains(&want)), "{want}: {exprs:?}");
    }
    assert!(
        exprs
            .iter()
            .any(|e| e.contains("rate(batch_job_seconds_count")),
        "{exprs:?}"
    );
    let page = promdecl_gen::markdown::page(&p, &p.groups[0]);
    assert!(
        page.contains("- **Quantiles:** 0.5, 0.99 over the last 300 s (in 5 age buckets)"),
        "{page}"
    );
    assert!(
        page.contains("batch_job_seconds{quantile=\"0.99\"}"),
        "{page}"
    );
}
