//! The four standard bucket sets of zerostate's `libs/metrics/registry.go`
//! ("Standard Buckets" in the seed document), verbatim.

/// `DurationBuckets`: seconds, 100 µs to 10 s.
pub const DURATION: &[f64] = &[
    0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0,
];

/// `CostBuckets`: currency amounts (costs, payments, bids, escrows), 0.001 to 1000.
pub const COST: &[f64] = &[0.001, 0.01, 0.1, 1.0, 10.0, 100.0, 1000.0];

/// `CountBuckets`: item counts, 1 to 1000.
pub const COUNT: &[f64] = &[1.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0];

/// `BytesBuckets`: sizes in bytes, 1 KiB to 1 GiB.
pub const BYTES: &[f64] = &[
    1024.0,
    10240.0,
    102400.0,
    1048576.0,
    10485760.0,
    104857600.0,
    1073741824.0,
];
