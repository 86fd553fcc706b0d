//! Updating an existing series never allocates: counted by a global allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use promdecl::{Counter, Gauge, Histogram, Metrics};

struct Counting;

thread_local! {
    // Per thread: the harness and other tests allocate on their threads meanwhile.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

fn counting(on: bool) {
    COUNTING.with(|c| c.set(on));
}

// Test-only allocator: `GlobalAlloc` is an unsafe trait by definition; it only counts and
// forwards to the system allocator.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.try_with(Cell::get).unwrap_or(false) {
            let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[derive(Metrics)]
struct Hot {
    /// Messages
    #[metric(counter, labels = [topic, direction = [sent, received], message_type])]
    messages_total: Counter,
    /// Peers
    #[metric(gauge, labels = [status = [up, down]])]
    peers: Gauge,
    /// Latency
    #[metric(histogram, labels = [direction: hot_labels::Direction], buckets = exponential(0.001, 2.0, 12))]
    latency_seconds: Histogram,
    /// Latency, native buckets (at most 20, so the spread below forces resolution changes)
    #[metric(histogram, native(max_buckets = 20))]
    native_seconds: Histogram,
}

#[test]
fn the_counter_sees_allocations() {
    counting(true);
    let v = std::hint::black_box(vec![1u8; 16]);
    counting(false);
    drop(v);
    assert!(allocations() >= 1);
}

#[test]
fn updates_to_existing_series_do_not_allocate() {
    let hot = Hot::new();
    let topic = String::from("CHORUS/tasks/v1");
    hot.messages_total(&topic, hot_labels::Direction::Sent, "task_created")
        .inc(); // first touch may allocate
    counting(true);
    for i in 0..10_000 {
        hot.messages_total(&topic, hot_labels::Direction::Sent, "task_created")
            .inc();
        hot.peers(hot_labels::Status::Up).set(i as f64);
        hot.latency_seconds(hot_labels::Direction::Received)
            .observe(0.003);
        let _t = hot
            .latency_seconds(hot_labels::Direction::Sent)
            .start_timer();
    }
    counting(false);
    assert_eq!(allocations(), 0, "allocations on the update path");

    // Native buckets: once the values' buckets exist (and the resolution has settled), an
    // observation allocates nothing.
    let values: Vec<f64> = (0..200).map(|i| 1e-4 * 1.07f64.powi(i)).collect();
    for v in &values {
        hot.native_seconds().observe(*v);
    }
    let schema = hot.native_seconds().native().unwrap().schema;
    counting(true);
    for _ in 0..50 {
        for v in &values {
            hot.native_seconds().observe(*v);
        }
    }
    counting(false);
    assert_eq!(
        allocations(),
        0,
        "allocations observing into native buckets"
    );
    let native = hot.native_seconds().native().unwrap();
    assert!(
        schema < 3,
        "the spread made the resolution coarser: schema {schema}"
    );
    assert_eq!(native.schema, schema);
    assert_eq!(native.count, 51 * 200);
    assert_eq!(
        promdecl::testing::value(
            &hot,
            "messages_total",
            &["CHORUS/tasks/v1", "sent", "task_created"]
        ),
        Some(10_001.0)
    );
}
