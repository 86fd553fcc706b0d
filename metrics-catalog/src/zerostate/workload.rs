//! How zerostate runs, as the demo drives it (see [`crate::workload`]).
//!
//! # The model
//!
//! One zerostate marketplace node, its economy followed task by task as
//! `libs/economic` runs it:
//!
//! 1. A task is submitted (`tasks_submitted_total{type}`) and put up for a reverse auction
//!    (`first_price` or `second_price`) lasting about 2 s. Agents bid around the task type's
//!    usual price (`bids_total{auction_id}`, `bid_amount`); the lowest bid wins. An auction
//!    that closes without a bid (about 2%) is `auctions_total{status="failed"}` and its
//!    task is not run; the others are `status="success"` (`auction_duration_seconds`).
//! 2. The price is locked in escrow on one of the node's payment channels
//!    (`escrows_created_total{type}`, `escrow_amount`): the payer's balance drops by it.
//! 3. The winning agent runs the task for a time typical of its type. Each agent has its own
//!    reliability (93–99%, about 4% of tasks fail); a failure carries an error
//!    (`execution_failed`, `agent_disconnected`, `out_of_memory`, `timeout` after 30 s), counted
//!    in `tasks_completed_total{status="failed"}` and `task_errors_total{type, error}` alike.
//!    Timeouts are few enough that fewer than 1% of tasks pass 10 s: `SlowTaskExecution` and
//!    `HighTaskFailureRate` stay quiet, as on a healthy node.
//! 4. A completed task updates its agent's reputation (`tasks_executed_total`, score, success
//!    rate, average duration and cost) and its result's content is verified
//!    (`content_verification_latency`).
//! 5. A successful task is paid over the channel (`payments_total{status}`: 4% of payment
//!    updates fail and are retried at once), then the payment is settled, releasing the escrow
//!    to the payee (`settlements_total{status}`, 4% of attempts fail and are retried;
//!    `escrow_releases_total{outcome}`). Settlements thus follow payments one for one, and
//!    every release is a successful settlement.
//! 6. A failed task's escrow goes back to the payer (`escrow_refunds_total{reason}` and
//!    `payments_total{status="refunded"}`, as zerostate's `RecordPaymentRefund` counts it).
//! 7. The payer disputes 2.5% of successful tasks: the channel is `disputed` until the dispute
//!    ends (about 8 s), `resolved` between the parties or `arbitrated`
//!    (`disputes_total{status}`); the agent wins two in three (release) or the escrow is
//!    refunded.
//!
//! A channel holds `party_a`'s (the payer's) available balance and `party_b`'s (the payee's)
//! settled balance (`channel_balances{channel_id, party}`); with what is in escrow they always
//! add up to the deposit, so neither exceeds the channel's capacity. A channel is `open`,
//! `escrowed` (tasks in flight), `disputed` or `settling` (closing); `channels_active{state,
//! party}` counts the node's channels by that state and by the side the node takes
//! (`party_a` when it pays, `party_b` when it is paid). A channel closes when its lifetime
//! (about 5 minutes) is over or its payer balance is spent, once nothing is in flight;
//! closing takes a few seconds, then its lifetime is observed (`channel_duration_seconds`;
//! lifetimes are minutes, beyond the 10 s top bucket of the declared DurationBuckets) and a
//! new channel is opened (`channels_total{state="open", party}`).
//!
//! Around the economy: the peer monitor watches every agent plus a few infrastructure peers
//! (`active_peer_monitors`), the connection pool holds one to two connections per monitored
//! peer (`connection_pool_size`), and a 512-entry content cache starts cold, fills in about
//! half a minute, then evicts as it misses (`cache_*`).
//!
//! # Populations
//!
//! - **Agents** (`peer_id`): 25 libp2p peers with Ed25519 ids (`12D3KooW` + 44 base58
//!   characters), each replaced with probability 0.001 a tick (about one every 40 s); a leaving
//!   agent's five reputation series are removed, a newcomer's are set when it joins (score and
//!   success rate 0.5, marketplace-wide averages).
//! - **Payment channels** (`channel_id`): 48 live channels, `channel-` + 32 hex digits
//!   (zerostate's `generateChannelID`), one closed and replaced every 7 s or so; a closed
//!   channel's two balance series are removed. The node starts with 48 channels, two of them
//!   disputed, loaded from its store (not counted in `channels_total`, which counts channels
//!   opened since start).
//! - **Auctions** (`auction_id`): a UUID per task, three a second; the `bids_total` series
//!   of the 64 latest closed auctions stay (about 20 s, at least one 15 s scrape), older
//!   ones are removed.
//! - Closed sets: task types (`inference`, `embedding`, `data_processing`,
//!   `image_generation`, `web_scraping`), auction types, task errors, escrow release outcomes
//!   (`payer_confirmed`, `auto_released`, `dispute_resolved`), refund reasons
//!   (`task_failed`, `task_timeout`, `dispute_lost`), dispute statuses (`resolved`,
//!   `arbitrated`), channel states and parties above; statuses are the helpers' `success` /
//!   `failed` ([`super::labels`]) plus `refunded` for payments.
//!
//! Reputation scores and success rates are in [0, 1], the range zerostate's
//! `libs/economic/metrics.go` gives them ("Reputation score by peer (0.0-1.0)").

use std::collections::VecDeque;
use std::time::Duration;

use super::labels::{FAILED, SUCCESS};
use super::Zerostate;
use crate::workload::{ewma, libp2p_peer_id, Drive, Members, Population, Rng, Tick};

/// Tasks submitted per second: a busy marketplace node. With the failure rates below, about
/// seven of each failed outcome happen in the first minute.
const TASK_RATE: f64 = 3.0;
/// Bids per second on an open auction: about five over a 2 s auction.
const BID_RATE: f64 = 2.5;
/// An auction's bidding window, seconds (median, log spread).
const AUCTION_WINDOW: (f64, f64) = (2.0, 0.4);
/// Closed auctions whose `bids_total` series stay exposed, the latest first: about 20 s of
/// auctions, so each is scraped at least once at 15 s, and a flat series count.
const AUCTIONS_KEPT: usize = 64;
/// Auction formats: the winner pays its own bid, or the second-lowest.
const AUCTION_TYPES: &[(&str, f64)] = &[("first_price", 0.65), ("second_price", 0.35)];
/// Spread of bids around the task type's usual price.
const BID_SPREAD: f64 = 0.35;

/// Seconds after which a task times out (and lands beyond the top duration bucket).
const TASK_TIMEOUT: f64 = 30.0;
/// What a failed task failed with; timeouts are kept rare so that fewer than 1% of tasks
/// take more than 10 s.
const TASK_ERRORS: &[(&str, f64)] = &[
    ("execution_failed", 0.5),
    ("agent_disconnected", 0.25),
    ("out_of_memory", 0.15),
    ("timeout", 0.1),
];

/// A task type: its usual run time (median seconds, log spread) and price.
#[derive(Debug)]
struct TaskType {
    name: &'static str,
    duration: f64,
    spread: f64,
    cost: f64,
}

/// The task types and their shares of the tasks submitted.
const TASK_TYPES: &[(TaskType, f64)] = &[
    (task("inference", 1.2, 0.5, 0.04), 0.45),
    (task("embedding", 0.12, 0.4, 0.002), 0.2),
    (task("data_processing", 2.0, 0.5, 0.1), 0.15),
    (task("image_generation", 3.5, 0.45, 0.25), 0.1),
    (task("web_scraping", 0.8, 0.6, 0.01), 0.1),
];

const fn task(name: &'static str, duration: f64, spread: f64, cost: f64) -> TaskType {
    TaskType {
        name,
        duration,
        spread,
        cost,
    }
}

/// Off-chain payment updates that fail (stale sequence, bad signature) and are retried.
const PAYMENT_FAILURE: f64 = 0.04;
/// Payment update latency, seconds (median, log spread): a signed state update.
const PAYMENT_TIME: (f64, f64) = (0.008, 0.7);
/// Settlement attempts that fail (store conflict) and are retried.
const SETTLEMENT_FAILURE: f64 = 0.04;
/// Settlement latency, seconds (median, log spread): one store transaction.
const SETTLEMENT_TIME: (f64, f64) = (0.045, 0.6);
/// How a normal escrow release comes about: the payer confirms, or the auto-release window
/// passes.
const RELEASES: &[(&str, f64)] = &[("payer_confirmed", 0.9), ("auto_released", 0.1)];
/// How an escrow is released after the agent wins a dispute.
const DISPUTE_RELEASE: &str = "dispute_resolved";
/// `payments_total` status of an escrow refunded to the payer (zerostate's
/// `RecordPaymentRefund`).
const REFUNDED: &str = "refunded";

/// Why an escrow goes back to the payer: its task failed, timed out, or the agent lost a
/// dispute.
const REFUND_REASONS: [&str; 3] = ["task_failed", "task_timeout", "dispute_lost"];
/// How a dispute ends: agreed between the parties, or decided by an arbiter.
const DISPUTE_STATUSES: [&str; 2] = ["resolved", "arbitrated"];

/// Share of successful tasks whose payer disputes the result.
const DISPUTE_RATE: f64 = 0.025;
/// Seconds until a dispute ends (median, log spread): verifiers re-check the result.
const DISPUTE_TIME: (f64, f64) = (8.0, 0.6);
/// Disputes pending in the node's store when it starts.
const LOADED_DISPUTES: usize = 2;
/// Share of disputes the parties settle between them (`resolved`); the rest are
/// `arbitrated`.
const DISPUTE_AGREED: f64 = 0.6;
/// Share of disputes the agent wins (escrow released rather than refunded).
const DISPUTE_AGENT_WINS: f64 = 0.65;

/// Live payment channels.
const CHANNELS: usize = 48;
/// A channel's planned lifetime, seconds (median, log spread).
const CHANNEL_LIFETIME: (f64, f64) = (300.0, 0.6);
/// A channel's deposit (median, log spread): hundreds of typical tasks.
const DEPOSIT: (f64, f64) = (20.0, 0.6);
/// The smallest deposit a channel is opened with.
const MIN_DEPOSIT: f64 = 2.0;
/// A channel whose payer balance falls below this share of its deposit is closed.
const LOW_BALANCE: f64 = 0.05;
/// Seconds a closing channel spends `settling` (median, log spread).
const CLOSING_TIME: (f64, f64) = (4.0, 0.5);
/// Share of channels in which the node is the payer (`party_a`).
const PAYER_SHARE: f64 = 0.6;
/// Channel states, as `channels_active` labels them.
const STATES: [&str; 4] = ["open", "escrowed", "disputed", "settling"];
/// The `state` under which `channels_total` counts a channel opened.
const OPENED: &str = STATES[0];
/// The payer and the payee of a channel.
const PARTIES: [&str; 2] = ["party_a", "party_b"];

/// Agents known to the node.
const AGENTS: usize = 25;
/// Chance an agent is replaced each tick.
const AGENT_TURNOVER: f64 = 0.001;
/// An agent's chance of completing a task, drawn uniformly from this range.
const RELIABILITY: (f64, f64) = (0.93, 0.99);
/// Weight of the latest task in an agent's score and averages.
const SMOOTHING: f64 = 0.05;
/// A newcomer's averages before its first task: the marketplace's.
const PRIOR_DURATION: f64 = 1.5;
const PRIOR_COST: f64 = 0.06;

/// Infrastructure peers (bootstrap, relays) monitored besides the agents.
const INFRA_PEERS: (i64, i64) = (4, 12);
/// Content verification latency, seconds (median, log spread): hashing a result.
const VERIFICATION_TIME: (f64, f64) = (0.003, 0.8);

/// Cache lookups per second.
const CACHE_LOOKUPS: f64 = 50.0;
/// Cache capacity, entries: it fills in about half a minute, then evicts.
const CACHE_CAPACITY: i64 = 512;
/// Hit ratio of the full cache.
const CACHE_HIT_MAX: f64 = 0.9;
/// Average entry size, bytes (drifts within [16 KiB, 64 KiB]).
const CACHE_ENTRY_BYTES: f64 = 32.0 * 1024.0;

/// An agent: a peer that bids for and runs tasks.
#[derive(Debug)]
struct Agent {
    /// Its libp2p peer id.
    id: String,
    reliability: f64,
    score: f64,
    executed: u64,
    succeeded: u64,
    avg_duration: f64,
    avg_cost: f64,
}

impl Agent {
    /// A new agent for the population member `member`, its series set.
    fn join(m: &Zerostate, member: &str, rng: &mut Rng) -> Self {
        let agent = Self {
            id: libp2p_peer_id(member),
            reliability: rng.range(RELIABILITY.0, RELIABILITY.1),
            score: 0.5,
            executed: 0,
            succeeded: 0,
            avg_duration: PRIOR_DURATION,
            avg_cost: PRIOR_COST,
        };
        m.reputation.tasks_executed_total(&agent.id).inc_by(0);
        agent.publish(m);
        agent
    }

    /// Sets the agent's reputation gauges.
    fn publish(&self, m: &Zerostate) {
        m.reputation.update_reputation_score(
            &self.id,
            self.score,
            self.success_rate(),
            Duration::from_secs_f64(self.avg_duration),
            self.avg_cost,
        );
    }

    /// Removes the agent's series.
    fn leave(&self, m: &Zerostate) {
        let r = &m.reputation;
        r.remove_reputation_scores(&self.id);
        r.remove_tasks_executed_total(&self.id);
        r.remove_success_rate(&self.id);
        r.remove_average_task_duration_seconds(&self.id);
        r.remove_average_task_cost(&self.id);
    }

    fn success_rate(&self) -> f64 {
        // Laplace's rule: 0.5 with no history.
        (self.succeeded + 1) as f64 / (self.executed + 2) as f64
    }
}

/// A payment channel: `payer + payee + escrowed == deposit`.
#[derive(Debug)]
struct Channel {
    id: String,
    /// The side the node takes.
    party: &'static str,
    deposit: f64,
    payer: f64,
    payee: f64,
    escrowed: f64,
    sequence: u64,
    in_flight: u32,
    disputes: u32,
    opened_at: f64,
    lifetime: f64,
    closing_until: Option<f64>,
}

impl Channel {
    /// The one state the channel is in.
    fn state(&self) -> &'static str {
        if self.closing_until.is_some() {
            "settling"
        } else if self.disputes > 0 {
            "disputed"
        } else if self.in_flight > 0 {
            "escrowed"
        } else {
            "open"
        }
    }

    fn usable_for(&self, amount: f64) -> bool {
        self.closing_until.is_none() && self.disputes == 0 && self.payer >= amount
    }
}

/// An open auction.
#[derive(Debug)]
struct Auction {
    id: String,
    kind: &'static str,
    task: &'static TaskType,
    opened_at: f64,
    closes_at: f64,
    bids: u32,
    /// The lowest bid and its agent.
    best: Option<(f64, String)>,
    second: Option<f64>,
}

/// A task being run: escrowed on `channel`, done at `done_at`.
#[derive(Debug)]
struct Task {
    kind: &'static TaskType,
    agent: String,
    channel: String,
    price: f64,
    duration: f64,
    done_at: f64,
    error: Option<&'static str>,
}

/// A disputed payment, ending at `ends_at`.
#[derive(Debug)]
struct Dispute {
    channel: String,
    price: f64,
    ends_at: f64,
}

/// The zerostate workload.
#[derive(Debug)]
pub struct Workload {
    m: Zerostate,
    /// Seconds since the workload started, by its own clock (the sum of the ticks' `dt`).
    now: f64,
    /// Draws the channel and auction ids: one stream for the workload's life, so an id never
    /// comes back (the ticks' generators repeat when `run` is called again).
    ids: Rng,
    agents: Members<Agent>,
    channels: Vec<Channel>,
    auctions: Vec<Auction>,
    /// The latest closed auctions with a `bids_total` series, oldest first.
    closed_auctions: VecDeque<String>,
    tasks: Vec<Task>,
    disputes: Vec<Dispute>,
    infra_peers: i64,
    pool: i64,
    cache_entries: i64,
    cache_entry_bytes: f64,
    cache_hit_ratio: f64,
}

impl Workload {
    /// A workload driving `m`: the node starts with its agents, channels and pending
    /// disputes loaded from its store, and a cold cache.
    pub fn new(m: Zerostate) -> Self {
        let mut rng = Rng::new(0x2E05_7A7E);
        let agents = Members::new(Population::new("", AGENTS, AGENT_TURNOVER), |member| {
            let mut agent = Agent::join(&m, member, &mut rng);
            // An established agent: a history of tasks behind it.
            agent.executed = rng.range(200.0, 5000.0) as u64;
            agent.succeeded = (agent.executed as f64 * agent.reliability).round() as u64;
            agent.score = agent.success_rate() * rng.range(0.8, 1.0);
            agent.avg_duration = rng.lognormal(PRIOR_DURATION, 0.3);
            agent.avg_cost = rng.lognormal(PRIOR_COST, 0.3);
            agent.publish(&m);
            agent
        });
        let mut w = Self {
            m,
            now: 0.0,
            ids: Rng::new(0x1D5_5EED),
            agents,
            channels: Vec::new(),
            auctions: Vec::new(),
            closed_auctions: VecDeque::new(),
            tasks: Vec::new(),
            disputes: Vec::new(),
            infra_peers: 8,
            pool: 0,
            cache_entries: 0,
            cache_entry_bytes: CACHE_ENTRY_BYTES,
            cache_hit_ratio: 0.0,
        };
        for _ in 0..CHANNELS {
            let mut c = new_channel(&mut w.ids, &mut rng, 0.0, MIN_DEPOSIT);
            // Part spent, part of its life behind it.
            let spent = c.deposit * rng.range(0.0, 0.4);
            c.payer -= spent;
            c.payee += spent;
            c.opened_at = -rng.range(0.0, c.lifetime);
            w.channels.push(c);
        }
        for i in 0..LOADED_DISPUTES {
            let c = &mut w.channels[i];
            let price = rng.lognormal(PRIOR_COST, BID_SPREAD);
            c.payer -= price;
            c.escrowed += price;
            c.in_flight += 1;
            c.disputes += 1;
            w.disputes.push(Dispute {
                channel: c.id.clone(),
                price,
                ends_at: rng.lognormal(DISPUTE_TIME.0, DISPUTE_TIME.1),
            });
        }
        w.pool = w.monitored() + 10;
        w.known_series();
        w
    }

    /// Creates the series of every known label value at 0, as the Go client's users do with
    /// `WithLabelValues` at start, so `rate()` sees them from the first scrape and the series
    /// count does not grow as rare outcomes first occur.
    fn known_series(&self) {
        let (t, e) = (&self.m.tasks, &self.m.escrow);
        for (task, _) in TASK_TYPES {
            let name = task.name;
            t.tasks_submitted_total(name).inc_by(0);
            for status in [SUCCESS, FAILED] {
                t.tasks_completed_total(name, status).inc_by(0);
            }
            for (error, _) in TASK_ERRORS {
                t.task_errors_total(name, error).inc_by(0);
            }
            let _ = (t.task_duration_seconds(name), t.task_cost(name));
            e.escrows_created_total(name).inc_by(0);
        }
        for (kind, _) in AUCTION_TYPES {
            for status in [SUCCESS, FAILED] {
                self.m.auctions.auctions_total(kind, status).inc_by(0);
            }
        }
        for outcome in RELEASES.iter().map(|(o, _)| *o).chain([DISPUTE_RELEASE]) {
            e.escrow_releases_total(outcome).inc_by(0);
        }
        for reason in REFUND_REASONS {
            e.escrow_refunds_total(reason).inc_by(0);
        }
        for status in [SUCCESS, FAILED, REFUNDED] {
            self.m.payments.payments_total(status).inc_by(0);
        }
        for status in [SUCCESS, FAILED] {
            self.m.settlements.settlements_total(status).inc_by(0);
        }
        for status in DISPUTE_STATUSES {
            self.m.settlements.disputes_total(status).inc_by(0);
        }
        for party in PARTIES {
            self.m
                .payment_channels
                .channels_total(OPENED, party)
                .inc_by(0);
        }
    }

    /// Peers the monitor watches: every agent and the infrastructure peers.
    fn monitored(&self) -> i64 {
        self.agents.len() as i64 + self.infra_peers
    }

    /// Agents leave and join; a leaver's series go.
    fn reputation(&mut self, t: &mut Tick) {
        let m = &self.m;
        for left in self
            .agents
            .churn(&mut t.rng, |member, rng| Agent::join(m, member, rng))
        {
            left.leave(m);
        }
    }

    /// Agents bid on the open auctions; closed auctions hand their task to the winner; new
    /// tasks are submitted and put up for auction.
    fn auctions(&mut self, t: &mut Tick) {
        let now = self.now;
        for a in &mut self.auctions {
            // Bids arrive while the auction is open, over the part of this tick it was open.
            let open = a.closes_at.min(now) - a.opened_at.max(now - t.dt);
            for _ in 0..t.rng.poisson(BID_RATE * open.max(0.0)) {
                let amount = t.rng.lognormal(a.task.cost, BID_SPREAD);
                let agent = &self.agents[t.rng.below(self.agents.len())];
                self.m.auctions.record_bid(&a.id, amount);
                a.bids += 1;
                match &a.best {
                    Some((best, _)) if *best <= amount => {
                        a.second = Some(a.second.map_or(amount, |s| s.min(amount)));
                    }
                    _ => {
                        a.second = a.best.as_ref().map(|(b, _)| *b);
                        a.best = Some((amount, agent.id.clone()));
                    }
                }
            }
        }
        let (closed, open): (Vec<Auction>, Vec<Auction>) = std::mem::take(&mut self.auctions)
            .into_iter()
            .partition(|a| a.closes_at <= now);
        self.auctions = open;
        for a in closed {
            let au = &self.m.auctions;
            au.auction_duration_seconds()
                .observe(a.closes_at - a.opened_at);
            if a.bids > 0 {
                self.closed_auctions.push_back(a.id.clone());
            }
            let Some((best, agent)) = a.best else {
                au.auctions_total(a.kind, FAILED).inc();
                continue;
            };
            au.auctions_total(a.kind, SUCCESS).inc();
            let price = match a.kind {
                "second_price" => a.second.unwrap_or(best),
                _ => best,
            };
            self.assign(t, a.task, agent, price);
        }
        while self.closed_auctions.len() > AUCTIONS_KEPT {
            if let Some(id) = self.closed_auctions.pop_front() {
                self.m.auctions.remove_bids_total(&id);
            }
        }
        for _ in 0..t.events(TASK_RATE) {
            let task = t.rng.weighted(TASK_TYPES);
            self.m.tasks.tasks_submitted_total(task.name).inc();
            let window = t
                .rng
                .lognormal(AUCTION_WINDOW.0, AUCTION_WINDOW.1)
                .clamp(0.5, 8.0);
            self.auctions.push(Auction {
                id: uuid(&mut self.ids),
                kind: t.rng.weighted::<&str>(AUCTION_TYPES),
                task,
                opened_at: now,
                closes_at: now + window,
                bids: 0,
                best: None,
                second: None,
            });
        }
    }

    /// Escrows `price` on a channel and starts the task on `agent`.
    fn assign(&mut self, t: &mut Tick, kind: &'static TaskType, agent: String, price: f64) {
        let now = self.now;
        let found = (0..8)
            .map(|_| t.rng.below(self.channels.len()))
            .find(|&i| self.channels[i].usable_for(price));
        let i = match found {
            Some(i) => i,
            None => {
                // No channel can take it: open one for it.
                let c = new_channel(
                    &mut self.ids,
                    &mut t.rng,
                    now,
                    MIN_DEPOSIT.max(50.0 * price),
                );
                self.opened(&c);
                self.channels.push(c);
                self.channels.len() - 1
            }
        };
        let c = &mut self.channels[i];
        c.payer -= price;
        c.escrowed += price;
        c.in_flight += 1;
        c.sequence += 1;
        self.m.escrow.escrows_created_total(kind.name).inc();
        self.m.escrow.escrow_amount().observe(price);

        let reliability = self
            .agents
            .iter()
            .find(|a| a.id == agent)
            .map_or(RELIABILITY.0, |a| a.reliability);
        let run = t.rng.lognormal(kind.duration, kind.spread);
        let (duration, error) = if t.rng.chance(reliability) {
            (run, None)
        } else {
            match *t.rng.weighted(TASK_ERRORS) {
                "timeout" => (TASK_TIMEOUT, Some("timeout")),
                // Fails part way through.
                e => (run * t.rng.range(0.05, 1.0), Some(e)),
            }
        };
        self.tasks.push(Task {
            kind,
            agent,
            channel: c.id.clone(),
            price,
            duration,
            done_at: now + duration,
            error,
        });
    }

    /// Tasks finish: outcome, reputation, then payment, dispute or refund.
    fn tasks(&mut self, t: &mut Tick) {
        let now = self.now;
        let (done, running): (Vec<Task>, Vec<Task>) = std::mem::take(&mut self.tasks)
            .into_iter()
            .partition(|task| task.done_at <= now);
        self.tasks = running;
        for task in done {
            let success = task.error.is_none();
            let name = task.kind.name;
            self.m.tasks.record_task_execution(
                name,
                Duration::from_secs_f64(task.duration),
                task.price,
                success,
            );
            self.rate_agent(&task);
            match task.error {
                Some(error) => {
                    self.m.tasks.task_errors_total(name, error).inc();
                    let [failed, timed_out, _] = REFUND_REASONS;
                    let reason = if error == "timeout" {
                        timed_out
                    } else {
                        failed
                    };
                    self.refund(&task.channel, task.price, reason);
                }
                None => {
                    let latency = t.rng.lognormal(VERIFICATION_TIME.0, VERIFICATION_TIME.1);
                    self.m.p2p.content_verification_latency().observe(latency);
                    if t.rng.chance(DISPUTE_RATE) {
                        if let Some(c) = self.channel(&task.channel) {
                            c.disputes += 1;
                        }
                        self.disputes.push(Dispute {
                            channel: task.channel,
                            price: task.price,
                            ends_at: now + t.rng.lognormal(DISPUTE_TIME.0, DISPUTE_TIME.1),
                        });
                    } else {
                        let outcome = *t.rng.weighted(RELEASES);
                        self.pay(t, &task.channel, task.price, outcome);
                    }
                }
            }
        }
    }

    /// Updates the reputation of the agent that ran `task`, if it is still known.
    fn rate_agent(&mut self, task: &Task) {
        let Some(i) = self.agents.iter().position(|a| a.id == task.agent) else {
            return;
        };
        let a = &mut self.agents[i];
        a.executed += 1;
        // A success scores by its speed against the type's usual time; a failure scores 0.
        let outcome = match task.error {
            None => {
                a.succeeded += 1;
                0.6 + 0.4 * (task.kind.duration / task.duration).min(1.0)
            }
            Some(_) => 0.0,
        };
        a.score = ewma(a.score, outcome, SMOOTHING);
        a.avg_duration = ewma(a.avg_duration, task.duration, SMOOTHING);
        a.avg_cost = ewma(a.avg_cost, task.price, SMOOTHING);
        self.m.reputation.tasks_executed_total(&a.id).inc();
        a.publish(&self.m);
    }

    fn channel(&mut self, id: &str) -> Option<&mut Channel> {
        self.channels.iter_mut().find(|c| c.id == id)
    }

    /// Pays `amount` to the payee of channel `id` and settles it, releasing the escrow.
    fn pay(&mut self, t: &mut Tick, id: &str, amount: f64, outcome: &str) {
        let m = self.m.clone();
        let Some(c) = self.channel(id) else {
            return;
        };
        for ok in retried(&mut t.rng, PAYMENT_FAILURE) {
            // A failed update is retried under the same sequence number.
            c.sequence += u64::from(ok);
            let took = t.rng.lognormal(PAYMENT_TIME.0, PAYMENT_TIME.1);
            m.payments
                .record_payment(&c.id, amount, c.sequence, Duration::from_secs_f64(took), ok);
        }
        for ok in retried(&mut t.rng, SETTLEMENT_FAILURE) {
            let took = t.rng.lognormal(SETTLEMENT_TIME.0, SETTLEMENT_TIME.1);
            m.settlements
                .record_settlement(amount, Duration::from_secs_f64(took), ok);
        }
        m.escrow.escrow_releases_total(outcome).inc();
        c.escrowed = (c.escrowed - amount).max(0.0);
        c.payee += amount;
        c.in_flight -= 1;
    }

    /// Returns the escrowed `amount` to the payer of channel `id`.
    fn refund(&mut self, id: &str, amount: f64, reason: &str) {
        let m = self.m.clone();
        let Some(c) = self.channel(id) else {
            return;
        };
        m.payments.payments_total(REFUNDED).inc();
        m.payments.payment_amount().observe(amount);
        m.escrow.escrow_refunds_total(reason).inc();
        c.escrowed = (c.escrowed - amount).max(0.0);
        c.payer += amount;
        c.in_flight -= 1;
    }

    /// Disputes end: the escrow is released or refunded.
    fn settlements(&mut self, t: &mut Tick) {
        let now = self.now;
        let (ended, pending): (Vec<Dispute>, Vec<Dispute>) = std::mem::take(&mut self.disputes)
            .into_iter()
            .partition(|d| d.ends_at <= now);
        self.disputes = pending;
        for d in ended {
            let [agreed, arbitrated] = DISPUTE_STATUSES;
            let status = if t.rng.chance(DISPUTE_AGREED) {
                agreed
            } else {
                arbitrated
            };
            self.m.settlements.disputes_total(status).inc();
            if let Some(c) = self.channel(&d.channel) {
                c.disputes -= 1;
            }
            if t.rng.chance(DISPUTE_AGENT_WINS) {
                self.pay(t, &d.channel, d.price, DISPUTE_RELEASE);
            } else {
                self.refund(&d.channel, d.price, REFUND_REASONS[2]);
            }
        }
    }

    /// Counts a channel just opened.
    fn opened(&self, c: &Channel) {
        self.m
            .payment_channels
            .channels_total(OPENED, c.party)
            .inc();
    }

    /// Channels close and are replaced; balances and counts by state are published.
    fn payment_channels(&mut self, t: &mut Tick) {
        let now = self.now;
        let pc = self.m.payment_channels.clone();
        self.channels.retain_mut(|c| match c.closing_until {
            Some(until) if until <= now => {
                pc.channel_duration_seconds().observe(now - c.opened_at);
                for party in PARTIES {
                    pc.remove_channel_balances(&c.id, party);
                }
                false
            }
            Some(_) => true,
            None => {
                let idle = c.in_flight == 0 && c.disputes == 0;
                let due = now - c.opened_at >= c.lifetime || c.payer < LOW_BALANCE * c.deposit;
                if idle && due {
                    let closing = t.rng.lognormal(CLOSING_TIME.0, CLOSING_TIME.1);
                    c.closing_until = Some(now + closing);
                }
                true
            }
        });
        while self.channels.len() < CHANNELS {
            let c = new_channel(&mut self.ids, &mut t.rng, now, MIN_DEPOSIT);
            self.opened(&c);
            self.channels.push(c);
        }
        let mut active = [[0i64; PARTIES.len()]; STATES.len()];
        for c in &self.channels {
            pc.channel_balances(&c.id, PARTIES[0]).set(c.payer);
            pc.channel_balances(&c.id, PARTIES[1]).set(c.payee);
            let s = STATES.iter().position(|s| *s == c.state()).unwrap_or(0);
            let p = PARTIES.iter().position(|p| *p == c.party).unwrap_or(0);
            active[s][p] += 1;
        }
        for (s, state) in STATES.iter().enumerate() {
            for (p, party) in PARTIES.iter().enumerate() {
                pc.channels_active(state, party).set(active[s][p]);
            }
        }
    }

    /// The peer monitor and the connection pool drift with the peers.
    fn p2p(&mut self, t: &mut Tick) {
        if t.rng.chance(0.05) {
            let step = if t.rng.chance(0.5) { 1 } else { -1 };
            self.infra_peers = (self.infra_peers + step).clamp(INFRA_PEERS.0, INFRA_PEERS.1);
        }
        let monitored = self.monitored();
        if t.rng.chance(0.2) {
            self.pool += t.rng.below(5) as i64 - 2;
        }
        self.pool = self.pool.clamp(monitored, 2 * monitored);
        self.m.p2p.active_peer_monitors().set(monitored);
        self.m.p2p.connection_pool_size().set(self.pool);
    }

    /// The content cache: hits grow with how full it is; misses insert, past capacity they
    /// evict.
    fn cache(&mut self, t: &mut Tick) {
        let lookups = t.events(CACHE_LOOKUPS);
        let hit = CACHE_HIT_MAX * self.cache_entries as f64 / CACHE_CAPACITY as f64;
        let hits = (0..lookups).filter(|_| t.rng.chance(hit)).count() as u64;
        let inserted = self.cache_entries + (lookups - hits) as i64;
        let evicted = (inserted - CACHE_CAPACITY).max(0);
        self.cache_entries = inserted - evicted;
        if lookups > 0 {
            let ratio = hits as f64 / lookups as f64;
            self.cache_hit_ratio = ewma(self.cache_hit_ratio, ratio, 0.1);
        }
        self.cache_entry_bytes = (self.cache_entry_bytes * (0.01 * t.rng.normal()).exp())
            .clamp(16.0 * 1024.0, 64.0 * 1024.0);
        let c = &self.m.cache;
        c.cache_entries().set(self.cache_entries);
        c.cache_evictions_total().inc_by(evicted as u64);
        c.cache_hit_ratio()
            .set(self.cache_hit_ratio.clamp(0.0, 1.0));
        c.cache_memory_bytes()
            .set((self.cache_entries as f64 * self.cache_entry_bytes) as i64);
    }
}

impl Drive for Workload {
    fn step(&mut self, t: &mut Tick) {
        // Its own clock: `crate::workload::run` numbers ticks and `elapsed` from 0 at every call.
        self.now += t.dt;
        self.reputation(t);
        self.auctions(t);
        self.tasks(t);
        self.settlements(t);
        self.payment_channels(t);
        self.p2p(t);
        self.cache(t);
    }
}

/// A channel opened at `now` with a fresh deposit (at least `min`), all of it the payer's; its
/// id drawn from `ids`.
fn new_channel(ids: &mut Rng, rng: &mut Rng, now: f64, min: f64) -> Channel {
    let deposit = rng.lognormal(DEPOSIT.0, DEPOSIT.1).max(min);
    Channel {
        id: format!("channel-{:016x}{:016x}", ids.next_u64(), ids.next_u64()),
        party: if rng.chance(PAYER_SHARE) {
            PARTIES[0]
        } else {
            PARTIES[1]
        },
        deposit,
        payer: deposit,
        payee: 0.0,
        escrowed: 0.0,
        sequence: 0,
        in_flight: 0,
        disputes: 0,
        opened_at: now,
        lifetime: rng.lognormal(CHANNEL_LIFETIME.0, CHANNEL_LIFETIME.1),
        closing_until: None,
    }
}

/// Outcomes of an operation retried until it succeeds: `false` for each failed attempt
/// (each with probability `failure`), then `true`.
fn retried(rng: &mut Rng, failure: f64) -> Vec<bool> {
    let mut out = Vec::new();
    while rng.chance(failure) {
        out.push(false);
    }
    out.push(true);
    out
}

/// A random version-4 UUID.
fn uuid(rng: &mut Rng) -> String {
    let (a, b) = (rng.next_u64(), rng.next_u64());
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use promdecl::Registry;

    use super::*;
    use crate::workload::testing::{
        assert_counters_never_go_back, histogram_buckets, Sim, Snapshot,
    };
    use crate::workload::Drive;

    const ECONOMIC: &str = "zerostate_economic_";

    /// (family, label values) that must have counted something.
    fn assert_counted(s: &Snapshot, family: &str, pattern: &[Option<&str>]) {
        let name = format!("{ECONOMIC}{family}");
        assert!(
            s.sum_matching(&name, pattern) > 0.0,
            "{name}{pattern:?} never counted"
        );
    }

    #[test]
    fn the_first_minute_moves_every_family_and_shows_every_outcome() {
        let s = Sim::new("zerostate").ticks(60);
        let idle = s.idle(&["metrics_series_overflow_total"]);
        assert!(idle.is_empty(), "idle after a minute: {idle:?}");
        // The corrected `PaymentChannelLeaks` selects successful settlements; its test input
        // and the helpers also write failed ones.
        for status in [SUCCESS, FAILED] {
            assert_counted(&s, "settlements_total", &[Some(status)]);
            assert_counted(&s, "payments_total", &[Some(status)]);
            assert_counted(&s, "tasks_completed_total", &[None, Some(status)]);
        }
        assert_counted(&s, "payments_total", &[Some(REFUNDED)]);
        assert_counted(&s, "auctions_total", &[None, Some(SUCCESS)]);
        assert_counted(&s, "task_errors_total", &[None, None]);
        assert_counted(&s, "escrow_refunds_total", &[Some("task_failed")]);
        assert_counted(&s, "channels_total", &[Some(OPENED), None]);
        assert_counted(&s, "disputes_total", &[None]);
    }

    #[test]
    fn ten_minutes_stay_consistent() {
        let mut sim = Sim::new("zerostate");
        let warm = sim.ticks(60);
        let mut before = warm.clone();
        let mut errors_at_5m = Snapshot::default();
        for minute in 2..=10 {
            let now = sim.ticks(60);
            check(&now);
            assert_counters_never_go_back(&before, &now);
            if minute == 5 {
                errors_at_5m = now.clone();
            }
            before = now;
        }
        let end = before;
        let with_series = |s: &Snapshot| {
            let families = s.families().values();
            families.filter(|f| !f.series.is_empty()).count()
        };
        assert_eq!(with_series(&warm), with_series(&end));
        let (warm_count, end_count) = (warm.series_count(), end.series_count());
        let change = (end_count as f64 - warm_count as f64).abs() / warm_count as f64;
        assert!(change < 0.05, "series {warm_count} -> {end_count}");

        // `HighTaskFailureRate` stays quiet: no error series grows by 0.1/s over 5 minutes.
        let errors = format!("{ECONOMIC}task_errors_total");
        for (labels, v) in end.matching(&errors, &[None, None]) {
            let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
            let was = errors_at_5m.try_get(&errors, &labels).unwrap_or(0.0);
            assert!((v - was) / 300.0 < 0.1, "{labels:?} fails too often");
        }
        // `SlowTaskExecution` stays quiet: fewer than 1% of tasks take over 10 s.
        let buckets = histogram_buckets(&sim.registry, "zerostate_economic_task_duration_seconds");
        let bucket = |le: f64| buckets.iter().find(|b| b.0 == le).map_or(0, |b| b.1) as f64;
        let slow = 1.0 - bucket(10.0) / bucket(f64::INFINITY);
        assert!(slow > 0.0 && slow < 0.01, "{slow} of tasks over 10 s");

        // Over ten minutes every outcome of every closed set occurs.
        let want: &[(&str, usize, &[&str])] = &[
            ("auctions_total", 1, &[SUCCESS, FAILED]),
            ("auctions_total", 0, &["first_price", "second_price"]),
            ("disputes_total", 0, &["resolved", "arbitrated"]),
            (
                "escrow_releases_total",
                0,
                &["payer_confirmed", "auto_released", DISPUTE_RELEASE],
            ),
            (
                "escrow_refunds_total",
                0,
                &["task_failed", "task_timeout", "dispute_lost"],
            ),
            (
                "task_errors_total",
                1,
                &[
                    "execution_failed",
                    "agent_disconnected",
                    "out_of_memory",
                    "timeout",
                ],
            ),
            ("channels_total", 1, &PARTIES),
            ("tasks_completed_total", 1, &[SUCCESS, FAILED]),
        ];
        for (family, label, expected) in want {
            let family = format!("{ECONOMIC}{family}");
            let got = end.label_values(&family, *label);
            for v in *expected {
                assert!(got.contains(*v), "{family}: no {v} in {got:?}");
            }
        }
        let types: BTreeSet<String> = TASK_TYPES.iter().map(|(t, _)| t.name.to_string()).collect();
        assert_eq!(
            end.label_values(&format!("{ECONOMIC}tasks_completed_total"), 0),
            types
        );
    }

    /// What holds at every snapshot.
    fn check(s: &Snapshot) {
        let f = |name: &str| format!("{ECONOMIC}{name}");
        let total = |name: &str, pattern: &[Option<&str>]| s.sum_matching(&f(name), pattern);

        // Tasks: no more completed than submitted; every failure has its error.
        assert!(
            total("tasks_completed_total", &[None, None])
                <= total("tasks_submitted_total", &[None])
        );
        assert_eq!(
            total("task_errors_total", &[None, None]),
            total("tasks_completed_total", &[None, Some(FAILED)])
        );
        assert!(
            total("escrows_created_total", &[None])
                >= total("tasks_completed_total", &[None, None])
        );
        // Settlements follow payments one for one; every settled payment releases its escrow,
        // every refund is a refunded payment.
        let paid = total("payments_total", &[Some(SUCCESS)]);
        assert_eq!(paid, total("settlements_total", &[Some(SUCCESS)]));
        assert_eq!(paid, total("escrow_releases_total", &[None]));
        assert_eq!(
            total("payments_total", &[Some(REFUNDED)]),
            total("escrow_refunds_total", &[None])
        );
        // Statuses only from their sets.
        let statuses = |name: &str, label: usize| s.label_values(&f(name), label);
        assert!(statuses("payments_total", 0)
            .iter()
            .all(|v| [SUCCESS, FAILED, REFUNDED].contains(&v.as_str())));
        assert!(statuses("settlements_total", 0)
            .iter()
            .all(|v| [SUCCESS, FAILED].contains(&v.as_str())));
        assert!(statuses("channels_total", 0).iter().all(|v| v == OPENED));
        assert!(statuses("channels_active", 0)
            .iter()
            .all(|v| STATES.contains(&v.as_str())));

        // Channels: counted by state once each; balances never negative.
        let balances_name = f("channel_balances");
        let balances: Vec<(&[String], f64)> = s.matching(&balances_name, &[None, None]).collect();
        assert!(balances.iter().all(|(_, v)| *v >= 0.0), "negative balance");
        let channels: BTreeSet<&String> = balances.iter().map(|(l, _)| &l[0]).collect();
        assert_eq!(balances.len(), 2 * channels.len());
        assert!(channels
            .iter()
            .all(|c| c.len() == 40 && c.starts_with("channel-")));
        assert_eq!(
            total("channels_active", &[None, None]),
            channels.len() as f64
        );
        assert!(
            (CHANNELS..CHANNELS + 8).contains(&channels.len()),
            "{} channels",
            channels.len()
        );

        // Reputation: 25 agents, each with all five series, ratios in [0, 1].
        for family in ["reputation_scores", "success_rate"] {
            for (peer, v) in s.matching(&f(family), &[None]) {
                assert!((0.0..=1.0).contains(&v), "{family}{peer:?} = {v}");
            }
        }
        for family in [
            "reputation_scores",
            "tasks_executed_total",
            "success_rate",
            "average_task_duration_seconds",
            "average_task_cost",
        ] {
            let peers = s.label_values(&f(family), 0);
            assert_eq!(peers.len(), AGENTS, "{family}");
            assert!(peers
                .iter()
                .all(|p| p.starts_with("12D3KooW") && p.len() == 52));
        }
        for family in ["average_task_duration_seconds", "average_task_cost"] {
            assert!(
                s.matching(&f(family), &[None]).all(|(_, v)| v > 0.0),
                "{family}"
            );
        }

        // P2P and cache.
        let one = |name: &str| s.one(name);
        let monitors = one("active_peer_monitors");
        assert!((AGENTS as f64 + 4.0..=AGENTS as f64 + 12.0).contains(&monitors));
        let pool = one("connection_pool_size");
        assert!((monitors..=2.0 * monitors).contains(&pool));
        assert!((0.0..=1.0).contains(&one("cache_hit_ratio")));
        let entries = one("cache_entries");
        assert!(entries <= CACHE_CAPACITY as f64);
        let per_entry = one("cache_memory_bytes") / entries;
        assert!((16.0 * 1024.0..=64.0 * 1024.0).contains(&per_entry));
    }

    #[test]
    fn channel_books_balance_and_states_are_one_hot() {
        let registry = Registry::new();
        let mut w = Workload::new(Zerostate::register(&registry).unwrap());
        for n in 0..600 {
            let mut tick = Tick::new(n, 1.0, n as f64);
            w.step(&mut tick);
            for c in &w.channels {
                let books = c.payer + c.payee + c.escrowed;
                assert!((books - c.deposit).abs() < 1e-9, "{c:?}");
                assert!(
                    c.payer >= -1e-9 && c.payee >= 0.0 && c.escrowed >= -1e-9,
                    "{c:?}"
                );
                assert!(c.payer <= c.deposit && c.payee <= c.deposit, "{c:?}");
                let tasks = w.tasks.iter().filter(|t| t.channel == c.id).count();
                let disputes = w.disputes.iter().filter(|d| d.channel == c.id).count();
                assert_eq!(c.in_flight as usize, tasks + disputes, "{c:?}");
                assert_eq!(c.disputes as usize, disputes, "{c:?}");
                if c.in_flight == 0 {
                    assert!(c.escrowed.abs() < 1e-9, "{c:?}");
                }
            }
            // One state per channel: the gauges add up to the channels, by party.
            for party in PARTIES {
                let gauges: i64 = STATES
                    .iter()
                    .map(|s| w.m.payment_channels.channels_active(s, party).get())
                    .sum();
                let live = w.channels.iter().filter(|c| c.party == party).count();
                assert_eq!(gauges, live as i64, "{party} at tick {n}");
            }
            for c in &w.channels {
                let balance = |p| w.m.payment_channels.channel_balances(&c.id, p).get();
                assert_eq!(balance(PARTIES[0]), c.payer);
                assert_eq!(balance(PARTIES[1]), c.payee);
            }
            assert_eq!(w.agents.len(), AGENTS);
            let ids = w.agents.names().iter().map(|m| libp2p_peer_id(m));
            assert!(w.agents.iter().zip(ids).all(|(a, id)| a.id == id));
        }
        // Agents and channels came and went; their series went with them.
        assert!(w
            .agents
            .names()
            .iter()
            .any(|m| m.parse::<usize>().unwrap() >= AGENTS));
        let balances = promdecl::testing::series_count(
            &*w.m.payment_channels,
            "zerostate_economic_channel_balances",
        );
        assert_eq!(balances, Some(2 * w.channels.len()));
        let scores = promdecl::testing::series_count(
            &*w.m.reputation,
            "zerostate_economic_reputation_scores",
        );
        assert_eq!(scores, Some(AGENTS));
        let bids = promdecl::testing::series_count(&*w.m.auctions, "zerostate_economic_bids_total");
        assert!(bids.unwrap() <= AUCTIONS_KEPT + w.auctions.len());
    }

    #[test]
    fn ids_look_real() {
        let id = libp2p_peer_id("7");
        assert_eq!(id, libp2p_peer_id("7"), "a member keeps its id");
        assert_ne!(id, libp2p_peer_id("8"));
        assert_eq!(id.len(), 52);
        assert!(id.starts_with("12D3KooW"));
        let u = uuid(&mut Rng::new(42));
        let groups: Vec<usize> = u.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{u}");
        assert_eq!(&u[14..15], "4", "{u}");
    }
}
