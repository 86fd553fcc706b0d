//! Prometheus rule files: `docs/alerts/<group>.rules.yml`, one per group that has rules, in the
//! format `promtool check rules` reads (groups with their interval; alerting rules with `for`,
//! labels and annotations; recording rules with labels).

use serde_yaml::{Mapping, Value};

use crate::layout;
use crate::model::Group;
use crate::rules::{Rule, RuleGroup};

/// The rule file of `group`, or `None` when it declares no rules.
///
/// ```
/// use promdecl_gen::{rule_files, Alert, Group, RuleGroup};
///
/// let group = Group::new("shop", "Shop").rules(
///     RuleGroup::new("shop").interval("30s").alert(
///         Alert::new("ShopDown").expr(r#"up{job="shop"} == 0"#).for_("5m").label("severity", "page"),
///     ),
/// );
/// let yaml = rule_files::rule_file(&group).unwrap();
/// assert!(yaml.contains("- name: shop\n  interval: 30s\n  rules:\n  - alert: ShopDown\n"));
/// assert!(rule_files::rule_file(&Group::new("empty", "Empty")).is_none());
/// ```
pub fn rule_file(group: &Group) -> Option<String> {
    if group.rules.iter().all(|g| g.rules.is_empty()) {
        return None;
    }
    let groups: Vec<Value> = group.rules.iter().map(rule_group).collect();
    let mut file = Mapping::new();
    file.insert("groups".into(), Value::Sequence(groups));
    let yaml = serde_yaml::to_string(&file).unwrap_or_default();
    Some(format!("# {}\n{yaml}", layout::GENERATED))
}

fn rule_group(g: &RuleGroup) -> Value {
    let mut out = Mapping::new();
    out.insert("name".into(), g.name.as_str().into());
    if let Some(i) = &g.interval {
        out.insert("interval".into(), i.as_str().into());
    }
    let rules: Vec<Value> = g.rules.iter().map(rule).collect();
    out.insert("rules".into(), Value::Sequence(rules));
    Value::Mapping(out)
}

fn rule(r: &Rule) -> Value {
    let mut out = Mapping::new();
    match r {
        Rule::Alert(a) => {
            out.insert("alert".into(), a.alert.as_str().into());
            out.insert("expr".into(), a.expr.trim().into());
            if let Some(f) = &a.for_ {
                out.insert("for".into(), f.as_str().into());
            }
            labels(&mut out, &a.labels);
            if !a.annotations.is_empty() {
                out.insert("annotations".into(), pairs(&a.annotations));
            }
        }
        Rule::Record(rec) => {
            out.insert("record".into(), rec.record.as_str().into());
            out.insert("expr".into(), rec.expr.trim().into());
            labels(&mut out, &rec.labels);
        }
    }
    Value::Mapping(out)
}

fn labels(rule: &mut Mapping, labels: &[(String, String)]) {
    if !labels.is_empty() {
        rule.insert("labels".into(), pairs(labels));
    }
}

fn pairs(kv: &[(String, String)]) -> Value {
    Value::Mapping(
        kv.iter()
            .map(|(k, v)| (k.as_str().into(), v.as_str().into()))
            .collect(),
    )
}
