//! Background collectors: process and runtime gauges, refreshed on an interval.
//!
//! They write into ordinary derived families, so a scrape only reads atomics and never waits
//! for a collection.

use std::sync::Arc;
use std::time::{Duration, Instant};

use metrics_core::{Gauge, IntGauge, Metrics};
use sysinfo::{Pid, ProcessRefreshKind, ProcessesToUpdate, System};

/// Process and runtime gauges.
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
    /// Seconds since the process started collecting
    #[metric(gauge)]
    pub uptime_seconds: Gauge,
    /// Tokio tasks currently alive (the counterpart of Go's goroutine count)
    #[metric(gauge, name = "tokio_alive_tasks")]
    pub alive_tasks: IntGauge,
    /// Tokio worker threads
    #[metric(gauge, name = "tokio_workers")]
    pub workers: IntGauge,
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
            // sysinfo reads /proc synchronously; keep it off the async workers.
            sys = tokio::task::spawn_blocking(move || {
                sys.refresh_processes_specifics(
                    ProcessesToUpdate::Some(&[pid]),
                    true,
                    ProcessRefreshKind::nothing().with_cpu().with_memory(),
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
