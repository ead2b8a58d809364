//! Content uploaded as a new card attachment: its file name, checked before
//! it goes into a multipart header, and its bytes, given as text or base64.
//! Base64 is decoded chunk by chunk while it is sent, so the decoded file is
//! never held whole next to its encoding.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};

/// Largest upload: the same bound as a file written through WebDAV.
pub const MAX_ATTACHMENT_BYTES: u64 = 10 * 1024 * 1024;
/// Longest file name Nextcloud stores (its file cache's limit).
const MAX_NAME_BYTES: usize = 250;
/// Base64 characters decoded at a time: a multiple of 4, so every chunk but
/// the last decodes on its own.
const BASE64_CHUNK_CHARS: usize = 256 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    #[error("file_name is empty; name the attachment, e.g. \"notes.txt\"")]
    EmptyName,
    #[error(
        "file_name '{0}' is not a plain file name: no '/', '\\', quotes or control characters, not '.' or '..'"
    )]
    BadName(String),
    #[error("file_name is longer than {MAX_NAME_BYTES} bytes")]
    NameTooLong,
    #[error(
        "the content is {0} bytes; the limit is {MAX_ATTACHMENT_BYTES} bytes. Attach a larger file from your Files by its path instead"
    )]
    TooLarge(u64),
    #[error("content_base64 is not valid base64 ({0})")]
    NotBase64(String),
}

/// The name an attachment gets, safe for a quoted multipart header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentName(String);

impl AttachmentName {
    pub fn parse(raw: &str) -> Result<Self, UploadError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(UploadError::EmptyName);
        }
        if name.len() > MAX_NAME_BYTES {
            return Err(UploadError::NameTooLong);
        }
        // A quote or line break would end the header parameter early; a
        // separator would make PHP keep only the last segment.
        let unsafe_char = |c: char| c.is_control() || matches!(c, '/' | '\\' | '"');
        if name == "." || name == ".." || name.chars().any(unsafe_char) {
            return Err(UploadError::BadName(name.chars().take(80).collect()));
        }
        Ok(Self(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Base64 text known to decode, and to how many bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Base64Content {
    text: String,
    decoded_len: u64,
    url_safe: bool,
}

fn engine(url_safe: bool) -> GeneralPurpose {
    let config =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let alphabet = if url_safe {
        &alphabet::URL_SAFE
    } else {
        &alphabet::STANDARD
    };
    GeneralPurpose::new(alphabet, config)
}

impl Base64Content {
    /// Accepts the standard and the URL-safe alphabet, with or without
    /// padding, and with line breaks (removed in place).
    pub fn parse(mut text: String) -> Result<Self, UploadError> {
        text.retain(|c| !c.is_ascii_whitespace());
        let data_chars = text.trim_end_matches('=').len();
        if data_chars % 4 == 1 || text.len() - data_chars > 2 {
            return Err(UploadError::NotBase64(
                "its length is not one of a base64 text".into(),
            ));
        }
        let decoded_len = (data_chars / 4 * 3 + (data_chars % 4).saturating_sub(1)) as u64;
        if decoded_len > MAX_ATTACHMENT_BYTES {
            return Err(UploadError::TooLarge(decoded_len));
        }
        let url_safe = text.contains(['-', '_']);
        let content = Self {
            text,
            decoded_len,
            url_safe,
        };
        // Decoded once here, into nothing, so a bad character is reported
        // before the upload starts rather than in the middle of it.
        for chunk in content.chunks() {
            chunk?;
        }
        Ok(content)
    }

    pub fn decoded_len(&self) -> u64 {
        self.decoded_len
    }

    /// The decoded bytes, one chunk at a time.
    pub fn chunks(&self) -> impl Iterator<Item = Result<Vec<u8>, UploadError>> + '_ {
        let engine = engine(self.url_safe);
        self.text
            .as_bytes()
            .chunks(BASE64_CHUNK_CHARS)
            .map(move |chunk| {
                engine
                    .decode(chunk)
                    .map_err(|e| UploadError::NotBase64(e.to_string()))
            })
    }

    /// As [`chunks`](Self::chunks), owning the text, for a request body
    /// that outlives the caller.
    pub fn into_chunks(self) -> impl Iterator<Item = Result<Vec<u8>, UploadError>> + Send {
        let engine = engine(self.url_safe);
        let text = self.text;
        let mut start = 0;
        std::iter::from_fn(move || {
            if start >= text.len() {
                return None;
            }
            let end = (start + BASE64_CHUNK_CHARS).min(text.len());
            let chunk = &text.as_bytes()[start..end];
            start = end;
            Some(
                engine
                    .decode(chunk)
                    .map_err(|e| UploadError::NotBase64(e.to_string())),
            )
        })
    }
}

/// The bytes of an upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadContent {
    /// Text as given (UTF-8), sent without a copy.
    Text(String),
    Base64(Base64Content),
}

impl UploadContent {
    pub fn text(text: String) -> Result<Self, UploadError> {
        let len = text.len() as u64;
        if len > MAX_ATTACHMENT_BYTES {
            return Err(UploadError::TooLarge(len));
        }
        Ok(Self::Text(text))
    }

    pub fn base64(text: String) -> Result<Self, UploadError> {
        Base64Content::parse(text).map(Self::Base64)
    }

    pub fn len(&self) -> u64 {
        match self {
            Self::Text(text) => text.len() as u64,
            Self::Base64(content) => content.decoded_len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A new attachment: what it is called and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentUpload {
    pub name: AttachmentName,
    pub content: UploadContent,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(content: &Base64Content) -> Vec<u8> {
        content.chunks().flat_map(Result::unwrap).collect()
    }

    #[test]
    fn names_that_would_break_the_header_or_climb_are_refused() {
        assert_eq!(
            AttachmentName::parse("  notes.txt ").unwrap().as_str(),
            "notes.txt"
        );
        assert_eq!(AttachmentName::parse(" "), Err(UploadError::EmptyName));
        for bad in ["a/b.txt", "..", ".", "a\\b", "x\".txt", "a\r\nb"] {
            assert!(
                matches!(AttachmentName::parse(bad), Err(UploadError::BadName(_))),
                "{bad:?}"
            );
        }
        assert_eq!(
            AttachmentName::parse(&"n".repeat(251)),
            Err(UploadError::NameTooLong)
        );
    }

    #[test]
    fn base64_decodes_with_or_without_padding_and_line_breaks() {
        for (text, want) in [
            ("aGVsbG8=", &b"hello"[..]),
            ("aGVsbG8", b"hello"),
            ("aGVs\nbG8h\r\n", b"hell\x6f!"),
            ("", b""),
            ("_-8=", &[0xff, 0xef][..]),
        ] {
            let content = Base64Content::parse(text.into()).unwrap();
            assert_eq!(decoded(&content), want, "{text:?}");
            assert_eq!(content.decoded_len(), want.len() as u64, "{text:?}");
        }
    }

    #[test]
    fn bad_base64_is_refused_before_anything_is_sent() {
        for bad in ["aGVsbG8*", "a", "aGVsbG8===", "aGV=sbG8"] {
            assert!(
                matches!(
                    Base64Content::parse(bad.into()),
                    Err(UploadError::NotBase64(_))
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn chunks_split_on_whole_quads_and_rejoin_to_the_input() {
        // Three chunks of the decoder's size and a padded tail.
        let bytes: Vec<u8> = (0..(BASE64_CHUNK_CHARS / 4 * 3 * 3 + 2))
            .map(|i| (i % 251) as u8)
            .collect();
        let text = base64::engine::general_purpose::STANDARD.encode(&bytes);
        let content = Base64Content::parse(text).unwrap();
        assert_eq!(content.decoded_len(), bytes.len() as u64);
        assert_eq!(content.chunks().count(), 4);
        let streamed: Vec<u8> = content.into_chunks().flat_map(Result::unwrap).collect();
        assert_eq!(streamed, bytes);
    }

    #[test]
    fn sizes_over_the_bound_are_refused_before_decoding() {
        let over = MAX_ATTACHMENT_BYTES as usize + 1;
        assert_eq!(
            UploadContent::text("x".repeat(over)),
            Err(UploadError::TooLarge(over as u64))
        );
        // 4 characters per 3 bytes: just over the bound, never decoded.
        let text = "A".repeat(over.div_ceil(3) * 4);
        assert!(matches!(
            UploadContent::base64(text),
            Err(UploadError::TooLarge(_))
        ));
        assert_eq!(UploadContent::text("é".into()).unwrap().len(), 2);
    }
}
