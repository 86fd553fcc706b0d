//! Parsing `#[derive(Metrics)]` input: darling structs for `#[metrics(...)]` and
//! `#[metric(...)]`, and the parser of `labels = [...]`, which darling cannot express.

use darling::ast::NestedMeta;
use darling::util::SpannedValue;
use darling::{FromDeriveInput, FromMeta};
use proc_macro2::{Punct, Spacing, Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{bracketed, Expr, Ident, LitStr, Token};

use crate::buckets::BucketSpec;
use crate::crate_path::CratePath;
use crate::naming;

/// The keys of `#[metrics(...)]`: the fields of [`StructAttrs`] after `data`.
const STRUCT_KEYS: &[&str] = &["prefix", "namespace", "subsystem", "crate"];

/// `#[metrics(...)]` on the struct. Unknown keys are reported by [`check_struct_keys`], which
/// names the closest known one.
#[derive(FromDeriveInput)]
#[darling(attributes(metrics), forward_attrs(doc), allow_unknown_fields)]
pub struct StructAttrs {
    pub ident: Ident,
    pub vis: syn::Visibility,
    pub generics: syn::Generics,
    pub data: darling::ast::Data<darling::util::Ignored, syn::Field>,
    #[darling(default)]
    pub prefix: Option<SpannedValue<String>>,
    #[darling(default)]
    pub namespace: Option<SpannedValue<String>>,
    #[darling(default)]
    pub subsystem: Option<SpannedValue<String>>,
    #[darling(rename = "crate", default)]
    pub krate: CratePath,
}

/// The keys after the kind in `#[metric(kind, ...)]`: the fields of [`FieldAttrs`], in order.
const FIELD_KEYS: &[&str] = &[
    "name",
    "help",
    "unit",
    "note",
    "labels",
    "buckets",
    "native",
    "quantiles",
    "max_age",
    "age_buckets",
    "max_series",
    "idle_timeout",
    "allow_reserved_suffix",
];

/// The keys after the kind in `#[metric(kind, ...)]`. `parse_metric_attr` parses `labels` itself
/// and reports unknown keys before darling sees them.
#[derive(FromMeta, Default)]
pub struct FieldAttrs {
    pub name: Option<SpannedValue<String>>,
    pub help: Option<SpannedValue<String>>,
    pub unit: Option<SpannedValue<String>>,
    pub note: Option<String>,
    #[darling(skip)]
    pub labels: Option<LabelList>,
    pub buckets: Option<BucketSpec>,
    /// `native` or `native(factor = 1.1, ...)`: checked by `validate`.
    pub native: Option<NativeAttr>,
    /// A summary's `quantiles = [0.5, 0.9, 0.99]`, parsed like a bucket list.
    pub quantiles: Option<BucketSpec>,
    /// A summary's `max_age = "10m"`: checked like `idle_timeout`.
    pub max_age: Option<SpannedValue<String>>,
    /// A summary's `age_buckets = 5`.
    pub age_buckets: Option<SpannedValue<u32>>,
    pub max_series: Option<SpannedValue<usize>>,
    /// `idle_timeout = "10m"`: checked and turned into seconds by `validate`.
    pub idle_timeout: Option<SpannedValue<String>>,
    /// Keeps a gauge name that ends in a counter or histogram suffix.
    pub allow_reserved_suffix: darling::util::Flag,
}

/// The keys of `native(...)`.
pub const NATIVE_KEYS: &[&str] = &["factor", "zero_threshold", "max_buckets"];

/// `native` (every default) or `native(factor = 1.1, zero_threshold = 1e-9, max_buckets = 160)`,
/// as written; `validate` checks the values.
pub struct NativeAttr {
    /// The whole item, for errors about it.
    pub span: Span,
    pub factor: Option<Number>,
    pub zero_threshold: Option<Number>,
    pub max_buckets: Option<Number>,
}

/// A number literal as written (possibly negated), and where.
#[derive(Clone, Copy)]
pub struct Number {
    pub value: f64,
    pub span: Span,
}

/// `1.1`, `100`, `1e-9` or a negated one (so that `validate` can say why it is out of range).
fn number(expr: &Expr) -> darling::Result<Number> {
    let bad =
        || darling::Error::custom("expected a number literal, like `1.1` or `160`").with_span(expr);
    let value = match expr {
        Expr::Lit(l) => match &l.lit {
            syn::Lit::Float(f) => f.base10_parse::<f64>().map_err(|_| bad())?,
            syn::Lit::Int(i) => i.base10_parse::<f64>().map_err(|_| bad())?,
            _ => return Err(bad()),
        },
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => -number(&u.expr)?.value,
        Expr::Group(g) => return number(&g.expr),
        _ => return Err(bad()),
    };
    Ok(Number {
        value,
        span: expr.span(),
    })
}

impl FromMeta for NativeAttr {
    fn from_meta(item: &syn::Meta) -> darling::Result<Self> {
        let mut native = NativeAttr {
            span: item.span(),
            factor: None,
            zero_threshold: None,
            max_buckets: None,
        };
        let list = match item {
            syn::Meta::Path(_) => return Ok(native),
            syn::Meta::List(list) => list,
            syn::Meta::NameValue(nv) => {
                return Err(darling::Error::custom(format!(
                    "write `native` for the defaults, or `native(...)` with {}, not `native = ...`",
                    naming::one_of(NATIVE_KEYS.iter().copied())
                ))
                .with_span(&nv.value))
            }
        };
        let mut errors = darling::Error::accumulator();
        let items = NestedMeta::parse_meta_list(list.tokens.clone())?;
        for item in &items {
            let NestedMeta::Meta(syn::Meta::NameValue(nv)) = item else {
                errors.push(
                    darling::Error::custom(format!(
                        "expected `key = number`; `native(...)` takes {}",
                        naming::one_of(NATIVE_KEYS.iter().copied())
                    ))
                    .with_span(item),
                );
                continue;
            };
            if errors
                .handle(check_key(&nv.path, "native(...)", NATIVE_KEYS))
                .is_none()
            {
                continue;
            }
            let Some(value) = errors.handle(number(&nv.value)) else {
                continue;
            };
            let key = nv.path.to_token_stream().to_string();
            let slot = match key.as_str() {
                "factor" => &mut native.factor,
                "zero_threshold" => &mut native.zero_threshold,
                _ => &mut native.max_buckets,
            };
            if slot.is_some() {
                errors.push(
                    darling::Error::custom(format!("duplicate `{key}`; give it once"))
                        .with_span(&nv.path),
                );
                continue;
            }
            *slot = Some(value);
        }
        errors.finish_with(native)
    }
}

/// One annotated field.
pub struct MetricField {
    pub field: syn::Field,
    /// The kind word, e.g. `counter`.
    pub kind: Ident,
    pub attrs: FieldAttrs,
    /// Joined `///` lines.
    pub doc: Option<String>,
}

/// The whole `#[derive(Metrics)]` input.
pub struct MetricsInput {
    pub attrs: StructAttrs,
    pub metrics: Vec<MetricField>,
    /// Fields without `#[metric]`: initialised with `Default`.
    pub plain: Vec<syn::Field>,
}

/// The `///` lines, trimmed and joined with spaces.
fn doc_string(attrs: &[syn::Attribute]) -> Option<String> {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value().trim().to_string()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    let joined = lines.join(" ").trim().to_string();
    (!joined.is_empty()).then_some(joined)
}

impl MetricsInput {
    pub fn parse(input: &syn::DeriveInput) -> darling::Result<Self> {
        // Unknown keys are reported with the other errors, not instead of them.
        let unknown_keys = check_struct_keys(&input.attrs);
        let attrs = match (StructAttrs::from_derive_input(input), unknown_keys.clone()) {
            (Ok(attrs), _) => attrs,
            (Err(e), Ok(())) => return Err(e),
            (Err(e), Err(keys)) => return Err(darling::Error::multiple(vec![keys, e])),
        };
        let fields =
            match &attrs.data {
                darling::ast::Data::Struct(f) if f.style == darling::ast::Style::Struct => {
                    f.fields.clone()
                }
                _ => return Err(darling::Error::custom(
                    "`#[derive(Metrics)]` needs a struct with named fields, one per metric family",
                )
                .with_span(&input.ident)),
            };
        let mut errors = darling::Error::accumulator();
        errors.handle(unknown_keys);
        let (mut metrics, mut plain) = (Vec::new(), Vec::new());
        for field in fields {
            let Some(attr) = field.attrs.iter().find(|a| a.path().is_ident("metric")) else {
                plain.push(field);
                continue;
            };
            if let Some(parsed) = errors.handle(parse_metric_attr(attr)) {
                let (kind, attrs) = parsed;
                metrics.push(MetricField {
                    doc: doc_string(&field.attrs),
                    field: field.clone(),
                    kind,
                    attrs,
                });
            }
        }
        errors.finish_with(Self {
            attrs,
            metrics,
            plain,
        })
    }
}

/// `key` is one of `keys`, or an error that names the closest key and lists them all.
fn check_key(key: &syn::Path, attr: &str, keys: &[&str]) -> darling::Result<()> {
    let key_name = match key.get_ident() {
        Some(k) => k.unraw().to_string(),
        None => key.to_token_stream().to_string().replace(' ', ""),
    };
    if keys.contains(&key_name.as_str()) {
        return Ok(());
    }
    let hint = naming::closest(&key_name, keys)
        .map(|k| format!(" did you mean `{k}`?"))
        .unwrap_or_default();
    Err(darling::Error::custom(format!(
        "unknown key `{key_name}`;{hint} `{attr}` takes {}",
        naming::one_of(keys.iter().copied())
    ))
    .with_span(key))
}

/// Every key of every `#[metrics(...)]` is known. An attribute that does not parse as a list of
/// keys is left to darling, which reports it.
fn check_struct_keys(attrs: &[syn::Attribute]) -> darling::Result<()> {
    let mut errors = darling::Error::accumulator();
    for a in attrs.iter().filter(|a| a.path().is_ident("metrics")) {
        let Ok(items) = a
            .parse_args_with(syn::punctuated::Punctuated::<syn::Meta, Token![,]>::parse_terminated)
        else {
            continue;
        };
        for item in &items {
            errors.handle(check_key(item.path(), "#[metrics(...)]", STRUCT_KEYS));
        }
    }
    errors.finish()
}

/// Splits `#[metric(kind, key = value, ...)]` into the kind word and darling-parsed keys.
fn parse_metric_attr(attr: &syn::Attribute) -> darling::Result<(Ident, FieldAttrs)> {
    let list = match &attr.meta {
        syn::Meta::List(l) => l,
        other => {
            return Err(darling::Error::custom(format!(
                "expected `#[metric(kind, ...)]` with a kind: {}",
                naming::kinds()
            ))
            .with_span(other))
        }
    };
    // `labels = [...]` may hold `name: Type`, which is no expression, so it is split off and
    // parsed here; darling parses the remaining keys.
    let mut segments: Vec<Vec<TokenTree>> = vec![Vec::new()];
    for tt in list.tokens.clone() {
        match &tt {
            TokenTree::Punct(p) if p.as_char() == ',' => segments.push(Vec::new()),
            _ => segments.last_mut().map_or((), |s| s.push(tt)),
        }
    }
    let mut errors = darling::Error::accumulator();
    let mut labels = None;
    let mut rest = TokenStream::new();
    let mut kind = None;
    for (i, seg) in segments.into_iter().filter(|s| !s.is_empty()).enumerate() {
        match seg.as_slice() {
            [TokenTree::Ident(k)] if i == 0 => kind = Some(k.clone()),
            [TokenTree::Ident(k), TokenTree::Punct(eq), value @ ..]
                if k == "labels" && eq.as_char() == '=' =>
            {
                let tokens: TokenStream = value.iter().cloned().collect();
                labels =
                    errors.handle(syn::parse2::<LabelList>(tokens).map_err(darling::Error::from));
            }
            other => {
                if let [TokenTree::Ident(k), ..] = other {
                    // An unknown key is reported here and kept from darling.
                    let known = check_key(&k.clone().into(), "#[metric(kind, ...)]", FIELD_KEYS);
                    if errors.handle(known).is_none() {
                        continue;
                    }
                }
                rest.extend(other.iter().cloned());
                rest.extend([TokenTree::Punct(Punct::new(',', Spacing::Alone))]);
            }
        }
    }
    let Some(kind) = kind else {
        errors.push(
            darling::Error::custom(format!(
                "missing metric kind; start with {}, e.g. `#[metric(counter)]`",
                naming::kinds()
            ))
            .with_span(&list.tokens),
        );
        return Err(errors.finish().unwrap_err());
    };
    let items = errors.handle(NestedMeta::parse_meta_list(rest).map_err(darling::Error::from));
    let attrs = items.and_then(|items| errors.handle(FieldAttrs::from_list(&items)));
    let mut attrs = errors.finish_with(attrs)?.unwrap_or_default();
    attrs.labels = labels;
    Ok((kind, attrs))
}

/// How one label gets its values.
pub enum LabelSpec {
    /// `topic`: any string.
    Free,
    /// `direction = [sent, received]`: an enum generated from these values.
    Inline(Vec<(String, Span)>, Span),
    /// `status: Status` (or `status = Status`): an existing `LabelValue` type.
    Typed(Box<syn::Type>),
}

/// One entry of `labels = [...]`.
pub struct Label {
    pub ident: Ident,
    pub spec: LabelSpec,
}

/// `labels = [topic, direction = [sent, received], status: Status]`.
pub struct LabelList(pub Vec<Label>);

impl Parse for Label {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let ident = Ident::parse_any(input)?;
        let spec = if input.peek(Token![:]) && !input.peek(Token![::]) {
            input.parse::<Token![:]>()?;
            LabelSpec::Typed(input.parse()?)
        } else if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            if input.peek(syn::token::Bracket) {
                let content;
                let brackets = bracketed!(content in input);
                let mut values = Vec::new();
                while !content.is_empty() {
                    if content.peek(LitStr) {
                        let s: LitStr = content.parse()?;
                        values.push((s.value(), s.span()));
                    } else {
                        let i = Ident::parse_any(&content)?;
                        values.push((i.unraw().to_string(), i.span()));
                    }
                    if !content.is_empty() {
                        content.parse::<Token![,]>()?;
                    }
                }
                LabelSpec::Inline(values, brackets.span.join())
            } else {
                LabelSpec::Typed(input.parse()?)
            }
        } else {
            LabelSpec::Free
        };
        Ok(Label { ident, spec })
    }
}

impl Parse for LabelList {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let content;
        bracketed!(content in input);
        let items = content.parse_terminated(Label::parse, Token![,])?;
        Ok(LabelList(items.into_iter().collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key the messages list is one darling parses.
    #[test]
    fn every_listed_field_key_parses() {
        let attr: syn::Attribute = syn::parse_quote! {
            #[metric(histogram, name = "n", help = "h", unit = "seconds", note = "n",
                     labels = [a], buckets = [1.0], native(factor = 2, max_buckets = 9),
                     quantiles = [0.5], max_age = "1m", age_buckets = 2,
                     max_series = 1, idle_timeout = "1m", allow_reserved_suffix)]
        };
        let (_, attrs) = parse_metric_attr(&attr).unwrap_or_else(|e| panic!("{e}"));
        let listed = attr.meta.require_list().unwrap().tokens.clone().into_iter();
        let keys: Vec<String> = listed
            .filter_map(|t| match t {
                TokenTree::Ident(i) => Some(i.to_string()),
                _ => None,
            })
            .filter(|k| FIELD_KEYS.contains(&k.as_str()))
            .collect();
        assert_eq!(keys, FIELD_KEYS);
        assert!(attrs.labels.is_some() && attrs.allow_reserved_suffix.is_present());
        let native = attrs.native.expect("`native(...)` parses");
        let value = |n: Option<Number>| n.map(|n| n.value);
        assert_eq!(value(native.factor), Some(2.0));
        assert_eq!(value(native.max_buckets), Some(9.0));
        assert_eq!(value(native.zero_threshold), None);
    }

    fn native(attr: syn::Attribute) -> Result<NativeAttr, Vec<String>> {
        match parse_metric_attr(&attr) {
            Ok((_, attrs)) => Ok(attrs.native.expect("`native` given")),
            Err(e) => Err(e.into_iter().map(|e| e.to_string()).collect()),
        }
    }

    #[test]
    fn native_takes_a_word_or_numbers() {
        let bare = native(syn::parse_quote!(#[metric(histogram, native)]))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(
            bare.factor.is_none() && bare.zero_threshold.is_none() && bare.max_buckets.is_none()
        );
        let full = native(syn::parse_quote! {
            #[metric(histogram, native(factor = 1.5, zero_threshold = -1e-9, max_buckets = 100))]
        })
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(full.zero_threshold.map(|n| n.value), Some(-1e-9));
        let errors = native(syn::parse_quote! {
            #[metric(histogram, native(factr = 1.5, factor = "1.1", max_buckets = 1, max_buckets = 2, 3))]
        })
        .err()
        .expect("mistakes");
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(errors[0].starts_with("unknown key `factr`; did you mean `factor`?"));
        assert!(errors[1].starts_with("expected a number literal"));
        assert!(errors[2].starts_with("duplicate `max_buckets`"));
        assert!(errors[3].starts_with("expected `key = number`"));
        let errors = native(syn::parse_quote!(#[metric(histogram, native = true)])).err();
        assert!(errors.expect("an error")[0].starts_with("write `native` for the defaults"));
    }

    #[test]
    fn unknown_struct_keys_are_reported_with_the_closest_one() {
        let attr: syn::Attribute = syn::parse_quote! {
            #[metrics(prefx = "a", a::b = 1, crate = "x")]
        };
        let err = check_struct_keys(&[attr]).unwrap_err();
        let messages: Vec<String> = err.into_iter().map(|e| e.to_string()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages[0].starts_with("unknown key `prefx`; did you mean `prefix`?"));
        assert!(messages[1].starts_with("unknown key `a::b`; `#[metrics(...)]` takes"));
    }
}
