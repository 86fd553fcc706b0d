//! mTLS and SPIFFE/SPIRE metrics (seed: "mTLS & SPIFFE Metrics").

use promdecl::{Counter, Gauge, Histogram, Metrics};

use super::buckets::FAST_OPERATION;

/// mTLS certificate lifecycle and SPIFFE/SPIRE identity metrics.
#[derive(Debug, Metrics)]
#[metrics(prefix = "x0tta6bl4")]
pub struct Mtls {
    /// Total mTLS certificate rotations
    #[metric(counter)]
    pub mtls_certificate_rotations_total: Counter,

    /// Seconds until the current mTLS certificate expires
    #[metric(gauge, unit = "seconds")]
    pub mtls_certificate_expiry_seconds: Gauge,

    /// Age of the current mTLS certificate in seconds
    #[metric(gauge, unit = "seconds")]
    pub mtls_certificate_age_seconds: Gauge,

    /// Total mTLS validation failures, by failure type
    #[metric(
        counter,
        labels = [failure_type],
        note = "the document's P0 #2 section calls it `mtls_validation_failures`; the Metrics Reference name (with `_total`) is used"
    )]
    pub mtls_validation_failures_total: Counter,

    /// Total SPIFFE SVIDs issued
    #[metric(counter)]
    pub spiffe_svid_issuance_total: Counter,

    /// Total SPIFFE SVID renewals
    #[metric(counter)]
    pub spiffe_svid_renewal_total: Counter,

    /// SPIRE server latency in seconds
    #[metric(histogram, buckets = FAST_OPERATION, unit = "seconds")]
    pub spire_server_latency_seconds: Histogram,
}
