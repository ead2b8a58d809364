//! The process's log subscriber: stderr (under stdio, stdout carries the
//! protocol), plain or JSON, colour only for a person at a terminal.

mod timestamp;

use std::io::IsTerminal;

use tracing_subscriber::filter::{ParseError, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::app::config::LogFormat;

pub use timestamp::Timestamp;

/// The filter for NEXTCLOUD_MCP_LOG_LEVEL: a level, or `target=level`
/// directives. Targets rather than the environment-filter syntax: it needs
/// no regular-expression engine, and span and field filters were never
/// offered.
pub fn filter(level: &str) -> Result<Targets, ParseError> {
    // rmcp logs every stateless request at info; keep that out of a plain level.
    let directives = if level.contains('=') || level.contains(',') {
        level.to_string()
    } else {
        format!("{level},rmcp=warn")
    };
    directives.parse()
}

/// Colour codes only reach a terminal, and not when NO_COLOR asks otherwise
/// (https://no-color.org: set and not empty).
pub fn use_colour(stderr_is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    stderr_is_terminal && no_color.is_none_or(|v| v.is_empty())
}

/// The server's subscriber writing to `writer`: stderr in the server, a
/// sink of its own in the benchmark, so both format lines the same way.
pub fn subscriber<W>(level: &str, format: LogFormat, ansi: bool, writer: W) -> tracing::Dispatch
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    // The configuration refused a level that does not parse before start.
    let targets = filter(level).unwrap_or_else(|_| Targets::new());
    let builder = tracing_subscriber::fmt()
        .with_max_level(tracing::level_filters::LevelFilter::TRACE)
        .with_timer(Timestamp)
        .with_writer(writer);
    match format {
        LogFormat::Plain => builder.with_ansi(ansi).finish().with(targets).into(),
        // Fields at the top level, so collectors read `tool` not `fields.tool`.
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .finish()
            .with(targets)
            .into(),
    }
}

/// Installs the subscriber for the whole process (and the bridge from the
/// `log` crate, as the subscriber builder's own `init` does).
pub fn init(level: &str, format: LogFormat) {
    let ansi = use_colour(
        std::io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    );
    subscriber(level, format, ansi, std::io::stderr).init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_needs_a_terminal_and_no_no_color() {
        assert!(use_colour(true, None));
        assert!(use_colour(true, Some("".as_ref())));
        assert!(!use_colour(true, Some("1".as_ref())));
        assert!(!use_colour(false, None));
    }
}
