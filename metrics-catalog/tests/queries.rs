//! The seed documents' PromQL queries (`promdecl_catalog::queries`): every expression parses
//! (with `promql-parser` and with Prometheus's own parser, through promtool) and reads only
//! declared families, labels and values; every correction is needed; the generated pages
//! `docs/queries/<system>.md` are committed and fresh.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::Scratch;
use promdecl_catalog::queries::{self, all_queries, Query};
use promdecl_catalog::{project, REGENERATE, SYSTEMS};
use promdecl_gen::promql::Checker;

/// The repository root, which `docs/` is under.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `s` (one line) as a single-quoted YAML scalar.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// `expr` as a YAML literal block whose lines are indented by `indent` spaces: its text exactly,
/// line breaks and comments included.
fn block(expr: &str, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let lines: Vec<String> = expr.lines().map(|l| format!("{pad}{l}")).collect();
    format!("|-\n{}", lines.join("\n"))
}

/// A rule file recording each of `exprs` (named `query:<i>`), for `promtool check rules`.
fn rule_file(exprs: &[&str]) -> String {
    let mut yaml = String::from("groups:\n- name: queries\n  rules:\n");
    for (i, expr) in exprs.iter().enumerate() {
        yaml += &format!("  - record: query:{i}\n    expr: {}\n", block(expr, 6));
    }
    yaml
}

#[test]
fn every_query_parses_and_reads_only_declared_names() {
    let project = project();
    let checker = Checker::new(&project);
    let mut errors = Vec::new();
    for (system, q) in all_queries() {
        if let Err(e) = checker.check_expr(q.expr) {
            errors.push(format!("{system} `{}`: {}", q.title, e.join("; ")));
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn every_query_parses_in_prometheus() {
    if !tests::require_tool("promtool", "apt-get install -y prometheus") {
        return;
    }
    let exprs: Vec<&str> = all_queries().iter().map(|(_, q)| q.expr).collect();
    let dir = Scratch::new("queries-parse");
    let path = dir.write("queries.rules.yml", &rule_file(&exprs));
    let Some((ok, out)) = tests::promtool(&["check", "rules", &path]) else {
        return;
    };
    assert!(ok, "{out}");
}

/// The corrections whose original is valid PromQL over declared names but computes the wrong
/// thing, each shown by evaluating both forms with promtool on input where they differ:
/// `(system, title, input series and values, original's samples, corrected form's samples)`,
/// one sample per `(labels, value)`, read at 5m with input every 30s.
type Evaluated = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static [(&'static str, f64)],
    &'static [(&'static str, f64)],
);

/// 75% of operations succeed: the document's success ratios say 1 (each success series divided
/// by itself), the corrected ones 0.75.
const EVALUATED: &[Evaluated] = &[
    (
        "chorus",
        "DHT operation success rate",
        &[
            (
                r#"chorus_dht_get_operations_total{status="success"}"#,
                "0+90x20",
            ),
            (
                r#"chorus_dht_get_operations_total{status="failure"}"#,
                "0+30x20",
            ),
        ],
        &[(r#"{status="success"}"#, 1.0)],
        &[("{}", 0.75)],
    ),
    (
        "chorus",
        "Task success rate",
        &[
            (
                r#"chorus_tasks_completed_total{status="success",task_type="build"}"#,
                "0+90x20",
            ),
            (
                r#"chorus_tasks_completed_total{status="failure",task_type="build"}"#,
                "0+30x20",
            ),
        ],
        &[(r#"{status="success",task_type="build"}"#, 1.0)],
        &[(r#"{task_type="build"}"#, 0.75)],
    ),
];

#[test]
fn every_correction_is_needed_and_says_why() {
    let project = project();
    let checker = Checker::new(&project);
    let mut valid_originals = BTreeSet::new();
    for (system, q) in all_queries() {
        let Some(c) = q.correction else { continue };
        assert!(
            !c.why.trim().is_empty(),
            "{system} `{}`: no reason",
            q.title
        );
        assert_ne!(c.original, q.expr, "{system} `{}`", q.title);
        match checker.check_expr(c.original) {
            Err(e) => println!(
                "{system} `{}`: the document's text fails: {}",
                q.title,
                e.join("; ")
            ),
            Ok(()) => {
                valid_originals.insert((system, q.title));
            }
        }
    }
    let evaluated: BTreeSet<(&str, &str)> = EVALUATED.iter().map(|e| (e.0, e.1)).collect();
    assert_eq!(
        valid_originals, evaluated,
        "a correction whose original passes the checker needs an evaluation showing it is wrong"
    );
}

#[test]
fn originals_that_fail_to_parse_fail_in_prometheus_too() {
    if !tests::require_tool("promtool", "apt-get install -y prometheus") {
        return;
    }
    let dir = Scratch::new("queries-originals");
    for (system, q) in all_queries() {
        let Some(c) = q.correction else { continue };
        if promdecl_gen::promql::selectors(c.original).is_ok() {
            continue;
        }
        let path = dir.write("original.rules.yml", &rule_file(&[c.original]));
        let Some((ok, out)) = tests::promtool(&["check", "rules", &path]) else {
            return;
        };
        assert!(
            !ok,
            "{system} `{}`: Prometheus parses the original:\n{out}",
            q.title
        );
    }
}

#[test]
fn valid_originals_compute_the_wrong_thing_under_promtool() {
    if !tests::require_tool("promtool", "apt-get install -y prometheus") {
        return;
    }
    let dir = Scratch::new("queries-evaluate");
    for (system, title, input, original, corrected) in EVALUATED {
        let q = queries::queries(system)
            .into_iter()
            .find(|q| q.title == *title)
            .unwrap_or_else(|| panic!("{system} has no query `{title}`"));
        let c = q.correction.expect("a corrected query");
        let mut yaml =
            String::from("evaluation_interval: 30s\ntests:\n- interval: 30s\n  input_series:\n");
        for (series, values) in *input {
            yaml += &format!(
                "  - series: {}\n    values: {}\n",
                quote(series),
                quote(values)
            );
        }
        yaml += "  promql_expr_test:\n";
        for (expr, samples) in [(c.original, original), (q.expr, corrected)] {
            yaml += &format!(
                "  - expr: {}\n    eval_time: 5m\n    exp_samples:\n",
                block(expr, 6)
            );
            for (labels, value) in *samples {
                yaml += &format!("    - labels: {}\n      value: {value}\n", quote(labels));
            }
        }
        let path = dir.write("evaluate.test.yml", &yaml);
        let Some((ok, out)) = tests::promtool(&["test", "rules", &path]) else {
            return;
        };
        assert!(ok, "{system} `{title}`:\n{out}\n{yaml}");
    }
}

/// `(system, queries, corrected)`, as the documents give them.
const COUNTS: &[(&str, usize, usize)] = &[
    ("chorus", 18, 2),
    ("zerostate", 12, 4),
    ("x0tta6bl4", 5, 0),
    ("bridge", 14, 0),
];

#[test]
fn counts_per_system() {
    let mut counts = Vec::new();
    for (system, list) in queries::SYSTEMS {
        let list = list();
        let corrected = list.iter().filter(|q| q.correction.is_some()).count();
        println!(
            "{system}: {} queries, {} valid as given, {corrected} corrected",
            list.len(),
            list.len() - corrected
        );
        counts.push((*system, list.len(), corrected));
    }
    assert_eq!(counts, COUNTS);
    assert_eq!(
        all_queries().len(),
        COUNTS.iter().map(|c| c.1).sum::<usize>()
    );
}

#[test]
fn systems_with_queries_are_catalog_systems_in_catalog_order() {
    let order: Vec<&str> = SYSTEMS.iter().map(|s| s.name).collect();
    let listed: Vec<usize> = queries::SYSTEMS
        .iter()
        .map(|(name, _)| order.iter().position(|n| n == name).expect(name))
        .collect();
    assert!(listed.windows(2).all(|w| w[0] < w[1]), "{listed:?}");
    for (system, list) in queries::SYSTEMS {
        let list: Vec<Query> = list();
        let titles: BTreeSet<(&str, &str)> = list.iter().map(|q| (q.section, q.title)).collect();
        assert_eq!(
            titles.len(),
            list.len(),
            "{system}: a title is repeated in a section"
        );
    }
    assert!(queries::queries("semstreams").is_empty());
}

#[test]
fn query_pages_are_generated_with_the_catalog_and_committed_fresh() {
    let generated = promdecl_gen::generate(&project());
    let pages = queries::files();
    assert_eq!(pages.len(), queries::SYSTEMS.len());
    for page in &pages {
        assert!(
            generated.contains(page),
            "`generate` does not write {}",
            page.path
        );
    }
    // Checked alone, the pages leave the generator's other directories looking stale: only
    // problems under `docs/queries/` count here (`tests/generated.rs` checks every file).
    if let Err(stale) = promdecl_gen::check_fresh(&root(), &pages, REGENERATE) {
        let ours = |paths: &[String]| paths.iter().any(|p| p.starts_with(queries::DIR));
        let problem = ours(&stale.changed) || ours(&stale.missing) || ours(&stale.unexpected);
        assert!(!problem, "{stale}");
    }
}

#[test]
fn a_corrected_query_shows_the_documents_text_and_the_reason() {
    let page = queries::files()
        .into_iter()
        .find(|f| f.path == "docs/queries/zerostate.md")
        .expect("zerostate has a query page")
        .contents;
    assert!(page.starts_with("# zerostate economic metrics: queries\n"));
    assert!(page.contains(
        "### Task error rate by type (corrected)\n\n```promql\n\
         sum by (type, error) (rate(zerostate_economic_task_errors_total[5m]))\n```\n\n\
         The document's text:\n\n```promql\n\
         rate(zerostate_economic_task_errors_total[5m]) by (type, error)\n```\n\n**Why:** Does not parse"
    ));
    assert!(page.contains("\n## Query Examples › Auctions\n"));
}

/// The reputation correction's second reason: without the misplaced `by`, the document's
/// `histogram_quantile` still reads a gauge, which has no buckets.
#[test]
fn histogram_quantile_over_the_reputation_gauge_is_refused() {
    let project = project();
    let errors = Checker::new(&project)
        .check_expr("histogram_quantile(0.5, zerostate_economic_reputation_scores)")
        .unwrap_err();
    assert!(errors[0].contains("needs bucket samples"), "{errors:?}");
}
