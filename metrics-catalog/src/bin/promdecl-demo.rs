//! The default run: every catalog system, live collectors and a built-in workload.
//!
//! Exit codes: 0 after a clean shutdown (ctrl-c or SIGTERM, within `--shutdown-deadline`), 2
//! for a bad flag or a configuration that cannot be served (before anything is served), 1 when
//! the address cannot be bound or serving fails.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};
use promdecl::Registry;
use promdecl_catalog::{jobs, workload};
use promdecl_server::collectors;
use promdecl_server::{shutdown_signal, Auth, Check, Config, Server, HEALTH_RESERVE};

/// The address the demo listens on by default. Port 7979 is allocated to no exporter in
/// Prometheus' "default port allocations" (9100-9999, full since 2023, with new allocations
/// continuing above 10000) and is no Prometheus component's (9090 is Prometheus itself,
/// 9091 the Pushgateway, 9093 Alertmanager).
const DEFAULT_LISTEN: &str = "127.0.0.1:7979";

/// Serve the whole metrics catalog with live collectors and a built-in workload.
///
/// Secrets (--bearer-token, --basic-auth) are best given through their environment variables:
/// a command line is visible to every user of the machine.
#[derive(Parser)]
#[command(name = "promdecl-demo", version)]
struct Args {
    // Address to listen on: its help, with the ports, is `listen_help()`.
    #[arg(long, env = "METRICS_LISTEN", value_name = "ADDR:PORT", help = listen_help())]
    listen: Option<SocketAddr>,
    /// Path of the exposition: starts with `/`, not `/`, `/health` or `/ready`.
    #[arg(long, env = "METRICS_PATH", default_value = "/metrics")]
    metrics_path: String,
    /// A label added to every series, as KEY=VALUE (repeatable). The catalog's own labels
    /// (e.g. CHORUS's `node_id`) cannot be used here.
    #[arg(long = "const-label", env = "METRICS_CONST_LABELS", value_delimiter = ',', value_parser = parse_pair)]
    const_labels: Vec<(String, String)>,
    /// Require `Authorization: Bearer <token>` on `/`, the metrics path and `/ready`.
    #[arg(
        long,
        env = "METRICS_BEARER_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN",
        conflicts_with = "basic_auth"
    )]
    bearer_token: Option<String>,
    /// Require basic auth USER:PASSWORD on `/`, the metrics path and `/ready`.
    #[arg(
        long,
        env = "METRICS_BASIC_AUTH",
        hide_env_values = true,
        value_name = "USER:PASSWORD"
    )]
    basic_auth: Option<String>,
    /// Require the credentials on `/health` too.
    #[arg(long, env = "METRICS_PROTECT_HEALTH")]
    protect_health: bool,
    /// Seconds before a request is answered with 408.
    #[arg(long, env = "METRICS_REQUEST_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    request_timeout: u64,
    /// Expositions rendered (and compressed) at once; more wait their turn.
    #[arg(long, env = "METRICS_MAX_SCRAPES", default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..))]
    max_concurrent_scrapes: u64,
    /// Connections served at once (plus a few that only answer /health); beyond them a new
    /// connection is closed at once.
    #[arg(long, env = "METRICS_MAX_CONNECTIONS", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..))]
    max_connections: u64,
    /// Seconds a client has to send a complete request head.
    #[arg(long, env = "METRICS_HEADER_READ_TIMEOUT", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    header_read_timeout: u64,
    /// Seconds a kept-alive connection may wait for its next request; 0 disables keep-alive.
    #[arg(long, env = "METRICS_IDLE_TIMEOUT", default_value_t = 60)]
    idle_timeout: u64,
    /// Largest request body in bytes; a longer one gets 413.
    #[arg(long, env = "METRICS_MAX_BODY_BYTES", default_value_t = 65536)]
    max_body_bytes: usize,
    /// Seconds in-flight requests get after SIGTERM or ctrl-c before their connections are
    /// dropped and the process exits.
    #[arg(long, env = "METRICS_SHUTDOWN_DEADLINE", default_value_t = 10)]
    shutdown_deadline: u64,
    /// Serve OpenMetrics 2.0 (a release candidate) to scrapers asking for `version=2.0.0`.
    #[arg(long, env = "METRICS_OPENMETRICS_2")]
    openmetrics_2: bool,
    /// Serve no page at `/` (nor its JSON at `/api/families`), so no history is kept for it.
    #[arg(long, env = "METRICS_NO_INDEX_PAGE")]
    no_index_page: bool,
    /// Link each family on the page to its generated reference: a URL with `{group}` and
    /// `{family}` replaced.
    #[arg(long, env = "METRICS_REFERENCE_DOCS", value_name = "URL")]
    reference_docs: Option<String>,
    /// Serve one catalog system only (chorus, zerostate, x0tta6bl4, semstreams, bridge), as
    /// its own process and scrape job; all of them when not given.
    #[arg(long, env = "METRICS_SYSTEM", value_name = "NAME")]
    system: Option<String>,
    /// Milliseconds between workload steps; 0 disables the workload.
    #[arg(long, env = "METRICS_WORKLOAD_MS", default_value_t = 500)]
    workload_ms: u64,
}

/// The help of `--listen`: the default address, and each system's port with `--system`.
fn listen_help() -> String {
    let ports: Vec<String> = promdecl_catalog::SYSTEMS
        .iter()
        .filter_map(|s| jobs::port(s.name).map(|port| format!("{port} {}", s.name)))
        .collect();
    format!(
        "Address to listen on [default: {DEFAULT_LISTEN}; with --system, port {} on the same \
         host: the target of that system's job in the generated scrape config]",
        ports.join(", ")
    )
}

fn parse_pair(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .ok_or_else(|| format!("expected KEY=VALUE, got `{s}`"))
}

impl Args {
    /// The address to listen on: `--listen` (or `METRICS_LISTEN`) when given, else the port of
    /// the `--system` served (from `promdecl_catalog::jobs`), else [`DEFAULT_LISTEN`].
    fn listen(&self) -> SocketAddr {
        let system_port = self.system.as_deref().and_then(jobs::port);
        self.listen.unwrap_or_else(|| {
            let default: SocketAddr = DEFAULT_LISTEN
                .parse()
                .expect("DEFAULT_LISTEN is an address");
            system_port.map_or(default, |port| SocketAddr::new(default.ip(), port))
        })
    }

    /// The server configuration, checked by [`Config::validate`]. Error messages never
    /// contain a credential (the basic-auth value is split here, not by a clap value parser,
    /// whose errors would quote it).
    fn config(&self) -> Result<Config, String> {
        let auth = match (&self.bearer_token, &self.basic_auth) {
            (Some(token), _) => Some(Auth::Bearer(token.clone())),
            (None, Some(pair)) => {
                let Some((user, password)) = pair.split_once(':') else {
                    return Err(
                        "--basic-auth expects USER:PASSWORD (the value given has no `:`)".into(),
                    );
                };
                Some(Auth::Basic {
                    user: user.into(),
                    password: password.into(),
                })
            }
            (None, None) => None,
        };
        let count = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        let config = Config {
            metrics_path: self.metrics_path.clone(),
            auth,
            protect_health: self.protect_health,
            request_timeout: Duration::from_secs(self.request_timeout),
            max_concurrent_scrapes: count(self.max_concurrent_scrapes),
            max_connections: count(self.max_connections),
            header_read_timeout: Duration::from_secs(self.header_read_timeout),
            idle_timeout: Duration::from_secs(self.idle_timeout),
            max_body_bytes: self.max_body_bytes,
            shutdown_deadline: Duration::from_secs(self.shutdown_deadline),
            openmetrics_2: self.openmetrics_2,
            index_page: !self.no_index_page,
            reference_docs: self.reference_docs.clone(),
        };
        config.validate().map_err(|e| e.to_string())?;
        Ok(config)
    }
}

fn main() -> ExitCode {
    // Bad flags exit here with status 2.
    let args = Args::parse();
    let config = match args.config() {
        Ok(config) => config,
        Err(message) => Args::command()
            .error(ErrorKind::ValueValidation, message)
            .exit(),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("promdecl-demo: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = runtime.block_on(run(args, config));
    // A render or check still running on the blocking pool does not hold up the exit.
    runtime.shutdown_timeout(Duration::from_millis(500));
    code
}

async fn run(args: Args, config: Config) -> ExitCode {
    let listen = args.listen();
    let listener = match promdecl_server::bind(listen) {
        Ok(listener) => listener,
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            eprintln!(
                "promdecl-demo: cannot listen on {}: the address is already in use; \
                 choose another with --listen ADDR:PORT (or METRICS_LISTEN)",
                listen
            );
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!(
                "promdecl-demo: cannot listen on {}: {e}; choose another address with --listen",
                listen
            );
            return ExitCode::FAILURE;
        }
    };
    match serve(args, config, listener).await {
        Ok(()) => {
            println!("promdecl-demo: stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("promdecl-demo: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(
    args: Args,
    config: Config,
    listener: tokio::net::TcpListener,
) -> Result<(), Box<dyn std::error::Error>> {
    let registry = Arc::new(
        args.const_labels
            .iter()
            .fold(Registry::builder(), |b, (k, v)| b.const_label(k, v))
            .build()?,
    );
    let drives = workload::start(&registry, args.system.as_deref())?;
    // Process, runtime and host metrics, read at every scrape.
    collectors::start(&registry)?;
    if args.workload_ms > 0 {
        workload::spawn(drives, Duration::from_millis(args.workload_ms));
    }

    let max_connections = config.max_connections;
    let metrics_path = config.metrics_path.clone();
    let server = Server::new(registry.clone(), config)?;
    let families: usize = promdecl_catalog::SYSTEMS
        .iter()
        .filter(|s| args.system.as_deref().is_none_or(|o| o == s.name))
        .map(|s| s.families().len())
        .sum();
    server.readiness().add(Check::new("catalog", true, move || {
        if families > 0 {
            Ok(())
        } else {
            Err("no families registered".into())
        }
    }));
    let addr = listener.local_addr()?;
    println!("promdecl-demo: {families} catalog families, listening on http://{addr}");
    for path in ["/", metrics_path.as_str(), "/health", "/ready"] {
        println!("  http://{addr}{path}");
    }
    match promdecl_server::raise_open_files_limit() {
        Ok(limit) => println!(
            "promdecl-demo: open files limit {limit}, up to {max_connections} connections \
             (+{HEALTH_RESERVE} for /health)"
        ),
        Err(e) => eprintln!("promdecl-demo: open files limit not raised: {e}"),
    }
    server.serve(listener, shutdown_signal()).await?;
    Ok(())
}
