//! Settlement metrics (the document's "Settlement Metrics", 3 families).

use std::time::Duration;

use promdecl::{Counter, Histogram, Metrics};

use super::labels;

/// Payment channel settlements and disputes.
#[derive(Debug, Metrics)]
#[metrics(prefix = "zerostate_economic")]
pub struct Settlements {
    /// Total settlements (by status)
    #[metric(
        counter,
        labels = [status],
        note = "name from the document's alert `PaymentChannelLeaks`"
    )]
    pub settlements_total: Counter,

    /// Settlement processing time
    #[metric(
        histogram,
        unit = "seconds",
        buckets = crate::zerostate::buckets::DURATION,
        note = "name not given by the document: Go field `SettlementDuration` + `_seconds`"
    )]
    pub settlement_duration_seconds: Histogram,

    /// Total disputes opened (by status)
    #[metric(
        counter,
        labels = [status],
        note = "name not given by the document: Go field `DisputesTotal` in snake_case"
    )]
    pub disputes_total: Counter,
}

impl Settlements {
    /// `RecordSettlement(amount, duration float64, success bool)`: counts the settlement in
    /// `zerostate_economic_settlements_total{status="success"|"failed"}` and observes its
    /// processing time.
    ///
    /// `amount` is accepted for API parity but feeds no family: the document defines no
    /// settlement-amount family.
    pub fn record_settlement(&self, amount: f64, duration: Duration, success: bool) {
        let _ = amount;
        self.settlements_total(labels::status(success)).inc();
        self.settlement_duration_seconds()
            .observe(duration.as_secs_f64());
    }
}
