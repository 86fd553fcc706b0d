//! Label value enums shared by several CHORUS categories.

use promdecl::LabelValue;

/// Outcome of an operation: the `status` label (`success` / `failure`).
///
/// Used by `chorus_dht_put_operations_total`, `chorus_dht_get_operations_total`,
/// `chorus_dht_operation_latency_seconds`, `chorus_tasks_completed_total`,
/// `chorus_task_duration_seconds`, `chorus_slurp_contexts_generated_total` and
/// `chorus_ucxi_requests_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, LabelValue)]
pub enum Status {
    /// The operation succeeded (`success`).
    Success,
    /// The operation failed (`failure`).
    Failure,
}

impl Status {
    /// `Success` when `ok`, `Failure` otherwise.
    #[must_use]
    pub const fn from_ok(ok: bool) -> Self {
        if ok {
            Self::Success
        } else {
            Self::Failure
        }
    }
}

impl<T, E> From<&Result<T, E>> for Status {
    fn from(result: &Result<T, E>) -> Self {
        Self::from_ok(result.is_ok())
    }
}
