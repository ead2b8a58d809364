//! Login Flow v2 and the app-password endpoints against the captures
//! (`login-flow/`, `auth/`): what the adapter sends, and how it reads the
//! replies (404 while pending and after the single successful poll).

use nextcloud_mcp::adapters::nextcloud::HttpNextcloud;
use nextcloud_mcp::ports::login_flow::{LoginFlowApi, PollAnswer};
use nextcloud_mcp::ports::nextcloud::NextcloudError;
use secrecy::{ExposeSecret, SecretString};
use wiremock::MockServer;

use crate::support::fixtures::{assert_request_matches, load, only_request};

const POLL_TOKEN: &str = "VLa42UMm93m5TF265qyhRhjdYVaclGK4GCSXI1zl0kB1NXc9TKr6rthxakEUAWAinOpUWl5QOO0aggAPwVhUkrJCQOSMq5f84bSiUIL7tAijX7FAxW5R0mQNeB1DffQ5";

async fn replay(folder: &str, name: &str) -> (MockServer, HttpNextcloud) {
    let server = MockServer::start().await;
    load(folder, name).mount(&server).await;
    let nextcloud = HttpNextcloud::new(
        url::Url::parse(&server.uri()).unwrap(),
        std::time::Duration::from_secs(5),
    )
    .unwrap();
    (server, nextcloud)
}

fn form_token(request: &wiremock::Request) -> String {
    url::form_urlencoded::parse(&request.body)
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn start_reads_the_login_url_and_poll_token() {
    let (server, nextcloud) = replay("login-flow", "01-init").await;
    let start = nextcloud.start_flow().await.unwrap();
    assert!(
        start
            .login_url
            .as_str()
            .starts_with("http://127.0.0.1:28080/index.php/login/v2/flow/tq2BZ4Wl")
    );
    assert_eq!(start.poll_token.expose_secret(), POLL_TOKEN);
    let fixture = load("login-flow", "01-init").request;
    assert_request_matches(&only_request(&server).await, &fixture, &["accept"]);
}

#[tokio::test]
async fn polls_read_pending_granted_and_spent() {
    let token = SecretString::from(POLL_TOKEN);
    for name in ["02-poll-pending", "11-poll-again-after-grant"] {
        let (server, nextcloud) = replay("login-flow", name).await;
        assert!(matches!(
            nextcloud.poll_flow(&token).await.unwrap(),
            PollAnswer::Pending
        ));
        let received = only_request(&server).await;
        let fixture = load("login-flow", name).request;
        assert_request_matches(&received, &fixture, &["content-type"]);
        assert_eq!(form_token(&received), POLL_TOKEN);
    }
    // The poll goes to this server's own endpoint even for an unknown token.
    let (_server, nextcloud) = replay("login-flow", "15-poll-unknown-token").await;
    let unknown = SecretString::from(form_token_of("15-poll-unknown-token"));
    assert!(matches!(
        nextcloud.poll_flow(&unknown).await.unwrap(),
        PollAnswer::Pending
    ));

    let (_server, nextcloud) = replay("login-flow", "10-poll-granted").await;
    match nextcloud.poll_flow(&token).await.unwrap() {
        PollAnswer::Granted {
            login_name,
            app_password,
        } => {
            assert_eq!(login_name, "bob");
            assert_eq!(app_password.expose_secret(), "<redacted-app-password>");
        }
        PollAnswer::Pending => panic!("granted capture read as pending"),
    }
}

fn form_token_of(name: &str) -> String {
    let body = load("login-flow", name).request.body;
    url::form_urlencoded::parse(&body)
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.into_owned())
        .unwrap()
}

#[tokio::test]
async fn use_delete_and_refusal_after_delete() {
    let password = SecretString::from("granted-app-password");
    let (server, nextcloud) = replay("login-flow", "12-use-new-app-password").await;
    assert_eq!(nextcloud.user_id_of("bob", &password).await.unwrap(), "bob");
    let received = only_request(&server).await;
    let auth = received
        .headers
        .get("authorization")
        .unwrap()
        .to_str()
        .unwrap();
    use base64::Engine as _;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(auth.strip_prefix("Basic ").unwrap())
        .unwrap();
    assert_eq!(decoded, b"bob:granted-app-password");

    let (server, nextcloud) = replay("login-flow", "13-delete-new-app-password").await;
    nextcloud
        .delete_app_password("bob", &password)
        .await
        .unwrap();
    let fixture = load("login-flow", "13-delete-new-app-password").request;
    assert_request_matches(
        &only_request(&server).await,
        &fixture,
        &["ocs-apirequest", "accept"],
    );

    let (_server, nextcloud) = replay("login-flow", "14-use-deleted-app-password-401").await;
    assert_eq!(
        nextcloud.user_id_of("bob", &password).await.unwrap_err(),
        NextcloudError::CredentialRejected
    );
}

#[tokio::test]
async fn rotate_returns_the_new_password() {
    let (server, nextcloud) = replay("auth", "05-apppassword-rotate").await;
    let fresh = nextcloud
        .rotate_app_password("admin", &SecretString::from("old"))
        .await
        .unwrap();
    assert_eq!(
        fresh.expose_secret(),
        "lLyEMVBbmKiDq1YNrPgjACLUsocpkVhF7xCI8JIUIVyso8hy7fIKsESmUa8OGoDMDgQYHnkc"
    );
    let fixture = load("auth", "05-apppassword-rotate").request;
    assert_request_matches(&only_request(&server).await, &fixture, &["ocs-apirequest"]);
}
