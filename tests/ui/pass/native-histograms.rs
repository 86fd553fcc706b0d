// `native` histograms: native-only in any unit (no classic buckets needed), with every key, and
// together with classic buckets.
use promdecl::value::NativeSpec;
use promdecl::{Format, Histogram, Metrics, Registry};

#[derive(Metrics)]
struct Io {
    /// Payload sizes
    #[metric(histogram, native)]
    payload_bytes: Histogram,
    /// Call latency
    #[metric(
        histogram,
        native(factor = 2, zero_threshold = 1e-9, max_buckets = 100)
    )]
    call_seconds: Histogram,
    /// Queue wait, classic and native
    #[metric(histogram, buckets = [0.1, 1.0], native(max_buckets = 20))]
    wait_seconds: Histogram,
}

fn main() {
    let [payload, call, wait] = <Io as Metrics>::FAMILIES else {
        panic!("three families");
    };
    assert_eq!(payload.native, Some(NativeSpec::DEFAULT));
    assert_eq!(payload.buckets, Some(&[][..]));
    let spec = NativeSpec::from_factor(2.0)
        .with_zero_threshold(1e-9)
        .with_max_buckets(100);
    assert_eq!(call.native, Some(spec));
    assert_eq!(call.native.map(|n| n.schema), Some(0));
    assert_eq!(call.buckets, Some(&[][..]));
    assert_eq!(wait.buckets, Some(&[0.1, 1.0][..]));
    assert_eq!(wait.native, Some(NativeSpec::DEFAULT.with_max_buckets(20)));

    let registry = Registry::new();
    let io = registry.register(Io::new()).unwrap();
    io.call_seconds().observe(3.0);
    let native = io.call_seconds().native().unwrap();
    assert_eq!(
        (native.schema, native.positive.as_slice()),
        (0, &[(2, 1)][..])
    );
    let text = registry.encode(Format::Text);
    assert!(
        text.contains("call_seconds_bucket{le=\"+Inf\"} 1\n"),
        "{text}"
    );
    assert!(text.contains("call_seconds_count 1\n"), "{text}");
}
