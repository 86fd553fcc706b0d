// Inline label enums are generated in a module per struct (`<struct>_labels`): two structs in one
// module may both declare `result = [ok, err]`, and the user's own `Result` stays untouched.
use promdecl::{testing, Counter, Histogram, Metrics};

type Result<T> = std::result::Result<T, String>;

#[derive(Metrics)]
#[metrics(prefix = "reads")]
struct Reads {
    /// Reads by result
    #[metric(counter, labels = [result = [ok, err]])]
    total: Counter,
    /// Read latency by result: the same label shares `reads_labels::Result`
    #[metric(histogram, labels = [result = [ok, err]])]
    latency_seconds: Histogram,
}

#[derive(Metrics)]
#[metrics(prefix = "writes")]
struct Writes {
    /// Writes by result
    #[metric(counter, labels = [result = [ok, err]])]
    total: Counter,
}

fn parse(s: &str) -> Result<u32> {
    s.parse().map_err(|e| format!("{e}"))
}

fn main() {
    let (reads, writes) = (Reads::new(), Writes::new());
    let result = match parse("7") {
        Ok(_) => reads_labels::Result::Ok,
        Err(_) => reads_labels::Result::Err,
    };
    reads.total(result).inc();
    reads.latency_seconds(result).observe(0.01);
    writes.total(writes_labels::Result::Err).inc();
    assert_eq!(testing::value(&reads, "reads_total", &["ok"]), Some(1.0));
    assert_eq!(testing::value(&writes, "writes_total", &["err"]), Some(1.0));
    assert!(parse("x").is_err());
}
