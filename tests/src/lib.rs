//! Cross-crate tests: the trybuild ui suite and end-to-end checks against real validators.
//!
//! The validators are external programs (`promtool`, Python's `prometheus_client`). When one is
//! missing, a test says so loudly and skips; under `CI` it fails instead, because `.ci/run`
//! installs them.

use std::io::Write;
use std::process::{Command, Stdio};

use promdecl::Format;

/// Whether `program` can run (`program --version`); if not, fails in CI and skips loudly locally.
pub fn require_tool(program: &str, how: &str) -> bool {
    let runs = Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    runs || missing(program, how).is_some()
}

/// Whether a missing external tool fails the test (in CI) or skips it (locally).
fn missing(tool: &str, how: &str) -> Option<()> {
    if std::env::var_os("CI").is_some() {
        panic!("{tool} is required in CI but is not installed ({how})");
    }
    eprintln!("\n!!! SKIPPED: {tool} is not installed ({how}); this check did not run !!!\n");
    None
}

fn run_with_stdin(cmd: &mut Command, input: &str) -> std::io::Result<(bool, String, String)> {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(input.as_bytes())?;
    let out = child.wait_with_output()?;
    Ok((
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

/// Runs `promtool check metrics` on a text exposition. `None` if promtool is absent (locally);
/// otherwise its combined output, which is empty when the exposition is clean.
pub fn promtool_check_metrics(text: &str) -> Option<Result<String, String>> {
    match run_with_stdin(Command::new("promtool").args(["check", "metrics"]), text) {
        Ok((ok, out, err)) => {
            let all = format!("{out}{err}");
            Some(if ok { Ok(all) } else { Err(all) })
        }
        Err(_) => missing("promtool", "apt-get install -y prometheus").map(|_| unreachable!()),
    }
}

/// Runs `promtool` with `args`; `None` if promtool is absent (locally), else success and output.
pub fn promtool(args: &[&str]) -> Option<(bool, String)> {
    run_tool("promtool", args, "apt-get install -y prometheus")
}

/// Runs `amtool` with `args`; `None` if amtool is absent (locally), else success and output.
pub fn amtool(args: &[&str]) -> Option<(bool, String)> {
    run_tool("amtool", args, "apt-get install -y prometheus-alertmanager")
}

/// Runs `program` with `args`: success and stdout followed by stderr; `None` when it is not
/// installed (locally; in CI that fails).
fn run_tool(program: &str, args: &[&str], how: &str) -> Option<(bool, String)> {
    match Command::new(program).args(args).output() {
        Ok(o) => Some((
            o.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            ),
        )),
        Err(_) => missing(program, how).map(|_| unreachable!()),
    }
}

/// One sample as Python's parser saw it: name, labels, value.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedSample {
    /// Sample name (with `_total`, `_bucket`, ... suffixes).
    pub name: String,
    /// Labels.
    pub labels: std::collections::BTreeMap<String, String>,
    /// Value.
    pub value: f64,
    /// The exemplar's labels and value, if the sample has one (OpenMetrics).
    pub exemplar: Option<(std::collections::BTreeMap<String, String>, f64)>,
}

/// One family as Python's parser saw it.
#[derive(Debug, Clone)]
pub struct ParsedFamily {
    /// Family name as the parser reports it.
    pub name: String,
    /// Type as the parser reports it.
    pub kind: String,
    /// HELP text, unescaped.
    pub help: String,
    /// Samples.
    pub samples: Vec<ParsedSample>,
}

const PY_PARSE: &str = r#"
import json, sys, math
fmt = sys.argv[1]
text = sys.stdin.read()
if fmt == "openmetrics":
    from prometheus_client.openmetrics.parser import text_string_to_metric_families
else:
    from prometheus_client.parser import text_string_to_metric_families
out = []
for f in text_string_to_metric_families(text):
    out.append({"name": f.name, "type": f.type, "help": f.documentation,
                "samples": [[s.name, s.labels, s.value if math.isfinite(s.value) else str(s.value),
                             [s.exemplar.labels, s.exemplar.value] if s.exemplar else None] for s in f.samples]})
print(json.dumps(out))
"#;

/// Parses an exposition with Python's `prometheus_client` (the OpenMetrics parser for
/// [`Format::OpenMetrics`], which is strict). `None` if Python or the package is absent (locally).
pub fn python_parse(text: &str, format: Format) -> Option<Result<Vec<ParsedFamily>, String>> {
    let fmt = match format {
        Format::Text => "text",
        Format::OpenMetrics => "openmetrics",
        other => return Some(Err(format!("Python's parsers do not read {other:?}"))),
    };
    let probe = Command::new("python3")
        .args(["-c", "import prometheus_client"])
        .output();
    if !probe.map(|o| o.status.success()).unwrap_or(false) {
        return missing(
            "python3 with prometheus_client",
            "pip install prometheus_client",
        )
        .map(|_| unreachable!());
    }
    let (ok, out, err) = run_with_stdin(Command::new("python3").args(["-c", PY_PARSE, fmt]), text)
        .expect("python3 runs");
    if !ok {
        return Some(Err(err));
    }
    let json: serde_json::Value = serde_json::from_str(&out).expect("parser prints JSON");
    let families = json
        .as_array()
        .expect("array")
        .iter()
        .map(|f| ParsedFamily {
            name: f["name"].as_str().unwrap_or_default().to_string(),
            kind: f["type"].as_str().unwrap_or_default().to_string(),
            help: f["help"].as_str().unwrap_or_default().to_string(),
            samples: f["samples"]
                .as_array()
                .expect("samples")
                .iter()
                .map(|s| ParsedSample {
                    name: s[0].as_str().unwrap_or_default().to_string(),
                    labels: s[1]
                        .as_object()
                        .expect("labels")
                        .iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                        .collect(),
                    value: s[2].as_f64().unwrap_or_else(|| {
                        s[2].as_str()
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(f64::NAN)
                    }),
                    exemplar: s[3].as_array().map(|e| {
                        let labels = e[0].as_object().expect("exemplar labels");
                        let labels = labels
                            .iter()
                            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                            .collect();
                        (labels, e[1].as_f64().unwrap_or(f64::NAN))
                    }),
                })
                .collect(),
        })
        .collect();
    Some(Ok(families))
}

/// Finds the value of the sample `name` with exactly `labels` in parsed families.
pub fn find_sample(families: &[ParsedFamily], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let want: std::collections::BTreeMap<String, String> = labels
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    families
        .iter()
        .flat_map(|f| &f.samples)
        .find(|s| s.name == name && s.labels == want)
        .map(|s| s.value)
}

/// The README's example, compiled and run as a doctest.
#[doc = include_str!("../../README.md")]
pub mod readme {}

/// Encodes `registry` in both text formats and checks them with promtool (text 0.0.4, lint
/// clean) and both Python parsers; returns the text 0.0.4 exposition. Panics naming the
/// validator and showing the exposition when one rejects it.
pub fn validate_registry(registry: &promdecl::Registry) -> String {
    let text = registry.encode(Format::Text);
    if let Some(result) = promtool_check_metrics(&text) {
        let out = result.unwrap_or_else(|e| panic!("promtool rejected:\n{e}\n---\n{text}"));
        assert!(out.trim().is_empty(), "promtool lint:\n{out}\n---\n{text}");
    }
    for format in [Format::Text, Format::OpenMetrics] {
        let out = registry.encode(format);
        if let Some(result) = python_parse(&out, format) {
            result.unwrap_or_else(|e| panic!("python rejected {format:?}: {e}\n---\n{out}"));
        }
    }
    text
}

const PY_ABNF: &str = r#"
import json, sys
from abnf import Rule
class Grammar(Rule):
    pass
req = json.load(sys.stdin)
# Loaded as the OpenMetrics specification's own check (prometheus/docs,
# openmetrics-spec-tests/check_openmetrics_spec.py) loads its ABNF: each line stripped.
Grammar.load_grammar(grammar="\n".join(l.strip() for l in req["grammar"].splitlines()), strict=True)
out = []
for rule, text in req["inputs"]:
    try:
        Grammar.get(rule).parse_all(text)
        out.append(None)
    except Exception as e:
        out.append("%s: %s" % (type(e).__name__, e))
print(json.dumps(out))
"#;

/// Parses each `(rule, text)` of `inputs` as a whole by rule `rule` of the ABNF `grammar`
/// (RFC 5234, with RFC 7405's case-sensitive `%s"..."`), with Python's `abnf` package: the
/// parser the OpenMetrics specification's own CI checks its examples with. `None` if Python or
/// the package is absent (locally); `Err` if the grammar does not load; else, per input, `Ok`
/// or the parser's complaint.
pub fn abnf_parse(
    grammar: &str,
    inputs: &[(&str, &str)],
) -> Option<Result<Vec<Result<(), String>>, String>> {
    let probe = Command::new("python3").args(["-c", "import abnf"]).output();
    if !probe.map(|o| o.status.success()).unwrap_or(false) {
        return missing("python3 with abnf", "pip install abnf").map(|_| unreachable!());
    }
    let request = serde_json::json!({ "grammar": grammar, "inputs": inputs });
    let (ok, out, err) = run_with_stdin(
        Command::new("python3").args(["-c", PY_ABNF]),
        &request.to_string(),
    )
    .expect("python3 runs");
    if !ok {
        return Some(Err(err));
    }
    let json: serde_json::Value = serde_json::from_str(&out).expect("the check prints JSON");
    let results = json.as_array().expect("one result per input");
    Some(Ok(results
        .iter()
        .map(|r| match r.as_str() {
            Some(complaint) => Err(complaint.to_string()),
            None => Ok(()),
        })
        .collect()))
}
