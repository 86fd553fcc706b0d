//! Exposition formats. Each format is one file here, and storage knows none of them.
//!
//! A format implements [`Writer`]: it is told each family's descriptor, then each of its series
//! as a [`SeriesRef`] (label values and a [`Reading`](crate::value::Reading)), then the end.
//! `drive` runs any writer over a registry's families. Adding a format is a new file with a
//! `Writer` and a way to reach it from [`Exposition`]; the series types, families and registry
//! stay as they are.
//!
//! - `text.rs`: Prometheus text 0.0.4 (1.0.0 with quoted UTF-8 names) and OpenMetrics 1.0,
//!   which share one line syntax and differ in metadata (`# TYPE` names and types, `# UNIT`,
//!   HELP escaping, `# EOF`) and in what OpenMetrics adds (`_created`, exemplars). Family
//!   storage caches each enumerated series' `name="value"` text ([`text::render_labels_into`]),
//!   so a scrape copies it instead of escaping again.
//! - `protobuf.rs`: length-delimited `io.prometheus.client.MetricFamily` messages, with types
//!   generated from the official `metrics.proto`.
//!
//! Every format writes names through the scraper's [`Escaping`].

pub(crate) mod openmetrics2;
pub(crate) mod protobuf;
pub(crate) mod text;

pub use promdecl_spec::Escaping;

use crate::desc::FamilyDesc;
use crate::view::{AnyFamily, SeriesRef};

/// A text exposition format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Format {
    /// Prometheus text format 0.0.4 (1.0.0 when names are written as UTF-8, quoted).
    #[default]
    Text,
    /// OpenMetrics 1.0 text.
    OpenMetrics,
    /// OpenMetrics 2.0 text, a release candidate: composite histogram values, `st@` start
    /// timestamps, native histograms in text. A server offers it only when configured to
    /// (`promdecl-server`'s `Config::openmetrics_2`), and only to a scraper asking for
    /// `version=2.0.0`.
    OpenMetrics2,
}

impl Format {
    /// The HTTP `Content-Type` of this format, names escaped with the default
    /// ([`Escaping::Underscores`]): what [`Registry::encode`](crate::Registry::encode) writes.
    pub fn content_type(self) -> String {
        Exposition::text(self).content_type()
    }
}

/// What one scrape is given: a text format or protobuf, and how names outside the legacy
/// character set are written ([`Escaping`], from the scraper's `escaping=`). Chosen by a
/// server's content negotiation; [`Registry::expose`](crate::Registry::expose) writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exposition {
    wire: Wire,
    escaping: Escaping,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wire {
    Text(Format),
    Protobuf,
}

/// `proto=` and `encoding=` of the protobuf media type.
pub(crate) const PROTOBUF_TYPE: &str =
    "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

impl Exposition {
    /// Text format `format`, names escaped with [`Escaping::Underscores`].
    pub const fn text(format: Format) -> Self {
        Self {
            wire: Wire::Text(format),
            escaping: Escaping::Underscores,
        }
    }

    /// Protobuf: length-delimited `io.prometheus.client.MetricFamily` messages, as Prometheus
    /// asks for them when native histograms are on.
    pub const fn protobuf() -> Self {
        Self {
            wire: Wire::Protobuf,
            escaping: Escaping::Underscores,
        }
    }

    /// The same exposition with names written per `escaping`.
    pub const fn with_escaping(self, escaping: Escaping) -> Self {
        Self { escaping, ..self }
    }

    /// The text format, if this is one.
    pub const fn text_format(self) -> Option<Format> {
        match self.wire {
            Wire::Text(f) => Some(f),
            Wire::Protobuf => None,
        }
    }

    /// How names outside the legacy character set are written.
    pub const fn escaping(self) -> Escaping {
        self.escaping
    }

    /// The exact HTTP `Content-Type`, with the version and the escaping used, as Prometheus 3
    /// requires: `text/plain; version=0.0.4; charset=utf-8; escaping=underscores`. Text asked
    /// to keep UTF-8 names is version 1.0.0, the version that can quote them.
    pub fn content_type(self) -> String {
        let base = match self.wire {
            Wire::Text(Format::Text) if self.escaping == Escaping::AllowUtf8 => {
                "text/plain; version=1.0.0; charset=utf-8"
            }
            Wire::Text(Format::Text) => "text/plain; version=0.0.4; charset=utf-8",
            Wire::Text(Format::OpenMetrics) => {
                "application/openmetrics-text; version=1.0.0; charset=utf-8"
            }
            Wire::Text(Format::OpenMetrics2) => {
                "application/openmetrics-text; version=2.0.0; charset=utf-8"
            }
            Wire::Protobuf => PROTOBUF_TYPE,
        };
        format!("{base}; escaping={}", self.escaping.as_param())
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
    /// How names outside the legacy character set are written.
    pub escaping: Escaping,
    /// Whether counters and histograms carry their start timestamps.
    pub start_timestamps: bool,
    /// Labels added to every series, before its own.
    pub const_labels: &'a [(String, String)],
    /// Calls its argument with every family, in order.
    pub families: VisitFamilies<'a>,
}

/// Writes every family of `source` in text format `format`, appending to `out`.
pub(crate) fn write_text(out: &mut String, format: Format, source: &Source<'_>) {
    match format {
        Format::OpenMetrics2 => openmetrics2::write(out, source),
        _ => drive(text::TextWriter::new(out, format, source), source),
    }
}

fn drive(mut writer: impl Writer, source: &Source<'_>) {
    (source.families)(&mut |prefix, family| {
        writer.family(prefix, family.desc());
        family.for_each_series(&mut |s| writer.series(s));
    });
    writer.finish();
}
