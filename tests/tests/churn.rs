//! A million peers through a budget of ten thousand: idle series expire, later peers get
//! series of their own instead of folding into overflow, and memory stays flat.
//!
//! Alone in its test binary, so the resident size it reads is its own.

use std::sync::Arc;
use std::time::Duration;

use promdecl::{Counter, FamilyDesc, Format, Kind, Registry, OVERFLOW_VALUE};

const PEERS: usize = 1_000_000;
const BUDGET: usize = 10_000;
const IDLE: Duration = Duration::from_millis(20);

/// Resident set size, from `/proc/self/statm` (pages of 4 KiB); `None` off Linux.
fn rss_bytes() -> Option<usize> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: usize = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

#[test]
fn a_million_churned_peers_stay_within_budget_and_memory() {
    let registry = Registry::new();
    let desc = FamilyDesc::builder("peer_messages_total", Kind::Counter, "Messages by peer")
        .label("peer_id")
        .enum_label("direction", ["sent", "received"])
        .max_series(BUDGET)
        .idle_timeout(IDLE)
        .build()
        .unwrap();
    let messages: Arc<Counter> = registry.register_family(desc).unwrap();

    let mut baseline = None;
    let mut peak = 0;
    let mut peer_id = String::new();
    for cycle in 0..PEERS / BUDGET {
        for p in cycle * BUDGET..(cycle + 1) * BUDGET {
            peer_id.clear();
            peer_id.push_str(&format!("12D3KooW{p:016x}"));
            for dir in ["sent", "received", "sent"] {
                messages.get_by_values(&[&peer_id, dir]).unwrap().inc();
            }
        }
        // A scrape: the exposition holds at most the budget, and this cycle's peers.
        let text = registry.encode(Format::Text);
        let series = text
            .lines()
            .filter(|l| l.starts_with("peer_messages_total{"))
            .count();
        assert!(series <= 2 * BUDGET, "cycle {cycle}: {series} series");
        let last = format!("12D3KooW{:016x}", (cycle + 1) * BUDGET - 1);
        assert!(
            text.contains(&format!("peer_id=\"{last}\",direction=\"sent\"}} 2\n")),
            "cycle {cycle}: the newest peer has its own series"
        );
        assert!(
            !text.contains(OVERFLOW_VALUE),
            "cycle {cycle}: nothing folded"
        );
        // Idle past the timeout: the next cycle's first new peer expires this cycle's.
        std::thread::sleep(IDLE + Duration::from_millis(5));
        let rss = rss_bytes();
        if cycle == 1 {
            baseline = rss;
        }
        peak = peak.max(rss.unwrap_or(0));
    }
    assert_eq!(messages.folded(), 0, "no update folded into overflow");
    let Some(baseline) = baseline else {
        eprintln!("\n!!! no /proc/self/statm: memory was not checked !!!\n");
        return;
    };
    // Flat: the peak after the second cycle is the working set of one budget, not of a million.
    eprintln!("rss after cycle 1: {baseline} bytes, peak: {peak} bytes");
    assert!(
        peak <= baseline + baseline / 4,
        "resident memory grew from {baseline} to {peak} bytes"
    );
}
