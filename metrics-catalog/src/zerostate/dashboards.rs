//! The four dashboards the zerostate document plans ("Next Steps › Create Grafana Dashboards"),
//! filled with the queries its "Query Examples" give, each panel titled by the comment above its
//! query, in document order:
//! - economic task execution: the "Economic Task Execution" queries, then the "Auctions" ones
//!   (how tasks are awarded; the document plans no dashboard of their own);
//! - payment channel monitoring: the "Payment Channels" queries;
//! - reputation system analytics: the "Reputation System" queries;
//! - system health and performance: the document gives no queries for it, only the families its
//!   `/metrics` sample serves ("P2P Metrics", "Cache Metrics"), one panel each, titled by the
//!   family's name, with the plain query for its type. The Go runtime families of that sample
//!   (`go_goroutines`, ...) are written by client_golang, not by zerostate, and are not in the
//!   catalog, so they have no panels.
//!
//! Four of the document's queries do not parse (`by (...)` after a function call; one of them
//! also applies `histogram_quantile` to a gauge); they are corrected, each panel's description
//! keeping the document's text and the reason. The document gives no legends: Grafana names each series
//! by its labels.

use promdecl_gen::layout_dashboard::{Kind, Layout, Panel, Query};

/// Why `rate(x[5m]) by (labels)` is corrected to `sum by (labels) (rate(x[5m]))`.
const BY_AFTER_RATE_WHY: &str = "It does not parse: `by (...)` belongs to an aggregation \
     operator (`sum`, `avg`, ...), not to a function call such as `rate(...)`. Per-second rates \
     summed by those labels, what the title asks for, are `sum by (...) (rate(...))`.";

/// Where the queries come from.
const SOURCE: &str = "`zerostate-prometheus-metrics.md`";

/// The dashboards, in the order the document lists them.
pub fn dashboards() -> Vec<Layout> {
    vec![
        task_execution(),
        payment_channels(),
        reputation(),
        system_health(),
    ]
}

/// A dashboard titled `zerostate - <title>` (the document's title alone, "System health and
/// performance dashboard", would not say whose it is).
fn layout(uid: &str, title: &str, what: &str) -> Layout {
    Layout::new(uid, format!("zerostate - {title}"))
        .description(format!(
            "The document's \"{title}\" ({SOURCE}, \"Next Steps › Create Grafana Dashboards\"). \
             {what}"
        ))
        .tag("zerostate")
        .tag("document")
}

/// A third of the grid: three queries to a line.
const WIDTH: u32 = 8;

fn timeseries(title: &str, expr: &str) -> Panel {
    Panel::new(Kind::Timeseries, title)
        .query(expr, "")
        .width(WIDTH)
}

/// A panel of `sum by (labels) (rate(family[5m]))`, corrected from the document's
/// `rate(family[5m]) by (labels)`.
fn rate_by(title: &str, family: &str, labels: &str) -> Panel {
    Panel::new(Kind::Timeseries, title)
        .target(
            Query::new(format!("sum by ({labels}) (rate({family}[5m]))"), "").corrects(
                format!("rate({family}[5m]) by ({labels})"),
                BY_AFTER_RATE_WHY,
            ),
        )
        .unit("ops")
        .width(WIDTH)
}

/// "Economic task execution dashboard".
fn task_execution() -> Layout {
    layout(
        "zerostate-economic-task-execution",
        "Economic task execution dashboard",
        "Its panels are the queries of \"Query Examples › Economic Task Execution\", then those \
         of \"Query Examples › Auctions\" (how tasks are awarded; the document plans no \
         auction dashboard), titled by their comments, in document order; two are corrected \
         (see their descriptions).",
    )
    .row("Economic Task Execution")
    .panel(
        timeseries(
            "Task completion rate",
            "rate(zerostate_economic_tasks_completed_total[5m])",
        )
        .unit("ops"),
    )
    .panel(rate_by(
        "Task error rate by type",
        "zerostate_economic_task_errors_total",
        "type, error",
    ))
    .panel(
        timeseries(
            "Task duration p99",
            "histogram_quantile(0.99, rate(zerostate_economic_task_duration_seconds_bucket[5m]))",
        )
        .unit("s"),
    )
    .row("Auctions")
    .panel(rate_by(
        "Auction creation rate",
        "zerostate_economic_auctions_total",
        "type",
    ))
    .panel(timeseries("Bid volume", "rate(zerostate_economic_bids_total[5m])").unit("ops"))
    .panel(timeseries(
        "Average bid amount",
        "rate(zerostate_economic_bid_amount_sum[5m]) / rate(zerostate_economic_bid_amount_count[5m])",
    ))
}

/// "Payment channel monitoring dashboard".
fn payment_channels() -> Layout {
    layout(
        "zerostate-payment-channels",
        "Payment channel monitoring dashboard",
        "Its panels are the queries of \"Query Examples › Payment Channels\", titled by their \
         comments, in document order, verbatim.",
    )
    .panel(timeseries(
        "Active payment channels",
        "sum(zerostate_economic_channels_active) by (state)",
    ))
    .panel(
        timeseries(
            "Channel open rate",
            "rate(zerostate_economic_channels_total[5m])",
        )
        .unit("ops"),
    )
    .panel(
        timeseries(
            "Payment processing time p95",
            "histogram_quantile(0.95, rate(zerostate_economic_payment_duration_seconds_bucket[5m]))",
        )
        .unit("s"),
    )
}

/// "Reputation system analytics dashboard".
fn reputation() -> Layout {
    layout(
        "zerostate-reputation",
        "Reputation system analytics dashboard",
        "Its panels are the queries of \"Query Examples › Reputation System\", titled by their \
         comments, in document order; two are corrected (see their descriptions).",
    )
    .panel(
        Panel::new(Kind::Timeseries, "Reputation score distribution")
            .width(WIDTH)
            .target(
                Query::new("quantile(0.5, zerostate_economic_reputation_scores)", "").corrects(
                    "histogram_quantile(0.5, zerostate_economic_reputation_scores) by (peer_id)",
                    "It does not parse: `by (...)` belongs to an aggregation operator, not to a \
                 function call. Nor would `histogram_quantile` work without it: it reads the \
                 `le` buckets of a histogram, and `zerostate_economic_reputation_scores` is a \
                 gauge (the document's `ReputationScores *prometheus.GaugeVec`), one series per \
                 `peer_id`. The median score across agents is the aggregation operator \
                 `quantile`; grouped by `peer_id` it would put each agent in a group of its own \
                 and return every score unchanged, so it is not grouped.",
                ),
            ),
    )
    .panel(
        timeseries(
            "Success rate by agent",
            "avg(zerostate_economic_success_rate) by (peer_id)",
        )
        .unit("percentunit"),
    )
    .panel(rate_by(
        "Task execution volume by agent",
        "zerostate_economic_tasks_executed_total",
        "peer_id",
    ))
}

/// "System health and performance dashboard".
fn system_health() -> Layout {
    let quantiles = |title: &str, family: &str| {
        ["0.5", "0.95", "0.99"].iter().fold(
            Panel::new(Kind::Timeseries, title).unit("s"),
            |panel, q| {
                panel.query(
                    format!("histogram_quantile({q}, sum by (le) (rate({family}_bucket[5m])))"),
                    format!("p{}", &q[2..]),
                )
            },
        )
    };
    layout(
        "zerostate-system-health",
        "System health and performance dashboard",
        "The document gives no queries for it. Its panels are the families the document's \
         `/metrics` sample serves (\"P2P Metrics\", \"Cache Metrics\"), titled by their names, \
         each with the plain query for its type (a gauge's value, a counter's per-second rate, \
         a histogram's percentiles); the sample's Go runtime families are written by \
         client_golang and are not in the catalog.",
    )
    .row("P2P Metrics")
    .panel(Panel::new(Kind::Stat, "active_peer_monitors").query("active_peer_monitors", ""))
    .panel(Panel::new(Kind::Stat, "connection_pool_size").query("connection_pool_size", ""))
    .panel(quantiles(
        "content_verification_latency",
        "content_verification_latency",
    ))
    .row("Cache Metrics")
    .panel(timeseries("cache_entries", "cache_entries").width(6))
    .panel(
        timeseries("cache_evictions_total", "rate(cache_evictions_total[5m])")
            .unit("ops")
            .width(6),
    )
    .panel(
        timeseries("cache_hit_ratio", "cache_hit_ratio")
            .unit("percentunit")
            .width(6),
    )
    .panel(
        timeseries("cache_memory_bytes", "cache_memory_bytes")
            .unit("bytes")
            .width(6),
    )
}
