//! Security metrics (seed: "Security Dashboard" and the `SecurityEvent` alert rule).
//!
//! The document queries these families but never defines them. They are declared as
//! unlabeled counters: every query is a bare `rate(name[5m])`, and no labels are shown.

use promdecl::{Counter, Metrics};

/// Authentication, rate-limit and signature-verification failures.
#[derive(Debug, Metrics)]
#[metrics(prefix = "bridge")]
pub struct Security {
    /// Authentication failures
    #[metric(
        counter,
        note = "used by the Security Dashboard (\"Authentication Failures\") and the `SecurityEvent` alert but never defined; declared as an unlabeled counter; HELP from the panel title"
    )]
    pub auth_failures_total: Counter,

    /// Rate limit violations
    #[metric(
        counter,
        note = "used by the Security Dashboard (\"Rate Limit Violations\") but never defined; declared as an unlabeled counter; HELP from the panel title"
    )]
    pub rate_limit_violations_total: Counter,

    /// Signature verification failures
    #[metric(
        counter,
        note = "used by the Security Dashboard (\"Signature Verification Failures\") but never defined; declared as an unlabeled counter; HELP from the panel title"
    )]
    pub signature_failures_total: Counter,
}
