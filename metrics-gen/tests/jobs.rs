//! Per-group scrape jobs, the `alerting:` block, the Alertmanager configuration and the
//! Kubernetes `ServiceMonitor`: their shapes, and their validity for the real validators
//! (`promtool check config`, `amtool check-config`, the operator's CRD schema).

mod common;

use common::{file, project, scratch};
use promdecl_gen::alertmanager::{
    self, Alertmanager, Email, PagerDuty, Receiver, Route, Slack, Webhook,
};
use promdecl_gen::kubernetes::{self, ServiceMonitor};
use promdecl_gen::{generate, write, Group, Job, Project, Relabel};
use serde_yaml::Value;

fn yaml(text: &str) -> Value {
    serde_yaml::from_str(text).unwrap_or_else(|e| panic!("{e}\n---\n{text}"))
}

/// A job as a seed document gives one: its own interval and timeout, and relabelling.
fn nodes_job() -> Job {
    Job::new("shop-nodes")
        .target("127.0.0.1:3001")
        .target("127.0.0.1:3002")
        .scrape_interval("15s")
        .scrape_timeout("10s")
        .relabel(Relabel::new(["__address__"], "instance"))
        .relabel(
            Relabel::new(["__address__"], "node")
                .regex("([^:]+):.*")
                .replacement("${1}"),
        )
}

/// The shop project with its group scraped as its own job, a second group without one, and
/// an Alertmanager.
fn jobs_project() -> Project {
    let mut p = project()
        .group(Group::new("ops", "Operations"))
        .alertmanagers(["127.0.0.1:9093"]);
    p.groups[0] = p.groups[0].clone().job(nodes_job());
    p
}

#[test]
fn a_group_with_a_job_is_scraped_as_that_job_and_the_rest_as_the_projects() {
    let files = generate(&jobs_project());
    let config = yaml(file(&files, "docs/prometheus.yml"));
    let jobs = config["scrape_configs"].as_sequence().unwrap();
    let names: Vec<&str> = jobs
        .iter()
        .map(|j| j["job_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["shop", "shop-nodes"], "`ops` has no job of its own");
    let nodes = &jobs[1];
    assert_eq!(nodes["scrape_interval"], "15s");
    assert_eq!(nodes["scrape_timeout"], "10s");
    assert_eq!(nodes["metrics_path"], "/metrics");
    assert_eq!(
        nodes["static_configs"][0]["targets"],
        yaml("[127.0.0.1:3001, 127.0.0.1:3002]")
    );
    assert_eq!(
        nodes["relabel_configs"],
        yaml(
            "- {source_labels: [__address__], target_label: instance}\n\
             - {source_labels: [__address__], regex: '([^:]+):.*', target_label: node, replacement: '${1}'}"
        )
    );
    assert_eq!(jobs[0]["static_configs"][0]["targets"][0], "127.0.0.1:3000");
    assert!(
        jobs[0].get("relabel_configs").is_none() && jobs[0].get("scrape_interval").is_none(),
        "the project's job keeps the global settings"
    );
    assert_eq!(
        config["alerting"],
        yaml("alertmanagers: [{static_configs: [{targets: [127.0.0.1:9093]}]}]")
    );
    // The text as it reads, in the order of Prometheus' documentation.
    let text = file(&files, "docs/prometheus.yml");
    assert!(
        text.contains(
            "- job_name: shop-nodes\n  scrape_interval: 15s\n  scrape_timeout: 10s\n  metrics_path: /metrics\n"
        ),
        "{text}"
    );
}

#[test]
fn the_projects_job_is_left_out_when_every_group_has_its_own() {
    let mut p = project().group(Group::new("ops", "Operations"));
    p.groups[0] = p.groups[0].clone().job(nodes_job());
    // A job shared by two groups (two sets of families served by one process) is listed once.
    p.groups[1] = p.groups[1].clone().job(nodes_job());
    let jobs = promdecl_gen::scrape::jobs(&p);
    assert_eq!(jobs, [nodes_job()]);
    let config = yaml(&promdecl_gen::scrape::config(&p));
    assert_eq!(config["scrape_configs"].as_sequence().unwrap().len(), 1);
    assert!(config.get("alerting").is_none(), "no Alertmanagers given");
    assert_eq!(p.job_of(&p.groups[1]), "shop-nodes");
}

#[test]
fn promtool_accepts_the_config_with_jobs_relabelling_and_alerting() {
    let dir = scratch("jobs-promtool");
    write(&dir, &generate(&jobs_project())).unwrap();
    let config = dir.join("docs/prometheus.yml");
    if let Some((ok, out)) = tests::promtool(&["check", "config", config.to_str().unwrap()]) {
        assert!(ok, "promtool check config:\n{out}");
        assert!(out.contains("SUCCESS"), "{out}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn promtool_rejects_a_timeout_above_the_interval() {
    // The validator really reads the per-job settings.
    let dir = scratch("jobs-promtool-bad");
    let mut p = jobs_project();
    p.groups[0] = p.groups[0].clone().job(
        Job::new("slow")
            .target("127.0.0.1:1")
            .scrape_interval("5s")
            .scrape_timeout("10s"),
    );
    write(&dir, &generate(&p)).unwrap();
    let config = dir.join("docs/prometheus.yml");
    if let Some((ok, out)) = tests::promtool(&["check", "config", config.to_str().unwrap()]) {
        assert!(
            !ok,
            "promtool accepted a 10s timeout on a 5s interval:\n{out}"
        );
        assert!(
            out.contains("scrape timeout greater than scrape interval"),
            "{out}"
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}

/// Every route, receiver kind and option the model has.
fn routing() -> Alertmanager {
    Alertmanager::new(
        Route::new("web.hook")
            .group_by(["alertname"])
            .group_wait("10s")
            .group_interval("10s")
            .repeat_interval("1h")
            .route(
                Route::new("pagerduty")
                    .matcher(r#"severity="critical""#)
                    .continue_(),
            )
            .route(Route::new("slack").matcher(r#"severity=~"warning|critical""#))
            .route(Route::new("mail").matcher("team=ops")),
    )
    .smtp("localhost:587", "alerts@example.com")
    .receiver(
        Receiver::new("web.hook")
            .webhook(Webhook::new("http://localhost:5001/").send_resolved(true)),
    )
    .receiver(
        Receiver::new("slack").slack(
            Slack::new("https://hooks.slack.com/services/T0/B0/XXXX")
                .channel("#alerts")
                .title("Shop alert")
                .text("{{ range .Alerts }}{{ .Annotations.summary }}{{ end }}")
                .send_resolved(true),
        ),
    )
    .receiver(
        Receiver::new("pagerduty")
            .pagerduty(PagerDuty::service_key("KEY").description("{{ .GroupLabels.alertname }}"))
            .pagerduty(PagerDuty::routing_key("ROUTING").send_resolved(false)),
    )
    .receiver(
        Receiver::new("mail").email(
            Email::new("ops@example.com")
                .from("shop@example.com")
                .smarthost("mail.example.com:25")
                .send_resolved(true),
        ),
    )
}

#[test]
fn the_alertmanager_configuration_is_generated_in_alertmanagers_shape() {
    let files = generate(&jobs_project().alertmanager_config(routing()));
    let text = file(&files, "docs/alertmanager.yml");
    assert!(text.starts_with("# generated by promdecl-gen"), "{text}");
    let config = yaml(text);
    assert_eq!(
        config["global"],
        yaml("{smtp_smarthost: 'localhost:587', smtp_from: alerts@example.com}")
    );
    let route = &config["route"];
    assert_eq!(route["receiver"], "web.hook");
    assert_eq!(route["group_by"], yaml("[alertname]"));
    assert_eq!(
        (
            &route["group_wait"],
            &route["group_interval"],
            &route["repeat_interval"]
        ),
        (&yaml("10s"), &yaml("10s"), &yaml("1h"))
    );
    assert_eq!(
        route["routes"][0],
        yaml("{receiver: pagerduty, matchers: ['severity=\"critical\"'], continue: true}")
    );
    let receivers = &config["receivers"];
    assert_eq!(
        receivers[0],
        yaml("{name: web.hook, webhook_configs: [{url: 'http://localhost:5001/', send_resolved: true}]}")
    );
    let slack = &receivers[1]["slack_configs"][0];
    assert_eq!(slack["channel"], "#alerts");
    assert_eq!(
        slack["text"],
        "{{ range .Alerts }}{{ .Annotations.summary }}{{ end }}"
    );
    assert_eq!(receivers[2]["pagerduty_configs"][0]["service_key"], "KEY");
    assert_eq!(
        receivers[2]["pagerduty_configs"][1]["routing_key"],
        "ROUTING"
    );
    assert_eq!(receivers[3]["email_configs"][0]["to"], "ops@example.com");
    assert!(
        !generate(&project())
            .iter()
            .any(|f| f.path == "docs/alertmanager.yml"),
        "no routing, no file"
    );
}

/// `amtool check-config` on `config` written under a scratch directory.
fn amtool_check(name: &str, config: &Alertmanager) -> Option<(bool, String)> {
    let dir = scratch(name);
    let project = Project::new("Shop", "shop").alertmanager_config(config.clone());
    write(&dir, &generate(&project)).unwrap();
    let path = dir.join("docs/alertmanager.yml");
    let result = tests::amtool(&["check-config", path.to_str().unwrap()]);
    std::fs::remove_dir_all(dir).unwrap();
    result
}

#[test]
fn amtool_accepts_the_alertmanager_configuration() {
    if let Some((ok, out)) = amtool_check("amtool", &routing()) {
        assert!(ok, "amtool check-config:\n{out}");
        assert!(
            out.contains("SUCCESS") && out.contains(" - 4 receivers"),
            "{out}"
        );
    }
}

#[test]
fn amtool_rejects_a_route_to_an_undeclared_receiver() {
    // The validator really reads the routing tree.
    let mut broken = routing();
    broken.route.routes.push(Route::new("nobody"));
    if let Some((ok, out)) = amtool_check("amtool-bad", &broken) {
        assert!(
            !ok,
            "amtool accepted a route to an undeclared receiver:\n{out}"
        );
        assert!(out.contains("\"nobody\""), "{out}");
    }
    assert!(alertmanager::config(&broken).contains("- receiver: nobody\n"));
}

// ---- the ServiceMonitor against the operator's CRD ----

/// The `openAPIV3Schema` of the `v1` version of the committed CRD, and the group/version and
/// kind every manifest of it must carry.
fn crd() -> (Value, String, String) {
    let text = include_str!("fixtures/servicemonitors.crd.yaml");
    let crd = yaml(text);
    assert_eq!(crd["kind"], "CustomResourceDefinition");
    let spec = &crd["spec"];
    let version = spec["versions"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "v1")
        .expect("the CRD serves v1");
    assert_eq!(version["served"], true);
    let api_version = format!("{}/v1", spec["group"].as_str().unwrap());
    let kind = spec["names"]["kind"].as_str().unwrap().to_string();
    (
        version["schema"]["openAPIV3Schema"].clone(),
        api_version,
        kind,
    )
}

/// Every way `value` (at `path`) departs from `schema`: a key the schema does not have, a
/// missing required key, a type or enum mismatch. The structural subset of OpenAPI v3 the
/// operator's CRDs use: `type`, `properties`, `additionalProperties`, `items`, `required`,
/// `enum`, `x-kubernetes-int-or-string`; `pattern`s are not checked.
fn schema_errors(value: &Value, schema: &Value, path: &str, errors: &mut Vec<String>) {
    if schema["x-kubernetes-int-or-string"] == true {
        if !(value.is_string() || value.is_i64() || value.is_u64()) {
            errors.push(format!(
                "{path}: expected an integer or a string, got {value:?}"
            ));
        }
        return;
    }
    let Some(kind) = schema["type"].as_str() else {
        return;
    };
    let matches = match kind {
        "object" => value.is_mapping(),
        "array" => value.is_sequence(),
        "string" => value.is_string(),
        "boolean" => value.is_bool(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        other => panic!("{path}: schema type {other} not handled"),
    };
    if !matches {
        errors.push(format!("{path}: expected {kind}, got {value:?}"));
        return;
    }
    if let Some(allowed) = schema["enum"].as_sequence() {
        if !allowed.contains(value) {
            errors.push(format!("{path}: {value:?} is not one of {allowed:?}"));
        }
    }
    if let Some(items) = value.as_sequence() {
        for (i, item) in items.iter().enumerate() {
            schema_errors(item, &schema["items"], &format!("{path}[{i}]"), errors);
        }
    }
    let Some(map) = value.as_mapping() else {
        return;
    };
    for required in schema["required"].as_sequence().into_iter().flatten() {
        if !map.contains_key(required) {
            errors.push(format!(
                "{path}: required `{}` missing",
                required.as_str().unwrap()
            ));
        }
    }
    for (key, child) in map {
        let key = key.as_str().expect("string keys");
        let child_path = format!("{path}.{key}");
        if let Some(property) = schema["properties"].get(key) {
            schema_errors(child, property, &child_path, errors);
        } else if schema["additionalProperties"].is_mapping() {
            schema_errors(child, &schema["additionalProperties"], &child_path, errors);
        } else if schema.get("properties").is_some() {
            errors.push(format!("{child_path}: not in the schema"));
        }
        // An object with neither (`metadata`) is not described by the CRD.
    }
}

/// The schema errors of a `ServiceMonitor` manifest, including its `apiVersion` and `kind`
/// and the `metadata` fields it uses (which Kubernetes, not the CRD, defines).
fn manifest_errors(manifest: &Value) -> Vec<String> {
    let (schema, api_version, kind) = crd();
    let mut errors = Vec::new();
    schema_errors(manifest, &schema, "", &mut errors);
    if manifest["apiVersion"] != api_version.as_str() || manifest["kind"] != kind.as_str() {
        errors.push(format!(
            "expected apiVersion {api_version} and kind {kind}, got {:?} and {:?}",
            manifest["apiVersion"], manifest["kind"]
        ));
    }
    let object_meta = yaml(
        "type: object\nrequired: [name]\nproperties:\n  name: {type: string}\n  namespace: {type: string}\n  \
         labels: {type: object, additionalProperties: {type: string}}",
    );
    schema_errors(
        &manifest["metadata"],
        &object_meta,
        ".metadata",
        &mut errors,
    );
    errors
}

/// A group asking for a `ServiceMonitor` with everything set.
fn monitored_project() -> Project {
    let monitor = ServiceMonitor::new("metrics")
        .namespace("shop")
        .label("release", "prometheus")
        .selector("app.kubernetes.io/name", "shop")
        .selector("app.kubernetes.io/component", "api");
    let mut p = jobs_project();
    p.groups[0] = p.groups[0].clone().service_monitor(monitor);
    p.groups[1] = p.groups[1].clone().service_monitor(
        ServiceMonitor::new("http")
            .path("/internal/metrics")
            .interval("1m"),
    );
    p
}

#[test]
fn the_service_monitor_carries_the_job_and_its_settings() {
    let files = generate(&monitored_project());
    let monitor = yaml(file(&files, "docs/kubernetes/shop-servicemonitor.yaml"));
    assert_eq!(monitor["metadata"]["name"], "shop-nodes");
    assert_eq!(monitor["metadata"]["namespace"], "shop");
    assert_eq!(monitor["metadata"]["labels"]["release"], "prometheus");
    assert_eq!(
        monitor["spec"]["selector"]["matchLabels"],
        yaml("{app.kubernetes.io/name: shop, app.kubernetes.io/component: api}")
    );
    let endpoint = &monitor["spec"]["endpoints"][0];
    assert_eq!(endpoint["port"], "metrics");
    assert_eq!(endpoint["path"], "/metrics");
    assert_eq!(endpoint["interval"], "15s", "the job's");
    assert_eq!(endpoint["scrapeTimeout"], "10s", "the job's");
    assert_eq!(
        endpoint["relabelings"],
        yaml(
            "- {targetLabel: job, replacement: shop-nodes}\n\
             - {sourceLabels: [__address__], targetLabel: instance}\n\
             - {sourceLabels: [__address__], regex: '([^:]+):.*', targetLabel: node, replacement: '${1}'}"
        )
    );
    // A group without a job: the project's job, and the monitor's own path and interval.
    let ops = yaml(file(&files, "docs/kubernetes/ops-servicemonitor.yaml"));
    assert_eq!(ops["metadata"]["name"], "shop");
    assert_eq!(ops["spec"]["selector"], yaml("{}"));
    let endpoint = &ops["spec"]["endpoints"][0];
    assert_eq!(
        (&endpoint["port"], &endpoint["path"], &endpoint["interval"]),
        (&yaml("http"), &yaml("/internal/metrics"), &yaml("1m"))
    );
    assert!(endpoint.get("scrapeTimeout").is_none());
    assert_eq!(
        endpoint["relabelings"],
        yaml("[{targetLabel: job, replacement: shop}]")
    );
    assert!(
        kubernetes::files(&jobs_project()).is_empty(),
        "no group asks for a monitor"
    );
}

#[test]
fn the_service_monitors_match_the_operators_crd_schema() {
    let project = monitored_project();
    let monitors = kubernetes::files(&project);
    assert_eq!(monitors.len(), 2);
    for f in &monitors {
        let errors = manifest_errors(&yaml(&f.contents));
        assert!(
            errors.is_empty(),
            "{}:\n{}\n---\n{}",
            f.path,
            errors.join("\n"),
            f.contents
        );
    }
}

#[test]
fn the_schema_check_catches_unknown_keys_wrong_types_and_missing_fields() {
    // The check itself: a manifest that departs from the CRD in each way is reported.
    let files = kubernetes::files(&monitored_project());
    let mut manifest = yaml(&files[0].contents);
    let endpoint = manifest["spec"]["endpoints"][0].as_mapping_mut().unwrap();
    endpoint.insert("scrape_timeout".into(), "10s".into());
    endpoint.insert("port".into(), 8080.into());
    endpoint["relabelings"][0]
        .as_mapping_mut()
        .unwrap()
        .insert("action".into(), "rename".into());
    manifest["spec"]
        .as_mapping_mut()
        .unwrap()
        .remove("selector");
    manifest["metadata"]
        .as_mapping_mut()
        .unwrap()
        .remove("name");
    manifest["kind"] = "PodMonitor".into();
    let errors = manifest_errors(&manifest).join("\n");
    for expected in [
        ".spec.endpoints[0].scrape_timeout: not in the schema",
        ".spec.endpoints[0].port: expected string",
        ".spec.endpoints[0].relabelings[0].action: String(\"rename\") is not one of",
        ".spec: required `selector` missing",
        ".metadata: required `name` missing",
        "kind ServiceMonitor",
    ] {
        assert!(errors.contains(expected), "{expected} not in:\n{errors}");
    }
}
