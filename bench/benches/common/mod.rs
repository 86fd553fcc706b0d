//! What every bench target shares.

use std::time::Duration;

use criterion::Criterion;

/// Criterion's settings for every group: short warm-up and measurement, 50 samples, no plots.
pub fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(800))
        .measurement_time(Duration::from_millis(3000))
        .sample_size(50)
        .without_plots()
}
