//! Records through the `metrics` facade only and prints the promdecl exposition.
//!
//! `cargo run -p promdecl-facade --example facade`

use std::sync::Arc;

use metrics::Unit;
use promdecl::{Format, Registry};
use promdecl_facade::{Matcher, PromdeclRecorder};

fn main() {
    let registry = Arc::new(Registry::new());
    PromdeclRecorder::new(registry.clone())
        .buckets_for(Matcher::Suffix("_bytes".into()), promdecl::buckets::SIZE)
        .install()
        .expect("no other recorder is installed");

    metrics::describe_counter!("jobs_total", "Jobs run, by queue");
    metrics::describe_gauge!("queue_depth", "Jobs waiting, by queue");
    metrics::describe_histogram!("job_duration_seconds", Unit::Seconds, "Time to run a job");
    metrics::describe_histogram!("payload_bytes", Unit::Bytes, "Job payload sizes");

    metrics::counter!("jobs_total", "queue" => "default").increment(1);
    metrics::counter!("jobs_total", "queue" => "bulk").increment(3);
    metrics::gauge!("queue_depth", "queue" => "default").set(4.0);
    metrics::gauge!("queue_depth", "queue" => "bulk").increment(2.0);
    metrics::gauge!("workers_busy").set(1.0);
    for secs in [0.003, 0.04, 0.7] {
        metrics::histogram!("job_duration_seconds", "queue" => "default").record(secs);
    }
    metrics::histogram!("payload_bytes").record(1500.0);

    print!("{}", registry.encode(Format::Text));
}
