//! A company's metrics crate: its services depend on it alone and reach promdecl through it, so
//! their derives say `#[metrics(crate = "corp_metrics::promdecl")]`.

pub use promdecl;
