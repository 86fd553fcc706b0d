//! A built-in workload that drives every registered family, so a first run shows live series.

use std::sync::Arc;
use std::time::Duration;

use promdecl::{FamilyDesc, Kind, Registry};

/// Small deterministic generator (xorshift): the demo needs variety, not cryptography.
#[derive(Debug)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Free-form values the workload uses per label: a handful, so series stay few.
const FREE_VALUES: usize = 3;

/// Records one plausible update into every family of `registry` that `drive` selects (the
/// collectors' and the server's own families are left to their real sources).
pub fn step(registry: &Registry, tick: u64, drive: &dyn Fn(&FamilyDesc) -> bool) {
    let mut rng = Rng(tick.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    registry.visit(&mut |f| {
        let d = f.desc();
        if !drive(d) {
            return;
        }
        let free: Vec<String> = d
            .labels
            .iter()
            .map(|l| format!("{}-{}", l.name.replace('_', "-"), rng.below(FREE_VALUES)))
            .collect();
        let values: Vec<&str> = d
            .labels
            .iter()
            .zip(&free)
            .map(|(l, free)| match l.values {
                Some(allowed) => allowed[rng.below(allowed.len())],
                None => free.as_str(),
            })
            .collect();
        let value = match d.kind {
            Kind::Counter => 1.0 + rng.below(5) as f64,
            Kind::Histogram => {
                let b = d.buckets.unwrap_or(promdecl::buckets::DEFAULT);
                b[rng.below(b.len())] * rng.unit() * 1.5
            }
            // Never exactly zero, so every family visibly moves.
            Kind::Gauge if d.unit == Some("ratio") => 0.01 + rng.unit() * 0.98,
            Kind::Gauge => 1.0 + (rng.unit() * 99.0).round(),
            Kind::Info => 1.0,
        };
        // Declared labels always fit, so an error here would be a framework bug worth seeing.
        if let Err(e) = f.record(&values, value) {
            eprintln!("workload: {e}");
        }
    });
}

/// Runs [`step`] every `every` until the runtime shuts down.
pub fn spawn(
    registry: Arc<Registry>,
    every: Duration,
    drive: impl Fn(&FamilyDesc) -> bool + Send + 'static,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        for n in 0u64.. {
            tick.tick().await;
            step(&registry, n, &drive);
        }
    })
}
