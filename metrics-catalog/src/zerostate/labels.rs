//! Label values shared by the zerostate helper methods.
//!
//! The seed document never gives a closed set of values for the `status` labels
//! (`payments_total`, `settlements_total`, `tasks_completed_total`, ...), so those labels are
//! free-form strings. The helpers that take `success: bool` (as the documented Go helpers do)
//! write the two values below; other callers may write other statuses (e.g. `refunded`).

/// `status` value written by the helpers for a successful operation.
pub const SUCCESS: &str = "success";

/// `status` value written by the helpers for a failed operation (zerostate's own spelling in
/// `libs/economic/metrics.go`).
pub const FAILED: &str = "failed";

/// Maps a helper's `success` flag to its `status` label value.
#[inline]
pub fn status(success: bool) -> &'static str {
    if success {
        SUCCESS
    } else {
        FAILED
    }
}
