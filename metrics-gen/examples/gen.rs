//! A project's generator binary in full: declarations, rules, and the command line.
//!
//! ```sh
//! cargo run -p promdecl-gen --example gen -- generate --root /tmp/jobs   # write docs/...
//! cargo run -p promdecl-gen --example gen -- check --root /tmp/jobs      # diff, exit 1 if stale
//! cargo run -p promdecl-gen --example gen -- check-rules                 # PromQL against the declarations
//! cargo run -p promdecl-gen --example gen -- export                      # JSON
//! ```

use promdecl::{Counter, Gauge, Histogram, Metrics};
use promdecl_gen::{Alert, Group, Project, RuleGroup};

#[derive(Metrics)]
#[metrics(prefix = "jobs")]
struct Queue {
    /// Jobs finished, by queue and result
    #[metric(counter, labels = [queue, result = [done, failed, retried]], max_series = 50)]
    finished_total: Counter,
    /// Jobs waiting to run
    #[metric(gauge, labels = [queue], max_series = 50)]
    waiting: Gauge,
    /// Time from enqueue to finish
    #[metric(histogram, labels = [result = [done, failed, retried]])]
    duration_seconds: Histogram,
}

fn project() -> Project {
    let rules = RuleGroup::new("jobs")
        .record(
            "queue:jobs_failed:ratio5m",
            r#"sum by (queue) (rate(jobs_finished_total{result="failed"}[5m])) / sum by (queue) (rate(jobs_finished_total[5m]))"#,
        )
        .alert(
            Alert::new("JobsFailing")
                .expr("queue:jobs_failed:ratio5m > 0.1")
                .for_("15m")
                .label("severity", "warning")
                .annotation("summary", "More than 10% of the jobs of {{ $labels.queue }} fail"),
        );
    let queue = Group::new("jobs", "Job queue")
        .intro("Declared in `examples/gen.rs`.")
        .metrics::<Queue>("Queue")
        .rules(rules);
    Project::new("Job queue metrics", "jobs")
        .target("127.0.0.1:9100")
        .group(queue)
}

fn main() {
    promdecl_gen::cli::main(project())
}
