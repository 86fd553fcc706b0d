//! The `/` page in a real browser: the demo with the whole catalog, loaded in Debian's headless
//! Chromium at 1400 px, driven over the DevTools protocol. Asserts on the rendered DOM: the
//! groups, a filter that narrows the rows to a typed peer id, labels written `name="value"`, a
//! histogram row with p50/p90/p99, sparklines that are drawn and move between two screenshots
//! 10 s apart, and no console error. The screenshots are kept under
//! `target/page-screenshots/` (a CI artefact). Bounded in time; every process stopped by PID.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use common::{free_port, Child, Scratch};
use serde_json::{json, Value};

/// Everything must have happened within this long after the browser is up.
const DEADLINE: Duration = Duration::from_secs(90);

type Socket = tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>>;

/// One page of a headless Chromium, over the DevTools protocol.
struct Browser {
    socket: Socket,
    next_id: u64,
    /// Console errors, uncaught exceptions and failed loads seen so far.
    errors: Vec<String>,
    _process: Child,
    _profile: Scratch,
}

impl Browser {
    /// Starts Chromium on an empty page; `None` (loudly, or failing under `CI`) when it is not
    /// installed.
    fn launch() -> Option<Browser> {
        if !tests::require_tool("chromium", "apt-get install -y chromium") {
            return None;
        }
        let profile = Scratch::new("chromium-profile");
        let mut process = Child(
            Command::new("chromium")
                .args([
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--no-first-run",
                    "--remote-debugging-port=0",
                    "--window-size=1400,1000",
                ])
                .arg(format!("--user-data-dir={}", profile.0.display()))
                .arg("about:blank")
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("chromium starts"),
        );
        // "DevTools listening on ws://127.0.0.1:<port>/devtools/browser/<id>"; the rest of its
        // log is drained, since Chromium stops when it cannot write it.
        let stderr = process.0.stderr.take().expect("piped stderr");
        let (found, port) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let address = line.strip_prefix("DevTools listening on ws://127.0.0.1:");
                if let Some(port) = address.and_then(|a| a.split('/').next()?.parse::<u16>().ok()) {
                    let _ = found.send(port);
                }
            }
        });
        let port = port
            .recv_timeout(DEADLINE)
            .expect("chromium prints its DevTools address");
        let targets = http_get(port, "/json/list");
        let targets: Value = serde_json::from_str(&targets).expect("the target list");
        let page = targets
            .as_array()
            .into_iter()
            .flatten()
            .find(|t| t["type"] == "page")
            .and_then(|t| t["webSocketDebuggerUrl"].as_str())
            .expect("a page target")
            .to_string();
        let (socket, _) = tungstenite::connect(page).expect("the page's DevTools socket");
        let mut browser = Browser {
            socket,
            next_id: 0,
            errors: Vec::new(),
            _process: process,
            _profile: profile,
        };
        for domain in ["Page", "Runtime", "Log"] {
            browser.call(&format!("{domain}.enable"), json!({}));
        }
        Some(browser)
    }

    /// Calls `method` and waits for its result, noting the events that come meanwhile.
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let request = json!({ "id": id, "method": method, "params": params });
        self.socket
            .send(tungstenite::Message::text(request.to_string()))
            .expect("a DevTools request");
        loop {
            let message = self.socket.read().expect("a DevTools message");
            let Ok(text) = message.into_text() else {
                continue;
            };
            let v: Value = serde_json::from_str(text.as_str()).expect("DevTools JSON");
            if v["id"] == id {
                assert!(v["error"].is_null(), "{method} failed: {v}");
                return v["result"].clone();
            }
            self.note(&v);
        }
    }

    /// Keeps what a user would see as an error in the console.
    fn note(&mut self, event: &Value) {
        let p = &event["params"];
        match event["method"].as_str() {
            Some("Runtime.exceptionThrown") => self.errors.push(p["exceptionDetails"].to_string()),
            Some("Runtime.consoleAPICalled") if p["type"] == "error" => {
                self.errors.push(p["args"].to_string())
            }
            Some("Log.entryAdded") if p["entry"]["level"] == "error" => {
                self.errors.push(p["entry"].to_string())
            }
            _ => {}
        }
    }

    /// The value of a JavaScript expression (awaited if it is a promise).
    fn eval(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }),
        );
        assert!(
            result["exceptionDetails"].is_null(),
            "{expression}: {result}"
        );
        result["result"]["value"].clone()
    }

    /// Waits, within the deadline, until `expression` is true.
    fn wait_for(&mut self, expression: &str, started: Instant) {
        while self.eval(expression) != json!(true) {
            assert!(
                started.elapsed() < DEADLINE,
                "timed out waiting for {expression}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Saves a PNG of the viewport as `name` under `target/page-screenshots/`.
    fn screenshot(&mut self, name: &str) -> PathBuf {
        let shot = self.call("Page.captureScreenshot", json!({ "format": "png" }));
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("image data"))
            .expect("base64 PNG");
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/page-screenshots");
        std::fs::create_dir_all(&dir).expect("the screenshot directory");
        let path = dir.join(name);
        std::fs::write(&path, png).expect("the screenshot is written");
        path
    }
}

/// The body of `GET path` on 127.0.0.1:`port`. HTTP/1.1, read to its `Content-Length`:
/// Chromium's DevTools server answers no HTTP/1.0 and keeps the connection open.
fn http_get(port: u16, path: &str) -> String {
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connects");
    let mut writer = stream.try_clone().expect("a second handle");
    write!(
        writer,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .expect("request sent");
    let mut reader = BufReader::new(stream);
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).expect("a header line");
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().expect("a length");
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).expect("the body");
    String::from_utf8(body).expect("UTF-8")
}

/// The sparklines' points, by series.
fn sparklines(browser: &mut Browser) -> HashMap<String, String> {
    let all = browser.eval(
        "Array.from(document.querySelectorAll('tr.row')).map(r => \
         [r.dataset.key, r.querySelector('polyline').getAttribute('points')])",
    );
    serde_json::from_value::<Vec<(String, String)>>(all)
        .expect("pairs")
        .into_iter()
        .collect()
}

#[test]
fn the_page_in_a_browser() {
    let Some(mut browser) = Browser::launch() else {
        return;
    };
    let port = free_port();
    let _demo = Child(
        Command::new(env!("CARGO_BIN_EXE_promdecl-demo"))
            .args([
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--workload-ms",
                "200",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the demo starts"),
    );
    let started = Instant::now();
    let url = format!("http://127.0.0.1:{port}/");
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < DEADLINE, "the demo never listened");
        std::thread::sleep(Duration::from_millis(100));
    }
    browser.call("Page.navigate", json!({ "url": url }));
    browser.wait_for(
        "document.readyState === 'complete' && !!document.querySelector('section.group')",
        started,
    );

    // Groups: one per system of the catalog, with a table of contents.
    let groups = browser.eval(
        "Array.from(document.querySelectorAll('section.group')).map(s => s.id.replace('group-', ''))",
    );
    for system in ["chorus", "zerostate", "x0tta6bl4", "semstreams", "bridge"] {
        assert!(
            groups.as_array().unwrap().contains(&json!(system)),
            "{system} in {groups}"
        );
    }
    let toc = browser.eval("document.querySelectorAll('#toc li a').length");
    assert_eq!(toc, json!(groups.as_array().unwrap().len()));

    // Every label reads name="value".
    let labels = browser
        .eval("Array.from(document.querySelectorAll('td.labels code')).map(c => c.textContent)");
    let labels = labels.as_array().unwrap();
    assert!(labels.len() > 100, "{} labels", labels.len());
    for l in labels {
        let l = l.as_str().unwrap();
        let (name, value) = l.split_once('=').unwrap_or_else(|| panic!("{l}"));
        assert!(
            promdecl_spec::is_label_name(name) && value.starts_with('"') && value.ends_with('"'),
            "{l}"
        );
    }

    // A histogram row with p50, p90 and p99.
    let histogram = browser.eval(
        "Array.from(document.querySelectorAll('td.value')).map(t => t.textContent)\
         .find(t => /count [1-9].*p50 .*p90 .*p99 /.test(t)) || null",
    );
    assert!(histogram.is_string(), "no histogram row with observations");

    // Sparklines are drawn once the page has been watched for a few samples, and move.
    browser.wait_for(
        "Array.from(document.querySelectorAll('polyline')).some(p => p.getAttribute('points').length > 0)",
        started,
    );
    let first = browser.screenshot("page-1.png");
    let before = sparklines(&mut browser);
    std::thread::sleep(Duration::from_secs(10));
    let second = browser.screenshot("page-2.png");
    let after = sparklines(&mut browser);
    let moved = before
        .iter()
        .filter(|(key, points)| {
            after
                .get(*key)
                .is_some_and(|p| p != *points && !p.is_empty())
        })
        .count();
    assert!(
        moved > 0,
        "no sparkline moved between {first:?} and {second:?}"
    );

    // Typing a peer id narrows the rows to that peer's.
    let peer = browser.eval(
        "Array.from(document.querySelectorAll('td.labels code')).map(c => c.textContent)\
         .find(t => t.startsWith('peer_id=\"')).slice(9, -1)",
    );
    let peer = peer.as_str().expect("a peer id on the page").to_string();
    let rows_before = browser.eval("document.querySelectorAll('tr.row').length");
    browser.eval("document.getElementById('filter').focus()");
    browser.call("Input.insertText", json!({ "text": peer }));
    let only_peer = format!(
        "(() => {{ const rows = Array.from(document.querySelectorAll('tr.row')); \
         return rows.length > 0 && rows.every(r => r.textContent.includes('=\"{peer}\"')); }})()"
    );
    browser.wait_for(&only_peer, started);
    let rows_after = browser.eval("document.querySelectorAll('tr.row').length");
    assert!(
        rows_after.as_u64() < rows_before.as_u64(),
        "{rows_after} rows of {rows_before}"
    );
    assert_eq!(browser.eval("location.search"), json!(format!("?q={peer}")));
    browser.screenshot("page-filtered.png");

    // Whatever happened, nothing went to the console as an error.
    browser.eval("1");
    assert!(
        browser.errors.is_empty(),
        "console errors: {:?}",
        browser.errors
    );
}
