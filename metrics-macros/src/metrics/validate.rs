//! Validation: one `check_*` per rule. Errors are accumulated, each spanned on its token and
//! naming the fix. The rules themselves come from `promdecl_spec`.

use std::collections::HashMap;

use darling::error::Accumulator;
use darling::util::Flag;
use darling::util::SpannedValue;
use darling::Error;
use proc_macro2::Span;
use promdecl_spec::{is_label_name, is_metric_name, name_has_unit, reserved_suffix, unit_of, Kind};
use syn::ext::IdentExt;
use syn::Ident;

use super::input::{FieldAttrs, LabelSpec, MetricField, MetricsInput, NativeAttr, Number};
use super::model::{Family, Label, Model, Native, Summary};
use crate::buckets::{BucketSpec, Buckets};
use crate::crate_path::CratePath;
use crate::label_value::model::LabelEnum;
use crate::naming::{self, one_of, pascal_case};

/// The model of every family that validated, and the errors of the rest (if any): the fallback
/// still generates accessors for valid families, so one mistake does not cascade.
pub fn metrics(input: MetricsInput) -> (Model, Option<Error>) {
    let mut errors = Error::accumulator();
    check_generics(&mut errors, &input.attrs.generics);
    let scope = Scope {
        prefix: check_prefix(&mut errors, &input),
        krate: &input.attrs.krate,
        labels_module: naming::labels_module(&input.attrs.ident),
    };
    let mut families = Vec::new();
    let mut enums = Vec::new();
    for m in &input.metrics {
        if let Some(f) = check_family(&mut errors, m, &scope, &mut enums) {
            families.push(f);
        }
    }
    check_unique_names(&mut errors, &families);
    check_method_names(&mut errors, &mut families);
    let plain = input.plain.iter().filter_map(|f| f.ident.clone()).collect();
    let model = Model {
        krate: input.attrs.krate.clone(),
        ident: input.attrs.ident.clone(),
        vis: input.attrs.vis.clone(),
        families,
        plain,
        labels_module: scope.labels_module,
        enums,
    };
    (model, errors.finish().err())
}

/// What every family of the struct shares.
struct Scope<'a> {
    /// Joined with `_` in front of every family name; empty for none.
    prefix: String,
    krate: &'a CratePath,
    /// Where inline label enums are generated.
    labels_module: Ident,
}

/// A family's name: as exposed, and where it came from.
struct Name {
    /// With the prefix.
    full: String,
    /// Without the prefix: the field name or `name = "..."`.
    local: String,
    span: Span,
    /// Whether it is the field name (no `name = "..."`).
    from_field: bool,
}

fn check_generics(errors: &mut Accumulator, g: &syn::Generics) {
    if !g.params.is_empty() {
        errors.push(
            Error::custom("metrics structs cannot be generic; remove the type parameters")
                .with_span(&g.params),
        );
    }
}

fn check_prefix(errors: &mut Accumulator, input: &MetricsInput) -> String {
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

fn check_family(
    errors: &mut Accumulator,
    m: &MetricField,
    scope: &Scope,
    enums: &mut Vec<LabelEnum>,
) -> Option<Family> {
    let field = m.field.ident.clone()?;
    let kind = check_kind(errors, &m.kind)?;
    check_field_type(errors, kind, &m.field.ty);
    let a = &m.attrs;
    let name = family_name(&field, a.name.as_ref(), &scope.prefix);
    check_name(errors, &name);
    check_suffix(errors, kind, &name);
    check_reserved_suffix(errors, kind, &name, &a.allow_reserved_suffix);
    let help = check_help(errors, a.help.as_ref(), m.doc.as_deref(), &field);
    let unit = check_unit(errors, kind, &name.full, a.unit.as_ref());
    let labels = check_labels(errors, kind, m, &scope.labels_module, enums);
    let buckets = check_buckets(errors, kind, a.buckets.as_ref(), &m.kind);
    let native = check_native(errors, kind, a.native.as_ref(), &m.kind);
    let summary = check_summary(errors, kind, a, &m.kind);
    // A native histogram needs no classic buckets.
    if a.buckets.is_none() && a.native.is_none() {
        check_default_buckets(errors, kind, &name, unit.as_deref(), scope.krate);
    }
    let max_series = check_max_series(errors, a.max_series.as_ref(), &labels);
    let idle_timeout = check_idle_timeout(errors, kind, a.idle_timeout.as_ref(), &labels);
    let removable = kind != Kind::Info && labels.iter().any(|l| l.ty.is_none());
    Some(Family {
        field,
        ty: m.field.ty.clone(),
        kind,
        name: name.full,
        help,
        unit,
        note: a.note.clone(),
        labels,
        buckets,
        native,
        summary,
        max_series,
        idle_timeout,
        removable,
    })
}

fn family_name(field: &Ident, name: Option<&SpannedValue<String>>, prefix: &str) -> Name {
    let (local, span, from_field) = match name {
        Some(n) => ((**n).clone(), n.span(), false),
        None => (field.unraw().to_string(), field.span(), true),
    };
    let full = if prefix.is_empty() {
        local.clone()
    } else {
        format!("{prefix}_{local}")
    };
    Name {
        full,
        local,
        span,
        from_field,
    }
}

fn check_kind(errors: &mut Accumulator, kind: &Ident) -> Option<Kind> {
    let found = Kind::from_name(&kind.to_string());
    if found.is_none() {
        errors.push(
            Error::custom(format!(
                "unknown metric kind `{kind}`; expected {}",
                naming::kinds()
            ))
            .with_span(kind),
        );
    }
    found
}

/// The runtime types a family of this kind can be stored in.
fn family_types(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Counter => &["Counter", "FloatCounter", "ShardedCounter"],
        Kind::Gauge => &["Gauge", "IntGauge"],
        Kind::Histogram => &["Histogram"],
        Kind::Info => &["Info"],
        Kind::Summary => &["Summary"],
    }
}

/// A field type named like a family type of another kind. Other types (aliases, full paths) are
/// checked by the compiler, at the type, through the code `expand` generates.
fn check_field_type(errors: &mut Accumulator, kind: Kind, ty: &syn::Type) {
    let syn::Type::Path(p) = ty else { return };
    let Some(last) = p.path.segments.last().map(|s| s.ident.to_string()) else {
        return;
    };
    let expected = family_types(kind);
    let known = Kind::ALL
        .iter()
        .any(|k| family_types(*k).contains(&last.as_str()));
    if known && !expected.contains(&last.as_str()) {
        errors.push(
            Error::custom(format!(
                "a {kind} family needs a field of type {}, not `{last}`",
                one_of(expected.iter().copied()),
                kind = kind.as_str(),
            ))
            .with_span(ty),
        );
    }
}

fn check_name(errors: &mut Accumulator, name: &Name) {
    if !is_metric_name(&name.full) {
        errors.push(
            Error::custom(format!(
                "invalid metric name `{}`; use letters, digits, `_` and `:`, not starting with a digit",
                name.full
            ))
            .with_span(&name.span),
        );
    }
}

fn check_suffix(errors: &mut Accumulator, kind: Kind, name: &Name) {
    let Some(suffix) = kind.required_suffix() else {
        return;
    };
    if name.full.ends_with(suffix) {
        return;
    }
    let fixed = format!("{}{suffix}", name.local);
    let fix = if name.from_field {
        format!("rename the field to `{fixed}` or set `name = \"{fixed}\"`")
    } else {
        format!("set `name = \"{fixed}\"`")
    };
    errors.push(
        Error::custom(format!(
            "{} family `{}` must end in `{suffix}`, as it is exposed; {fix}",
            kind.as_str(),
            name.full
        ))
        .with_span(&name.span),
    );
}

/// A gauge named like a counter or a histogram sample, unless `allow_reserved_suffix` keeps a
/// name an existing system forces; and that flag only where it keeps something.
fn check_reserved_suffix(errors: &mut Accumulator, kind: Kind, name: &Name, allow: &Flag) {
    match (reserved_suffix(kind, &name.full), allow.is_present()) {
        (Some(_), true) | (None, false) => {}
        (Some((suffix, owner)), false) => {
            let (marks, or_counter) = match owner {
                Kind::Counter => ("a counter", ", make it a counter if it only goes up"),
                _ => ("a histogram sample", ""),
            };
            errors.push(
                Error::custom(format!(
                    "{kind} `{name}` ends in `{suffix}`, which marks {marks}, so PromQL, \
                     `promtool check metrics` and dashboards misread it; rename it so it does not \
                     end in `{suffix}`{or_counter}, or, as a last resort for a name an existing \
                     system forces, keep it with `#[metric({kind}, allow_reserved_suffix)]`",
                    kind = kind.as_str(),
                    name = name.full,
                ))
                .with_span(&name.span),
            );
        }
        (None, true) => errors.push(
            Error::custom(format!(
                "`allow_reserved_suffix` keeps a gauge name that ends in a counter or histogram \
                 suffix; {} `{}` needs no exception, so remove it",
                kind.as_str(),
                name.full
            ))
            .with_span(&allow.span()),
        ),
    }
}

fn check_help(
    errors: &mut Accumulator,
    help: Option<&SpannedValue<String>>,
    doc: Option<&str>,
    field: &Ident,
) -> String {
    match (help, doc) {
        (Some(h), _) if h.trim().is_empty() => {
            errors.push(
                Error::custom("empty help text; describe what the metric measures")
                    .with_span(&h.span()),
            );
            String::new()
        }
        (Some(h), _) => (**h).clone(),
        (None, Some(d)) => d.to_string(),
        (None, None) => {
            errors.push(
                Error::custom("missing help text; add a `///` doc comment or `help = \"...\"`")
                    .with_span(field),
            );
            String::new()
        }
    }
}

/// The declared unit, checked against the name, or the one the name ends in.
fn check_unit(
    errors: &mut Accumulator,
    kind: Kind,
    name: &str,
    unit: Option<&SpannedValue<String>>,
) -> Option<String> {
    let Some(u) = unit else {
        return unit_of(kind, name).map(str::to_string);
    };
    if !name_has_unit(kind, name, u) {
        let why = match unit_of(kind, name) {
            Some(found) => format!("the name says `{found}`"),
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

fn check_labels(
    errors: &mut Accumulator,
    kind: Kind,
    m: &MetricField,
    module: &Ident,
    enums: &mut Vec<LabelEnum>,
) -> Vec<Label> {
    let Some(list) = &m.attrs.labels else {
        return Vec::new();
    };
    let mut seen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for l in &list.0 {
        let name = l.ident.unraw().to_string();
        check_label_name(errors, kind, &name, &l.ident);
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
            // A string type is reported and the label taken as the free-form one it means.
            LabelSpec::Typed(t) => check_label_type(errors, &name, t).then(|| (**t).clone()),
            LabelSpec::Inline(values, span) => {
                match check_inline_enum(errors, &name, values, *span, module, enums) {
                    Some(t) => Some(t),
                    None => continue,
                }
            }
        };
        let param = naming::param(&name, l.ident.span());
        out.push(Label { name, param, ty });
    }
    out
}

/// The label name grammar, and the names Prometheus keeps for itself.
fn check_label_name(errors: &mut Accumulator, kind: Kind, name: &str, ident: &Ident) {
    if !is_label_name(name) {
        errors.push(
            Error::custom(format!(
                "invalid label name `{name}`; use ASCII letters, digits and `_`"
            ))
            .with_span(ident),
        );
    } else if let Some(why) = kind.label_reserved(name) {
        errors.push(
            Error::custom(format!("label `{name}` is reserved: {why}; rename it")).with_span(ident),
        );
    }
}

/// `label: Type` names a `LabelValue` type: a string type means a free-form label, written
/// without a type.
fn check_label_type(errors: &mut Accumulator, label: &str, ty: &syn::Type) -> bool {
    let Some((written, at)) = string_type(ty) else {
        return true;
    };
    errors.push(
        Error::custom(format!(
            "`{written}` labels are free-form: write `{label}` alone; its values are `&str` at the call site"
        ))
        .with_span(&at),
    );
    false
}

/// How a string type is written, when `ty` is one (`String`, `str`, `&str`, `&'a str`), and
/// where: the name of the string type, which a reference's first token (`&`) would not show.
fn string_type(ty: &syn::Type) -> Option<(String, Span)> {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => {
            let last = p.path.segments.last()?;
            let name = last.ident.to_string();
            let string = matches!(name.as_str(), "String" | "str") && last.arguments.is_none();
            string.then(|| (name, last.ident.span()))
        }
        syn::Type::Reference(r) if r.mutability.is_none() => {
            let lifetime = r.lifetime.as_ref().map(|l| format!("{l} "));
            let (inner, at) = string_type(&r.elem)?;
            Some((format!("&{}{inner}", lifetime.unwrap_or_default()), at))
        }
        syn::Type::Group(g) => string_type(&g.elem),
        syn::Type::Paren(p) => string_type(&p.elem),
        _ => None,
    }
}

/// `label = [a, b]`: the enum it generates in `module` (shared by every family of the struct
/// declaring the same label with the same values).
fn check_inline_enum(
    errors: &mut Accumulator,
    label: &str,
    values: &[(String, Span)],
    span: Span,
    module: &Ident,
    enums: &mut Vec<LabelEnum>,
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
    match enums.iter().find(|e| e.ident == ident) {
        Some(existing) => {
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
        }
        None => enums.push(LabelEnum {
            ident: ident.clone(),
            doc: format!("Values of the `{label}` label."),
            variants,
        }),
    }
    Some(syn::parse_quote!(#module::#ident))
}

fn check_buckets(
    errors: &mut Accumulator,
    kind: Kind,
    spec: Option<&BucketSpec>,
    kind_token: &Ident,
) -> Option<Buckets> {
    let spec = spec?;
    if kind != Kind::Histogram {
        errors.push(
            Error::custom(format!(
                "`buckets` is only valid on histograms; remove it or change `{kind_token}` to `{}`",
                Kind::Histogram.as_str()
            ))
            .with_span(&spec.span()),
        );
        return None;
    }
    errors.handle(spec.resolve())
}

/// The largest growth factor of `native(factor = ...)`: `2^16`, that of the coarsest schema
/// (`NativeSpec::MAX_FACTOR` in the runtime, which also asserts the whole spec at compile time).
const MAX_NATIVE_FACTOR: f64 = 65536.0;
/// The largest `native(max_buckets = ...)` (`NativeSpec::MAX_BUCKETS_LIMIT` in the runtime).
const MAX_NATIVE_BUCKETS: f64 = 16384.0;

/// `native(...)` on a histogram, with a growth factor above 1 and at most `2^16`, a finite zero
/// threshold of at least 0 and a whole `max_buckets` from 1 to 16384.
fn check_native(
    errors: &mut Accumulator,
    kind: Kind,
    native: Option<&NativeAttr>,
    kind_token: &Ident,
) -> Option<Native> {
    let native = native?;
    if kind != Kind::Histogram {
        errors.push(
            Error::custom(format!(
                "`native` is only valid on histograms; remove it or change `{kind_token}` to `{}`",
                Kind::Histogram.as_str()
            ))
            .with_span(&native.span),
        );
        return None;
    }
    let mut valid = true;
    let mut check = |n: Option<Number>, ok: fn(f64) -> bool, msg: &str| -> Option<f64> {
        let n = n?;
        if !ok(n.value) {
            errors.push(Error::custom(msg).with_span(&n.span));
            valid = false;
        }
        Some(n.value)
    };
    let factor = check(
        native.factor,
        |f| f > 1.0 && f <= MAX_NATIVE_FACTOR,
        "`factor` is the growth from one bucket to the next: it must be more than 1 and at most \
         65536 (2^16), like `factor = 1.1` (buckets about 10 % apart)",
    );
    let zero_threshold = check(
        native.zero_threshold,
        |z| z >= 0.0 && z.is_finite(),
        "`zero_threshold` must be a finite number of at least 0, like `zero_threshold = 1e-9`; \
         observations this close to zero are counted in the zero bucket",
    );
    let max_buckets = check(
        native.max_buckets,
        |m| (1.0..=MAX_NATIVE_BUCKETS).contains(&m) && m.fract() == 0.0,
        "`max_buckets` must be a whole number from 1 to 16384, like `max_buckets = 160`",
    );
    valid.then(|| Native {
        factor,
        // `-0.0` is zero, written without its sign.
        zero_threshold: zero_threshold.map(|z| if z == 0.0 { 0.0 } else { z }),
        max_buckets: max_buckets.map(|m| m as u32),
    })
}

/// The largest `age_buckets` (`SummarySpec::MAX_AGE_BUCKETS` in the runtime).
const MAX_AGE_BUCKETS: u32 = 60;

/// A summary's `quantiles` (each from 0 to 1, strictly increasing), `max_age` and
/// `age_buckets`; on any other kind, an error naming the key.
fn check_summary(
    errors: &mut Accumulator,
    kind: Kind,
    a: &FieldAttrs,
    kind_token: &Ident,
) -> Option<Summary> {
    if kind != Kind::Summary {
        let given = [
            ("quantiles", a.quantiles.as_ref().map(BucketSpec::span)),
            ("max_age", a.max_age.as_ref().map(|m| m.span())),
            ("age_buckets", a.age_buckets.as_ref().map(|b| b.span())),
        ];
        for (key, span) in given {
            if let Some(span) = span {
                errors.push(
                    Error::custom(format!(
                        "`{key}` is only valid on summaries; remove it or change `{kind_token}` \
                         to `{}`",
                        Kind::Summary.as_str()
                    ))
                    .with_span(&span),
                );
            }
        }
        return None;
    }
    let quantiles = a.quantiles.as_ref().and_then(|spec| {
        let fail = |msg: &str, span: Span| Error::custom(msg).with_span(&span);
        let BucketSpec::Literal(values, span) = spec else {
            errors.push(fail(
                "list the quantiles, like `quantiles = [0.5, 0.9, 0.99]`",
                spec.span(),
            ));
            return None;
        };
        if values.is_empty() {
            errors.push(fail(
                "`quantiles` is empty; list at least one, like `quantiles = [0.5, 0.9, 0.99]`",
                *span,
            ));
            return None;
        }
        let mut previous: Option<f64> = None;
        for &(q, at) in values {
            if !(0.0..=1.0).contains(&q) {
                errors.push(fail(
                    "a quantile is from 0 to 1, like `0.99` for the 99th percentile",
                    at,
                ));
                return None;
            }
            if previous.is_some_and(|p| q <= p) {
                errors.push(fail(
                    "quantiles must be strictly increasing, like `[0.5, 0.9, 0.99]`",
                    at,
                ));
                return None;
            }
            previous = Some(q);
        }
        // `-0.0` is zero, written without its sign.
        Some(values.iter().map(|&(q, _)| q + 0.0).collect())
    });
    let max_age = a.max_age.as_ref().and_then(|m| {
        errors.handle(
            duration_secs("max_age", m.as_str())
                .map_err(|msg| Error::custom(msg).with_span(&m.span())),
        )
    });
    let age_buckets = a.age_buckets.as_ref().and_then(|b| {
        if (1..=MAX_AGE_BUCKETS).contains(&**b) {
            return Some(**b);
        }
        errors.push(
            Error::custom(format!(
                "`age_buckets` must be from 1 to {MAX_AGE_BUCKETS}, like `age_buckets = 5`"
            ))
            .with_span(&b.span()),
        );
        None
    });
    Some(Summary {
        quantiles,
        max_age,
        age_buckets,
    })
}

/// A histogram declared without `buckets` gets the default ones only when it is in seconds, which
/// they are made for.
fn check_default_buckets(
    errors: &mut Accumulator,
    kind: Kind,
    name: &Name,
    unit: Option<&str>,
    krate: &CratePath,
) {
    if kind != Kind::Histogram || unit == Some(promdecl_spec::SECONDS) {
        return;
    }
    let buckets = format!("{}::buckets", krate.display());
    errors.push(
        Error::custom(format!(
            "histogram `{}` has no `buckets` and is not in seconds, so no default applies; add \
             `buckets = {buckets}::SIZE` (bytes), `{buckets}::LATENCY` (seconds), \
             `exponential(start, factor, count)`, `linear(start, width, count)` or a list like \
             `[1.0, 5.0, 10.0]`; or make it native (`native`), which needs no buckets",
            name.full
        ))
        .with_span(&name.span),
    );
}

fn check_max_series(
    errors: &mut Accumulator,
    max: Option<&SpannedValue<usize>>,
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

/// How to write a duration (`idle_timeout`, `max_age`), ending every message about one.
const DURATION_FORMAT: &str = "a whole number followed by `s`, `m` or `h`";

/// `idle_timeout = "10m"`: a positive whole number of seconds, minutes or hours, on a family
/// whose free-form series can expire. Returns it in seconds.
fn check_idle_timeout(
    errors: &mut Accumulator,
    kind: Kind,
    timeout: Option<&SpannedValue<String>>,
    labels: &[Label],
) -> Option<u64> {
    let timeout = timeout?;
    let fail = |errors: &mut Accumulator, msg: String| {
        errors.push(Error::custom(msg).with_span(&timeout.span()));
        None
    };
    if kind == Kind::Info {
        return fail(
            errors,
            "`idle_timeout` does not apply to info families: an info family holds one label set, \
             replaced by each call, and never expires, so remove it"
                .to_string(),
        );
    }
    if !labels.iter().any(|l| l.ty.is_none()) {
        return fail(
            errors,
            "`idle_timeout` only applies to families with a free-form label; enumerated series \
             are zero-initialised and never expire, so remove it"
                .to_string(),
        );
    }
    errors.handle(
        duration_secs("idle_timeout", timeout.as_str())
            .map_err(|msg| Error::custom(msg).with_span(&timeout.span())),
    )
}

/// `"10m"` as `key = "10m"`: a positive whole number of seconds, minutes or hours, in seconds;
/// or the message saying what to write.
fn duration_secs(key: &str, value: &str) -> Result<u64, String> {
    let digits = value.len() - value.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let (number, unit) = value.split_at(digits);
    if number.is_empty() || !unit.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(format!(
            "invalid `{key} = \"{value}\"`; write {DURATION_FORMAT}, like `{key} = \"10m\"`"
        ));
    }
    let per_unit: u64 = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "" => {
            return Err(format!(
                "`{key} = \"{value}\"` has no unit; write {DURATION_FORMAT}, like \
                 `{key} = \"{value}s\"`"
            ))
        }
        _ => {
            return Err(format!(
                "unknown unit `{unit}` in `{key} = \"{value}\"`; write {DURATION_FORMAT}, like \
                 `{key} = \"10m\"`"
            ))
        }
    };
    let Some(secs) = number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(per_unit))
    else {
        return Err(format!(
            "`{key} = \"{value}\"` is too long to count in seconds; write a shorter one, like \
             `{key} = \"24h\"`"
        ));
    };
    if secs == 0 {
        return Err(format!(
            "`{key}` must be at least `1s`; write a positive duration like `{key} = \"10m\"`"
        ));
    }
    Ok(secs)
}

/// The methods generated for one family are named by no other: `remove_<field>` may be another
/// field's accessor, and `remove_<a>_matching` is also `remove_<b>` for a field `<a>_matching`.
/// A family whose removal methods clash loses them, so the fallback emits no duplicates.
fn check_method_names(errors: &mut Accumulator, families: &mut [Family]) {
    let accessors: HashMap<String, Ident> = families
        .iter()
        .map(|f| (f.field.unraw().to_string(), f.field.clone()))
        .collect();
    let mut removers: HashMap<String, Ident> = HashMap::new();
    for f in families.iter_mut().filter(|f| f.removable) {
        let names = naming::remove_methods(&f.field).map(|m| m.to_string());
        let clash = names.iter().find_map(|n| {
            let other = accessors
                .get(n)
                .map(|o| format!("the accessor of field `{o}`"))
                .or_else(|| {
                    removers
                        .get(n)
                        .map(|o| format!("a removal method of field `{o}`"))
                })?;
            Some((n, other))
        });
        if let Some((name, other)) = clash {
            errors.push(
                Error::custom(format!(
                    "`{name}`, a removal method generated for field `{}`, is also {other}; \
                     rename one of the two fields",
                    f.field
                ))
                .with_span(&f.field),
            );
            f.removable = false;
            continue;
        }
        for n in names {
            removers.insert(n, f.field.clone());
        }
    }
}

/// No two families expose the same sample name (a histogram also takes `_bucket`, `_sum` and
/// `_count`).
fn check_unique_names(errors: &mut Accumulator, families: &[Family]) {
    let mut taken: HashMap<String, &Ident> = HashMap::new();
    for f in families {
        for n in f.kind.occupied_names(&f.name) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn label(free: bool) -> Label {
        Label {
            name: "l".to_string(),
            param: Ident::new("l", Span::call_site()),
            ty: (!free).then(|| syn::parse_quote!(bool)),
        }
    }

    /// `check_idle_timeout` on a counter with a free-form label: the seconds, or the message.
    fn idle_timeout(kind: Kind, value: &str, free: bool) -> Result<u64, String> {
        let mut errors = Error::accumulator();
        let value = SpannedValue::new(value.to_string(), Span::call_site());
        let secs = check_idle_timeout(&mut errors, kind, Some(&value), &[label(free)]);
        match (secs, errors.finish()) {
            (Some(secs), Ok(())) => Ok(secs),
            (None, Err(e)) => Err(e.to_string()),
            (secs, errors) => panic!("{secs:?} together with {errors:?}"),
        }
    }

    #[test]
    fn idle_timeouts_in_seconds_minutes_and_hours() {
        let ok = |v| idle_timeout(Kind::Counter, v, true);
        assert_eq!(ok("30s"), Ok(30));
        assert_eq!(ok("10m"), Ok(600));
        assert_eq!(ok("2h"), Ok(7200));
        assert_eq!(ok("0090s"), Ok(90));
    }

    #[test]
    fn bad_idle_timeouts_say_what_to_write() {
        let err = |v| idle_timeout(Kind::Counter, v, true).unwrap_err();
        let how = "write a whole number followed by `s`, `m` or `h`";
        for v in ["", "m", "ten minutes", "-5m", "1.5h", "10 m", "+3s"] {
            assert_eq!(
                err(v),
                format!("invalid `idle_timeout = \"{v}\"`; {how}, like `idle_timeout = \"10m\"`")
            );
        }
        assert_eq!(
            err("600"),
            format!("`idle_timeout = \"600\"` has no unit; {how}, like `idle_timeout = \"600s\"`")
        );
        for (v, unit) in [("10min", "min"), ("1d", "d"), ("500ms", "ms"), ("10M", "M")] {
            assert_eq!(
                err(v),
                format!(
                    "unknown unit `{unit}` in `idle_timeout = \"{v}\"`; {how}, like \
                     `idle_timeout = \"10m\"`"
                )
            );
        }
        for v in ["18446744073709551616s", "5124095576030432h"] {
            assert!(err(v).contains("is too long to count in seconds"), "{v}");
        }
        assert_eq!(
            idle_timeout(Kind::Counter, "18446744073709551615s", true),
            Ok(u64::MAX)
        );
        for v in ["0s", "0m", "000h"] {
            assert!(
                err(v).starts_with("`idle_timeout` must be at least `1s`"),
                "{v}"
            );
        }
    }

    #[test]
    fn idle_timeout_needs_a_free_form_label_and_no_info() {
        let msg = idle_timeout(Kind::Gauge, "10m", false).unwrap_err();
        assert!(msg.starts_with("`idle_timeout` only applies to families with a free-form label"));
        let msg = idle_timeout(Kind::Info, "10m", true).unwrap_err();
        assert!(msg.starts_with("`idle_timeout` does not apply to info families"));
    }
}
