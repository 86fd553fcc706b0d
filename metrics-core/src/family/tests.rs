//! Removal and idle expiry of free-form series, down to the storage.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use super::*;
use crate::value::CounterValue;
use crate::{Kind, LabelDesc};

fn desc(max_series: usize, idle: Option<Duration>) -> &'static FamilyDesc {
    Box::leak(Box::new(FamilyDesc {
        name: "peer_messages_total",
        kind: Kind::Counter,
        help: "Messages by peer",
        unit: None,
        labels: &[
            LabelDesc {
                name: "peer",
                values: None,
            },
            LabelDesc {
                name: "dir",
                values: Some(&["in", "out"]),
            },
        ],
        buckets: None,
        native: None,
        summary: None,
        max_series: Some(max_series),
        idle_timeout: idle,
        note: None,
    }))
}

fn keyed<S>(f: &Family<S>) -> &Keyed<S> {
    f.keyed.as_ref().expect("a free-form family")
}

fn value(f: &Family<CounterValue>, peer: &str, slot: usize) -> Option<u64> {
    let mut found = None;
    f.for_each_series(&mut |s| {
        if s.label_values() == [peer, ["in", "out"][slot]] {
            found = Some(s.reading().to_sample().value() as u64);
        }
    });
    found
}

#[test]
fn removal_frees_the_slot_and_restarts_from_zero() {
    let f = Family::<CounterValue>::new(desc(2, None));
    f.get(&["a"], 0).inc_by(5);
    f.get(&["b"], 1).inc();
    f.get(&["c"], 0).inc(); // over budget: folds
    assert_eq!(f.folded(), 1);
    assert_eq!(value(&f, "c", 0), None);

    assert!(f.remove(&["a"]));
    assert!(!f.remove(&["a"]));
    assert_eq!(
        value(&f, "a", 0),
        None,
        "every enumerated series of the tuple goes"
    );
    assert_eq!(value(&f, "a", 1), None);

    f.get(&["c"], 0).inc();
    assert_eq!(
        value(&f, "c", 0),
        Some(1),
        "the freed slot takes a new tuple"
    );
    f.get(&["a"], 0).inc();
    assert_eq!(f.folded(), 2, "the budget is full again");
    assert!(f.remove(&["c"]));
    f.get(&["a"], 0).inc();
    assert_eq!(
        value(&f, "a", 0),
        Some(1),
        "a removed series starts from zero"
    );
}

#[test]
fn remove_matching_takes_what_matches() {
    static LABELS: [LabelDesc; 2] = [
        LabelDesc {
            name: "service",
            values: None,
        },
        LabelDesc {
            name: "peer",
            values: None,
        },
    ];
    let d = Box::leak(Box::new(FamilyDesc {
        labels: &LABELS,
        ..*desc(100, None)
    }));
    let f = Family::<CounterValue>::new(d);
    for (s, p) in [("x", "1"), ("x", "2"), ("y", "1"), ("y", "3")] {
        f.get(&[s, p], 0).inc();
    }
    assert_eq!(f.remove_matching(&[Some("x"), None]), 2);
    assert_eq!(f.remove_matching(&[None, Some("1")]), 1);
    assert_eq!(f.series_count(), 1);
    assert_eq!(f.remove_matching(&[None, None]), 1);
    assert_eq!(f.series_count(), 0);
}

#[test]
fn idle_series_expire_and_used_ones_stay() {
    let f = Family::<CounterValue>::new(desc(10, Some(Duration::from_millis(30))));
    f.get(&["idle"], 0).inc();
    f.get(&["busy"], 0).inc();
    for _ in 0..6 {
        std::thread::sleep(Duration::from_millis(15));
        f.get(&["busy"], 1).inc();
        f.expire_idle();
    }
    assert_eq!(value(&f, "idle", 0), None, "idle past the timeout");
    assert_eq!(value(&f, "busy", 1), Some(6));
    assert_eq!(f.series_count(), 2, "busy's two enumerated series");
}

/// A handle held while its series expires: the series comes back with every update.
#[test]
fn a_held_handle_brings_its_series_back() {
    let f = Family::<CounterValue>::new(desc(10, Some(Duration::from_millis(20))));
    let held = f.get(&["a"], 0);
    held.inc();
    f.expire_idle(); // used since the last sweep: stays, and is now idle from here
    std::thread::sleep(Duration::from_millis(30));
    f.expire_idle(); // idle past the timeout: expires, though the handle holds it
    assert_eq!(value(&f, "a", 0), None);
    f.get(&["a"], 0).inc(); // a successor, from zero
    held.inc();
    drop(held);
    f.expire_idle();
    assert_eq!(
        value(&f, "a", 0),
        Some(3),
        "the expired series is merged into its successor"
    );
    assert_eq!(*keyed(&f).discarded.lock(), 0.0);
}

/// Updates racing with expiry: every increment ends in a live series or in one expired for
/// good, never nowhere.
#[test]
fn expiry_racing_updates_loses_nothing() {
    let f = Family::<CounterValue>::new(desc(1000, Some(Duration::from_millis(1))));
    let done = AtomicBool::new(false);
    let sent = AtomicU64::new(0);
    let keys: Vec<String> = (0..64).map(|i| format!("peer-{i}")).collect();
    std::thread::scope(|s| {
        for t in 0..3 {
            let (f, keys, sent) = (&f, &keys, &sent);
            s.spawn(move || {
                let mut n = 0u64;
                for round in 0..20_000usize {
                    let k = &keys[(round * 7 + t * 13) % keys.len()];
                    f.get(&[k.as_str()], round % 2).inc();
                    n += 1;
                    if round % 1000 == 0 {
                        std::thread::sleep(Duration::from_millis(2));
                    }
                }
                sent.fetch_add(n, Ordering::Relaxed);
            });
        }
        s.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                f.expire_idle();
                std::thread::yield_now();
            }
        });
        // Scoped threads end in spawn order; stop the sweeper once the writers are through.
        while sent.load(Ordering::Relaxed) < 60_000 {
            std::thread::sleep(Duration::from_millis(1));
        }
        done.store(true, Ordering::Relaxed);
    });
    f.expire_idle();
    let mut live = 0.0;
    f.for_each_series(&mut |s| live += s.reading().to_sample().value());
    let discarded = *keyed(&f).discarded.lock();
    assert!(discarded > 0.0, "the test must expire series");
    assert_eq!(
        live + discarded,
        60_000.0,
        "live {live} + expired {discarded}"
    );
}

/// Churn through a small budget: the storage stays the size of the budget.
#[test]
fn churn_reuses_slots() {
    let f = Family::<CounterValue>::new(desc(100, None));
    for round in 0..50 {
        for i in 0..100 {
            f.get(&[format!("p{round}-{i}").as_str()], 0).inc();
        }
        assert_eq!(f.folded(), 0);
        assert_eq!(f.remove_matching(&[None]), 100);
    }
    assert!(keyed(&f).used.load(Ordering::Relaxed) <= 100);
}

#[test]
fn handles_can_cross_threads_and_await_points() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Handle<'static, CounterValue>>();
    let f = Family::<CounterValue>::new(desc(4, None));
    let h = f.get(&["a"], 0);
    std::thread::scope(|s| {
        s.spawn(move || h.inc());
    });
    assert_eq!(value(&f, "a", 0), Some(1));
}

/// Removals racing with updates on the same tuples: a slot is reused only once no handle
/// holds it, so no observation lands in another tuple's series. Tuple `k` observes only the
/// prime `PRIMES[k]`, so a series whose sum is not a multiple of its own prime took a
/// stranger's update; the remover checks every live series before each removal.
#[test]
fn removal_racing_updates_never_misattributes() {
    const PRIMES: [f64; 12] = [2., 3., 5., 7., 11., 13., 17., 19., 23., 29., 31., 37.];
    let desc: &'static FamilyDesc = Box::leak(Box::new(FamilyDesc {
        name: "peer_latency_seconds",
        kind: Kind::Histogram,
        help: "Latency by peer",
        unit: None,
        labels: &[LabelDesc {
            name: "peer",
            values: None,
        }],
        buckets: Some(&[4.0, 16.0]),
        native: None,
        summary: None,
        max_series: Some(8),
        idle_timeout: None,
        note: None,
    }));
    let f = Family::<crate::value::HistogramValue>::new(desc);
    let keys: Vec<String> = (0..PRIMES.len()).map(|k| format!("peer-{k:02}")).collect();
    // Live tuples with a sum that is no multiple of their prime; tuples checked.
    let check = || {
        let (mut wrong, mut checked) = (Vec::new(), 0);
        f.for_each_series(&mut |s| {
            let values = s.label_values();
            // The overflow series takes any tuple past the budget.
            let Some(k) = keys.iter().position(|key| values == [key.as_str()]) else {
                return;
            };
            if let crate::value::Reading::Histogram(h) = s.reading() {
                if h.sum() % PRIMES[k] != 0.0 {
                    wrong.push((values[0].to_owned(), h.sum()));
                }
                checked += 1;
            }
        });
        (wrong, checked)
    };
    // Writers running; the remover stops when the first is through.
    let running = AtomicU64::new(3);
    std::thread::scope(|s| {
        for t in 0..3 {
            let (f, keys, running) = (&f, &keys, &running);
            s.spawn(move || {
                for round in 0..20_000usize {
                    let k = (round * 5 + t * 7) % keys.len();
                    let series = f.get(&[keys[k].as_str()], 0);
                    // Held across a yield: removals and new tuples run meanwhile.
                    std::thread::yield_now();
                    series.observe(PRIMES[k]);
                }
                running.fetch_sub(1, Ordering::Relaxed);
            });
        }
        s.spawn(|| {
            let mut round = 0usize;
            while running.load(Ordering::Relaxed) == 3 {
                let (wrong, _) = check();
                assert!(
                    wrong.is_empty(),
                    "updates landed in other tuples: {wrong:?}"
                );
                f.remove(&[keys[round % keys.len()].as_str()]);
                round += 1;
            }
        });
    });
    let (wrong, checked) = check();
    assert!(
        wrong.is_empty(),
        "updates landed in other tuples: {wrong:?}"
    );
    assert!(checked > 0, "some tuples must be live at the end");
}
