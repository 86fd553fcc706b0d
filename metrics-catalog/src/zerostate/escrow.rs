//! Escrow metrics (the document's "Escrow Metrics", 4 families).

use promdecl::{Counter, Histogram, Metrics};

/// Escrows created, released and refunded.
#[derive(Debug, Metrics)]
#[metrics(prefix = "zerostate_economic")]
pub struct Escrow {
    /// Total escrows created (by type)
    #[metric(
        counter,
        labels = [r#type],
        note = "name not given by the document: Go field `EscrowsCreated` + `_total`"
    )]
    pub escrows_created_total: Counter,

    /// Escrow amounts distribution
    #[metric(
        histogram,
        buckets = crate::zerostate::buckets::COST,
        note = "name not given by the document: snake_case of the Go field `EscrowAmount`; currency amount, no unit suffix; CostBuckets"
    )]
    pub escrow_amount: Histogram,

    /// Total releases (by outcome)
    #[metric(
        counter,
        labels = [outcome],
        note = "name not given by the document: Go field `EscrowReleases` + `_total`"
    )]
    pub escrow_releases_total: Counter,

    /// Total refunds (by reason)
    #[metric(
        counter,
        labels = [reason],
        note = "name not given by the document: Go field `EscrowRefunds` + `_total`"
    )]
    pub escrow_refunds_total: Counter,
}
