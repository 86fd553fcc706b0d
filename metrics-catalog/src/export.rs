//! `export --format json`: every family of every system as one JSON document.

use serde_json::{json, Value};

use crate::SYSTEMS;

/// `{"families": [...]}` with `system`, `name`, `type`, `help`, `unit`, `labels`, `buckets`.
pub fn json() -> Value {
    let families: Vec<Value> = SYSTEMS
        .iter()
        .flat_map(|s| (s.families)().into_iter().map(move |f| (s.name, f)))
        .map(|(system, f)| {
            json!({
                "system": system,
                "name": f.name,
                "type": f.kind.as_str(),
                "help": f.help,
                "unit": f.unit,
                "labels": f.labels.iter().map(|l| json!({"name": l.name, "values": l.values})).collect::<Vec<_>>(),
                "buckets": f.buckets,
                "max_series": f.labels.iter().any(|l| l.is_free_form()).then(|| f.series_budget()),
                "note": f.note,
            })
        })
        .collect();
    json!({ "families": families })
}
