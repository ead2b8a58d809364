//! Login-flow mode across replicas: three processes of the built binary on
//! one store, against the stand-in identity provider and a Nextcloud
//! stand-in that implements Login Flow v2 as captured. A flow started on
//! replica 0 is finished by a status call on replica 1 (the background
//! pollers wait a whole minute first, so none of them takes it), and
//! replica 2 then calls Nextcloud with exactly the app password Nextcloud
//! granted to that user.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use nextcloud_mcp::adapters::store::crypto::Keyring;
use nextcloud_mcp::adapters::store::open_store;
use rmcp::ServiceExt;
use rmcp::model::ClientConfig;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use wiremock::MockServer;

use super::process::{Replica, logs, start_together};
use crate::support::e2e::{Client, assert_ok, assert_tool_error, call};
use crate::support::idp::{ALICE, CLIENT_ID, CLIENT_SECRET, FakeIdp, RESOURCE, TestKey};
use crate::support::login_flow::LoginFlowStandIn;
use crate::support::store_harness::Harness;

/// The longest poll interval the server accepts: the replicas' own pollers
/// sleep this long before their first poll of a flow, so within the test only
/// a status call polls.
const POLL_SECS: &str = "60";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn login_flow_across_processes_on_postgres() {
    let Some(harness) = Harness::postgres().await else {
        return;
    };
    login_flow_across_replicas(harness.location()).await;
    harness.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn login_flow_across_processes_on_one_sqlite_file() {
    let harness = Harness::sqlite();
    login_flow_across_replicas(harness.location()).await;
}

struct World {
    idp: FakeIdp,
    key: TestKey,
    nextcloud: MockServer,
    standin: LoginFlowStandIn,
    store_location: String,
    encryption_key: String,
    home: tempfile::TempDir,
}

impl World {
    async fn start(store_location: String) -> World {
        nextcloud_mcp::adapters::tls::install_crypto_provider();
        let idp = FakeIdp::start().await;
        let key = TestKey::rsa("rsa-a.pem", "key-a");
        idp.serve_jwks(&[&key]).await;
        crate::support::e2e::catch_all(&idp.server).await;
        let nextcloud = MockServer::start().await;
        let standin = LoginFlowStandIn::mount(&nextcloud).await;
        World {
            idp,
            key,
            nextcloud,
            standin,
            store_location,
            encryption_key: STANDARD.encode([9u8; 32]),
            home: tempfile::tempdir().unwrap(),
        }
    }

    fn env(&self) -> Vec<(String, String)> {
        [
            ("NEXTCLOUD_HOST", self.nextcloud.uri()),
            ("NEXTCLOUD_MCP_AUTH_MODE", "login-flow".into()),
            ("NEXTCLOUD_MCP_LOGIN_FLOW_POLL_INTERVAL", POLL_SECS.into()),
            ("NEXTCLOUD_OIDC_CLIENT_ID", CLIENT_ID.into()),
            ("NEXTCLOUD_OIDC_CLIENT_SECRET", CLIENT_SECRET.into()),
            (
                "OIDC_DISCOVERY_URL",
                format!("{}/.well-known/openid-configuration", self.idp.issuer),
            ),
            ("NEXTCLOUD_MCP_SERVER_URL", RESOURCE.into()),
            ("TOKEN_ENCRYPTION_KEY", self.encryption_key.clone()),
            ("DATABASE_URL", self.store_location.clone()),
            ("NEXTCLOUD_MCP_LOG_FORMAT", "json".into()),
            ("NEXTCLOUD_MCP_LOG_LEVEL", "info".into()),
            ("HOME", self.home.path().display().to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    /// An MCP client of `mcp_url` with Alice's sign-in token (her
    /// preferred_username is "alice").
    async fn client(&self, mcp_url: String) -> Client {
        let token = self
            .key
            .sign(&self.idp.claims())
            .expose_secret()
            .to_string();
        let config = StreamableHttpClientTransportConfig::with_uri(mcp_url).auth_header(token);
        ClientConfig::default()
            .serve(StreamableHttpClientTransport::from_config(config))
            .await
            .expect("MCP initialize")
    }
}

async fn login_flow_across_replicas(store_location: String) {
    let world = World::start(store_location).await;
    let replicas = start_together(3, &world.env()).await;
    let mut clients = Vec::new();
    for replica in &replicas {
        clients.push(world.client(replica.mcp_url()).await);
    }

    // Not connected yet: a Nextcloud tool on any replica says how to connect.
    let refused = call(&clients[2], "nc_notes_get_note", json!({"note_id": 213})).await;
    assert_tool_error(
        "get before connecting",
        &refused,
        "provision_nextcloud_access",
    );

    let link = assert_ok(
        "provision",
        &call(&clients[0], "provision_nextcloud_access", json!({})).await,
    );
    let login_url = link["authorization_url"].as_str().unwrap().to_string();
    assert!(
        login_url.starts_with(&format!(
            "{}/index.php/login/v2/flow/",
            world.nextcloud.uri()
        )),
        "{link}"
    );
    // Replica 1 sees the flow replica 0 started, still waiting.
    let pending = status(&clients[1]).await;
    assert_eq!(pending["pending"], true, "{pending}");
    assert_eq!(pending["provisioned"], false, "{pending}");

    let password = world.standin.approve(&login_url, "alice");
    // Replica 1's status call takes the single successful poll.
    let connected = status(&clients[1]).await;
    assert_eq!(
        connected["connected"],
        true,
        "{connected}\n{}",
        logs(&replicas)
    );
    assert_eq!(connected["login_name"], "alice", "{connected}");
    assert!(
        said_soon(&replicas[1], "Nextcloud account connected").await,
        "replica 1 finished the flow\n{}",
        logs(&replicas)
    );
    assert!(!said(&replicas[0], "Nextcloud account connected"));
    assert!(!said(&replicas[2], "Nextcloud account connected"));

    // Replica 2 reaches Nextcloud with exactly Alice's granted app password.
    let note = assert_ok(
        "get on replica 2",
        &call(&clients[2], "nc_notes_get_note", json!({"note_id": 213})).await,
    );
    assert_eq!(note["title"], "note of alice", "{note}");
    let expected = format!("Basic {}", STANDARD.encode(format!("alice:{password}")));
    let requests = world.nextcloud.received_requests().await.unwrap();
    let notes: Vec<_> = requests
        .iter()
        .filter(|r| r.url.path() == "/index.php/apps/notes/api/v1/notes/213")
        .collect();
    let authorized: Vec<_> = notes
        .iter()
        .filter_map(|r| r.headers.get("authorization"))
        .map(|h| h.to_str().unwrap().to_string())
        .collect();
    assert_eq!(
        authorized,
        vec![expected],
        "one Notes request, with Alice's app password (the refused one before connecting sent none)"
    );

    // The shared store holds the account sealed: it opens with the key and
    // names the password Nextcloud granted; no flow is left open.
    let keyring = Keyring::parse(&world.encryption_key, None).unwrap();
    let store = open_store(&world.store_location, Some(keyring))
        .await
        .unwrap();
    let accounts = store.list_accounts().await.unwrap();
    assert_eq!(accounts.len(), 1, "{accounts:?}");
    let (account, needs_reconnect) = store
        .get_account(ALICE, &accounts[0].provider)
        .await
        .unwrap()
        .expect("Alice's account");
    assert_eq!(needs_reconnect, None);
    assert_eq!(account.app_password.expose_secret(), password);
    assert!(
        store
            .get_flow(ALICE, &accounts[0].provider)
            .await
            .unwrap()
            .is_none()
    );
}

async fn status(client: &Client) -> Value {
    assert_ok(
        "status",
        &call(client, "check_provisioning_status", json!({})).await,
    )
}

fn said(replica: &Replica, message: &str) -> bool {
    replica.log().iter().any(|l| l.contains(message))
}

/// A line the replica wrote before answering may still be in the pipe: its
/// log is read on a thread of its own, which a loaded machine can delay.
async fn said_soon(replica: &Replica, message: &str) -> bool {
    for _ in 0..200 {
        if said(replica, message) {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    false
}
