//! `docs/prometheus.yml`: a Prometheus configuration that scrapes the project's job and loads
//! its generated rule files, valid for `promtool check config`.

use serde_yaml::{Mapping, Value};

use crate::layout;
use crate::model::Project;
use crate::rule_files::rule_file;

/// The Prometheus configuration of `project`.
///
/// ```
/// let project = promdecl_gen::Project::new("Shop", "shop").target("127.0.0.1:3000");
/// let yaml = promdecl_gen::scrape::config(&project);
/// assert!(yaml.contains("- job_name: shop\n  metrics_path: /metrics\n  static_configs:\n  - targets:\n    - 127.0.0.1:3000\n"));
/// assert!(!yaml.contains("global:"));
/// let yaml = promdecl_gen::scrape::config(&project.scrape_interval("15s"));
/// assert!(yaml.contains("global:\n  scrape_interval: 15s\n"));
/// ```
pub fn config(project: &Project) -> String {
    let rule_files: Vec<Value> = project
        .groups
        .iter()
        .filter(|g| rule_file(g).is_some())
        .map(|g| layout::relative(layout::SCRAPE_CONFIG, &layout::rule_file(&g.name)).into())
        .collect();
    let targets: Vec<Value> = project.targets.iter().map(|t| t.as_str().into()).collect();
    let mut static_config = Mapping::new();
    static_config.insert("targets".into(), Value::Sequence(targets));
    let mut job = Mapping::new();
    job.insert("job_name".into(), project.job.as_str().into());
    job.insert("metrics_path".into(), project.metrics_path.as_str().into());
    job.insert(
        "static_configs".into(),
        Value::Sequence(vec![Value::Mapping(static_config)]),
    );
    let mut config = Mapping::new();
    let mut global = Mapping::new();
    let intervals = [
        ("scrape_interval", &project.scrape_interval),
        ("evaluation_interval", &project.evaluation_interval),
    ];
    for (key, value) in intervals {
        if let Some(v) = value {
            global.insert(key.into(), v.as_str().into());
        }
    }
    if !global.is_empty() {
        config.insert("global".into(), Value::Mapping(global));
    }
    if !rule_files.is_empty() {
        config.insert("rule_files".into(), Value::Sequence(rule_files));
    }
    config.insert(
        "scrape_configs".into(),
        Value::Sequence(vec![Value::Mapping(job)]),
    );
    let yaml = serde_yaml::to_string(&config).unwrap_or_default();
    format!("# {}\n{yaml}", layout::GENERATED)
}
