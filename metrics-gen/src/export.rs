//! The JSON export: every family of the project with its shape, and every rule with the families
//! it reads, so that a schema diff between two exports can name what a change breaks.
//!
//! ```
//! use promdecl_gen::{export, Project};
//!
//! let json = export::to_string(&Project::new("Shop", "shop"));
//! let back = export::read(&json).unwrap();
//! assert_eq!(back["families"].as_array().unwrap().len(), 0);
//! assert!(export::read(r#"{"families": [{"type": "counter"}]}"#).is_err());
//! ```

use promdecl::{FamilyDesc, Kind};
use serde_json::{json, Map, Value};

use crate::model::Project;
use crate::promql::families_read;
use crate::rules::Rule;

/// `{"title", "job", "families": [...], "rules": [...]}`.
///
/// Each family: `group`, `job` (the scrape job whose series carry it), `section`, `name`, `type`, `help`, `unit`, `labels` (`name` and
/// `values`, `null` for a free-form label), `buckets`, `max_series` (the series budget when it has
/// free-form labels), `note`, and for a summary `quantiles` and `max_age_seconds`. Each rule: `group` (the project group), `rule_group`, `name`,
/// `kind` (`alert` or `record`), `expr`, and `families`, the families it reads (through
/// recorded series too).
pub fn export(project: &Project) -> Value {
    let mut families = Vec::new();
    let mut rules = Vec::new();
    for g in &project.groups {
        for s in &g.sections {
            families.extend(s.families.iter().map(|f| {
                let mut f = family(&g.name, &s.title, f);
                f["job"] = project.job_of(g).into();
                f
            }));
        }
        for rg in &g.rules {
            for r in &rg.rules {
                let read: Vec<&str> = families_read(project, r.expr())
                    .iter()
                    .map(|f| f.name)
                    .collect();
                rules.push(json!({
                    "group": g.name,
                    "rule_group": rg.name,
                    "name": r.name(),
                    "kind": match r { Rule::Alert(_) => "alert", Rule::Record(_) => "record" },
                    "expr": r.expr().trim(),
                    "families": read,
                }));
            }
        }
    }
    json!({
        "title": project.title,
        "job": project.job,
        "families": families,
        "rules": rules,
    })
}

fn family(group: &str, section: &str, f: &FamilyDesc) -> Value {
    let labels: Vec<Value> = f
        .labels
        .iter()
        .map(|l| json!({ "name": l.name, "values": l.values }))
        .collect();
    let mut out = json!({
        "group": group,
        "section": section,
        "name": f.name,
        "type": f.kind.as_str(),
        "help": f.help,
        "unit": f.unit,
        "labels": labels,
        "buckets": f.buckets,
        "max_series": (f.free_form_count() > 0).then(|| f.series_budget()),
        "note": f.note,
    });
    if let Some(spec) = f.summary {
        out["quantiles"] = json!(spec.quantiles);
        out["max_age_seconds"] = json!(spec.max_age.as_secs());
    }
    out
}

/// [`export`] as pretty-printed JSON with a final newline.
pub fn to_string(project: &Project) -> String {
    format!("{:#}\n", export(project))
}

/// Reads an export back, checking its shape: `families` is a list of objects, each with a
/// string `name` and a known `type`, and `labels` (when present) a list of objects with a
/// `name`; `rules` (optional, absent from exports of families only) a list of objects with
/// string `name`, `kind` and `expr`.
pub fn read(json: &str) -> Result<Value, String> {
    let value: Value = serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
    let families = list(&value, "families")?.ok_or("no `families` list")?;
    for (i, f) in families.iter().enumerate() {
        let what = || format!("family {}", i + 1);
        let f = object(f, &what)?;
        let name = string(f, "name", &what)?;
        let what = || format!("family `{name}`");
        let kind = string(f, "type", &what)?;
        if Kind::from_name(kind).is_none() {
            return Err(format!("{}: unknown `type` {kind:?}", what()));
        }
        if let Some(labels) = f.get("labels").filter(|l| !l.is_null()) {
            let labels = labels
                .as_array()
                .ok_or_else(|| format!("{}: `labels` is not a list", what()))?;
            for l in labels {
                string(object(l, &what)?, "name", &|| {
                    format!("a label of {}", what())
                })?;
            }
        }
    }
    for (i, r) in list(&value, "rules")?.into_iter().flatten().enumerate() {
        let what = || format!("rule {}", i + 1);
        let r = object(r, &what)?;
        for key in ["name", "kind", "expr"] {
            string(r, key, &what)?;
        }
    }
    Ok(value)
}

fn list<'a>(v: &'a Value, key: &str) -> Result<Option<&'a Vec<Value>>, String> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => Ok(Some(a)),
        Some(_) => Err(format!("`{key}` is not a list")),
    }
}

fn object<'a>(v: &'a Value, what: &dyn Fn() -> String) -> Result<&'a Map<String, Value>, String> {
    v.as_object()
        .ok_or_else(|| format!("{} is not an object", what()))
}

fn string<'a>(
    o: &'a Map<String, Value>,
    key: &str,
    what: &dyn Fn() -> String,
) -> Result<&'a str, String> {
    o.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{} has no string `{key}`", what()))
}
