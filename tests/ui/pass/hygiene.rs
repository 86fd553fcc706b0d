// Generated code must not depend on names the user can shadow.
#![allow(dead_code, non_camel_case_types)]

mod std {}
mod core {}
// A local item named like the runtime crate: generated code names `::promdecl`, never `promdecl`.
mod promdecl {}
struct Result;
struct Ok;
struct Option;
struct Some;
struct None;
struct Default;

use ::promdecl::{Counter, Gauge, Histogram, Info, LabelValue, Metrics};

#[derive(::std::clone::Clone, ::std::marker::Copy, LabelValue)]
enum Status {
    Success,
    Failure,
}

#[derive(Metrics)]
#[metrics(prefix = "hygiene")]
pub struct Hygiene {
    /// Requests
    #[metric(counter, labels = [route, status: Status, code = ["2xx", "5xx"]], idle_timeout = "10m")]
    requests_total: Counter,
    /// Streams
    #[metric(gauge, labels = [peer, protocol], max_series = 10, idle_timeout = "30s")]
    streams: Gauge,
    /// Temperature
    #[metric(gauge, unit = "celsius")]
    temperature_celsius: Gauge,
    /// Latency
    #[metric(histogram, labels = [cached: bool], buckets = exponential(0.001, 2.0, 8))]
    latency_seconds: Histogram,
    /// Sizes
    #[metric(
        histogram,
        native(factor = 1.5, zero_threshold = 0.0, max_buckets = 10)
    )]
    size_bytes: Histogram,
    /// Build
    #[metric(info, labels = [version])]
    build_info: Info,
}

fn main() {
    let m = Hygiene::new();
    m.requests_total("/a", Status::Failure, hygiene_labels::Code::V5xx)
        .inc();
    m.temperature_celsius().set(21.5);
    m.latency_seconds(true).observe(0.01);
    m.size_bytes().observe(512.0);
    m.build_info("1.0");
    m.streams("p1", "tcp").set(1.0);
    m.streams("p2", "tcp").set(1.0);
    ::std::assert!(m.remove_requests_total("/a"));
    ::std::assert!(!m.remove_requests_total("/a"));
    ::std::assert_eq!(
        m.remove_requests_total_matching(::core::option::Option::None),
        0
    );
    ::std::assert!(m.remove_streams("p1", "tcp"));
    let tcp = ::core::option::Option::Some("tcp");
    ::std::assert_eq!(
        m.remove_streams_matching(::core::option::Option::None, tcp),
        1
    );
    ::std::assert_eq!(<Hygiene as Metrics>::FAMILIES.len(), 6);
    ::std::assert_eq!(
        <Hygiene as Metrics>::FAMILIES[0].idle_timeout,
        ::core::option::Option::Some(::core::time::Duration::from_secs(600))
    );
}
