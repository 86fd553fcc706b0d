//! The catalog CLI: exports what the five systems declare.

use clap::{Parser, Subcommand, ValueEnum};

/// Inspect and export the metric catalog.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
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
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ExportFormat {
    /// One JSON object `{"families": [...]}`.
    Json,
}

fn main() {
    match Cli::parse().command {
        Command::Export {
            format: ExportFormat::Json,
        } => {
            println!("{:#}", metrics_catalog::export::json());
        }
    }
}
