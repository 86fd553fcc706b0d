//! A service whose only metrics dependency is `corp-metrics`: there is no `promdecl` in its
//! extern prelude, so everything the derives generate must go through `crate = "..."`.

use corp_metrics::promdecl::{Counter, Gauge, Histogram, Info, LabelValue, Metrics};

/// How a request ended.
#[derive(Debug, Clone, Copy, LabelValue)]
#[label(crate = "corp_metrics::promdecl", rename_all = "kebab-case")]
pub enum Outcome {
    /// Served.
    Served,
    /// Turned away by the rate limiter.
    RateLimited,
}

/// The service's families: one free-form, inline-enum and typed label each, and every kind.
#[derive(Debug, Metrics)]
#[metrics(crate = "corp_metrics::promdecl", prefix = "corp")]
pub struct ServiceMetrics {
    /// Requests by route, method and outcome
    #[metric(counter, labels = [route, method = [get, put], outcome: Outcome], max_series = 100)]
    pub requests_total: Counter,
    /// Requests in flight
    #[metric(gauge)]
    pub in_flight: Gauge,
    /// Request latency
    #[metric(histogram, labels = [method = [get, put]], buckets = [0.1, 1.0])]
    pub request_seconds: Histogram,
    /// Build information
    #[metric(info, labels = [version, outcome: Outcome])]
    pub build_info: Info,
}
