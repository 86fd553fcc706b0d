//! `/`: every registered family with its type, help, labels, series count and values. No JS.

use std::fmt::Write;

use axum::extract::State;
use axum::response::Html;

use crate::AppState;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Values shown per family before the list is cut short.
const SHOWN: usize = 20;

pub(crate) async fn index(State(state): State<AppState>) -> Html<String> {
    let metrics_path = esc(&state.config.metrics_path);
    let mut page = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>metrics</title>\
         <style>body{{font-family:sans-serif;margin:2em}}td,th{{padding:2px 8px;text-align:left;vertical-align:top}}\
         tr:nth-child(even){{background:#f4f4f4}}code{{font-size:90%}}</style></head><body>\
         <h1>Metrics</h1><p><a href=\"{metrics_path}\">{metrics_path}</a> · <a href=\"/health\">/health</a> · \
         <a href=\"/ready\">/ready</a></p><table><tr><th>name</th><th>type</th><th>help</th>\
         <th>labels</th><th>series</th><th>values</th></tr>",
    );
    state.registry.visit_prefixed(&mut |prefix, f| {
        let d = f.desc();
        let labels: Vec<String> = d
            .labels
            .iter()
            .map(|l| match l.values {
                Some(v) => format!("{} ∈ {{{}}}", l.name, v.join(", ")),
                None => l.name.to_string(),
            })
            .collect();
        let mut values = String::new();
        let mut n = 0;
        f.for_each_sample(&mut |labels, s| {
            n += 1;
            if n <= SHOWN {
                let _ = write!(values, "{{{}}} {}<br>", esc(&labels.join(", ")), s.value());
            }
        });
        if n > SHOWN {
            let _ = write!(values, "… {} more", n - SHOWN);
        }
        let _ = write!(
            page,
            "<tr><td><code>{}{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            esc(prefix),
            esc(d.name),
            d.kind.as_str(),
            esc(d.help),
            esc(&labels.join("; ")),
            f.series_count(),
            values
        );
    });
    page.push_str("</table></body></html>");
    Html(page)
}
