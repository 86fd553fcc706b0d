//! `#[derive(LabelValue)]`: a fieldless enum as a closed set of label values.
//!
//! The model and the `LabelValue` impl are shared with `#[derive(Metrics)]`, which generates
//! the same impl for the enums of labels declared with inline values.

pub mod expand;
mod fallback;
mod input;
pub mod model;
mod validate;

use proc_macro2::TokenStream;

pub fn derive(input: &syn::DeriveInput) -> TokenStream {
    match input::LabelValueInput::parse(input).and_then(validate::label_value) {
        Ok(model) => expand::derive(&model),
        Err(errors) => fallback::label_value(input, errors),
    }
}
