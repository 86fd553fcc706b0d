//! How chorus runs, as the demo drives it (see [`crate::workload`]).

use super::Chorus;
use crate::workload::{Drive, Tick};

/// The chorus workload.
#[derive(Debug)]
pub struct Workload {
    #[allow(dead_code)]
    m: Chorus,
}

impl Workload {
    /// A workload driving `m`.
    pub fn new(m: Chorus) -> Self {
        Self { m }
    }
}

impl Drive for Workload {
    fn step(&mut self, _tick: &mut Tick) {}
}
