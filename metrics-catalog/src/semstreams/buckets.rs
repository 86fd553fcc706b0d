//! Bucket presets of semstreams.

/// `prometheus.DefBuckets` of the Go client (seconds), which semstreams uses for its
/// processing-duration histogram and which the document names in its examples.
pub const DEF_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
