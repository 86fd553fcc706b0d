//! A command line over one project, wired in one line from a binary or an example:
//!
//! ```no_run
//! # fn my_project() -> promdecl_gen::Project { promdecl_gen::Project::new("Shop", "shop") }
//! fn main() {
//!     promdecl_gen::cli::main(my_project())
//! }
//! ```
//!
//! Subcommands: `generate [--root DIR]` writes every generated file, `check [--root DIR]` fails
//! with a diff when a committed one is out of date, `export` prints the JSON export,
//! `check-rules` fails with the PromQL errors of the rules, and `diff OLD.json [NEW.json]` prints
//! the schema changes since an earlier export and fails when one breaks queries.

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::diff;
use crate::export;
use crate::files::{check_fresh, generate, stale, write};
use crate::model::Project;
use crate::promql;

/// Generates the metrics reference, Prometheus rule files and configuration from the metric
/// declarations, and checks them.
#[derive(Debug, Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write every generated file under the root (and remove generated files no longer produced).
    Generate {
        /// Directory the `docs/...` paths are relative to.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Fail, with a diff, when the generated files under the root are not what the declarations
    /// produce.
    Check {
        /// Directory the `docs/...` paths are relative to.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Print every family and rule as JSON.
    Export,
    /// Fail when a rule names a metric, label or label value that is not declared.
    CheckRules,
    /// Compare two JSON exports (the second defaults to the declarations now); fail when a
    /// change breaks queries, naming the rules and panels it breaks.
    Diff {
        /// The old export (from `export`).
        old: PathBuf,
        /// The new export; the current declarations when left out.
        new: Option<PathBuf>,
    },
}

/// Runs the command line in `std::env::args_os()` on `project`; exits non-zero on failure.
pub fn main(project: Project) {
    let code = run(
        &project,
        std::env::args_os(),
        &mut io::stdout().lock(),
        &mut io::stderr().lock(),
    );
    if code != 0 {
        std::process::exit(code);
    }
}

/// Runs the command line `args` (the program name first) on `project`, writing to `out` and
/// `err`; returns the exit code.
///
/// ```
/// let project = promdecl_gen::Project::new("Shop", "shop");
/// let (mut out, mut err) = (Vec::new(), Vec::new());
/// let code = promdecl_gen::cli::run(&project, ["gen", "export"], &mut out, &mut err);
/// assert_eq!(code, 0);
/// assert!(String::from_utf8(out).unwrap().contains(r#""families": []"#));
/// ```
pub fn run<I, T>(project: &Project, args: I, out: &mut dyn Write, err: &mut dyn Write) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let program = args
        .first()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|| "gen".into());
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => {
            let text = e.render().to_string();
            let _ = match e.use_stderr() {
                true => err.write_all(text.as_bytes()),
                false => out.write_all(text.as_bytes()),
            };
            return e.exit_code();
        }
    };
    match execute(project, cli.command, &program, out, err) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            1
        }
    }
}

fn execute(
    project: &Project,
    command: Command,
    program: &str,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<i32> {
    match command {
        Command::Generate { root } => {
            let files = generate(project);
            for old in stale(&root, &files)? {
                writeln!(err, "removed {old}")?;
            }
            write(&root, &files)?;
            writeln!(err, "wrote {} files under {}", files.len(), root.display())?;
        }
        Command::Check { root } => {
            let regenerate = format!("{program} generate --root {}", root.display());
            if let Err(stale) = check_fresh(&root, &generate(project), &regenerate) {
                write!(err, "{stale}")?;
                return Ok(1);
            }
            writeln!(
                err,
                "generated files under {} are up to date",
                root.display()
            )?;
        }
        Command::Export => out.write_all(export::to_string(project).as_bytes())?,
        Command::CheckRules => {
            if let Err(errors) = promql::check(project) {
                for e in &errors {
                    writeln!(err, "{e}")?;
                }
                writeln!(err, "{} problem(s) in the rules", errors.len())?;
                return Ok(1);
            }
            writeln!(
                err,
                "every rule reads only declared metrics, labels and values"
            )?;
        }
        Command::Diff { old, new } => {
            let read = |path: &PathBuf| {
                let text = std::fs::read_to_string(path)?;
                export::read(&text).map_err(|e| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("{}: {e}", path.display()),
                    )
                })
            };
            let old = read(&old)?;
            let new = match &new {
                Some(path) => read(path)?,
                None => export::export(project),
            };
            let d = diff::diff(&old, &new);
            write!(out, "{d}")?;
            return Ok(if d.is_breaking() { 1 } else { 0 });
        }
    }
    Ok(0)
}
