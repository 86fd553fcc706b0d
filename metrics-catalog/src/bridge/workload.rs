//! How bridge runs, as the demo drives it (see [`crate::workload`]).

use super::Bridge;
use crate::workload::{Drive, Tick};

/// The bridge workload.
#[derive(Debug)]
pub struct Workload {
    #[allow(dead_code)]
    m: Bridge,
}

impl Workload {
    /// A workload driving `m`.
    pub fn new(m: Bridge) -> Self {
        Self { m }
    }
}

impl Drive for Workload {
    fn step(&mut self, _tick: &mut Tick) {}
}
