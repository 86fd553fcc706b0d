//! How x0tta6bl4 runs, as the demo drives it (see [`crate::workload`]).

use super::X0tta6bl4;
use crate::workload::{Drive, Tick};

/// The x0tta6bl4 workload.
#[derive(Debug)]
pub struct Workload {
    #[allow(dead_code)]
    m: X0tta6bl4,
}

impl Workload {
    /// A workload driving `m`.
    pub fn new(m: X0tta6bl4) -> Self {
        Self { m }
    }
}

impl Drive for Workload {
    fn step(&mut self, _tick: &mut Tick) {}
}
