//! Progressive consent: a pending consent (the link a user opened) and the
//! rules its callback must pass before a refresh token may be kept. Times are
//! passed in: no clock here.
//!
//! A callback is checked twice: before its code is spent at the identity
//! provider ([`open_callback`]: a known, unexpired link of this provider),
//! and once the code names who signed in ([`PendingConsent::redeem`]: the
//! person who started the link, nobody else).

use secrecy::SecretString;

use crate::domain::time::UnixTime;

/// A consent the user started and has not finished.
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
    /// The OAuth client the user started from, so the callback (which has no
    /// caller) can name it in the audit trail.
    pub client_id: Option<String>,
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
            .field("client_id", &self.client_id)
            .finish()
    }
}

/// Why a consent link cannot be completed, told to the person who opened it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConsentRefusal {
    #[error(
        "this consent link is unknown or was already used; start again with provision_nextcloud_access"
    )]
    UnknownOrUsedState,
    #[error("this consent link has expired; start again with provision_nextcloud_access")]
    Expired,
    #[error("this consent was started by another user; sign in as that user or start again")]
    WrongSubject,
    #[error(
        "this consent link belongs to another identity provider; start again with provision_nextcloud_access"
    )]
    WrongProvider,
}

/// What a successful redemption hands on to be stored.
#[derive(Debug)]
pub struct Redeemed {
    pub subject: String,
    pub provider: String,
    pub requested_scopes: Vec<String>,
}

/// The first check of a callback, before its code is spent: `taken` is what
/// `TokenStore::take_pending` returned for the callback's `state` (deleted by
/// then, so a replay finds `None`). Yields the pending consent, whose PKCE
/// verifier the code exchange needs.
pub fn open_callback(
    taken: Option<PendingConsent>,
    provider: &str,
    state: &str,
    now: UnixTime,
) -> Result<PendingConsent, ConsentRefusal> {
    let pending = taken.ok_or(ConsentRefusal::UnknownOrUsedState)?;
    pending.check_link(provider, state, now)?;
    Ok(pending)
}

impl PendingConsent {
    /// The link itself: the same state, this provider, not expired.
    fn check_link(&self, provider: &str, state: &str, now: UnixTime) -> Result<(), ConsentRefusal> {
        if !constant_time_eq(self.state.as_bytes(), state.as_bytes()) {
            return Err(ConsentRefusal::UnknownOrUsedState);
        }
        if self.provider != provider {
            return Err(ConsentRefusal::WrongProvider);
        }
        if now >= self.expires_at {
            return Err(ConsentRefusal::Expired);
        }
        Ok(())
    }

    /// The second check, once the identity provider named who signed in
    /// (`subject`, from the token the code bought): the link again, and that
    /// the person is the one who started it. Consumes `self`: a state is used
    /// once.
    pub fn redeem(
        self,
        subject: &str,
        provider: &str,
        state: &str,
        now: UnixTime,
    ) -> Result<Redeemed, ConsentRefusal> {
        self.check_link(provider, state, now)?;
        if self.subject != subject {
            return Err(ConsentRefusal::WrongSubject);
        }
        Ok(Redeemed {
            subject: self.subject,
            provider: self.provider,
            requested_scopes: self.scopes,
        })
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: UnixTime = UnixTime(1_000);

    fn pending(subject: &str, expires_at: i64) -> PendingConsent {
        PendingConsent {
            subject: subject.into(),
            provider: "kc".into(),
            state: "state-abc".into(),
            pkce_verifier: SecretString::from("verifier-xyz"),
            scopes: vec!["offline_access".into()],
            expires_at: UnixTime(expires_at),
            client_id: None,
        }
    }

    /// Both checks in a row, as the callback runs them.
    fn callback(
        taken: Option<PendingConsent>,
        subject: &str,
        provider: &str,
        state: &str,
        now: i64,
    ) -> Result<Redeemed, ConsentRefusal> {
        let now = UnixTime(now);
        open_callback(taken, provider, state, now)?.redeem(subject, provider, state, now)
    }

    #[test]
    fn callback_table() {
        use ConsentRefusal::*;
        let p = || Some(pending("alice", 2_000));
        type Row = (
            Option<PendingConsent>,
            &'static str,
            &'static str,
            &'static str,
            i64,
            Result<(), ConsentRefusal>,
        );
        #[rustfmt::skip]
        let rows: [Row; 8] = [
            (p(),  "alice", "kc",    "state-abc", 1_000, Ok(())),
            (None, "alice", "kc",    "state-abc", 1_000, Err(UnknownOrUsedState)),
            (p(),  "bob",   "kc",    "state-abc", 1_000, Err(WrongSubject)),
            (p(),  "alice", "kc",    "state-abc", 2_000, Err(Expired)),
            (p(),  "alice", "kc",    "state-abc", 2_001, Err(Expired)),
            (p(),  "alice", "kc",    "nope",      1_000, Err(UnknownOrUsedState)),
            (p(),  "alice", "kc",    "",          1_000, Err(UnknownOrUsedState)),
            (p(),  "alice", "other", "state-abc", 1_000, Err(WrongProvider)),
        ];
        for (taken, subject, provider, state, now, want) in rows {
            let got = callback(taken, subject, provider, state, now);
            match (got, want) {
                (Ok(r), Ok(())) => {
                    assert_eq!((r.subject.as_str(), r.provider.as_str()), ("alice", "kc"));
                    assert_eq!(r.requested_scopes, vec!["offline_access"]);
                }
                (Err(e), Err(w)) => assert_eq!(e, w, "{subject} {provider} {state} {now}"),
                (got, want) => panic!("{subject} {state} {now}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn an_expired_link_is_refused_before_the_code_is_spent() {
        let refused = open_callback(Some(pending("alice", 900)), "kc", "state-abc", NOW);
        assert_eq!(refused.unwrap_err(), ConsentRefusal::Expired);
        assert!(ConsentRefusal::Expired.to_string().contains("expired"));
    }

    #[test]
    fn the_subject_is_checked_only_once_the_code_names_it() {
        // Anyone's browser may bring the link back; who signed in decides.
        let opened = open_callback(Some(pending("alice", 2_000)), "kc", "state-abc", NOW).unwrap();
        assert_eq!(
            opened
                .redeem("mallory", "kc", "state-abc", NOW)
                .unwrap_err(),
            ConsentRefusal::WrongSubject
        );
    }

    #[test]
    fn debug_never_shows_state_or_verifier() {
        let p = pending("alice", 2_000);
        let shown = format!("{p:?}");
        assert!(!shown.contains("state-abc"), "{shown}");
        assert!(!shown.contains("verifier-xyz"), "{shown}");
    }
}
