//! The default run: every catalog system, live collectors and a built-in workload.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use promdecl::Registry;
use promdecl_catalog::workload;
use promdecl_server::collectors::{self, Intervals};
use promdecl_server::{shutdown_signal, Auth, Check, Config, Server};

/// Serve the whole metrics catalog with live collectors and a built-in workload.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "METRICS_LISTEN", default_value = promdecl_catalog::TARGET)]
    listen: SocketAddr,
    /// Path of the exposition.
    #[arg(long, env = "METRICS_PATH", default_value = "/metrics")]
    metrics_path: String,
    /// A label added to every series, as KEY=VALUE (repeatable). The catalog's own labels
    /// (e.g. CHORUS's `node_id`) cannot be used here.
    #[arg(long = "const-label", env = "METRICS_CONST_LABELS", value_delimiter = ',', value_parser = parse_pair)]
    const_labels: Vec<(String, String)>,
    /// Require `Authorization: Bearer <token>` on the metrics path.
    #[arg(long, env = "METRICS_BEARER_TOKEN", conflicts_with = "basic_auth")]
    bearer_token: Option<String>,
    /// Require basic auth USER:PASSWORD on the metrics path.
    #[arg(long, env = "METRICS_BASIC_AUTH", value_parser = parse_basic)]
    basic_auth: Option<(String, String)>,
    /// Seconds before a request is answered with 408.
    #[arg(long, env = "METRICS_REQUEST_TIMEOUT", default_value_t = 10)]
    request_timeout: u64,
    /// Scrapes encoded at once; more wait their turn.
    #[arg(long, env = "METRICS_MAX_SCRAPES", default_value_t = 4)]
    max_concurrent_scrapes: usize,
    /// Seconds between process collections (CHORUS's resource interval).
    #[arg(long, env = "METRICS_RESOURCE_INTERVAL", default_value_t = 15)]
    resource_interval: u64,
    /// Seconds between system collections (CHORUS's system interval).
    #[arg(long, env = "METRICS_SYSTEM_INTERVAL", default_value_t = 30)]
    system_interval: u64,
    /// Milliseconds between workload steps; 0 disables the workload.
    #[arg(long, env = "METRICS_WORKLOAD_MS", default_value_t = 500)]
    workload_ms: u64,
}

fn parse_pair(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .ok_or_else(|| format!("expected KEY=VALUE, got `{s}`"))
}

fn parse_basic(s: &str) -> Result<(String, String), String> {
    s.split_once(':')
        .map(|(u, p)| (u.to_string(), p.to_string()))
        .ok_or_else(|| "expected USER:PASSWORD".to_string())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let registry = Arc::new(
        args.const_labels
            .iter()
            .fold(Registry::builder(), |b, (k, v)| b.const_label(k, v))
            .build()?,
    );
    let catalog = promdecl_catalog::register_all(&registry)?;
    catalog
        .chorus
        .system
        .set_info(&promdecl_catalog::chorus::NodeInfo::new(
            "node-1",
            env!("CARGO_PKG_VERSION"),
            "local",
            "demo",
        ));
    collectors::start(
        &registry,
        Intervals {
            resource: Duration::from_secs(args.resource_interval.max(1)),
            system: Duration::from_secs(args.system_interval.max(1)),
        },
    )?;
    if args.workload_ms > 0 {
        let catalog_names: HashSet<&str> = promdecl_catalog::SYSTEMS
            .iter()
            .flat_map(|s| s.families())
            .map(|f| f.name)
            .collect();
        workload::spawn(
            registry.clone(),
            Duration::from_millis(args.workload_ms),
            move |f| catalog_names.contains(f.name),
        );
    }

    let auth = match (args.bearer_token, args.basic_auth) {
        (Some(token), _) => Some(Auth::Bearer(token)),
        (None, Some((user, password))) => Some(Auth::Basic { user, password }),
        (None, None) => None,
    };
    let config = Config {
        metrics_path: args.metrics_path.clone(),
        auth,
        request_timeout: Duration::from_secs(args.request_timeout.max(1)),
        max_concurrent_scrapes: args.max_concurrent_scrapes,
    };
    let server = Server::new(registry.clone(), config)?;
    let families = catalog.families();
    server.readiness().add(Check::new("catalog", true, move || {
        if families > 0 {
            Ok(())
        } else {
            Err("no families registered".into())
        }
    }));
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    let addr = listener.local_addr()?;
    println!("promdecl-demo: {families} catalog families, listening on http://{addr}");
    for path in ["/", args.metrics_path.as_str(), "/health", "/ready"] {
        println!("  http://{addr}{path}");
    }
    server.serve(listener, shutdown_signal()).await?;
    println!("promdecl-demo: stopped");
    Ok(())
}
