use std::process::ExitCode;

use clap::Parser;
use nextcloud_mcp::app::config::{Cli, Command, CommonArgs, Config, HttpSettings, Transport};
use nextcloud_mcp::app::startup::{Application, shutdown_signal};
use nextcloud_mcp::app::{stdio, wiring};

fn init_logging(level: &str) {
    // rmcp logs every stateless request at info; keep that out of a plain level.
    let filter = if level.contains('=') || level.contains(',') {
        level.to_string()
    } else {
        format!("{level},rmcp=warn")
    };
    // Logs go to stderr: under stdio, stdout carries the protocol.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .init();
}

fn load(common: CommonArgs, transport: Transport) -> Result<Config, String> {
    Config::from_args(common, transport).map_err(|e| e.to_string())
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Serve {
            common,
            listen,
            allowed_hosts,
            edge,
        } => {
            let config = load(common, Transport::Http)?;
            let http =
                HttpSettings::from_args(&listen, allowed_hosts, edge).map_err(|e| e.to_string())?;
            init_logging(&config.log_level);
            let app = Application::build(config, http)
                .await
                .map_err(|e| e.to_string())?;
            app.run_until_stopped(shutdown_signal())
                .await
                .map_err(|e| format!("server stopped: {e}"))
        }
        Command::Admin(args) => {
            let output = nextcloud_mcp::app::admin::run(args).await?;
            print!("{output}");
            Ok(())
        }
        Command::Stdio { common } => {
            let config = load(common, Transport::Stdio)?;
            init_logging(&config.log_level);
            let wired = wiring::wire(&config).await.map_err(|e| e.to_string())?;
            tracing::info!(mode = config.mode.name(), nextcloud = %config.nextcloud_url, "nextcloud-mcp serving stdio");
            stdio::run(wired.mcp)
                .await
                .map_err(|e| format!("stdio transport failed: {e}"))
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("nextcloud-mcp: {message}");
            ExitCode::from(2)
        }
    }
}
