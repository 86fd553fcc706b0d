//! Derive macros of promdecl: `#[derive(Metrics)]` and `#[derive(LabelValue)]`.
//!
//! Each derive lives in its own folder and runs parse (`input.rs`, darling) -> validate
//! (`validate.rs`, one `check_*` per rule, errors accumulated with spans) -> expand (`expand.rs`,
//! infallible). On any error, `fallback.rs` emits the errors together with a stub implementation
//! so no follow-on errors bury the real ones. The Prometheus rules themselves (kinds, name
//! grammar, reserved labels, suffixes, units) come from `promdecl-spec`; nothing here restates
//! them. Generated code names only the runtime crate: `::promdecl`, or the path given with
//! `crate = "..."`.

mod buckets;
mod crate_path;
mod label_value;
mod metrics;
mod naming;

use proc_macro::TokenStream;

/// Derives registration, typed accessors and static descriptors for a struct of metric families.
///
/// Each field annotated with `#[metric(kind, ...)]` is one family; its doc comment is the HELP
/// text. Fields without `#[metric]` are initialised with `Default`. The derive generates
/// `new()` (every family created, enumerated label combinations at zero), `Default`, the
/// `Metrics` impl a `Registry` registers, one accessor method per family taking its labels in
/// declared order, and an enum for every label declared with inline values.
///
/// A family with a free-form label (not `info`) also gets two removal methods, which take the
/// free-form values only, in declared order: `remove_<field>(&str, ...) -> bool` removes the
/// series of one value tuple (in every combination of the enumerated labels), freeing its slot of
/// the budget, and says whether it existed; `remove_<field>_matching(Option<&str>, ...) -> usize`
/// removes every tuple matching the given values (`None` matches any) and says how many. A series
/// updated after its removal starts from zero. A removal method named like another field's
/// accessor is an error.
///
/// The enums of inline labels go in a module of their own, named after the struct in snake_case
/// plus `_labels` and given the struct's visibility: `labels = [operation = [put, get]]` on
/// `pub struct Dht` generates `pub mod dht_labels { pub enum Operation { Put, Get } }`, used as
/// `dht_labels::Operation::Put`. So a label named `result` makes `dht_labels::Result` and leaves
/// the user's `Result` alone, and two structs in one module may each declare `result = [ok, err]`.
/// Within one struct, families that declare the same label with the same values share its enum
/// (declaring it with other values is an error); another struct can name it as a label type,
/// `labels = [operation: dht_labels::Operation]`, or `pub use dht_labels::Operation;` can put it
/// next to the struct. Each enum derives `Debug`, `Clone`, `Copy`, `PartialEq`, `Eq`, `Hash`,
/// implements `Display` and `LabelValue`, and has `ALL` (every value in slot order) and
/// `as_str()` (the exposed value).
///
/// ```ignore
/// use promdecl::{Counter, Histogram, LabelValue, Metrics};
///
/// #[derive(Clone, Copy, LabelValue)]
/// pub enum Status { Success, Failure }
///
/// #[derive(Metrics)]
/// #[metrics(prefix = "chorus_dht")]
/// pub struct Dht {
///     /// Total number of DHT put operations
///     #[metric(counter, labels = [status: Status])]
///     put_operations_total: Counter,
///     /// DHT operation latency distribution
///     #[metric(histogram, labels = [operation = [put, get], peer], buckets = exponential(0.001, 2.0, 12), max_series = 1000)]
///     operation_latency_seconds: Histogram,
/// }
///
/// // dht.put_operations_total(Status::Success).inc();
/// // dht.operation_latency_seconds(dht_labels::Operation::Put, "peer-1").observe(0.02);
/// // dht.remove_operation_latency_seconds("peer-1"); // both operations of peer-1
/// ```
///
/// # On the struct: `#[metrics(...)]`
///
/// - `prefix = "app"`, or `namespace = "app"` with an optional `subsystem = "store"`: joined
///   with `_` in front of every family name.
/// - `crate = "path"`: the path under which the runtime crate `promdecl` is reachable, for code
///   that depends on it through another crate. Every path the derive generates starts with it
///   instead of `::promdecl`. It is a string holding a path, resolved where the struct is
///   declared:
///
///   ```ignore
///   // in a crate that depends only on `corp_metrics`, which has `pub use promdecl;`
///   #[derive(corp_metrics::promdecl::Metrics)]
///   #[metrics(crate = "corp_metrics::promdecl")]
///   pub struct Service { /* ... */ }
///   ```
///
/// # On a field: `#[metric(kind, ...)]`
///
/// - the kind first: `counter`, `gauge`, `histogram` or `info`; the field type must match it
///   (`Counter`, `FloatCounter` or `ShardedCounter`; `Gauge` or `IntGauge`; `Histogram`; `Info`).
/// - `name = "..."`: the name after the prefix, instead of the field name. Counters end in
///   `_total`, info families in `_info`. A gauge must not end in `_total` (which marks a
///   counter) nor in `_count`, `_sum` or `_bucket` (which mark histogram samples): PromQL,
///   `promtool check metrics` and dashboards would misread it.
/// - `allow_reserved_suffix`: keeps a gauge name that ends in one of those suffixes anyway. It
///   is the last resort for a name an existing system forces (its queries and dashboards already
///   use it); anywhere else it is an error, as the flag would keep nothing.
/// - `help = "..."`: instead of the doc comment.
/// - `unit = "seconds"`: the unit, which the name must end in; inferred from the name otherwise.
/// - `labels = [...]`: in order, each `name` (a free-form string, `&str` at the call site),
///   `name = [a, b]` (values listed inline: an enum `Name { A, B }` is generated in the
///   `<struct>_labels` module) or `name: Type` / `name = Type` (a `LabelValue` type such as a
///   `#[derive(LabelValue)]` enum or `bool`; a string type is an error, as `name` alone is meant).
/// - `buckets = [0.1, 1.0]`, `exponential(start, factor, count)`, `linear(start, width, count)`
///   or the path of a `&[f64]` const such as `promdecl::buckets::LATENCY` or `SIZE` (histograms
///   only; `+Inf` is added). A histogram in seconds (`unit = "seconds"` or a name ending in
///   `_seconds`) without `buckets` gets `promdecl::buckets::DEFAULT`; any other histogram must
///   give them, unless it is `native`.
/// - `native`, or `native(factor = 1.1, zero_threshold = 1e-9, max_buckets = 160)` with any of
///   the three (histograms only): also count observations in Prometheus native histogram
///   buckets, sparse and exponential (`promdecl::value::NativeSpec`).
///   - `factor` (default 1.1): how much wider a bucket may be than the one below, more than 1
///     and at most 65536. The schema is the coarsest whose growth factor `2^(2^-schema)` is at
///     most `factor`, as client_golang picks it: 1.1 gives schema 3 (buckets 9 % apart), 2
///     gives schema 0 (powers of two).
///   - `zero_threshold` (default `2^-128`): observations with `|v| <=` it are counted in the
///     zero bucket; finite, at least 0.
///   - `max_buckets` (default 160): populated buckets kept, a whole number from 1 to 16384;
///     past it, the resolution halves (the schema drops by one, merging bucket pairs) until they
///     fit, down to schema -4.
///
///   With `buckets`, the histogram keeps both kinds. Without, it is native-only, in any unit:
///   no classic buckets, so the text formats expose only `_count`, `_sum` and the `le="+Inf"`
///   bucket, and Prometheus reads the native buckets from the protobuf format. Observations
///   follow the classic rules: NaN and ±Inf are dropped and counted in
///   `metrics_observations_dropped_total` (Prometheus would count a NaN and make the sum NaN),
///   and negative values too unless a classic bound is negative. A series takes a fixed table
///   of 12-byte cells, a power of two of at least twice `max_buckets` (6 KiB for the defaults).
/// - `max_series = n`: the series budget of a family with a free-form label.
/// - `idle_timeout = "10m"`: a whole number followed by `s`, `m` or `h`; a free-form series not
///   updated for that long is removed at a scrape, freeing its slot of the budget. Only on a
///   family with a free-form label, and not on `info` (whose one label set never expires).
/// - `note = "..."`: a remark carried in the descriptor, for generated docs.
///
/// Every mistake is a compile error spanned on the offending token that says what to write; an
/// unknown key in `#[metrics(...)]` or `#[metric(...)]` names the closest known one and lists
/// them all.
#[proc_macro_derive(Metrics, attributes(metrics, metric))]
pub fn derive_metrics(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    metrics::derive(&input).into()
}

/// Derives `LabelValue` for a fieldless enum: one variant per label value, the enum's values
/// fill dense slots in declaration order.
///
/// Values are the variant names in snake_case by default.
///
/// - `#[label(rename_all = "...")]` on the enum: `"snake_case"`, `"kebab-case"`,
///   `"lowercase"`, `"UPPERCASE"`, `"SCREAMING_SNAKE_CASE"` or `"PascalCase"`.
/// - `#[label(rename = "...")]` on a variant: that value exactly.
/// - `#[label(crate = "path")]` on the enum: the path under which the runtime crate `promdecl`
///   is reachable, used instead of `::promdecl` in the generated impl (see `Metrics`).
///
/// ```ignore
/// use promdecl::LabelValue;
///
/// #[derive(Clone, Copy, LabelValue)]
/// #[label(rename_all = "kebab-case")]
/// enum Tier {
///     HotCache,              // "hot-cache"
///     #[label(rename = "cold")]
///     ColdStorage,           // "cold"
/// }
/// ```
#[proc_macro_derive(LabelValue, attributes(label))]
pub fn derive_label_value(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    label_value::derive(&input).into()
}
