//! The `promtool test rules` files of a group's SLOs, with input the generator writes: counters
//! rising by [`PER_MINUTE`] events a minute, a fraction of them bad.

use std::time::Duration;

use promql_parser::util::display_duration;
use serde_yaml::Value;

use super::{duration, BurnAlert, Slo, PAGE, TICKET};
use crate::layout::{self, File};
use crate::model::Group;
use crate::yaml::{pairs, Fields};

/// Events a minute in the test input.
pub const PER_MINUTE: f64 = 100.0;

/// One file of cases: its alert, how fast errors burn the budget in its firing case, the
/// spacing of its input (and so promtool's evaluation interval) and the healthy history
/// before the errors start.
#[derive(Debug, Clone, Copy)]
pub struct Cases {
    /// The alert that must fire.
    pub alert: BurnAlert,
    /// Errors at this many times the budget rate (at most every event).
    pub burn: f64,
    /// Spacing of the input and evaluation interval.
    pub step: Duration,
    /// How long the input is healthy before the errors start.
    pub history: Duration,
}

/// The two files: [`PAGE`] at 20 times the budget rate, every minute (its shortest window is
/// 5m), after 2h of health (long enough that the 1h-and-5m condition fires first, at 43m12s);
/// [`TICKET`] at 2 times, every 30 minutes (its shortest window is 2h), after a day of health
/// (at 2 times only the 3d-and-6h condition can fire: after another day). Short histories keep
/// promtool fast: it evaluates every rule of the file at every step.
pub const CASES: [Cases; 2] = [
    Cases {
        alert: PAGE,
        burn: 20.0,
        step: Duration::from_secs(60),
        history: Duration::from_secs(2 * 3600),
    },
    Cases {
        alert: TICKET,
        burn: 2.0,
        step: Duration::from_secs(1800),
        history: Duration::from_secs(24 * 3600),
    },
];

/// The burn rate at which nothing may fire.
pub const QUIET_BURN: f64 = 0.5;

/// One file per entry of [`CASES`]: `docs/alerts/<group>.slo.<severity>.test.yml`.
pub fn test_files(group: &Group) -> Vec<File> {
    if group.slos.is_empty() {
        return Vec::new();
    }
    CASES
        .iter()
        .map(|cases| {
            let path = layout::slo_rule_tests(&group.name, cases.alert.severity);
            let mut notes = Vec::new();
            let mut tests = Vec::new();
            for slo in &group.slos {
                let case = Case { slo, cases };
                match case.firing() {
                    Ok(test) => tests.push(test),
                    Err(note) => notes.push(note),
                }
                tests.push(case.quiet());
            }
            let rules = layout::relative(&path, &layout::slo_rule_file(&group.name));
            let file = Fields::new()
                .seq("rule_files", [rules])
                .set("evaluation_interval", display_duration(&cases.step))
                .set("tests", tests);
            let mut out = format!(
                "# {}\n# run: promtool test rules {path}\n",
                layout::GENERATED
            );
            for note in notes {
                out.push_str(&format!("# {note}\n"));
            }
            out.push_str(&serde_yaml::to_string(&file.mapping()).unwrap_or_default());
            File::new(path, out)
        })
        .collect()
}

/// The cases of one SLO in one file.
struct Case<'a> {
    slo: &'a Slo,
    cases: &'a Cases,
}

impl Case<'_> {
    /// Errors at the file's burn rate (at most every event) after its healthy history: its
    /// alert must be silent a tenth before the time its windows need and fire a tenth after;
    /// an alert that cannot fire at that rate must stay silent. Err with a note when the alert
    /// cannot fire at that rate.
    fn firing(&self) -> Result<Value, String> {
        let Cases { alert, history, .. } = self.cases;
        let burn = self.cases.burn.min(1.0 / (1.0 - self.slo.objective()));
        let due = detection(alert, burn, *history).ok_or_else(|| {
            format!(
                "{} of SLO {}: cannot fire even when every event fails (objective {})",
                alert.name,
                self.slo.name(),
                self.slo.objective()
            )
        })?;
        let healthy = self.steps(*history);
        let early = self.round_down(due.mul_f64(0.9));
        let late = self.round_up(due.mul_f64(1.1));
        let onset = self.cases.step * healthy;
        let mut checks = vec![
            check(alert, onset + early, Vec::new()),
            check(alert, onset + late, vec![self.expected(alert)]),
        ];
        for other in [PAGE, TICKET] {
            if other.name != alert.name && detection(&other, burn, *history).is_none() {
                checks.push(check(&other, onset + late, Vec::new()));
            }
        }
        let name = format!(
            "{}: {} fires {} after errors start at {} times the budget rate",
            self.slo.name(),
            alert.name,
            display_duration(&due),
            tidy(burn)
        );
        Ok(self.test(name, healthy, self.steps(late), burn, checks))
    }

    /// Errors at [`QUIET_BURN`] times the budget rate from the start, over the long window
    /// of the file's alert's first condition: no alert fires.
    fn quiet(&self) -> Value {
        let first = self.cases.alert.conditions.first();
        let steps = self.steps(first.map_or(self.cases.history, |(_, long, _)| duration(long)));
        let end = self.cases.step * steps;
        let checks = [PAGE, TICKET]
            .iter()
            .map(|a| check(a, end, Vec::new()))
            .collect();
        let name = format!(
            "{}: nothing fires at {QUIET_BURN} times the budget rate",
            self.slo.name()
        );
        self.test(name, 0, steps, QUIET_BURN, checks)
    }

    /// A test case: `healthy` steps without errors, then `burning` steps at `burn` times the
    /// budget rate.
    fn test(
        &self,
        name: String,
        healthy: u32,
        burning: u32,
        burn: f64,
        checks: Vec<Value>,
    ) -> Value {
        let total = PER_MINUTE * self.cases.step.as_secs_f64() / 60.0;
        let bad = (burn * (1.0 - self.slo.objective()) * total).min(total);
        let events = &self.slo.events;
        // The part is the bad events, or the good ones; a part and total of the same sample
        // (a label split) are two series that add up to all events.
        let part = |errors: f64| if events.good { total - errors } else { errors };
        let rest = |errors: f64| match events.part.sample == events.total.sample {
            true => total - part(errors),
            false => total,
        };
        let kept = self.kept();
        let series = [
            (events.part.input(&kept), part(0.0), part(bad)),
            (events.total.input(&kept), rest(0.0), rest(bad)),
        ];
        let input: Vec<Value> = series
            .into_iter()
            .map(|(series, before, after)| {
                Fields::new()
                    .set("series", series)
                    .set("values", counter(healthy, before, burning, after))
                    .value()
            })
            .collect();
        Fields::new()
            .set("name", name)
            .set("interval", display_duration(&self.cases.step))
            .set("input_series", input)
            .set("alert_rule_test", checks)
            .value()
    }

    /// The labels an alert of this SLO fires with, and its annotations.
    fn expected(&self, alert: &BurnAlert) -> Value {
        let rule = self.slo.burn_alert(alert);
        let mut labels = rule.labels.clone();
        labels.extend(self.kept());
        labels.sort();
        Fields::new()
            .map("exp_labels", pairs(&labels))
            .map("exp_annotations", pairs(&rule.annotations))
            .value()
    }

    /// The `by` labels with the value the input gives them: a declared value, or `test`.
    fn kept(&self) -> Vec<(String, String)> {
        let families = self.slo.sli().families();
        self.slo
            .by()
            .iter()
            .map(|name| {
                let declared = families
                    .iter()
                    .flat_map(|f| f.labels)
                    .find(|l| l.name == name.as_str());
                let value = declared
                    .and_then(|l| l.values)
                    .and_then(|v| v.first())
                    .unwrap_or(&"test");
                (name.clone(), value.to_string())
            })
            .collect()
    }

    fn steps(&self, d: Duration) -> u32 {
        let step = self.cases.step.as_secs().max(1);
        u32::try_from(self.round_up(d).as_secs() / step).unwrap_or(u32::MAX)
    }

    fn round_up(&self, d: Duration) -> Duration {
        let step = self.cases.step.as_secs().max(1);
        Duration::from_secs(d.as_secs().div_ceil(step) * step)
    }

    fn round_down(&self, d: Duration) -> Duration {
        let step = self.cases.step.as_secs().max(1);
        Duration::from_secs(d.as_secs() / step * step)
    }
}

/// When `alert` fires after errors start at `burn` times the budget rate, after `history`
/// without errors: when, for its first condition to get there, the error ratio over both its
/// windows reaches the condition's factor. `None` when no factor is below `burn`.
fn detection(alert: &BurnAlert, burn: f64, history: Duration) -> Option<Duration> {
    alert
        .conditions
        .iter()
        .filter(|(factor, _, _)| *factor < burn)
        .map(|(factor, long, short)| {
            let reach = |w: &str| reached(duration(w), history, factor / burn);
            reach(long).max(reach(short))
        })
        .min()
}

/// How long after errors start (at a constant fraction of all events) the error ratio over
/// `window` reaches `share` of that fraction, after `history` without errors. Over a full
/// window the ratio is the share of the window since the start, `d / window`; while the data
/// does not fill the window it is `d / (history + d)`.
fn reached(window: Duration, history: Duration, share: f64) -> Duration {
    let full = window.mul_f64(share);
    if history + full >= window {
        full
    } else {
        history.mul_f64(share / (1.0 - share))
    }
}

/// An `alert_rule_test` entry: `alert` fires at `at` with exactly `expected`.
fn check(alert: &BurnAlert, at: Duration, expected: Vec<Value>) -> Value {
    Fields::new()
        .set("eval_time", display_duration(&at))
        .set("alertname", alert.name)
        .set("exp_alerts", expected)
        .value()
}

/// A counter in promtool's expanding notation: `healthy` steps rising by `before`, then
/// `burning` steps rising by `after`.
fn counter(healthy: u32, before: f64, burning: u32, after: f64) -> String {
    if healthy == 0 {
        return format!("0+{}x{burning}", tidy(after));
    }
    let start = f64::from(healthy) * before + after;
    format!(
        "0+{}x{healthy} {}+{}x{}",
        tidy(before),
        tidy(start),
        tidy(after),
        burning.saturating_sub(1)
    )
}

/// A value without float noise (`2` for `2.0000000000000018`).
fn tidy(v: f64) -> String {
    format!("{}", (v * 1e6).round() / 1e6)
}
