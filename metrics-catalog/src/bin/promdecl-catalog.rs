//! The catalog CLI: exports and generates what the five systems declare.

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};
use promdecl_catalog::generate;

/// Inspect the metric catalog and generate docs, alert rules and dashboards from it.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    /// Directory the `docs/...` paths are written under (the repository root by default).
    #[arg(long, global = true, default_value = ".")]
    root: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print every family of every system.
    Export {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
    },
    /// Write the Markdown reference: docs/metrics/<system>.md and an index.
    Docs,
    /// Write Prometheus rule files: docs/alerts/<system>.rules.yml.
    Alerts,
    /// Write Grafana dashboards: docs/dashboards/<system>.json.
    Dashboards,
    /// Print a prometheus.yml scrape job for the server.
    ScrapeConfig {
        /// The server's address.
        #[arg(long, default_value = "127.0.0.1:9090")]
        target: String,
    },
    /// Write everything above (what the staleness test checks).
    Generate,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ExportFormat {
    /// One JSON object `{"families": [...]}`.
    Json,
}

fn write(root: &Path, files: impl IntoIterator<Item = generate::File>) -> std::io::Result<()> {
    for (path, content) in files {
        let path = root.join(path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, content)?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

fn only(prefix: &str) -> impl Iterator<Item = generate::File> + '_ {
    generate::all()
        .into_iter()
        .filter(move |(p, _)| p.starts_with(prefix))
}

fn main() -> std::io::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Export {
            format: ExportFormat::Json,
        } => println!("{:#}", promdecl_catalog::export::json()),
        Command::Docs => write(&cli.root, only("docs/metrics/"))?,
        Command::Alerts => write(&cli.root, only("docs/alerts/"))?,
        Command::Dashboards => write(&cli.root, only("docs/dashboards/"))?,
        Command::ScrapeConfig { target } => print!("{}", generate::scrape_config(&target)),
        Command::Generate => write(&cli.root, generate::all())?,
    }
    Ok(())
}
