//! Parsing: darling structs for the attributes, and the few parsers darling cannot express.

use darling::ast::NestedMeta;
use darling::util::SpannedValue;
use darling::{FromDeriveInput, FromMeta, FromVariant};
use proc_macro2::{Punct, Spacing, Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{bracketed, Expr, Ident, LitStr, Token};

/// `#[metrics(...)]` on the struct.
#[derive(FromDeriveInput)]
#[darling(attributes(metrics), forward_attrs(doc))]
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
}

/// The keys after the kind in `#[metric(kind, ...)]`.
#[derive(FromMeta, Default)]
pub struct FieldAttrs {
    pub name: Option<SpannedValue<String>>,
    pub help: Option<SpannedValue<String>>,
    pub unit: Option<SpannedValue<String>>,
    pub note: Option<String>,
    /// Never filled by darling (see `parse_metric_attr`); declared so its key list names `labels`.
    #[darling(rename = "labels")]
    pub _labels: Option<darling::util::Ignored>,
    #[darling(skip)]
    pub labels: Option<LabelList>,
    pub buckets: Option<BucketSpec>,
    pub max_series: Option<SpannedValue<usize>>,
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

pub fn doc_string(attrs: &[syn::Attribute]) -> Option<String> {
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
        let attrs = StructAttrs::from_derive_input(input)?;
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

/// Splits `#[metric(kind, key = value, ...)]` into the kind word and darling-parsed keys.
fn parse_metric_attr(attr: &syn::Attribute) -> darling::Result<(Ident, FieldAttrs)> {
    let list = match &attr.meta {
        syn::Meta::List(l) => l,
        other => {
            return Err(darling::Error::custom(
                "expected `#[metric(kind, ...)]` with a kind: `counter`, `gauge`, `histogram` or `info`",
            )
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
                rest.extend(other.iter().cloned());
                rest.extend([TokenTree::Punct(Punct::new(',', Spacing::Alone))]);
            }
        }
    }
    let Some(kind) = kind else {
        errors.push(
            darling::Error::custom(
                "missing metric kind; start with `counter`, `gauge`, `histogram` or `info`, e.g. `#[metric(counter)]`",
            )
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

/// `buckets = ...`.
pub enum BucketSpec {
    /// `[0.1, 0.5, 1.0]`: each value with its span.
    Literal(Vec<(f64, Span)>, Span),
    /// `exponential(start, factor, count)` or `linear(start, width, count)`.
    Generated {
        func: Ident,
        args: Vec<(f64, Span)>,
        span: Span,
    },
    /// `SOME_CONST`: a `&'static [f64]` checked at compile time by a const assertion.
    Path(syn::Path),
}

fn number(expr: &Expr) -> darling::Result<(f64, Span)> {
    let span = syn::spanned::Spanned::span(expr);
    let bad = || darling::Error::custom("expected a number literal").with_span(expr);
    match expr {
        Expr::Lit(l) => match &l.lit {
            syn::Lit::Float(f) => f
                .base10_parse::<f64>()
                .map(|v| (v, span))
                .map_err(|_| bad()),
            syn::Lit::Int(i) => i
                .base10_parse::<f64>()
                .map(|v| (v, span))
                .map_err(|_| bad()),
            _ => Err(bad()),
        },
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => {
            number(&u.expr).map(|(v, _)| (-v, span))
        }
        Expr::Group(g) => number(&g.expr),
        _ => Err(bad()),
    }
}

impl FromMeta for BucketSpec {
    fn from_expr(expr: &Expr) -> darling::Result<Self> {
        let span = syn::spanned::Spanned::span(expr);
        match expr {
            Expr::Array(a) => {
                let mut errors = darling::Error::accumulator();
                let values = a
                    .elems
                    .iter()
                    .filter_map(|e| errors.handle(number(e)))
                    .collect();
                errors.finish_with(BucketSpec::Literal(values, span))
            }
            Expr::Call(c) => {
                let func = match &*c.func {
                    Expr::Path(p) => p.path.get_ident().cloned(),
                    _ => None,
                }
                .ok_or_else(|| {
                    darling::Error::custom("expected `exponential(start, factor, count)` or `linear(start, width, count)`")
                        .with_span(&c.func)
                })?;
                let mut errors = darling::Error::accumulator();
                let args = c
                    .args
                    .iter()
                    .filter_map(|e| errors.handle(number(e)))
                    .collect();
                errors.finish_with(BucketSpec::Generated { func, args, span })
            }
            Expr::Path(p) => Ok(BucketSpec::Path(p.path.clone())),
            _ => Err(darling::Error::custom(
                "expected a list `[0.1, 1.0]`, `exponential(start, factor, count)`, \
                 `linear(start, width, count)` or the path of a `&[f64]` const",
            )
            .with_span(expr)),
        }
    }
}

/// `#[label(...)]` on a `LabelValue` enum.
#[derive(FromDeriveInput)]
#[darling(attributes(label))]
pub struct LabelValueAttrs {
    pub ident: Ident,
    pub generics: syn::Generics,
    pub data: darling::ast::Data<VariantAttrs, darling::util::Ignored>,
    #[darling(default)]
    pub rename_all: Option<SpannedValue<String>>,
}

/// `#[label(rename = "...")]` on a variant.
#[derive(FromVariant)]
#[darling(attributes(label))]
pub struct VariantAttrs {
    pub ident: Ident,
    pub fields: darling::ast::Fields<darling::util::Ignored>,
    pub discriminant: Option<Expr>,
    #[darling(default)]
    pub rename: Option<SpannedValue<String>>,
}

/// The whole `#[derive(LabelValue)]` input.
pub struct LabelValueInput {
    pub attrs: LabelValueAttrs,
    pub span: Span,
}

impl LabelValueInput {
    pub fn parse(input: &syn::DeriveInput) -> darling::Result<Self> {
        if !matches!(input.data, syn::Data::Enum(_)) {
            return Err(darling::Error::custom(
                "`#[derive(LabelValue)]` needs a fieldless enum, one variant per label value",
            )
            .with_span(&input.ident));
        }
        Ok(Self {
            attrs: LabelValueAttrs::from_derive_input(input)?,
            span: input.ident.span(),
        })
    }
}
