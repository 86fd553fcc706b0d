//! Derive macros of the metrics framework: `#[derive(Metrics)]` and `#[derive(LabelValue)]`.
//!
//! Each derive runs parse (`input`, darling) -> validate (`validate`, every rule, errors
//! accumulated with spans) -> expand (`expand`, infallible). On any error, `fallback` emits the
//! errors together with a stub implementation so no follow-on errors bury the real ones.
//! Generated code names only `::promdecl`.

mod expand;
mod fallback;
mod input;
mod model;
mod validate;

use proc_macro::TokenStream;

/// Derives registration, typed accessors and static descriptors for a struct of metric families.
///
/// See the `promdecl` crate docs for the declaration syntax.
#[proc_macro_derive(Metrics, attributes(metrics, metric))]
pub fn derive_metrics(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    match input::MetricsInput::parse(&input).map(validate::metrics) {
        Ok((model, None)) => expand::metrics(&model),
        Ok((model, Some(errors))) => fallback::metrics(&input, errors, Some(&model)),
        Err(errors) => fallback::metrics(&input, errors, None),
    }
    .into()
}

/// Derives `promdecl::LabelValue` for a fieldless enum (values are snake_case by default;
/// `#[label(rename_all = "...")]` on the enum and `#[label(rename = "...")]` on a variant change them).
#[proc_macro_derive(LabelValue, attributes(label))]
pub fn derive_label_value(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    match input::LabelValueInput::parse(&input).and_then(validate::label_value) {
        Ok(model) => expand::label_value(&model),
        Err(errors) => fallback::label_value(&input, errors),
    }
    .into()
}
