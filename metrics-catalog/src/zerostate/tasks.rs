//! Task execution metrics (the document's "Task Execution Metrics", 5 families).

use std::time::Duration;

use promdecl::{Counter, Histogram, Metrics};

use super::labels;

/// Tasks submitted to and executed by agents, by task type.
#[derive(Debug, Metrics)]
#[metrics(prefix = "zerostate_economic")]
pub struct Tasks {
    /// Total tasks submitted (by type)
    #[metric(
        counter,
        labels = [r#type],
        note = "name not given by the document: Go field `TasksSubmitted` + `_total`"
    )]
    pub tasks_submitted_total: Counter,

    /// Total tasks completed (by type, status)
    #[metric(
        counter,
        labels = [r#type, status],
        note = "name from the document's PromQL `rate(zerostate_economic_tasks_completed_total[5m])`"
    )]
    pub tasks_completed_total: Counter,

    /// Task execution time (by type)
    #[metric(
        histogram,
        labels = [r#type],
        unit = "seconds",
        buckets = crate::zerostate::buckets::DURATION,
        note = "name from the document's PromQL and alert `SlowTaskExecution`; DurationBuckets top out at 10 s, exactly the alert's threshold, so its p99 cannot exceed 10 (+Inf bucket interpolates to the highest finite bound)"
    )]
    pub task_duration_seconds: Histogram,

    /// Task execution cost (by type)
    #[metric(
        histogram,
        labels = [r#type],
        buckets = crate::zerostate::buckets::COST,
        note = "name not given by the document: snake_case of the Go field `TaskCost`; currency amount, no unit suffix; CostBuckets"
    )]
    pub task_cost: Histogram,

    /// Task execution errors (by type, error)
    #[metric(
        counter,
        labels = [r#type, error],
        note = "name from the document's PromQL and alert `HighTaskFailureRate`"
    )]
    pub task_errors_total: Counter,
}

impl Tasks {
    /// `RecordTaskExecution(taskType string, duration, cost float64, success bool)`: counts the
    /// task in `zerostate_economic_tasks_completed_total{type, status="success"|"failed"}` and
    /// observes its execution time and cost under `{type}`.
    ///
    /// Errors are not counted here (the helper receives no `error` value); record them with
    /// [`Tasks::task_errors_total`].
    pub fn record_task_execution(
        &self,
        task_type: &str,
        duration: Duration,
        cost: f64,
        success: bool,
    ) {
        self.tasks_completed_total(task_type, labels::status(success))
            .inc();
        self.task_duration_seconds(task_type)
            .observe(duration.as_secs_f64());
        self.task_cost(task_type).observe(cost);
    }
}
