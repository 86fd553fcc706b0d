//! Start timestamps: when each counter and histogram series began counting from zero
//! (OpenMetrics `_created`, protobuf `created_timestamp`).
//!
//! A series created by an update does not read the clock: on some virtual machines reading it
//! is a system call (about 100 ns measured here, as much as creating the series). It takes
//! instead the start of the latest scrape of any registry in the process, which is a time at
//! which it did not exist yet, so its count was zero then: a start timestamp at most one
//! scrape interval early, never late. A family, and its enumerated series, take the time it
//! was created.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch at the start of the latest scrape.
static LAST_SCRAPE_MS: AtomicU64 = AtomicU64::new(0);

/// Now, in milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Notes that a scrape starts now: series created from here on start no earlier.
pub(crate) fn scrape_started() {
    LAST_SCRAPE_MS.fetch_max(now_ms(), Relaxed);
}

/// The start timestamp of a series created now in a family created at `family_ms`.
#[inline]
pub(crate) fn for_new_series(family_ms: u64) -> u64 {
    LAST_SCRAPE_MS.load(Relaxed).max(family_ms)
}

/// `ms` since the Unix epoch as a time.
pub(crate) fn as_time(ms: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms)
}
