//! The validated model of a label enum.

use proc_macro2::Ident;

use crate::crate_path::CratePath;

/// A validated `#[derive(LabelValue)]` enum.
pub struct Model {
    pub krate: CratePath,
    pub label: LabelEnum,
}

/// A fieldless enum implementing `LabelValue`: derived, or generated for an inline label.
pub struct LabelEnum {
    pub ident: Ident,
    /// Doc line of a generated enum (unused for derives).
    pub doc: String,
    /// Variant and exposed value, in slot order.
    pub variants: Vec<(Ident, String)>,
}
