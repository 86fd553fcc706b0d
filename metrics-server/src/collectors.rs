//! Background collectors: process, system and runtime gauges, refreshed on intervals.
//!
//! They write into ordinary derived families, so a scrape only reads atomics and never waits
//! for a collection. Reading `/proc` is sysinfo's job, run on the blocking pool.

use std::sync::Arc;
use std::time::{Duration, Instant};

use promdecl::{Counter, Gauge, Info, IntGauge, Metrics};
use sysinfo::{Disks, Networks, Pid, ProcessRefreshKind, ProcessesToUpdate, System};

/// Process and runtime gauges (CHORUS's resource collector, every 15 s by default).
#[derive(Debug, Metrics)]
#[metrics(prefix = "process")]
pub struct ProcessMetrics {
    /// CPU used by this process, as a ratio of one core
    #[metric(gauge, name = "cpu_usage_ratio")]
    pub cpu: Gauge,
    /// Resident memory of this process
    #[metric(gauge)]
    pub resident_memory_bytes: Gauge,
    /// Virtual memory of this process
    #[metric(gauge)]
    pub virtual_memory_bytes: Gauge,
    /// OS threads of this process
    #[metric(gauge)]
    pub threads: IntGauge,
    /// Seconds since the collectors started
    #[metric(gauge)]
    pub uptime_seconds: Gauge,
    /// Tokio tasks currently alive (the counterpart of Go's goroutine count)
    #[metric(gauge, name = "tokio_alive_tasks")]
    pub alive_tasks: IntGauge,
    /// Tokio worker threads
    #[metric(gauge, name = "tokio_workers")]
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

/// Refreshes [`ProcessMetrics`] every `interval` until the runtime shuts down.
pub fn spawn_process_collector(
    metrics: Arc<ProcessMetrics>,
    interval: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let started = Instant::now();
        let pid = Pid::from_u32(std::process::id());
        let mut sys = System::new();
        let mut tick = tokio::time::interval(interval);
        loop {
            tick.tick().await;
            sys = tokio::task::spawn_blocking(move || {
                sys.refresh_processes_specifics(
                    ProcessesToUpdate::Some(&[pid]),
                    true,
                    ProcessRefreshKind::nothing()
                        .with_cpu()
                        .with_memory()
                        .with_tasks(),
                );
                sys
            })
            .await
            .unwrap_or_default();
            if let Some(p) = sys.process(pid) {
                metrics.cpu().set(f64::from(p.cpu_usage()) / 100.0);
                metrics.resident_memory_bytes().set(p.memory() as f64);
                metrics
                    .virtual_memory_bytes()
                    .set(p.virtual_memory() as f64);
                if let Some(tasks) = p.tasks() {
                    metrics.threads().set(tasks.len() as i64);
                }
            }
            let rt = tokio::runtime::Handle::current().metrics();
            metrics.alive_tasks().set(rt.num_alive_tasks() as i64);
            metrics.workers().set(rt.num_workers() as i64);
            metrics
                .uptime_seconds()
                .set(started.elapsed().as_secs_f64());
        }
    })
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
    /// Process and runtime gauges.
    pub process: Arc<ProcessMetrics>,
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
        system: registry.register(SystemMetrics::new())?,
    };
    spawn_process_collector(c.process.clone(), intervals.resource);
    spawn_system_collector(c.system.clone(), intervals.system);
    Ok(c)
}
