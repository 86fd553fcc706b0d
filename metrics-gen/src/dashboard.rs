//! Grafana dashboards: one per [`Group`], one row per [`Section`], panels per family by kind.
//!
//! - a counter is charted as its per-second rate, summed by its enumerated labels;
//! - a histogram as its 50th, 90th and 99th percentiles, its observation rate and a heatmap of
//!   its buckets;
//! - a gauge as its current value (a stat panel when it has no labels; the top
//!   [`TOP_SERIES`] series when it has free-form labels, which may hold thousands);
//! - an info family as a table of its labels.
//!
//! Every query selects `job=~"$job"` and `instance=~"$instance"`, and each enumerated label
//! `l` has a multi-value variable `$l` that the queries select with `l=~"$l"`. The data source
//! is a variable too, so one file imports into any Grafana.
//!
//! ```
//! use promdecl_gen::{dashboard, Group, Project};
//!
//! let project = Project::new("Shop", "shop").group(Group::new("shop", "Shop"));
//! let board = dashboard::dashboard(&project, &project.groups[0]);
//! assert_eq!(board["uid"], "shop");
//! assert_eq!(board["templating"]["list"][0]["type"], "datasource");
//! ```

use promdecl::{FamilyDesc, Kind};
use promdecl_spec::{BUCKET_LABEL, COUNT_SUFFIX};
use serde_json::{json, Value};

use crate::layout::File;
use crate::model::{Group, Project, Section};

/// The Grafana dashboard JSON schema version written.
pub const SCHEMA_VERSION: u32 = 39;

/// How many series a panel shows for a gauge with free-form labels.
pub const TOP_SERIES: usize = 20;

/// Grafana's limit on a dashboard `uid`.
const UID_MAX: usize = 40;

/// Width of the Grafana grid.
pub(crate) const GRID_WIDTH: u32 = 24;

/// Height of every panel except rows.
pub(crate) const PANEL_HEIGHT: u32 = 8;

/// The percentiles charted for a histogram, with their legends.
const QUANTILES: [(&str, &str); 3] = [("0.5", "p50"), ("0.9", "p90"), ("0.99", "p99")];

/// Variables every dashboard has; an enumerated label of the same name gets no variable.
const FIXED_VARIABLES: [&str; 3] = ["datasource", "job", "instance"];

/// The dashboard of every group, at [`layout::dashboard`](crate::layout::dashboard).
pub fn files(project: &Project) -> Vec<File> {
    let file = |g: &Group| {
        let path = crate::layout::dashboard(&g.name);
        File::new(path, format!("{:#}\n", dashboard(project, g)))
    };
    project.groups.iter().map(file).collect()
}

/// The dashboard of `group`.
pub fn dashboard(project: &Project, group: &Group) -> Value {
    let variables = label_variables(group);
    let mut board = Board {
        panels: Vec::new(),
        grid: Grid::default(),
    };
    for section in &group.sections {
        board.row(&section.title);
        for f in &section.families {
            board.family(section, f, &variables);
        }
    }
    let mut templating = vec![
        json!({
            "name": "datasource", "label": "Data source", "type": "datasource",
            "query": "prometheus", "hide": 0, "current": {},
        }),
        json!({
            "name": "job", "label": "job", "type": "query", "datasource": datasource(),
            "query": "label_values(up, job)", "definition": "label_values(up, job)",
            "refresh": 1, "sort": 1, "hide": 0,
            "current": { "text": project.job_of(group), "value": project.job_of(group) },
        }),
        query_variable("instance", r#"label_values(up{job="$job"}, instance)"#),
    ];
    templating.extend(variables.iter().map(|(label, family)| {
        let sample = variable_sample(family);
        query_variable(
            label,
            &format!("label_values({}, {label})", selector(&sample, &[])),
        )
    }));
    let mut tags = vec![json!("promdecl"), json!(group.name)];
    if project.job_of(group) != group.name {
        tags.push(json!(project.job_of(group)));
    }
    json!({
        "id": null,
        "uid": uid(&group.name),
        "title": group.title,
        "description": group.intro.clone().unwrap_or_default(),
        "tags": tags,
        "schemaVersion": SCHEMA_VERSION,
        "version": 1,
        "editable": true,
        "graphTooltip": 1,
        "time": { "from": "now-1h", "to": "now" },
        "timepicker": {},
        "timezone": "browser",
        "refresh": "30s",
        "annotations": { "list": [] },
        "links": [],
        "templating": { "list": templating },
        "panels": board.panels,
    })
}

/// The titles of the panels that chart family `name` of `kind` in section `section`, in order:
/// what a change to the family breaks on its dashboard.
///
/// ```
/// use promdecl::Kind;
/// let titles = promdecl_gen::dashboard::panel_titles(Kind::Counter, "x_total", "Cache");
/// assert_eq!(titles, ["x_total (Cache)"]);
/// ```
pub fn panel_titles(kind: Kind, name: &str, section: &str) -> Vec<String> {
    let suffixes: &[&str] = match kind {
        Kind::Histogram => &["", " rate", " buckets"],
        Kind::Summary => &["", " rate"],
        _ => &[""],
    };
    suffixes
        .iter()
        .map(|s| format!("{name}{s} ({section})"))
        .collect()
}

/// A stable dashboard uid for a group name: the name itself, with characters Grafana does not
/// allow replaced by `-`, or when longer than 40 characters its start and a hash of the whole.
///
/// ```
/// assert_eq!(promdecl_gen::dashboard::uid("shop"), "shop");
/// let long = promdecl_gen::dashboard::uid(&"x".repeat(60));
/// assert_eq!(long.len(), 40);
/// ```
pub fn uid(group: &str) -> String {
    let clean: String = group
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if clean.len() <= UID_MAX {
        return clean;
    }
    // FNV-1a: stable across runs and platforms, unlike std's hasher.
    let hash = group.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    let hash = format!("{hash:016x}");
    format!("{}-{hash}", &clean[..UID_MAX - hash.len() - 1])
}

/// The Grafana unit of a family's charted value: per second for counters and histogram rates.
fn unit(kind: Kind, unit: Option<&str>) -> &'static str {
    match (kind, unit) {
        (Kind::Counter, Some("bytes")) => "Bps",
        (Kind::Counter, Some("bits")) => "bps",
        (Kind::Counter, Some("seconds")) => "s",
        (Kind::Counter, _) => "ops",
        (_, Some("seconds")) => "s",
        (_, Some("bytes")) => "bytes",
        (_, Some("bits")) => "bits",
        (_, Some("ratio")) => "percentunit",
        (_, Some("percent")) => "percent",
        (_, Some("celsius")) => "celsius",
        (_, Some("hertz")) => "hertz",
        (_, Some("volts")) => "volt",
        (_, Some("amperes")) => "amp",
        (_, Some("joules")) => "joule",
        (_, Some("meters")) => "lengthm",
        _ => "short",
    }
}

fn datasource() -> Value {
    json!({ "type": "prometheus", "uid": "${datasource}" })
}

/// A multi-value query variable with an "All" option matching every value.
fn query_variable(name: &str, query: &str) -> Value {
    json!({
        "name": name, "label": name, "type": "query", "datasource": datasource(),
        "query": query, "definition": query,
        "refresh": 2, "sort": 1, "hide": 0,
        "multi": true, "includeAll": true, "allValue": ".*",
        "current": { "text": ["All"], "value": ["$__all"] },
        "options": [],
    })
}

/// Each enumerated label of the group with the first family declaring it, in order of first
/// appearance.
fn label_variables(group: &Group) -> Vec<(&'static str, &'static FamilyDesc)> {
    let mut out: Vec<(&'static str, &'static FamilyDesc)> = Vec::new();
    for f in group.families() {
        for l in f.labels.iter().filter(|l| !l.is_free_form()) {
            if !FIXED_VARIABLES.contains(&l.name) && !out.iter().any(|(n, _)| *n == l.name) {
                out.push((l.name, f));
            }
        }
    }
    out
}

/// The sample a label variable reads its values from: one series per label combination.
/// A histogram's: its `_count`, its native series, or either when it has both (Prometheus
/// keeps one of them, depending on whether it ingests native histograms).
fn variable_sample(f: &FamilyDesc) -> String {
    let count = format!("{}{COUNT_SUFFIX}", f.name);
    let classic = f.buckets.is_none_or(|b| !b.is_empty());
    match (f.kind, f.native.is_some(), classic) {
        (Kind::Histogram, true, true) => format!("{{__name__=~\"{count}|{}\"}}", f.name),
        (Kind::Histogram, true, false) => f.name.to_string(),
        (Kind::Histogram, false, _) => count,
        _ => f.name.to_string(),
    }
}

/// `sample{job=~"$job",instance=~"$instance",l=~"$l",...}` for the enumerated labels `labels`.
fn selector(sample: &str, labels: &[&str]) -> String {
    let matchers: Vec<String> = ["job", "instance"]
        .iter()
        .chain(labels)
        .map(|l| format!("{l}=~\"${l}\""))
        .collect();
    format!("{sample}{{{}}}", matchers.join(","))
}

/// `sum by (labels) (inner)`, or `sum(inner)` without labels.
fn sum_by(labels: &[&str], inner: &str) -> String {
    aggregate("sum", labels, inner)
}

/// `max by (labels) (inner)`, or `max(inner)` without labels.
fn max_by(labels: &[&str], inner: &str) -> String {
    aggregate("max", labels, inner)
}

fn aggregate(op: &str, labels: &[&str], inner: &str) -> String {
    if labels.is_empty() {
        format!("{op}({inner})")
    } else {
        format!("{op} by ({}) ({inner})", labels.join(", "))
    }
}

/// A legend naming each of `labels`, or `fallback` when there are none.
fn legend(labels: &[&str], fallback: &str) -> String {
    if labels.is_empty() {
        fallback.to_string()
    } else {
        labels
            .iter()
            .map(|l| format!("{{{{{l}}}}}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn target(ref_id: &str, expr: String, legend: String) -> Value {
    json!({
        "refId": ref_id, "expr": expr, "legendFormat": legend,
        "datasource": datasource(), "range": true, "instant": false,
    })
}

/// Turns a range query `target` into an instant query read as a table: the latest value of
/// each series, one row each.
pub(crate) fn instant_table(target: &mut Value) {
    target["format"] = json!("table");
    target["instant"] = json!(true);
    target["range"] = json!(false);
}

/// The options of a stat panel showing the latest value.
pub(crate) fn stat_options() -> Value {
    json!({
        "reduceOptions": last_value(),
        "colorMode": "value", "graphMode": "area", "textMode": "auto",
    })
}

/// The `reduceOptions` of a panel showing the latest value of each series.
pub(crate) fn last_value() -> Value {
    json!({ "calcs": ["lastNotNull"], "fields": "", "values": false })
}

/// The options of a heatmap of histogram buckets (the query's result read as buckets, as
/// given, not calculated by Grafana) on a value axis in `unit`.
pub(crate) fn heatmap_options(unit: &str) -> Value {
    json!({
        "calculate": false,
        "cellGap": 1,
        "color": { "mode": "scheme", "scheme": "Oranges", "steps": 64 },
        "yAxis": { "axisPlacement": "left", "unit": unit },
        "rowsFrame": { "layout": "auto" },
        "tooltip": { "show": true, "yHistogram": false },
        "legend": { "show": true },
    })
}

/// A row heading panel numbered `id`, titled `title`, on a line of its own of `grid`.
pub(crate) fn row_panel(id: usize, title: &str, grid: &mut Grid) -> Value {
    json!({
        "id": id, "type": "row", "title": title,
        "gridPos": grid.row(), "collapsed": false, "panels": [],
    })
}

/// Panels laid out left to right in rows of [`GRID_WIDTH`].
#[derive(Default)]
pub(crate) struct Grid {
    x: u32,
    y: u32,
    line_height: u32,
}

impl Grid {
    /// Starts a new line if the current one has panels.
    pub(crate) fn newline(&mut self) {
        if self.x > 0 {
            self.y += self.line_height;
            self.x = 0;
            self.line_height = 0;
        }
    }

    /// The `gridPos` of a panel `w` wide and `h` high, after the panels placed before it: on
    /// the current line if it fits, else at the start of the next.
    pub(crate) fn place(&mut self, w: u32, h: u32) -> Value {
        if self.x + w > GRID_WIDTH {
            self.newline();
        }
        let pos = json!({ "h": h, "w": w, "x": self.x, "y": self.y });
        self.x += w;
        self.line_height = self.line_height.max(h);
        pos
    }

    /// The `gridPos` of a row heading: the full width, on a line of its own.
    pub(crate) fn row(&mut self) -> Value {
        self.newline();
        let pos = self.place(GRID_WIDTH, 1);
        self.newline();
        pos
    }
}

struct Board {
    panels: Vec<Value>,
    grid: Grid,
}

/// What a panel shows, before it is placed.
struct Panel {
    kind: &'static str,
    title: String,
    width: u32,
    unit: &'static str,
    targets: Vec<Value>,
    options: Value,
}

impl Board {
    fn next_id(&self) -> usize {
        self.panels.len() + 1
    }

    fn row(&mut self, title: &str) {
        let panel = row_panel(self.next_id(), title, &mut self.grid);
        self.panels.push(panel);
    }

    fn push(&mut self, f: &FamilyDesc, panel: Panel) {
        let description = match f.note {
            Some(note) => format!("{}\n\n{note}", f.help),
            None => f.help.to_string(),
        };
        let json = json!({
            "id": self.next_id(),
            "type": panel.kind,
            "title": panel.title,
            "description": description,
            "gridPos": self.grid.place(panel.width, PANEL_HEIGHT),
            "datasource": datasource(),
            "targets": panel.targets,
            "fieldConfig": { "defaults": { "unit": panel.unit }, "overrides": [] },
            "options": panel.options,
        });
        self.panels.push(json);
    }

    /// A histogram's or summary's quantile panel (`targets`) and its observations per second,
    /// each `width` wide.
    fn quantiles_and_rate(
        &mut self,
        f: &FamilyDesc,
        labels: &[&str],
        targets: Vec<Value>,
        width: u32,
        title: &mut impl FnMut() -> String,
        timeseries: &Value,
    ) {
        let quantiles = Panel {
            kind: "timeseries",
            title: title(),
            width,
            unit: unit(f.kind, f.unit),
            targets,
            options: timeseries.clone(),
        };
        self.push(f, quantiles);
        let count_rate = crate::promql::count_rate_query(f, labels, "$__rate_interval", |sample| {
            selector(sample, labels)
        });
        let rate = Panel {
            kind: "timeseries",
            title: title(),
            width,
            unit: unit(Kind::Counter, None),
            targets: vec![target("A", count_rate, legend(labels, "rate"))],
            options: timeseries.clone(),
        };
        self.push(f, rate);
    }

    /// The panels of family `f`, titled as [`panel_titles`] lists them.
    fn family(
        &mut self,
        section: &Section,
        f: &FamilyDesc,
        variables: &[(&'static str, &'static FamilyDesc)],
    ) {
        let mut titles = panel_titles(f.kind, f.name, &section.title).into_iter();
        let mut title = || titles.next().unwrap_or_default();
        // The enumerated labels that have a variable: the ones the panels filter and group by.
        let labels: Vec<&str> = f
            .labels
            .iter()
            .filter(|l| !l.is_free_form() && variables.iter().any(|(n, _)| *n == l.name))
            .map(|l| l.name)
            .collect();
        let timeseries = json!({ "legend": { "displayMode": "list", "placement": "bottom" } });
        match f.kind {
            Kind::Counter => {
                let rate = format!("rate({}[$__rate_interval])", selector(f.name, &labels));
                let panel = Panel {
                    kind: "timeseries",
                    title: title(),
                    width: 12,
                    unit: unit(f.kind, f.unit),
                    targets: vec![target("A", sum_by(&labels, &rate), legend(&labels, "rate"))],
                    options: timeseries,
                };
                self.push(f, panel);
            }
            Kind::Histogram => {
                self.grid.newline();
                let targets = QUANTILES
                    .iter()
                    .zip(["A", "B", "C"])
                    .map(|((q, name), ref_id)| {
                        let expr = crate::promql::quantile_query(
                            f,
                            q,
                            &labels,
                            "$__rate_interval",
                            |sample| selector(sample, &labels),
                        );
                        let legend = match legend(&labels, "") {
                            l if l.is_empty() => name.to_string(),
                            l => format!("{name} {l}"),
                        };
                        target(ref_id, expr, legend)
                    })
                    .collect();
                self.quantiles_and_rate(f, &labels, targets, 8, &mut title, &timeseries);
                let buckets = crate::promql::heatmap_query(f, "$__rate_interval", |sample| {
                    selector(sample, &labels)
                });
                let mut heat = target("A", buckets, format!("{{{{{BUCKET_LABEL}}}}}"));
                heat["format"] = json!("heatmap");
                let y_unit = unit(f.kind, f.unit);
                let heatmap = Panel {
                    kind: "heatmap",
                    title: title(),
                    width: 8,
                    unit: y_unit,
                    targets: vec![heat],
                    options: heatmap_options(y_unit),
                };
                self.push(f, heatmap);
                self.grid.newline();
            }
            Kind::Summary => {
                // Quantiles of different series cannot be combined: the worst one shown.
                let spec = f.summary.unwrap_or_default();
                let targets = spec
                    .quantiles
                    .iter()
                    .zip('A'..)
                    .map(|(q, ref_id)| {
                        let expr = crate::promql::summary_quantile_query(f, *q, |sample| {
                            selector(sample, &labels)
                        });
                        let name = format!("p{}", q * 100.0);
                        let legend = match legend(&labels, "") {
                            l if l.is_empty() => name,
                            l => format!("{name} {l}"),
                        };
                        target(&ref_id.to_string(), max_by(&labels, &expr), legend)
                    })
                    .collect();
                self.quantiles_and_rate(f, &labels, targets, 12, &mut title, &timeseries);
            }
            Kind::Gauge => {
                let value = selector(f.name, &labels);
                let (kind, width, expr, options) = if f.labels.is_empty() {
                    ("stat", 6, value, stat_options())
                } else if f.free_form_count() > 0 {
                    let top = format!("topk({TOP_SERIES}, {value})");
                    ("timeseries", 12, top, timeseries)
                } else {
                    ("timeseries", 12, value, timeseries)
                };
                let mut shown = vec!["instance"];
                shown.extend(f.labels.iter().map(|l| l.name));
                let panel = Panel {
                    kind,
                    title: title(),
                    width,
                    unit: unit(f.kind, f.unit),
                    targets: vec![target("A", expr, legend(&shown, ""))],
                    options,
                };
                self.push(f, panel);
            }
            Kind::Info => {
                let mut t = target("A", selector(f.name, &labels), String::new());
                instant_table(&mut t);
                let panel = Panel {
                    kind: "table",
                    title: title(),
                    width: 12,
                    unit: unit(f.kind, f.unit),
                    targets: vec![t],
                    options: json!({ "showHeader": true }),
                };
                self.push(f, panel);
                // One row per series, one column per label: hide the sample's time and value.
                if let Some(table) = self.panels.last_mut() {
                    table["transformations"] = json!([{
                        "id": "organize",
                        "options": { "excludeByName": { "Time": true, "Value": true, "__name__": true } },
                    }]);
                }
            }
        }
    }
}
