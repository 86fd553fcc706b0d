//! Pushing a registry to a Prometheus Pushgateway, for batch jobs that end before a scrape
//! could reach them.
//!
//! A [`Pusher`] names the gateway, the job and the grouping labels; the group's URL is
//! `/metrics/job/<job>/<label>/<value>...` as the Pushgateway defines it. Its three methods
//! keep the Pushgateway's semantics:
//!
//! - [`Pusher::push`] (`PUT`) replaces every metric of the group,
//! - [`Pusher::push_add`] (`POST`) replaces only the families of the same name,
//! - [`Pusher::delete`] (`DELETE`) removes the group.
//!
//! The body is protobuf by default (length-delimited `MetricFamily` messages, what the Go
//! client pushes), or Prometheus text 0.0.4 ([`PushFormat::Text`]). Start timestamps
//! (`created_timestamp`) are sent as the registry writes them; the Pushgateway keeps what it
//! understands and ignores the rest, and a registry built with
//! [`without_start_timestamps`](promdecl::RegistryBuilder::without_start_timestamps) leaves
//! them out.
//!
//! Each attempt is bounded by a timeout (default [`DEFAULT_PUSH_TIMEOUT`]); connection errors,
//! timeouts and 5xx answers are retried with exponential backoff (default
//! [`DEFAULT_PUSH_ATTEMPTS`] attempts, the first pause [`DEFAULT_PUSH_BACKOFF`]), a 4xx answer
//! is not: sending the same body again cannot change it.
//!
//! Only plain `http://` is supported (there is no TLS client here); put a TLS-terminating proxy
//! in front of a remote gateway. Credentials ([`Auth`]) are sent as an `Authorization` header
//! and never appear in `Debug` output or in errors.
//!
//! ```no_run
//! # async fn run() -> Result<(), promdecl_server::PushError> {
//! use std::time::Duration;
//! use promdecl::Registry;
//! use promdecl_server::Pusher;
//!
//! let registry = Registry::new();
//! let pusher = Pusher::new("http://127.0.0.1:9091", "nightly_backup")?
//!     .grouping("instance", "db-1")
//!     .timeout(Duration::from_secs(5));
//! pusher.push(&registry).await?;
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue, Method, Request, StatusCode, Uri};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use promdecl::{Exposition, Format, Registry};

use crate::Auth;

/// How long one attempt may take, connecting included: ten seconds.
pub const DEFAULT_PUSH_TIMEOUT: Duration = Duration::from_secs(10);
/// How many times a push is tried before it fails: three.
pub const DEFAULT_PUSH_ATTEMPTS: u32 = 3;
/// The pause before the first retry, doubled before each further one: 100 ms.
pub const DEFAULT_PUSH_BACKOFF: Duration = Duration::from_millis(100);

/// How much of a gateway's error answer is kept for the error message.
const MAX_ERROR_BODY: usize = 4096;

const PROTOBUF_TYPE: &str =
    "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";
const TEXT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The body format of a push.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PushFormat {
    /// Length-delimited `io.prometheus.client.MetricFamily` messages (the default): what the
    /// Go client pushes, and the only format that carries native histograms.
    #[default]
    Protobuf,
    /// Prometheus text format 0.0.4.
    Text,
}

/// Pushes registries to one group of a Pushgateway: a job and its grouping labels.
///
/// Cheap to clone; clones share the connection pool.
#[derive(Clone)]
pub struct Pusher {
    /// `http://host:port[/prefix]`, without credentials or a trailing slash.
    gateway: String,
    job: String,
    grouping: Vec<(String, String)>,
    /// The first invalid grouping label, reported by every push: the builder methods do not
    /// return `Result`, so that they chain.
    invalid: Option<String>,
    timeout: Duration,
    attempts: u32,
    backoff: Duration,
    format: PushFormat,
    authorization: Option<HeaderValue>,
    client: Client<HttpConnector, Body>,
}

impl fmt::Debug for Pusher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the credentials.
        f.debug_struct("Pusher")
            .field("gateway", &self.gateway)
            .field("job", &self.job)
            .field("grouping", &self.grouping)
            .field("timeout", &self.timeout)
            .field("attempts", &self.attempts)
            .field("backoff", &self.backoff)
            .field("format", &self.format)
            .field("auth", &self.authorization.as_ref().map(|_| ".."))
            .finish()
    }
}

impl Pusher {
    /// A pusher to the gateway at `gateway` (`http://host:port`, optionally with a path prefix
    /// such as `http://proxy/pushgateway`) for job `job`, with no grouping labels, the default
    /// timeout, retries and format, and no credentials.
    ///
    /// Fails when the URL is not plain `http://` with a host, carries credentials or a query,
    /// or when `job` is empty.
    pub fn new(gateway: &str, job: impl Into<String>) -> Result<Self, PushError> {
        let gateway = parse_gateway(gateway)?;
        let job = job.into();
        if job.is_empty() {
            return Err(PushError::Invalid("the job name is empty".into()));
        }
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        Ok(Self {
            gateway,
            job,
            grouping: Vec::new(),
            invalid: None,
            timeout: DEFAULT_PUSH_TIMEOUT,
            attempts: DEFAULT_PUSH_ATTEMPTS,
            backoff: DEFAULT_PUSH_BACKOFF,
            format: PushFormat::default(),
            authorization: None,
            client: Client::builder(TokioExecutor::new()).build(connector),
        })
    }

    /// Adds grouping label `name="value"` to the group's key, after the job.
    ///
    /// `name` must be a label name (`[a-zA-Z_][a-zA-Z0-9_]*`), not `job`, not reserved (`__`)
    /// and not given twice; otherwise every push fails with [`PushError::Invalid`]. Any value
    /// is allowed: one that is empty or not URL-safe is sent in the Pushgateway's base64 form.
    pub fn grouping(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        if self.invalid.is_none() {
            self.invalid = grouping_problem(&name, &self.grouping);
        }
        self.grouping.push((name, value.into()));
        self
    }

    /// How long one attempt may take, connecting and reading the answer included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How many attempts a push makes in all (at least one), and the pause before the first
    /// retry, doubled before each further one.
    pub fn retries(mut self, attempts: u32, backoff: Duration) -> Self {
        self.attempts = attempts.max(1);
        self.backoff = backoff;
        self
    }

    /// The body format (default [`PushFormat::Protobuf`]).
    pub fn format(mut self, format: PushFormat) -> Self {
        self.format = format;
        self
    }

    /// Sends `auth` as the `Authorization` header of every request.
    pub fn auth(mut self, auth: Auth) -> Self {
        let value = match &auth {
            Auth::Bearer(token) => format!("Bearer {token}"),
            Auth::Basic { user, password } => {
                format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
            }
        };
        // A token with bytes a header cannot hold is refused at push time, without echoing it.
        self.authorization = Some(HeaderValue::from_str(&value).map_or_else(
            |_| {
                self.invalid.get_or_insert_with(|| {
                    "the credentials contain characters an HTTP header cannot hold".into()
                });
                HeaderValue::from_static("")
            },
            |mut v| {
                v.set_sensitive(true);
                v
            },
        ));
        self
    }

    /// The URL of the group: `<gateway>/metrics/job/<job>/<label>/<value>...`.
    pub fn url(&self) -> String {
        let mut url = format!("{}/metrics", self.gateway);
        let job = std::iter::once(("job", self.job.as_str()));
        let labels = self.grouping.iter().map(|(n, v)| (n.as_str(), v.as_str()));
        for (name, value) in job.chain(labels) {
            url.push('/');
            url.push_str(name);
            match encode_value(value) {
                Some(encoded) => {
                    url.push_str("@base64/");
                    url.push_str(&encoded);
                }
                None => {
                    url.push('/');
                    url.push_str(value);
                }
            }
        }
        url
    }

    /// Replaces every metric of the group with `registry`'s (`PUT`).
    pub async fn push(&self, registry: &Registry) -> Result<(), PushError> {
        let body = self.body(registry);
        self.send(Op::Push, Some(body)).await
    }

    /// Replaces the group's families that `registry` also has, keeping the others (`POST`).
    pub async fn push_add(&self, registry: &Registry) -> Result<(), PushError> {
        let body = self.body(registry);
        self.send(Op::PushAdd, Some(body)).await
    }

    /// Replaces every metric of the group with the families of `registry` named in `names`
    /// (`PUT`). Names are as exposed in protobuf: with the registry's prefix, counters with
    /// `_total`. Always sent as protobuf, whatever [`format`](Pusher::format) says.
    ///
    /// Fails with [`PushError::Invalid`] if a name is not one of the registry's families.
    pub async fn push_families(
        &self,
        registry: &Registry,
        names: &[&str],
    ) -> Result<(), PushError> {
        let body = select_families(registry, names)?;
        self.send(Op::Push, Some(body)).await
    }

    /// [`push_families`](Pusher::push_families), replacing only the families of the same name
    /// (`POST`).
    pub async fn push_add_families(
        &self,
        registry: &Registry,
        names: &[&str],
    ) -> Result<(), PushError> {
        let body = select_families(registry, names)?;
        self.send(Op::PushAdd, Some(body)).await
    }

    /// Removes the group and all its metrics from the gateway (`DELETE`).
    pub async fn delete(&self) -> Result<(), PushError> {
        self.send(Op::Delete, None).await
    }

    fn body(&self, registry: &Registry) -> (Bytes, &'static str) {
        match self.format {
            PushFormat::Protobuf => (
                registry.expose(Exposition::protobuf()).into(),
                PROTOBUF_TYPE,
            ),
            PushFormat::Text => (registry.encode(Format::Text).into(), TEXT_TYPE),
        }
    }

    /// Sends one request, retrying what a retry can fix.
    async fn send(&self, op: Op, body: Option<(Bytes, &'static str)>) -> Result<(), PushError> {
        if let Some(problem) = &self.invalid {
            return Err(PushError::Invalid(problem.clone()));
        }
        let uri: Uri = self
            .url()
            .parse()
            .map_err(|e| PushError::Invalid(format!("the group URL is invalid: {e}")))?;
        let mut pause = self.backoff;
        let mut attempt = 1;
        loop {
            let failure =
                match tokio::time::timeout(self.timeout, self.attempt(op, &uri, &body)).await {
                    Ok(Ok((status, _))) if status.is_success() => return Ok(()),
                    Ok(Ok((status, text))) if !status.is_server_error() => {
                        return Err(PushError::Refused {
                            gateway: self.gateway.clone(),
                            op: op.name(),
                            status,
                            body: text,
                        });
                    }
                    Ok(Ok((status, text))) => Failure::Status(status, text),
                    Ok(Err(reason)) => Failure::Transport(reason),
                    Err(_) => Failure::Transport(format!("timed out after {:?}", self.timeout)),
                };
            if attempt >= self.attempts {
                return Err(match failure {
                    Failure::Status(status, body) => PushError::ServerError {
                        gateway: self.gateway.clone(),
                        op: op.name(),
                        status,
                        body,
                        attempts: attempt,
                    },
                    Failure::Transport(reason) => PushError::Unreachable {
                        gateway: self.gateway.clone(),
                        op: op.name(),
                        reason,
                        attempts: attempt,
                    },
                });
            }
            tracing::debug!(gateway = %self.gateway, attempt, "push failed, retrying");
            tokio::time::sleep(pause).await;
            pause = pause.saturating_mul(2);
            attempt += 1;
        }
    }

    /// One request: the status and the answer's text, or why there was no answer.
    async fn attempt(
        &self,
        op: Op,
        uri: &Uri,
        body: &Option<(Bytes, &'static str)>,
    ) -> Result<(StatusCode, String), String> {
        let mut request = Request::builder().method(op.method()).uri(uri.clone());
        if let Some(auth) = &self.authorization {
            request = request.header(header::AUTHORIZATION, auth.clone());
        }
        let request = match body {
            Some((bytes, content_type)) => request
                .header(header::CONTENT_TYPE, *content_type)
                .body(Body::from(bytes.clone())),
            None => request.body(Body::empty()),
        }
        .map_err(|e| e.to_string())?;
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| error_chain(&e))?;
        let status = response.status();
        if status.is_success() {
            return Ok((status, String::new()));
        }
        // Only failures need the text: it says why the gateway refused.
        let text =
            match axum::body::to_bytes(Body::new(response.into_body()), MAX_ERROR_BODY * 4).await {
                Ok(bytes) => {
                    let text = String::from_utf8_lossy(&bytes);
                    let text = text.trim();
                    match text.char_indices().nth(MAX_ERROR_BODY) {
                        Some((cut, _)) => format!("{}...", &text[..cut]),
                        None => text.to_owned(),
                    }
                }
                Err(e) => format!("<answer unreadable: {e}>"),
            };
        Ok((status, text))
    }
}

enum Failure {
    Status(StatusCode, String),
    Transport(String),
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Push,
    PushAdd,
    Delete,
}

impl Op {
    fn method(self) -> Method {
        match self {
            Op::Push => Method::PUT,
            Op::PushAdd => Method::POST,
            Op::Delete => Method::DELETE,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Op::Push => "push",
            Op::PushAdd => "push_add",
            Op::Delete => "delete",
        }
    }
}

/// Why a push failed.
///
/// Messages name the gateway (without credentials), what was asked, and the gateway's status
/// and answer: `pushgateway http://127.0.0.1:9091 refused the push (400 Bad Request): ...`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum PushError {
    /// The pusher's settings are invalid (gateway URL, job name, grouping labels, credentials,
    /// family names); nothing was sent.
    Invalid(String),
    /// The gateway answered with a status that retrying cannot change (4xx): not retried.
    Refused {
        /// The gateway, as `http://host:port[/prefix]`.
        gateway: String,
        /// `push`, `push_add` or `delete`.
        op: &'static str,
        /// The gateway's status.
        status: StatusCode,
        /// The gateway's answer, trimmed and cut to a few KiB.
        body: String,
    },
    /// The gateway answered 5xx to every attempt.
    ServerError {
        /// The gateway, as `http://host:port[/prefix]`.
        gateway: String,
        /// `push`, `push_add` or `delete`.
        op: &'static str,
        /// The status of the last attempt.
        status: StatusCode,
        /// The answer to the last attempt, trimmed and cut to a few KiB.
        body: String,
        /// How many attempts were made.
        attempts: u32,
    },
    /// No attempt got an answer: the connection failed or the attempt timed out.
    Unreachable {
        /// The gateway, as `http://host:port[/prefix]`.
        gateway: String,
        /// `push`, `push_add` or `delete`.
        op: &'static str,
        /// Why the last attempt failed.
        reason: String,
        /// How many attempts were made.
        attempts: u32,
    },
}

impl PushError {
    /// The gateway's HTTP status, if it answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            PushError::Refused { status, .. } | PushError::ServerError { status, .. } => {
                Some(*status)
            }
            _ => None,
        }
    }
}

impl fmt::Display for PushError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PushError::Invalid(why) => write!(f, "cannot push to the pushgateway: {why}"),
            PushError::Refused {
                gateway,
                op,
                status,
                body,
            } => write!(f, "pushgateway {gateway} refused the {op} ({status}): {body}"),
            PushError::ServerError {
                gateway,
                op,
                status,
                body,
                attempts,
            } => write!(
                f,
                "pushgateway {gateway} failed the {op} ({status}) after {attempts} attempt(s): {body}"
            ),
            PushError::Unreachable {
                gateway,
                op,
                reason,
                attempts,
            } => write!(
                f,
                "pushgateway {gateway} could not be reached for the {op} after {attempts} attempt(s): {reason}"
            ),
        }
    }
}

impl std::error::Error for PushError {}

/// `http://host:port[/prefix]` without a trailing slash, or why `url` is not one.
fn parse_gateway(url: &str) -> Result<String, PushError> {
    let invalid = |why: &str| PushError::Invalid(format!("gateway URL: {why}"));
    // Checked before parsing so that no error message ever repeats a password.
    let authority_part = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority_part = authority_part.split(['/', '?', '#']).next().unwrap_or("");
    if authority_part.contains('@') {
        return Err(invalid("must not contain credentials; use `Pusher::auth`"));
    }
    let uri: Uri = url
        .parse()
        .map_err(|e| invalid(&format!("`{url}` is not a URL ({e})")))?;
    match uri.scheme_str() {
        Some("http") => {}
        Some("https") => {
            return Err(invalid(
                "https is not supported (no TLS client); use http:// or a TLS-terminating proxy",
            ))
        }
        _ => return Err(invalid(&format!("`{url}` does not start with http://"))),
    }
    let Some(authority) = uri.authority() else {
        return Err(invalid(&format!("`{url}` has no host")));
    };
    if uri.query().is_some() {
        return Err(invalid(&format!("`{url}` must not have a query")));
    }
    Ok(format!(
        "http://{authority}{}",
        uri.path().trim_end_matches('/')
    ))
}

/// Why grouping label `name` cannot be added after `existing`, if it cannot.
fn grouping_problem(name: &str, existing: &[(String, String)]) -> Option<String> {
    let mut chars = name.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        Some(format!(
            "grouping label `{name}` is not a valid label name; use [a-zA-Z_][a-zA-Z0-9_]*"
        ))
    } else if name == "job" {
        Some("`job` is the job name, not a grouping label".into())
    } else if name.starts_with("__") {
        Some(format!(
            "grouping label `{name}` is reserved (starts with `__`)"
        ))
    } else if existing.iter().any(|(n, _)| n == name) {
        Some(format!("grouping label `{name}` is given twice"))
    } else {
        None
    }
}

/// The base64 form of a path value that cannot be sent as it is, as the Pushgateway's README
/// defines it (`<label>@base64/<url-safe base64>`, `=` for the empty value); `None` when the
/// value is sent as it is. Anything outside the URL's unreserved characters goes as base64
/// rather than percent-encoded, which the gateway decodes the same way and cannot misread.
fn encode_value(value: &str) -> Option<String> {
    if value.is_empty() {
        // Base64 of nothing is nothing, and an empty path segment is not allowed: `=` is the
        // padding-only form the Pushgateway reads as the empty value.
        return Some("=".into());
    }
    let plain = value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    (!plain || value == "." || value == "..").then(|| URL_SAFE_NO_PAD.encode(value))
}

/// The protobuf exposition of `registry`, keeping only the families named in `names`.
fn select_families(
    registry: &Registry,
    names: &[&str],
) -> Result<(Bytes, &'static str), PushError> {
    let all = registry.expose(Exposition::protobuf());
    let mut out = Vec::with_capacity(all.len());
    let mut found = vec![false; names.len()];
    let mut rest = all.as_slice();
    while !rest.is_empty() {
        let (message, tail) = delimited(rest).ok_or_else(malformed)?;
        let name = family_name(message).ok_or_else(malformed)?;
        if let Some(i) = names.iter().position(|n| n.as_bytes() == name) {
            found[i] = true;
            // Copied with its length prefix, as it came.
            out.extend_from_slice(&rest[..rest.len() - tail.len()]);
        }
        rest = tail;
    }
    if let Some(i) = found.iter().position(|f| !f) {
        return Err(PushError::Invalid(format!(
            "the registry has no family `{}` (names as exposed: with the prefix, counters with `_total`)",
            names[i]
        )));
    }
    Ok((out.into(), PROTOBUF_TYPE))
}

fn malformed() -> PushError {
    PushError::Invalid("the registry's protobuf exposition could not be read".into())
}

/// A protobuf varint at the start of `bytes`, and what follows it.
fn varint(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let mut value = 0u64;
    for (i, b) in bytes.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((value, &bytes[i + 1..]));
        }
    }
    None
}

/// The length-prefixed message at the start of `bytes`, and what follows it.
fn delimited(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let (len, rest) = varint(bytes)?;
    let len = usize::try_from(len).ok()?;
    (len <= rest.len()).then(|| rest.split_at(len))
}

/// Field 1 (`name`) of a `MetricFamily` message. A small field walk instead of decoding the
/// whole message: the metrics themselves are copied untouched.
fn family_name(mut message: &[u8]) -> Option<&[u8]> {
    while !message.is_empty() {
        let (key, rest) = varint(message)?;
        message = match key & 7 {
            0 => varint(rest)?.1,
            1 => rest.get(8..)?,
            2 => {
                let (field, rest) = delimited(rest)?;
                if key >> 3 == 1 {
                    return Some(field);
                }
                rest
            }
            5 => rest.get(4..)?,
            _ => return None,
        };
    }
    None
}

/// An error and its sources, `: `-separated (hyper's own message is only "client error
/// (Connect)"; the cause is in the sources).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn url_uses_base64_for_empty_and_unsafe_values() {
        let pusher = Pusher::new("http://gw:9091/", "my job")
            .unwrap()
            .grouping("instance", "host-1")
            .grouping("path", "/var/tmp")
            .grouping("empty", "");
        assert_eq!(
            pusher.url(),
            "http://gw:9091/metrics/job@base64/bXkgam9i/instance/host-1\
             /path@base64/L3Zhci90bXA/empty@base64/="
        );
    }

    #[test]
    fn gateway_url_is_checked() {
        for bad in [
            "https://gw:9091",
            "gw:9091",
            "http://user:secret@gw:9091",
            "http://gw:9091?x=1",
        ] {
            let err = Pusher::new(bad, "j").unwrap_err().to_string();
            assert!(!err.contains("secret"), "{err}");
        }
        assert!(Pusher::new("http://gw", "").is_err());
    }

    #[test]
    fn debug_hides_credentials() {
        let pusher = Pusher::new("http://gw:9091", "j")
            .unwrap()
            .auth(Auth::Bearer("s3cr3t".into()));
        assert!(!format!("{pusher:?}").contains("s3cr3t"));
    }
}
