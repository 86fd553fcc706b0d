//! `crate = "path"`: where generated code finds the runtime crate.

use darling::FromMeta;
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::{Lit, LitStr};

/// The path every generated item starts with: `::promdecl`, or the one the user gave.
#[derive(Clone)]
pub struct CratePath(syn::Path);

impl Default for CratePath {
    fn default() -> Self {
        CratePath(syn::parse_quote!(::promdecl))
    }
}

impl CratePath {
    /// `"my_corp::promdecl"` -> that path, spanned on the string so it resolves where the user
    /// wrote it.
    fn from_lit(lit: &LitStr) -> darling::Result<Self> {
        lit.parse_with(syn::Path::parse_mod_style)
            .map(CratePath)
            .map_err(|_| {
                darling::Error::custom(format!(
                    "`crate` takes the path promdecl is reachable under, such as \
                     `crate = \"my_corp::promdecl\"`; `{}` is not a path",
                    lit.value()
                ))
                .with_span(lit)
            })
    }

    /// The path as a user writes it in an expression: `promdecl`, `corp_metrics::promdecl`.
    pub fn display(&self) -> String {
        let segments: Vec<String> = self
            .0
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        segments.join("::")
    }

    /// The path with every token spanned on `span`: for code whose errors belong at `span`.
    pub fn spanned(&self, span: Span) -> TokenStream {
        let mut tokens = self
            .0
            .to_token_stream()
            .into_iter()
            .collect::<Vec<TokenTree>>();
        for t in &mut tokens {
            t.set_span(span);
        }
        tokens.into_iter().collect()
    }

    /// The path a fallback stub impl names, or `None` where no stub can be emitted: the input is
    /// generic, not of the shape the derive takes, or its `crate = "..."` is unreadable.
    pub fn for_stub(input: &syn::DeriveInput, attr: &str, shape_fits: bool) -> Option<Self> {
        if !shape_fits || !input.generics.params.is_empty() {
            return None;
        }
        CratePath::find(&input.attrs, attr)
    }

    /// The `crate = "..."` key of `#[attr(...)]`, read leniently (darling may have rejected the
    /// attribute): `None` where it is given but unreadable, the default where absent.
    fn find(attrs: &[syn::Attribute], attr: &str) -> Option<Self> {
        let mut found = Some(CratePath::default());
        for a in attrs.iter().filter(|a| a.path().is_ident(attr)) {
            let Ok(items) = a.parse_args_with(
                syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
            ) else {
                continue;
            };
            for item in items {
                if let syn::Meta::NameValue(nv) = item {
                    if nv.path.is_ident("crate") {
                        found = match nv.value {
                            syn::Expr::Lit(syn::ExprLit {
                                lit: Lit::Str(s), ..
                            }) => CratePath::from_lit(&s).ok(),
                            _ => None,
                        };
                    }
                }
            }
        }
        found
    }
}

impl FromMeta for CratePath {
    fn from_value(value: &Lit) -> darling::Result<Self> {
        match value {
            Lit::Str(s) => CratePath::from_lit(s),
            other => Err(darling::Error::custom(
                "`crate` takes a string holding a path, such as `crate = \"my_corp::promdecl\"`",
            )
            .with_span(other)),
        }
    }
}

impl ToTokens for CratePath {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        self.0.to_tokens(tokens);
    }
}
