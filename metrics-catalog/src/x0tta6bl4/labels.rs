//! Label value sets shared by x0tta6bl4 families.

use promdecl::LabelValue;

/// Outcome of a MAPE-K cycle. The seed document gives the closed set
/// ("Статусы: success, failed, partial") for `x0tta6bl4_mapek_cycles_total{status}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, LabelValue)]
pub enum CycleStatus {
    /// `success`
    Success,
    /// `failed`
    Failed,
    /// `partial`
    Partial,
}
