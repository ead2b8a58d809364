//! Reads `Authorization: Basic` and bounds it before anything else looks at
//! it: a junk or huge header is refused here, and never reaches Nextcloud.

use axum::http::HeaderValue;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use secrecy::SecretString;
use zeroize::Zeroizing;

/// The longest Authorization value looked at. A Nextcloud login name and a
/// 72-character app password encode to far less.
pub const MAX_AUTHORIZATION_BYTES: usize = 1024;
/// Nextcloud keeps login names (user ids and email addresses) within this.
const MAX_LOGIN_CHARS: usize = 255;

/// A login name and app password as the request sent them, not yet checked.
pub struct Presented {
    pub login: String,
    pub password: SecretString,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HeaderProblem {
    #[error("this server needs your Nextcloud login name and an app password (HTTP Basic)")]
    Missing,
    #[error("the Authorization header is longer than any Basic credential this server accepts")]
    TooLong,
    #[error("the Authorization header must be 'Basic <base64 of login:app-password>'")]
    Malformed,
    #[error("the login name or the app password is empty, too long or not printable text")]
    BadParts,
}

/// The Basic credential of `value` (`None`: no Authorization header).
pub fn basic_credential(value: Option<&HeaderValue>) -> Result<Presented, HeaderProblem> {
    let value = value.ok_or(HeaderProblem::Missing)?;
    if value.len() > MAX_AUTHORIZATION_BYTES {
        return Err(HeaderProblem::TooLong);
    }
    let value = value.to_str().map_err(|_| HeaderProblem::Malformed)?;
    let (scheme, encoded) = value.split_once(' ').ok_or(HeaderProblem::Malformed)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(HeaderProblem::Malformed);
    }
    // The decoded bytes hold the password: wiped when dropped.
    let decoded = Zeroizing::new(
        STANDARD
            .decode(encoded.trim())
            .map_err(|_| HeaderProblem::Malformed)?,
    );
    let text = std::str::from_utf8(&decoded).map_err(|_| HeaderProblem::BadParts)?;
    let (login, password) = text.split_once(':').ok_or(HeaderProblem::Malformed)?;
    let printable = |s: &str| !s.is_empty() && !s.chars().any(char::is_control);
    if !printable(login) || login.chars().count() > MAX_LOGIN_CHARS || !printable(password) {
        return Err(HeaderProblem::BadParts);
    }
    Ok(Presented {
        login: login.to_string(),
        password: SecretString::from(password.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    fn header(raw: &str) -> HeaderValue {
        HeaderValue::from_str(raw).unwrap()
    }

    fn basic(text: &str) -> HeaderValue {
        header(&format!("Basic {}", STANDARD.encode(text)))
    }

    #[test]
    fn a_well_formed_credential_is_read() {
        let presented = basic_credential(Some(&basic("alice@example.com:pw:with:colons"))).unwrap();
        assert_eq!(presented.login, "alice@example.com");
        assert_eq!(presented.password.expose_secret(), "pw:with:colons");
        let lower = header(&format!("basic {}", STANDARD.encode("bob:pw")));
        assert_eq!(basic_credential(Some(&lower)).unwrap().login, "bob");
    }

    #[test]
    fn junk_is_refused_without_decoding_more_than_the_bound() {
        assert_eq!(basic_credential(None).err(), Some(HeaderProblem::Missing));
        for junk in ["Bearer abc", "Basic", "Basic !!!", "Basicabc"] {
            assert_eq!(
                basic_credential(Some(&header(junk))).err(),
                Some(HeaderProblem::Malformed),
                "{junk}"
            );
        }
        assert_eq!(
            basic_credential(Some(&basic("no-colon"))).err(),
            Some(HeaderProblem::Malformed)
        );
        for parts in [":pw", "alice:", "al\u{7}ice:pw", "alice:p\nw"] {
            assert_eq!(
                basic_credential(Some(&basic(parts))).err(),
                Some(HeaderProblem::BadParts),
                "{parts:?}"
            );
        }
        let long_login = format!("{}:pw", "a".repeat(MAX_LOGIN_CHARS + 1));
        assert_eq!(
            basic_credential(Some(&basic(&long_login))).err(),
            Some(HeaderProblem::BadParts)
        );
        let huge = format!("alice:{}", "p".repeat(MAX_AUTHORIZATION_BYTES));
        assert_eq!(
            basic_credential(Some(&basic(&huge))).err(),
            Some(HeaderProblem::TooLong)
        );
    }
}
