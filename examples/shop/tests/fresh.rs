//! The committed `docs/` are exactly what the declarations generate, and a change to a
//! declaration that is not regenerated fails with a diff and the command that fixes it.

use std::path::Path;

use promdecl::{Gauge, Metrics};
use promdecl_gen::{check_fresh, cli, generate};
use shop_example::project;

/// Works from the repository root, where `cargo test --workspace` runs; from `examples/shop`,
/// `cargo run --bin gen -- generate` does the same.
const REGENERATE: &str = "cargo run -p shop-example --bin gen -- generate --root examples/shop";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn committed_docs_are_what_the_declarations_generate() {
    check_fresh(root(), &generate(&project()), REGENERATE).unwrap();
}

#[test]
fn generator_check_subcommand_agrees() {
    let root = root().to_str().expect("a UTF-8 path");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cli::run(
        &project(),
        ["gen", "check", "--root", root],
        &mut out,
        &mut err,
    );
    let err = String::from_utf8_lossy(&err);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("up to date"), "{err}");
}

/// `Orders::orders_in_flight` as it would be after a rename.
#[derive(Metrics)]
#[metrics(prefix = "shop")]
struct Renamed {
    /// Orders being checked out now
    #[metric(gauge)]
    orders_open: Gauge,
}

#[test]
fn a_renamed_metric_makes_the_committed_docs_stale() {
    let mut project = project();
    let checkout = &mut project.groups[0].sections[0];
    let slot = checkout
        .families
        .iter_mut()
        .find(|f| f.name == "shop_orders_in_flight")
        .expect("the Checkout section holds shop_orders_in_flight");
    *slot = &Renamed::FAMILIES[0];

    let stale = check_fresh(root(), &generate(&project), REGENERATE)
        .expect_err("the committed docs still name shop_orders_in_flight");
    let report = stale.to_string();
    for path in [
        "docs/metrics/shop-orders.md",
        "docs/dashboards/shop-orders.json",
    ] {
        assert!(stale.changed.iter().any(|c| c == path), "{path}: {report}");
    }
    assert!(
        stale.missing.is_empty() && stale.unexpected.is_empty(),
        "{report}"
    );
    // What to run, then a unified diff per file.
    assert!(
        report.contains(&format!("regenerate with\n\n    {REGENERATE}\n")),
        "{report}"
    );
    for line in [
        "--- docs/metrics/shop-orders.md (committed)",
        "+++ docs/metrics/shop-orders.md (generated)",
        "-### `shop_orders_in_flight`",
        "+### `shop_orders_open`",
    ] {
        assert!(report.lines().any(|l| l == line), "no `{line}` in {report}");
    }
    assert!(report.lines().any(|l| l.starts_with("@@ -")), "{report}");
}
