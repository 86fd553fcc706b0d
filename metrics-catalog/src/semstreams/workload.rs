//! How semstreams runs, as the demo drives it (see [`crate::workload`]).

use super::Semstreams;
use crate::workload::{Drive, Tick};

/// The semstreams workload.
#[derive(Debug)]
pub struct Workload {
    #[allow(dead_code)]
    m: Semstreams,
}

impl Workload {
    /// A workload driving `m`.
    pub fn new(m: Semstreams) -> Self {
        Self { m }
    }
}

impl Drive for Workload {
    fn step(&mut self, _tick: &mut Tick) {}
}
