//! Task management metrics: active/queued tasks, completions, durations, queue wait.

use std::time::Duration;

use promdecl::{Counter, Histogram, IntGauge, Metrics};

use super::buckets::LATENCY;
use super::labels::Status;

/// Task metrics.
#[derive(Debug, Metrics)]
#[metrics(prefix = "chorus")]
pub struct Tasks {
    /// Number of currently active tasks
    #[metric(gauge)]
    pub tasks_active: IntGauge,

    /// Number of queued tasks waiting execution
    #[metric(gauge)]
    pub tasks_queued: IntGauge,

    /// Total number of completed tasks
    #[metric(counter, labels = [status = Status, task_type])]
    pub tasks_completed_total: Counter,

    /// Task execution duration distribution
    #[metric(
        histogram,
        labels = [task_type, status = Status],
        buckets = LATENCY,
        unit = "seconds",
        note = "`status` is not enumerated for this family in the document; typed as success/failure like `chorus_tasks_completed_total`. Buckets: the MetricsConfig latency default, matching the document's exposition sample (le=0.001, 0.005, 0.01, ...)"
    )]
    pub task_duration_seconds: Histogram,

    /// Time tasks spend in queue before execution
    #[metric(
        histogram,
        buckets = LATENCY,
        unit = "seconds",
        note = "the document gives no buckets; uses the MetricsConfig latency default"
    )]
    pub task_queue_wait_time_seconds: Histogram,
}

impl Tasks {
    /// A finished task: `IncrementTasksCompleted(status, taskType)` + `ObserveTaskDuration(taskType, status, duration)`.
    pub fn record_completed(&self, task_type: &str, status: Status, duration: Duration) {
        self.tasks_completed_total(status, task_type).inc();
        self.task_duration_seconds(task_type, status)
            .observe(duration.as_secs_f64());
    }

    /// Records how long a task waited in the queue before it started.
    pub fn observe_queue_wait(&self, wait: Duration) {
        self.task_queue_wait_time_seconds()
            .observe(wait.as_secs_f64());
    }
}
