//! Content negotiation (RFC 9110 §12.5): which media type by `Accept`, whether gzip by
//! `Accept-Encoding`.
//!
//! `Accept` is split and parsed by the `mediatype` crate (quoted strings, parameters, names
//! compared case-insensitively). The choice follows RFC 9110: each offered type takes the
//! quality of the most specific range that matches it (`type/subtype` over `type/*` over
//! `*/*`), `q=0` means "not acceptable", and the highest quality wins, ties going to the
//! range listed first and then to the server's order. An offer lists the parameters it
//! understands (`version=` of the text formats, `proto=` and `encoding=` of protobuf): a range
//! naming a value it cannot produce (OpenMetrics `version=2.0.0`, protobuf
//! `encoding=compact-text`) does not match it. Prometheus's `escaping=` of the winning range is
//! reported with the choice. A header that names none of the offered types is disregarded, as
//! RFC 9110 allows, so the first offer not explicitly refused is served; only when every offer
//! is refused is there no answer (`406 Not Acceptable`).
//!
//! (`headers-accept` was considered: it matches parameters exactly, so a Prometheus asking for
//! `application/openmetrics-text;version=1.0.0;escaping=allow-utf-8` would get the text
//! format.)

use axum::http::header::{self, HeaderMap};
use mediatype::{MediaType, MediaTypeList};
use promdecl::Escaping;

/// A media type the server can produce, as `type` and `subtype` (lowercase), and the
/// parameters it understands.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Offer {
    pub ty: &'static str,
    pub subty: &'static str,
    pub params: &'static [Param],
}

impl Offer {
    /// Whether only a range naming this type with its required parameters selects it (not
    /// `*/*`, and not the fallback for a header that names nothing offered): protobuf is
    /// binary, so a client gets it only by asking for it in full.
    fn explicit_only(&self) -> bool {
        self.params.iter().any(|p| p.required)
    }
}

/// A parameter of an offer: the values it can produce, and whether a range must name it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Param {
    name: &'static str,
    values: &'static [&'static str],
    required: bool,
}

/// `text/plain`: text 0.0.4, or 1.0.0 (the version that quotes UTF-8 names).
pub(crate) const TEXT_PLAIN: Offer = Offer {
    ty: "text",
    subty: "plain",
    params: &[Param {
        name: "version",
        values: &["0.0.4", "1.0.0"],
        required: false,
    }],
};
/// `application/openmetrics-text` 1.0.0 (0.0.1 names the same format).
pub(crate) const OPENMETRICS: Offer = Offer {
    ty: "application",
    subty: "openmetrics-text",
    params: &[Param {
        name: "version",
        values: &["0.0.1", "1.0.0"],
        required: false,
    }],
};
/// `application/openmetrics-text` 2.0.0: only for a range asking for that version.
pub(crate) const OPENMETRICS_2: Offer = Offer {
    ty: "application",
    subty: "openmetrics-text",
    params: &[Param {
        name: "version",
        values: &["2.0.0"],
        required: true,
    }],
};
/// Length-delimited protobuf `MetricFamily` messages; a range must say so in full.
pub(crate) const PROTOBUF: Offer = Offer {
    ty: "application",
    subty: "vnd.google.protobuf",
    params: &[
        Param {
            name: "proto",
            values: &["io.prometheus.client.MetricFamily"],
            required: true,
        },
        Param {
            name: "encoding",
            values: &["delimited"],
            required: true,
        },
    ],
};
/// `application/json`.
pub(crate) const JSON: Offer = Offer {
    ty: "application",
    subty: "json",
    params: &[],
};

/// What `Accept` selected: the index in the offers, and the names' escaping the winning
/// range asked for (`None`: not asked, or a scheme this server does not know).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Choice {
    pub offer: usize,
    pub escaping: Option<Escaping>,
}

/// How well one range matched an offer: specificity, then quality in thousandths, then the
/// range's position in the header (earlier is better).
#[derive(Debug, Clone, Copy)]
struct Match {
    specificity: u8,
    quality: u16,
    position: usize,
    escaping: Option<Escaping>,
}

/// The offer (an index in `offers`, in the server's order of preference) that `Accept`
/// selects, or `None` when the client refuses every offer. No `Accept` header selects the
/// first offer.
pub(crate) fn negotiate(headers: &HeaderMap, offers: &[Offer]) -> Option<Choice> {
    let mut best: Vec<Option<Match>> = vec![None; offers.len()];
    let mut any = false;
    let values = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok());
    let mut position = 0;
    for value in values {
        for range in MediaTypeList::new(value).filter_map(Result::ok) {
            any = true;
            position += 1;
            let Some(quality) = quality_of(&range) else {
                continue;
            };
            for (offer, best) in offers.iter().zip(best.iter_mut()) {
                let Some(specificity) = specificity(&range, offer) else {
                    continue;
                };
                let better = match best {
                    None => true,
                    Some(b) => {
                        specificity > b.specificity
                            || (specificity == b.specificity && quality > b.quality)
                    }
                };
                if better {
                    let escaping = param(&range, "escaping").and_then(|e| Escaping::from_param(&e));
                    *best = Some(Match {
                        specificity,
                        quality,
                        position,
                        escaping,
                    });
                }
            }
        }
    }
    let not_asked = |offer| Choice {
        offer,
        escaping: None,
    };
    if !any {
        return Some(not_asked(0));
    }
    let chosen = best
        .iter()
        .enumerate()
        .filter_map(|(i, m)| m.filter(|m| m.quality > 0).map(|m| (i, m)))
        .max_by(|(ia, a), (ib, b)| {
            a.quality
                .cmp(&b.quality)
                .then(b.position.cmp(&a.position))
                .then(ib.cmp(ia))
        })
        .map(|(offer, m)| Choice {
            offer,
            escaping: m.escaping,
        });
    // Nothing acceptable: serve the first offer the header does not mention, if any.
    let unmentioned = |(i, m): (usize, &Option<Match>)| {
        (m.is_none() && !offers.get(i).is_some_and(Offer::explicit_only)).then_some(i)
    };
    chosen.or_else(|| best.iter().enumerate().find_map(unmentioned).map(not_asked))
}

/// The index in `offers` that `Accept` selects ([`negotiate`] without the escaping).
pub(crate) fn media_type(headers: &HeaderMap, offers: &[Offer]) -> Option<usize> {
    negotiate(headers, offers).map(|c| c.offer)
}

/// The value of parameter `name` of `range` (names compare case-insensitively).
fn param(range: &MediaType<'_>, name: &str) -> Option<String> {
    range
        .params
        .iter()
        .find(|(n, _)| n.as_str().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.unquoted_str().into_owned())
}

/// How specifically `range` names `offer`: 2 for `type/subtype`, 1 for `type/*`, 0 for `*/*`;
/// `None` when it does not match.
fn specificity(range: &MediaType<'_>, offer: &Offer) -> Option<u8> {
    let wildcard = range.ty == "*" || range.subty == "*";
    if wildcard && offer.explicit_only() {
        return None;
    }
    if range.ty == "*" {
        return (range.subty == "*").then_some(0);
    }
    if range.ty != offer.ty {
        return None;
    }
    if range.subty == "*" {
        return Some(1);
    }
    let subty_matches = match &range.suffix {
        // `mediatype` splits `a+b` into subtype `a` and suffix `b`.
        Some(suffix) => {
            offer.subty.len() == range.subty.as_str().len() + 1 + suffix.as_str().len()
                && offer
                    .subty
                    .eq_ignore_ascii_case(&format!("{}+{}", range.subty, suffix))
        }
        None => range.subty == offer.subty,
    };
    let params_match = offer.params.iter().all(|p| match param(range, p.name) {
        Some(v) => p.values.iter().any(|ok| ok.eq_ignore_ascii_case(&v)),
        None => !p.required,
    });
    (subty_matches && params_match).then_some(2)
}

/// The `q` parameter in thousandths (1000 when absent), `None` when malformed.
fn quality_of(range: &MediaType<'_>) -> Option<u16> {
    match range.params.iter().find(|(name, _)| *name == "q") {
        Some((_, value)) => parse_qvalue(&value.unquoted_str()),
        None => Some(1000),
    }
}

/// RFC 9110 §12.4.2: `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )`, in
/// thousandths.
pub(crate) fn parse_qvalue(s: &str) -> Option<u16> {
    let (whole, fraction) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s, ""),
    };
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = fraction
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(3)
        .fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// Whether `Accept-Encoding` lets the response be gzip-compressed: `gzip` (or `x-gzip`, or
/// `*`) acceptable with `q` > 0 and at least as preferred as an explicit `identity`. Codings
/// compare case-insensitively.
pub(crate) fn gzip(headers: &HeaderMap) -> bool {
    // (specificity, quality): 1 for the coding by name, 0 for `*`.
    let mut gzip: Option<(u8, u16)> = None;
    let mut identity: Option<(u8, u16)> = None;
    let values = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok());
    for item in values.flat_map(|v| v.split(',')) {
        let mut parts = item.split(';').map(str::trim);
        let coding = parts.next().unwrap_or_default();
        if coding.is_empty() {
            continue;
        }
        let mut quality = Some(1000);
        for param in parts {
            if let Some((name, value)) = param.split_once('=') {
                if name.trim().eq_ignore_ascii_case("q") {
                    quality = parse_qvalue(value.trim());
                }
            }
        }
        let Some(quality) = quality else {
            continue;
        };
        let note = |slot: &mut Option<(u8, u16)>, specificity: u8| {
            if slot.is_none_or(|(s, q)| specificity > s || (specificity == s && quality > q)) {
                *slot = Some((specificity, quality));
            }
        };
        if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
            note(&mut gzip, 1);
        } else if coding.eq_ignore_ascii_case("identity") {
            note(&mut identity, 1);
        } else if coding == "*" {
            note(&mut gzip, 0);
            note(&mut identity, 0);
        }
    }
    match (gzip, identity) {
        (Some((_, g)), Some((1, i))) => g > 0 && g >= i,
        (Some((_, g)), _) => g > 0,
        (None, _) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str, offers: &[Offer]) -> Option<usize> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, value.parse().unwrap());
        media_type(&headers, offers)
    }

    fn encoding(value: &str) -> bool {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_ENCODING, value.parse().unwrap());
        gzip(&headers)
    }

    const FORMATS: &[Offer] = &[TEXT_PLAIN, OPENMETRICS];

    #[test]
    fn q_values_and_wildcards_choose_the_format() {
        assert_eq!(media_type(&HeaderMap::new(), FORMATS), Some(0));
        assert_eq!(accept("", FORMATS), Some(0));
        assert_eq!(accept("*/*", FORMATS), Some(0));
        // What Prometheus 3 sends.
        let prometheus = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,\
            application/openmetrics-text;version=0.0.1;q=0.5,\
            text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,\
            text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
        assert_eq!(accept(prometheus, FORMATS), Some(1));
        assert_eq!(accept("text/plain;version=0.0.4", FORMATS), Some(0));
        assert_eq!(
            accept("text/plain;q=0.5, application/openmetrics-text", FORMATS),
            Some(1)
        );
        // Equal quality: the range listed first.
        assert_eq!(
            accept("application/openmetrics-text, text/plain", FORMATS),
            Some(1)
        );
        assert_eq!(accept("text/*, application/*", FORMATS), Some(0));
    }

    #[test]
    fn q_zero_refuses_and_names_are_case_insensitive() {
        assert_eq!(
            accept("application/openmetrics-text;q=0, */*", FORMATS),
            Some(0)
        );
        assert_eq!(accept("text/plain;q=0, */*", FORMATS), Some(1));
        assert_eq!(accept("TEXT/PLAIN;Q=0, */*;q=0.1", FORMATS), Some(1));
        assert_eq!(accept("Application/OpenMetrics-Text", FORMATS), Some(1));
        // The more specific range wins even with a lower q.
        assert_eq!(accept("text/plain;q=0, text/*;q=1", FORMATS), Some(1));
        // Everything refused.
        assert_eq!(accept("*/*;q=0", FORMATS), None);
        assert_eq!(
            accept("text/plain;q=0, application/openmetrics-text;q=0", FORMATS),
            None
        );
        // Only unrelated types: the header is disregarded.
        assert_eq!(accept("application/json", FORMATS), Some(0));
        assert_eq!(accept("image/png;q=0", FORMATS), Some(0));
        // A malformed q drops that range only.
        assert_eq!(
            accept("text/plain;q=2, application/openmetrics-text", FORMATS),
            Some(1)
        );
    }

    #[test]
    fn protobuf_versions_and_escaping() {
        const ALL: &[Offer] = &[TEXT_PLAIN, OPENMETRICS, PROTOBUF];
        let choose = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT, value.parse().unwrap());
            negotiate(&headers, ALL)
        };
        let chosen = |offer, escaping| Some(Choice { offer, escaping });
        // What Prometheus 2.42 sends with native histograms on.
        let native = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;\
            encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
        assert_eq!(choose(native), chosen(2, None));
        // Prometheus 3's default: OpenMetrics 1.0 with UTF-8 names.
        let prometheus3 = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,\
            application/openmetrics-text;version=0.0.1;q=0.5,\
            text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,\
            text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
        assert_eq!(choose(prometheus3), chosen(1, Some(Escaping::AllowUtf8)));
        assert_eq!(
            choose("text/plain;version=1.0.0;escaping=dots"),
            chosen(0, Some(Escaping::Dots))
        );
        // An unknown scheme is disregarded.
        assert_eq!(choose("text/plain;escaping=bogus"), chosen(0, None));
        // Protobuf must be asked for in full, and in the delimited encoding.
        assert_eq!(
            choose("application/vnd.google.protobuf, text/plain;q=0.1"),
            chosen(0, None)
        );
        let compact = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;\
            encoding=compact-text, text/plain;q=0.1";
        assert_eq!(choose(compact), chosen(0, None));
        // Never by wildcard, nor as the fallback for a header naming nothing offered.
        assert_eq!(choose("*/*"), chosen(0, None));
        assert_eq!(
            choose("application/*;q=1, text/plain;q=0.1"),
            chosen(1, None)
        );
        assert_eq!(
            choose("text/plain;q=0, application/openmetrics-text;q=0"),
            None
        );
        // A version this server does not produce does not match.
        assert_eq!(
            choose("application/openmetrics-text;version=2.0.0, text/plain;q=0.1"),
            chosen(0, None)
        );
    }

    #[test]
    fn qvalue_grammar() {
        assert_eq!(parse_qvalue("1"), Some(1000));
        assert_eq!(parse_qvalue("1.000"), Some(1000));
        assert_eq!(parse_qvalue("0.5"), Some(500));
        assert_eq!(parse_qvalue("0.25"), Some(250));
        assert_eq!(parse_qvalue("0"), Some(0));
        assert_eq!(parse_qvalue("0."), Some(0));
        for bad in ["1.5", "2", "0.1234", "-1", "", "a", ".5"] {
            assert_eq!(parse_qvalue(bad), None, "{bad}");
        }
    }

    #[test]
    fn gzip_by_accept_encoding() {
        assert!(!gzip(&HeaderMap::new()));
        assert!(encoding("gzip"));
        assert!(encoding("GZip"));
        assert!(encoding("br, gzip;q=0.5, deflate"));
        assert!(encoding("*"));
        assert!(encoding("x-gzip"));
        assert!(!encoding("gzip;q=0"));
        assert!(!encoding("*;q=0"));
        assert!(!encoding("*, gzip;q=0"));
        assert!(!encoding("br, deflate"));
        assert!(!encoding("gzip;q=0.5, identity"));
        assert!(encoding("gzip, identity;q=0.5"));
    }
}
