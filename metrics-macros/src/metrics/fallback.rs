//! On invalid input: the accumulated errors plus a stub implementation, so the user sees the real
//! mistakes and not a cascade of "trait not implemented" errors from code that uses the struct.

use proc_macro2::TokenStream;
use quote::quote;

use super::model::Model;
use crate::crate_path::CratePath;

/// `model` holds the families that validated: their enums and accessors are still generated.
pub fn metrics(
    input: &syn::DeriveInput,
    errors: darling::Error,
    model: Option<&Model>,
) -> TokenStream {
    let errors = errors.write_errors();
    let valid = model.map(super::expand::items).unwrap_or_default();
    let is_struct = matches!(input.data, syn::Data::Struct(_));
    let Some(krate) = CratePath::for_stub(input, "metrics", is_struct) else {
        return errors;
    };
    let ident = &input.ident;
    quote! {
        #errors
        #valid

        #[automatically_derived]
        impl #krate::Metrics for #ident {
            const FAMILIES: &'static [#krate::FamilyDesc] = &[];
            fn visit(&self, _: &mut dyn ::core::ops::FnMut(&dyn #krate::AnyFamily)) {}
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
