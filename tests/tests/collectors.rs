//! Scrape-time collectors: fresh values at every scrape, and a slow, failing or panicking
//! collector left out of the scrape and counted, while the rest is served.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use promdecl::{Format, IntGauge, Metrics, Registry};
use tests::validate_registry;

#[derive(Debug, Metrics)]
#[metrics(prefix = "pool")]
struct Pool {
    /// Connections open in the pool
    #[metric(gauge)]
    connections: IntGauge,
}

#[derive(Debug, Metrics)]
#[metrics(prefix = "disk")]
struct Disk {
    /// Age of the newest backup file
    #[metric(gauge)]
    backup_age_seconds: IntGauge,
}

#[derive(Debug, Metrics)]
#[metrics(prefix = "broken")]
struct Broken {
    /// A value whose source fails
    #[metric(gauge)]
    value: IntGauge,
}

fn pool(registry: &Registry, open: &Arc<AtomicI64>) {
    let open = open.clone();
    registry
        .register_collector("pool", Pool::new(), move |p: &Pool| {
            p.connections().set(open.load(Ordering::Relaxed));
            Ok(())
        })
        .unwrap();
}

#[test]
fn values_are_read_at_every_scrape() {
    let registry = Registry::new();
    let open = Arc::new(AtomicI64::new(4));
    pool(&registry, &open);
    assert!(validate_registry(&registry).contains("pool_connections 4\n"));
    open.store(9, Ordering::Relaxed);
    let text = validate_registry(&registry);
    assert!(text.contains("pool_connections 9\n"), "{text}");
    assert!(
        text.contains("metrics_collector_skips_total{collector=\"pool\",reason=\"timeout\"} 0\n")
    );
    // Names are checked like any registration.
    let clash = registry.register_collector("other", Pool::new(), |_: &Pool| Ok(()));
    assert!(clash.is_err());
    let twice = registry.register_collector("pool", Disk::new(), |_: &Disk| Ok(()));
    assert!(twice
        .unwrap_err()
        .to_string()
        .contains("already registered"));
}

#[test]
fn a_slow_collector_is_skipped_and_counted() {
    let registry = Registry::builder()
        .collect_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let open = Arc::new(AtomicI64::new(2));
    pool(&registry, &open);
    registry
        .register_collector("backups", Disk::new(), |d: &Disk| {
            std::thread::sleep(Duration::from_secs(60));
            d.backup_age_seconds().set(1);
            Ok(())
        })
        .unwrap();

    let started = Instant::now();
    let text = validate_registry(&registry);
    // Not a benchmark: the scrape did not wait for the minute-long collector.
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(text.contains("pool_connections 2\n"), "{text}");
    assert!(!text.contains("disk_backup_age_seconds"), "{text}");
    let skipped = "metrics_collector_skips_total{collector=\"backups\",reason=\"timeout\"}";
    // validate() encoded three times, each skipping the stuck run.
    assert!(text.contains(&format!("{skipped} 1\n")), "{text}");
    let text = registry.encode(Format::Text);
    assert!(text.contains(&format!("{skipped} 4\n")), "{text}");
    assert!(
        text.contains("metrics_collector_skips_total{collector=\"pool\",reason=\"timeout\"} 0\n")
    );
}

#[test]
fn failing_and_panicking_collectors_are_reported_not_fatal() {
    let registry = Registry::new();
    let open = Arc::new(AtomicI64::new(1));
    pool(&registry, &open);
    registry
        .register_collector("broken", Broken::new(), |_: &Broken| {
            Err("statfs /backups: no such file or directory".into())
        })
        .unwrap();
    registry
        .register_collector("panicky", Disk::new(), |_: &Disk| {
            panic!("index out of range")
        })
        .unwrap();
    let text = validate_registry(&registry);
    assert!(text.contains("pool_connections 1\n"));
    assert!(!text.contains("broken_value"));
    assert!(!text.contains("disk_backup_age_seconds"));
    assert!(
        text.contains("metrics_collector_skips_total{collector=\"broken\",reason=\"error\"} 1\n")
    );
    assert!(
        text.contains("metrics_collector_skips_total{collector=\"panicky\",reason=\"error\"} 1\n")
    );
    let msg = registry.last_collect_error("broken").unwrap();
    assert!(msg.contains("no such file"), "{msg}");
    assert!(registry
        .last_collect_error("panicky")
        .unwrap()
        .contains("panicked: index out of range"));
    assert_eq!(registry.last_collect_error("pool"), None);
}
