//! Progressive consent: whether this server may keep a refresh token for one
//! (subject, provider), and the legal ways that changes.
//!
//! `NotProvisioned -> Pending -> Provisioned -> Revoked`, with `Begin` legal
//! from every state (a new consent replaces an unfinished one, and asking again
//! while provisioned is how scopes grow). Times are passed in: no clock here.

use secrecy::SecretString;

/// Seconds since the Unix epoch, as the caller's clock saw them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixTime(pub i64);

impl UnixTime {
    /// A clock reading the caller took; times before 1970 read as 0.
    pub fn from_system(time: std::time::SystemTime) -> Self {
        UnixTime(
            time.duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64),
        )
    }
}

/// A consent the user started and has not finished (Flow 2).
///
/// `state` travels through the browser and is single use; `pkce_verifier`
/// never leaves the server. Debug hides both.
#[derive(Clone)]
pub struct PendingConsent {
    pub subject: String,
    pub provider: String,
    pub state: String,
    pub pkce_verifier: SecretString,
    /// Scopes asked for.
    pub scopes: Vec<String>,
    pub expires_at: UnixTime,
}

impl std::fmt::Debug for PendingConsent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingConsent")
            .field("subject", &self.subject)
            .field("provider", &self.provider)
            .field("state", &"[redacted]")
            .field("pkce_verifier", &"[redacted]")
            .field("scopes", &self.scopes)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// What the user granted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub scopes: Vec<String>,
    pub granted_at: UnixTime,
}

#[derive(Clone, Debug)]
pub enum ConsentState {
    NotProvisioned,
    Pending(PendingConsent),
    Provisioned(Grant),
    Revoked { revoked_at: UnixTime },
}

/// Something that happens to a consent. Debug hides the state value.
#[derive(Clone)]
pub enum ConsentEvent {
    /// The user asked to grant offline access.
    Begin(PendingConsent),
    /// The IdP sent the browser back with `state`; `subject` is who came back
    /// (the authenticated caller, or the `sub` of the token the code bought).
    Redeem {
        subject: String,
        state: String,
        granted_scopes: Vec<String>,
    },
    /// The user (or an admin) withdrew consent, or an unfinished one was cancelled.
    Revoke,
}

impl std::fmt::Debug for ConsentEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConsentEvent::Begin(p) => f.debug_tuple("Begin").field(p).finish(),
            ConsentEvent::Redeem {
                subject,
                granted_scopes,
                ..
            } => f
                .debug_struct("Redeem")
                .field("subject", subject)
                .field("state", &"[redacted]")
                .field("granted_scopes", granted_scopes)
                .finish(),
            ConsentEvent::Revoke => f.write_str("Revoke"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConsentError {
    #[error("this consent request is unknown or was already used; start the consent again")]
    UnknownOrUsedState,
    #[error("this consent request has expired; start the consent again")]
    Expired,
    #[error("this consent request was started by another user")]
    WrongSubject,
    #[error("this consent request is for another provider")]
    WrongProvider,
    #[error("a consent request must carry a state and a PKCE verifier and expire in the future")]
    InvalidPending,
    #[error("there is no consent to revoke")]
    NotProvisioned,
    #[error("the consent was already revoked")]
    AlreadyRevoked,
}

/// One subject's consent at one provider.
#[derive(Clone, Debug)]
pub struct Consent {
    pub subject: String,
    pub provider: String,
    pub state: ConsentState,
}

impl Consent {
    pub fn new(subject: impl Into<String>, provider: impl Into<String>) -> Self {
        Consent {
            subject: subject.into(),
            provider: provider.into(),
            state: ConsentState::NotProvisioned,
        }
    }

    /// Applies `event` at `now`, or says why it is not allowed. The consent is
    /// consumed so an illegal event cannot leave a half-changed value behind.
    pub fn apply(self, event: ConsentEvent, now: UnixTime) -> Result<Consent, ConsentError> {
        let next = match (self.state, event) {
            (_, ConsentEvent::Begin(pending)) => {
                if pending.subject != self.subject {
                    return Err(ConsentError::WrongSubject);
                }
                if pending.provider != self.provider {
                    return Err(ConsentError::WrongProvider);
                }
                validate_pending(&pending, now)?;
                ConsentState::Pending(pending)
            }
            (
                ConsentState::Pending(pending),
                ConsentEvent::Redeem {
                    subject,
                    state,
                    granted_scopes,
                },
            ) => {
                pending.redeem(&subject, &self.provider, &state, now)?;
                ConsentState::Provisioned(Grant {
                    scopes: granted_scopes,
                    granted_at: now,
                })
            }
            (_, ConsentEvent::Redeem { .. }) => return Err(ConsentError::UnknownOrUsedState),
            (ConsentState::Provisioned(_) | ConsentState::Pending(_), ConsentEvent::Revoke) => {
                ConsentState::Revoked { revoked_at: now }
            }
            (ConsentState::NotProvisioned, ConsentEvent::Revoke) => {
                return Err(ConsentError::NotProvisioned);
            }
            (ConsentState::Revoked { .. }, ConsentEvent::Revoke) => {
                return Err(ConsentError::AlreadyRevoked);
            }
        };
        Ok(Consent {
            state: next,
            ..Consent::new(self.subject, self.provider)
        })
    }
}

/// What a successful redemption hands to the code exchange.
pub struct Redeemed {
    pub subject: String,
    pub provider: String,
    pub pkce_verifier: SecretString,
    pub requested_scopes: Vec<String>,
}

impl std::fmt::Debug for Redeemed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redeemed")
            .field("subject", &self.subject)
            .field("provider", &self.provider)
            .field("pkce_verifier", &"[redacted]")
            .finish()
    }
}

fn validate_pending(pending: &PendingConsent, now: UnixTime) -> Result<(), ConsentError> {
    use secrecy::ExposeSecret;
    if pending.state.is_empty()
        || pending.pkce_verifier.expose_secret().is_empty()
        || pending.expires_at <= now
    {
        return Err(ConsentError::InvalidPending);
    }
    Ok(())
}

impl PendingConsent {
    /// Checks a callback against this pending consent and, if it matches,
    /// yields the PKCE verifier. Consumes `self`: a state is used once.
    pub fn redeem(
        self,
        subject: &str,
        provider: &str,
        state: &str,
        now: UnixTime,
    ) -> Result<Redeemed, ConsentError> {
        if !constant_time_eq(self.state.as_bytes(), state.as_bytes()) {
            return Err(ConsentError::UnknownOrUsedState);
        }
        if self.subject != subject {
            return Err(ConsentError::WrongSubject);
        }
        if self.provider != provider {
            return Err(ConsentError::WrongProvider);
        }
        if now >= self.expires_at {
            return Err(ConsentError::Expired);
        }
        Ok(Redeemed {
            subject: self.subject,
            provider: self.provider,
            pkce_verifier: self.pkce_verifier,
            requested_scopes: self.scopes,
        })
    }
}

/// For the callback route: `taken` is what `TokenStore::take_pending` returned
/// for the callback's `state` (it is deleted by then, so a replay finds `None`).
pub fn redeem_taken(
    taken: Option<PendingConsent>,
    subject: &str,
    provider: &str,
    state: &str,
    now: UnixTime,
) -> Result<Redeemed, ConsentError> {
    taken
        .ok_or(ConsentError::UnknownOrUsedState)?
        .redeem(subject, provider, state, now)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    const NOW: UnixTime = UnixTime(1_000);

    fn pending(subject: &str, expires_at: i64) -> PendingConsent {
        PendingConsent {
            subject: subject.into(),
            provider: "kc".into(),
            state: "state-abc".into(),
            pkce_verifier: SecretString::from("verifier-xyz"),
            scopes: vec!["offline_access".into()],
            expires_at: UnixTime(expires_at),
        }
    }

    fn consent_in(state: &str) -> Consent {
        let mut c = Consent::new("alice", "kc");
        c.state = match state {
            "none" => ConsentState::NotProvisioned,
            "pending" => ConsentState::Pending(pending("alice", 2_000)),
            "expired" => ConsentState::Pending(pending("alice", 900)),
            "provisioned" => ConsentState::Provisioned(Grant {
                scopes: vec!["notes:read".into()],
                granted_at: UnixTime(500),
            }),
            "revoked" => ConsentState::Revoked {
                revoked_at: UnixTime(600),
            },
            other => panic!("unknown state {other}"),
        };
        c
    }

    fn redeem(subject: &str, state: &str) -> ConsentEvent {
        ConsentEvent::Redeem {
            subject: subject.into(),
            state: state.into(),
            granted_scopes: vec!["notes:read".into(), "offline_access".into()],
        }
    }

    /// `begin[:SUBJECT]`, `begin-stale`, `begin-elsewhere`, `redeem:SUBJECT:STATE`, `revoke`.
    fn event(code: &str) -> ConsentEvent {
        let parts: Vec<&str> = code.split(':').collect();
        match parts.as_slice() {
            ["begin"] => ConsentEvent::Begin(pending("alice", 2_000)),
            ["begin", subject] => ConsentEvent::Begin(pending(subject, 2_000)),
            ["begin-stale"] => ConsentEvent::Begin(pending("alice", NOW.0)),
            ["begin-elsewhere"] => ConsentEvent::Begin(PendingConsent {
                provider: "other".into(),
                ..pending("alice", 2_000)
            }),
            ["redeem", subject, state] => redeem(subject, state),
            ["revoke"] => ConsentEvent::Revoke,
            _ => panic!("unknown event {code}"),
        }
    }

    fn kind(s: &ConsentState) -> &'static str {
        match s {
            ConsentState::NotProvisioned => "none",
            ConsentState::Pending(_) => "pending",
            ConsentState::Provisioned(_) => "provisioned",
            ConsentState::Revoked { .. } => "revoked",
        }
    }

    #[test]
    fn transitions_table() {
        use ConsentError::*;
        #[rustfmt::skip]
        let rows: [(&str, &str, Result<&str, ConsentError>); 19] = [
            ("none",        "begin",                  Ok("pending")),
            ("pending",     "begin",                  Ok("pending")),
            ("provisioned", "begin",                  Ok("pending")),
            ("revoked",     "begin",                  Ok("pending")),
            ("none",        "begin:bob",              Err(WrongSubject)),
            ("none",        "begin-stale",            Err(InvalidPending)),
            ("none",        "begin-elsewhere",        Err(WrongProvider)),
            ("pending",     "redeem:alice:state-abc", Ok("provisioned")),
            ("pending",     "redeem:bob:state-abc",   Err(WrongSubject)),
            ("pending",     "redeem:alice:state-abd", Err(UnknownOrUsedState)),
            ("pending",     "redeem:alice:",          Err(UnknownOrUsedState)),
            ("expired",     "redeem:alice:state-abc", Err(Expired)),
            ("none",        "redeem:alice:state-abc", Err(UnknownOrUsedState)),
            ("provisioned", "redeem:alice:state-abc", Err(UnknownOrUsedState)),
            ("revoked",     "redeem:alice:state-abc", Err(UnknownOrUsedState)),
            ("provisioned", "revoke",                 Ok("revoked")),
            ("pending",     "revoke",                 Ok("revoked")),
            ("none",        "revoke",                 Err(NotProvisioned)),
            ("revoked",     "revoke",                 Err(AlreadyRevoked)),
        ];
        for (from, code, want) in rows {
            let got = consent_in(from)
                .apply(event(code), NOW)
                .map(|c| kind(&c.state));
            assert_eq!(got, want, "{from} + {code}");
        }
    }

    #[test]
    fn redeem_records_grant_time_and_scopes() {
        let c = consent_in("pending")
            .apply(redeem("alice", "state-abc"), NOW)
            .unwrap();
        match c.state {
            ConsentState::Provisioned(g) => {
                assert_eq!(g.granted_at, NOW);
                assert_eq!(g.scopes, vec!["notes:read", "offline_access"]);
            }
            other => panic!("expected provisioned, got {other:?}"),
        }
    }

    #[test]
    fn redeem_taken_table() {
        use ConsentError::*;
        let p = || Some(pending("alice", 2_000));
        type Row = (
            Option<PendingConsent>,
            &'static str,
            &'static str,
            i64,
            Result<(), ConsentError>,
        );
        #[rustfmt::skip]
        let rows: [Row; 5] = [
            (p(),  "alice", "state-abc", 1_000, Ok(())),
            (None, "alice", "state-abc", 1_000, Err(UnknownOrUsedState)),
            (p(),  "bob",   "state-abc", 1_000, Err(WrongSubject)),
            (p(),  "alice", "state-abc", 2_000, Err(Expired)),
            (p(),  "alice", "nope",      1_000, Err(UnknownOrUsedState)),
        ];
        for (taken, subject, state, now, want) in rows {
            let got = redeem_taken(taken, subject, "kc", state, UnixTime(now));
            match (got, want) {
                (Ok(r), Ok(())) => assert_eq!(r.pkce_verifier.expose_secret(), "verifier-xyz"),
                (Err(e), Err(w)) => assert_eq!(e, w, "{subject} {state} {now}"),
                (got, want) => panic!("{subject} {state} {now}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn debug_never_shows_state_or_verifier() {
        let p = pending("alice", 2_000);
        let shown = format!("{p:?} {:?}", ConsentState::Pending(p.clone()));
        assert!(!shown.contains("state-abc"), "{shown}");
        assert!(!shown.contains("verifier-xyz"), "{shown}");
        let shown = format!("{:?}", event("redeem:alice:state-abc"));
        assert!(!shown.contains("state-abc"), "{shown}");
        let r = p.redeem("alice", "kc", "state-abc", NOW).unwrap();
        assert!(!format!("{r:?}").contains("verifier-xyz"));
    }
}
