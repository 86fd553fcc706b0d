//! Validation: one `check_*` per rule. Errors are accumulated, each spanned on its token and
//! naming the fix.

use std::collections::HashMap;

use darling::Error;
use proc_macro2::Span;
use quote::format_ident;
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::Ident;

use crate::input::{BucketSpec, LabelSpec, LabelValueInput, MetricField, MetricsInput};
use crate::model::{Buckets, Family, Kind, Label, LabelEnum, Model};

/// Units recognised on names, for `unit` inference and the suffix check.
const UNITS: &[&str] = &[
    "seconds", "bytes", "ratio", "percent", "celsius", "meters", "volts", "amperes", "joules",
    "grams", "hertz", "bits",
];

fn is_name(s: &str) -> bool {
    let mut c = s.chars();
    c.next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && c.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn is_label_name(s: &str) -> bool {
    let mut c = s.chars();
    c.next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && c.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `message_type` -> `MessageType`, `2xx` -> `V2xx`.
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

/// The model of every family that validated, and the errors of the rest (if any): the fallback
/// still generates accessors for valid families, so one mistake does not cascade.
pub fn metrics(input: MetricsInput) -> (Model, Option<Error>) {
    let mut errors = Error::accumulator();
    check_generics(&mut errors, &input.attrs.generics);
    let prefix = check_prefix(&mut errors, &input);
    let mut families = Vec::new();
    let mut enums: Vec<(LabelEnum, Span)> = Vec::new();
    for m in &input.metrics {
        if let Some(f) = check_family(&mut errors, m, &prefix, &mut enums) {
            families.push(f);
        }
    }
    check_unique_names(&mut errors, &families);
    let plain = input.plain.iter().filter_map(|f| f.ident.clone()).collect();
    let model = Model {
        ident: input.attrs.ident.clone(),
        vis: input.attrs.vis.clone(),
        families,
        plain,
        enums: enums.into_iter().map(|(e, _)| e).collect(),
    };
    (model, errors.finish().err())
}

fn check_generics(errors: &mut darling::error::Accumulator, g: &syn::Generics) {
    if !g.params.is_empty() {
        errors.push(
            Error::custom("metrics structs cannot be generic; remove the type parameters")
                .with_span(&g.params),
        );
    }
}

fn check_prefix(errors: &mut darling::error::Accumulator, input: &MetricsInput) -> String {
    let a = &input.attrs;
    let (prefix, span) = match (&a.prefix, &a.namespace, &a.subsystem) {
        (Some(p), None, None) => ((**p).clone(), p.span()),
        (None, Some(n), s) => {
            let joined = match s {
                Some(s) => format!("{}_{}", **n, **s),
                None => (**n).clone(),
            };
            (joined, n.span())
        }
        (None, None, Some(s)) => {
            errors.push(
                Error::custom("`subsystem` needs a `namespace`; add `namespace = \"...\"`")
                    .with_span(&s.span()),
            );
            return String::new();
        }
        (Some(p), _, _) => {
            errors.push(
                Error::custom("use either `prefix` or `namespace`/`subsystem`, not both")
                    .with_span(&p.span()),
            );
            return String::new();
        }
        (None, None, None) => return String::new(),
    };
    if !is_label_name(&prefix) {
        errors.push(
            Error::custom(format!(
                "invalid metric name prefix `{prefix}`; use letters, digits and `_`, not starting with a digit"
            ))
            .with_span(&span),
        );
    }
    prefix
}

fn check_kind(errors: &mut darling::error::Accumulator, kind: &Ident) -> Option<Kind> {
    Some(match kind.to_string().as_str() {
        "counter" => Kind::Counter,
        "gauge" => Kind::Gauge,
        "histogram" => Kind::Histogram,
        "info" => Kind::Info,
        other => {
            errors.push(
                Error::custom(format!(
                    "unknown metric kind `{other}`; expected `counter`, `gauge`, `histogram` or `info`"
                ))
                .with_span(kind),
            );
            return None;
        }
    })
}

fn check_field_type(errors: &mut darling::error::Accumulator, kind: Kind, ty: &syn::Type) {
    let last = match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    };
    let expected: &[&str] = match kind {
        Kind::Counter => &["Counter", "FloatCounter", "ShardedCounter"],
        Kind::Gauge => &["Gauge", "IntGauge"],
        Kind::Histogram => &["Histogram"],
        Kind::Info => &["Info"],
    };
    let known = [
        "Counter",
        "FloatCounter",
        "Gauge",
        "IntGauge",
        "Histogram",
        "Info",
    ];
    if let Some(last) = last.filter(|l| known.contains(&l.as_str())) {
        if !expected.contains(&last.as_str()) {
            errors.push(
                Error::custom(format!(
                    "a {} family needs a field of type {}, not `{last}`",
                    kind.variant().to_lowercase(),
                    expected
                        .iter()
                        .map(|e| format!("`{e}`"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ))
                .with_span(ty),
            );
        }
    }
}

fn check_family(
    errors: &mut darling::error::Accumulator,
    m: &MetricField,
    prefix: &str,
    enums: &mut Vec<(LabelEnum, Span)>,
) -> Option<Family> {
    let field = m.field.ident.clone()?;
    let kind = check_kind(errors, &m.kind)?;
    check_field_type(errors, kind, &m.field.ty);
    let a = &m.attrs;

    let (local, name_span) = match &a.name {
        Some(n) => ((**n).clone(), n.span()),
        None => (field.unraw().to_string(), field.span()),
    };
    let name = if prefix.is_empty() {
        local
    } else {
        format!("{prefix}_{local}")
    };
    if !is_name(&name) {
        errors.push(
            Error::custom(format!(
                "invalid metric name `{name}`; use letters, digits, `_` and `:`, not starting with a digit"
            ))
            .with_span(&name_span),
        );
    }
    check_suffix(errors, kind, &name, name_span);

    let help = match (&a.help, &m.doc) {
        (Some(h), _) if h.trim().is_empty() => {
            errors.push(
                Error::custom("empty help text; describe what the metric measures")
                    .with_span(&h.span()),
            );
            String::new()
        }
        (Some(h), _) => (**h).clone(),
        (None, Some(d)) => d.clone(),
        (None, None) => {
            errors.push(
                Error::custom("missing help text; add a `///` doc comment or `help = \"...\"`")
                    .with_span(&field),
            );
            String::new()
        }
    };

    let unit = check_unit(errors, kind, &name, a.unit.as_ref());
    let labels = check_labels(errors, kind, m, enums);
    let buckets = check_buckets(errors, kind, a.buckets.as_ref(), &m.kind);
    let max_series = check_max_series(errors, a.max_series.as_ref(), &labels);

    Some(Family {
        field,
        ty: m.field.ty.clone(),
        kind,
        name,
        help,
        unit,
        note: a.note.clone(),
        labels,
        buckets,
        max_series,
    })
}

fn check_suffix(errors: &mut darling::error::Accumulator, kind: Kind, name: &str, span: Span) {
    match kind {
        Kind::Counter if !name.ends_with("_total") => errors.push(
            Error::custom(format!(
                "counter `{name}` must end in `_total`, as it is exposed; rename the field or set `name = \"..._total\"`"
            ))
            .with_span(&span),
        ),
        Kind::Info if !name.ends_with("_info") => errors.push(
            Error::custom(format!("info family `{name}` must end in `_info`; rename it to `{name}_info`"))
                .with_span(&span),
        ),
        _ => {}
    }
}

fn check_unit(
    errors: &mut darling::error::Accumulator,
    kind: Kind,
    name: &str,
    unit: Option<&darling::util::SpannedValue<String>>,
) -> Option<String> {
    let base = if kind == Kind::Counter {
        name.strip_suffix("_total").unwrap_or(name)
    } else {
        name
    };
    match unit {
        Some(u) => {
            if !base.ends_with(&format!("_{}", **u)) {
                let found = UNITS.iter().find(|x| base.ends_with(&format!("_{x}")));
                let why = match found {
                    Some(f) => format!("the name says `{f}`"),
                    None => "the name has no unit suffix".to_string(),
                };
                errors.push(
                    Error::custom(format!(
                        "unit `{}` contradicts the name `{name}` ({why}); end the name in `_{}` or drop `unit`",
                        **u, **u
                    ))
                    .with_span(&u.span()),
                );
            }
            Some((**u).clone())
        }
        None => UNITS
            .iter()
            .find(|x| base.ends_with(&format!("_{x}")))
            .map(|u| u.to_string()),
    }
}

fn check_labels(
    errors: &mut darling::error::Accumulator,
    kind: Kind,
    m: &MetricField,
    enums: &mut Vec<(LabelEnum, Span)>,
) -> Vec<Label> {
    let Some(list) = &m.attrs.labels else {
        return Vec::new();
    };
    let mut seen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for l in &list.0 {
        let name = l.ident.unraw().to_string();
        if !is_label_name(&name) {
            errors.push(
                Error::custom(format!(
                    "invalid label name `{name}`; use ASCII letters, digits and `_`"
                ))
                .with_span(&l.ident),
            );
        } else if name.starts_with("__") {
            errors.push(
                Error::custom(format!(
                    "label `{name}` is reserved: names starting with `__` belong to Prometheus"
                ))
                .with_span(&l.ident),
            );
        } else if name == "quantile" || (name == "le" && kind == Kind::Histogram) {
            errors.push(
                Error::custom(format!(
                    "label `{name}` is reserved for {}; rename it",
                    if name == "le" {
                        "histogram bucket bounds"
                    } else {
                        "summary quantiles"
                    }
                ))
                .with_span(&l.ident),
            );
        }
        if seen.contains(&name) {
            errors.push(
                Error::custom(format!("duplicate label `{name}`; each label appears once"))
                    .with_span(&l.ident),
            );
            continue;
        }
        seen.push(name.clone());
        let ty = match &l.spec {
            LabelSpec::Free => None,
            LabelSpec::Typed(t) => Some((**t).clone()),
            LabelSpec::Inline(values, span) => {
                match check_inline_enum(errors, &name, values, *span, enums) {
                    Some(t) => Some(t),
                    None => continue,
                }
            }
        };
        let param = if syn::parse_str::<Ident>(&name).is_ok() {
            format_ident!("{}", name)
        } else {
            Ident::new_raw(&name, l.ident.span())
        };
        out.push(Label { name, param, ty });
    }
    out
}

fn check_inline_enum(
    errors: &mut darling::error::Accumulator,
    label: &str,
    values: &[(String, Span)],
    span: Span,
    enums: &mut Vec<(LabelEnum, Span)>,
) -> Option<syn::Type> {
    if values.is_empty() {
        errors.push(
            Error::custom(format!(
                "enumerated label `{label}` has no values; list them (`{label} = [a, b]`) or make it free-form (`{label}`)"
            ))
            .with_span(&span),
        );
        return None;
    }
    let mut variants: Vec<(Ident, String)> = Vec::new();
    for (v, vspan) in values {
        if variants.iter().any(|(_, s)| s == v) {
            errors.push(
                Error::custom(format!(
                    "duplicate value `{v}` of label `{label}`; list each value once"
                ))
                .with_span(vspan),
            );
            return None;
        }
        let variant = pascal_case(v);
        if variant.is_empty() || variants.iter().any(|(i, _)| *i == variant) {
            errors.push(
                Error::custom(format!(
                    "value `{v}` of label `{label}` gives no distinct variant name; declare a `#[derive(LabelValue)]` enum with `#[label(rename = \"...\")]`"
                ))
                .with_span(vspan),
            );
            return None;
        }
        variants.push((Ident::new(&variant, *vspan), v.clone()));
    }
    let ident = Ident::new(&pascal_case(label), Span::call_site());
    if let Some((existing, _)) = enums.iter().find(|(e, _)| e.ident == ident) {
        let same = existing
            .variants
            .iter()
            .map(|(_, s)| s)
            .eq(variants.iter().map(|(_, s)| s));
        if !same {
            errors.push(
                Error::custom(format!(
                    "label `{label}` is declared with other values on another family; give both the same values, or declare one `#[derive(LabelValue)]` enum and write `{label}: {ident}`"
                ))
                .with_span(&span),
            );
            return None;
        }
    } else {
        let doc = format!("Values of the `{label}` label.");
        enums.push((
            LabelEnum {
                ident: ident.clone(),
                doc,
                variants,
            },
            span,
        ));
    }
    Some(syn::parse_quote!(#ident))
}

fn check_buckets(
    errors: &mut darling::error::Accumulator,
    kind: Kind,
    spec: Option<&BucketSpec>,
    kind_token: &Ident,
) -> Option<Buckets> {
    let spec = spec?;
    if kind != Kind::Histogram {
        let span = match spec {
            BucketSpec::Literal(_, s) | BucketSpec::Generated { span: s, .. } => *s,
            BucketSpec::Path(p) => p.span(),
        };
        errors.push(
            Error::custom(format!(
                "`buckets` is only valid on histograms; remove it or change `{kind_token}` to `histogram`"
            ))
            .with_span(&span),
        );
        return None;
    }
    let (values, span): (Vec<(f64, Span)>, Span) = match spec {
        BucketSpec::Path(p) => return Some(Buckets::Path(p.clone())),
        BucketSpec::Literal(v, s) => (v.clone(), *s),
        BucketSpec::Generated { func, args, span } => {
            let arg = |i: usize| args.get(i).map(|a| a.0);
            let (Some(a), Some(b), Some(n)) = (arg(0), arg(1), arg(2)) else {
                errors.push(
                    Error::custom(format!(
                        "`{func}` takes three numbers: `{func}(start, step, count)`"
                    ))
                    .with_span(span),
                );
                return None;
            };
            if args.len() != 3 || n < 1.0 || n.fract() != 0.0 || n > 1000.0 {
                errors.push(
                    Error::custom(format!(
                        "`{func}` takes `(start, step, count)` with a whole count from 1 to 1000"
                    ))
                    .with_span(span),
                );
                return None;
            }
            let n = n as usize;
            let values: Vec<f64> = match func.to_string().as_str() {
                "exponential" => {
                    if a <= 0.0 || b <= 1.0 {
                        errors.push(Error::custom("`exponential(start, factor, count)` needs start > 0 and factor > 1").with_span(span));
                        return None;
                    }
                    (0..n).map(|i| a * b.powi(i as i32)).collect()
                }
                "linear" => {
                    if b <= 0.0 {
                        errors.push(
                            Error::custom("`linear(start, width, count)` needs width > 0")
                                .with_span(span),
                        );
                        return None;
                    }
                    (0..n).map(|i| a + b * i as f64).collect()
                }
                other => {
                    errors.push(
                        Error::custom(format!(
                            "unknown bucket generator `{other}`; use `exponential` or `linear`"
                        ))
                        .with_span(func),
                    );
                    return None;
                }
            };
            (values.into_iter().map(|v| (v, *span)).collect(), *span)
        }
    };
    if values.is_empty() {
        errors.push(
            Error::custom(
                "`buckets` is empty; list at least one upper bound (`+Inf` is added for you)",
            )
            .with_span(&span),
        );
        return None;
    }
    for (i, (v, s)) in values.iter().enumerate() {
        if !v.is_finite() {
            errors.push(
                Error::custom("bucket bounds must be finite; `+Inf` is added for you").with_span(s),
            );
            return None;
        }
        if i > 0 && *v == values[i - 1].0 {
            errors.push(
                Error::custom(format!(
                    "duplicate bucket bound `{v}`; list each bound once"
                ))
                .with_span(s),
            );
            return None;
        }
        if i > 0 && *v < values[i - 1].0 {
            errors.push(
                Error::custom(format!(
                    "bucket bounds must increase; `{v}` comes after `{}`",
                    values[i - 1].0
                ))
                .with_span(s),
            );
            return None;
        }
    }
    Some(Buckets::Values(
        values.into_iter().map(|(v, _)| v).collect(),
    ))
}

fn check_max_series(
    errors: &mut darling::error::Accumulator,
    max: Option<&darling::util::SpannedValue<usize>>,
    labels: &[Label],
) -> Option<usize> {
    let max = max?;
    if !labels.iter().any(|l| l.ty.is_none()) {
        errors.push(
            Error::custom("`max_series` only applies to families with a free-form label; enumerated labels are bounded already, so remove it")
                .with_span(&max.span()),
        );
        return None;
    }
    if **max == 0 {
        errors.push(Error::custom("`max_series` must be at least 1").with_span(&max.span()));
        return None;
    }
    Some(**max)
}

fn check_unique_names(errors: &mut darling::error::Accumulator, families: &[Family]) {
    let mut taken: HashMap<String, &Ident> = HashMap::new();
    for f in families {
        let names: Vec<String> = match f.kind {
            Kind::Histogram => ["", "_bucket", "_count", "_sum"]
                .iter()
                .map(|s| format!("{}{s}", f.name))
                .collect(),
            _ => vec![f.name.clone()],
        };
        for n in names {
            if let Some(other) = taken.get(&n) {
                errors.push(
                    Error::custom(format!(
                        "metric name `{n}` is already used by field `{other}`; give one of them another `name = \"...\"`"
                    ))
                    .with_span(&f.field),
                );
                break;
            }
            taken.insert(n, &f.field);
        }
    }
}

/// Case conversions accepted by `rename_all`.
fn convert_case(rule: &str, variant: &str) -> Option<String> {
    let mut words: Vec<String> = Vec::new();
    for (i, c) in variant.char_indices() {
        if c.is_uppercase() && i > 0 || words.is_empty() {
            words.push(String::new());
        }
        if let Some(w) = words.last_mut() {
            w.push(c.to_ascii_lowercase());
        }
    }
    Some(match rule {
        "snake_case" => words.join("_"),
        "kebab-case" => words.join("-"),
        "lowercase" => words.concat(),
        "SCREAMING_SNAKE_CASE" => words.join("_").to_uppercase(),
        "UPPERCASE" => words.concat().to_uppercase(),
        "PascalCase" => variant.to_string(),
        _ => return None,
    })
}

pub fn label_value(input: LabelValueInput) -> darling::Result<LabelEnum> {
    let mut errors = Error::accumulator();
    let a = &input.attrs;
    if !a.generics.params.is_empty() {
        errors.push(Error::custom("label enums cannot be generic").with_span(&a.generics.params));
    }
    let rule = a
        .rename_all
        .as_ref()
        .map(|r| (r.as_str().to_string(), r.span()));
    if let Some((r, span)) = &rule {
        if convert_case(r, "A").is_none() {
            errors.push(
                Error::custom(format!(
                    "unknown `rename_all = \"{r}\"`; use \"snake_case\", \"kebab-case\", \"lowercase\", \"UPPERCASE\", \"SCREAMING_SNAKE_CASE\" or \"PascalCase\""
                ))
                .with_span(span),
            );
        }
    }
    let variants = match &a.data {
        darling::ast::Data::Enum(v) => v,
        darling::ast::Data::Struct(_) => unreachable!("checked in input"),
    };
    if variants.is_empty() {
        errors
            .push(Error::custom("a label enum needs at least one variant").with_span(&input.span));
    }
    let mut out: Vec<(Ident, String)> = Vec::new();
    for v in variants {
        if !v.fields.is_unit() {
            errors.push(
                Error::custom("label values are fieldless variants; remove the fields")
                    .with_span(&v.ident),
            );
            continue;
        }
        if let Some(d) = &v.discriminant {
            errors.push(
                Error::custom(
                    "label enums take no explicit discriminants; slots follow declaration order",
                )
                .with_span(d),
            );
        }
        let value = match &v.rename {
            Some(r) => (**r).clone(),
            None => {
                let rule = rule.as_ref().map_or("snake_case", |r| r.0.as_str());
                let name = v.ident.to_string();
                // An unknown rule is reported above; fall back so it causes no second error.
                convert_case(rule, &name)
                    .or_else(|| convert_case("snake_case", &name))
                    .unwrap_or_default()
            }
        };
        if out.iter().any(|(_, s)| *s == value) {
            errors.push(
                Error::custom(format!("two variants are exposed as `{value}`; rename one"))
                    .with_span(&v.ident),
            );
        }
        out.push((v.ident.clone(), value));
    }
    errors.finish_with(LabelEnum {
        ident: a.ident.clone(),
        doc: String::new(),
        variants: out,
    })
}
