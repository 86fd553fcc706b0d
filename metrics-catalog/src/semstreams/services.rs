//! semstreams' service-specific registration: a service registers its own metric under
//! `(service, metric name)`; registering the same metric again is a no-op, a different one under
//! the same key or name is an error, and `unregister` removes it.
//!
//! The unit registered is a derived struct whose families include `metric_name`, so the
//! compile-time guarantees of the derive still hold for service metrics.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use promdecl::{Metrics, Registry, RegistryError};

struct Entry {
    type_id: TypeId,
    metrics: Arc<dyn Any + Send + Sync>,
    /// `Registry::unregister` is generic over the struct; this keeps the concrete call.
    unregister: Box<dyn Fn(&Registry) -> bool + Send + Sync>,
}

/// Per-service metric registrations on top of a [`Registry`] (semstreams' `MetricsRegistry`).
///
/// ```
/// use std::sync::Arc;
/// use promdecl_catalog::semstreams::ServiceRegistry;
/// use promdecl::{Counter, Metrics, Registry};
///
/// #[derive(Debug, Metrics)]
/// struct ApiRequests {
///     /// API requests by endpoint
///     #[metric(counter, labels = [endpoint])]
///     api_requests_total: Counter,
/// }
///
/// let services = ServiceRegistry::new(Arc::new(Registry::new()));
/// let api = services.register("gateway", "api_requests_total", ApiRequests::new()).unwrap();
/// api.api_requests_total("/v1/items").inc();
/// // The same metric again: the registered instance comes back.
/// let again = services.register("gateway", "api_requests_total", ApiRequests::new()).unwrap();
/// assert!(Arc::ptr_eq(&api, &again));
/// assert!(services.unregister("gateway", "api_requests_total"));
/// ```
pub struct ServiceRegistry {
    registry: Arc<Registry>,
    entries: Mutex<HashMap<(String, String), Entry>>,
}

impl fmt::Debug for ServiceRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.entries.lock().map(|e| e.len()).unwrap_or(0);
        f.debug_struct("ServiceRegistry")
            .field("registrations", &n)
            .finish()
    }
}

impl ServiceRegistry {
    /// Service registrations on top of `registry`.
    pub fn new(registry: Arc<Registry>) -> Self {
        Self {
            registry,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// Registers `metrics` for `service` under `metric_name` (one of its exposed family names).
    ///
    /// Idempotent for the same metric: the already registered instance is returned. A different
    /// struct under the same key, or a name another service holds, is an error naming both.
    pub fn register<M: Metrics>(
        &self,
        service: &str,
        metric_name: &str,
        metrics: M,
    ) -> Result<Arc<M>, RegistryError> {
        if !M::FAMILIES.iter().any(|f| f.name == metric_name) {
            let names: Vec<&str> = M::FAMILIES.iter().map(|f| f.name).collect();
            return Err(RegistryError::Invalid(format!(
                "service `{service}` registers `{metric_name}`, but `{}` declares only {names:?}",
                std::any::type_name::<M>()
            )));
        }
        let mut entries = self
            .entries
            .lock()
            .map_err(|_| RegistryError::Invalid("service registry poisoned".into()))?;
        let key = (service.to_string(), metric_name.to_string());
        if let Some(e) = entries.get(&key) {
            return match e.metrics.clone().downcast::<M>() {
                Ok(existing) if e.type_id == TypeId::of::<M>() => Ok(existing),
                _ => Err(RegistryError::Invalid(format!(
                    "service `{service}` already registered a different metric as `{metric_name}`"
                ))),
            };
        }
        let registered = self.registry.register(metrics)?;
        let handle = registered.clone();
        entries.insert(
            key,
            Entry {
                type_id: TypeId::of::<M>(),
                metrics: registered.clone(),
                unregister: Box::new(move |r| r.unregister(&handle)),
            },
        );
        Ok(registered)
    }

    /// Removes a service's metric; `false` if it was not registered.
    pub fn unregister(&self, service: &str, metric_name: &str) -> bool {
        let entry = self
            .entries
            .lock()
            .ok()
            .and_then(|mut e| e.remove(&(service.to_string(), metric_name.to_string())));
        entry.is_some_and(|e| (e.unregister)(&self.registry))
    }
}
