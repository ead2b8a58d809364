//! The server under test: in-process, in pass-through mode with progressive
//! consent, a sealed SQLite store and a wiremock Nextcloud.

use super::CURRENT_USER_PATH;
use crate::realm::Live;
use std::path::Path;
use std::time::Duration;

use crate::support::e2e::{Client, basic_config};
use nextcloud_mcp::adapters::idp::IdpConfig;
use nextcloud_mcp::adapters::store::crypto::{Keyring, SealingKey};
use nextcloud_mcp::adapters::store::open_store;
use nextcloud_mcp::app::config::{Config, HttpSettings, OAuthConfig, default_callback_url};
use nextcloud_mcp::app::startup::Application;
use nextcloud_mcp::domain::credential::AuthMode;
use nextcloud_mcp::ports::store::Store;
use rmcp::ServiceExt;
use rmcp::model::ClientConfig;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::oneshot;
use url::Url;
use wiremock::matchers::{header_regex, method, path};
use wiremock::{Mock, MockServer};

pub(super) struct Server {
    pub(super) base_url: String,
    pub(super) config: Config,
    pub(super) store_path: String,
    pub(super) keyring: Keyring,
    pub(super) nextcloud: MockServer,
    pub(super) stop: Option<oneshot::Sender<()>>,
    pub(super) task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

/// The resource URL the realm's audience mapper puts in every access token.
const REALM_RESOURCE: &str = "http://127.0.0.1:8000/mcp";

impl Server {
    /// Binds first, so `server_url` (and with it the redirect URI) names the
    /// real port; the realm's `http://127.0.0.1/*` accepts any loopback port.
    pub(super) async fn start(kc: &Live) -> Server {
        let nextcloud = MockServer::start().await;
        // Any bearer is "admin" here; what the job sent is checked afterwards.
        Mock::given(method("GET"))
            .and(path(CURRENT_USER_PATH))
            .and(header_regex("authorization", "^Bearer .+"))
            .respond_with(
                crate::support::fixtures::load("ocs-capabilities", "06-current-user-v2")
                    .response
                    .template(),
            )
            .mount(&nextcloud)
            .await;

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let base_url = format!("http://{address}");
        let server_url = Url::parse(&format!("{base_url}/mcp")).unwrap();

        let mut config = basic_config(&nextcloud.uri(), Duration::from_secs(10));
        config.mode = AuthMode::PassThrough {
            nextcloud_audience: "nextcloud".into(),
        };
        let mut idp = IdpConfig::new(Url::parse(&kc.issuer()).unwrap(), &kc.client_id);
        idp.client_secret = Some(SecretString::from(kc.client_secret.clone()));
        // Access tokens must name this resource; the realm's audience mapper
        // names the fixed resource URL, not this test's random port.
        idp.resource = Some(REALM_RESOURCE.into());
        config.oauth = Some(OAuthConfig {
            idp,
            callback_url: default_callback_url(&server_url),
            server_url,
        });
        let keyring = Keyring::new(1, SealingKey::generate().unwrap());
        config.store.keyring = Some(keyring.clone());
        config.store.progressive_consent = true;
        let store_path = config.store.location.expose_secret().to_string();

        let app =
            Application::build_on(config.clone(), listener, HttpSettings::loopback_any_port())
                .await
                .expect("start-up against Keycloak");
        assert!(app.runs_grant_keeper(), "progressive consent is wired");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(app.run_until_stopped(async move {
            let _ = stopped.await;
        }));
        Server {
            base_url,
            config,
            store_path,
            keyring,
            nextcloud,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub(super) fn callback_url(&self) -> String {
        format!("{}/oauth/callback", self.base_url)
    }

    pub(super) async fn connect(&self, bearer: &str) -> Client {
        let transport = StreamableHttpClientTransport::from_config(
            StreamableHttpClientTransportConfig::with_uri(format!("{}/mcp", self.base_url))
                .auth_header(bearer.to_string()),
        );
        ClientConfig::default()
            .serve(transport)
            .await
            .expect("MCP initialize with a Keycloak token")
    }

    pub(super) async fn store(&self) -> std::sync::Arc<dyn Store> {
        open_store(&self.store_path, Some(self.keyring.clone()))
            .await
            .unwrap()
    }

    /// Every file SQLite keeps for the store (the database, its WAL, ...).
    pub(super) fn raw_store_bytes(&self) -> Vec<(String, Vec<u8>)> {
        let db = Path::new(&self.store_path);
        let prefix = db.file_name().unwrap().to_string_lossy().into_owned();
        std::fs::read_dir(db.parent().unwrap())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect()
    }

    /// The bearer tokens the mock Nextcloud received, oldest first.
    pub(super) async fn bearers_seen(&self) -> Vec<String> {
        self.nextcloud
            .received_requests()
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.url.path() == CURRENT_USER_PATH)
            .filter_map(|r| {
                r.headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.strip_prefix("Bearer "))
                    .map(str::to_string)
            })
            .collect()
    }

    pub(super) async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("server task").expect("server result");
        }
    }
}
