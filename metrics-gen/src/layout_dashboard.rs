//! Hand-laid Grafana dashboards: panels chosen, titled and ordered by hand (a source document's
//! own dashboard, say), rendered like the generated ones of [`crate::dashboard`].
//!
//! A [`Layout`] lists its [`Panel`]s in order; each has a [`Kind`], a title, its [`Query`]s
//! (PromQL and legend), a Grafana unit and a description. A query kept from a source but
//! corrected carries the original and the reason ([`Correction`]), shown in its panel's
//! description. [`render`] lays the panels out left to right in rows of 24 (a [`Kind::Row`]
//! starts a new line of its own) and takes everything else from the generated dashboards:
//! schema version, time range, refresh, and the data source variable every panel and query
//! reads from, so one file imports into any Grafana. Queries are written as given: the only
//! variable is the data source, so there is no `$job` or `$instance` to select.
//!
//! ```
//! use promdecl_gen::layout_dashboard::{render, Kind, Layout, Panel};
//!
//! let layout = Layout::new("shop-main", "Shop - Main")
//!     .panel(
//!         Panel::new(Kind::Timeseries, "Order rate")
//!             .query("rate(shop_orders_total[5m])", "Orders/sec")
//!             .unit("ops"),
//!     )
//!     .panel(Panel::new(Kind::Stat, "Open carts").query("shop_open_carts", ""));
//! let board = render(&layout);
//! assert_eq!(board["uid"], "shop-main");
//! assert_eq!(board["panels"][0]["targets"][0]["expr"], "rate(shop_orders_total[5m])");
//! assert_eq!(board["panels"][1]["type"], "stat");
//! assert_eq!(board["panels"][1]["gridPos"]["x"], 12);
//! ```

use serde_json::{json, Value};

use crate::dashboard::{
    heatmap_options, instant_table, last_value, row_panel, stat_options, Grid, GRID_WIDTH,
    PANEL_HEIGHT,
};
use crate::layout::File;
use crate::model::{Group, Project};
use crate::promql::Checker;
use crate::rules::Correction;

/// Reference ids of a panel's queries, in order.
const REF_IDS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// A dashboard laid out by hand.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// The dashboard uid (cleaned by [`crate::dashboard::uid`] when rendered).
    pub uid: String,
    /// The dashboard title.
    pub title: String,
    /// Where the dashboard comes from, how it departs from its source.
    pub description: String,
    /// Tags, after `promdecl`.
    pub tags: Vec<String>,
    /// The panels, in order.
    pub panels: Vec<Panel>,
}

impl Layout {
    /// An empty dashboard.
    pub fn new(uid: impl Into<String>, title: impl Into<String>) -> Self {
        Self {
            uid: uid.into(),
            title: title.into(),
            description: String::new(),
            tags: Vec::new(),
            panels: Vec::new(),
        }
    }

    /// Sets the description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self
    }

    /// Adds a tag.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tags.push(tag.into());
        self
    }

    /// Adds a panel.
    pub fn panel(mut self, panel: Panel) -> Self {
        self.panels.push(panel);
        self
    }

    /// Adds a row titled `title`: the panels after it, up to the next row, are under it.
    pub fn row(self, title: impl Into<String>) -> Self {
        self.panel(Panel::new(Kind::Row, title))
    }

    /// Every query with the title of its panel, in order.
    pub fn queries(&self) -> impl Iterator<Item = (&str, &Query)> {
        self.panels
            .iter()
            .flat_map(|p| p.queries.iter().map(move |q| (p.title.as_str(), q)))
    }

    /// Checks the layout against the declarations `checker` knows: every panel has a title,
    /// every panel but a row at least one query and a row none, and every query parses and
    /// names only declared metrics, labels and values. All problems are returned, each naming
    /// its panel.
    ///
    /// ```
    /// use promdecl_gen::layout_dashboard::{Kind, Layout, Panel};
    /// use promdecl_gen::{promql::Checker, Project};
    ///
    /// let project = Project::new("Shop", "shop");
    /// let layout = Layout::new("shop", "Shop")
    ///     .panel(Panel::new(Kind::Stat, "Up").query("up", "{{instance}}"))
    ///     .panel(Panel::new(Kind::Stat, "Orders").query("shop_orders_total", ""));
    /// let errors = layout.check(&Checker::new(&project)).unwrap_err();
    /// assert_eq!(errors, ["panel `Orders` query A: `shop_orders_total` is not a declared metric"]);
    /// ```
    pub fn check(&self, checker: &Checker<'_>) -> Result<(), Vec<String>> {
        let mut errors = Vec::new();
        for (i, p) in self.panels.iter().enumerate() {
            let name = if p.title.trim().is_empty() {
                errors.push(format!("panel {} has no title", i + 1));
                format!("{}", i + 1)
            } else {
                format!("`{}`", p.title)
            };
            match (p.kind, p.queries.is_empty()) {
                (Kind::Row, false) => errors.push(format!("row {name} has queries")),
                (Kind::Row, true) | (_, false) => {}
                (_, true) => errors.push(format!("panel {name} has no query")),
            }
            for (q, ref_id) in p.queries.iter().zip(REF_IDS.chars()) {
                if let Err(messages) = checker.check_expr(&q.expr) {
                    errors.extend(
                        messages
                            .into_iter()
                            .map(|m| format!("panel {name} query {ref_id}: {m}")),
                    );
                }
            }
            if p.queries.len() > REF_IDS.len() {
                errors.push(format!(
                    "panel {name} has {} queries; a panel holds at most {}",
                    p.queries.len(),
                    REF_IDS.len()
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// What a panel draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Lines over time (what Grafana's retired `graph` panel drew).
    Timeseries,
    /// The latest value, large.
    Stat,
    /// The latest value on a dial.
    Gauge,
    /// The latest value of each series, one row each (an instant query).
    Table,
    /// Histogram buckets over time (the query's result read as buckets, `le` by `le`).
    Heatmap,
    /// A row heading: no queries, full width.
    Row,
}

impl Kind {
    /// The Grafana panel type.
    pub fn grafana_type(self) -> &'static str {
        match self {
            Kind::Timeseries => "timeseries",
            Kind::Stat => "stat",
            Kind::Gauge => "gauge",
            Kind::Table => "table",
            Kind::Heatmap => "heatmap",
            Kind::Row => "row",
        }
    }

    /// The width a panel of this kind takes unless set: a quarter of the grid for a single
    /// value, half for the others, all of it for a row.
    pub fn default_width(self) -> u32 {
        match self {
            Kind::Stat | Kind::Gauge => GRID_WIDTH / 4,
            Kind::Row => GRID_WIDTH,
            _ => GRID_WIDTH / 2,
        }
    }

    fn options(self, unit: &str) -> Value {
        match self {
            Kind::Timeseries => {
                json!({ "legend": { "displayMode": "list", "placement": "bottom", "showLegend": true } })
            }
            Kind::Stat => stat_options(),
            Kind::Gauge => json!({
                "reduceOptions": last_value(),
                "showThresholdLabels": false, "showThresholdMarkers": true,
            }),
            Kind::Table => json!({ "showHeader": true }),
            Kind::Heatmap => heatmap_options(unit),
            Kind::Row => json!({}),
        }
    }
}

/// One panel of a [`Layout`].
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// What it draws.
    pub kind: Kind,
    /// Its title.
    pub title: String,
    /// Its queries, in order (refIds `A`, `B`, ...).
    pub queries: Vec<Query>,
    /// The Grafana unit of its values (`ops`, `s`, `bytes`, `percentunit`, `short`).
    pub unit: String,
    /// The label of its value axis, if any.
    pub axis_label: Option<String>,
    /// What it shows; the corrections of its queries are added when rendered.
    pub description: String,
    /// Its width in grid columns (of 24).
    pub width: u32,
}

impl Panel {
    /// An empty panel of `kind`, in unit `short`, [`Kind::default_width`] wide.
    pub fn new(kind: Kind, title: impl Into<String>) -> Self {
        Self {
            kind,
            title: title.into(),
            queries: Vec::new(),
            unit: "short".into(),
            axis_label: None,
            description: String::new(),
            width: kind.default_width(),
        }
    }

    /// Adds a query: `expr` drawn with legend `legend` (Grafana's `{{label}}` notation).
    pub fn query(self, expr: impl Into<String>, legend: impl Into<String>) -> Self {
        self.target(Query::new(expr, legend))
    }

    /// Adds a query built with [`Query::new`] (to mark it corrected).
    pub fn target(mut self, query: Query) -> Self {
        self.queries.push(query);
        self
    }

    /// Sets the Grafana unit.
    pub fn unit(mut self, unit: impl Into<String>) -> Self {
        self.unit = unit.into();
        self
    }

    /// Sets the label of the value axis.
    pub fn axis_label(mut self, label: impl Into<String>) -> Self {
        self.axis_label = Some(label.into());
        self
    }

    /// Sets the description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self
    }

    /// Sets the width in grid columns, at most 24.
    pub fn width(mut self, width: u32) -> Self {
        self.width = width.clamp(1, GRID_WIDTH);
        self
    }

    /// The description as rendered: the panel's own, then each corrected query's original and
    /// the reason.
    pub fn full_description(&self) -> String {
        let mut parts = Vec::new();
        if !self.description.trim().is_empty() {
            parts.push(self.description.trim().to_string());
        }
        for (q, ref_id) in self.queries.iter().zip(REF_IDS.chars()) {
            if let Some(c) = &q.correction {
                parts.push(format!(
                    "Query {ref_id} corrects the source's `{}`: {}",
                    c.original.trim(),
                    c.why.trim()
                ));
            }
        }
        parts.join("\n\n")
    }
}

/// One query of a [`Panel`].
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The PromQL.
    pub expr: String,
    /// The legend (`{{label}}` for a label's value).
    pub legend: String,
    /// Its Grafana unit, when it differs from its panel's (one panel charting a rate and a
    /// latency, say).
    pub unit: Option<String>,
    /// The source's original, when `expr` corrects it, and why.
    pub correction: Option<Correction>,
}

impl Query {
    /// `expr` drawn with legend `legend`.
    pub fn new(expr: impl Into<String>, legend: impl Into<String>) -> Self {
        Self {
            expr: expr.into(),
            legend: legend.into(),
            unit: None,
            correction: None,
        }
    }

    /// Sets the Grafana unit of this query's series, overriding its panel's.
    pub fn unit(mut self, unit: impl Into<String>) -> Self {
        self.unit = Some(unit.into());
        self
    }

    /// Records that `expr` corrects `original` from the source, and why.
    pub fn corrects(mut self, original: impl Into<String>, why: impl Into<String>) -> Self {
        self.correction = Some(Correction::new(original, why));
        self
    }
}

/// The Grafana dashboard JSON of `layout`.
///
/// Everything but the uid, title, description, tags and panels is that of a generated
/// dashboard ([`crate::dashboard::dashboard`]), down to its data source variable, which every
/// panel and query reads from.
pub fn render(layout: &Layout) -> Value {
    let mut board = crate::dashboard::dashboard(&Project::new("", ""), &Group::new("", ""));
    let variables = board["templating"]["list"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let datasource_variables: Vec<Value> = variables
        .into_iter()
        .filter(|v| v["type"] == "datasource")
        .collect();
    // A panel names a data source variable `name` of plugin `type` as `${name}`.
    let datasource = datasource_variables
        .first()
        .map(|v| {
            let name = v["name"].as_str().unwrap_or_default();
            json!({ "type": v["query"], "uid": format!("${{{name}}}") })
        })
        .unwrap_or(Value::Null);
    let mut tags = vec![json!("promdecl")];
    tags.extend(layout.tags.iter().map(|t| json!(t)));
    board["uid"] = json!(crate::dashboard::uid(&layout.uid));
    board["title"] = json!(layout.title);
    board["description"] = json!(layout.description);
    board["tags"] = json!(tags);
    board["templating"] = json!({ "list": datasource_variables });
    board["panels"] = json!(panels(layout, &datasource));
    board
}

/// `layout` as a file at [`crate::layout::dashboard`]`(name)`, written like the generated
/// dashboards.
///
/// ```
/// use promdecl_gen::layout_dashboard::{file, Layout};
///
/// let f = file("shop-main", &Layout::new("shop-main", "Shop - Main"));
/// assert_eq!(f.path, "docs/dashboards/shop-main.json");
/// assert!(f.contents.ends_with("}\n"));
/// ```
pub fn file(name: &str, layout: &Layout) -> File {
    File::new(
        crate::layout::dashboard(name),
        format!("{:#}\n", render(layout)),
    )
}

fn panels(layout: &Layout, datasource: &Value) -> Vec<Value> {
    let mut grid = Grid::default();
    let mut out = Vec::with_capacity(layout.panels.len());
    for (i, p) in layout.panels.iter().enumerate() {
        let id = i + 1;
        if p.kind == Kind::Row {
            out.push(row_panel(id, &p.title, &mut grid));
            continue;
        }
        let targets: Vec<Value> = p
            .queries
            .iter()
            .zip(REF_IDS.chars())
            .map(|(q, ref_id)| target(p.kind, ref_id, q, datasource))
            .collect();
        let mut defaults = json!({ "unit": p.unit });
        if let Some(label) = &p.axis_label {
            defaults["custom"] = json!({ "axisLabel": label });
        }
        // A query's own unit overrides the panel's for the series of that query.
        let overrides: Vec<Value> = p
            .queries
            .iter()
            .zip(REF_IDS.chars())
            .filter_map(|(q, ref_id)| {
                let unit = q.unit.as_ref()?;
                Some(json!({
                    "matcher": { "id": "byFrameRefID", "options": ref_id.to_string() },
                    "properties": [{ "id": "unit", "value": unit }],
                }))
            })
            .collect();
        out.push(json!({
            "id": id,
            "type": p.kind.grafana_type(),
            "title": p.title,
            "description": p.full_description(),
            "gridPos": grid.place(p.width, PANEL_HEIGHT),
            "datasource": datasource,
            "targets": targets,
            "fieldConfig": { "defaults": defaults, "overrides": overrides },
            "options": p.kind.options(&p.unit),
        }));
    }
    out
}

fn target(kind: Kind, ref_id: char, q: &Query, datasource: &Value) -> Value {
    let mut t = json!({
        "refId": ref_id.to_string(), "expr": q.expr, "legendFormat": q.legend,
        "datasource": datasource, "range": true, "instant": false,
    });
    match kind {
        Kind::Table => instant_table(&mut t),
        Kind::Heatmap => t["format"] = json!("heatmap"),
        _ => {}
    }
    t
}
