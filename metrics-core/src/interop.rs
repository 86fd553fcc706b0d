//! Adopting one struct at a time in a service already on `prometheus-client`.
//!
//! ```
//! use promdecl::{interop::PrometheusClientCollector, Counter, Metrics};
//! use std::sync::Arc;
//!
//! #[derive(Metrics)]
//! struct Cache {
//!     /// Cache hits
//!     #[metric(counter, labels = [tier = [memory, disk]])]
//!     hits_total: Counter,
//! }
//!
//! let cache = Arc::new(Cache::new());
//! let mut registry = prometheus_client::registry::Registry::default();
//! registry.register_collector(Box::new(PrometheusClientCollector::new(cache.clone())));
//! cache.hits_total(cache_labels::Tier::Disk).inc();
//! let mut out = String::new();
//! prometheus_client::encoding::text::encode(&mut out, &registry).unwrap();
//! assert!(out.contains("hits_total{tier=\"disk\"} 1\n"));
//! assert!(out.contains("# HELP hits Cache hits\n"));
//! ```

use std::fmt;
use std::sync::Arc;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, NoLabelSet};
use prometheus_client::metrics::MetricType;

use crate::desc::Kind;
use crate::encode::text::{canonical_float, escape_help};
use crate::encode::Format;
use crate::registry::Metrics;
use crate::value::Sample;
use promdecl_spec::{COUNT_SUFFIX, QUANTILE_LABEL, SUM_SUFFIX};

/// A `prometheus_client` collector that encodes a derived struct through that crate's encoder.
///
/// Counter names are handed over without `_total` and HELP as declared, so prometheus-client's
/// own suffixing reproduces the declared names rather than doubling them.
///
/// The output stays valid OpenMetrics whatever the values:
/// - label values go over raw: prometheus-client escapes `\`, `"` and newlines itself since
///   0.25.2 (its issue #151, fixed by PR 347); escaping them here too would double them;
/// - HELP text is escaped here, since prometheus-client writes it as given;
/// - a histogram with a negative bound may not expose `_sum` or `_count`
///   ([`promdecl_spec::histogram_has_sum`]), and prometheus-client's histogram encoder always
///   writes both, so such a family goes over as an `unknown` family named `<name>_bucket` with
///   the same `_bucket{le="..."}` samples promdecl's own encoder writes;
/// - prometheus-client has no summary type, so a summary goes over as three `unknown` families
///   with the samples promdecl's own encoder writes: `<name>{quantile="..."}`, `<name>_sum`
///   and `<name>_count`.
pub struct PrometheusClientCollector<M>(Arc<M>);

impl<M> PrometheusClientCollector<M> {
    /// Wraps a shared metrics struct.
    pub fn new(metrics: Arc<M>) -> Self {
        Self(metrics)
    }
}

impl<M> fmt::Debug for PrometheusClientCollector<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrometheusClientCollector")
    }
}

impl<M: Metrics> Collector for PrometheusClientCollector<M> {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), fmt::Error> {
        let mut result = Ok(());
        self.0.visit(&mut |family| {
            if result.is_err() {
                return;
            }
            let d = family.desc();
            // prometheus-client appends `_total`/`_info` itself: hand it the OpenMetrics family name.
            let mut name = d
                .kind
                .family_name(d.name, promdecl_spec::NameForm::OpenMetrics)
                .to_string();
            let mut ty = match d.kind {
                Kind::Counter => MetricType::Counter,
                Kind::Gauge => MetricType::Gauge,
                Kind::Histogram => MetricType::Histogram,
                Kind::Info => MetricType::Info,
                Kind::Summary => MetricType::Unknown,
            };
            let bounds = d.buckets.unwrap_or(crate::buckets::DEFAULT);
            let buckets_only =
                d.kind == Kind::Histogram && !promdecl_spec::histogram_has_sum(bounds);
            if buckets_only {
                name.push_str(promdecl_spec::BUCKET_SUFFIX);
                ty = MetricType::Unknown;
            }
            let mut help = String::with_capacity(d.help.len());
            escape_help(&mut help, d.help, Format::OpenMetrics);
            let mut samples = Vec::new();
            family.for_each_sample(&mut |values, s| {
                let labels: Vec<(String, String)> = d
                    .labels
                    .iter()
                    .zip(values)
                    .map(|(l, v)| (l.name.to_string(), v.to_string()))
                    .collect();
                samples.push((labels, s));
            });
            result = (|| {
                let mut metric = encoder.encode_descriptor(&name, &help, None, ty)?;
                // A summary's `_sum` and `_count`, written as families of their own after it.
                let mut totals = Vec::new();
                for (labels, s) in samples {
                    if let Sample::Summary(snapshot) = &s {
                        for (q, v) in &snapshot.quantiles {
                            let mut labels = labels.clone();
                            let q = (QUANTILE_LABEL.to_string(), canonical_float(*q));
                            labels.push(q);
                            metric.encode_family(&labels)?.encode_gauge(v)?;
                        }
                        totals.push((labels, snapshot.sum, snapshot.count));
                        continue;
                    }
                    if let Sample::Info = s {
                        metric.encode_info(&labels)?;
                        continue;
                    }
                    if let (true, Sample::Histogram { buckets, .. }) = (buckets_only, &s) {
                        for (le, n) in buckets {
                            let mut labels = labels.clone();
                            let le = (
                                promdecl_spec::BUCKET_LABEL.to_string(),
                                canonical_float(*le),
                            );
                            labels.push(le);
                            metric.encode_family(&labels)?.encode_gauge(n)?;
                        }
                        continue;
                    }
                    let mut series = metric.encode_family(&labels)?;
                    match s {
                        Sample::Counter(v) => {
                            series.encode_counter::<NoLabelSet, _, u64>(&v, None)?
                        }
                        Sample::FloatCounter(v) => {
                            series.encode_counter::<NoLabelSet, _, f64>(&v, None)?
                        }
                        Sample::Gauge(v) => series.encode_gauge(&v)?,
                        Sample::IntGauge(v) => series.encode_gauge(&v)?,
                        Sample::Histogram { buckets, sum } => {
                            let count = buckets.last().map_or(0, |b| b.1);
                            // prometheus-client expects per-bucket (non-cumulative) counts.
                            let mut prev = 0;
                            let per: Vec<(f64, u64)> = buckets
                                .iter()
                                .map(|&(le, c)| {
                                    let n = c.saturating_sub(prev);
                                    prev = c;
                                    (le, n)
                                })
                                .collect();
                            let sum = sum.unwrap_or(0.0);
                            series.encode_histogram::<NoLabelSet>(sum, count, &per, None)?
                        }
                        Sample::Info | Sample::Summary(_) => {}
                    }
                }
                if !totals.is_empty() {
                    let (sum, count) = (
                        format!("{name}{SUM_SUFFIX}"),
                        format!("{name}{COUNT_SUFFIX}"),
                    );
                    let mut metric = encoder.encode_descriptor(&sum, &help, None, ty)?;
                    for (labels, sum, _) in &totals {
                        metric.encode_family(labels)?.encode_gauge(sum)?;
                    }
                    let mut metric = encoder.encode_descriptor(&count, &help, None, ty)?;
                    for (labels, _, count) in &totals {
                        metric.encode_family(labels)?.encode_gauge(count)?;
                    }
                }
                Ok(())
            })();
        });
        result
    }
}
