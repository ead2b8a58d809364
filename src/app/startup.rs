//! Start-up: builds the server from its settings, binds its listener, and
//! runs it with its background work (the grant keeper, the webhook worker, a
//! reconcile when asked for). `main` and the tests both start the server
//! here, so the tests boot what production boots.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::adapters::http::origin::OriginPolicy;
use crate::adapters::http::serve::{EdgeLimits, serve};
use crate::adapters::http::static_bearer::StaticBearer;
use crate::adapters::http::{EdgeGuards, router};
use crate::adapters::mcp::NextcloudMcp;
use crate::app::config::{Config, ConfigError, HttpSettings};
use crate::app::wiring::{WebhookJobs, Wired, wire};
use crate::domain::credential::AuthMode;
use crate::ports::nextcloud::{NextcloudConnector, NextcloudError};
use crate::ports::webhooks::{EventHandler, EventIntake};
use crate::service::login_flow::ConnectedAccounts;
use crate::service::offline::{OfflineAccess, spawn_account_keeper, spawn_grant_keeper};
use crate::service::sync::{IndexSync, SyncOnEvent};
use crate::service::webhooks::{LogEventHandler, reconcile_at_start};
use crate::telemetry::exporter::{self, Exposition};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("NEXTCLOUD_MCP_LISTEN: cannot listen on {address}: {source}")]
    Listen {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error("the listener's address cannot be read: {0}")]
    Address(std::io::Error),
    #[error("NEXTCLOUD_MCP_METRICS_LISTEN: cannot listen on {address}: {source}")]
    MetricsListen {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error("NEXTCLOUD_MCP_METRICS_LISTEN: {0}")]
    Metrics(String),
}

/// The `/metrics` listener, bound and not yet serving.
pub struct MetricsServer {
    listener: TcpListener,
    exposition: Exposition,
}

impl MetricsServer {
    /// Installs the process-wide recorder and binds `address`; once per
    /// process. `webhooks` is the receiver whose counters are folded in.
    pub async fn bind(
        address: SocketAddr,
        webhooks: Option<Arc<dyn EventIntake>>,
    ) -> Result<Self, StartupError> {
        let listener = TcpListener::bind(address)
            .await
            .map_err(|source| StartupError::MetricsListen { address, source })?;
        let handle = exporter::install().map_err(StartupError::Metrics)?;
        Ok(Self {
            listener,
            exposition: Exposition { handle, webhooks },
        })
    }

    pub fn address(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves `/metrics` until `stop` is cancelled.
    pub fn spawn(self, stop: CancellationToken) -> tokio::task::JoinHandle<()> {
        if let Ok(address) = self.listener.local_addr() {
            tracing::info!(listen = %address, "serving Prometheus metrics at /metrics");
        }
        tokio::spawn(async move {
            let served = axum::serve(self.listener, self.exposition.router())
                .with_graceful_shutdown(async move { stop.cancelled().await })
                .await;
            if let Err(error) = served {
                tracing::error!(%error, "the metrics listener stopped");
            }
        })
    }
}

/// A built server, bound and not yet serving.
pub struct Application {
    listener: TcpListener,
    address: SocketAddr,
    router: Router,
    limits: EdgeLimits,
    summary: Summary,
    background: Background,
    metrics: Option<MetricsServer>,
}

/// What the start-up log line says.
struct Summary {
    mode: &'static str,
    nextcloud: String,
    tools: usize,
    progressive_consent: bool,
    /// Where the identity provider returns users after consent, when on.
    consent_callback: Option<String>,
    /// Basic mode with its static bearer token on /mcp.
    static_bearer: bool,
}

/// Work that runs beside the server while it serves.
struct Background {
    mcp: NextcloudMcp,
    mode: AuthMode,
    connector: Arc<dyn NextcloudConnector>,
    offline: Option<Arc<OfflineAccess>>,
    accounts: Option<Arc<ConnectedAccounts>>,
    grant_refresh_interval: Duration,
    webhooks: Option<WebhookJobs>,
    reconcile_on_start: bool,
    sync: Option<Arc<IndexSync>>,
}

impl Application {
    /// Wires everything the settings ask for, then binds `http.listen`
    /// (port 0 takes any free port; [`Application::address`] tells which).
    pub async fn build(config: Config, http: HttpSettings) -> Result<Self, StartupError> {
        let wired = wire(&config).await?;
        let listener =
            TcpListener::bind(http.listen)
                .await
                .map_err(|source| StartupError::Listen {
                    address: http.listen,
                    source,
                })?;
        Self::assemble(config, wired, listener, http)
    }

    /// The same on a listener bound earlier, for a caller that must know the
    /// port before it writes the settings (the server's own public URL);
    /// `http.listen` is not used.
    pub async fn build_on(
        config: Config,
        listener: TcpListener,
        http: HttpSettings,
    ) -> Result<Self, StartupError> {
        let wired = wire(&config).await?;
        Self::assemble(config, wired, listener, http)
    }

    fn assemble(
        config: Config,
        wired: Wired,
        listener: TcpListener,
        http: HttpSettings,
    ) -> Result<Self, StartupError> {
        let address = listener.local_addr().map_err(StartupError::Address)?;
        // Checked against the address actually bound, not the one asked for.
        let basic_bearer = http.edge.basic_bearer(&config.mode, address)?;
        let summary = Summary {
            mode: config.mode.name(),
            nextcloud: config.nextcloud_url.to_string(),
            tools: wired.mcp.tool_names().len(),
            progressive_consent: config.store.progressive_consent,
            consent_callback: config
                .oauth
                .as_ref()
                .filter(|_| config.store.progressive_consent)
                .map(|oauth| oauth.callback_url.to_string()),
            static_bearer: basic_bearer.is_some(),
        };
        let guards = EdgeGuards {
            allowed_hosts: http.allowed_hosts,
            origins: OriginPolicy::new(http.edge.allowed_origins),
            basic_bearer: basic_bearer.as_ref().map(StaticBearer::new),
        };
        let scopes = wired.mcp.tool_scopes();
        let mcp = wired.mcp.clone();
        let router = router(wired.mcp, scopes, wired.http, guards);
        Ok(Self {
            listener,
            address,
            router,
            limits: http.edge.limits,
            summary,
            metrics: None,
            background: Background {
                mcp,
                mode: config.mode,
                connector: wired.connector,
                offline: wired.offline,
                accounts: wired.accounts,
                grant_refresh_interval: config.store.grant_refresh_interval,
                webhooks: wired.webhooks,
                reconcile_on_start: config.webhooks.reconcile_on_start,
                sync: wired.sync,
            },
        })
    }

    /// Serves Prometheus metrics at `address` beside the server (installs
    /// the process-wide recorder, so once per process). Returns the bound
    /// address (port 0 takes any free port).
    pub async fn serve_metrics(&mut self, address: SocketAddr) -> Result<SocketAddr, StartupError> {
        let webhooks = self.background.webhooks.as_ref().map(|w| w.intake.clone());
        let server = MetricsServer::bind(address, webhooks).await?;
        let bound = server.address().map_err(StartupError::Address)?;
        self.metrics = Some(server);
        Ok(bound)
    }

    /// The address the listener is bound to.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Whether serving starts the grant keeper (progressive consent is on).
    pub fn runs_grant_keeper(&self) -> bool {
        self.background.offline.is_some()
    }

    /// Starts the background work, serves until `shutdown` resolves, lets
    /// in-flight requests finish, then stops the background work and waits
    /// for it (the webhook worker handles what was already queued).
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let stop = CancellationToken::new();
        let mut jobs = self.background.start(&stop);
        if let Some(metrics) = self.metrics {
            jobs.push(metrics.spawn(stop.clone()));
        }
        tracing::info!(
            mode = self.summary.mode,
            nextcloud = %self.summary.nextcloud,
            listen = %self.address,
            tools = self.summary.tools,
            progressive_consent = self.summary.progressive_consent,
            consent_callback = self.summary.consent_callback.as_deref().unwrap_or("-"),
            "nextcloud-mcp serving Streamable HTTP at /mcp"
        );
        if self.summary.static_bearer {
            tracing::info!(
                listen = %self.address,
                "basic mode: every /mcp request must carry the static bearer token (NEXTCLOUD_MCP_BASIC_TOKEN)"
            );
        }
        let served = serve(self.listener, self.router, self.limits, shutdown).await;
        stop.cancel();
        for job in jobs {
            let _ = job.await;
        }
        served
    }
}

impl Background {
    /// Spawns what the settings ask for; the handles end once `stop` is
    /// cancelled. A start-up reconcile is not among them: it ends by itself.
    fn start(self, stop: &CancellationToken) -> Vec<tokio::task::JoinHandle<()>> {
        let mut jobs = Vec::new();
        probe_in_background(&self.mcp, &self.mode, &self.connector);
        if let Some(offline) = self.offline {
            jobs.push(spawn_grant_keeper(
                offline,
                self.grant_refresh_interval,
                stop.clone(),
            ));
        }
        if let Some(accounts) = self.accounts {
            let every = accounts.poll_every();
            jobs.push(spawn_account_keeper(accounts, every, stop.clone()));
        }
        if let Some(webhooks) = self.webhooks {
            if self.reconcile_on_start {
                reconcile_at_start(
                    webhooks.service.clone(),
                    self.mode.service_credential(),
                    self.connector.clone(),
                );
            }
            let handler: Arc<dyn EventHandler> = match &self.sync {
                // A delivery wakes the sync for the user it fired for.
                Some(sync) => Arc::new(SyncOnEvent {
                    sync: sync.clone(),
                    then: Arc::new(LogEventHandler),
                }),
                None => Arc::new(LogEventHandler),
            };
            jobs.push(webhooks.worker.spawn(handler, stop.clone()));
        }
        if let Some(sync) = self.sync {
            jobs.push(sync.spawn(stop.clone()));
        }
        jobs
    }
}

/// Asks Nextcloud which apps it has, beside serving rather than before it: a
/// slow or hanging Nextcloud must not hold up `/healthz` or `initialize`.
/// Only a mode with its own credential can probe now (in OAuth modes
/// nc_refresh_capabilities probes with a caller's token). A rejected app
/// password is said once, loudly, and then in every tool result.
pub fn probe_in_background(
    mcp: &NextcloudMcp,
    mode: &AuthMode,
    connector: &Arc<dyn NextcloudConnector>,
) {
    let Some(credential) = mode.service_credential() else {
        return;
    };
    let (mcp, connector) = (mcp.clone(), connector.clone());
    tokio::spawn(async move {
        let user = credential.user_id.clone();
        let api = connector.connect(credential);
        match mcp.refresh_installed_apps(&*api).await {
            Ok(_) => {}
            Err(NextcloudError::CredentialRejected) => {
                let problem = format!(
                    "Nextcloud rejected the credential (HTTP 401): NEXTCLOUD_PASSWORD \
                     is not a valid app password of NEXTCLOUD_USERNAME '{user}'; create \
                     one in Nextcloud (Settings > Security), set it, and restart the server"
                );
                tracing::error!("{problem}");
                mcp.report_start_problem(problem);
            }
            Err(error) => tracing::warn!(
                %error,
                "the start-up app probe failed; all tools stay listed"
            ),
        }
    });
}

/// Resolves on SIGTERM or SIGINT.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown requested; finishing in-flight calls");
}
