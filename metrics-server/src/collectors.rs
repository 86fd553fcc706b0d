//! Scrape-time collectors: the standard process metrics, tokio runtime and host gauges, read
//! when the registry is encoded.
//!
//! Each is a [`Registry::register_collector`] collector, so its values are fresh at every
//! scrape instead of lagging by a polling interval: a file opened or a CPU second spent just
//! before a scrape is in it. Each runs on a worker thread of its own, and a scrape waits for
//! all of them together at most the registry's
//! [`collect_timeout`](promdecl::RegistryBuilder::collect_timeout) (default
//! [`DEFAULT_COLLECT_TIMEOUT`](promdecl::DEFAULT_COLLECT_TIMEOUT), 1 s). One that is slower
//! than that (a hung network filesystem under the disk gauges, say) or fails has its families
//! left out of that scrape and counted in `metrics_collector_skips_total{collector,reason}`
//! ([`Registry::last_collect_error`] has the message), while everything else is served.
//!
//! A collection is cheap: on a 2-core Linux machine the process one (`/proc/self`: stat, file
//! descriptor count, limits, network devices) takes about 60 µs, the system one (disk space of
//! every mount and counters of every interface) about 0.5 ms, under 5 ms at the 99th
//! percentile (a whole scrape of the three, encode included, about 0.9 ms:
//! `cargo test --release -p promdecl-server --test collectors -- --ignored --nocapture`).

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

use promdecl::{
    CollectError, Counter, FloatCounter, Gauge, Info, IntGauge, Metrics, Registry, RegistryError,
};
use sysinfo::{DiskRefreshKind, Disks, Networks, System};

/// The standard process metrics, under the names the Prometheus client libraries use
/// (client_golang's process collector), so standard process dashboards work unchanged.
///
/// Read from `/proc/self` on Linux at every scrape; on other systems they stay at zero.
#[derive(Debug, Metrics)]
#[metrics(prefix = "process")]
pub struct ProcessMetrics {
    /// Total user and system CPU time spent in seconds.
    #[metric(counter)]
    pub cpu_seconds_total: FloatCounter,
    /// Start time of the process since unix epoch in seconds.
    #[metric(gauge)]
    pub start_time_seconds: Gauge,
    /// Resident memory size in bytes.
    #[metric(gauge)]
    pub resident_memory_bytes: Gauge,
    /// Virtual memory size in bytes.
    #[metric(gauge)]
    pub virtual_memory_bytes: Gauge,
    /// Maximum amount of virtual memory available in bytes.
    #[metric(gauge)]
    pub virtual_memory_max_bytes: Gauge,
    /// Number of open file descriptors.
    #[metric(gauge)]
    pub open_fds: IntGauge,
    /// Maximum number of open file descriptors.
    #[metric(gauge)]
    pub max_fds: IntGauge,
    /// Number of OS threads in the process.
    #[metric(gauge)]
    pub threads: IntGauge,
    /// Number of bytes received by the process over the network.
    #[metric(counter)]
    pub network_receive_bytes_total: Counter,
    /// Number of bytes sent by the process over the network.
    #[metric(counter)]
    pub network_transmit_bytes_total: Counter,
}

/// The tokio runtime [`start`] was called on (the counterpart of Go's goroutine count).
#[derive(Debug, Metrics)]
#[metrics(prefix = "tokio_runtime")]
pub struct RuntimeMetrics {
    /// Tokio tasks currently alive
    #[metric(gauge)]
    pub alive_tasks: IntGauge,
    /// Tokio worker threads
    #[metric(gauge)]
    pub workers: IntGauge,
}

/// Host gauges (CHORUS's system collector), read at every scrape; `info` is set once, by
/// [`start`].
#[derive(Debug, Metrics)]
#[metrics(prefix = "system")]
pub struct SystemMetrics {
    /// Used fraction of each mounted filesystem
    #[metric(gauge, labels = [mount_point], max_series = 64)]
    pub disk_usage_ratio: Gauge,
    /// Used fraction of the host's memory (all but what is available to new work)
    #[metric(gauge)]
    pub memory_used_ratio: Gauge,
    /// Bytes received per network interface
    #[metric(counter, labels = [interface], max_series = 64)]
    pub network_receive_bytes_total: Counter,
    /// Bytes sent per network interface
    #[metric(counter, labels = [interface], max_series = 64)]
    pub network_transmit_bytes_total: Counter,
    /// Host and build facts
    #[metric(info, labels = [hostname, os, kernel, version])]
    pub info: Info,
}

/// The collectors [`start`] registered.
#[derive(Debug, Clone)]
pub struct Collectors {
    /// The standard process metrics (collector `process`).
    pub process: Arc<ProcessMetrics>,
    /// Tokio runtime gauges (collector `runtime`); `None` when [`start`] was called outside a
    /// tokio runtime.
    pub runtime: Option<Arc<RuntimeMetrics>>,
    /// Host gauges (collector `system`).
    pub system: Arc<SystemMetrics>,
}

/// Registers the collectors in `registry` under the names `process`, `runtime` and `system`
/// (the `collector` label of `metrics_collector_skips_total` and the argument of
/// [`Registry::last_collect_error`]); from then on every encode reads them.
///
/// The runtime gauges read the tokio runtime this is called on; outside one they are not
/// registered. On an error nothing stays registered.
///
/// ```
/// use promdecl::{Format, Registry};
/// use promdecl_server::collectors;
///
/// let registry = Registry::new();
/// collectors::start(&registry)?;
/// let text = registry.encode(Format::Text);
/// assert!(text.contains("# TYPE process_open_fds gauge\n"));
/// assert!(text.contains("# TYPE system_info gauge\n"));
/// # Ok::<(), promdecl::RegistryError>(())
/// ```
pub fn start(registry: &Registry) -> Result<Collectors, RegistryError> {
    let process = registry.register_collector("process", ProcessMetrics::new(), process())?;
    let runtime = match tokio::runtime::Handle::try_current() {
        Ok(handle) => {
            match registry.register_collector("runtime", RuntimeMetrics::new(), runtime(handle)) {
                Ok(runtime) => Some(runtime),
                Err(e) => {
                    registry.unregister(&process);
                    return Err(e);
                }
            }
        }
        Err(_) => None,
    };
    let host = SystemMetrics::new();
    host.info(
        &System::host_name().unwrap_or_default(),
        &System::long_os_version().unwrap_or_default(),
        &System::kernel_version().unwrap_or_default(),
        env!("CARGO_PKG_VERSION"),
    );
    let system = match registry.register_collector("system", host, system()) {
        Ok(system) => system,
        Err(e) => {
            registry.unregister(&process);
            if let Some(runtime) = &runtime {
                registry.unregister(runtime);
            }
            return Err(e);
        }
    };
    Ok(Collectors {
        process,
        runtime,
        system,
    })
}

/// The process collector: `/proc/self`, with the counters' sources as last read kept between
/// scrapes so the counters only go up.
fn process() -> impl Fn(&ProcessMetrics) -> Result<(), CollectError> + Send + Sync + 'static {
    let seen = Mutex::new(proc_self::Totals::default());
    move |m| proc_self::collect(m, &mut seen.lock().unwrap_or_else(PoisonError::into_inner))
}

/// The runtime collector: `handle.metrics()` can be read from any thread.
fn runtime(
    handle: tokio::runtime::Handle,
) -> impl Fn(&RuntimeMetrics) -> Result<(), CollectError> + Send + Sync + 'static {
    move |m| {
        let rt = handle.metrics();
        m.alive_tasks().set(rt.num_alive_tasks() as i64);
        m.workers().set(rt.num_workers() as i64);
        Ok(())
    }
}

/// What the system collector keeps between scrapes: sysinfo's lists (the network counters
/// advance by what it saw since the last refresh) and the label values exposed, so a mount or
/// interface that went away has its series removed.
struct Host {
    memory: System,
    disks: Disks,
    networks: Networks,
    mounts: HashSet<String>,
    interfaces: HashSet<String>,
}

/// The system collector. The disk list is first read on the collector's worker, so a hung
/// mount cannot hold up [`start`]; the network list is read here, as the counters' baseline.
fn system() -> impl Fn(&SystemMetrics) -> Result<(), CollectError> + Send + Sync + 'static {
    let host = Mutex::new(Host {
        memory: System::new(),
        disks: Disks::new(),
        networks: Networks::new_with_refreshed_list(),
        mounts: HashSet::new(),
        interfaces: HashSet::new(),
    });
    move |m| {
        let mut host = host.lock().unwrap_or_else(PoisonError::into_inner);
        let Host {
            memory,
            disks,
            networks,
            mounts,
            interfaces,
        } = &mut *host;
        memory.refresh_memory();
        if memory.total_memory() > 0 {
            let used = memory.used_memory() as f64 / memory.total_memory() as f64;
            m.memory_used_ratio().set(used);
        }
        // Only the space: no I/O counters or disk kinds, which are not exposed.
        disks.refresh_specifics(true, DiskRefreshKind::nothing().with_storage());
        networks.refresh(true);

        let mut now = HashSet::new();
        for d in disks.list() {
            if d.total_space() > 0 {
                let used = d.total_space().saturating_sub(d.available_space());
                let mount = d.mount_point().to_string_lossy();
                m.disk_usage_ratio(&mount)
                    .set(used as f64 / d.total_space() as f64);
                now.insert(mount.into_owned());
            }
        }
        for gone in mounts.difference(&now) {
            m.remove_disk_usage_ratio(gone);
        }
        *mounts = now;

        let mut now = HashSet::new();
        for (name, data) in networks.iter() {
            m.network_receive_bytes_total(name).inc_by(data.received());
            m.network_transmit_bytes_total(name)
                .inc_by(data.transmitted());
            now.insert(name.clone());
        }
        for gone in interfaces.difference(&now) {
            m.remove_network_receive_bytes_total(gone);
            m.remove_network_transmit_bytes_total(gone);
        }
        *interfaces = now;
        Ok(())
    }
}

/// Reading `/proc/self` the way client_golang's process collector does.
#[cfg(target_os = "linux")]
mod proc_self {
    use procfs::process::{LimitValue, Process};
    use procfs::WithCurrentSystemInfo;

    use super::{CollectError, ProcessMetrics};

    /// The counters' sources as last read: the counters advance by the difference.
    #[derive(Debug, Default, Clone, Copy)]
    pub(super) struct Totals {
        cpu_seconds: f64,
        received: u64,
        transmitted: u64,
    }

    /// `-1` stands for "unlimited", as in client_golang.
    fn limit(v: LimitValue) -> f64 {
        match v {
            LimitValue::Value(v) => v as f64,
            LimitValue::Unlimited => -1.0,
        }
    }

    /// Fails only when `/proc/self/stat` cannot be read; the other sources are best effort
    /// (a sandbox may hide one), keeping their last values.
    pub(super) fn collect(m: &ProcessMetrics, seen: &mut Totals) -> Result<(), CollectError> {
        let me = Process::myself()?;
        let stat = me.stat()?;
        let ticks = procfs::ticks_per_second() as f64;
        let cpu = (stat.utime + stat.stime) as f64 / ticks;
        if cpu > seen.cpu_seconds {
            m.cpu_seconds_total().inc_by(cpu - seen.cpu_seconds);
            seen.cpu_seconds = cpu;
        }
        if let Ok(boot) = procfs::boot_time_secs() {
            m.start_time_seconds()
                .set(boot as f64 + stat.starttime as f64 / ticks);
        }
        m.resident_memory_bytes().set(stat.rss_bytes().get() as f64);
        m.virtual_memory_bytes().set(stat.vsize as f64);
        m.threads().set(stat.num_threads);
        if let Ok(n) = me.fd_count() {
            m.open_fds().set(n as i64);
        }
        if let Ok(limits) = me.limits() {
            m.max_fds()
                .set(limit(limits.max_open_files.soft_limit) as i64);
            m.virtual_memory_max_bytes()
                .set(limit(limits.max_address_space.soft_limit));
        }
        if let Ok(devices) = me.dev_status() {
            let received = devices.values().map(|d| d.recv_bytes).sum::<u64>();
            let transmitted = devices.values().map(|d| d.sent_bytes).sum::<u64>();
            m.network_receive_bytes_total()
                .inc_by(received.saturating_sub(seen.received));
            m.network_transmit_bytes_total()
                .inc_by(transmitted.saturating_sub(seen.transmitted));
            seen.received = seen.received.max(received);
            seen.transmitted = seen.transmitted.max(transmitted);
        }
        Ok(())
    }
}

/// No `/proc`: the process metrics stay at zero.
#[cfg(not(target_os = "linux"))]
mod proc_self {
    use super::{CollectError, ProcessMetrics};

    #[derive(Debug, Default, Clone, Copy)]
    pub(super) struct Totals;

    pub(super) fn collect(_: &ProcessMetrics, _: &mut Totals) -> Result<(), CollectError> {
        Ok(())
    }
}
