//! Service metrics: the "Service metrics" half of the document's core `Metrics` type
//! (service lifecycle, message processing, processing performance, error tracking).

use std::time::Duration;

use promdecl::{Counter, Gauge, Histogram, Metrics};

/// Lifecycle state of a service, the value of `semstreams_service_status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceStatus {
    /// 0
    Stopped,
    /// 1
    Starting,
    /// 2
    Running,
    /// 3
    Stopping,
}

impl ServiceStatus {
    /// The gauge value the document gives (0=stopped, 1=starting, 2=running, 3=stopping).
    pub const fn value(self) -> f64 {
        match self {
            Self::Stopped => 0.0,
            Self::Starting => 1.0,
            Self::Running => 2.0,
            Self::Stopping => 3.0,
        }
    }
}

/// Platform-level per-service metrics, all labeled by `service`.
#[derive(Debug, Metrics)]
#[metrics(prefix = "semstreams")]
pub struct Service {
    /// Service status (0=stopped, 1=starting, 2=running, 3=stopping)
    #[metric(
        gauge,
        labels = [service],
        note = "name and label from the document (`semstreams_service_status{service=\"...\"}`)"
    )]
    pub service_status: Gauge,

    /// Total number of messages received
    #[metric(
        counter,
        labels = [service, r#type],
        note = "not named by the document (field `MessagesReceived`, helper `RecordMessageReceived(service, messageType)`): name, `type` label and help from semstreams' metric/core.go"
    )]
    pub messages_received_total: Counter,

    /// Total number of messages processed
    #[metric(
        counter,
        labels = [service, r#type, status],
        note = "name from the document (`semstreams_messages_processed_total{service=\"...\"}`); `type` and `status` from the helper `RecordMessageProcessed(service, messageType, status)`, label names as in semstreams' metric/core.go"
    )]
    pub messages_processed_total: Counter,

    /// Total number of messages that failed processing
    #[metric(
        counter,
        labels = [service],
        note = "named by the document's core-metric list only, with the example `RecordMessagesFailed(\"processor\", 2)`: one `service` label; help written here"
    )]
    pub messages_failed_total: Counter,

    /// Total number of messages published
    #[metric(
        counter,
        labels = [service, subject],
        note = "not named by the document (field `MessagesPublished`, helper `RecordMessagePublished(service, subject)`): name and help from semstreams' metric/core.go"
    )]
    pub messages_published_total: Counter,

    /// Message processing duration in seconds
    #[metric(
        histogram,
        labels = [service, operation],
        unit = "seconds",
        buckets = crate::semstreams::buckets::DEF_BUCKETS,
        note = "name from the document's core-metric list; labels from `RecordProcessingDuration(service, operation, duration)`; semstreams' metric/core.go exposes this histogram as `semstreams_processing_duration_seconds`"
    )]
    pub message_processing_duration_seconds: Histogram,

    /// Total number of errors
    #[metric(
        counter,
        labels = [service, r#type],
        note = "name from the document's core-metric list; labels from `RecordError(service, errorType)`, the error-type label named `type` as in semstreams' metric/core.go"
    )]
    pub errors_total: Counter,

    /// Total number of recovered panics
    #[metric(
        counter,
        labels = [service],
        note = "named by the document's core-metric list only, with the example `RecordPanic(\"processor\")`; help written here"
    )]
    pub panic_total: Counter,

    /// Health check status (0=unhealthy, 1=healthy)
    #[metric(
        gauge,
        labels = [service],
        note = "not named by the document (field `HealthCheckStatus`, helper `RecordHealthStatus(service, healthy)`): name and help from semstreams' metric/core.go"
    )]
    pub health_status: Gauge,
}

impl Service {
    /// `RecordServiceStatus(service string, status int)`: sets `semstreams_service_status`.
    pub fn record_service_status(&self, service: &str, status: ServiceStatus) {
        self.service_status(service).set(status.value());
    }

    /// `RecordMessageReceived(service, messageType string)`: increments the received
    /// message counter.
    pub fn record_message_received(&self, service: &str, message_type: &str) {
        self.messages_received_total(service, message_type).inc();
    }

    /// `RecordMessageProcessed(service, messageType, status string)`: increments the
    /// processed message counter.
    pub fn record_message_processed(&self, service: &str, message_type: &str, status: &str) {
        self.messages_processed_total(service, message_type, status)
            .inc();
    }

    /// `RecordMessagesProcessed(service string, count)` (document example, "Message
    /// processing metrics"): adds `count` messages processed successfully by `service`.
    ///
    /// The example gives neither a message type nor a status: `status` is `"success"` (failures
    /// are [`record_messages_failed`](Self::record_messages_failed)) and `type` is empty, which
    /// PromQL treats as the label being absent, so `sum by (service)` over the family counts
    /// these along with [`record_message_processed`](Self::record_message_processed)'s typed
    /// messages.
    ///
    /// ```
    /// use promdecl::testing;
    /// use promdecl_catalog::semstreams::Service;
    ///
    /// let core = Service::new();
    /// core.record_messages_processed("processor", 100);
    /// core.record_messages_processed("processor", 50);
    /// let processed = ["processor", "", "success"];
    /// assert_eq!(
    ///     testing::value(&core, "semstreams_messages_processed_total", &processed),
    ///     Some(150.0)
    /// );
    /// ```
    pub fn record_messages_processed(&self, service: &str, count: u64) {
        self.messages_processed_total(service, "", "success")
            .inc_by(count);
    }

    /// `ObserveProcessingDuration(service string, seconds)` (document example,
    /// `ObserveProcessingDuration("processor", 0.150) // 150ms`): observes one processing
    /// duration of `service`, in seconds.
    ///
    /// The example gives no operation: `operation` is empty, which PromQL treats as the label
    /// being absent. [`record_processing_duration`](Self::record_processing_duration) takes an
    /// operation and a [`Duration`].
    ///
    /// ```
    /// use promdecl::testing;
    /// use promdecl_catalog::semstreams::Service;
    ///
    /// let core = Service::new();
    /// core.observe_processing_duration("processor", 0.150);
    /// let family = "semstreams_message_processing_duration_seconds";
    /// assert_eq!(testing::value(&core, family, &["processor", ""]), Some(1.0));
    /// ```
    pub fn observe_processing_duration(&self, service: &str, seconds: f64) {
        self.message_processing_duration_seconds(service, "")
            .observe(seconds);
    }

    /// `RecordMessagesFailed(service string, count)` (document example): adds `count` failed
    /// messages.
    pub fn record_messages_failed(&self, service: &str, count: u64) {
        self.messages_failed_total(service).inc_by(count);
    }

    /// `RecordMessagePublished(service, subject string)`: increments the published message
    /// counter.
    pub fn record_message_published(&self, service: &str, subject: &str) {
        self.messages_published_total(service, subject).inc();
    }

    /// `RecordProcessingDuration(service, operation string, duration time.Duration)`: records
    /// processing time, in seconds.
    pub fn record_processing_duration(&self, service: &str, operation: &str, duration: Duration) {
        self.message_processing_duration_seconds(service, operation)
            .observe(duration.as_secs_f64());
    }

    /// `RecordError(service, errorType string)`: increments the error counter.
    pub fn record_error(&self, service: &str, error_type: &str) {
        self.errors_total(service, error_type).inc();
    }

    /// `RecordPanic(service string)` (document example): increments the panic counter.
    pub fn record_panic(&self, service: &str) {
        self.panic_total(service).inc();
    }

    /// `RecordHealthStatus(service string, healthy bool)`: sets the health gauge to 1 when
    /// healthy, 0 otherwise.
    pub fn record_health_status(&self, service: &str, healthy: bool) {
        self.health_status(service)
            .set(if healthy { 1.0 } else { 0.0 });
    }
}
