//! DAO governance metrics (seed: "DAO Governance Metrics", collector `DAOMetricsCollector`).

use promdecl::{Counter, Gauge, Metrics};

/// DAO governance metrics.
#[derive(Debug, Metrics)]
#[metrics(prefix = "x0tta6bl4_dao")]
pub struct Dao {
    /// Total DAO proposals, by status
    #[metric(
        counter,
        labels = [status],
        note = "type not given by the document; a counter (name ends in `_total`, collector \"tracks proposals\"); `status` is free-form, the document gives no values"
    )]
    pub proposals_total: Counter,

    /// Total voting power in the DAO
    #[metric(
        gauge,
        allow_reserved_suffix,
        note = "a gauge although the name ends in `_total`: the document's collector sets it (\"voting power updates\"), it can go down; name kept for compatibility"
    )]
    pub voting_power_total: Gauge,

    /// DAO treasury balance
    #[metric(gauge, note = "the document gives no unit or currency")]
    pub treasury_balance: Gauge,

    /// DAO vote participation ratio
    #[metric(gauge, unit = "ratio")]
    pub vote_participation_ratio: Gauge,
}

impl Dao {
    /// Counts one proposal under `status`.
    pub fn record_proposal(&self, status: &str) {
        self.proposals_total(status).inc();
    }

    /// Sets the total voting power.
    pub fn update_voting_power(&self, power: f64) {
        self.voting_power_total().set(power);
    }

    /// Sets the treasury balance.
    pub fn update_treasury_balance(&self, balance: f64) {
        self.treasury_balance().set(balance);
    }

    /// Sets the vote participation ratio (0 to 1).
    pub fn update_participation(&self, ratio: f64) {
        self.vote_participation_ratio().set(ratio);
    }
}
