//! Names: Rust identifiers made from label names and values, and lists in messages.

use proc_macro2::{Ident, Span};
use syn::ext::IdentExt;

/// `message_type` -> `MessageType`, `2xx` -> `V2xx`: the enum or variant named after a label or
/// one of its values.
pub fn pascal_case(s: &str) -> String {
    let mut out = String::new();
    for part in s
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
    {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

/// `ShopMetrics` -> `shop_metrics`, `HTTPServer` -> `http_server`: a type name as a module name,
/// split into words as rustc's `non_snake_case` lint splits them.
pub fn snake_case(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    for (i, c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1);
        let starts_word = c.is_uppercase()
            && prev.is_some_and(|p| {
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || p.is_uppercase() && next.is_some_and(|n| n.is_lowercase())
            });
        if starts_word && !out.ends_with('_') {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// `ShopMetrics` -> `shop_metrics_labels`: the module holding a struct's inline label enums,
/// spanned on the struct name.
pub fn labels_module(ident: &Ident) -> Ident {
    let name = format!("{}_labels", snake_case(&ident.unraw().to_string()));
    Ident::new(&name, ident.span())
}

/// `remove_<field>` and `remove_<field>_matching`: the removal methods of a family with a
/// free-form label, spanned on the field.
pub fn remove_methods(field: &Ident) -> [Ident; 2] {
    let field_name = field.unraw();
    [
        Ident::new(&format!("remove_{field_name}"), field.span()),
        Ident::new(&format!("remove_{field_name}_matching"), field.span()),
    ]
}

/// The candidate closest to `word` by edit distance, when it is close enough to be a misspelling
/// of it (a typo, a swapped pair, a missing or extra letter).
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Insertions, deletions, substitutions and swaps of adjacent letters that turn `a` into `b`.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // d[i][j]: the distance between the first `i` letters of `a` and the first `j` of `b`.
    let mut d = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// The accessor parameter for a label: the label name, raw (`r#type`) where it is a keyword,
/// with a trailing `_` where not even that is an identifier (`self`, `_`).
pub fn param(label: &str, span: Span) -> Ident {
    if syn::parse_str::<Ident>(label).is_ok() {
        Ident::new(label, Span::call_site())
    } else if syn::parse_str::<Ident>(&format!("r#{label}")).is_ok() {
        Ident::new_raw(label, span)
    } else {
        Ident::new(&format!("{label}_"), span)
    }
}

/// "`a`, `b` or `c`": the choices a message offers.
pub fn one_of<'a>(choices: impl IntoIterator<Item = &'a str>) -> String {
    or_list(choices.into_iter().map(|c| format!("`{c}`")))
}

/// "a, b or c".
pub fn or_list(items: impl IntoIterator<Item = String>) -> String {
    let items: Vec<String> = items.into_iter().collect();
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

/// The metric kinds, as a message lists them: "`counter`, `gauge`, `histogram` or `info`".
pub fn kinds() -> String {
    one_of(promdecl_spec::Kind::ALL.map(promdecl_spec::Kind::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pascal_case_makes_identifiers() {
        assert_eq!(pascal_case("message_type"), "MessageType");
        assert_eq!(pascal_case("2xx"), "V2xx");
        assert_eq!(pascal_case("hot-cache"), "HotCache");
        assert_eq!(pascal_case("--"), "");
    }

    #[test]
    fn snake_case_makes_module_names() {
        let cases = [
            ("ShopMetrics", "shop_metrics"),
            ("Dht", "dht"),
            ("HTTPServer", "http_server"),
            ("X0tta6bl4", "x0tta6bl4"),
            ("PubSub", "pub_sub"),
            ("Api2Metrics", "api2_metrics"),
        ];
        for (type_name, module) in cases {
            assert_eq!(snake_case(type_name), module);
        }
    }

    #[test]
    fn closest_finds_misspellings_only() {
        let keys = ["labels", "buckets", "name", "help"];
        assert_eq!(closest("lables", &keys), Some("labels"));
        assert_eq!(closest("bucket", &keys), Some("buckets"));
        assert_eq!(closest("nmae", &keys), Some("name"));
        assert_eq!(closest("colour", &keys), None);
    }

    #[test]
    fn params_are_identifiers() {
        let span = Span::call_site();
        assert_eq!(param("topic", span).to_string(), "topic");
        assert_eq!(param("type", span).to_string(), "r#type");
        assert_eq!(param("self", span).to_string(), "self_");
        assert_eq!(param("_", span).to_string(), "__");
    }

    #[test]
    fn lists_read_as_english() {
        assert_eq!(one_of(["a"]), "`a`");
        assert_eq!(one_of(["a", "b", "c"]), "`a`, `b` or `c`");
        assert_eq!(
            kinds(),
            "`counter`, `gauge`, `histogram`, `info` or `summary`"
        );
    }
}
