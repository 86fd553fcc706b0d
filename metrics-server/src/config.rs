//! How the endpoints and the standalone server behave, every bound with its default, and the
//! check that a configuration can be served ([`Config::validate`]).

use std::fmt;
use std::time::Duration;

use crate::Auth;

/// How the endpoints behave, and the bounds of the standalone [`Server`](crate::Server).
///
/// Every field has a production default ([`Config::default`]); override the ones you need:
///
/// ```
/// use std::time::Duration;
/// use promdecl_server::{Auth, Config};
///
/// let config = Config {
///     metrics_path: "/internal/metrics".into(),
///     auth: Some(Auth::Bearer("from-a-secret-store".into())),
///     max_connections: 256,
///     ..Config::default()
/// };
/// config.validate().unwrap();
/// // Debug output never shows a secret.
/// assert!(!format!("{config:?}").contains("from-a-secret-store"));
/// ```
///
/// The endpoint fields apply wherever [`router`](crate::router) is merged. The connection
/// fields (`max_connections`, `header_read_timeout`, `idle_timeout`, `shutdown_deadline`) are
/// enforced by [`Server::serve`](crate::Server::serve); an application that serves the router
/// itself brings its own.
#[derive(Debug, Clone)]
pub struct Config {
    /// Path of the exposition. Default `/metrics`. Must start with `/`, must not be `/`,
    /// `/health` or `/ready`, and is matched literally (no `{..}` route syntax).
    pub metrics_path: String,
    /// Credentials required on `/`, the metrics path and `/ready` (and `/health` with
    /// [`protect_health`](Self::protect_health)). Default none.
    pub auth: Option<Auth>,
    /// Whether `/health` needs the credentials too. Default `false`: liveness probes usually
    /// carry none, and `/health` reveals nothing but "OK".
    pub protect_health: bool,
    /// A request not answered by then gets `408 Request Timeout` (counted in the request
    /// metrics with `status="408"`). Default 10 s.
    pub request_timeout: Duration,
    /// Expositions (and index pages) rendered at once, compression included; more wait their
    /// turn within `request_timeout`. Default 4.
    pub max_concurrent_scrapes: usize,
    /// Connections served at once by [`Server`](crate::Server), plus
    /// [`HEALTH_RESERVE`](crate::HEALTH_RESERVE) that only answer `/health`. Beyond both, a new
    /// connection is accepted and closed at once. Default 1024.
    pub max_connections: usize,
    /// Time a client has to send a complete request head: from accepting the connection, or
    /// from the first byte of a later request on a kept-alive one. Default 5 s.
    pub header_read_timeout: Duration,
    /// How long a kept-alive connection may wait for its next request. Default 60 s; zero
    /// disables keep-alive (one request per connection).
    pub idle_timeout: Duration,
    /// Largest request body accepted: a longer one gets `413 Payload Too Large`. The
    /// endpoints read no body; this bounds what a client can make the server hold. Default
    /// 65 536 bytes.
    pub max_body_bytes: usize,
    /// After the shutdown signal, how long in-flight requests may take before their
    /// connections are dropped and [`Server::serve`](crate::Server::serve) returns. Default
    /// 10 s.
    pub shutdown_deadline: Duration,
    /// Whether a scraper asking for OpenMetrics `version=2.0.0` gets it. Default `false`:
    /// OpenMetrics 2.0 is a release candidate, so a scraper asking for it alone is answered
    /// as if it had named no format.
    pub openmetrics_2: bool,
    /// Whether `/` serves the page of every family, and
    /// [`/api/families`](crate::PAGE_JSON_PATH) its JSON. Default `true`. While someone
    /// requests either, the server samples the listed series every 2 s for the sparklines:
    /// at most 5,000 series of 90 points (about 2 MB), dropped 10 minutes after the last
    /// request. Off, neither is routed (404) and no history is kept.
    pub index_page: bool,
    /// Where the generated reference documents each family: a URL with `{group}` (the
    /// module of the declaring struct, which names the generated page for the catalog) and
    /// `{family}` (its exposed name, the anchor of its section) replaced, such as
    /// `https://git.example/app/blob/main/docs/metrics/{group}.md#{family}`. Default none:
    /// no links.
    pub reference_docs: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            metrics_path: "/metrics".into(),
            auth: None,
            protect_health: false,
            request_timeout: Duration::from_secs(10),
            max_concurrent_scrapes: 4,
            max_connections: 1024,
            header_read_timeout: Duration::from_secs(5),
            idle_timeout: Duration::from_secs(60),
            max_body_bytes: 64 * 1024,
            openmetrics_2: false,
            index_page: true,
            reference_docs: None,
            shutdown_deadline: Duration::from_secs(10),
        }
    }
}

/// Paths the router serves itself, which the metrics path cannot take.
const RESERVED_PATHS: [&str; 4] = ["/", "/health", "/ready", crate::PAGE_JSON_PATH];

impl Config {
    /// Checks that this configuration can be served: the metrics path, the bounds and the
    /// credentials. [`Server::new`](crate::Server::new) calls it; call it yourself before
    /// [`router`](crate::router), which panics on a configuration that fails it.
    ///
    /// ```
    /// use promdecl_server::Config;
    ///
    /// let bad = Config { metrics_path: "/health".into(), ..Config::default() };
    /// assert_eq!(
    ///     bad.validate().unwrap_err().to_string(),
    ///     "metrics path `/health` is already served by the router: choose another, such as `/metrics`"
    /// );
    /// ```
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_metrics_path(&self.metrics_path)?;
        for (field, value) in [
            ("max_connections", self.max_connections),
            ("max_concurrent_scrapes", self.max_concurrent_scrapes),
        ] {
            if value == 0 {
                return Err(ConfigError::Zero { field });
            }
        }
        for (field, value) in [
            ("request_timeout", self.request_timeout),
            ("header_read_timeout", self.header_read_timeout),
        ] {
            if value.is_zero() {
                return Err(ConfigError::Zero { field });
            }
        }
        if let Some(auth) = &self.auth {
            auth.validate()?;
        }
        Ok(())
    }
}

fn check_metrics_path(path: &str) -> Result<(), ConfigError> {
    let invalid = |reason| ConfigError::MetricsPath {
        path: path.to_string(),
        reason,
    };
    if !path.starts_with('/') {
        return Err(invalid(MetricsPathProblem::NoLeadingSlash));
    }
    if RESERVED_PATHS.contains(&path) {
        return Err(invalid(MetricsPathProblem::Reserved));
    }
    if path.contains(['{', '}']) {
        return Err(invalid(MetricsPathProblem::RouteSyntax));
    }
    // What is left must be one plain URL path, as it appears in a request line.
    let plain = path
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@%".contains(&b));
    if !plain {
        return Err(invalid(MetricsPathProblem::NotAPath));
    }
    Ok(())
}

/// Why a [`Config`] cannot be served. The messages never contain a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// The metrics path is not one the router can serve.
    MetricsPath {
        /// The path given.
        path: String,
        /// What is wrong with it.
        reason: MetricsPathProblem,
    },
    /// A count or a timeout that must be positive is zero.
    Zero {
        /// The [`Config`] field.
        field: &'static str,
    },
    /// The credentials cannot be presented in an `Authorization` header.
    Auth(&'static str),
}

/// What is wrong with a metrics path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MetricsPathProblem {
    /// It does not start with `/`.
    NoLeadingSlash,
    /// `/`, `/health` or `/ready`, which the router serves itself.
    Reserved,
    /// It contains `{` or `}`, route syntax rather than a path.
    RouteSyntax,
    /// It contains characters a URL path cannot (spaces, `?`, `#`, non-ASCII).
    NotAPath,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::MetricsPath { path, reason } => match reason {
                MetricsPathProblem::NoLeadingSlash => write!(
                    f,
                    "metrics path `{path}` must start with `/`: write `/{}`",
                    path.trim_start_matches('/')
                ),
                MetricsPathProblem::Reserved => write!(
                    f,
                    "metrics path `{path}` is already served by the router: choose another, such as `/metrics`"
                ),
                MetricsPathProblem::RouteSyntax => write!(
                    f,
                    "metrics path `{path}` contains `{{` or `}}`: it is matched literally, so give a plain path such as `/metrics`"
                ),
                MetricsPathProblem::NotAPath => write!(
                    f,
                    "metrics path `{path}` is not a plain URL path: use letters, digits and `/-._~` only"
                ),
            },
            ConfigError::Zero { field } => write!(f, "`{field}` must be greater than zero"),
            ConfigError::Auth(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for ConfigError {}
