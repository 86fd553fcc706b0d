//! How zerostate runs, as the demo drives it (see [`crate::workload`]).

use super::Zerostate;
use crate::workload::{Drive, Tick};

/// The zerostate workload.
#[derive(Debug)]
pub struct Workload {
    #[allow(dead_code)]
    m: Zerostate,
}

impl Workload {
    /// A workload driving `m`.
    pub fn new(m: Zerostate) -> Self {
        Self { m }
    }
}

impl Drive for Workload {
    fn step(&mut self, _tick: &mut Tick) {}
}
