//! Checks on caller text that ends up inside iCalendar, vCard or a Nextcloud
//! request. A tool's caller is often a language model reading untrusted
//! documents, so every value is treated as hostile: a line break in a value
//! written raw would add a property line (an ATTENDEE that makes Nextcloud
//! send an invitation, a second UID), and megabytes of text would be sent on
//! as they came. The writers escape too; these checks give the caller a clear
//! refusal instead of silently altered data.

/// Titles, names, locations and other one-line values, like note titles.
pub const MAX_LINE_CHARS: usize = 500;
/// Descriptions and contact notes, like note content.
pub const MAX_TEXT_BYTES: usize = 1024 * 1024;
/// URLs: what browsers and servers commonly accept.
pub const MAX_URL_CHARS: usize = 2048;
/// Email addresses (RFC 5321 path limit).
pub const MAX_EMAIL_CHARS: usize = 254;
/// Phone numbers, with room for an extension.
pub const MAX_PHONE_CHARS: usize = 64;
/// Entries in a list value (attendees, categories, reminders, emails...).
pub const MAX_ITEMS: usize = 100;

/// The characters a phone number may have besides ASCII letters and digits.
const PHONE_PUNCTUATION: &str = " +-().,/#*";

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TextInputError {
    #[error("{field} contains the control character U+{code:04X} at character {at}; {allowed}")]
    Control {
        field: String,
        code: u32,
        at: usize,
        allowed: &'static str,
    },
    #[error("{field} is {len} characters; the limit is {max}")]
    TooLong {
        field: String,
        len: usize,
        max: usize,
    },
    #[error("{field} is {len} bytes; the limit is {max} bytes")]
    TooLarge {
        field: String,
        len: usize,
        max: usize,
    },
    #[error("{field} has {len} entries; the limit is {max}")]
    TooMany {
        field: String,
        len: usize,
        max: usize,
    },
    #[error(
        "{field} {value:?} is not an http(s) URL; expected an absolute http:// or https:// URL \
         without spaces, e.g. https://example.com/page"
    )]
    NotUrl { field: String, value: String },
    #[error(
        "{field} {value:?} is not an email address; expected one address such as \
         alice@example.com (no spaces, quotes, brackets, commas, semicolons or colons)"
    )]
    NotEmail { field: String, value: String },
    #[error(
        "{field} {value:?} is not a phone number; use digits, letters, spaces and + - ( ) . , / # *, \
         e.g. +31 6 1234 5678"
    )]
    NotPhone { field: String, value: String },
}

/// A value as it is quoted in an error: short, so a refusal of megabytes
/// stays small; `{:?}` in the message shows control characters escaped.
fn shown(value: &str) -> String {
    const MAX: usize = 80;
    if value.chars().count() <= MAX {
        value.to_string()
    } else {
        let head: String = value.chars().take(MAX).collect();
        format!("{head}...")
    }
}

fn no_control(field: &str, value: &str, allowed_breaks: bool) -> Result<(), TextInputError> {
    let permitted = |c: char| allowed_breaks && matches!(c, '\n' | '\r' | '\t');
    match value
        .chars()
        .enumerate()
        .find(|(_, c)| c.is_control() && !permitted(*c))
    {
        None => Ok(()),
        Some((at, c)) => Err(TextInputError::Control {
            field: field.to_string(),
            code: c as u32,
            at,
            allowed: if allowed_breaks {
                "only printable text, line breaks and tabs are allowed"
            } else {
                "only printable text on one line is allowed (no line breaks or tabs)"
            },
        }),
    }
}

/// A one-line value: printable, at most [`MAX_LINE_CHARS`] characters.
pub fn check_line(field: &str, value: &str) -> Result<(), TextInputError> {
    no_control(field, value, false)?;
    let len = value.chars().count();
    if len > MAX_LINE_CHARS {
        return Err(TextInputError::TooLong {
            field: field.to_string(),
            len,
            max: MAX_LINE_CHARS,
        });
    }
    Ok(())
}

/// Free text (a description): line breaks and tabs allowed, other control
/// characters not, at most [`MAX_TEXT_BYTES`].
pub fn check_text(field: &str, value: &str) -> Result<(), TextInputError> {
    if value.len() > MAX_TEXT_BYTES {
        return Err(TextInputError::TooLarge {
            field: field.to_string(),
            len: value.len(),
            max: MAX_TEXT_BYTES,
        });
    }
    no_control(field, value, true)
}

/// At most [`MAX_ITEMS`] entries.
pub fn check_count(field: &str, len: usize) -> Result<(), TextInputError> {
    if len > MAX_ITEMS {
        return Err(TextInputError::TooMany {
            field: field.to_string(),
            len,
            max: MAX_ITEMS,
        });
    }
    Ok(())
}

/// An absolute `http://` or `https://` URL with a host and no whitespace.
pub fn check_url(field: &str, value: &str) -> Result<(), TextInputError> {
    let bad = || TextInputError::NotUrl {
        field: field.to_string(),
        value: shown(value),
    };
    no_control(field, value, false)?;
    let len = value.chars().count();
    if len > MAX_URL_CHARS {
        return Err(TextInputError::TooLong {
            field: field.to_string(),
            len,
            max: MAX_URL_CHARS,
        });
    }
    let lower = value.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or_else(bad)?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || value.chars().any(char::is_whitespace) || value.contains(['"', '<', '>'])
    {
        return Err(bad());
    }
    Ok(())
}

/// One `local@domain` address, without the characters that would be
/// structure in an iCalendar or vCard line or a mail header.
pub fn check_email(field: &str, value: &str) -> Result<(), TextInputError> {
    let bad = || TextInputError::NotEmail {
        field: field.to_string(),
        value: shown(value),
    };
    no_control(field, value, false)?;
    if value.chars().count() > MAX_EMAIL_CHARS {
        return Err(bad());
    }
    let Some((local, domain)) = value.split_once('@') else {
        return Err(bad());
    };
    let forbidden = |c: char| c.is_whitespace() || "<>()[]\\,;:\"@".contains(c);
    if local.is_empty()
        || domain.is_empty()
        || local.chars().any(forbidden)
        || domain.chars().any(forbidden)
        || domain.starts_with('.')
        || domain.ends_with('.')
    {
        return Err(bad());
    }
    Ok(())
}

/// A phone number as people write it (`+31 6 1234 5678`, `(555) 123-4567 x12`),
/// optionally as a `tel:` URI.
pub fn check_phone(field: &str, value: &str) -> Result<(), TextInputError> {
    let bad = || TextInputError::NotPhone {
        field: field.to_string(),
        value: shown(value),
    };
    no_control(field, value, false)?;
    let number = value.strip_prefix("tel:").unwrap_or(value);
    let ok = number.chars().count() <= MAX_PHONE_CHARS
        && number.chars().any(|c| c.is_ascii_digit())
        && number
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || PHONE_PUNCTUATION.contains(c));
    if ok { Ok(()) } else { Err(bad()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_values_refuse_breaks_and_size() {
        assert!(check_line("title", "Team sync: Q4, room 2; bring \\ snacks").is_ok());
        let err = check_line("title", "a\r\nATTENDEE:mailto:x@y").unwrap_err();
        assert_eq!(
            err.to_string(),
            "title contains the control character U+000D at character 1; only printable \
             text on one line is allowed (no line breaks or tabs)"
        );
        assert!(check_line("title", "tab\there").is_err());
        assert!(check_line("title", "nul\0").is_err());
        assert!(
            check_line("title", "c1\u{85}").is_err(),
            "C1 NEL is a control"
        );
        assert!(check_line("title", &"x".repeat(MAX_LINE_CHARS)).is_ok());
        let err = check_line("title", &"x".repeat(MAX_LINE_CHARS + 1)).unwrap_err();
        assert!(err.to_string().contains("the limit is 500"), "{err}");
    }

    #[test]
    fn free_text_keeps_line_breaks_but_not_other_controls() {
        assert!(check_text("description", "line 1\r\nline 2\n\tindented").is_ok());
        assert!(check_text("description", "bell\u{7}").is_err());
        assert!(check_text("description", &"x".repeat(MAX_TEXT_BYTES + 1)).is_err());
    }

    #[test]
    fn urls_are_absolute_http() {
        for ok in [
            "https://a.example/",
            "http://a.example:8080/p?q=1#f",
            "HTTPS://A.EXAMPLE",
        ] {
            assert!(check_url("url", ok).is_ok(), "{ok}");
        }
        for bad in [
            "https://a.example/\r\nATTENDEE;CN=Evil:mailto:victim@example.com",
            "javascript:alert(1)",
            "ftp://a.example/",
            "https://",
            "https:///path",
            "https://a.example/with space",
            "a.example",
            "https://a.example/\"",
        ] {
            assert!(check_url("url", bad).is_err(), "{bad:?}");
        }
        let err = check_url("url", "ftp://x").unwrap_err().to_string();
        assert!(err.contains("https://example.com/page"), "{err}");
    }

    #[test]
    fn emails_are_one_plain_address() {
        for ok in ["alice@example.com", "a.b+tag@sub.example.org"] {
            assert!(check_email("email", ok).is_ok(), "{ok}");
        }
        for bad in [
            "victim@example.com\r\nUID:x",
            "a@b\r",
            "no-at-sign",
            "@example.com",
            "alice@",
            "a@b@c",
            "a b@c",
            "a@b;X=1",
            "a@b:c",
            "a,b@c",
            "\"a\"@b",
            "a@.b",
        ] {
            assert!(check_email("email", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn phones_are_digits_and_punctuation() {
        for ok in [
            "+31 6 1234 5678",
            "(555) 123-4567 x12",
            "tel:+1-555-0100",
            "1-800-FLOWERS",
        ] {
            assert!(check_phone("tel", ok).is_ok(), "{ok}");
        }
        for bad in ["+1\r\nUID:x", "call me", "+1;ext=2", "", "+1:2"] {
            assert!(check_phone("tel", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn lists_are_bounded() {
        assert!(check_count("attendees", MAX_ITEMS).is_ok());
        assert!(check_count("attendees", MAX_ITEMS + 1).is_err());
    }

    #[test]
    fn long_values_are_shortened_in_errors() {
        let err = check_url("url", &format!("ftp://{}", "x".repeat(5000))).unwrap_err();
        assert!(err.to_string().len() < 400, "{err}");
    }
}
