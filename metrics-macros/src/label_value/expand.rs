//! Expansion of a label enum: the `LabelValue` impl. Cannot fail.

use proc_macro2::TokenStream;
use quote::quote;

use super::model::{LabelEnum, Model};
use crate::crate_path::CratePath;

pub fn derive(m: &Model) -> TokenStream {
    label_value_impl(&m.krate, &m.label)
}

/// `impl LabelValue`: values in slot order, and the slot of each variant.
pub fn label_value_impl(krate: &CratePath, e: &LabelEnum) -> TokenStream {
    let ident = &e.ident;
    let values = e.variants.iter().map(|(_, s)| s);
    let arms = e
        .variants
        .iter()
        .enumerate()
        .map(|(i, (v, _))| quote!(Self::#v => #i));
    quote! {
        #[automatically_derived]
        impl #krate::LabelValue for #ident {
            const VALUES: &'static [&'static str] = &[#(#values),*];

            #[inline]
            fn index(self) -> usize {
                match self { #(#arms,)* }
            }
        }
    }
}
