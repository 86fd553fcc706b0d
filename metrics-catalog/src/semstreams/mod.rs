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
//! Service-specific metrics (`RegisterCounter(service, metricName, ...)`, `Unregister`) go
//! through [`ServiceRegistry`]: keyed by `(service, metric name)`, idempotent for the same
//! metric, an error for a conflicting one.

use std::fmt;
use std::sync::Arc;

use promdecl::{FamilyDesc, Metrics, Registry, RegistryError};

pub mod buckets;
pub mod nats;
pub mod service;
pub mod services;

pub use nats::{CircuitBreakerState, Nats};
pub use service::{Service, ServiceStatus};
pub use services::ServiceRegistry;

/// The semstreams core metrics (`CoreMetrics()`), one registered category struct per field.
pub struct Semstreams {
    /// Per-service lifecycle, message, duration and error families.
    pub service: Arc<Service>,
    /// NATS connectivity families.
    pub nats: Arc<Nats>,
}

impl Semstreams {
    /// Registers the semstreams core metrics in `registry`.
    pub fn register(registry: &Registry) -> Result<Self, RegistryError> {
        Ok(Self {
            service: registry.register(Service::new())?,
            nats: registry.register(Nats::new())?,
        })
    }

    /// The static descriptors of every semstreams core family.
    pub fn families() -> impl Iterator<Item = &'static FamilyDesc> {
        [<Service as Metrics>::FAMILIES, <Nats as Metrics>::FAMILIES]
            .into_iter()
            .flatten()
    }
}

impl fmt::Debug for Semstreams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semstreams").finish_non_exhaustive()
    }
}
