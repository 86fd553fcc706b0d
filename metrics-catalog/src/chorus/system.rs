//! System metrics: `chorus_system_info` and `chorus_uptime_seconds`.

use std::time::Instant;

use promdecl::{Gauge, Info, Metrics};

/// The compiler version reported in the `go_version` label.
///
/// The Go original reports `runtime.Version()`. Rust has no runtime equivalent, so this reads the
/// `CHORUS_RUSTC_VERSION` environment variable at compile time (a build script or the build
/// environment may set it, e.g. to the output of `rustc --version`) and is `"unknown"` otherwise.
/// Callers that know the version can pass it with [`NodeInfo::with_runtime_version`].
pub const RUST_VERSION: &str = match option_env!("CHORUS_RUSTC_VERSION") {
    Some(version) => version,
    None => "unknown",
};

/// Node identification exposed by `chorus_system_info`.
///
/// Mirrors the `NodeID`, `Version`, `Environment` and `Cluster` fields of the Go `MetricsConfig`;
/// `runtime_version` fills the `go_version` label (the label keeps the document's name so the
/// existing queries and dashboards keep working).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeInfo<'a> {
    /// Unique node identifier (`node_id`).
    pub node_id: &'a str,
    /// CHORUS version (`version`).
    pub version: &'a str,
    /// Cluster identifier (`cluster`).
    pub cluster: &'a str,
    /// Deployment environment, e.g. dev/staging/prod (`environment`).
    pub environment: &'a str,
    /// Language runtime version, exposed as `go_version`; defaults to [`RUST_VERSION`].
    pub runtime_version: &'a str,
}

impl<'a> NodeInfo<'a> {
    /// Node identification with `runtime_version` set to [`RUST_VERSION`].
    #[must_use]
    pub const fn new(
        node_id: &'a str,
        version: &'a str,
        cluster: &'a str,
        environment: &'a str,
    ) -> Self {
        Self {
            node_id,
            version,
            cluster,
            environment,
            runtime_version: RUST_VERSION,
        }
    }

    /// Replaces the value exposed in the `go_version` label.
    #[must_use]
    pub const fn with_runtime_version(mut self, runtime_version: &'a str) -> Self {
        self.runtime_version = runtime_version;
        self
    }
}

/// System metrics: build/node information and process uptime.
#[derive(Debug, Metrics)]
#[metrics(prefix = "chorus")]
pub struct System {
    /// System information with version labels
    #[metric(
        info,
        labels = [node_id, version, go_version, cluster, environment],
        note = "the document types this family as a Gauge whose value is always 1; declared as `info` (exposed as a gauge in text format). `go_version` keeps the document's label name and carries the Rust compiler version"
    )]
    pub system_info: Info,

    /// System uptime in seconds since start
    #[metric(gauge, unit = "seconds")]
    pub uptime_seconds: Gauge,
}

impl System {
    /// Sets `chorus_system_info{node_id, version, go_version, cluster, environment} 1`.
    pub fn set_info(&self, info: &NodeInfo<'_>) {
        self.system_info(
            info.node_id,
            info.version,
            info.runtime_version,
            info.cluster,
            info.environment,
        );
    }

    /// Sets `chorus_uptime_seconds` to the time elapsed since `started`.
    ///
    /// The Go collector refreshes it every `SystemMetricsInterval` (default 30s).
    pub fn record_uptime(&self, started: Instant) {
        self.uptime_seconds().set(started.elapsed().as_secs_f64());
    }
}
