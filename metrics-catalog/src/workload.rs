//! The demo workload: each system driven by a model of how it runs, so the demo looks like five
//! real systems at work rather than random numbers.
//!
//! Each system has a `workload` module with a [`Drive`] that knows what its metrics mean: states
//! are one-hot, ratios stay in [0, 1], counters grow at plausible rates, terms and chain lengths
//! never go back, outcomes include the error values the documents query at small rates, resource
//! gauges mirror the real process ([`ProcessStats`]), and info metrics are set once. Free-form
//! label values come from a bounded [`Population`] that changes slowly; a member that leaves has
//! its series removed, so the series count stays flat after warm-up.
//!
//! [`spawn`] runs the drives of the systems a process serves every tick.

use std::time::{Duration, Instant};

use promdecl::{Registry, RegistryError};

/// What a system's workload implements: one step of simulated activity.
pub trait Drive: Send + std::fmt::Debug {
    /// Advances the system by one tick.
    fn step(&mut self, tick: &mut Tick);
}

/// One tick of the workload: randomness, time, and the real process's readings.
#[derive(Debug)]
pub struct Tick {
    /// The tick's number, from 0.
    pub n: u64,
    /// Seconds since the previous tick.
    pub dt: f64,
    /// Seconds since the workload started.
    pub elapsed: f64,
    /// The process, read once per tick.
    pub process: ProcessStats,
    /// Randomness for the tick.
    pub rng: Rng,
}

impl Tick {
    /// A tick at `n` with `dt` seconds since the previous one; reads the process.
    pub fn new(n: u64, dt: f64, elapsed: f64) -> Self {
        Self {
            n,
            dt,
            elapsed,
            process: ProcessStats::read(),
            rng: Rng::new(n.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1),
        }
    }

    /// Events of a Poisson process at `per_second` over this tick (a whole number, at least 0).
    pub fn events(&mut self, per_second: f64) -> u64 {
        self.rng.poisson(per_second * self.dt)
    }
}

/// Small deterministic generator (xorshift64): the demo needs variety, not cryptography.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a non-zero seed.
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One of `items`, uniformly.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// One of `items`, with probability proportional to its weight.
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, f64)]) -> &'a T {
        let total: f64 = items.iter().map(|(_, w)| w).sum();
        let mut x = self.unit() * total;
        for (item, w) in items {
            if x < *w {
                return item;
            }
            x -= w;
        }
        &items[items.len() - 1].0
    }

    /// A standard normal deviate (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        let u = self.unit().max(f64::MIN_POSITIVE);
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }

    /// A log-normal value with median `median` and spread `sigma` (of the log): latencies and
    /// sizes, which are skewed to the right.
    pub fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }

    /// A Poisson count with mean `mean` (Knuth for small means, a normal approximation above).
    pub fn poisson(&mut self, mean: f64) -> u64 {
        if mean <= 0.0 {
            return 0;
        }
        if mean > 30.0 {
            return (mean + mean.sqrt() * self.normal()).round().max(0.0) as u64;
        }
        let limit = (-mean).exp();
        let mut k = 0;
        let mut p = self.unit();
        while p > limit {
            k += 1;
            p *= self.unit();
        }
        k
    }
}

/// A bounded population of free-form label values (peers, tasks, channels) that changes
/// slowly: `size` members named `<prefix><n>`, each replaced with probability `turnover` per
/// tick by a newcomer with a fresh number.
#[derive(Debug, Clone)]
pub struct Population {
    prefix: &'static str,
    members: Vec<String>,
    next: u64,
    turnover: f64,
}

impl Population {
    /// `size` members `<prefix>0` .. `<prefix>{size-1}`.
    pub fn new(prefix: &'static str, size: usize, turnover: f64) -> Self {
        Self {
            prefix,
            members: (0..size).map(|i| format!("{prefix}{i}")).collect(),
            next: size as u64,
            turnover,
        }
    }

    /// The current members.
    pub fn members(&self) -> &[String] {
        &self.members
    }

    /// One member, uniformly.
    pub fn pick(&self, rng: &mut Rng) -> &str {
        rng.pick(&self.members).as_str()
    }

    /// Replaces members at the turnover rate; returns the ones that left, whose series the
    /// caller removes.
    pub fn churn(&mut self, rng: &mut Rng) -> Vec<String> {
        let mut left = Vec::new();
        for m in &mut self.members {
            if rng.chance(self.turnover) {
                let newcomer = format!("{}{}", self.prefix, self.next);
                self.next += 1;
                left.push(std::mem::replace(m, newcomer));
            }
        }
        left
    }
}

/// Readings of the real process, for the resource gauges a system declares (memory, threads,
/// uptime): they mirror `process_*` rather than inventing numbers.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessStats {
    /// Resident memory in bytes.
    pub resident_bytes: f64,
    /// Virtual memory in bytes.
    pub virtual_bytes: f64,
    /// OS threads.
    pub threads: f64,
    /// Seconds since the process started.
    pub uptime_seconds: f64,
    /// CPU seconds (user + system) used so far.
    pub cpu_seconds: f64,
}

impl ProcessStats {
    /// Reads `/proc/self` (zeros elsewhere, or when it cannot be read).
    pub fn read() -> Self {
        #[cfg(target_os = "linux")]
        {
            Self::from_proc().unwrap_or_default()
        }
        #[cfg(not(target_os = "linux"))]
        {
            Self::default()
        }
    }

    #[cfg(target_os = "linux")]
    fn from_proc() -> Option<Self> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        // Fields after the command name, which is in parentheses and may hold spaces.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let num = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
        // Field numbers of proc(5) minus 3: utime 14, stime 15, num_threads 20, starttime 22,
        // vsize 23, rss 24 (pages).
        let ticks = 100.0;
        let page = 4096.0;
        let boot = std::fs::read_to_string("/proc/uptime").ok()?;
        let system_uptime: f64 = boot.split_whitespace().next()?.parse().ok()?;
        Some(Self {
            cpu_seconds: (num(11)? + num(12)?) / ticks,
            threads: num(17)?,
            uptime_seconds: (system_uptime - num(19)? / ticks).max(0.0),
            virtual_bytes: num(20)?,
            resident_bytes: num(21)? * page,
        })
    }
}

/// Registers the systems a demo process serves (all, or the one named `only`) in `registry`
/// and returns their workloads.
///
/// # Errors
/// A [`RegistryError`] when a family clashes with one already registered, or an
/// [`RegistryError::Invalid`] naming the systems when `only` names none.
pub fn start(
    registry: &Registry,
    only: Option<&str>,
) -> Result<Vec<Box<dyn Drive>>, RegistryError> {
    let chosen: Vec<&crate::System> = crate::SYSTEMS
        .iter()
        .filter(|s| only.is_none_or(|o| o == s.name))
        .collect();
    if chosen.is_empty() {
        let names: Vec<&str> = crate::SYSTEMS.iter().map(|s| s.name).collect();
        return Err(RegistryError::Invalid(format!(
            "no catalog system is named `{}`; choose one of: {}",
            only.unwrap_or_default(),
            names.join(", ")
        )));
    }
    chosen.into_iter().map(|s| (s.start)(registry)).collect()
}

/// Runs every drive each `every` until the runtime shuts down.
pub fn spawn(mut drives: Vec<Box<dyn Drive>>, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let start = Instant::now();
        let mut last = start;
        let mut interval = tokio::time::interval(every);
        for n in 0u64.. {
            interval.tick().await;
            let now = Instant::now();
            let mut tick = Tick::new(n, (now - last).as_secs_f64(), (now - start).as_secs_f64());
            last = now;
            for d in &mut drives {
                d.step(&mut tick);
            }
        }
    })
}

/// Runs `ticks` steps of `every` seconds each at once, without a runtime: for tests, which
/// then look at what the systems expose. Ticks are numbered from 0; [`run_from`] continues a
/// simulation.
pub fn run(drives: &mut [Box<dyn Drive>], ticks: u64, every: f64) {
    run_from(drives, 0, ticks, every);
}

/// [`run`] with ticks numbered from `from`, so consecutive calls continue one simulation
/// (`run_from(d, 0, 60, 1.0)` then `run_from(d, 60, 60, 1.0)`).
pub fn run_from(drives: &mut [Box<dyn Drive>], from: u64, ticks: u64, every: f64) {
    for n in from..from + ticks {
        let mut tick = Tick::new(n, every, n as f64 * every);
        for d in drives.iter_mut() {
            d.step(&mut tick);
        }
    }
}
