//! What happened to a user's stored credential, for the user and the admin to
//! read back. An event never holds a token value: only who, what, when, and
//! whether it worked.

use crate::domain::time::UnixTime;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuditKind {
    ConsentStarted,
    Provisioned,
    Revoked,
    Refreshed,
    RefreshFailed,
    Exchanged,
    ExchangeFailed,
    /// Nextcloud refused a stored app password (revoked there).
    CredentialRejected,
    /// A stored app password was rotated at Nextcloud.
    AppPasswordRotated,
}

impl AuditKind {
    pub const ALL: [AuditKind; 9] = [
        AuditKind::ConsentStarted,
        AuditKind::Provisioned,
        AuditKind::Revoked,
        AuditKind::Refreshed,
        AuditKind::RefreshFailed,
        AuditKind::Exchanged,
        AuditKind::ExchangeFailed,
        AuditKind::CredentialRejected,
        AuditKind::AppPasswordRotated,
    ];

    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditKind::ConsentStarted => "consent_started",
            AuditKind::Provisioned => "provisioned",
            AuditKind::Revoked => "revoked",
            AuditKind::Refreshed => "refreshed",
            AuditKind::RefreshFailed => "refresh_failed",
            AuditKind::Exchanged => "exchanged",
            AuditKind::ExchangeFailed => "exchange_failed",
            AuditKind::CredentialRejected => "credential_rejected",
            AuditKind::AppPasswordRotated => "app_password_rotated",
        }
    }

    pub fn parse(s: &str) -> Option<AuditKind> {
        AuditKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditOutcome {
    Success,
    /// A reason a person can read. Callers pass error messages, which by rule
    /// never contain a secret; [`AuditOutcome::failure`] also bounds the length.
    Failure(String),
}

/// Longest failure reason kept, in characters.
pub const MAX_REASON_CHARS: usize = 500;

impl AuditOutcome {
    pub fn failure(reason: impl Into<String>) -> Self {
        let reason: String = reason.into();
        let reason = match reason.char_indices().nth(MAX_REASON_CHARS) {
            Some((cut, _)) => format!("{}…", &reason[..cut]),
            None => reason,
        };
        AuditOutcome::Failure(reason)
    }

    pub fn is_success(&self) -> bool {
        matches!(self, AuditOutcome::Success)
    }

    /// Storage form: (outcome, reason).
    pub fn to_parts(&self) -> (&'static str, Option<&str>) {
        match self {
            AuditOutcome::Success => ("success", None),
            AuditOutcome::Failure(r) => ("failure", Some(r)),
        }
    }

    pub fn from_parts(outcome: &str, reason: Option<String>) -> Option<AuditOutcome> {
        match outcome {
            "success" => Some(AuditOutcome::Success),
            "failure" => Some(AuditOutcome::Failure(reason.unwrap_or_default())),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEvent {
    pub kind: AuditKind,
    pub subject: String,
    /// The MCP client the action was done for, when there was one.
    pub client_id: Option<String>,
    pub at: UnixTime,
    pub outcome: AuditOutcome,
}

impl AuditEvent {
    pub fn success(kind: AuditKind, subject: impl Into<String>, at: UnixTime) -> Self {
        AuditEvent {
            kind,
            subject: subject.into(),
            client_id: None,
            at,
            outcome: AuditOutcome::Success,
        }
    }

    pub fn failure(
        kind: AuditKind,
        subject: impl Into<String>,
        at: UnixTime,
        reason: impl Into<String>,
    ) -> Self {
        AuditEvent {
            outcome: AuditOutcome::failure(reason),
            ..AuditEvent::success(kind, subject, at)
        }
    }

    pub fn with_client(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_round_trip_and_are_distinct() {
        let mut seen = std::collections::HashSet::new();
        for kind in AuditKind::ALL {
            assert_eq!(AuditKind::parse(kind.as_str()), Some(kind));
            assert!(seen.insert(kind.as_str()), "duplicate {}", kind.as_str());
        }
        assert_eq!(AuditKind::parse("Provisioned"), None);
        assert_eq!(AuditKind::parse(""), None);
    }

    #[test]
    fn outcome_parts_table() {
        let rows = [
            ("success", None, Some(AuditOutcome::Success)),
            (
                "failure",
                Some("idp said no"),
                Some(AuditOutcome::Failure("idp said no".into())),
            ),
            ("failure", None, Some(AuditOutcome::Failure(String::new()))),
            ("weird", None, None),
        ];
        for (outcome, reason, want) in rows {
            let got = AuditOutcome::from_parts(outcome, reason.map(String::from));
            assert_eq!(got, want, "{outcome}");
            if let Some(o) = got {
                assert_eq!(o.to_parts(), (outcome, reason.or(o.to_parts().1)));
            }
        }
    }

    #[test]
    fn failure_reason_is_bounded() {
        let long = "é".repeat(MAX_REASON_CHARS + 10);
        let AuditOutcome::Failure(r) = AuditOutcome::failure(long) else {
            panic!("not a failure")
        };
        assert_eq!(r.chars().count(), MAX_REASON_CHARS + 1);
        assert_eq!(
            AuditOutcome::failure("short"),
            AuditOutcome::Failure("short".into())
        );
    }

    #[test]
    fn builders() {
        let e = AuditEvent::failure(
            AuditKind::RefreshFailed,
            "alice",
            UnixTime(5),
            "invalid_grant",
        )
        .with_client("claude");
        assert_eq!(e.client_id.as_deref(), Some("claude"));
        assert!(!e.outcome.is_success());
        assert!(
            AuditEvent::success(AuditKind::Refreshed, "alice", UnixTime(5))
                .outcome
                .is_success()
        );
    }
}
