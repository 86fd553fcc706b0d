//! The validated model: what `expand` turns into tokens. Everything here is known to be valid.

use proc_macro2::Ident;
use promdecl_spec::Kind;

use crate::buckets::Buckets;
use crate::crate_path::CratePath;
use crate::label_value::model::LabelEnum;

/// A validated `#[derive(Metrics)]` struct.
pub struct Model {
    pub krate: CratePath,
    pub ident: Ident,
    pub vis: syn::Visibility,
    pub families: Vec<Family>,
    /// Non-metric fields, initialised with `Default`.
    pub plain: Vec<Ident>,
    /// The module the inline label enums are generated in: `<struct in snake_case>_labels`.
    pub labels_module: Ident,
    /// Enums generated from inline label values, one per label name.
    pub enums: Vec<LabelEnum>,
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
    /// `None` where none are declared: a native histogram then has no classic buckets, any
    /// other histogram (then one in seconds) gets the default ones.
    pub buckets: Option<Buckets>,
    /// `native(...)`, checked.
    pub native: Option<Native>,
    /// A summary's quantiles and window, checked; `Some` on every summary.
    pub summary: Option<Summary>,
    pub max_series: Option<usize>,
    /// `idle_timeout`, in seconds.
    pub idle_timeout: Option<u64>,
    /// Whether `remove_<field>` and `remove_<field>_matching` are generated: the family has a
    /// free-form label, is not an info family, and their names are not taken.
    pub removable: bool,
}

/// Native buckets: each value given, `None` for the runtime's default.
pub struct Native {
    pub factor: Option<f64>,
    pub zero_threshold: Option<f64>,
    pub max_buckets: Option<u32>,
}

/// A summary's spec: each value given, `None` for the runtime's default.
pub struct Summary {
    pub quantiles: Option<Vec<f64>>,
    /// `max_age`, in seconds.
    pub max_age: Option<u64>,
    pub age_buckets: Option<u32>,
}

pub struct Label {
    pub name: String,
    /// Parameter name of the accessor.
    pub param: Ident,
    /// The `LabelValue` type of an enumerated label; `None` for a free-form one.
    pub ty: Option<syn::Type>,
}
