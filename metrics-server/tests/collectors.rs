//! The process, runtime and system collectors are read at every scrape: two encodes with no
//! sleep in between already differ by what happened between them, and the exposition passes
//! promtool and Python's parsers.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use promdecl::{Format, Registry};
use promdecl_server::collectors;

/// The tests read the process's own file descriptors and CPU time: one at a time, so a
/// neighbour's collector or files cannot move the numbers under another.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The value of the sample `series` (name and labels exactly as exposed) in a text exposition.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

/// Encodes `registry`, checks the exposition with promtool and Python (both formats) and
/// returns the text.
fn scrape(registry: &Registry) -> String {
    tests::validate_registry(registry)
}

/// A tokio runtime with two worker threads.
fn two_workers() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Nothing was skipped or failed in any scrape so far.
fn assert_no_skips(registry: &Registry, text: &str, names: &[&str]) {
    for name in names {
        for reason in ["timeout", "error"] {
            let series = format!(
                "metrics_collector_skips_total{{collector=\"{name}\",reason=\"{reason}\"}}"
            );
            assert_eq!(sample(text, &series), Some(0.0), "{series}\n{text}");
        }
        assert_eq!(registry.last_collect_error(name), None);
    }
}

#[cfg(target_os = "linux")]
#[test]
fn open_files_show_in_the_next_scrape() {
    let _serial = serial();
    let registry = Registry::new();
    collectors::start(&registry).unwrap();
    let before = sample(&scrape(&registry), "process_open_fds").unwrap();
    let files: Vec<std::fs::File> = (0..50)
        .map(|_| std::fs::File::open("/dev/null").unwrap())
        .collect();
    let text = registry.encode(Format::Text);
    let after = sample(&text, "process_open_fds").unwrap();
    // The system collector runs beside the process collector and may hold a `/proc` or `/sys`
    // file or two open at the moment the descriptors are counted.
    const SLACK: f64 = 3.0;
    assert!(after >= before + 50.0 - SLACK, "{before} -> {after}");
    drop(files);
    let closed = sample(&registry.encode(Format::Text), "process_open_fds").unwrap();
    assert!(closed <= after - 50.0 + SLACK, "{after} -> {closed}");
    assert_no_skips(&registry, &scrape(&registry), &["process", "system"]);
}

#[cfg(target_os = "linux")]
#[test]
fn cpu_spent_shows_in_the_next_scrape() {
    let _serial = serial();
    let registry = Registry::new();
    collectors::start(&registry).unwrap();
    let text = scrape(&registry);
    let before = sample(&text, "process_cpu_seconds_total").unwrap();
    assert!(sample(&text, "process_start_time_seconds").unwrap() > 1.5e9);
    assert!(sample(&text, "process_resident_memory_bytes").unwrap() > 0.0);
    assert!(sample(&text, "process_threads").unwrap() >= 1.0);
    // 200 ms of CPU, however long the machine takes to give it (other work may share it).
    let cpu = || {
        let stat = procfs::process::Process::myself().unwrap().stat().unwrap();
        (stat.utime + stat.stime) as f64 / procfs::ticks_per_second() as f64
    };
    let (target, deadline) = (cpu() + 0.2, Instant::now() + Duration::from_secs(30));
    let mut x = 0u64;
    while cpu() < target && Instant::now() < deadline {
        for _ in 0..100_000 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
        }
    }
    let after = sample(&registry.encode(Format::Text), "process_cpu_seconds_total").unwrap();
    assert!(after - before >= 0.19, "{before} -> {after}");
}

#[test]
fn runtime_gauges_read_the_runtime_start_was_called_on() {
    let _serial = serial();
    let rt = two_workers();
    let registry = Registry::new();
    let started = {
        let _in = rt.enter();
        collectors::start(&registry).unwrap()
    };
    assert!(started.runtime.is_some());
    let text = scrape(&registry);
    assert_eq!(sample(&text, "tokio_runtime_workers"), Some(2.0), "{text}");
    let before = sample(&text, "tokio_runtime_alive_tasks").unwrap();

    // Permits, not `Notify::notify_one`: a notification sent before a task first polls is
    // kept only once, so some tasks could wait forever.
    let release = std::sync::Arc::new(tokio::sync::Semaphore::new(0));
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let release = release.clone();
            rt.spawn(async move { release.acquire().await.map(|p| p.forget()) })
        })
        .collect();
    let text = registry.encode(Format::Text);
    let during = sample(&text, "tokio_runtime_alive_tasks").unwrap();
    assert!(during >= before + 10.0, "{before} -> {during}");

    release.add_permits(tasks.len());
    rt.block_on(async {
        let all = async {
            for task in tasks {
                task.await.unwrap().unwrap();
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(30), all)
            .await
            .expect("the released tasks finish");
    });
    let after = sample(&registry.encode(Format::Text), "tokio_runtime_alive_tasks").unwrap();
    assert!(after <= during - 10.0, "{during} -> {after}");
    assert_no_skips(
        &registry,
        &scrape(&registry),
        &["process", "runtime", "system"],
    );
}

#[test]
fn outside_a_runtime_only_the_runtime_gauges_are_missing() {
    let _serial = serial();
    let registry = Registry::new();
    let started = collectors::start(&registry).unwrap();
    assert!(started.runtime.is_none());
    let text = scrape(&registry);
    assert!(!text.contains("tokio_runtime_"), "{text}");
    assert!(text.contains("# TYPE process_open_fds gauge\n"), "{text}");
    assert!(!text.contains("collector=\"runtime\""), "{text}");
}

#[test]
fn host_gauges_and_info_are_served() {
    let _serial = serial();
    let registry = Registry::new();
    collectors::start(&registry).unwrap();
    let text = scrape(&registry);
    let info = text
        .lines()
        .find(|l| l.starts_with("system_info{"))
        .unwrap_or_else(|| panic!("no system_info\n{text}"));
    assert!(
        info.contains(&format!("version=\"{}\"", env!("CARGO_PKG_VERSION"))),
        "{info}"
    );
    assert!(info.ends_with(" 1"), "{info}");
    for line in text
        .lines()
        .filter(|l| l.starts_with("system_disk_usage_ratio{"))
    {
        let ratio: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
        assert!((0.0..=1.0).contains(&ratio), "{line}");
    }
    // The memory in use, against the kernel's own figures: (MemTotal - MemAvailable) / MemTotal.
    let used = sample(&text, "system_memory_used_ratio").expect("system_memory_used_ratio");
    if let Ok(meminfo) = std::fs::read_to_string("/proc/meminfo") {
        let kb = |key: &str| -> f64 {
            let line = meminfo.lines().find(|l| l.starts_with(key)).unwrap();
            line.split_whitespace().nth(1).unwrap().parse().unwrap()
        };
        let expected = 1.0 - kb("MemAvailable:") / kb("MemTotal:");
        assert!((used - expected).abs() < 0.05, "{used} against {expected}");
    }
    // Interface counters only go up: a loopback ping of bytes shows on `lo` if there is one.
    let lo = "system_network_receive_bytes_total{interface=\"lo\"}";
    if let Some(before) = sample(&text, lo) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let mut out = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (mut into, _) = listener.accept().unwrap();
        std::io::Write::write_all(&mut out, &[7; 64 * 1024]).unwrap();
        let mut buf = vec![0; 64 * 1024];
        std::io::Read::read_exact(&mut into, &mut buf).unwrap();
        let after = sample(&registry.encode(Format::Text), lo).unwrap();
        assert!(after >= before + 64.0 * 1024.0, "{before} -> {after}");
    }
    assert_no_skips(&registry, &scrape(&registry), &["process", "system"]);
}

#[test]
fn a_failed_start_leaves_nothing_registered() {
    let _serial = serial();
    let registry = Registry::new();
    // Someone else's collector already took the name `system`.
    #[derive(promdecl::Metrics)]
    #[metrics(prefix = "mine")]
    struct Mine {
        /// Something of mine
        #[metric(gauge)]
        value: promdecl::IntGauge,
    }
    registry
        .register_collector("system", Mine::new(), |m: &Mine| {
            m.value().set(1);
            Ok(())
        })
        .unwrap();
    let err = collectors::start(&registry).unwrap_err();
    assert!(err.to_string().contains("`system`"), "{err}");
    let text = registry.encode(Format::Text);
    assert!(!text.contains("process_"), "{text}");
    assert!(text.contains("mine_value 1\n"), "{text}");
    // And once it is free, a start succeeds.
    assert!(collectors::start(&Registry::new()).is_ok());
}

/// How long a scrape of the collectors alone takes, end to end (every collector run on its
/// worker, then the encode): `cargo test --release -p promdecl-server --test collectors --
/// --ignored --nocapture`.
#[test]
#[ignore = "a measurement, not a check"]
fn measure_a_scrape_of_the_collectors() {
    let _serial = serial();
    let rt = two_workers();
    let registry = Registry::new();
    {
        let _in = rt.enter();
        collectors::start(&registry).unwrap();
    }
    let mut out = String::new();
    let mut took: Vec<Duration> = (0..1000)
        .map(|_| {
            out.clear();
            let t = Instant::now();
            registry.encode_into(&mut out, Format::Text);
            t.elapsed()
        })
        .collect();
    took.sort();
    let at = |q: f64| took[((took.len() - 1) as f64 * q) as usize];
    println!(
        "a scrape of the process, runtime and system collectors ({} bytes): median {:?}, p99 {:?}, max {:?}",
        out.len(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
    assert_no_skips(
        &registry,
        &registry.encode(Format::Text),
        &["process", "runtime", "system"],
    );
}
