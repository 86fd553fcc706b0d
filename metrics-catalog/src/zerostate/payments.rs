//! Payment metrics (the document's "Payment Metrics", 3 families).

use std::time::Duration;

use promdecl::{Counter, Histogram, Metrics};

use super::labels;

/// Payments processed over payment channels.
#[derive(Debug, Metrics)]
#[metrics(prefix = "zerostate_economic")]
pub struct Payments {
    /// Total payments processed (by status)
    #[metric(counter, labels = [status])]
    pub payments_total: Counter,

    /// Payment amounts distribution
    #[metric(
        histogram,
        buckets = crate::zerostate::buckets::COST,
        note = "name not given by the document: snake_case of the Go field `PaymentAmount`; currency amount, no unit suffix; CostBuckets"
    )]
    pub payment_amount: Histogram,

    /// Payment processing time
    #[metric(
        histogram,
        unit = "seconds",
        buckets = crate::zerostate::buckets::DURATION,
        note = "name from the document's PromQL `zerostate_economic_payment_duration_seconds_bucket`"
    )]
    pub payment_duration_seconds: Histogram,
}

impl Payments {
    /// `RecordPayment(channelID string, amount float64, sequence uint64, duration float64, success bool)`:
    /// counts the payment in `zerostate_economic_payments_total{status="success"|"failed"}` and
    /// observes its amount and processing time.
    ///
    /// `channel_id` and `sequence` are accepted for API parity but feed no family: the
    /// document's payment families carry no `channel_id` label and it defines no sequence gauge.
    pub fn record_payment(
        &self,
        channel_id: &str,
        amount: f64,
        sequence: u64,
        duration: Duration,
        success: bool,
    ) {
        let _ = (channel_id, sequence);
        self.payments_total(labels::status(success)).inc();
        self.payment_amount().observe(amount);
        self.payment_duration_seconds()
            .observe(duration.as_secs_f64());
    }
}
