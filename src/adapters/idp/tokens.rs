//! Replies of the token endpoint, decoded straight into secret types.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::ports::identity::TokenSet;

#[derive(Deserialize)]
pub(crate) struct TokenReply {
    pub access_token: SecretString,
    #[serde(default)]
    pub refresh_token: Option<SecretString>,
    #[serde(default)]
    pub id_token: Option<SecretString>,
    #[serde(default)]
    pub token_type: Option<String>,
    #[serde(default)]
    pub issued_token_type: Option<String>,
    #[serde(default)]
    pub expires_in: Option<u64>,
    #[serde(default)]
    pub refresh_expires_in: Option<u64>,
    #[serde(default)]
    pub scope: Option<String>,
}

impl TokenReply {
    pub fn into_token_set(self) -> TokenSet {
        TokenSet {
            access_token: self.access_token,
            // Keycloak sends an empty string or omits it when it did not rotate.
            refresh_token: self.refresh_token.filter(|t| !t.expose_secret().is_empty()),
            id_token: self.id_token,
            token_type: self.token_type.unwrap_or_else(|| "Bearer".into()),
            expires_in: self.expires_in,
            refresh_expires_in: self.refresh_expires_in.filter(|n| *n > 0),
            scope: self.scope,
        }
    }
}

pub(crate) fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
