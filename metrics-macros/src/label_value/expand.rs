//! Expansion of a label enum: the `LabelValue` impl. Cannot fail.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};

use super::model::{LabelEnum, Model};
use crate::crate_path::CratePath;

pub fn derive(m: &Model) -> TokenStream {
    label_value_impl(&m.krate, &m.label, &m.label.ident)
}

/// `impl LabelValue for #self_ty`: values in slot order, and the slot of each variant of `e`.
/// `self_ty` names the enum where the impl goes, e.g. `dht_labels::Operation` for a generated one.
pub fn label_value_impl(krate: &CratePath, e: &LabelEnum, self_ty: &impl ToTokens) -> TokenStream {
    let values = e.variants.iter().map(|(_, s)| s);
    let arms = e
        .variants
        .iter()
        .enumerate()
        .map(|(i, (v, _))| quote!(Self::#v => #i));
    quote! {
        #[automatically_derived]
        impl #krate::LabelValue for #self_ty {
            const VALUES: &'static [&'static str] = &[#(#values),*];

            #[inline]
            fn index(self) -> usize {
                match self { #(#arms,)* }
            }
        }
    }
}
