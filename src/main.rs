use std::process::ExitCode;

use clap::Parser;
use nextcloud_mcp::app::config::{
    Cli, Command, CommonArgs, Config, HttpSettings, TelemetrySettings, Transport,
};
use nextcloud_mcp::app::startup::{Application, MetricsServer, shutdown_signal};
use nextcloud_mcp::app::{health, logging, stdio, wiring};
use tokio_util::sync::CancellationToken;

fn load(common: CommonArgs, transport: Transport) -> Result<Config, String> {
    Config::from_args(common, transport).map_err(|e| e.to_string())
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Serve {
            common,
            listen,
            allowed_hosts,
            telemetry,
            edge,
        } => {
            let config = load(common, Transport::Http)?;
            let http =
                HttpSettings::from_args(&listen, allowed_hosts, edge).map_err(|e| e.to_string())?;
            let telemetry = TelemetrySettings::from_args(&telemetry).map_err(|e| e.to_string())?;
            logging::init(&config.log_level, telemetry.log_format);
            let mut app = Application::build(config, http)
                .await
                .map_err(|e| e.to_string())?;
            if let Some(address) = telemetry.metrics_listen {
                app.serve_metrics(address)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            app.run_until_stopped(shutdown_signal())
                .await
                .map_err(|e| format!("server stopped: {e}"))
        }
        Command::Admin(args) => {
            let output = nextcloud_mcp::app::admin::run(args).await?;
            print!("{output}");
            Ok(())
        }
        Command::Stdio { common, telemetry } => {
            let config = load(common, Transport::Stdio)?;
            let telemetry = TelemetrySettings::from_args(&telemetry).map_err(|e| e.to_string())?;
            logging::init(&config.log_level, telemetry.log_format);
            let wired = wiring::wire(&config).await.map_err(|e| e.to_string())?;
            let stop = CancellationToken::new();
            if let Some(address) = telemetry.metrics_listen {
                let webhooks = wired.webhooks.as_ref().map(|w| w.intake.clone());
                MetricsServer::bind(address, webhooks)
                    .await
                    .map_err(|e| e.to_string())?
                    .spawn(stop.clone());
            }
            tracing::info!(mode = config.mode.name(), nextcloud = %config.nextcloud_url, "nextcloud-mcp serving stdio");
            let served = stdio::run(wired.mcp, &config.mode, &wired.connector)
                .await
                .map_err(|e| format!("stdio transport failed: {e}"));
            stop.cancel();
            served
        }
        Command::Health { url, listen } => {
            let target = health::target(url.as_deref(), &listen)?;
            let line = health::check(&target).await?;
            println!("{line}");
            Ok(())
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // A health check reports "unhealthy" as 1, the code container runtimes
    // read; every other failure to start is 2.
    let failure = match cli.command {
        Command::Health { .. } => ExitCode::from(1),
        _ => ExitCode::from(2),
    };
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("nextcloud-mcp: {message}");
            failure
        }
    }
}
