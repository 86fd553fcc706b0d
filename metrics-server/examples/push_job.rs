//! A batch job that cannot be scraped: it does its work, then pushes its metrics to a
//! Pushgateway under job `push_job`, grouped by `instance`.
//!
//! ```text
//! cargo run -p promdecl-server --example push_job -- http://127.0.0.1:9091
//! ```
//!
//! Exits non-zero with the error message when the push fails.

use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use promdecl::{Counter, Format, Gauge, Histogram, Metrics, Registry};
use promdecl_server::Pusher;

/// The metrics of one run of the batch job.
#[derive(Metrics)]
struct BatchJob {
    /// Items processed by the job
    #[metric(counter)]
    jobs_processed_total: Counter,
    /// When the job last finished successfully, in seconds since the Unix epoch
    #[metric(gauge)]
    last_success_timestamp_seconds: Gauge,
    /// How long one item took to process
    #[metric(histogram, buckets = [0.001, 0.005, 0.01, 0.05, 0.1])]
    item_duration_seconds: Histogram,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let gateway = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:9091".into());
    // Start timestamps left out: a pushed series outlives the run, so "started at" says little.
    let registry = Registry::builder()
        .without_start_timestamps()
        .build()
        .expect("no prefix or const labels to get wrong");
    let job = registry
        .register(BatchJob::new())
        .expect("the only metrics of this registry");

    // The fake work: a few items of a few milliseconds each.
    for item in 0..5u64 {
        let started = Instant::now();
        tokio::time::sleep(Duration::from_millis(2 + item)).await;
        job.item_duration_seconds()
            .observe(started.elapsed().as_secs_f64());
        job.jobs_processed_total().inc();
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    job.last_success_timestamp_seconds().set(now.floor());

    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "localhost".into());
    let pushed = async {
        let pusher = Pusher::new(&gateway, "push_job")?.grouping("instance", host);
        pusher.push(&registry).await?;
        Ok::<_, promdecl_server::PushError>(pusher.url())
    };
    match pushed.await {
        Ok(url) => {
            println!("pushed to {url}:\n");
            print!("{}", registry.encode(Format::Text));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("push_job: {e}");
            ExitCode::FAILURE
        }
    }
}
