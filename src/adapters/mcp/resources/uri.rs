//! The `nc://` URIs this server answers `resources/read` for, parsed into
//! what they name.

use percent_encoding::percent_decode_str;

/// What a resource URI names.
#[derive(Debug, PartialEq, Eq)]
pub enum NcResource {
    /// `nc://capabilities`: the Nextcloud version and which apps it has.
    Capabilities,
    /// `nc://notes/{id}`
    Note(u64),
    /// `nc://files/{path}`: a text file, path relative to the user's root.
    File(String),
    /// `nc://calendars/{calendar}/upcoming`: the next seven days' events.
    Upcoming(String),
    /// `nc://deck/boards/{id}`
    DeckBoard(u64),
}

pub const CAPABILITIES: &str = "nc://capabilities";

/// Why a URI names nothing here, in words a person can act on.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UriError {
    #[error(
        "'{0}' is not a resource of this server; it offers nc://capabilities, nc://notes/{{id}}, nc://files/{{path}}, nc://calendars/{{calendar}}/upcoming and nc://deck/boards/{{id}}"
    )]
    Unknown(String),
    #[error("'{0}' is not a number; {1} ids are numbers")]
    NotANumber(String, &'static str),
    #[error("the path in '{0}' is not valid UTF-8 once decoded")]
    BadEncoding(String),
}

fn decoded(raw: &str, uri: &str) -> Result<String, UriError> {
    percent_decode_str(raw)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| UriError::BadEncoding(uri.to_string()))
}

fn number(raw: &str, what: &'static str) -> Result<u64, UriError> {
    raw.parse()
        .map_err(|_| UriError::NotANumber(raw.to_string(), what))
}

impl NcResource {
    pub fn parse(uri: &str) -> Result<Self, UriError> {
        let unknown = || UriError::Unknown(uri.to_string());
        let rest = uri.strip_prefix("nc://").ok_or_else(unknown)?;
        let rest = rest.trim_end_matches('/');
        if rest == "capabilities" {
            return Ok(Self::Capabilities);
        }
        if let Some(id) = rest.strip_prefix("notes/") {
            return number(id, "note").map(Self::Note);
        }
        if let Some(path) = rest.strip_prefix("files/").filter(|p| !p.is_empty()) {
            return decoded(path, uri).map(Self::File);
        }
        if let Some(calendar) = rest
            .strip_prefix("calendars/")
            .and_then(|r| r.strip_suffix("/upcoming"))
            .filter(|c| !c.is_empty() && !c.contains('/'))
        {
            return decoded(calendar, uri).map(Self::Upcoming);
        }
        if let Some(id) = rest.strip_prefix("deck/boards/") {
            return number(id, "board").map(Self::DeckBoard);
        }
        Err(unknown())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_template_parses_to_what_it_names() {
        assert_eq!(
            NcResource::parse("nc://capabilities"),
            Ok(NcResource::Capabilities)
        );
        assert_eq!(
            NcResource::parse("nc://notes/213"),
            Ok(NcResource::Note(213))
        );
        assert_eq!(
            NcResource::parse("nc://files/Documents/R%C3%A9sum%C3%A9%20v2.md"),
            Ok(NcResource::File("Documents/Résumé v2.md".into()))
        );
        assert_eq!(
            NcResource::parse("nc://calendars/personal/upcoming"),
            Ok(NcResource::Upcoming("personal".into()))
        );
        assert_eq!(
            NcResource::parse("nc://deck/boards/7"),
            Ok(NcResource::DeckBoard(7))
        );
    }

    #[test]
    fn other_uris_are_refused_with_what_is_offered() {
        for uri in [
            "https://example.com/",
            "nc://notes/",
            "nc://files/",
            "nc://calendars/a/b/upcoming",
            "nc://mail/1",
        ] {
            let error = NcResource::parse(uri).unwrap_err();
            assert!(
                matches!(error, UriError::Unknown(_) | UriError::NotANumber(..)),
                "{uri}: {error}"
            );
        }
        assert!(
            NcResource::parse("nc://notes/abc")
                .unwrap_err()
                .to_string()
                .contains("note ids are numbers")
        );
    }
}
