//! Histogram bucket presets given by the CHORUS `pkg/metrics` document.
//!
//! `LATENCY` and `SIZE` are the `DefaultMetricsConfig()` defaults of `MetricsConfig.LatencyBuckets`
//! ("0.001s to 10s") and `MetricsConfig.SizeBuckets` ("64B to 16MB"). `SLURP_GENERATION` is the
//! explicit bucket list of `chorus_slurp_generation_time_seconds`. `CONNECTION_DURATION` is not in
//! the document (see its doc comment).

/// `MetricsConfig.LatencyBuckets` default: 1ms to 10s, in seconds.
pub const LATENCY: &[f64] = &[
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// `MetricsConfig.SizeBuckets` default: 64 B to 16 MiB, in bytes (powers of 4).
pub const SIZE: &[f64] = &[
    64.0, 256.0, 1024.0, 4096.0, 16384.0, 65536.0, 262144.0, 1048576.0, 4194304.0, 16777216.0,
];

/// Buckets of `chorus_slurp_generation_time_seconds`, as the document lists them (seconds).
pub const SLURP_GENERATION: &[f64] = &[0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0];

/// Buckets of `chorus_p2p_connection_duration_seconds` (seconds): 1s to 1 day.
///
/// The document gives no buckets for this family. Connections live for minutes to hours, so the
/// 1ms..10s `LATENCY` preset would put almost every observation in `+Inf`; this preset is a
/// catalog decision, not a value from the document.
pub const CONNECTION_DURATION: &[f64] = &[
    1.0, 10.0, 60.0, 300.0, 900.0, 1800.0, 3600.0, 7200.0, 21600.0, 86400.0,
];
