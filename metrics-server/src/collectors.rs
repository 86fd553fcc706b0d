//! Background collectors: the standard process metrics, tokio runtime and host gauges,
//! refreshed on intervals.
//!
//! They write into ordinary derived families, so a scrape only reads atomics and never waits
//! for a collection. Reading `/proc` is sysinfo's job, run on the blocking pool.

use std::sync::Arc;
use std::time::Duration;

use promdecl::{Counter, FloatCounter, Gauge, Info, IntGauge, Metrics};
use sysinfo::{Disks, Networks, System};

/// The standard process metrics, under the names the Prometheus client libraries use
/// (client_golang's process collector), so standard process dashboards work unchanged.
///
/// Read from `/proc/self` on Linux; on other systems they stay at zero.
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

/// The tokio runtime the collectors run on (the counterpart of Go's goroutine count).
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

/// Host gauges (CHORUS's system collector, every 30 s by default).
#[derive(Debug, Metrics)]
#[metrics(prefix = "system")]
pub struct SystemMetrics {
    /// Used fraction of each mounted filesystem
    #[metric(gauge, labels = [mount_point], max_series = 64)]
    pub disk_usage_ratio: Gauge,
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

/// Collection intervals.
#[derive(Debug, Clone, Copy)]
pub struct Intervals {
    /// Process and runtime gauges.
    pub resource: Duration,
    /// Disks, network and host info.
    pub system: Duration,
}

impl Default for Intervals {
    fn default() -> Self {
        Self {
            resource: Duration::from_secs(15),
            system: Duration::from_secs(30),
        }
    }
}

/// Refreshes [`ProcessMetrics`] and [`RuntimeMetrics`] every `interval` until the runtime
/// shuts down.
pub fn spawn_process_collector(
    process: Arc<ProcessMetrics>,
    runtime: Arc<RuntimeMetrics>,
    interval: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        let mut seen = proc_self::Totals::default();
        loop {
            tick.tick().await;
            let metrics = process.clone();
            seen = tokio::task::spawn_blocking(move || proc_self::collect(&metrics, seen))
                .await
                .unwrap_or(seen);
            let rt = tokio::runtime::Handle::current().metrics();
            runtime.alive_tasks().set(rt.num_alive_tasks() as i64);
            runtime.workers().set(rt.num_workers() as i64);
        }
    })
}

/// Reading `/proc/self` the way client_golang's process collector does.
#[cfg(target_os = "linux")]
mod proc_self {
    use procfs::process::{LimitValue, Process};
    use procfs::WithCurrentSystemInfo;

    use super::ProcessMetrics;

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

    pub(super) fn collect(m: &ProcessMetrics, mut seen: Totals) -> Totals {
        let Ok(me) = Process::myself() else {
            return seen;
        };
        if let Ok(stat) = me.stat() {
            let ticks = procfs::ticks_per_second() as f64;
            let cpu = (stat.utime + stat.stime) as f64 / ticks;
            m.cpu_seconds_total().inc_by(cpu - seen.cpu_seconds);
            seen.cpu_seconds = seen.cpu_seconds.max(cpu);
            if let Ok(boot) = procfs::boot_time_secs() {
                m.start_time_seconds()
                    .set(boot as f64 + stat.starttime as f64 / ticks);
            }
            m.resident_memory_bytes().set(stat.rss_bytes().get() as f64);
            m.virtual_memory_bytes().set(stat.vsize as f64);
            m.threads().set(stat.num_threads);
        }
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
        seen
    }
}

/// No `/proc`: the process metrics stay at zero.
#[cfg(not(target_os = "linux"))]
mod proc_self {
    use super::ProcessMetrics;

    #[derive(Debug, Default, Clone, Copy)]
    pub(super) struct Totals;

    pub(super) fn collect(_: &ProcessMetrics, seen: Totals) -> Totals {
        seen
    }
}

/// Refreshes [`SystemMetrics`] every `interval` until the runtime shuts down.
pub fn spawn_system_collector(
    metrics: Arc<SystemMetrics>,
    interval: Duration,
) -> tokio::task::JoinHandle<()> {
    metrics.info(
        &System::host_name().unwrap_or_default(),
        &System::long_os_version().unwrap_or_default(),
        &System::kernel_version().unwrap_or_default(),
        env!("CARGO_PKG_VERSION"),
    );
    tokio::spawn(async move {
        let mut state = (
            Disks::new_with_refreshed_list(),
            Networks::new_with_refreshed_list(),
        );
        let mut tick = tokio::time::interval(interval);
        loop {
            tick.tick().await;
            state = tokio::task::spawn_blocking(move || {
                let (mut disks, mut networks) = state;
                disks.refresh(true);
                networks.refresh(true);
                (disks, networks)
            })
            .await
            .unwrap_or_else(|_| (Disks::new(), Networks::new()));
            let (disks, networks) = &state;
            for d in disks.list() {
                if d.total_space() > 0 {
                    let used = d.total_space().saturating_sub(d.available_space());
                    let mount = d.mount_point().to_string_lossy();
                    metrics
                        .disk_usage_ratio(&mount)
                        .set(used as f64 / d.total_space() as f64);
                }
            }
            for (name, data) in networks.iter() {
                metrics
                    .network_receive_bytes_total(name)
                    .inc_by(data.received());
                metrics
                    .network_transmit_bytes_total(name)
                    .inc_by(data.transmitted());
            }
        }
    })
}

/// Registered collector families.
#[derive(Debug, Clone)]
pub struct Collectors {
    /// The standard process metrics.
    pub process: Arc<ProcessMetrics>,
    /// Tokio runtime gauges.
    pub runtime: Arc<RuntimeMetrics>,
    /// Host gauges.
    pub system: Arc<SystemMetrics>,
}

/// Registers both collectors in `registry` and starts them.
pub fn start(
    registry: &promdecl::Registry,
    intervals: Intervals,
) -> Result<Collectors, promdecl::RegistryError> {
    let c = Collectors {
        process: registry.register(ProcessMetrics::new())?,
        runtime: registry.register(RuntimeMetrics::new())?,
        system: registry.register(SystemMetrics::new())?,
    };
    spawn_process_collector(c.process.clone(), c.runtime.clone(), intervals.resource);
    spawn_system_collector(c.system.clone(), intervals.system);
    Ok(c)
}
