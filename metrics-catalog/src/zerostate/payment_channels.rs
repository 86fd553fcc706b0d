//! Payment channel metrics (the document's "Payment Channel Metrics", 4 families).

use promdecl::{Counter, Gauge, Histogram, IntGauge, Metrics};

/// Payment channel lifecycle and balances.
#[derive(Debug, Metrics)]
#[metrics(prefix = "zerostate_economic")]
pub struct PaymentChannels {
    /// Total channels opened (by state, party)
    #[metric(counter, labels = [state, party])]
    pub channels_total: Counter,

    /// Active channels (by state, party)
    #[metric(
        gauge,
        labels = [state, party],
        note = "name from the document's PromQL `sum(zerostate_economic_channels_active) by (state)`"
    )]
    pub channels_active: IntGauge,

    /// Channel lifetime duration
    #[metric(
        histogram,
        unit = "seconds",
        buckets = crate::zerostate::buckets::DURATION,
        note = "name not given by the document: Go field `ChannelDuration` + `_seconds`, as its PromQL does for `TaskDuration`/`PaymentDuration`; no labels given; the standard DurationBuckets (max 10 s) are kept although channel lifetimes are likely longer"
    )]
    pub channel_duration_seconds: Histogram,

    /// Current balances (by channel_id, party)
    #[metric(
        gauge,
        labels = [channel_id, party],
        max_series = 10_000,
        note = "name not given by the document: snake_case of the Go field `ChannelBalances`; one series per channel and party, hence a 10k budget"
    )]
    pub channel_balances: Gauge,
}

impl PaymentChannels {
    /// `RecordChannelOpened(state, party string, depositA, depositB float64)`: counts the
    /// opened channel in `zerostate_economic_channels_total` and adds it to
    /// `zerostate_economic_channels_active`, both under `{state, party}`.
    ///
    /// The deposits are accepted for API parity but feed no family: the only balance family,
    /// `zerostate_economic_channel_balances`, is keyed by `channel_id`, which this helper
    /// does not receive (use [`PaymentChannels::channel_balances`] directly).
    pub fn record_channel_opened(&self, state: &str, party: &str, deposit_a: f64, deposit_b: f64) {
        let _ = (deposit_a, deposit_b);
        self.channels_total(state, party).inc();
        self.channels_active(state, party).inc();
    }
}
