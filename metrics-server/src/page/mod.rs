//! `/` and its JSON: every registered family, grouped by the struct that declares it, with a
//! filter, readable series, histogram quantiles and sparklines.
//!
//! The page is rendered by a minijinja template (`index.html`) with HTML auto-escaping, so
//! family help, label values and the paths cannot inject markup; its style and script ship in
//! the binary (no CDN). It works without JavaScript (the filter is a form, `?q=`); the script
//! filters as one types and refreshes values and sparklines from [`JSON_PATH`]. The JSON is
//! [`model`]'s document, behind the same credentials as the page.

pub(crate) mod history;
mod model;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use minijinja::{Environment, Value};
use promdecl::Registry;

use crate::config::Config;
pub(crate) use history::History;

/// Where the page's JSON is served.
pub const JSON_PATH: &str = "/api/families";

const TEMPLATE: &str = "index.html";

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // The `.html` name turns HTML auto-escaping on.
        env.add_template(TEMPLATE, include_str!("index.html"))
            .expect("the index template parses (tested)");
        env
    })
}

/// The `q` parameter of a request's query string.
pub(crate) fn query_of(params: &HashMap<String, String>) -> String {
    params.get("q").cloned().unwrap_or_default()
}

/// The page's document (see [`model`]).
pub(crate) fn document(
    registry: &Registry,
    config: &Config,
    query: &str,
    history: Option<&History>,
) -> serde_json::Value {
    let request = model::Request {
        query,
        metrics_path: &config.metrics_path,
        docs: config.reference_docs.as_deref(),
    };
    model::build(registry, &request, history)
}

/// The page as HTML.
pub(crate) fn render(document: &serde_json::Value) -> String {
    let context = Value::from(minijinja::value::Serde(document));
    let extra = minijinja::context! {
        health_path => "/health",
        ready_path => "/ready",
        json_path => JSON_PATH,
        style => include_str!("page.css"),
        script => include_str!("page.js"),
        ..context
    };
    environment()
        .get_template(TEMPLATE)
        .and_then(|t| t.render(extra))
        .unwrap_or_else(|e| format!("<!doctype html><p>index page failed: {e}</p>"))
}

/// Starts (or keeps) sampling the series the page shows, filtered by `query`, for its
/// sparklines.
pub(crate) fn watch(
    history: &Arc<History>,
    query: &str,
    registry: Arc<Registry>,
    config: Arc<Config>,
) {
    history.viewed(query, move |query| {
        let doc = document(&registry, &config, query, None);
        shown_values(&doc)
    });
}

/// `(key, value)` of every series in a document: a counter's or gauge's value, a histogram's
/// or summary's count.
fn shown_values(doc: &serde_json::Value) -> Vec<(String, f64)> {
    let series = doc["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|g| g["families"].as_array().into_iter().flatten())
        .flat_map(|f| f["series"].as_array().into_iter().flatten());
    series
        .filter_map(|s| {
            let value = s["value"]
                .as_f64()
                .or_else(|| s["histogram"]["count"].as_f64())
                .or_else(|| s["summary"]["count"].as_f64())?;
            Some((s["key"].as_str()?.to_string(), value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use promdecl::{Counter, Histogram, Info, Metrics};

    #[derive(Metrics)]
    struct Net {
        /// Messages by peer
        #[metric(counter, labels = [peer, direction = [sent, received]])]
        messages_total: Counter,
        /// Latency
        #[metric(histogram, labels = [route], buckets = [0.1, 1.0])]
        latency_seconds: Histogram,
        /// Build
        #[metric(info, labels = [version])]
        build_info: Info,
    }

    fn page(registry: &Registry, query: &str, config: &Config) -> (serde_json::Value, String) {
        let doc = document(registry, config, query, None);
        let html = render(&doc);
        (doc, html)
    }

    #[test]
    fn the_template_escapes_what_it_shows() {
        let config = Config {
            metrics_path: "/m<script>".into(),
            ..Config::default()
        };
        let registry = Registry::new();
        let net = registry.register(Net::new()).unwrap();
        net.messages_total("<b>peer</b>", net_labels::Direction::Sent)
            .inc();
        let (_, html) = page(&registry, "", &config);
        assert!(html.starts_with("<!doctype html>"), "{html}");
        assert!(html.contains("&#x2f;m&lt;script&gt;"), "{html}");
        assert!(
            html.contains("peer=\"&lt;b&gt;peer&lt;&#x2f;b&gt;\""),
            "{html}"
        );
        assert!(!html.contains("<b>"), "{html}");
    }

    #[test]
    fn series_read_name_equals_value_and_the_filter_narrows() {
        let registry = Registry::new();
        let net = registry.register(Net::new()).unwrap();
        net.messages_total("peer-1", net_labels::Direction::Sent)
            .inc();
        net.messages_total("peer-2", net_labels::Direction::Received)
            .inc();
        for v in [0.05, 0.5, 0.5, 2.0] {
            net.latency_seconds("/a").observe(v);
        }
        net.build_info("1.2.3");
        let (doc, html) = page(&registry, "", &Config::default());
        assert!(
            html.contains("<code>peer=\"peer-1\"</code> <code>direction=\"sent\"</code>"),
            "{html}"
        );
        assert!(
            html.contains("∈ {<span class=\"values\">sent, received</span>}"),
            "{html}"
        );
        assert!(html.contains("2 / 1000 series"), "{html}");
        // 4 observations: p50 at rank 2, halfway into (0.1, 1.0].
        assert!(
            html.contains("count 4 · sum 3.05 · mean 0.7625 · p50 0.55 ·"),
            "{html}"
        );
        assert!(html.contains("<td>1.2.3</td>"), "an info table: {html}");
        let group = &doc["groups"][0];
        assert_eq!(group["families"][0]["category"], "Net");

        let (doc, html) = page(&registry, "PEER-2", &Config::default());
        assert!(
            html.contains("peer=\"peer-2\"") && !html.contains("peer-1"),
            "{html}"
        );
        let families = doc["groups"][0]["families"].as_array().unwrap();
        assert_eq!(families.len(), 1, "only the family with that value: {doc}");
    }

    #[test]
    fn families_link_to_their_reference_when_configured() {
        let config = Config {
            reference_docs: Some("https://docs.example/{group}.md#{family}".into()),
            ..Config::default()
        };
        let registry = Registry::new();
        registry.register(Net::new()).unwrap();
        let (doc, html) = page(&registry, "", &config);
        let group = doc["groups"][0]["name"].as_str().unwrap();
        let link =
            format!("href=\"https:&#x2f;&#x2f;docs.example&#x2f;{group}.md#messages_total\"");
        assert!(html.contains(&link), "{link} in {html}");
    }
}
