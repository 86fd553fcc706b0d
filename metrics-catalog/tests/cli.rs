//! The demo binary's command line: secrets stay out of `--help`, a configuration that cannot be
//! served exits 2 with a message before anything is served, and a taken address exits
//! non-zero naming it. Every child is killed when its guard drops, and every wait is bounded.

use std::io::Read;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_promdecl-demo");

/// A child process, killed (by its PID) if still running when dropped.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs the demo with `args` and `env` until it exits (at most 30 s): its status and
/// everything it printed.
fn run(args: &[&str], env: &[(&str, &str)]) -> (ExitStatus, String) {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_remove("METRICS_BEARER_TOKEN")
        .env_remove("METRICS_BASIC_AUTH")
        .env_remove("METRICS_LISTEN")
        .env_remove("METRICS_PATH")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = Guard(cmd.spawn().expect("spawn promdecl-demo"));
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "promdecl-demo {args:?} still running after 30 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut out = String::new();
    if let Some(mut p) = child.0.stdout.take() {
        p.read_to_string(&mut out).unwrap();
    }
    if let Some(mut p) = child.0.stderr.take() {
        p.read_to_string(&mut out).unwrap();
    }
    (status, out)
}

#[test]
fn help_does_not_show_secrets_from_the_environment() {
    let (status, help) = run(
        &["--help"],
        &[
            ("METRICS_BEARER_TOKEN", "s3cr3t"),
            ("METRICS_BASIC_AUTH", "prom:hunter2"),
        ],
    );
    assert!(status.success(), "{help}");
    assert!(help.contains("--bearer-token") && help.contains("METRICS_BEARER_TOKEN"));
    assert!(!help.contains("s3cr3t"), "{help}");
    assert!(!help.contains("hunter2"), "{help}");
    for flag in [
        "--max-connections",
        "--header-read-timeout",
        "--idle-timeout",
        "--max-body-bytes",
        "--shutdown-deadline",
        "--protect-health",
    ] {
        assert!(help.contains(flag), "{flag} missing from --help");
    }
}

#[test]
fn a_metrics_path_that_cannot_be_served_exits_2_with_a_message() {
    for (path, says) in [
        ("metrics", "must start with `/`"),
        ("/health", "already served"),
        ("/ready", "already served"),
        ("/", "already served"),
        ("/{x}", "`{` or `}`"),
    ] {
        let (status, out) = run(&["--metrics-path", path, "--listen", "127.0.0.1:0"], &[]);
        assert_eq!(status.code(), Some(2), "--metrics-path {path}: {out}");
        assert!(out.contains(says), "--metrics-path {path}: {out}");
        assert!(!out.contains("listening on"), "served anyway: {out}");
    }
}

#[test]
fn bad_flags_exit_2_and_do_not_echo_secrets() {
    let (status, out) = run(&["--max-connections", "0"], &[]);
    assert_eq!(status.code(), Some(2), "{out}");
    let (status, out) = run(&["--no-such-flag"], &[]);
    assert_eq!(status.code(), Some(2), "{out}");
    let (status, out) = run(&[], &[("METRICS_BASIC_AUTH", "no-colon-hunter2")]);
    assert_eq!(status.code(), Some(2), "{out}");
    assert!(out.contains("USER:PASSWORD"), "{out}");
    assert!(!out.contains("hunter2"), "{out}");
}

#[test]
fn an_address_in_use_exits_non_zero_naming_it() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (status, out) = run(&["--listen", &addr, "--workload-ms", "0"], &[]);
    assert!(!status.success(), "{out}");
    assert!(out.contains(&addr), "{out}");
    assert!(out.contains("--listen"), "{out}");
    drop(taken);
}
