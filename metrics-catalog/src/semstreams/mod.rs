//! semstreams: the core platform metrics of semstreams (StreamKit).
//!
//! Seed: `shared/seeds/semstreams-metric-package.txt` (the godoc of package
//! `github.com/c360studio/semstreams/metric`). It describes the core metrics every
//! semstreams process registers (`semstreams_*`: service lifecycle, message processing,
//! processing performance, NATS connectivity, error tracking) and the typed recorders of its
//! `Metrics` type (`RecordServiceStatus`, ...), mirrored here as inherent methods of
//! [`Service`] and [`Nats`].
//!
//! Where the document names a family (its core-metric list and its
//! `semstreams_service_status{service="..."}` examples) that name is used; the families of its
//! `Metrics` struct that it never names take their names from semstreams' `metric/core.go`.
//!
//! Service-specific metrics (`RegisterCounter(service, metricName, ...)` and its siblings,
//! `Unregister`) are families defined at run time, registered through [`ServiceRegistry`], which
//! implements the [`MetricsRegistrar`] trait a service takes as a dependency: keyed by
//! `(service, metric name)`, exposed under the metric name as given, idempotent for the same
//! definition, an error for a conflicting one.

pub mod buckets;
pub mod nats;
pub mod service;
pub mod services;
pub mod workload;

pub use nats::{CircuitBreakerState, Nats};
pub use service::{Service, ServiceStatus};
pub use services::{MetricsRegistrar, ServiceError, ServiceRegistry};

crate::macros::system! {
    /// The semstreams core metrics (`CoreMetrics()`), one registered category struct per field.
    pub struct Semstreams {
        /// Per-service lifecycle, message, duration and error families.
        service: Service = "Service metrics",
        /// NATS connectivity families.
        nats: Nats = "NATS metrics",
    }
}
