//! The page's sparklines: the last few minutes of the series it shows, sampled in the
//! background while someone looks at the page.
//!
//! Nothing is kept until the page or its JSON is first requested; the sampler then reads the
//! shown series every [`INTERVAL`] and stops, dropping every point, [`IDLE`] after the last
//! request. Memory is bounded whatever the registry holds: at most [`MAX_SERIES`] series of
//! [`POINTS`] `f32` points each, about 2 MB with the series' names.

use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// Time between two points.
pub const INTERVAL: Duration = Duration::from_secs(2);
/// Points kept per series: three minutes at [`INTERVAL`].
pub const POINTS: usize = 90;
/// Series with a history at most; the ones past it are shown without a sparkline.
pub const MAX_SERIES: usize = 5000;
/// How long the sampler runs after the last request of the page or its JSON.
pub const IDLE: Duration = Duration::from_secs(600);

/// The recent values of the shown series, by series key (see [`key`]).
#[derive(Debug, Default)]
pub struct History {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    series: HashMap<String, Vec<f32>>,
    /// When the page was last requested; `None` while no sampler runs.
    last_view: Option<Instant>,
    /// The filter of the latest request, whose series are sampled besides the unfiltered
    /// page's.
    query: String,
}

/// The key of one series: its family's exposed name and its label values.
pub fn key(family: &str, values: &[&str]) -> String {
    let mut k = String::from(family);
    for v in values {
        // Length-prefixed, so no two tuples of values make one key.
        k.push(' ');
        k.push_str(itoa::Buffer::new().format(v.len()));
        k.push(':');
        k.push_str(v);
    }
    k
}

impl History {
    /// Notes a request of the page filtered by `query`; starts the sampler if none runs.
    /// `sample` reads the series (key and value) the page shows for a filter, for each new
    /// point.
    pub fn viewed(
        self: &Arc<Self>,
        query: &str,
        sample: impl Fn(&str) -> Vec<(String, f64)> + Send + Sync + 'static,
    ) {
        let mut state = self.state.lock();
        let running = state.last_view.is_some();
        state.last_view = Some(Instant::now());
        query.clone_into(&mut state.query);
        drop(state);
        if running {
            return;
        }
        tokio::spawn(run(Arc::downgrade(self), sample));
    }

    /// The points of series `key`, oldest first.
    pub fn points(&self, key: &str) -> Vec<f32> {
        self.state
            .lock()
            .series
            .get(key)
            .cloned()
            .unwrap_or_default()
    }

    /// Appends one point per series; forgets series no longer shown.
    fn record(&self, values: Vec<(String, f64)>) {
        let mut state = self.state.lock();
        let mut next: HashMap<String, Vec<f32>> = HashMap::with_capacity(values.len());
        for (k, v) in values {
            // A series on both the filtered and the unfiltered page gets one point.
            if next.len() == MAX_SERIES || next.contains_key(&k) {
                continue;
            }
            let mut points = state.series.remove(&k).unwrap_or_default();
            if points.len() == POINTS {
                points.remove(0);
            }
            // Sparklines only: f32 halves the memory and loses nothing a plot shows.
            points.push(v as f32);
            next.insert(k, points);
        }
        state.series = next;
    }

    /// The filter of the latest request.
    fn query(&self) -> String {
        self.state.lock().query.clone()
    }

    /// Whether the page went unrequested for [`IDLE`]: then every point is dropped.
    fn idle(&self) -> bool {
        let mut state = self.state.lock();
        let idle = state.last_view.is_none_or(|t| t.elapsed() >= IDLE);
        if idle {
            *state = State::default();
        }
        idle
    }

    /// Series with a history now.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.state.lock().series.len()
    }
}

/// Samples every [`INTERVAL`] until the history is dropped or idle.
async fn run(
    history: Weak<History>,
    sample: impl Fn(&str) -> Vec<(String, f64)> + Send + Sync + 'static,
) {
    let sample = Arc::new(sample);
    let mut ticks = tokio::time::interval(INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        ticks.tick().await;
        let Some(h) = history.upgrade() else { return };
        if h.idle() {
            return;
        }
        // Reading the registry is CPU work: off the async threads. The unfiltered page's
        // series, and the filtered one's.
        let (read, query) = (sample.clone(), h.query());
        let both = move || {
            let mut values = read("");
            if !query.is_empty() {
                values.extend(read(&query));
            }
            values
        };
        let Ok(values) = tokio::task::spawn_blocking(both).await else {
            return;
        };
        h.record(values);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_bounded_and_unshown_series_forgotten() {
        let h = History::default();
        for i in 0..(POINTS + 10) {
            h.record(vec![(key("a", &["x"]), i as f64), (key("b", &[]), 1.0)]);
        }
        let a = h.points(&key("a", &["x"]));
        assert_eq!(a.len(), POINTS);
        assert_eq!(a[0], 10.0, "the oldest points went first");
        h.record(vec![(key("a", &["x"]), 0.0), (key("a", &["x"]), 0.0)]);
        assert!(h.points(&key("b", &[])).is_empty());
        assert_eq!(
            h.points(&key("a", &["x"])).len(),
            POINTS,
            "one point per series and time"
        );
        let many = (0..MAX_SERIES + 5).map(|i| (i.to_string(), 1.0)).collect();
        h.record(many);
        assert_eq!(h.len(), MAX_SERIES);
    }

    #[test]
    fn keys_keep_values_apart() {
        assert_ne!(key("f", &["ab", ""]), key("f", &["a", "b"]));
        assert_ne!(key("f", &["a 1:b"]), key("f", &["a", "b"]));
    }
}
