//! The trace a request belongs to, for exemplars: W3C Trace Context's `traceparent` header
//! (`00-<32 hex trace id>-<16 hex parent span id>-<2 hex flags>`), or whatever a service's own
//! tracer says ([`HttpMetrics::trace_with`](crate::HttpMetrics::trace_with)).

use axum::extract::Request;

/// A trace id and span id, as exemplar labels `trace_id` and `span_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceContext {
    trace_id: String,
    span_id: String,
}

impl TraceContext {
    /// A trace context from ids in lowercase hex (32 and 16 digits, not all zero, as W3C
    /// Trace Context requires); `None` otherwise.
    pub fn new(trace_id: &str, span_id: &str) -> Option<Self> {
        let valid = |id: &str, len: usize| {
            id.len() == len
                && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
                && id.bytes().any(|b| b != b'0')
        };
        (valid(trace_id, 32) && valid(span_id, 16)).then(|| Self {
            trace_id: trace_id.to_string(),
            span_id: span_id.to_string(),
        })
    }

    /// The context a `traceparent` header value carries; `None` for one W3C Trace Context
    /// says to ignore (a malformed value, version `ff`, all-zero ids).
    pub fn from_traceparent(value: &str) -> Option<Self> {
        let mut parts = value.trim().split('-');
        let (version, trace_id, span_id, flags) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        let hex2 = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_hexdigit());
        // Version 00 has exactly four fields; later versions may add some.
        let more = parts.next().is_some();
        if !hex2(version) || version == "ff" || !hex2(flags) || (version == "00" && more) {
            return None;
        }
        Self::new(trace_id, span_id)
    }

    /// The context of `request`'s `traceparent` header, if it has a valid one.
    pub fn of_request(request: &Request) -> Option<Self> {
        let value = request.headers().get("traceparent")?.to_str().ok()?;
        Self::from_traceparent(value)
    }

    /// The exemplar labels: `trace_id` and `span_id`.
    pub fn labels(&self) -> [(&str, &str); 2] {
        [("trace_id", &self.trace_id), ("span_id", &self.span_id)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traceparent_values_as_w3c_trace_context_defines_them() {
        // The example of W3C Trace Context, "traceparent Header Field Values".
        let ok = TraceContext::from_traceparent(
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        )
        .unwrap();
        assert_eq!(
            ok.labels(),
            [
                ("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"),
                ("span_id", "00f067aa0ba902b7")
            ]
        );
        for bad in [
            "",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
        ] {
            assert_eq!(TraceContext::from_traceparent(bad), None, "{bad}");
        }
        // A later version may carry more fields.
        assert!(TraceContext::from_traceparent(
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-more"
        )
        .is_some());
    }
}
