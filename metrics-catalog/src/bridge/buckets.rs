//! Histogram bucket presets for Chorus Bridge.

/// The buckets the document's histograms get: its Python code creates every `Histogram` without
/// `buckets=`, so prometheus_client's defaults apply. Declared explicitly so that the `le`
/// values match the Python service exactly, whatever this framework's own default is.
pub const PROMETHEUS_CLIENT_DEFAULT: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

/// Request body sizes in bytes, 64 B to 16 MiB (powers of 4). Our own choice: the document's
/// `bridge_request_size_bytes` uses the client defaults above, which are meant for seconds
/// (0.005 to 10) and put every request above 10 bytes in `+Inf`.
pub const REQUEST_SIZE: &[f64] = &[
    64.0,
    256.0,
    1_024.0,
    4_096.0,
    16_384.0,
    65_536.0,
    262_144.0,
    1_048_576.0,
    4_194_304.0,
    16_777_216.0,
];
