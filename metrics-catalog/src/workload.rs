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
//! The pieces several systems' models share live here: [`Members`] (a population whose members
//! carry state), [`stable_label`] and [`libp2p_peer_id`] (realistic label values per member),
//! [`CpuMeter`] (the process's CPU use from its readings), [`Outages`] and [`Breaker`] (a
//! dependency that goes away, and the circuit breaker in front of it), and [`ewma`].
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
    /// Seconds since the workload started. [`run`] starts it (and the tick numbers) from 0 at
    /// every call, so a workload that times things keeps its own clock, the sum of the ticks'
    /// `dt`.
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

/// A [`Population`] whose members carry state (a peer's connection, an agent's reputation),
/// kept in step with it as members come and go: one state per member, in the population's
/// order. It derefs to the states.
///
/// ```
/// # use promdecl_catalog::workload::{Members, Population, Rng};
/// let mut peers = Members::new(Population::new("peer", 3, 0.5), |name| format!("{name}!"));
/// assert_eq!(peers.names(), ["peer0", "peer1", "peer2"]);
/// let left = peers.churn(&mut Rng::new(7), |name, _| format!("{name}!"));
/// assert!(peers.names().iter().zip(peers.iter()).all(|(n, s)| *s == format!("{n}!")));
/// assert!(left.iter().all(|s| !peers.contains(s)));
/// ```
#[derive(Debug, Clone)]
pub struct Members<S> {
    population: Population,
    /// The members' names when the states were last matched to them.
    names: Vec<String>,
    states: Vec<S>,
}

impl<S> Members<S> {
    /// The population's members, each given its state by `join` (which creates its series).
    pub fn new(population: Population, join: impl FnMut(&str) -> S) -> Self {
        let names = population.members().to_vec();
        let states = names.iter().map(String::as_str).map(join).collect();
        Self {
            population,
            names,
            states,
        }
    }

    /// The members' names, in the order of the states.
    pub fn names(&self) -> &[String] {
        self.population.members()
    }

    /// Replaces members at the population's turnover ([`Population::churn`]), each newcomer
    /// joining with `join`; returns the states of the members that left, whose series the
    /// caller removes.
    pub fn churn(&mut self, rng: &mut Rng, mut join: impl FnMut(&str, &mut Rng) -> S) -> Vec<S> {
        if self.population.churn(rng).is_empty() {
            return Vec::new();
        }
        let mut left = Vec::new();
        for (i, member) in self.population.members().iter().enumerate() {
            if self.names[i] != *member {
                self.names[i].clone_from(member);
                left.push(std::mem::replace(&mut self.states[i], join(member, rng)));
            }
        }
        left
    }
}

impl<S> std::ops::Deref for Members<S> {
    type Target = [S];

    fn deref(&self) -> &[S] {
        &self.states
    }
}

impl<S> std::ops::DerefMut for Members<S> {
    fn deref_mut(&mut self) -> &mut [S] {
        &mut self.states
    }
}

/// Base58 digits (Bitcoin alphabet), as libp2p peer ids use them.
pub const BASE58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// A realistic label value for population member `member`: `prefix` then `len` digits of
/// `alphabet`, always the same for the same member (its name's FNV-1a hash seeds the digits).
pub fn stable_label(member: &str, prefix: &str, alphabet: &[u8], len: usize) -> String {
    let seed = member.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let mut rng = Rng::new(seed);
    let mut value = String::from(prefix);
    value.extend((0..len).map(|_| char::from(*rng.pick(alphabet))));
    value
}

/// The libp2p Ed25519 peer id of population member `member`: `12D3KooW` and 44 base58 digits,
/// the same for the same member.
pub fn libp2p_peer_id(member: &str) -> String {
    stable_label(member, "12D3KooW", BASE58, 44)
}

/// A moving average `average` updated with `sample`, which weighs `weight` (in [0, 1]) against
/// the past: `average + weight * (sample - average)`. Also a value pulled `weight` of the way
/// towards a target.
pub fn ewma(average: f64, sample: f64, weight: f64) -> f64 {
    average + weight * (sample - average)
}

/// Outages of something a system depends on (a server, a node): each starts at a random moment
/// (a Poisson process at `per_second`, while none is under way) and lasts a log-normal time.
#[derive(Debug, Clone)]
pub struct Outages {
    /// The current or last outage: `[start, end)` in seconds of the workload's clock.
    window: (f64, f64),
    per_second: f64,
    /// Median length in seconds, and its spread (sigma of the log).
    length: (f64, f64),
}

impl Outages {
    /// Outages at `per_second`, lasting `length` (median seconds, spread); the first one, if
    /// any, is `first` (`[start, end)`, e.g. a restart the demo opens with).
    pub fn new(per_second: f64, length: (f64, f64), first: Option<(f64, f64)>) -> Self {
        Self {
            window: first.unwrap_or((0.0, 0.0)),
            per_second,
            length,
        }
    }

    /// Maybe starts an outage at `now` (the tick's end), when none is under way.
    pub fn advance(&mut self, t: &mut Tick, now: f64) {
        if now >= self.window.1 && t.rng.chance(self.per_second * t.dt) {
            self.window = (now, now + t.rng.lognormal(self.length.0, self.length.1));
        }
    }

    /// Whether an outage is under way at `now`.
    pub fn is_down(&self, now: f64) -> bool {
        self.window.0 <= now && now < self.window.1
    }
}

/// What a [`Breaker`] lets through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    /// Everything: calls or attempts go through, failures are counted.
    Closed,
    /// Nothing, until its backoff has passed.
    Open,
    /// One trial: success closes it, failure opens it again.
    HalfOpen,
}

/// A circuit breaker: `threshold` consecutive failures open it for a backoff, after which it is
/// half-open for one trial. Each opening doubles the next backoff, up to a ceiling; a success
/// closes it and resets the backoff (a fixed backoff is one whose ceiling is its start).
#[derive(Debug, Clone)]
pub struct Breaker {
    state: Breaking,
    threshold: u32,
    /// The first backoff and its ceiling, in seconds.
    backoff: (f64, f64),
    /// The backoff of the next opening.
    next_backoff: f64,
}

/// A [`Breaker`]'s state with its bookkeeping.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Breaking {
    Closed { failures: u32 },
    Open { until: f64 },
    HalfOpen,
}

impl Breaker {
    /// A closed breaker opening after `threshold` consecutive failures, for `backoff` seconds
    /// (the first opening, then doubling up to `max_backoff`).
    pub fn new(threshold: u32, backoff: f64, max_backoff: f64) -> Self {
        Self {
            state: Breaking::Closed { failures: 0 },
            threshold,
            backoff: (backoff, max_backoff),
            next_backoff: backoff,
        }
    }

    /// What it lets through.
    pub fn state(&self) -> BreakerState {
        match self.state {
            Breaking::Closed { .. } => BreakerState::Closed,
            Breaking::Open { .. } => BreakerState::Open,
            Breaking::HalfOpen => BreakerState::HalfOpen,
        }
    }

    /// A call or attempt succeeded: closed, with no failures and the first backoff.
    pub fn success(&mut self) {
        self.state = Breaking::Closed { failures: 0 };
        self.next_backoff = self.backoff.0;
    }

    /// A call or attempt failed at `now`: counted while closed, opening at the threshold; a
    /// failed trial opens it again. An open breaker lets nothing through to fail.
    pub fn failure(&mut self, now: f64) {
        self.state = match self.state {
            Breaking::Closed { failures } if failures + 1 < self.threshold => Breaking::Closed {
                failures: failures + 1,
            },
            Breaking::Closed { .. } | Breaking::HalfOpen => {
                let until = now + self.next_backoff;
                self.next_backoff = (self.next_backoff * 2.0).min(self.backoff.1);
                Breaking::Open { until }
            }
            open @ Breaking::Open { .. } => open,
        };
    }

    /// An open breaker whose backoff has passed by `now` turns half-open.
    pub fn half_open_when_due(&mut self, now: f64) {
        if let Breaking::Open { until } = self.state {
            if now >= until {
                self.state = Breaking::HalfOpen;
            }
        }
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

/// The process's CPU use as a share of all the machine's cores, from its [`ProcessStats`] read
/// tick by tick: CPU seconds over wall seconds between readings at least `window` real seconds
/// apart (CPU time moves in 10 ms steps, too coarse for a short tick of a mostly idle
/// process); until the process is `window` seconds old, over its whole life.
#[derive(Debug, Clone)]
pub struct CpuMeter {
    window: f64,
    cores: f64,
    /// `(cpu_seconds, uptime_seconds)` where the current window started; `None`: the process's
    /// start.
    mark: Option<(f64, f64)>,
    share: Option<f64>,
}

impl CpuMeter {
    /// A meter over windows of at least `window` seconds.
    pub fn new(window: f64) -> Self {
        Self {
            window,
            cores: std::thread::available_parallelism().map_or(1.0, |n| n.get() as f64),
            mark: None,
            share: None,
        }
    }

    /// The share, in [0, 1], of all cores the process used over the last whole window (the
    /// previous value until one has passed since the last); `None` while the process has no
    /// measurable uptime (no `/proc`).
    pub fn update(&mut self, p: &ProcessStats) -> Option<f64> {
        let (cpu, uptime) = self.mark.unwrap_or_default();
        let wall = p.uptime_seconds - uptime;
        let whole = wall >= self.window;
        if whole || (self.mark.is_none() && wall > 0.0) {
            self.share = Some(((p.cpu_seconds - cpu) / wall / self.cores).clamp(0.0, 1.0));
        }
        if whole {
            self.mark = Some((p.cpu_seconds, p.uptime_seconds));
        }
        self.share
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_breaker_opens_at_its_threshold_and_backs_off_more_each_time() {
        let mut b = Breaker::new(3, 5.0, 12.0);
        b.failure(0.0);
        b.failure(1.0);
        assert_eq!(b.state(), BreakerState::Closed);
        b.failure(2.0);
        assert_eq!(b.state(), BreakerState::Open);
        b.failure(3.0);
        b.half_open_when_due(6.5);
        assert_eq!(b.state(), BreakerState::Open, "until 7");
        b.half_open_when_due(7.0);
        assert_eq!(b.state(), BreakerState::HalfOpen);
        // A failed trial: open again, for twice as long, then up to the ceiling.
        b.failure(7.0);
        b.half_open_when_due(16.5);
        assert_eq!(b.state(), BreakerState::Open, "until 17");
        b.half_open_when_due(17.0);
        b.failure(17.0);
        b.half_open_when_due(28.5);
        assert_eq!(b.state(), BreakerState::Open, "until 29");
        b.half_open_when_due(29.0);
        // A successful trial closes it and resets the count and the backoff.
        b.success();
        assert_eq!(b.state(), BreakerState::Closed);
        for at in [30.0, 31.0, 32.0] {
            b.failure(at);
        }
        b.half_open_when_due(37.0);
        assert_eq!(b.state(), BreakerState::HalfOpen);
    }

    #[test]
    fn outages_start_only_when_none_is_under_way() {
        let mut o = Outages::new(1e9, (10.0, 0.0), Some((1.0, 3.0)));
        assert!(!o.is_down(0.5) && o.is_down(1.0) && o.is_down(2.9) && !o.is_down(3.0));
        let mut t = Tick::new(0, 1.0, 0.0);
        o.advance(&mut t, 2.0);
        assert!(
            o.is_down(2.5) && !o.is_down(3.0),
            "the first one runs its course"
        );
        o.advance(&mut t, 3.0);
        assert!(
            o.is_down(12.9) && !o.is_down(13.0),
            "then a new one, of 10 s"
        );
    }

    #[test]
    fn cpu_is_a_share_of_all_cores_over_whole_windows() {
        let mut meter = CpuMeter::new(5.0);
        let cores = meter.cores;
        let at = |cpu_seconds, uptime_seconds| ProcessStats {
            cpu_seconds,
            uptime_seconds,
            ..ProcessStats::default()
        };
        assert_eq!(meter.update(&at(0.0, 0.0)), None, "no uptime to tell");
        // Younger than a window: over the process's life.
        assert_eq!(meter.update(&at(1.0, 2.0)), Some(0.5 / cores));
        assert_eq!(meter.update(&at(1.0, 4.0)), Some(0.25 / cores));
        // A whole window since the start, then windows from there; in between, no change.
        assert_eq!(meter.update(&at(1.5, 6.0)), Some(0.25 / cores));
        assert_eq!(meter.update(&at(2.0, 8.0)), Some(0.25 / cores));
        assert_eq!(meter.update(&at(2.5, 11.0)), Some(0.2 / cores));
        // Never more than every core.
        let all = meter.update(&at(2.5 + 10.0 * cores, 16.0));
        assert_eq!(all, Some(1.0));
    }
}

/// Helpers for the systems' workload tests: one system started alone and run on tick by tick,
/// and snapshots of what its registry exposes.
#[cfg(test)]
pub(crate) mod testing {
    use std::collections::{BTreeMap, BTreeSet};

    use promdecl::value::Sample;
    use promdecl::{Kind, Registry};

    use super::{run_from, start, Drive};

    /// One system alone in a registry, run one-second ticks at a time: consecutive runs
    /// continue one simulation, numbering ticks on (unlike [`run`](super::run), which numbers
    /// them from 0 at every call).
    pub(crate) struct Sim {
        pub(crate) registry: Registry,
        pub(crate) drives: Vec<Box<dyn Drive>>,
        /// The number of the next tick.
        next: u64,
    }

    impl Sim {
        /// The system named `system`, registered and started.
        pub(crate) fn new(system: &str) -> Self {
            let registry = Registry::new();
            let drives = start(&registry, Some(system)).unwrap();
            Self {
                registry,
                drives,
                next: 0,
            }
        }

        /// Runs `ticks` more ticks.
        pub(crate) fn run(&mut self, ticks: u64) {
            run_from(&mut self.drives, self.next, ticks, 1.0);
            self.next += ticks;
        }

        /// Every series of the registry now.
        pub(crate) fn snapshot(&self) -> Snapshot {
            Snapshot::of(&self.registry)
        }

        /// Runs `ticks` more ticks, then snapshots.
        pub(crate) fn ticks(&mut self, ticks: u64) -> Snapshot {
            self.run(ticks);
            self.snapshot()
        }
    }

    /// One family of a [`Snapshot`]: its kind and its series, label values (in declared order)
    /// -> value (a histogram's count, `1` for info).
    #[derive(Debug, Clone)]
    pub(crate) struct Family {
        pub(crate) kind: Kind,
        pub(crate) series: BTreeMap<Vec<String>, f64>,
    }

    /// Every series of a registry at one moment, by family. The accessors panic on a family or
    /// series that does not exist, naming it.
    #[derive(Debug, Clone, Default)]
    pub(crate) struct Snapshot(BTreeMap<&'static str, Family>);

    impl Snapshot {
        /// Every family of `registry`.
        pub(crate) fn of(registry: &Registry) -> Self {
            Self::of_prefixed(registry, "")
        }

        /// The families of `registry` whose names start with `prefix` (a system's, leaving out
        /// the registry's own).
        pub(crate) fn of_prefixed(registry: &Registry, prefix: &str) -> Self {
            let mut families = BTreeMap::new();
            registry.visit(&mut |f| {
                let d = f.desc();
                if !d.name.starts_with(prefix) {
                    return;
                }
                let mut series = BTreeMap::new();
                f.for_each_sample(&mut |labels, s| {
                    series.insert(labels.iter().map(ToString::to_string).collect(), s.value());
                });
                families.insert(
                    d.name,
                    Family {
                        kind: d.kind,
                        series,
                    },
                );
            });
            Self(families)
        }

        /// The families, by name.
        pub(crate) fn families(&self) -> &BTreeMap<&'static str, Family> {
            &self.0
        }

        /// The series of family `name`.
        pub(crate) fn family(&self, name: &str) -> &BTreeMap<Vec<String>, f64> {
            &self
                .0
                .get(name)
                .unwrap_or_else(|| panic!("no family {name}"))
                .series
        }

        /// The value of one series, if it exists.
        pub(crate) fn try_get(&self, name: &str, labels: &[&str]) -> Option<f64> {
            let key: Vec<String> = labels.iter().map(ToString::to_string).collect();
            self.0.get(name)?.series.get(&key).copied()
        }

        /// The value of one series.
        pub(crate) fn get(&self, name: &str, labels: &[&str]) -> f64 {
            self.try_get(name, labels)
                .unwrap_or_else(|| panic!("no series {name}{labels:?}"))
        }

        /// The value of the series of a family without labels.
        pub(crate) fn one(&self, name: &str) -> f64 {
            self.get(name, &[])
        }

        /// The sum of the series of `name`.
        pub(crate) fn sum(&self, name: &str) -> f64 {
            self.family(name).values().sum()
        }

        /// The sum of the series of `name` whose label number `at` is `value`.
        pub(crate) fn sum_where(&self, name: &str, at: usize, value: &str) -> f64 {
            self.family(name)
                .iter()
                .filter(|(labels, _)| labels[at] == value)
                .map(|(_, v)| v)
                .sum()
        }

        /// The series of `name` whose label values match `pattern`, one entry a label (`None`
        /// matches any value).
        pub(crate) fn matching<'a>(
            &'a self,
            name: &str,
            pattern: &'a [Option<&'a str>],
        ) -> impl Iterator<Item = (&'a [String], f64)> + 'a {
            self.family(name)
                .iter()
                .filter(move |(labels, _)| {
                    labels.len() == pattern.len()
                        && labels
                            .iter()
                            .zip(pattern)
                            .all(|(l, p)| p.is_none_or(|p| p == l))
                })
                .map(|(labels, v)| (labels.as_slice(), *v))
        }

        /// The sum of the series of `name` whose label values match `pattern`.
        pub(crate) fn sum_matching(&self, name: &str, pattern: &[Option<&str>]) -> f64 {
            self.matching(name, pattern).map(|(_, v)| v).sum()
        }

        /// The values label number `at` of family `name` takes.
        pub(crate) fn label_values(&self, name: &str, at: usize) -> BTreeSet<String> {
            self.family(name)
                .keys()
                .map(|labels| labels[at].clone())
                .collect()
        }

        /// The number of series.
        pub(crate) fn series_count(&self) -> usize {
            self.0.values().map(|f| f.series.len()).sum()
        }

        /// The families none of whose series reads anything but 0 (or that have none), but
        /// those in `except`.
        pub(crate) fn idle(&self, except: &[&str]) -> Vec<&'static str> {
            self.0
                .iter()
                .filter(|(name, f)| !except.contains(name) && f.series.values().all(|v| *v == 0.0))
                .map(|(name, _)| *name)
                .collect()
        }
    }

    /// Asserts that no counter or histogram series present in both went back from `before`
    /// to `now`.
    pub(crate) fn assert_counters_never_go_back(before: &Snapshot, now: &Snapshot) {
        for (name, f) in now.families() {
            let Some(old) = before.families().get(name) else {
                continue;
            };
            if !matches!(f.kind, Kind::Counter | Kind::Histogram) {
                continue;
            }
            for (labels, v) in &f.series {
                if let Some(b) = old.series.get(labels) {
                    assert!(v >= b, "{name}{labels:?} went back from {b} to {v}");
                }
            }
        }
    }

    /// The buckets of every series of histogram `family` of `registry` added up: `(upper
    /// bound, cumulative count)` in order of the bounds, the last `+Inf`.
    pub(crate) fn histogram_buckets(registry: &Registry, family: &str) -> Vec<(f64, u64)> {
        let mut merged: BTreeMap<u64, u64> = BTreeMap::new();
        registry.visit(&mut |f| {
            if f.desc().name != family {
                return;
            }
            f.for_each_sample(&mut |_, s| {
                if let Sample::Histogram { buckets, .. } = s {
                    for (le, n) in buckets {
                        *merged.entry(le.to_bits()).or_default() += n;
                    }
                }
            });
        });
        let mut buckets: Vec<(f64, u64)> = merged
            .into_iter()
            .map(|(le, n)| (f64::from_bits(le), n))
            .collect();
        buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
        buckets
    }
}
