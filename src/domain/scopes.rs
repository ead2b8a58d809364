//! Soft scopes: Nextcloud has no OAuth scopes, so this server enforces its own.
//!
//! Each tool declares the scopes it needs; a caller's token carries the scopes
//! its identity provider granted (the `scope` claim). A scope never implies
//! another: `notes:write` does not grant `notes:read`, so a deployment that
//! wants both grants both.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

macro_rules! scopes {
    ($($variant:ident => $name:literal,)+) => {
        /// One soft scope this server knows.
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Scope {
            $($variant,)+
        }

        impl Scope {
            /// Every scope, in a stable order (for RFC 9728 `scopes_supported`).
            pub const ALL: &'static [Scope] = &[$(Scope::$variant,)+];

            /// The wire form, e.g. `notes:read`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Scope::$variant => $name,)+
                }
            }
        }

        impl FromStr for Scope {
            type Err = UnknownScope;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($name => Ok(Scope::$variant),)+
                    other => Err(UnknownScope(other.to_string())),
                }
            }
        }
    };
}

scopes! {
    NotesRead => "notes:read",
    NotesWrite => "notes:write",
    FilesRead => "files:read",
    FilesWrite => "files:write",
    CalendarRead => "calendar:read",
    CalendarWrite => "calendar:write",
    TodoRead => "todo:read",
    TodoWrite => "todo:write",
    ContactsRead => "contacts:read",
    ContactsWrite => "contacts:write",
    DeckRead => "deck:read",
    DeckWrite => "deck:write",
    SharesRead => "shares:read",
    SharesWrite => "shares:write",
    SearchRead => "search:read",
    TablesRead => "tables:read",
    TablesWrite => "tables:write",
    CookbookRead => "cookbook:read",
    CookbookWrite => "cookbook:write",
    CollectivesRead => "collectives:read",
    CollectivesWrite => "collectives:write",
    NewsRead => "news:read",
    NewsWrite => "news:write",
    WebhooksAdmin => "webhooks:admin",
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A scope name this server does not know.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown scope {0:?}; known scopes look like notes:read or files:write")]
pub struct UnknownScope(pub String);

/// The soft scopes a caller holds. Built from an OAuth `scope` string, in which
/// other scopes (`openid`, `profile`, `offline_access`...) are ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScopeSet(BTreeSet<Scope>);

impl ScopeSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads a space-separated OAuth scope string, keeping the scopes this
    /// server knows and ignoring the rest.
    pub fn from_oauth(scope: &str) -> Self {
        Self::from_names(scope.split_ascii_whitespace())
    }

    /// Keeps the known names among `names`.
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        Self(names.into_iter().filter_map(|n| n.parse().ok()).collect())
    }

    /// Strict parse for configuration: every name must be known.
    pub fn parse_strict(scope: &str) -> Result<Self, UnknownScope> {
        scope
            .split_ascii_whitespace()
            .map(Scope::from_str)
            .collect::<Result<BTreeSet<_>, _>>()
            .map(Self)
    }

    pub fn contains(&self, scope: Scope) -> bool {
        self.0.contains(&scope)
    }

    pub fn insert(&mut self, scope: Scope) {
        self.0.insert(scope);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        self.0.iter().copied()
    }
}

impl FromIterator<Scope> for ScopeSet {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl fmt::Display for ScopeSet {
    /// The OAuth form: names separated by one space.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, scope) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(scope.as_str())?;
        }
        Ok(())
    }
}

/// The scopes a call lacks; its Display says what to do about it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "this action needs the scope(s) {missing}, which the access token does not carry; \
     sign in again and grant them, or ask the administrator to allow them for your client"
)]
pub struct MissingScopes {
    pub missing: ScopeSet,
}

impl MissingScopes {
    /// The value for `WWW-Authenticate: Bearer error="insufficient_scope", scope="..."`.
    pub fn challenge_scope(&self) -> String {
        self.missing.to_string()
    }
}

/// Decides whether granted scopes allow an action that requires others.
#[derive(Clone, Copy, Debug)]
pub struct ScopeCheck<'a> {
    granted: &'a ScopeSet,
}

impl<'a> ScopeCheck<'a> {
    pub fn new(granted: &'a ScopeSet) -> Self {
        Self { granted }
    }

    /// `Ok` when every required scope is granted; otherwise the missing ones.
    pub fn require(&self, required: &[Scope]) -> Result<(), MissingScopes> {
        let missing: ScopeSet = required
            .iter()
            .copied()
            .filter(|s| !self.granted.contains(*s))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(MissingScopes { missing })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scope_round_trips_through_its_name() {
        for scope in Scope::ALL {
            assert_eq!(scope.as_str().parse::<Scope>().unwrap(), *scope);
            assert_eq!(scope.to_string(), scope.as_str());
        }
    }

    #[test]
    fn unknown_scope_names_are_errors_that_say_so() {
        let err = "notes:delete".parse::<Scope>().unwrap_err();
        assert!(err.to_string().contains("notes:delete"));
        assert!("".parse::<Scope>().is_err());
        assert!("NOTES:READ".parse::<Scope>().is_err());
    }

    #[test]
    fn oauth_strings_keep_known_scopes_and_ignore_the_rest() {
        let set = ScopeSet::from_oauth("openid profile  notes:read\tfiles:write offline_access");
        assert_eq!(set.to_string(), "notes:read files:write");
        assert!(set.contains(Scope::NotesRead));
        assert!(!set.contains(Scope::NotesWrite));
        assert!(ScopeSet::from_oauth("").is_empty());
    }

    #[test]
    fn strict_parse_refuses_unknown_names() {
        assert!(ScopeSet::parse_strict("notes:read bogus").is_err());
        let ok = ScopeSet::parse_strict("deck:write webhooks:admin").unwrap();
        assert_eq!(ok.to_string(), "deck:write webhooks:admin");
    }

    #[test]
    fn scope_check_table() {
        use Scope::*;
        let cases: &[(&str, &[Scope], &str)] = &[
            ("notes:read", &[NotesRead], ""),
            ("notes:read notes:write", &[NotesRead, NotesWrite], ""),
            ("notes:write", &[NotesRead], "notes:read"),
            ("", &[FilesRead, FilesWrite], "files:read files:write"),
            ("files:read", &[], ""),
            (
                "openid calendar:read",
                &[CalendarRead, CalendarWrite],
                "calendar:write",
            ),
        ];
        for (granted, required, missing) in cases {
            let granted = ScopeSet::from_oauth(granted);
            let result = ScopeCheck::new(&granted).require(required);
            match (result, missing.is_empty()) {
                (Ok(()), true) => {}
                (Err(e), false) => {
                    assert_eq!(e.challenge_scope(), *missing, "granted {granted}");
                    assert!(e.to_string().contains(missing));
                }
                (other, _) => panic!("granted {granted}, required {required:?}: {other:?}"),
            }
        }
    }
}
