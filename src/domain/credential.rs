//! Which Nextcloud credential a tool call uses.
//!
//! The decision is made per call, from the server's mode, and never cached on a
//! handler: rmcp sessions are not bound to an identity.

use secrecy::SecretString;

use super::principal::Principal;

/// A credential toward Nextcloud, good for the duration of one tool call.
#[derive(Clone)]
pub struct Credential {
    /// The Nextcloud user id the credential acts as; it names the user's DAV root.
    pub user_id: String,
    pub secret: CredentialSecret,
}

#[derive(Clone)]
pub enum CredentialSecret {
    /// HTTP Basic with an app password (basic mode).
    AppPassword(SecretString),
    /// An OAuth access token Nextcloud accepts (pass-through or exchanged).
    Bearer(SecretString),
    /// HTTP Basic with an app password whose login name is not the user id
    /// (Login Flow v2 grants it to a login name, which may be an email
    /// address); `Credential::user_id` still names the DAV root.
    LoginAppPassword {
        login: String,
        password: SecretString,
    },
}

impl std::fmt::Debug for CredentialSecret {
    // Only the kind: never a secret, whatever secrecy's own Debug would do.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CredentialSecret::AppPassword(_) => "AppPassword(..)",
            CredentialSecret::Bearer(_) => "Bearer(..)",
            CredentialSecret::LoginAppPassword { .. } => "LoginAppPassword(..)",
        })
    }
}

impl std::fmt::Debug for Credential {
    // Hand-written so that no derive can ever print the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.secret {
            CredentialSecret::AppPassword(_) | CredentialSecret::LoginAppPassword { .. } => {
                "app-password"
            }
            CredentialSecret::Bearer(_) => "bearer",
        };
        f.debug_struct("Credential")
            .field("user_id", &self.user_id)
            .field("kind", &kind)
            .finish()
    }
}

/// Multi-user basic: the Nextcloud credential this HTTP request carried,
/// already accepted by Nextcloud. It lives on the request and nowhere else.
#[derive(Clone)]
pub struct BasicCaller {
    /// The login name the request sent (may be an email address).
    pub login: String,
    /// The user id Nextcloud answered for it; it names the DAV root.
    pub user_id: String,
    pub password: SecretString,
}

impl std::fmt::Debug for BasicCaller {
    // Hand-written so that no derive can ever print the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BasicCaller")
            .field("login", &self.login)
            .field("user_id", &self.user_id)
            .finish_non_exhaustive()
    }
}

/// How the server obtains Nextcloud credentials.
#[derive(Clone, Debug)]
pub enum AuthMode {
    /// One shared app password for every call (single user).
    Basic {
        username: String,
        app_password: SecretString,
    },
    /// The caller's own token goes to Nextcloud, only if it also names Nextcloud.
    PassThrough { nextcloud_audience: String },
    /// Every call exchanges the caller's token (RFC 8693) for a short-lived
    /// token for Nextcloud; nothing is stored.
    Exchange { nextcloud_audience: String },
    /// Callers authenticate with the IdP as in the OAuth modes; each user
    /// connects their own Nextcloud account through Login Flow v2 and every
    /// call uses that user's stored app password.
    LoginFlow(LoginFlowPolicy),
    /// No IdP: every request carries HTTP Basic (a Nextcloud login name and
    /// app password), checked at Nextcloud and used for that request only.
    MultiUserBasic,
}

/// How login-flow mode decides that a Nextcloud account is the caller's own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginFlowPolicy {
    pub owner: super::login_flow::OwnershipRule,
    /// Rotate stored app passwords this often; `None`: never.
    pub rotate_every: Option<std::time::Duration>,
    /// How often a started flow is polled until it ends or expires.
    pub poll_every: std::time::Duration,
}

impl AuthMode {
    pub fn name(&self) -> &'static str {
        match self {
            AuthMode::Basic { .. } => "basic",
            AuthMode::PassThrough { .. } => "pass-through",
            AuthMode::Exchange { .. } => "token-exchange",
            AuthMode::LoginFlow(_) => "login-flow",
            AuthMode::MultiUserBasic => "multi-user-basic",
        }
    }

    /// OAuth modes authenticate every HTTP request with a bearer token.
    pub fn is_oauth(&self) -> bool {
        !matches!(self, AuthMode::Basic { .. } | AuthMode::MultiUserBasic)
    }

    /// The server's own Nextcloud credential, for work no caller asked for
    /// (the start-up app probe, readiness, webhook reconcile). Only basic mode
    /// has one: the app password; the other modes act only as a caller.
    pub fn service_credential(&self) -> Option<Credential> {
        match self {
            AuthMode::Basic {
                username,
                app_password,
            } => Some(app_password_credential(username, app_password)),
            AuthMode::PassThrough { .. }
            | AuthMode::Exchange { .. }
            | AuthMode::LoginFlow(_)
            | AuthMode::MultiUserBasic => None,
        }
    }
}

fn app_password_credential(username: &str, app_password: &SecretString) -> Credential {
    Credential {
        user_id: username.to_string(),
        secret: CredentialSecret::AppPassword(app_password.clone()),
    }
}

/// What a tool call must do to get its credential. A stored refresh token is
/// never a plan for a tool call: background jobs get theirs elsewhere.
#[derive(Clone, Debug)]
pub enum CredentialPlan {
    /// Use this secret as it is (the shared app password, or the caller's own
    /// token in pass-through mode). `user_id` is `None` when only Nextcloud can
    /// say which user the token belongs to.
    Ready {
        user_id: Option<String>,
        secret: CredentialSecret,
    },
    /// Exchange the caller's token for one whose audience is `audience`, use it
    /// for this call only, and never store it.
    Exchange {
        subject: Principal,
        audience: String,
    },
    /// Use the app password this caller connected through Login Flow v2,
    /// and only theirs: the store is looked up by the verified subject.
    ConnectedAccount { subject: Principal },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error(
        "this server runs in {mode} mode, which needs the caller's OAuth token, and this request has none \
         (stdio has no token: use basic mode with an app password for stdio)"
    )]
    NoCaller { mode: &'static str },
    #[error(
        "your access token is not valid for Nextcloud: pass-through mode forwards it only when its audience \
         also names Nextcloud ({nextcloud_audience}). Configure the identity provider to add that audience \
         (e.g. a Keycloak audience mapper), or run this server with ENABLE_TOKEN_EXCHANGE=true"
    )]
    AudienceLacksNextcloud { nextcloud_audience: String },
    #[error(
        "this server runs in multi-user-basic mode: send your Nextcloud login name and an app \
         password with HTTP Basic on every request"
    )]
    NoBasicCredential,
}

/// Decides how this call gets its Nextcloud credential, from the server's mode
/// and the verified caller of this request (if any): a bearer-token caller in
/// the OAuth modes, a checked Basic credential in multi-user basic.
pub fn plan_credential(
    mode: &AuthMode,
    caller: Option<&Principal>,
    basic: Option<&BasicCaller>,
) -> Result<CredentialPlan, PlanError> {
    match mode {
        AuthMode::Basic {
            username,
            app_password,
        } => {
            // Every call acts as the one user whose app password this is.
            let own = app_password_credential(username, app_password);
            Ok(CredentialPlan::Ready {
                user_id: Some(own.user_id),
                secret: own.secret,
            })
        }
        AuthMode::PassThrough { nextcloud_audience } => {
            let caller = caller.ok_or(PlanError::NoCaller { mode: mode.name() })?;
            if !caller.names_audience(nextcloud_audience) {
                return Err(PlanError::AudienceLacksNextcloud {
                    nextcloud_audience: nextcloud_audience.clone(),
                });
            }
            Ok(CredentialPlan::Ready {
                user_id: None,
                secret: CredentialSecret::Bearer(caller.access_token().clone()),
            })
        }
        AuthMode::Exchange { nextcloud_audience } => {
            let caller = caller.ok_or(PlanError::NoCaller { mode: mode.name() })?;
            Ok(CredentialPlan::Exchange {
                subject: caller.clone(),
                audience: nextcloud_audience.clone(),
            })
        }
        AuthMode::LoginFlow(_) => {
            let caller = caller.ok_or(PlanError::NoCaller { mode: mode.name() })?;
            Ok(CredentialPlan::ConnectedAccount {
                subject: caller.clone(),
            })
        }
        // The request's own Basic credential is the plan; the HTTP edge
        // hands it over as a `BasicCaller`, never as a `Principal`. The login
        // name authenticates, the user id Nextcloud named is the DAV root.
        AuthMode::MultiUserBasic => {
            let basic = basic.ok_or(PlanError::NoBasicCredential)?;
            Ok(CredentialPlan::Ready {
                user_id: Some(basic.user_id.clone()),
                secret: CredentialSecret::LoginAppPassword {
                    login: basic.login.clone(),
                    password: basic.password.clone(),
                },
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::principal::VerifiedClaims;
    use secrecy::ExposeSecret;

    fn caller(audiences: &[&str]) -> Principal {
        Principal::new(
            VerifiedClaims {
                subject: "8f0c-uuid".into(),
                issuer: "https://idp.example.com/realms/nc".into(),
                audiences: audiences.iter().map(|a| a.to_string()).collect(),
                ..VerifiedClaims::default()
            },
            SecretString::from("caller-access-token"),
        )
    }

    fn secret_of(plan: &CredentialPlan) -> String {
        match plan {
            CredentialPlan::Ready {
                secret: CredentialSecret::AppPassword(s),
                ..
            }
            | CredentialPlan::Ready {
                secret: CredentialSecret::Bearer(s),
                ..
            } => s.expose_secret().to_string(),
            CredentialPlan::Ready {
                secret: CredentialSecret::LoginAppPassword { password, .. },
                ..
            } => password.expose_secret().to_string(),
            CredentialPlan::Exchange { .. } => "exchange".into(),
            CredentialPlan::ConnectedAccount { .. } => "connected".into(),
        }
    }

    #[test]
    fn basic_mode_uses_the_shared_app_password() {
        let mode = AuthMode::Basic {
            username: "admin".into(),
            app_password: SecretString::from("s3cret-app-pass"),
        };
        for caller in [None, Some(caller(&["mcp"]))] {
            let plan = plan_credential(&mode, caller.as_ref(), None).unwrap();
            assert!(matches!(
                &plan,
                CredentialPlan::Ready { user_id: Some(u), secret: CredentialSecret::AppPassword(_) } if u == "admin"
            ));
            assert_eq!(secret_of(&plan), "s3cret-app-pass");
        }
    }

    #[test]
    fn pass_through_forwards_only_tokens_that_name_nextcloud() {
        let mode = AuthMode::PassThrough {
            nextcloud_audience: "nextcloud".into(),
        };
        let both = caller(&["https://mcp.example.com/mcp", "nextcloud"]);
        let plan = plan_credential(&mode, Some(&both), None).unwrap();
        assert!(matches!(
            plan,
            CredentialPlan::Ready {
                user_id: None,
                secret: CredentialSecret::Bearer(_)
            }
        ));
        assert_eq!(secret_of(&plan), "caller-access-token");

        let only_us = caller(&["https://mcp.example.com/mcp"]);
        let err = plan_credential(&mode, Some(&only_us), None).unwrap_err();
        assert!(matches!(err, PlanError::AudienceLacksNextcloud { .. }));
        assert!(err.to_string().contains("ENABLE_TOKEN_EXCHANGE"));
        assert!(!err.to_string().contains("caller-access-token"));
    }

    #[test]
    fn exchange_mode_always_exchanges_and_never_falls_back() {
        let mode = AuthMode::Exchange {
            nextcloud_audience: "nextcloud".into(),
        };
        for audiences in [&["mcp"][..], &["mcp", "nextcloud"][..]] {
            let plan = plan_credential(&mode, Some(&caller(audiences)), None).unwrap();
            assert!(
                matches!(plan, CredentialPlan::Exchange { ref audience, .. } if audience == "nextcloud")
            );
        }
    }

    #[test]
    fn oauth_modes_without_a_caller_fail_clearly() {
        for mode in [
            AuthMode::PassThrough {
                nextcloud_audience: "nextcloud".into(),
            },
            AuthMode::Exchange {
                nextcloud_audience: "nextcloud".into(),
            },
        ] {
            let err = plan_credential(&mode, None, None).unwrap_err();
            assert_eq!(err, PlanError::NoCaller { mode: mode.name() });
            assert!(mode.is_oauth());
        }
    }

    #[test]
    fn only_basic_mode_has_a_credential_of_its_own() {
        let basic = AuthMode::Basic {
            username: "admin".into(),
            app_password: SecretString::from("s3cret-app-pass"),
        };
        let own = basic.service_credential().unwrap();
        assert_eq!(own.user_id, "admin");
        assert!(
            matches!(own.secret, CredentialSecret::AppPassword(ref s) if s.expose_secret() == "s3cret-app-pass")
        );
        for oauth in [
            AuthMode::PassThrough {
                nextcloud_audience: "nextcloud".into(),
            },
            AuthMode::Exchange {
                nextcloud_audience: "nextcloud".into(),
            },
        ] {
            assert!(oauth.service_credential().is_none());
        }
    }

    #[test]
    fn multi_user_basic_uses_the_requests_own_credential_and_nothing_else() {
        let mode = AuthMode::MultiUserBasic;
        let basic = BasicCaller {
            login: "alice@example.com".into(),
            user_id: "alice".into(),
            password: SecretString::from("alice-app-pass"),
        };
        // A bearer caller is no credential in this mode.
        let err = plan_credential(&mode, Some(&caller(&["mcp"])), None).unwrap_err();
        assert_eq!(err, PlanError::NoBasicCredential);
        let plan = plan_credential(&mode, None, Some(&basic)).unwrap();
        let CredentialPlan::Ready {
            user_id: Some(user_id),
            secret: CredentialSecret::LoginAppPassword { login, .. },
        } = &plan
        else {
            panic!("{plan:?}")
        };
        assert_eq!(
            (user_id.as_str(), login.as_str()),
            ("alice", "alice@example.com")
        );
        assert_eq!(secret_of(&plan), "alice-app-pass");
        assert!(!mode.is_oauth() && mode.service_credential().is_none());
        let shown = format!("{basic:?}");
        assert!(!shown.contains("alice-app-pass"), "{shown}");
    }

    #[test]
    fn debug_output_never_shows_the_secret() {
        let cred = Credential {
            user_id: "admin".into(),
            secret: CredentialSecret::AppPassword(SecretString::from("s3cret-app-pass")),
        };
        let shown = format!("{cred:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("app-password"));
    }
}
