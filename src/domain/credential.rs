//! Which Nextcloud credential a tool call uses.
//!
//! The decision is made per call, from the server's mode, and never cached on a
//! handler: rmcp sessions are not bound to an identity.

use secrecy::SecretString;

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
}

impl std::fmt::Debug for Credential {
    // Hand-written so that no derive can ever print the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.secret {
            CredentialSecret::AppPassword(_) => "app-password",
            CredentialSecret::Bearer(_) => "bearer",
        };
        f.debug_struct("Credential")
            .field("user_id", &self.user_id)
            .field("kind", &kind)
            .finish()
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
}

impl AuthMode {
    pub fn name(&self) -> &'static str {
        match self {
            AuthMode::Basic { .. } => "basic",
        }
    }
}

/// What a tool call must do to get its credential.
#[derive(Clone, Debug)]
pub enum CredentialPlan {
    /// Use this credential as it is.
    Ready(Credential),
}

/// Decides how this call gets its Nextcloud credential.
pub fn plan_credential(mode: &AuthMode) -> CredentialPlan {
    match mode {
        AuthMode::Basic {
            username,
            app_password,
        } => CredentialPlan::Ready(Credential {
            user_id: username.clone(),
            secret: CredentialSecret::AppPassword(app_password.clone()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn basic_mode_uses_the_shared_app_password() {
        let mode = AuthMode::Basic {
            username: "admin".into(),
            app_password: SecretString::from("s3cret-app-pass"),
        };
        let CredentialPlan::Ready(cred) = plan_credential(&mode);
        assert_eq!(cred.user_id, "admin");
        match cred.secret {
            CredentialSecret::AppPassword(p) => assert_eq!(p.expose_secret(), "s3cret-app-pass"),
            CredentialSecret::Bearer(_) => panic!("basic mode must not plan a bearer token"),
        }
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
