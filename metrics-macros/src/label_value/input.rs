//! Parsing `#[derive(LabelValue)]` input: the darling structs of `#[label(...)]`.

use darling::util::SpannedValue;
use darling::{FromDeriveInput, FromVariant};
use proc_macro2::Span;
use syn::{Expr, Ident};

use crate::crate_path::CratePath;

/// `#[label(...)]` on a `LabelValue` enum.
#[derive(FromDeriveInput)]
#[darling(attributes(label))]
pub struct LabelValueAttrs {
    pub ident: Ident,
    pub generics: syn::Generics,
    pub data: darling::ast::Data<VariantAttrs, darling::util::Ignored>,
    #[darling(default)]
    pub rename_all: Option<SpannedValue<String>>,
    #[darling(rename = "crate", default)]
    pub krate: CratePath,
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
