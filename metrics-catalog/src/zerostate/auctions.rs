//! Auction metrics (the document's "Auction Metrics", 4 families).

use promdecl::{Counter, Histogram, Metrics};

/// Task auctions and bids.
#[derive(Debug, Metrics)]
#[metrics(prefix = "zerostate_economic")]
pub struct Auctions {
    /// Total auctions created (by type, status)
    #[metric(
        counter,
        labels = [r#type, status],
        note = "name from the document's PromQL `rate(zerostate_economic_auctions_total[5m]) by (type)`"
    )]
    pub auctions_total: Counter,

    /// Total bids submitted (by auction_id)
    #[metric(
        counter,
        labels = [auction_id],
        max_series = 10_000,
        note = "name from the document's PromQL; one series per auction, an unbounded population, hence a 10k budget"
    )]
    pub bids_total: Counter,

    /// Bid amounts distribution
    #[metric(
        histogram,
        buckets = crate::zerostate::buckets::COST,
        note = "name from the document's PromQL `zerostate_economic_bid_amount_sum` / `_count`; currency amount, no unit suffix; CostBuckets"
    )]
    pub bid_amount: Histogram,

    /// Auction duration (open to close)
    #[metric(
        histogram,
        unit = "seconds",
        buckets = crate::zerostate::buckets::DURATION,
        note = "name not given by the document: Go field `AuctionDuration` + `_seconds`"
    )]
    pub auction_duration_seconds: Histogram,
}

impl Auctions {
    /// `RecordBid(auctionID string, amount float64)`: counts the bid in
    /// `zerostate_economic_bids_total{auction_id}` and observes its amount in
    /// `zerostate_economic_bid_amount`.
    pub fn record_bid(&self, auction_id: &str, amount: f64) {
        self.bids_total(auction_id).inc();
        self.bid_amount().observe(amount);
    }
}
