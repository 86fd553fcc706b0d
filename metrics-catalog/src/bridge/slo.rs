//! The guide's performance KPIs (`class PerformanceKPIs`) as service-level objectives on the
//! bridge's families, and its resource targets as threshold alerts.
//!
//! - `TARGET_RESPONSE_TIME_95TH = 0.5` and `TARGET_RESPONSE_TIME_99TH = 1.0`: 95 % of HTTP
//!   requests within 0.5 s and 99 % within 1 s, from `bridge_request_duration_seconds`, whose
//!   buckets (prometheus_client's defaults) have both bounds.
//! - `TARGET_ERROR_RATE = 0.01`: at most 1 % of federation events failed,
//!   `bridge_events_failed_total` out of `bridge_events_received_total`. The guide does not
//!   define `get_error_rate()`; its dashboard's "Error Rate" panel and its `HighErrorRate`
//!   alert both read `bridge_events_failed_total`, so that is the error it means.
//! - `TARGET_AVAILABILITY = 0.999`: 99.9 % of HTTP requests answered without a server error,
//!   `status_code=~"5.."` of the same histogram's `_count`.
//!
//! Each is kept for the whole service (no `by`), over the default 30-day window.
//!
//! The resource targets are threshold alerts: `TARGET_CPU_USAGE = 0.8` on the bridge's own
//! `bridge_cpu_usage_percent > 80`. The bridge declares no memory limit to divide
//! `bridge_memory_usage_bytes` by, nor any disk family, so `TARGET_MEMORY_USAGE = 0.8` and
//! `TARGET_DISK_USAGE = 0.9` read the host gauges promdecl-server's system collector serves
//! beside the bridge's families (`system_memory_used_ratio > 0.8`,
//! `system_disk_usage_ratio > 0.9` per mount point); those families are documented in the
//! bridge's group as a section of their own ([`attach`]).

use promdecl_gen::slo::{family, Sli, Slo, SloError};
use promdecl_gen::{Alert, Group, RuleGroup};

use promdecl_server::collectors::SystemMetrics;

use super::performance::Performance;
use super::requests::Requests;

/// The guide's four KPIs as SLOs.
///
/// ```
/// let slos = promdecl_catalog::bridge::slo::slos().unwrap();
/// let names: Vec<&str> = slos.iter().map(|s| s.name()).collect();
/// assert_eq!(names, ["bridge-latency-p95", "bridge-latency-p99", "bridge-error-rate", "bridge-availability"]);
/// ```
pub fn slos() -> Result<Vec<Slo>, SloError> {
    let requests = family::<Performance>("bridge_request_duration_seconds")?;
    let received = family::<Requests>("bridge_events_received_total")?;
    let failed = family::<Requests>("bridge_events_failed_total")?;
    Ok(vec![
        Slo::builder("bridge-latency-p95", Sli::latency(requests, 0.5))
            .objective(0.95)
            .description("95th percentile response time within 500 ms (TARGET_RESPONSE_TIME_95TH)")
            .build()?,
        Slo::builder("bridge-latency-p99", Sli::latency(requests, 1.0))
            .objective(0.99)
            .description("99th percentile response time within 1 s (TARGET_RESPONSE_TIME_99TH)")
            .build()?,
        Slo::builder("bridge-error-rate", Sli::bad_over_total(failed, received))
            .objective(0.99)
            .description("At most 1 % of federation events fail (TARGET_ERROR_RATE)")
            .build()?,
        Slo::builder(
            "bridge-availability",
            Sli::errors_where(requests, "status_code", "5.."),
        )
        .objective(0.999)
        .description("99.9 % of HTTP requests answered without a 5xx (TARGET_AVAILABILITY)")
        .build()?,
    ])
}

/// The resource targets: CPU under 80 %, memory under 80 %, each disk under 90 %.
pub fn resource_rules() -> RuleGroup {
    let target = |name: &str, expr: &str, what: &str, series: &str, high: &str, low: &str| {
        Alert::new(name)
            .expr(expr)
            .for_("5m")
            .label("severity", "warning")
            .annotation("summary", format!("Bridge {what} above its target"))
            .annotation(
                "description",
                format!("{what} is {{{{ $value }}}}, above the guide's target"),
            )
            .fires_with(series, high)
            .quiet_with(series, low)
    };
    RuleGroup::new("chorus-bridge-resources")
        .alert(target(
            "BridgeCpuAboveTarget",
            "bridge_cpu_usage_percent > 80",
            "CPU usage (TARGET_CPU_USAGE, 80 %)",
            "bridge_cpu_usage_percent",
            "90x10",
            "50x10",
        ))
        .alert(target(
            "BridgeMemoryAboveTarget",
            "system_memory_used_ratio > 0.8",
            "host memory in use (TARGET_MEMORY_USAGE, 0.8)",
            "system_memory_used_ratio",
            "0.9x10",
            "0.5x10",
        ))
        .alert(target(
            "BridgeDiskAboveTarget",
            "system_disk_usage_ratio > 0.9",
            "disk usage (TARGET_DISK_USAGE, 0.9)",
            r#"system_disk_usage_ratio{mount_point="/"}"#,
            "0.95x10",
            "0.5x10",
        ))
}

/// `group` (the bridge's) with its SLOs and resource alerts.
///
/// # Panics
/// When an SLO no longer matches the declarations (a family renamed, a bucket bound
/// removed): a mistake in this file, which the catalog's tests catch.
pub fn attach(group: Group) -> Group {
    let slos = slos().unwrap_or_else(|e| panic!("the bridge's SLOs: {e}"));
    slos.into_iter()
        .fold(group, Group::slo)
        .metrics::<SystemMetrics>("Host (promdecl-server's system collector)")
        .rules(resource_rules())
}

#[cfg(test)]
mod tests {
    /// The committed SLO rule files pass `promtool check rules` and their tests pass
    /// `promtool test rules` (the catalog's `generated` tests cover `*.rules.yml` only).
    #[test]
    fn committed_slo_files_pass_promtool() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let files = promdecl_gen::slo::files(&crate::project());
        assert!(!files.is_empty());
        for f in files.iter().filter(|f| f.path.ends_with(".yml")) {
            let path = root.join(&f.path).display().to_string();
            let command = match f.path.ends_with(".test.yml") {
                true => ["test", "rules", &path],
                false => ["check", "rules", &path],
            };
            let Some((ok, out)) = tests::promtool(&command) else {
                return;
            };
            assert!(ok, "{path}:\n{out}");
        }
    }
}
