//! Names: Rust identifiers made from label names and values, and lists in messages.

use proc_macro2::{Ident, Span};

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
        assert_eq!(kinds(), "`counter`, `gauge`, `histogram` or `info`");
    }
}
