//! What the operator sees: the log format and the metrics listener.

use std::net::SocketAddr;

use clap::{Args, ValueEnum};

use super::ConfigError;

#[derive(Args, Debug, Default, Clone)]
pub struct TelemetryArgs {
    /// Log line format on stderr: plain (for people) or json (one object per line, for collectors).
    #[arg(long, env = "NEXTCLOUD_MCP_LOG_FORMAT", value_enum, default_value_t = LogFormat::Plain)]
    pub log_format: LogFormat,
    /// Serve Prometheus metrics at /metrics on this address (e.g. 127.0.0.1:9464); off when unset.
    #[arg(long, env = "NEXTCLOUD_MCP_METRICS_LISTEN")]
    pub metrics_listen: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    #[default]
    Plain,
    Json,
}

/// The validated telemetry settings.
#[derive(Clone, Copy, Debug, Default)]
pub struct TelemetrySettings {
    pub log_format: LogFormat,
    /// Off by default, so metrics are never public by accident.
    pub metrics_listen: Option<SocketAddr>,
}

impl TelemetrySettings {
    pub fn from_args(args: &TelemetryArgs) -> Result<Self, ConfigError> {
        let metrics_listen = match args.metrics_listen.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(raw.parse().map_err(|_| ConfigError::Invalid {
                setting: "NEXTCLOUD_MCP_METRICS_LISTEN",
                reason: format!("'{raw}' is not an address like 127.0.0.1:9464"),
            })?),
        };
        Ok(Self {
            log_format: args.log_format,
            metrics_listen,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_are_off_unless_an_address_is_given() {
        let off = TelemetrySettings::from_args(&TelemetryArgs::default()).unwrap();
        assert!(off.metrics_listen.is_none());
        let on = TelemetrySettings::from_args(&TelemetryArgs {
            metrics_listen: Some("127.0.0.1:9464".into()),
            ..TelemetryArgs::default()
        })
        .unwrap();
        assert_eq!(on.metrics_listen, Some("127.0.0.1:9464".parse().unwrap()));
        let bad = TelemetrySettings::from_args(&TelemetryArgs {
            metrics_listen: Some("9464".into()),
            ..TelemetryArgs::default()
        })
        .unwrap_err();
        assert!(bad.to_string().contains("NEXTCLOUD_MCP_METRICS_LISTEN"));
    }
}
