//! One scrape job per system, as its document names and configures it; the Alertmanager block
//! and routing of the bridge document; x0tta6bl4's `ServiceMonitor`; the demo's per-system
//! ports. The generated configurations pass `promtool check config` and `amtool check-config`.

use std::collections::BTreeSet;
use std::process::{Command, Stdio};

use promdecl_catalog::{jobs, project, SYSTEMS};

/// The job names the documents give (x0tta6bl4's names none: its system name).
const DOCUMENTED_JOBS: [(&str, &str); 5] = [
    ("chorus", "chorus-nodes"),
    ("zerostate", "zerostate-api"),
    ("x0tta6bl4", "x0tta6bl4"),
    ("semstreams", "streamkit"),
    ("bridge", "chorus-bridge"),
];

fn generated(path: &str) -> String {
    promdecl_gen::generate(&project())
        .into_iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("{path} not generated"))
        .contents
}

#[test]
fn every_system_has_its_documents_job_on_its_own_port() {
    let systems: Vec<&str> = SYSTEMS.iter().map(|s| s.name).collect();
    let documented: Vec<&str> = DOCUMENTED_JOBS.iter().map(|(s, _)| *s).collect();
    assert_eq!(systems, documented);
    let mut ports = BTreeSet::new();
    for (system, name) in DOCUMENTED_JOBS {
        let job = jobs::job(system).unwrap_or_else(|| panic!("{system} has no job"));
        assert_eq!(job.name, name);
        let port = jobs::port(system).unwrap();
        assert!(ports.insert(port), "{system}: port {port} used twice");
        assert_ne!(port, 7979, "the whole catalog's port");
        assert_eq!(job.targets, [format!("127.0.0.1:{port}")]);
        assert_eq!(job.metrics_path, "/metrics");
        let group = project()
            .groups
            .into_iter()
            .find(|g| g.name == system)
            .unwrap();
        assert_eq!(
            group.job.as_ref(),
            Some(&job),
            "{system}: project() uses jobs::job"
        );
    }
    assert_eq!(jobs::port("nope"), None);
}

#[test]
fn intervals_timeouts_and_relabelling_are_the_documents() {
    let chorus = jobs::job("chorus").unwrap();
    assert_eq!(chorus.scrape_interval.as_deref(), Some("15s"));
    assert_eq!(chorus.scrape_timeout.as_deref(), Some("10s"));
    let config = generated("docs/prometheus.yml");
    assert!(
        config.contains(
            "- job_name: chorus-nodes\n  scrape_interval: 15s\n  scrape_timeout: 10s\n  metrics_path: /metrics\n  static_configs:\n  - targets:\n    - 127.0.0.1:7981\n  relabel_configs:\n  - source_labels:\n    - __address__\n    target_label: instance\n  - source_labels:\n    - __address__\n    regex: ([^:]+):.*\n    target_label: node\n    replacement: ${1}\n"
        ),
        "{config}"
    );
    assert!(
        config.contains("- job_name: chorus-bridge\n  scrape_interval: 5s\n  scrape_timeout: 5s\n"),
        "{config}"
    );
    for (name, interval) in [
        ("zerostate-api", "15s"),
        ("x0tta6bl4", "30s"),
        ("streamkit", "15s"),
    ] {
        let job = format!(
            "- job_name: {name}\n  scrape_interval: {interval}\n  metrics_path: /metrics\n"
        );
        assert!(config.contains(&job), "{job}\n---\n{config}");
    }
    assert!(
        !config.contains(promdecl_catalog::JOB),
        "every system has its own job: the whole catalog's is not scraped"
    );
    assert!(
        config.ends_with("alerting:\n  alertmanagers:\n  - static_configs:\n    - targets:\n      - 127.0.0.1:9093\n"),
        "{config}"
    );
}

#[test]
fn rules_select_the_job_of_their_own_system() {
    let project = project();
    let mut selected = 0;
    for group in &project.groups {
        for rule in group.rules.iter().flat_map(|g| &g.rules) {
            let mut rest = rule.expr();
            while let Some(at) = rest.find("job=\"") {
                let value = &rest[at + 5..];
                let end = value.find('"').unwrap();
                assert_eq!(
                    &value[..end],
                    project.job_of(group),
                    "{}: rule {} selects another job",
                    group.name,
                    rule.name()
                );
                selected += 1;
                rest = &value[end..];
            }
        }
    }
    assert!(
        selected > 0,
        "the bridge's ServiceDown selects up{{job=\"chorus-bridge\"}}"
    );
}

/// A scratch directory holding every generated file.
fn written(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("promdecl-catalog-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    promdecl_gen::write(&dir, &promdecl_gen::generate(&project())).unwrap();
    dir
}

#[test]
fn promtool_accepts_the_per_system_config() {
    let dir = written("jobs-promtool");
    let config = dir.join("docs/prometheus.yml");
    let result = tests::promtool(&["check", "config", config.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();
    if let Some((ok, out)) = result {
        assert!(ok && out.contains("SUCCESS"), "{out}");
    }
}

#[test]
fn the_bridge_documents_routing_is_generated_and_amtool_accepts_it() {
    let config = generated("docs/alertmanager.yml");
    for line in [
        "global:\n  smtp_smarthost: localhost:587\n  smtp_from: alerts@chorus.network\n",
        "route:\n  receiver: web.hook\n  group_by:\n  - alertname\n  group_wait: 10s\n  group_interval: 10s\n  repeat_interval: 1h\n",
        "- name: web.hook\n  webhook_configs:\n  - url: http://localhost:5001/\n    send_resolved: true\n",
        "- name: slack\n  slack_configs:\n  - api_url: https://hooks.slack.com/services/YOUR/SLACK/WEBHOOK\n    channel: '#alerts'\n    title: Chorus Bridge Alert\n    text: '{{ range .Alerts }}{{ .Annotations.summary }}{{ end }}'\n",
        "- name: pagerduty\n  pagerduty_configs:\n  - service_key: YOUR_PAGERDUTY_SERVICE_KEY\n    description: '{{ .GroupLabels.alertname }}'\n",
    ] {
        assert!(config.contains(line), "{line}\n---\n{config}");
    }
    let dir = written("jobs-amtool");
    let path = dir.join("docs/alertmanager.yml");
    let result = tests::amtool(&["check-config", path.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();
    if let Some((ok, out)) = result {
        assert!(ok, "amtool check-config:\n{out}");
        assert!(out.contains(" - 3 receivers"), "{out}");
    }
}

#[test]
fn x0tta6bl4_alone_has_a_service_monitor() {
    let files = promdecl_gen::generate(&project());
    let monitors: Vec<&str> = files
        .iter()
        .filter(|f| f.path.starts_with("docs/kubernetes/"))
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(monitors, ["docs/kubernetes/x0tta6bl4-servicemonitor.yaml"]);
    let monitor = generated("docs/kubernetes/x0tta6bl4-servicemonitor.yaml");
    let body: Vec<&str> = monitor.lines().skip(1).collect();
    assert_eq!(
        body,
        [
            "apiVersion: monitoring.coreos.com/v1",
            "kind: ServiceMonitor",
            "metadata:",
            "  name: x0tta6bl4",
            "spec:",
            "  selector:",
            "    matchLabels:",
            "      app.kubernetes.io/name: x0tta6bl4",
            "  endpoints:",
            "  - port: metrics",
            "    path: /metrics",
            "    interval: 30s",
            "    relabelings:",
            "    - targetLabel: job",
            "      replacement: x0tta6bl4",
        ]
    );
}

/// Runs the demo with `args` (no `METRICS_*` variable set) until it exits: its status and
/// output. Only for runs that exit at once (a bad flag, an address in use).
fn demo(args: &[&str]) -> (bool, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_promdecl-demo"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("METRICS_") {
            cmd.env_remove(key);
        }
    }
    let out = cmd
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run promdecl-demo");
    let text = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text.into_owned())
}

#[test]
fn the_demo_serves_one_system_on_its_jobs_port() {
    // With the port taken (here, or by anything else), the demo names the address it tried
    // and exits, without ever serving.
    let addr = jobs::target("bridge").unwrap();
    let _taken = std::net::TcpListener::bind(&addr);
    let (ok, out) = demo(&["--system", "bridge", "--workload-ms", "0"]);
    assert!(!ok, "{out}");
    assert!(out.contains(&format!("cannot listen on {addr}")), "{out}");
    // An explicit address wins.
    let other = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let other_addr = other.local_addr().unwrap().to_string();
    let (ok, out) = demo(&[
        "--system",
        "bridge",
        "--listen",
        &other_addr,
        "--workload-ms",
        "0",
    ]);
    assert!(!ok, "{out}");
    assert!(
        out.contains(&format!("cannot listen on {other_addr}")),
        "{out}"
    );
    // The help gives every system's port.
    let (ok, help) = demo(&["--help"]);
    assert!(ok, "{help}");
    assert!(
        help.contains("7981 chorus, 7982 zerostate, 7983 x0tta6bl4, 7984 semstreams, 7985 bridge"),
        "{help}"
    );
}
