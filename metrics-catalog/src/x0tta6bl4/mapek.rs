//! MAPE-K cycle metrics (seed: "MAPE-K Cycle Metrics", collector `MAPEKMetricsCollector`).

use std::fmt;
use std::time::Instant;

use promdecl::{Counter, Histogram, IntGauge, Metrics};

use super::buckets::MAPEK_PHASE;
use super::labels::CycleStatus;

pub use mapek_labels::Phase;

/// MAPE-K (Monitor, Analyze, Plan, Execute over Knowledge) self-healing loop metrics.
#[derive(Debug, Metrics)]
#[metrics(prefix = "x0tta6bl4_mapek")]
pub struct Mapek {
    /// Duration of a MAPE-K cycle phase in seconds (phase total is the whole cycle)
    #[metric(
        histogram,
        labels = [phase = [monitor, analyze, plan, execute, total]],
        buckets = MAPEK_PHASE,
        unit = "seconds"
    )]
    pub cycle_duration_seconds: Histogram,

    /// Total MAPE-K cycles completed, by outcome
    #[metric(counter, labels = [status = CycleStatus])]
    pub cycles_total: Counter,

    /// Total anomalies detected by the MAPE-K loop
    #[metric(counter, labels = [anomaly_type, severity])]
    pub anomalies_detected_total: Counter,

    /// Total recovery actions executed by the MAPE-K loop
    #[metric(
        counter,
        labels = [action_type, status],
        note = "`status` is free-form: the document shows only the example value `success`, not a closed set"
    )]
    pub recovery_actions_total: Counter,

    /// Size of the MAPE-K knowledge base in entries
    #[metric(gauge)]
    pub knowledge_base_size_entries: IntGauge,

    /// Size of the MAPE-K metrics cache in bytes
    #[metric(gauge, unit = "bytes")]
    pub metrics_cache_size_bytes: IntGauge,
}

impl Mapek {
    /// Starts timing a MAPE-K cycle (`start_cycle()` in the document).
    ///
    /// Time each phase with [`MapekCycle::start_phase`], then call [`MapekCycle::complete`].
    pub fn start_cycle(&self) -> MapekCycle<'_> {
        MapekCycle {
            mapek: self,
            started: Instant::now(),
        }
    }

    /// Records the duration of one phase that was timed elsewhere.
    pub fn record_phase(&self, phase: Phase, duration_seconds: f64) {
        self.cycle_duration_seconds(phase).observe(duration_seconds);
    }

    /// Counts a finished cycle (`record_cycle_completion(status)`). When the whole cycle was
    /// timed, its duration is observed under `phase="total"`.
    pub fn record_cycle_completion(&self, status: CycleStatus, total_seconds: Option<f64>) {
        self.cycles_total(status).inc();
        if let Some(seconds) = total_seconds {
            self.cycle_duration_seconds(Phase::Total).observe(seconds);
        }
    }

    /// Counts a detected anomaly, e.g. `record_anomaly("cpu_usage", "high")`.
    pub fn record_anomaly(&self, anomaly_type: &str, severity: &str) {
        self.anomalies_detected_total(anomaly_type, severity).inc();
    }

    /// Counts an executed recovery action, e.g. `record_recovery_action("scale_up", "success")`.
    pub fn record_recovery_action(&self, action_type: &str, status: &str) {
        self.recovery_actions_total(action_type, status).inc();
    }

    /// Sets the knowledge base size in entries.
    pub fn update_knowledge_base_size(&self, entries: i64) {
        self.knowledge_base_size_entries().set(entries);
    }

    /// Sets the metrics cache size in bytes.
    pub fn update_metrics_cache_size(&self, bytes: i64) {
        self.metrics_cache_size_bytes().set(bytes);
    }
}

/// A MAPE-K cycle being timed, from [`Mapek::start_cycle`].
///
/// Dropping it without calling [`MapekCycle::complete`] records nothing for the cycle (as in
/// the document's collector, a cycle that is never completed is not counted).
#[must_use = "finish the cycle with `complete(status)`"]
pub struct MapekCycle<'a> {
    mapek: &'a Mapek,
    started: Instant,
}

impl<'a> MapekCycle<'a> {
    /// Starts timing one phase (`start_phase("monitor")`). The duration is observed when the
    /// returned timer is ended or dropped (`end_phase("monitor")`).
    pub fn start_phase(&self, phase: Phase) -> PhaseTimer<'a> {
        PhaseTimer {
            mapek: self.mapek,
            phase,
            started: Instant::now(),
            recorded: false,
        }
    }

    /// Completes the cycle: counts it under `status` and observes the whole cycle duration
    /// under `phase="total"`. Returns that duration in seconds.
    pub fn complete(self, status: CycleStatus) -> f64 {
        let seconds = self.started.elapsed().as_secs_f64();
        self.mapek.record_cycle_completion(status, Some(seconds));
        seconds
    }
}

impl fmt::Debug for MapekCycle<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapekCycle")
            .field("started", &self.started)
            .finish_non_exhaustive()
    }
}

/// Times one MAPE-K phase; observes `x0tta6bl4_mapek_cycle_duration_seconds{phase}` once, on
/// [`PhaseTimer::end`] or on drop.
pub struct PhaseTimer<'a> {
    mapek: &'a Mapek,
    phase: Phase,
    started: Instant,
    recorded: bool,
}

impl PhaseTimer<'_> {
    /// Ends the phase now and returns its duration in seconds.
    pub fn end(mut self) -> f64 {
        self.record()
    }

    fn record(&mut self) -> f64 {
        let seconds = self.started.elapsed().as_secs_f64();
        if !self.recorded {
            self.recorded = true;
            self.mapek.record_phase(self.phase, seconds);
        }
        seconds
    }
}

impl Drop for PhaseTimer<'_> {
    fn drop(&mut self) {
        if !self.recorded {
            self.record();
        }
    }
}

impl fmt::Debug for PhaseTimer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PhaseTimer")
            .field("started", &self.started)
            .field("recorded", &self.recorded)
            .finish_non_exhaustive()
    }
}
