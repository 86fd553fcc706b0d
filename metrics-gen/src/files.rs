//! Every generated file at once: produce them ([`generate`]), write them ([`write()`]), and check
//! that the committed ones are what the declarations produce now ([`check_fresh`]).
//!
//! The directories the generators write into (`docs/metrics/`, `docs/alerts/`, and each directory
//! holding a generated file, except a directory above another: `docs/` itself is not one) belong
//! to the generators: a file there that is no longer produced is stale, [`write()`] removes it and
//! [`check_fresh`] reports it. Hidden files (`.gitkeep`) are left alone.

use std::collections::BTreeSet;
use std::fmt;
use std::io;
use std::path::Path;

use similar::TextDiff;

use crate::alertmanager;
use crate::dashboard;
use crate::kubernetes;
use crate::layout::{self, File};
use crate::markdown;
use crate::model::Project;
use crate::rule_files;
use crate::rule_tests;
use crate::scrape;
use crate::slo;

/// Every file generated from `project`: the Markdown index and one page per group, a rule file
/// and its `promtool test rules` file per group that has rules, the Prometheus configuration,
/// the Alertmanager configuration when the project has one
/// ([`alertmanager_config`](Project::alertmanager_config)), a Grafana dashboard per group, a
/// Kubernetes `ServiceMonitor` per group that asks for one, the rule file, `promtool` tests and
/// dashboard of each group's SLOs ([`crate::slo`]), and the project's
/// [`extra_files`](Project::extra_files).
pub fn generate(project: &Project) -> Vec<File> {
    let mut files = vec![File::new(layout::REFERENCE_INDEX, markdown::index(project))];
    for g in &project.groups {
        files.push(File::new(
            layout::reference(&g.name),
            markdown::page(project, g),
        ));
        if let Some(rules) = rule_files::rule_file(g) {
            files.push(File::new(layout::rule_file(&g.name), rules));
        }
    }
    files.push(File::new(layout::SCRAPE_CONFIG, scrape::config(project)));
    if let Some(config) = &project.alertmanager_config {
        files.push(File::new(
            layout::ALERTMANAGER_CONFIG,
            alertmanager::config(config),
        ));
    }
    files.extend(dashboard::files(project));
    files.extend(rule_tests::files(project));
    files.extend(slo::files(project));
    files.extend(kubernetes::files(project));
    files.extend(project.extra_files.iter().cloned());
    files
}

/// The directories the generators own: see the module docs.
fn owned_dirs(files: &[File]) -> BTreeSet<String> {
    let parents = files
        .iter()
        .filter_map(|f| f.path.rsplit_once('/').map(|(dir, _)| dir.to_string()));
    let dirs: BTreeSet<String> = [layout::REFERENCE_DIR, layout::RULES_DIR]
        .into_iter()
        .map(String::from)
        .chain(parents)
        .collect();
    let above = |d: &String| dirs.iter().any(|o| o.starts_with(&format!("{d}/")));
    dirs.iter().filter(|d| !above(d)).cloned().collect()
}

/// Files under `root` in a directory the generators own that `files` does not produce, as paths
/// relative to `root`.
pub fn stale(root: &Path, files: &[File]) -> io::Result<Vec<String>> {
    let produced: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let mut out = Vec::new();
    for dir in owned_dirs(files) {
        let entries = match std::fs::read_dir(root.join(&dir)) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = format!("{dir}/{name}");
            if entry.file_type()?.is_file()
                && !name.starts_with('.')
                && !produced.contains(path.as_str())
            {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Writes `files` under `root` (creating directories, leaving unchanged files untouched) and
/// removes the [`stale`] ones.
pub fn write(root: &Path, files: &[File]) -> io::Result<()> {
    for old in stale(root, files)? {
        std::fs::remove_file(root.join(old))?;
    }
    for f in files {
        let path = root.join(&f.path);
        if std::fs::read_to_string(&path).is_ok_and(|now| now == f.contents) {
            continue;
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, &f.contents)?;
    }
    Ok(())
}

/// Generated files that differ from what the declarations produce; its `Display` and `Debug`
/// (what `unwrap()` prints) show a unified diff per changed file and the command that
/// regenerates them.
#[derive(Clone, PartialEq, Eq)]
pub struct StaleFiles {
    /// Committed files whose contents differ.
    pub changed: Vec<String>,
    /// Files the declarations produce that are not there.
    pub missing: Vec<String>,
    /// Files in a generated directory that the declarations no longer produce.
    pub unexpected: Vec<String>,
    report: String,
}

impl fmt::Display for StaleFiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.report)
    }
}

impl fmt::Debug for StaleFiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\n{}", self.report)
    }
}

impl std::error::Error for StaleFiles {}

/// Compares the files under `root` with `files` (what the declarations produce now). On any
/// difference (a changed file, a missing one, or a stale one in a generated directory) the error
/// lists them, with a unified diff per changed file, and names `regenerate`, the command that
/// rewrites them.
///
/// ```no_run
/// # fn project() -> promdecl_gen::Project { promdecl_gen::Project::new("Shop", "shop") }
/// let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
/// promdecl_gen::check_fresh(root, &promdecl_gen::generate(&project()), "cargo run --example gen -- generate")
///     .unwrap();
/// ```
pub fn check_fresh(root: &Path, files: &[File], regenerate: &str) -> Result<(), StaleFiles> {
    let mut changed = Vec::new();
    let mut missing = Vec::new();
    let mut diffs = String::new();
    for f in files {
        match std::fs::read_to_string(root.join(&f.path)) {
            Ok(now) if now == f.contents => {}
            Ok(now) => {
                let diff = TextDiff::from_lines(now.as_str(), f.contents.as_str());
                let unified = diff
                    .unified_diff()
                    .context_radius(3)
                    .header(
                        &format!("{} (committed)", f.path),
                        &format!("{} (generated)", f.path),
                    )
                    .to_string();
                diffs.push('\n');
                diffs.push_str(&unified);
                changed.push(f.path.clone());
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => missing.push(f.path.clone()),
            Err(e) => {
                diffs.push_str(&format!("\n{}: cannot be read: {e}\n", f.path));
                changed.push(f.path.clone());
            }
        }
    }
    let unexpected = stale(root, files).unwrap_or_else(|e| {
        diffs.push_str(&format!("\ngenerated directories cannot be listed: {e}\n"));
        Vec::new()
    });
    let count = changed.len() + missing.len() + unexpected.len();
    if count == 0 && diffs.is_empty() {
        return Ok(());
    }
    let mut report = format!(
        "{count} generated file{} under {} differ from what the declarations produce; \
         regenerate with\n\n    {regenerate}\n\nand commit the result.\n",
        if count == 1 { "" } else { "s" },
        root.display()
    );
    for (what, paths) in [
        ("changed", &changed),
        ("missing", &missing),
        ("no longer generated", &unexpected),
    ] {
        for p in paths {
            report.push_str(&format!("{what}: {p}\n"));
        }
    }
    report.push_str(&diffs);
    Err(StaleFiles {
        changed,
        missing,
        unexpected,
        report,
    })
}
