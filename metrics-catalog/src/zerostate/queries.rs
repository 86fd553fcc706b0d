//! The PromQL queries given by the zerostate document ("Prometheus Integration Guide › Query
//! Examples"), in document order, each titled by the comment above it. Four of the twelve do not
//! parse: they put `by (...)` after a function call (`rate(x[5m]) by (type)`), where PromQL only
//! allows it on an aggregation operator. Each is corrected to the aggregation it means, with the
//! document's text kept beside it. The document's alert rules are in [`super::alerts`].

use crate::queries::Query;

const TASKS: &str = "Query Examples › Economic Task Execution";
const CHANNELS: &str = "Query Examples › Payment Channels";
const REPUTATION: &str = "Query Examples › Reputation System";
const AUCTIONS: &str = "Query Examples › Auctions";

/// Why `rate(x[5m]) by (labels)` is corrected to `sum by (labels) (rate(x[5m]))`.
const BY_AFTER_RATE_WHY: &str = "Does not parse: `by (...)` belongs to an aggregation operator \
     (`sum`, `avg`, ...), not to a function call such as `rate(...)`. Per-second rates summed \
     by those labels is what the title asks for: `sum by (...) (rate(...))`.";

/// The queries of the zerostate document, in document order.
pub fn queries() -> Vec<Query> {
    vec![
        Query::new(
            TASKS,
            "Task completion rate",
            "rate(zerostate_economic_tasks_completed_total[5m])",
        ),
        Query::new(
            TASKS,
            "Task error rate by type",
            "sum by (type, error) (rate(zerostate_economic_task_errors_total[5m]))",
        )
        .corrects(
            "rate(zerostate_economic_task_errors_total[5m]) by (type, error)",
            BY_AFTER_RATE_WHY,
        ),
        Query::new(
            TASKS,
            "Task duration p99",
            "histogram_quantile(0.99, rate(zerostate_economic_task_duration_seconds_bucket[5m]))",
        ),
        Query::new(
            CHANNELS,
            "Active payment channels",
            "sum(zerostate_economic_channels_active) by (state)",
        ),
        Query::new(
            CHANNELS,
            "Channel open rate",
            "rate(zerostate_economic_channels_total[5m])",
        ),
        Query::new(
            CHANNELS,
            "Payment processing time p95",
            "histogram_quantile(0.95, rate(zerostate_economic_payment_duration_seconds_bucket[5m]))",
        ),
        Query::new(
            REPUTATION,
            "Reputation score distribution",
            "quantile(0.5, zerostate_economic_reputation_scores)",
        )
        .corrects(
            "histogram_quantile(0.5, zerostate_economic_reputation_scores) by (peer_id)",
            "Does not parse: `by (...)` belongs to an aggregation operator, not to a function \
             call. Nor would `histogram_quantile` work without it: it reads the `le` buckets of \
             a histogram, and `zerostate_economic_reputation_scores` is a gauge (the document's \
             `ReputationScores *prometheus.GaugeVec`), one series per `peer_id`. The median \
             score across agents is the aggregation operator `quantile`; grouping it by \
             `peer_id` would put each agent in a group of its own and return every score \
             unchanged, so it is not grouped.",
        ),
        Query::new(
            REPUTATION,
            "Success rate by agent",
            "avg(zerostate_economic_success_rate) by (peer_id)",
        ),
        Query::new(
            REPUTATION,
            "Task execution volume by agent",
            "sum by (peer_id) (rate(zerostate_economic_tasks_executed_total[5m]))",
        )
        .corrects(
            "rate(zerostate_economic_tasks_executed_total[5m]) by (peer_id)",
            BY_AFTER_RATE_WHY,
        ),
        Query::new(
            AUCTIONS,
            "Auction creation rate",
            "sum by (type) (rate(zerostate_economic_auctions_total[5m]))",
        )
        .corrects(
            "rate(zerostate_economic_auctions_total[5m]) by (type)",
            BY_AFTER_RATE_WHY,
        ),
        Query::new(AUCTIONS, "Bid volume", "rate(zerostate_economic_bids_total[5m])"),
        Query::new(
            AUCTIONS,
            "Average bid amount",
            "rate(zerostate_economic_bid_amount_sum[5m]) / rate(zerostate_economic_bid_amount_count[5m])",
        ),
    ]
}
