//! The SLO dashboard of a group: one row per SLO with its SLI against the objective, the
//! error budget left and the burn rate over each window, read from the recorded series.

use serde_json::Value;

use super::{error_ratio_record, Slo, BUDGET_RECORD};
use crate::layout_dashboard::{render, Kind, Layout, Panel};
use crate::model::Group;

/// The window the SLI panel charts.
const SLI_WINDOW: &str = "1h";

/// The Grafana dashboard of `group`'s SLOs (see [the module](super)).
pub fn dashboard(group: &Group) -> Value {
    let layout = Layout::new(
        format!("{}-slo", group.name),
        format!("{} - service-level objectives", group.title),
    )
    .description(format!(
        "The SLOs of {}: error ratios and budgets recorded by `{}`.",
        group.title,
        crate::layout::slo_rule_file(&group.name)
    ))
    .tag("slo")
    .tag(group.name.as_str());
    let layout = group.slos.iter().fold(layout, slo_panels);
    render(&layout)
}

fn slo_panels(layout: Layout, slo: &Slo) -> Layout {
    let by: Vec<String> = slo.by().iter().map(|l| format!("{{{{{l}}}}}")).collect();
    let legend = |fallback: &str| match by.is_empty() {
        true => fallback.to_string(),
        false => format!("{fallback} {}", by.join(" ")),
    };
    let mut title = format!(
        "SLO {} (objective {} over {})",
        slo.name(),
        slo.objective(),
        slo.window()
    );
    if !slo.description().is_empty() {
        title = format!("{title}: {}", slo.description());
    }
    let sli = Panel::new(
        Kind::Timeseries,
        format!("SLI over {SLI_WINDOW} against the objective"),
    )
    .query(
        format!("1 - {}", slo.recorded(&error_ratio_record(SLI_WINDOW))),
        legend("SLI"),
    )
    .query(format!("vector({})", slo.objective()), "objective")
    .unit("percentunit")
    .width(10);
    let budget = Panel::new(Kind::Stat, format!("Error budget left ({})", slo.window()))
        .query(slo.recorded(BUDGET_RECORD), legend("budget"))
        .unit("percentunit")
        .width(4);
    let burn = slo.windows().into_iter().fold(
        Panel::new(Kind::Timeseries, "Burn rate (error ratio / budget)")
            .unit("short")
            .width(10),
        |panel, w| {
            let ratio = slo.recorded(&error_ratio_record(w));
            panel.query(format!("{ratio} / {}", slo.budget_expr()), legend(w))
        },
    );
    layout.row(title).panel(sli).panel(budget).panel(burn)
}
