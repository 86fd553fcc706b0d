//! On invalid input: the accumulated errors plus a stub implementation, so the user sees the real
//! mistakes and not a cascade of "trait not implemented" errors from code that uses the struct.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::Model;

/// `model` holds the families that validated: their enums and accessors are still generated.
pub fn metrics(
    input: &syn::DeriveInput,
    errors: darling::Error,
    model: Option<&Model>,
) -> TokenStream {
    let errors = errors.write_errors();
    let valid = model.map(crate::expand::items).unwrap_or_default();
    if !input.generics.params.is_empty() || !matches!(input.data, syn::Data::Struct(_)) {
        return errors;
    }
    let ident = &input.ident;
    quote! {
        #errors
        #valid

        #[automatically_derived]
        impl ::promdecl::Metrics for #ident {
            const FAMILIES: &'static [::promdecl::FamilyDesc] = &[];
            fn visit(&self, _: &mut dyn ::core::ops::FnMut(&dyn ::promdecl::AnyFamily)) {}
        }

        #[automatically_derived]
        impl #ident {
            #[allow(dead_code)]
            fn new() -> Self {
                ::core::unreachable!()
            }
        }
    }
}

pub fn label_value(input: &syn::DeriveInput, errors: darling::Error) -> TokenStream {
    let errors = errors.write_errors();
    if !input.generics.params.is_empty() || !matches!(input.data, syn::Data::Enum(_)) {
        return errors;
    }
    let ident = &input.ident;
    quote! {
        #errors

        #[automatically_derived]
        impl ::promdecl::LabelValue for #ident {
            const VALUES: &'static [&'static str] = &[];
            fn index(self) -> usize { 0 }
        }
    }
}
