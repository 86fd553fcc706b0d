//! Compile-time checks: every mistake in `ui/fail` must be rejected with the committed message,
//! and everything in `ui/pass` must build and run.
//!
//! The `.stderr` snapshots hold rustc's exact wording, which changes between releases, so the
//! suite runs only on the rustc that wrote them: the `channel` of the root `rust-toolchain.toml`.
//! On any other rustc it is skipped with a loud message, and fails instead when `CI` is set.

use std::io::Write;
use std::process::Command;

/// The root `rust-toolchain.toml`, read at compile time so the version is written only there.
const TOOLCHAIN_FILE: &str = include_str!("../../rust-toolchain.toml");

#[test]
fn ui() {
    if let Err(why) = pinned_rustc() {
        let why = format!(
            "{why}; the .stderr snapshots are the pinned rustc's exact output, so the suite runs only \
             on it (install it with `rustup toolchain install`, or unset RUSTC)"
        );
        if std::env::var_os("CI").is_some() {
            panic!("ui suite cannot run under CI: {why}");
        }
        // Straight to the stderr stream: the test harness captures `eprintln!` of passing tests.
        let _ = writeln!(
            std::io::stderr(),
            "\n*** WARNING: ui suite SKIPPED: {why}\n"
        );
        return;
    }
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/fail/*.rs");
    t.pass("ui/pass/*.rs");
}

/// `Ok` when the rustc that trybuild will use reports the pinned version.
fn pinned_rustc() -> Result<(), String> {
    let pinned = channel(TOOLCHAIN_FILE)
        .ok_or("rust-toolchain.toml has no `channel = \"...\"` line in its [toolchain] table")?;
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let output = Command::new(&rustc)
        .arg("--version")
        .output()
        .map_err(|e| format!("`{rustc} --version` could not run ({e})"))?;
    let version = String::from_utf8_lossy(&output.stdout).trim().to_string();
    // `rustc 1.95.0 (59807616e 2026-01-01)`
    match version.split_whitespace().nth(1) {
        Some(v) if v == pinned => Ok(()),
        _ => Err(format!(
            "`{rustc} --version` reports `{version}`, but rust-toolchain.toml pins `{pinned}`"
        )),
    }
}

/// The `channel` value of a `rust-toolchain.toml`.
fn channel(toml: &str) -> Option<&str> {
    toml.lines()
        .map(str::trim)
        .filter_map(|l| l.strip_prefix("channel"))
        .filter_map(|rest| rest.trim_start().strip_prefix('='))
        .map(|v| v.trim().trim_matches('"'))
        .next()
}

#[test]
fn channel_is_read_from_the_toolchain_file() {
    assert_eq!(channel("[toolchain]\nchannel = \"1.2.3\"\n"), Some("1.2.3"));
    assert_eq!(channel("[toolchain]\n# channel\n"), None);
    assert!(channel(TOOLCHAIN_FILE).is_some());
}
