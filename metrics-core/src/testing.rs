//! Helpers for users' tests: read a series, render one struct.
//!
//! ```
//! use promdecl::{testing, Counter, Format, Metrics};
//!
//! #[derive(Metrics)]
//! struct Jobs {
//!     /// Jobs run
//!     #[metric(counter, labels = [queue, outcome = [ok, failed]])]
//!     jobs_total: Counter,
//! }
//!
//! let jobs = Jobs::new();
//! jobs.jobs_total("mail", jobs_labels::Outcome::Failed).inc_by(2);
//! assert_eq!(testing::value(&jobs, "jobs_total", &["mail", "failed"]), Some(2.0));
//! assert_eq!(testing::value(&jobs, "jobs_total", &["mail", "ok"]), Some(0.0));
//! assert!(testing::render(&jobs, Format::Text).contains("# TYPE jobs_total counter"));
//! ```

use crate::encode::{self, Escaping, Format, Source};
use crate::registry::Metrics;
use crate::value::Sample;

/// The exposition of one metrics struct alone, as a registry with nothing else would serve it.
pub fn render<M: Metrics>(metrics: &M, format: Format) -> String {
    let mut out = String::new();
    render_into(metrics, format, &mut out);
    out
}

/// [`render`] appending to `out`, so a caller can reuse one buffer.
pub fn render_into<M: Metrics>(metrics: &M, format: Format, out: &mut String) {
    crate::start::scrape_started();
    let source = Source {
        escaping: Escaping::Underscores,
        start_timestamps: true,
        const_labels: &[],
        families: &|f| metrics.visit(&mut |family| f("", family)),
    };
    encode::write_text(out, format, &source);
}

/// The sample of the series of `family` (exposed name) whose label values, in declared order,
/// are `labels`; `None` if no such series exists.
pub fn sample<M: Metrics>(metrics: &M, family: &str, labels: &[&str]) -> Option<Sample> {
    let mut found = None;
    metrics.visit(&mut |f| {
        if found.is_none() && f.desc().name == family {
            f.for_each_sample(&mut |values, s| {
                if found.is_none() && values == labels {
                    found = Some(s);
                }
            });
        }
    });
    found
}

/// The value of one series (a histogram's count, `1` for info); `None` if it does not exist.
pub fn value<M: Metrics>(metrics: &M, family: &str, labels: &[&str]) -> Option<f64> {
    sample(metrics, family, labels).map(|s| s.value())
}

/// Number of series a family of `metrics` currently exposes.
pub fn series_count<M: Metrics>(metrics: &M, family: &str) -> Option<usize> {
    let mut n = None;
    metrics.visit(&mut |f| {
        if f.desc().name == family {
            n = Some(f.series_count());
        }
    });
    n
}
