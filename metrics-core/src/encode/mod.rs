//! Exposition formats. Each format is one file here, and storage knows none of them.
//!
//! A format implements [`Writer`]: it is told each family's descriptor, then each of its series
//! as a [`SeriesRef`] (label values and a [`Reading`](crate::value::Reading)), then the end.
//! [`write`] drives any writer over a registry's families. Adding a format is a new file with a
//! `Writer` and one arm in [`write`]; the series types, families and registry stay as they are.
//!
//! - `text.rs`: Prometheus text 0.0.4 and OpenMetrics 1.0, which share one line syntax and
//!   differ only in metadata (`# TYPE` names and types, `# UNIT`, HELP escaping, `# EOF`).
//!   Family storage caches each series' `name="value"` text, rendered here when the series is
//!   created ([`text::render_labels_into`]), so a scrape copies it instead of escaping again.

pub(crate) mod text;

use crate::desc::FamilyDesc;
use crate::view::{AnyFamily, SeriesRef};

/// An exposition format. More will be added (protobuf), so matches need a wildcard arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Format {
    /// Prometheus text format 0.0.4.
    #[default]
    Text,
    /// OpenMetrics 1.0 text.
    OpenMetrics,
}

impl Format {
    /// The HTTP `Content-Type` of this format. Choosing a format by `Accept` is the server's
    /// job (`promdecl-server` negotiates per RFC 9110).
    pub const fn content_type(self) -> &'static str {
        match self {
            Format::Text => "text/plain; version=0.0.4; charset=utf-8",
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
        }
    }
}

/// What an exposition format implements.
pub(crate) trait Writer {
    /// Starts a family exposed as `prefix` + its name: metadata lines. The series that follow
    /// belong to it.
    fn family(&mut self, prefix: &str, desc: &FamilyDesc);
    /// Writes one series of the current family.
    fn series(&mut self, series: &SeriesRef<'_>);
    /// Ends the exposition.
    fn finish(self);
}

/// Calls its argument with every family of an exposition, in order, and the prefix of its name.
pub(crate) type VisitFamilies<'a> = &'a dyn Fn(&mut dyn FnMut(&str, &dyn AnyFamily));

/// Where the families of one exposition come from, and what applies to all of them.
pub(crate) struct Source<'a> {
    /// Labels added to every series, before its own.
    pub const_labels: &'a [(String, String)],
    /// Calls its argument with every family, in order.
    pub families: VisitFamilies<'a>,
}

/// Writes every family of `source` in `format`, appending to `out`.
pub(crate) fn write(out: &mut String, format: Format, source: &Source<'_>) {
    match format {
        Format::Text | Format::OpenMetrics => {
            drive(text::TextWriter::new(out, format, source), source)
        }
    }
}

fn drive(mut writer: impl Writer, source: &Source<'_>) {
    (source.families)(&mut |prefix, family| {
        writer.family(prefix, family.desc());
        family.for_each_series(&mut |s| writer.series(s));
    });
    writer.finish();
}
