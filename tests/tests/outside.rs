//! promdecl as a new user meets it: a crate outside this workspace that depends on `promdecl`
//! and `promdecl-server` by path only, whose `src/main.rs` is the README's service example
//! verbatim. It is built, its dependency tree checked, run on loopback, and its exposition checked
//! with promtool and Python's parser; then it is stopped with SIGTERM and must exit by itself.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Marks the README code block that is the outside crate's `src/main.rs`.
const MAIN_MARKER: &str = "<!-- outside-crate: src/main.rs -->";

/// Crates a service must not get by depending on `promdecl-server`.
const NOT_IN_A_SERVICE: &[&str] = &["promdecl-catalog", "promql-parser", "serde_yaml", "clap"];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf()
}

/// The body of the first fenced code block after `marker` in the README.
fn readme_block(marker: &str) -> String {
    let readme = std::fs::read_to_string(workspace().join("README.md")).expect("README.md");
    let after = readme
        .split_once(marker)
        .unwrap_or_else(|| panic!("README.md has no `{marker}`"))
        .1;
    let fence = after.find("```").expect("a code block follows the marker");
    let body = after[fence..].split_once('\n').expect("fence line").1;
    body.split_once("\n```")
        .expect("the code block is closed")
        .0
        .to_string()
}

/// Writes the crate: path dependencies on the workspace's packages, the README's code, and the
/// workspace's lock file so it builds with the versions the workspace tests.
fn write_crate(dir: &Path) {
    let ws = workspace();
    let manifest = format!(
        r#"[package]
name = "shop"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
promdecl = {{ path = "{core}" }}
promdecl-server = {{ path = "{server}" }}
axum = "0.8"
tokio = {{ version = "1", features = ["macros", "rt-multi-thread", "net"] }}

# Its own workspace, not a member of promdecl's.
[workspace]
"#,
        core = ws.join("metrics-core").display(),
        server = ws.join("metrics-server").display(),
    );
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(dir.join("src/main.rs"), readme_block(MAIN_MARKER)).unwrap();
    std::fs::copy(ws.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
}

fn cargo(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO"))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env_remove("RUSTFLAGS")
        // Debug info would take ~0.5 GB of the runner's disk; the test only needs the binary.
        .env("CARGO_PROFILE_DEV_DEBUG", "false")
        .output()
        .expect("cargo runs")
}

/// Kills the child it holds when dropped, so a failing test leaves no server behind.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A plain HTTP/1.1 GET: `(status, body)`.
fn get(addr: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("the service accepts connections");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").expect("a response head");
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status code");
    // axum answers these small bodies with Content-Length, not chunked.
    (status, body.to_string())
}

#[test]
fn a_crate_outside_the_workspace_builds_and_serves_the_readme_example() {
    let dir = workspace().join("target").join("outside-crate");
    write_crate(&dir);

    let build = cargo(&dir, &["build", "--quiet"]);
    assert!(
        build.status.success(),
        "the README example does not build in an outside crate:\n{}",
        String::from_utf8_lossy(&build.stderr)
    );

    let tree = cargo(&dir, &["tree", "-e", "normal", "--prefix", "none"]);
    let tree = String::from_utf8_lossy(&tree.stdout);
    for unwanted in NOT_IN_A_SERVICE {
        assert!(
            !tree.lines().any(|l| l.starts_with(&format!("{unwanted} "))),
            "a service using promdecl-server pulls `{unwanted}`"
        );
    }

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut service = Running(
        Command::new(dir.join("target/debug/shop"))
            .env("LISTEN", &addr)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the example starts"),
    );
    let mut line = String::new();
    BufReader::new(service.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(
        line.contains(&addr),
        "the example announces its address: {line}"
    );

    // The service's own route, next to the exposition routes.
    for payment in ["card", "card", "voucher"] {
        assert_eq!(get(&addr, &format!("/checkout/{payment}")).0, 200);
    }
    assert_eq!(get(&addr, "/ready").0, 200);
    let (status, text) = get(&addr, "/metrics");
    assert_eq!(status, 200);

    for line in [
        "shop_orders_total{payment=\"card\",outcome=\"accepted\"} 2",
        "shop_orders_total{payment=\"card\",outcome=\"rejected\"} 0",
        "shop_orders_total{payment=\"voucher\",outcome=\"accepted\"} 1",
        "shop_cache_lookups_total{tier=\"memory\",hit=\"true\"} 3",
        "shop_cache_lookups_total{tier=\"disk\",hit=\"false\"} 0",
        "shop_cart_items_count 3",
        "shop_orders_in_flight 0",
        "shop_http_server_requests_total{method=\"GET\",route=\"/checkout/{payment}\",status=\"200\"} 3",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing `{line}` in:\n{text}"
        );
    }

    if let Some(result) = tests::promtool_check_metrics(&text) {
        let lint = result.unwrap_or_else(|e| panic!("promtool rejects the exposition: {e}"));
        assert!(lint.trim().is_empty(), "promtool lints: {lint}");
    }
    if let Some(parsed) = tests::python_parse(&text, promdecl::Format::Text) {
        let families = parsed.expect("Python's parser reads the exposition");
        let v = tests::find_sample(
            &families,
            "shop_orders_total",
            &[("payment", "voucher"), ("outcome", "accepted")],
        );
        assert_eq!(v, Some(1.0));
    }

    // SIGTERM: the example's graceful shutdown must end it promptly.
    let pid = service.0.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = service.0.try_wait().unwrap() {
            assert!(
                status.success(),
                "the example exits cleanly on SIGTERM: {status}"
            );
            break;
        }
        assert!(Instant::now() < deadline, "the example ignores SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}
