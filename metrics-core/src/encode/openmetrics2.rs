//! OpenMetrics 2.0 text (release candidate).

use super::Source;

/// Writes every family of `source` as OpenMetrics 2.0 text, appending to `out`.
pub(crate) fn write(_out: &mut String, _source: &Source<'_>) {}
