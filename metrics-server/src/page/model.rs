//! What the page shows, as one JSON document: served as is to tools, and rendered into HTML by
//! the template.
//!
//! `{"metrics_path", "query", "groups": [{"name", "families": [...]}]}`; each family: `name`
//! (as exposed), `kind`, `help`, `unit`, `category` (its declaring struct), `labels`
//! (`name`, and `values` for an enumerated one), `series_count`, `budget` (for a family with
//! a free-form label, `used` and `max` tuples of free-form values, else null), `folded` (updates folded into its
//! overflow series), `docs` (its reference section, when configured), `series` (at most
//! [`SHOWN`]) and `more` (series not listed). Each series: `labels` (`[name, value]` pairs),
//! `value` (a counter's or gauge's), `histogram` (`count`, `sum`, `mean`, `p50`, `p90`,
//! `p99`), `summary` (`count`, `sum`, `quantiles`), `overflow` (whether it is the overflow
//! series), `history` (recent values, oldest first, while the page is watched), and for the
//! page itself `key` (the series' identity), `text` (the value as shown) and `spark` (the
//! sparkline's SVG points: a counter's increase per interval, a gauge's value).

use promdecl::value::Sample;
use promdecl::{AnyFamily, Kind, Registry, OVERFLOW_VALUE};
use serde_json::{json, Value};

use super::history::{key, History};

/// Series listed per family.
pub const SHOWN: usize = 20;

/// How the page was asked for.
pub struct Request<'a> {
    /// Keep only families whose name or help contains it, or series with a label value that
    /// does (case-insensitive); empty keeps everything.
    pub query: &'a str,
    pub metrics_path: &'a str,
    /// The reference docs URL, `{group}` and `{family}` replaced.
    pub docs: Option<&'a str>,
}

/// The page's document for `registry`.
pub fn build(registry: &Registry, request: &Request<'_>, history: Option<&History>) -> Value {
    let query = request.query.trim().to_lowercase();
    let mut groups: Vec<(String, Vec<Value>)> = Vec::new();
    registry.visit_grouped(&mut |owner, prefix, family| {
        let (group, category) = group_of(owner);
        let name = format!("{prefix}{}", family.desc().name);
        let Some(f) = self::family(&name, &group, category, family, request, &query, history)
        else {
            return;
        };
        match groups.iter_mut().find(|(g, _)| *g == group) {
            Some((_, families)) => families.push(f),
            None => groups.push((group, vec![f])),
        }
    });
    let groups: Vec<Value> = groups
        .into_iter()
        .map(|(name, families)| json!({ "name": name, "families": families }))
        .collect();
    json!({
        "metrics_path": request.metrics_path,
        "query": request.query,
        "groups": groups,
    })
}

/// `(group, category)` of a family declared by the struct at path `owner`
/// (`my_crate::system::module::Struct`): the first module below the crate (the crate itself
/// for a struct at its root) and the struct's name.
fn group_of(owner: &str) -> (String, &str) {
    // Generic arguments (`Family<CounterValue>`) are not part of the place.
    let path = owner.split('<').next().unwrap_or(owner);
    let parts: Vec<&str> = path.split("::").collect();
    match parts.as_slice() {
        [_, module, .., name] if parts.len() > 2 => (module.to_string(), name),
        [krate, name] => ((*krate).to_string(), name),
        _ => ("other".to_string(), owner),
    }
}

/// One family's entry, or `None` when the query leaves nothing of it.
fn family(
    name: &str,
    group: &str,
    category: &str,
    family: &dyn AnyFamily,
    request: &Request<'_>,
    query: &str,
    history: Option<&History>,
) -> Option<Value> {
    let d = family.desc();
    let whole = query.is_empty()
        || name.to_lowercase().contains(query)
        || d.help.to_lowercase().contains(query);
    let mut series = Vec::new();
    let mut matching = 0usize;
    family.for_each_sample(&mut |values, sample| {
        let hit = whole || values.iter().any(|v| v.to_lowercase().contains(query));
        if !hit {
            return;
        }
        matching += 1;
        if series.len() < SHOWN {
            let key = key(name, values);
            let points = history.map(|h| h.points(&key)).unwrap_or_default();
            let mut s = self::series(d.labels, values, &sample, &points);
            s["key"] = json!(key);
            s["spark"] = json!(spark(d.kind, &points));
            series.push(s);
        }
    });
    if !whole && matching == 0 {
        return None;
    }
    let labels: Vec<Value> = d
        .labels
        .iter()
        .map(|l| json!({ "name": l.name, "values": l.values }))
        .collect();
    // The budget counts tuples of free-form values; each has a series per enumerated
    // combination.
    let budget = (d.free_form_count() > 0).then(|| {
        let tuples = family.series_count().div_ceil(d.dense_len().max(1));
        json!({ "used": tuples, "max": d.series_budget() })
    });
    let docs = request.docs.map(|url| {
        url.replace("{group}", group)
            .replace("{family}", &anchor(name))
    });
    Some(json!({
        "name": name,
        "kind": d.kind.as_str(),
        "help": d.help,
        "unit": d.unit,
        "category": category,
        "labels": labels,
        "series_count": family.series_count(),
        "budget": budget,
        "folded": family.folded(),
        "docs": docs,
        "series": series,
        "more": matching.saturating_sub(SHOWN),
    }))
}

/// The anchor the generated reference gives a family's heading: its name, lowercased.
fn anchor(name: &str) -> String {
    name.to_lowercase()
}

fn series(
    labels: &[promdecl::LabelDesc],
    values: &[&str],
    sample: &Sample,
    history: &[f32],
) -> Value {
    let pairs: Vec<[&str; 2]> = labels
        .iter()
        .zip(values)
        .map(|(l, v)| [l.name, *v])
        .collect();
    let mut out = json!({
        "labels": pairs,
        "overflow": values.contains(&OVERFLOW_VALUE),
        "history": history,
    });
    match sample {
        Sample::Histogram { buckets, sum } => {
            let count = buckets.last().map_or(0, |b| b.1);
            let mean = sum.filter(|_| count > 0).map(|s| s / count as f64);
            let [p50, p90, p99] = [0.5, 0.9, 0.99].map(|q| quantile(q, buckets));
            let shown = |v: Option<f64>| v.map_or("–".to_string(), number);
            out["text"] = json!(format!(
                "count {count} · sum {} · mean {} · p50 {} · p90 {} · p99 {}",
                shown(*sum),
                shown(mean),
                shown(p50),
                shown(p90),
                shown(p99)
            ));
            out["histogram"] = json!({
                "count": count, "sum": sum, "mean": mean, "p50": p50, "p90": p90, "p99": p99,
            });
        }
        Sample::Summary(s) => {
            // NaN (an empty window) is no JSON number: null.
            let quantiles: Vec<Value> = s
                .quantiles
                .iter()
                .map(|(q, v)| json!([q, v.is_finite().then_some(*v)]))
                .collect();
            let shown: Vec<String> = s
                .quantiles
                .iter()
                .map(|(q, v)| format!("q{} {}", number(*q), number(*v)))
                .collect();
            out["text"] = json!(format!(
                "count {} · sum {} · {}",
                s.count,
                number(s.sum),
                shown.join(" · ")
            ));
            out["summary"] = json!({ "count": s.count, "sum": s.sum, "quantiles": quantiles });
        }
        Sample::Info => out["text"] = json!("1"),
        other => {
            out["text"] = json!(number(other.value()));
            out["value"] = json!(finite(other.value()));
        }
    }
    out
}

/// A value as the page shows it: whole numbers without a fraction, others to 4 significant
/// digits.
fn number(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return format!("{v:.0}");
    }
    let digits = 3 - v.abs().log10().floor().clamp(-6.0, 3.0) as i32;
    let text = format!("{v:.*}", digits.max(0) as usize);
    match text.contains('.') {
        true => text.trim_end_matches('0').trim_end_matches('.').to_string(),
        false => text,
    }
}

/// The points of a sparkline in a 100 × 20 box: a gauge's values, or for the kinds that
/// count (a histogram's and summary's count among them) the increase per interval.
fn spark(kind: Kind, history: &[f32]) -> String {
    let counts = matches!(kind, Kind::Counter | Kind::Histogram | Kind::Summary);
    let values: Vec<f32> = match counts {
        true => history.windows(2).map(|w| (w[1] - w[0]).max(0.0)).collect(),
        false => history.to_vec(),
    };
    if values.len() < 2 {
        return String::new();
    }
    let (lo, hi) = values
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(*v), hi.max(*v))
        });
    let span = if hi > lo { hi - lo } else { 1.0 };
    let step = 100.0 / (super::history::POINTS - 1) as f32;
    // Right-aligned: the newest point at the right edge, as time runs.
    let start = 100.0 - step * (values.len() - 1) as f32;
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let x = start + step * i as f32;
            let y = 19.0 - 18.0 * (v - lo) / span;
            format!("{x:.1},{y:.1}")
        })
        .collect();
    points.join(" ")
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// Quantile `q` of a histogram from its cumulative `(upper bound, count)` buckets, as
/// Prometheus's `histogram_quantile` estimates it: linear within the bucket holding the rank,
/// the first bucket starting at 0 (when its bound is positive), the highest finite bound when
/// the rank falls in `+Inf`. `None` without observations.
pub fn quantile(q: f64, buckets: &[(f64, u64)]) -> Option<f64> {
    let total = buckets.last()?.1;
    if total == 0 {
        return None;
    }
    let rank = q * total as f64;
    let mut below = (0.0f64, 0u64);
    for (i, &(bound, count)) in buckets.iter().enumerate() {
        if count as f64 >= rank {
            if bound == f64::INFINITY {
                return Some(below.0).filter(|_| i > 0);
            }
            let lower = match i {
                0 if bound > 0.0 => 0.0,
                0 => return Some(bound),
                _ => below.0,
            };
            let in_bucket = (count - below.1) as f64;
            let into = (rank - below.1 as f64) / in_bucket.max(1.0);
            return Some(lower + (bound - lower) * into);
        }
        below = (bound, count);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_within_the_bucket_as_prometheus_does() {
        // 10 observations: 5 in (0, 1], 5 in (1, 2].
        let buckets = [(1.0, 5), (2.0, 10), (f64::INFINITY, 10)];
        assert_eq!(quantile(0.5, &buckets), Some(1.0));
        assert_eq!(quantile(0.9, &buckets), Some(1.8));
        assert_eq!(quantile(0.25, &buckets), Some(0.5));
        // Past the last finite bound: that bound.
        let tail = [(1.0, 1), (f64::INFINITY, 10)];
        assert_eq!(quantile(0.99, &tail), Some(1.0));
        assert_eq!(quantile(0.5, &[(1.0, 0), (f64::INFINITY, 0)]), None);
    }

    #[test]
    fn numbers_and_sparklines() {
        assert_eq!(number(12.0), "12");
        assert_eq!(number(0.123456), "0.1235");
        assert_eq!(number(1234.5678), "1235");
        assert_eq!(number(1230.4), "1230");
        assert_eq!(number(f64::NAN), "NaN");
        // A counter rising by 1, then 3: two increases, the second at the top.
        assert_eq!(
            spark(Kind::Counter, &[0.0, 1.0, 4.0]),
            "98.9,19.0 100.0,1.0"
        );
        assert_eq!(spark(Kind::Gauge, &[5.0]), "");
        // A flat gauge sits at the bottom.
        assert_eq!(spark(Kind::Gauge, &[2.0, 2.0]), "98.9,19.0 100.0,19.0");
    }

    #[test]
    fn groups_come_from_the_declaring_path() {
        assert_eq!(
            group_of("promdecl_catalog::bridge::performance::Performance"),
            ("bridge".to_string(), "Performance")
        );
        assert_eq!(group_of("app::Http"), ("app".to_string(), "Http"));
        assert_eq!(
            group_of("a family defined at run time"),
            ("other".to_string(), "a family defined at run time")
        );
    }
}
