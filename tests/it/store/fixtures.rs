//! Values shared by the contract bodies.

use nextcloud_mcp::adapters::store::SealingKey;
use nextcloud_mcp::domain::consent::PendingConsent;
use nextcloud_mcp::domain::index::{DocApp, IndexHit, IndexQuery, IndexedDocument, search_terms};
use nextcloud_mcp::domain::time::UnixTime;
use nextcloud_mcp::ports::store::{NewWebhook, RefreshGrant, Store, StoreError};
use secrecy::{ExposeSecret, SecretString};

pub const KC: &str = "keycloak";

pub fn token_for(subject: &str) -> String {
    format!("rt.{subject}.7b1f0c9e4d2a48e6a1c3f5e7d9b0a2c4")
}

pub fn grant(subject: &str, token: &str) -> RefreshGrant {
    RefreshGrant {
        subject: subject.into(),
        provider: KC.into(),
        refresh_token: SecretString::from(token),
        scopes: vec!["offline_access".into(), "notes:read".into()],
        granted_at: UnixTime(1_700_000_000),
    }
}

pub fn pending(subject: &str, state: &str, expires_at: i64) -> PendingConsent {
    PendingConsent {
        subject: subject.into(),
        provider: KC.into(),
        state: state.into(),
        pkce_verifier: SecretString::from(format!("pkce-verifier-{state}-0f9e8d7c6b5a")),
        scopes: vec!["offline_access".into()],
        expires_at: UnixTime(expires_at),
        client_id: Some("claude-desktop".into()),
    }
}

pub fn key() -> SealingKey {
    SealingKey::generate().unwrap()
}

pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

pub async fn get_token(store: &dyn Store, subject: &str) -> Result<String, StoreError> {
    let g = store.get_grant(subject, KC).await?.expect("grant present");
    Ok(g.refresh_token.expose_secret().to_owned())
}

pub fn webhook(event: &str) -> NewWebhook {
    NewWebhook {
        event: event.into(),
        filter: serde_json::json!({"event.node.path": {"$regex": "^/alice/files/Notes/"}}),
        uri: "https://mcp.example/webhooks/nextcloud".into(),
        created_at: UnixTime(1_700_000_123),
    }
}

/// A document of `app` as the sync indexes it: its link names the app, its
/// version the modification time.
pub fn doc(
    app: DocApp,
    id: &str,
    title: &str,
    body: &str,
    path: &str,
    modified: i64,
) -> IndexedDocument {
    IndexedDocument {
        app,
        doc_id: id.into(),
        title: title.into(),
        body: body.into(),
        path: path.into(),
        link: format!("https://cloud.example/{}/{id}", app.as_str()),
        modified,
        version: format!("v{modified}"),
    }
}

/// A keyword query for `text`, ten hits at most.
pub fn query(text: &str) -> IndexQuery {
    IndexQuery {
        terms: search_terms(text),
        limit: 10,
        ..IndexQuery::default()
    }
}

/// The document ids of `hits`, in their order.
pub fn ids(hits: &[IndexHit]) -> Vec<&str> {
    hits.iter().map(|h| h.doc_id.as_str()).collect()
}
