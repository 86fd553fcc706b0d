//! Mesh network metrics (seed: "Mesh Network Metrics", collector `MeshMetricsCollector`).

use promdecl::{Counter, Gauge, Histogram, IntGauge, Metrics};

use super::buckets::{HOP_COUNT, MESH_LATENCY};

/// Mesh network topology, traffic and latency metrics.
#[derive(Debug, Metrics)]
#[metrics(prefix = "x0tta6bl4_mesh")]
pub struct Mesh {
    /// Number of active mesh nodes
    #[metric(
        gauge,
        note = "listed under both \"HTTP API\" and \"Mesh Network\" in the category table; declared once, here"
    )]
    pub nodes_active: IntGauge,

    /// Total mesh connections established, by connection type
    #[metric(counter, labels = [connection_type])]
    pub connections_total: Counter,

    /// Mesh packet loss ratio
    #[metric(gauge, unit = "ratio")]
    pub packet_loss_ratio: Gauge,

    /// Distribution of mesh path hop counts
    #[metric(
        histogram,
        buckets = HOP_COUNT,
        note = "a histogram (the document's collector tracks a \"hop count distribution\"); no unit, the values are hop counts; buckets are ours (integer hops)"
    )]
    pub hop_count: Histogram,

    /// Total bytes transferred through the mesh, by direction
    #[metric(
        counter,
        labels = [direction],
        note = "`direction` is free-form: the document shows only the example value `outbound`"
    )]
    pub bandwidth_bytes_total: Counter,

    /// Mesh network latency in seconds
    #[metric(
        histogram,
        buckets = MESH_LATENCY,
        unit = "seconds",
        note = "declared without labels, as in the document's reference; upstream labels it by `node_id` and `peer_id`"
    )]
    pub latency_seconds: Histogram,
}

impl Mesh {
    /// Sets the number of active nodes.
    pub fn update_active_nodes(&self, count: i64) {
        self.nodes_active().set(count);
    }

    /// Counts a newly established connection, e.g. `record_connection("direct")`.
    pub fn record_connection(&self, connection_type: &str) {
        self.connections_total(connection_type).inc();
    }

    /// Sets the packet loss ratio (0 to 1).
    pub fn update_packet_loss(&self, loss_ratio: f64) {
        self.packet_loss_ratio().set(loss_ratio);
    }

    /// Observes the hop count of one path.
    pub fn record_hop_count(&self, hops: u32) {
        self.hop_count().observe(f64::from(hops));
    }

    /// Adds transferred bytes, e.g. `record_bandwidth(bytes_sent, "outbound")`.
    pub fn record_bandwidth(&self, bytes: u64, direction: &str) {
        self.bandwidth_bytes_total(direction).inc_by(bytes);
    }

    /// Observes one latency measurement in seconds.
    pub fn record_latency(&self, latency_seconds: f64) {
        self.latency_seconds().observe(latency_seconds);
    }
}
