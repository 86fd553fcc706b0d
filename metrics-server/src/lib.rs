//! An axum exposition server for metrics-core registries.
#![deny(missing_docs)]
