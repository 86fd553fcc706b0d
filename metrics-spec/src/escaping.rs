//! Names outside the legacy character set, and how a scraper asks for them to be written.
//!
//! Prometheus 3 accepts any UTF-8 metric and label name. A scraper says in its `Accept` header
//! (`escaping=`) how it wants such names written; names that fit the legacy grammar are
//! written as they are whatever it asks. Source: Prometheus's UTF-8 escaping schemes, as the
//! `prometheus/common` model package defines and tests them.

use alloc::borrow::Cow;
use alloc::string::String;
use core::fmt::Write;

/// How names outside the legacy character set are written (`escaping=` of the content
/// negotiation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Escaping {
    /// `allow-utf-8`: written as they are (quoted where the syntax needs it).
    AllowUtf8,
    /// `underscores`: every character the legacy grammar refuses becomes `_`. The default for
    /// a scraper that does not ask.
    #[default]
    Underscores,
    /// `dots`: `.` becomes `_dot_`, `_` becomes `__` and any other refused character `__`.
    Dots,
    /// `values`: `U__`, then `_` as `__` and each refused character as `_<hex code point>_`;
    /// reversible.
    Values,
}

impl Escaping {
    /// Every scheme.
    pub const ALL: [Escaping; 4] = [
        Escaping::AllowUtf8,
        Escaping::Underscores,
        Escaping::Dots,
        Escaping::Values,
    ];

    /// The scheme an `escaping=` parameter names; `None` for one this crate does not know
    /// (which a server disregards).
    pub fn from_param(param: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_param() == param)
    }

    /// The value of the `escaping=` parameter naming this scheme.
    pub const fn as_param(self) -> &'static str {
        match self {
            Escaping::AllowUtf8 => "allow-utf-8",
            Escaping::Underscores => "underscores",
            Escaping::Dots => "dots",
            Escaping::Values => "values",
        }
    }

    /// `name` as this scheme writes it, exactly as Prometheus's `EscapeName` does (`Dots`
    /// doubles the underscores of a legacy name too). Exposition calls it only for names
    /// outside the legacy grammar: [`Escaping::exposed`].
    pub fn escape(self, name: &str) -> Cow<'_, str> {
        let legacy = is_legacy_name(name);
        match self {
            Escaping::AllowUtf8 => Cow::Borrowed(name),
            Escaping::Underscores | Escaping::Values if legacy || name.is_empty() => {
                Cow::Borrowed(name)
            }
            Escaping::Underscores => Cow::Owned(
                chars(name)
                    .map(|(c, ok)| if ok { c } else { '_' })
                    .collect(),
            ),
            Escaping::Dots => {
                let mut out = String::with_capacity(name.len() + 8);
                for (c, ok) in chars(name) {
                    match c {
                        '_' => out.push_str("__"),
                        '.' => out.push_str("_dot_"),
                        c if ok => out.push(c),
                        _ => out.push_str("__"),
                    }
                }
                Cow::Owned(out)
            }
            Escaping::Values => {
                let mut out = String::with_capacity(name.len() + 16);
                out.push_str("U__");
                for (c, ok) in chars(name) {
                    match c {
                        '_' => out.push_str("__"),
                        c if ok => out.push(c),
                        c => {
                            let _ = write!(out, "_{:x}_", c as u32);
                        }
                    }
                }
                Cow::Owned(out)
            }
        }
    }

    /// `name` as exposed to a scraper that asked for this scheme: unchanged when it fits the
    /// legacy grammar (or the scraper allows UTF-8), escaped otherwise.
    pub fn exposed(self, name: &str) -> Cow<'_, str> {
        match is_legacy_name(name) {
            true => Cow::Borrowed(name),
            false => self.escape(name),
        }
    }
}

/// Whether `name` fits the legacy metric name grammar `[a-zA-Z_:][a-zA-Z0-9_:]*`, so no scheme
/// changes it in an exposition (label names are checked with the same grammar there, as
/// Prometheus does).
pub fn is_legacy_name(name: &str) -> bool {
    crate::is_metric_name(name)
}

/// Each character of `name` and whether the legacy grammar allows it at its place.
fn chars(name: &str) -> impl Iterator<Item = (char, bool)> + '_ {
    name.char_indices().map(|(i, c)| {
        let ok = c.is_ascii_alphabetic() || c == '_' || c == ':' || (c.is_ascii_digit() && i > 0);
        (c, ok)
    })
}

/// Whether `name` is acceptable as a UTF-8 metric or label name: non-empty, without control
/// characters (which no exposition format could carry even quoted).
pub fn is_utf8_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cases of `TestEscapeName` in prometheus/common (model/metric_test.go): input, then
    /// underscores, dots and values.
    const CASES: [(&str, &str, &str, &str); 7] = [
        (
            "no:escaping_required",
            "no:escaping_required",
            "no:escaping__required",
            "no:escaping_required",
        ),
        (
            "mysystem.prod.west.cpu.load",
            "mysystem_prod_west_cpu_load",
            "mysystem_dot_prod_dot_west_dot_cpu_dot_load",
            "U__mysystem_2e_prod_2e_west_2e_cpu_2e_load",
        ),
        (
            "mysystem.prod.west.cpu.load_total",
            "mysystem_prod_west_cpu_load_total",
            "mysystem_dot_prod_dot_west_dot_cpu_dot_load__total",
            "U__mysystem_2e_prod_2e_west_2e_cpu_2e_load__total",
        ),
        (
            "http.status:sum",
            "http_status:sum",
            "http_dot_status:sum",
            "U__http_2e_status:sum",
        ),
        (
            "label with 😱",
            "label_with__",
            "label__with____",
            "U__label_20_with_20__1f631_",
        ),
        ("花火", "__", "____", "U___82b1__706b_"),
        (
            "label with \u{100}",
            "label_with__",
            "label__with____",
            "U__label_20_with_20__100_",
        ),
    ];

    #[test]
    fn schemes_match_prometheus_examples() {
        for (input, underscores, dots, values) in CASES {
            assert_eq!(Escaping::Underscores.escape(input), underscores, "{input}");
            assert_eq!(Escaping::Dots.escape(input), dots, "{input}");
            assert_eq!(Escaping::Values.escape(input), values, "{input}");
            assert_eq!(Escaping::AllowUtf8.escape(input), input, "{input}");
        }
        for e in Escaping::ALL {
            assert_eq!(e.escape(""), "");
        }
    }

    #[test]
    fn legacy_names_are_exposed_unchanged_and_params_round_trip() {
        for e in Escaping::ALL {
            assert_eq!(e.exposed("no:escaping_required"), "no:escaping_required");
            assert_eq!(Escaping::from_param(e.as_param()), Some(e));
        }
        assert_eq!(Escaping::Dots.exposed("a.b"), "a_dot_b");
        assert_eq!(Escaping::from_param("bogus"), None);
        assert!(is_utf8_name("http.server.duration"));
        assert!(!is_utf8_name("") && !is_utf8_name("a\nb"));
    }
}
