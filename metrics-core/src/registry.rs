//! The registry: groups of families, const labels, a name prefix, and the exposition of them all.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use parking_lot::RwLock;

use crate::desc::{FamilyDesc, Kind, LabelDesc};
use crate::encode::{self, Format, Source};
use crate::value::Reading;
use crate::view::{AnyFamily, SeriesRef};

/// A struct of metric families: what `#[derive(Metrics)]` implements.
pub trait Metrics: Send + Sync + 'static {
    /// Descriptors of every family, in declaration order.
    const FAMILIES: &'static [FamilyDesc];
    /// Calls `f` with each family, in declaration order.
    fn visit(&self, f: &mut dyn FnMut(&dyn AnyFamily));
}

/// Object-safe form of [`Metrics`], so one registry holds many struct types.
trait Group: Send + Sync {
    fn families(&self) -> &'static [FamilyDesc];
    fn visit(&self, f: &mut dyn FnMut(&dyn AnyFamily));
}

impl<M: Metrics> Group for M {
    fn families(&self) -> &'static [FamilyDesc] {
        M::FAMILIES
    }
    fn visit(&self, f: &mut dyn FnMut(&dyn AnyFamily)) {
        Metrics::visit(self, f)
    }
}

struct Registered {
    owner: &'static str,
    /// Prepended to the names of this group's families: the registry's prefix, then the
    /// group's own (`app_http_`).
    prefix: String,
    group: Arc<dyn Group>,
    /// Identity of the registered `Arc`, so registering it again is a no-op.
    addr: usize,
}

/// A registration problem. The message names both sides of a clash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryError {
    /// The same family (name, type, labels, help) registered twice.
    Duplicate {
        /// Exposed name.
        name: String,
        /// The struct that registered it first.
        existing: String,
        /// The struct that tried again.
        new: String,
    },
    /// The same name with a different type, label set or help text.
    Conflict {
        /// Exposed name.
        name: String,
        /// First registration: owner and shape.
        existing: String,
        /// Second registration: owner and shape.
        new: String,
    },
    /// A const label, a prefix or a const label clashing with a family's own label.
    Invalid(String),
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistryError::Duplicate {
                name,
                existing,
                new,
            } => write!(
                f,
                "metric `{name}` is already registered by `{existing}`; `{new}` registers it again"
            ),
            RegistryError::Conflict {
                name,
                existing,
                new,
            } => write!(
                f,
                "metric `{name}` is registered as {existing} and again as {new}: \
                 one name needs one type, label set and help text"
            ),
            RegistryError::Invalid(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for RegistryError {}

fn shape(owner: &str, d: &FamilyDesc) -> String {
    let labels: Vec<&str> = d.labels.iter().map(|l| l.name).collect();
    format!(
        "{} {{{}}} by `{owner}` (help: {:?})",
        d.kind.as_str(),
        labels.join(", "),
        d.help
    )
}

/// Builds a [`Registry`] with const labels and a name prefix.
#[derive(Debug, Default)]
pub struct RegistryBuilder {
    prefix: String,
    const_labels: Vec<(String, String)>,
}

impl RegistryBuilder {
    /// Prepends `prefix_` to every exposed name.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Adds a label to every series (e.g. `node_id`, `cluster`).
    pub fn const_label(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.const_labels.push((name.into(), value.into()));
        self
    }

    /// Checks the prefix and label names.
    pub fn build(self) -> Result<Registry, RegistryError> {
        if !self.prefix.is_empty() && !promdecl_spec::is_label_name(&self.prefix) {
            return Err(RegistryError::Invalid(format!(
                "registry prefix `{}` is not a valid metric name prefix; use [a-zA-Z_][a-zA-Z0-9_]*",
                self.prefix
            )));
        }
        let mut seen = Vec::new();
        for (name, _) in &self.const_labels {
            if !promdecl_spec::is_label_name(name) {
                return Err(RegistryError::Invalid(format!(
                    "const label `{name}` is not a valid label name; use [a-zA-Z_][a-zA-Z0-9_]*"
                )));
            }
            if let Some(why) = promdecl_spec::const_label_reserved(name) {
                return Err(RegistryError::Invalid(format!(
                    "const label `{name}` is reserved: {why}"
                )));
            }
            if seen.contains(&name) {
                return Err(RegistryError::Invalid(format!(
                    "const label `{name}` is given twice"
                )));
            }
            seen.push(name);
        }
        Ok(Registry {
            prefix: if self.prefix.is_empty() {
                String::new()
            } else {
                format!("{}_", self.prefix)
            },
            const_labels: self.const_labels,
            groups: RwLock::new(Vec::new()),
        })
    }
}

/// Holds registered metric structs and encodes them.
///
/// Updates never touch the registry: they go straight to the families. A scrape takes a read
/// lock on the list of groups only, so it never blocks an update.
///
/// ```
/// use promdecl::{Counter, Metrics, Registry, Format};
///
/// #[derive(Metrics)]
/// #[metrics(prefix = "demo")]
/// struct Demo {
///     /// Requests served
///     #[metric(counter)]
///     requests_total: Counter,
/// }
///
/// let registry = Registry::builder().const_label("node_id", "n1").build().unwrap();
/// let demo = registry.register(Demo::new()).unwrap();
/// demo.requests_total().inc();
/// let text = registry.encode(Format::Text);
/// assert!(text.contains("demo_requests_total{node_id=\"n1\"} 1\n"));
/// assert!(registry.register(Demo::new()).is_err());
/// ```
pub struct Registry {
    prefix: String,
    const_labels: Vec<(String, String)>,
    groups: RwLock<Vec<Registered>>,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("prefix", &self.prefix)
            .field("const_labels", &self.const_labels)
            .field("groups", &self.groups.read().len())
            .finish()
    }
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

/// The framework's own family: updates folded into overflow series, by family.
pub static OVERFLOW_FAMILY: FamilyDesc = FamilyDesc {
    name: "metrics_series_overflow_total",
    kind: Kind::Counter,
    help: "Updates folded into a family's overflow series because it reached its series budget",
    unit: None,
    labels: &[LabelDesc {
        name: "family",
        values: None,
    }],
    buckets: None,
    max_series: None,
    note: None,
};

impl Registry {
    /// An empty registry with no prefix and no const labels.
    pub fn new() -> Self {
        Self::builder()
            .build()
            .unwrap_or_else(|_| unreachable!("empty builder is valid"))
    }

    /// Starts a builder for prefix and const labels.
    pub fn builder() -> RegistryBuilder {
        RegistryBuilder::default()
    }

    /// The const labels applied to every series.
    pub fn const_labels(&self) -> &[(String, String)] {
        &self.const_labels
    }

    /// Registers a metrics struct and returns it shared.
    pub fn register<M: Metrics>(&self, metrics: M) -> Result<Arc<M>, RegistryError> {
        self.register_arc(Arc::new(metrics))
    }

    /// Registers a shared metrics struct. Registering the same `Arc` again is a no-op.
    pub fn register_arc<M: Metrics>(&self, metrics: Arc<M>) -> Result<Arc<M>, RegistryError> {
        self.add(metrics, self.prefix.clone())
    }

    /// Registers a metrics struct whose names get `prefix_` in front (after the registry's own
    /// prefix): a library's families under the name the application chooses.
    ///
    /// ```
    /// use promdecl::{Counter, Format, Metrics, Registry};
    ///
    /// #[derive(Metrics)]
    /// #[metrics(prefix = "cache")]
    /// struct Cache {
    ///     /// Cache hits
    ///     #[metric(counter)]
    ///     hits_total: Counter,
    /// }
    ///
    /// let registry = Registry::new();
    /// let cache = registry.register_prefixed("shop", Cache::new()).unwrap();
    /// cache.hits_total().inc();
    /// assert!(registry.encode(Format::Text).contains("shop_cache_hits_total 1\n"));
    /// ```
    pub fn register_prefixed<M: Metrics>(
        &self,
        prefix: &str,
        metrics: M,
    ) -> Result<Arc<M>, RegistryError> {
        if !promdecl_spec::is_label_name(prefix) {
            return Err(RegistryError::Invalid(format!(
                "prefix `{prefix}` is not a valid metric name prefix; use [a-zA-Z_][a-zA-Z0-9_]*"
            )));
        }
        self.add(Arc::new(metrics), format!("{}{prefix}_", self.prefix))
    }

    fn add<M: Metrics>(&self, metrics: Arc<M>, prefix: String) -> Result<Arc<M>, RegistryError> {
        let addr = Arc::as_ptr(&metrics) as *const () as usize;
        let owner = std::any::type_name::<M>();
        let mut groups = self.groups.write();
        if groups.iter().any(|g| g.addr == addr) {
            return Ok(metrics);
        }
        self.check(&groups, owner, &prefix, M::FAMILIES)?;
        groups.push(Registered {
            owner,
            prefix,
            group: metrics.clone(),
            addr,
        });
        Ok(metrics)
    }

    /// Removes a registered struct; returns whether it was registered.
    pub fn unregister<M: Metrics>(&self, metrics: &Arc<M>) -> bool {
        let addr = Arc::as_ptr(metrics) as *const () as usize;
        let mut groups = self.groups.write();
        let before = groups.len();
        groups.retain(|g| g.addr != addr);
        groups.len() != before
    }

    fn check(
        &self,
        groups: &[Registered],
        owner: &'static str,
        prefix: &str,
        new: &[FamilyDesc],
    ) -> Result<(), RegistryError> {
        let mut taken: HashMap<String, (&str, &FamilyDesc)> = HashMap::new();
        for g in groups {
            for d in g.group.families() {
                for n in d.kind.occupied_names(d.name) {
                    taken.insert(format!("{}{n}", g.prefix), (g.owner, d));
                }
            }
        }
        for d in new {
            if let Some((label, _)) = self
                .const_labels
                .iter()
                .find(|(k, _)| d.labels.iter().any(|l| l.name == k))
            {
                return Err(RegistryError::Invalid(format!(
                    "metric `{}` of `{owner}` declares label `{label}`, which the registry adds as a const label",
                    d.name
                )));
            }
            for n in d.kind.occupied_names(d.name) {
                let n = format!("{prefix}{n}");
                if let Some((prev_owner, prev)) = taken.get(&n) {
                    let same = prev.name == d.name
                        && prev.kind == d.kind
                        && prev.labels == d.labels
                        && prev.help == d.help;
                    return Err(if same {
                        RegistryError::Duplicate {
                            name: n,
                            existing: prev_owner.to_string(),
                            new: owner.to_string(),
                        }
                    } else {
                        RegistryError::Conflict {
                            name: n,
                            existing: shape(prev_owner, prev),
                            new: shape(owner, d),
                        }
                    });
                }
                taken.insert(n, (owner, d));
            }
        }
        Ok(())
    }

    /// Calls `f` with every registered family, in registration order.
    pub fn visit(&self, f: &mut dyn FnMut(&dyn AnyFamily)) {
        self.visit_prefixed(&mut |_, family| f(family));
    }

    /// Calls `f` with the prefix each registered family is exposed under (`prefix` + its
    /// descriptor's name is the exposed name) and the family, in registration order.
    pub fn visit_prefixed(&self, f: &mut dyn FnMut(&str, &dyn AnyFamily)) {
        for g in self.groups.read().iter() {
            g.group.visit(&mut |family| f(&g.prefix, family));
        }
    }

    /// Encodes every family in `format`.
    pub fn encode(&self, format: Format) -> String {
        let mut out = String::with_capacity(16 * 1024);
        self.encode_into(&mut out, format);
        out
    }

    /// Encodes every family in `format`, appending to `out`.
    pub fn encode_into(&self, out: &mut String, format: Format) {
        let families = |f: &mut dyn FnMut(&str, &dyn AnyFamily)| {
            let mut overflow = Overflow::default();
            self.visit_prefixed(&mut |prefix, family| {
                f(prefix, family);
                let own = prefix.strip_prefix(self.prefix.as_str()).unwrap_or(prefix);
                overflow.note(own, family);
            });
            if !overflow.rows.is_empty() {
                f(&self.prefix, &overflow);
            }
        };
        let source = Source {
            const_labels: &self.const_labels,
            families: &families,
        };
        encode::write(out, format, &source);
    }
}

/// The [`OVERFLOW_FAMILY`] of one scrape: each family with free-form labels and its folded count.
#[derive(Default)]
struct Overflow {
    /// `([family name], rendered labels, folded updates)`.
    rows: Vec<([String; 1], String, u64)>,
}

impl Overflow {
    /// Adds `family` if it has free-form labels, named as declared plus the prefix its group
    /// was registered under (the registry-wide prefix is left out, as in the declaration).
    fn note(&mut self, group_prefix: &str, family: &dyn AnyFamily) {
        if family.desc().free_form_count() > 0 {
            let name = format!("{group_prefix}{}", family.desc().name);
            let text = encode::text::render_labels(&OVERFLOW_FAMILY, &[&name]);
            self.rows.push(([name], text, family.folded()));
        }
    }
}

impl AnyFamily for Overflow {
    fn desc(&self) -> &'static FamilyDesc {
        &OVERFLOW_FAMILY
    }
    fn for_each_series(&self, f: &mut dyn FnMut(&SeriesRef<'_>)) {
        for (values, text, folded) in &self.rows {
            f(&SeriesRef::listed(
                &OVERFLOW_FAMILY,
                values,
                text,
                Reading::Counter(*folded),
            ));
        }
    }
    fn folded(&self) -> u64 {
        0
    }
    fn series_count(&self) -> usize {
        self.rows.len()
    }
    fn record(&self, _: &[&str], _: f64) -> Result<(), crate::LabelError> {
        Err(crate::LabelError::new(format!(
            "`{}` is computed at scrape time and cannot be recorded into",
            OVERFLOW_FAMILY.name
        )))
    }
}
