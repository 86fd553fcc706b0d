//! A million peers through a budget of ten thousand: idle series expire, later peers get
//! series of their own instead of folding into overflow, and memory stays flat.
//!
//! Alone in its test binary, so the heap it counts and the resident size it reads are its own.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

use promdecl::{Counter, FamilyDesc, Format, Kind, Registry, OVERFLOW_VALUE};

/// Bytes allocated and not yet freed, by anything in this binary.
static LIVE_HEAP: AtomicUsize = AtomicUsize::new(0);

struct Counting;

// Test-only allocator: `GlobalAlloc` is an unsafe trait by definition; it only counts and
// forwards to the system allocator.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_HEAP.fetch_add(layout.size(), Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_HEAP.fetch_sub(layout.size(), Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

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

    let (mut heap_baseline, mut heap_peak) = (0, 0);
    let (mut rss_baseline, mut rss_peak) = (None, 0);
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
        drop(text);
        // Idle past the timeout: the next cycle's first new peer expires this cycle's.
        std::thread::sleep(IDLE + Duration::from_millis(5));
        let (heap, rss) = (LIVE_HEAP.load(Relaxed), rss_bytes());
        if cycle == 1 {
            (heap_baseline, rss_baseline) = (heap, rss);
        }
        heap_peak = heap_peak.max(heap);
        rss_peak = rss_peak.max(rss.unwrap_or(0));
    }
    assert_eq!(messages.folded(), 0, "no update folded into overflow");
    // Flat: what the heap holds after the second cycle is the working set of one budget, not
    // of a million peers (which would be some 100 MB), and later cycles add nothing to it.
    eprintln!("live heap after cycle 1: {heap_baseline} bytes, peak: {heap_peak} bytes");
    assert!(
        heap_peak <= heap_baseline + heap_baseline / 100,
        "the live heap grew from {heap_baseline} to {heap_peak} bytes"
    );
    // The resident size also counts pages the system allocator keeps after a scrape's text
    // is freed, which vary from run to run by a few MB: only a leak would double it.
    let Some(rss_baseline) = rss_baseline else {
        eprintln!("\n!!! no /proc/self/statm: the resident size was not checked !!!\n");
        return;
    };
    eprintln!("rss after cycle 1: {rss_baseline} bytes, peak: {rss_peak} bytes");
    assert!(
        rss_peak <= 2 * rss_baseline,
        "resident memory grew from {rss_baseline} to {rss_peak} bytes"
    );
}
