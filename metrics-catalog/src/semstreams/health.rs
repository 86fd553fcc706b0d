//! The body of semstreams' `GET /health` (seed: "Health endpoint response format"):
//!
//! ```json
//! {
//! "status": "healthy",
//! "timestamp": "2024-01-15T10:30:00Z"
//! }
//! ```
//!
//! Two fields, in that order: `status`, a string, and `timestamp`, RFC 3339 in UTC to the
//! second with a `Z` suffix. The document shows only `"healthy"`; the other statuses are those
//! of semstreams' `health` package (`"healthy"`, `"degraded"`, `"unhealthy"`).

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The `status` of a health response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HealthStatus {
    /// `"healthy"`, the document's example.
    Healthy,
    /// `"degraded"`: serving, with a dependency impaired.
    Degraded,
    /// `"unhealthy"`.
    Unhealthy,
}

impl HealthStatus {
    /// The status as the JSON gives it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Healthy => "healthy",
            Self::Degraded => "degraded",
            Self::Unhealthy => "unhealthy",
        }
    }
}

/// A `/health` response: its status and when it was taken. Its [`Display`](fmt::Display) is the
/// JSON body.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use promdecl_catalog::semstreams::health::{Health, HealthStatus};
///
/// let at = UNIX_EPOCH + Duration::from_secs(1_705_314_600);
/// let health = Health { status: HealthStatus::Healthy, timestamp: at };
/// assert_eq!(
///     health.to_string(),
///     r#"{"status":"healthy","timestamp":"2024-01-15T10:30:00Z"}"#
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Health {
    /// `status`.
    pub status: HealthStatus,
    /// `timestamp`, written in UTC to the second.
    pub timestamp: SystemTime,
}

impl Health {
    /// A response with `status` taken now.
    pub fn now(status: HealthStatus) -> Self {
        Self {
            status,
            timestamp: SystemTime::now(),
        }
    }

    /// The timestamp as RFC 3339 in UTC to the second (`2024-01-15T10:30:00Z`). Times before
    /// 1970 or after 9999 are written as the nearest of those bounds.
    pub fn rfc3339(&self) -> String {
        // The last second RFC 3339's four-digit year can write: 9999-12-31T23:59:59Z.
        let last = UNIX_EPOCH + Duration::from_secs(253_402_300_799);
        let at = self.timestamp.clamp(UNIX_EPOCH, last);
        humantime::format_rfc3339_seconds(at).to_string()
    }
}

/// The JSON body, compact: `{"status":"healthy","timestamp":"2024-01-15T10:30:00Z"}`. Neither
/// field can hold a character JSON escapes.
impl fmt::Display for Health {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            r#"{{"status":"{}","timestamp":"{}"}}"#,
            self.status.as_str(),
            self.rfc3339()
        )
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use super::{Health, HealthStatus};

    #[test]
    fn the_documents_example() {
        let at = UNIX_EPOCH + Duration::from_millis(1_705_314_600_750);
        let body = Health {
            status: HealthStatus::Healthy,
            timestamp: at,
        }
        .to_string();
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "status": "healthy", "timestamp": "2024-01-15T10:30:00Z" })
        );
        // Fields in the document's order.
        assert!(body.find("status") < body.find("timestamp"), "{body}");
    }

    #[test]
    fn now_is_rfc3339_utc_to_the_second() {
        let health = Health::now(HealthStatus::Degraded);
        let ts = health.rfc3339();
        assert!(ts.len() == 20 && ts.ends_with('Z'), "{ts}");
        let parsed = humantime::parse_rfc3339(&ts).unwrap();
        let age = SystemTime::now().duration_since(parsed).unwrap();
        assert!(age < Duration::from_secs(60), "{ts}");
        assert!(health.to_string().contains(r#""status":"degraded""#));
    }

    #[test]
    fn out_of_range_times_are_clamped_not_a_panic() {
        let before = UNIX_EPOCH - Duration::from_secs(1);
        let after = UNIX_EPOCH + Duration::from_secs(400_000_000_000);
        let at = |timestamp| {
            Health {
                status: HealthStatus::Unhealthy,
                timestamp,
            }
            .rfc3339()
        };
        assert_eq!(at(before), "1970-01-01T00:00:00Z");
        assert_eq!(at(after), "9999-12-31T23:59:59Z");
    }
}
