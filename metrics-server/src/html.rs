//! `/`: every registered family with its type, help, labels, series count and values. No JS.
//!
//! The page is a minijinja template (`templates/index.html`) with HTML auto-escaping, so
//! family help, label values and the metrics path cannot inject markup. minijinja runs with no
//! default features and so brings no dependency; the template is parsed once.

use std::sync::OnceLock;

use minijinja::{context, Environment, Value};
use promdecl::Registry;

/// Values shown per family before the list is cut short.
const SHOWN: usize = 20;

const TEMPLATE: &str = "index.html";

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // The `.html` name turns HTML auto-escaping on.
        env.add_template(TEMPLATE, include_str!("templates/index.html"))
            .expect("the index template parses (tested)");
        env
    })
}

/// Renders the page; CPU work, run on the blocking pool under the scrape limit.
pub(crate) fn render(registry: &Registry, metrics_path: &str) -> String {
    let mut families = Vec::new();
    registry.visit_prefixed(&mut |prefix, f| {
        let d = f.desc();
        let labels: Vec<String> = d
            .labels
            .iter()
            .map(|l| match l.values {
                Some(v) => format!("{} ∈ {{{}}}", l.name, v.join(", ")),
                None => l.name.to_string(),
            })
            .collect();
        let mut values = Vec::new();
        let mut n = 0;
        f.for_each_sample(&mut |labels, s| {
            n += 1;
            if n <= SHOWN {
                values.push(Value::from(format!(
                    "{{{}}} {}",
                    labels.join(", "),
                    s.value()
                )));
            }
        });
        families.push(context! {
            name => format!("{prefix}{}", d.name),
            kind => d.kind.as_str(),
            help => d.help,
            labels => labels.join("; "),
            series => f.series_count(),
            values => Value::from(values),
            more => n.saturating_sub(SHOWN),
        });
    });
    environment()
        .get_template(TEMPLATE)
        .and_then(|t| t.render(context! { metrics_path, families }))
        .unwrap_or_else(|e| format!("<!doctype html><p>index page failed: {e}</p>"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_escapes_what_it_shows() {
        let page = render(&Registry::new(), "/m<script>");
        assert!(page.starts_with("<!doctype html>"), "{page}");
        assert!(page.contains("&lt;script&gt;"), "{page}");
        assert!(!page.contains("<script>"), "{page}");
    }
}
