//! YAML mappings built field by field, in the order the fields are given, leaving out the
//! fields that are not set: what the Prometheus, Alertmanager and Kubernetes configurations
//! are written with.

use serde_yaml::{Mapping, Value};

/// A mapping under construction; each method adds one field (or none) and hands it back.
#[derive(Debug, Default)]
pub(crate) struct Fields(Mapping);

impl Fields {
    /// No fields yet.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to `value`.
    pub(crate) fn set(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.0.insert(key.into(), value.into());
        self
    }

    /// Sets `key` to `value` when there is one.
    pub(crate) fn opt(self, key: &str, value: Option<impl Into<Value>>) -> Self {
        match value {
            Some(v) => self.set(key, v),
            None => self,
        }
    }

    /// Sets `key` to the sequence of `values` when there are any.
    pub(crate) fn seq<V: Into<Value>>(
        self,
        key: &str,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        let values: Vec<Value> = values.into_iter().map(Into::into).collect();
        self.opt(key, (!values.is_empty()).then_some(Value::Sequence(values)))
    }

    /// Sets `key` to the strings `values` when there are any.
    pub(crate) fn strings(self, key: &str, values: &[String]) -> Self {
        self.seq(key, values.iter().map(String::as_str))
    }

    /// Sets `key` to the mapping `fields` when it has any.
    pub(crate) fn map(self, key: &str, fields: Fields) -> Self {
        self.opt(key, (!fields.0.is_empty()).then(|| fields.value()))
    }

    /// The mapping.
    pub(crate) fn mapping(self) -> Mapping {
        self.0
    }

    /// The mapping as a YAML value.
    pub(crate) fn value(self) -> Value {
        Value::Mapping(self.0)
    }
}

/// A mapping of each `(key, value)` of `pairs`, in order (labels, say).
pub(crate) fn pairs(pairs: &[(String, String)]) -> Fields {
    pairs
        .iter()
        .fold(Fields::new(), |fields, (k, v)| fields.set(k, v.as_str()))
}
