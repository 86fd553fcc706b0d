//! `#[derive(Metrics)]`: a struct whose annotated fields are metric families.

mod expand;
mod fallback;
mod input;
mod model;
mod validate;

use proc_macro2::TokenStream;

pub fn derive(input: &syn::DeriveInput) -> TokenStream {
    match input::MetricsInput::parse(input).map(validate::metrics) {
        Ok((model, None)) => expand::metrics(&model),
        Ok((model, Some(errors))) => fallback::metrics(input, errors, Some(&model)),
        Err(errors) => fallback::metrics(input, errors, None),
    }
}
