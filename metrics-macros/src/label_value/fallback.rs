//! On invalid input: the errors plus a stub `LabelValue` impl, so code using the enum as a label
//! type reports nothing more.

use proc_macro2::TokenStream;
use quote::quote;

use crate::crate_path::CratePath;

pub fn label_value(input: &syn::DeriveInput, errors: darling::Error) -> TokenStream {
    let errors = errors.write_errors();
    let is_enum = matches!(input.data, syn::Data::Enum(_));
    let Some(krate) = CratePath::for_stub(input, "label", is_enum) else {
        return errors;
    };
    let ident = &input.ident;
    quote! {
        #errors

        #[automatically_derived]
        impl #krate::LabelValue for #ident {
            const VALUES: &'static [&'static str] = &[];
            fn index(self) -> usize { 0 }
        }
    }
}
