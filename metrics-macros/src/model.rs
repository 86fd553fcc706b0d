//! The validated model: what `expand` turns into tokens. Everything here is known to be valid.

use proc_macro2::Ident;

/// A validated `#[derive(Metrics)]` struct.
pub struct Model {
    pub ident: Ident,
    pub vis: syn::Visibility,
    pub families: Vec<Family>,
    /// Non-metric fields, initialised with `Default`.
    pub plain: Vec<Ident>,
    /// Enums generated from inline label values, one per label name.
    pub enums: Vec<LabelEnum>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
    Info,
}

impl Kind {
    pub fn variant(self) -> &'static str {
        match self {
            Kind::Counter => "Counter",
            Kind::Gauge => "Gauge",
            Kind::Histogram => "Histogram",
            Kind::Info => "Info",
        }
    }
}

pub struct Family {
    pub field: Ident,
    pub ty: syn::Type,
    pub kind: Kind,
    pub name: String,
    pub help: String,
    pub unit: Option<String>,
    pub note: Option<String>,
    pub labels: Vec<Label>,
    pub buckets: Option<Buckets>,
    pub max_series: Option<usize>,
}

pub enum Buckets {
    Values(Vec<f64>),
    Path(syn::Path),
}

pub struct Label {
    pub name: String,
    /// Parameter name of the accessor.
    pub param: Ident,
    /// The `LabelValue` type of an enumerated label; `None` for a free-form one.
    pub ty: Option<syn::Type>,
}

/// A fieldless enum implementing `LabelValue`: generated inline, or derived.
pub struct LabelEnum {
    pub ident: Ident,
    /// Doc line of the generated enum (unused for derives).
    pub doc: String,
    /// Variant and exposed value.
    pub variants: Vec<(Ident, String)>,
}
