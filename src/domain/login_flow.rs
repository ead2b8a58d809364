//! Connecting a caller's own Nextcloud account through Login Flow v2: which
//! Nextcloud login counts as the caller's, and what a connected account is.
//!
//! The rule is decided before a flow starts: the login name the caller must
//! sign in with is fixed then (from a claim of their verified token, or an
//! operator's mapping), kept with the pending flow, and compared with the
//! login name Nextcloud grants the app password to. A flow whose rule cannot
//! be applied never starts, so no app password is created for nobody.

use std::collections::BTreeMap;
use std::time::Duration;

use secrecy::SecretString;

use super::principal::Principal;
use super::time::UnixTime;

/// How long Nextcloud keeps a Login Flow v2 open (its poll token expires
/// after 20 minutes); the server stops polling then.
pub const FLOW_LIFETIME: Duration = Duration::from_secs(20 * 60);

/// Which claim of the caller's token names their Nextcloud login.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OwnerClaim {
    PreferredUsername,
    Email,
}

impl OwnerClaim {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "preferred_username" => Some(OwnerClaim::PreferredUsername),
            "email" => Some(OwnerClaim::Email),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            OwnerClaim::PreferredUsername => "preferred_username",
            OwnerClaim::Email => "email",
        }
    }
}

/// Which Nextcloud login belongs to which caller. An operator's mapping
/// (IdP subject -> login name) wins over the claim for the subjects it lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnershipRule {
    pub claim: OwnerClaim,
    pub mapping: BTreeMap<String, String>,
}

impl Default for OwnershipRule {
    fn default() -> Self {
        Self {
            claim: OwnerClaim::PreferredUsername,
            mapping: BTreeMap::new(),
        }
    }
}

/// Why an account is not, or cannot be shown to be, the caller's.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OwnershipRefusal {
    #[error(
        "your access token has no {claim} claim, which this server compares with the Nextcloud \
         login name to make sure you connect your own account; ask the operator to add the claim \
         at the identity provider or to map your account (NEXTCLOUD_MCP_LOGIN_FLOW_USER_MAP)"
    )]
    ClaimMissing { claim: &'static str },
    #[error(
        "the Nextcloud account you signed in to ({granted}) is not yours: this server expects the \
         login {expected} for you ({source_of}). Nothing was stored and the new app password was \
         deleted at Nextcloud. Sign out of Nextcloud in that browser and connect again with your \
         own account"
    )]
    NotYours {
        expected: String,
        granted: String,
        source_of: String,
    },
}

/// The login name `caller` must sign in to Nextcloud with, by `rule`.
pub fn expected_login(
    rule: &OwnershipRule,
    caller: &Principal,
) -> Result<ExpectedLogin, OwnershipRefusal> {
    if let Some(login) = rule.mapping.get(caller.subject()) {
        return Ok(ExpectedLogin {
            login: login.clone(),
            source: "the operator's mapping".into(),
        });
    }
    let value = match rule.claim {
        OwnerClaim::PreferredUsername => caller.preferred_username(),
        OwnerClaim::Email => caller.email(),
    };
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(login) => Ok(ExpectedLogin {
            login: login.to_string(),
            source: format!("your {} claim", rule.claim.name()),
        }),
        None => Err(OwnershipRefusal::ClaimMissing {
            claim: rule.claim.name(),
        }),
    }
}

/// The login a flow must end with, and where that came from (for messages).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectedLogin {
    pub login: String,
    pub source: String,
}

impl ExpectedLogin {
    /// Nextcloud compares login names without case, and so does this.
    pub fn check(&self, granted: &str) -> Result<(), OwnershipRefusal> {
        if self.login.to_lowercase() == granted.trim().to_lowercase() {
            return Ok(());
        }
        Err(OwnershipRefusal::NotYours {
            expected: self.login.clone(),
            granted: granted.to_string(),
            source_of: self.source.clone(),
        })
    }
}

/// A flow started and not finished, as kept in the store so that any
/// replica can finish it. The poll token fetches the app password once:
/// it is kept sealed like the app password itself.
#[derive(Clone)]
pub struct PendingLoginFlow {
    pub subject: String,
    pub provider: String,
    pub poll_token: SecretString,
    pub expected: ExpectedLogin,
    pub expires_at: UnixTime,
}

impl std::fmt::Debug for PendingLoginFlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingLoginFlow")
            .field("subject", &self.subject)
            .field("provider", &self.provider)
            .field("expected", &self.expected)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// A caller's connected Nextcloud account: the app password Login Flow v2
/// granted, sealed in the store, bound to (subject, provider).
#[derive(Clone)]
pub struct ConnectedAccount {
    pub subject: String,
    pub provider: String,
    /// What Nextcloud authenticates the app password with.
    pub login_name: String,
    /// The user id, which names the DAV root; often the login name.
    pub user_id: String,
    pub app_password: SecretString,
    pub connected_at: UnixTime,
}

impl std::fmt::Debug for ConnectedAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectedAccount")
            .field("subject", &self.subject)
            .field("provider", &self.provider)
            .field("login_name", &self.login_name)
            .field("user_id", &self.user_id)
            .field("connected_at", &self.connected_at)
            .finish_non_exhaustive()
    }
}

/// A connected account without its app password: what listings show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountSummary {
    pub subject: String,
    pub provider: String,
    pub login_name: String,
    pub user_id: String,
    pub connected_at: UnixTime,
    pub rotated_at: UnixTime,
    pub key_version: u32,
    /// Set when Nextcloud refused the app password (revoked there): the
    /// user must connect again.
    pub needs_reconnect_since: Option<UnixTime>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::principal::VerifiedClaims;

    fn caller(subject: &str, username: Option<&str>, email: Option<&str>) -> Principal {
        Principal::new(
            VerifiedClaims {
                subject: subject.into(),
                issuer: "https://idp.example.com".into(),
                preferred_username: username.map(String::from),
                email: email.map(String::from),
                ..VerifiedClaims::default()
            },
            SecretString::from("token"),
        )
    }

    #[test]
    fn default_rule_is_preferred_username_without_case() {
        let rule = OwnershipRule::default();
        let expected = expected_login(&rule, &caller("s1", Some("Alice"), None)).unwrap();
        assert_eq!(expected.login, "Alice");
        assert!(expected.check("alice").is_ok());
        assert!(expected.check("ALICE").is_ok());
        let refused = expected.check("bob").unwrap_err();
        let text = refused.to_string();
        assert!(
            text.contains("(bob) is not yours") && text.contains("Alice"),
            "{text}"
        );
        assert!(text.contains("preferred_username"), "{text}");
    }

    #[test]
    fn email_claim_and_mapping() {
        let rule = OwnershipRule {
            claim: OwnerClaim::Email,
            mapping: BTreeMap::from([("s2".to_string(), "carol".to_string())]),
        };
        let by_mail = expected_login(&rule, &caller("s1", Some("alice"), Some("a@x.org"))).unwrap();
        assert!(by_mail.check("a@x.org").is_ok());
        assert!(by_mail.check("alice").is_err());
        // The mapping wins over the claim for the subjects it lists.
        let mapped = expected_login(&rule, &caller("s2", Some("x"), Some("x@x.org"))).unwrap();
        assert!(mapped.check("Carol").is_ok());
        assert!(mapped.check("x@x.org").is_err());
    }

    #[test]
    fn a_rule_that_cannot_apply_refuses_before_anything_starts() {
        let rule = OwnershipRule::default();
        for username in [None, Some("  ")] {
            let err = expected_login(&rule, &caller("s1", username, Some("a@x.org"))).unwrap_err();
            assert_eq!(
                err,
                OwnershipRefusal::ClaimMissing {
                    claim: "preferred_username"
                }
            );
        }
        assert_eq!(OwnerClaim::parse("EMAIL"), Some(OwnerClaim::Email));
        assert_eq!(OwnerClaim::parse("sub"), None);
    }

    #[test]
    fn debug_hides_secrets() {
        let account = ConnectedAccount {
            subject: "s".into(),
            provider: "p".into(),
            login_name: "alice".into(),
            user_id: "alice".into(),
            app_password: SecretString::from("very-secret-app-password"),
            connected_at: UnixTime(1),
        };
        assert!(!format!("{account:?}").contains("very-secret"));
        let pending = PendingLoginFlow {
            subject: "s".into(),
            provider: "p".into(),
            poll_token: SecretString::from("very-secret-poll-token"),
            expected: ExpectedLogin {
                login: "alice".into(),
                source: "x".into(),
            },
            expires_at: UnixTime(1),
        };
        assert!(!format!("{pending:?}").contains("very-secret"));
    }
}
