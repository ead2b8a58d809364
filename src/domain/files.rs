//! Files: entries as the tools report them, and the rules for reading text.

use serde::Serialize;

use super::path::UserPath;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    File,
    Folder,
}

/// One file or folder, as listed by WebDAV.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FileEntry {
    #[serde(serialize_with = "serialize_path")]
    pub path: UserPath,
    pub name: String,
    pub kind: EntryKind,
    /// Bytes; for a folder, the size of everything in it.
    pub size: Option<u64>,
    /// RFC 1123 date as the server sent it (`getlastmodified`).
    pub modified: Option<String>,
    /// Quoted, exactly as the server sent it, so it can be used with If-Match.
    pub etag: Option<String>,
    pub file_id: Option<u64>,
    pub content_type: Option<String>,
    pub favorite: bool,
}

fn serialize_path<S: serde::Serializer>(path: &UserPath, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&path.to_string())
}

/// A file's bytes as downloaded, bounded by the caller's limit.
#[derive(Clone, Debug, PartialEq)]
pub struct FileContent {
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
    pub etag: Option<String>,
}

/// Precondition on a write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WriteCondition {
    /// Create or overwrite, whatever is there.
    Any,
    /// Only if the file's current ETag is this one (quoted form).
    IfMatch(String),
    /// Only if nothing exists at the path yet.
    MustNotExist,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WriteOutcome {
    pub created: bool,
    pub etag: Option<String>,
}

/// Largest file `read_file` returns; bigger files get a clear refusal.
pub const MAX_READ_BYTES: u64 = 2 * 1024 * 1024;
/// Largest body `write_file` accepts.
pub const MAX_WRITE_BYTES: usize = 10 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("'{path}' is a binary file ({detail}); only text files can be read with this tool")]
    Binary { path: String, detail: String },
}

/// Decides whether downloaded bytes are text a model can read, and decodes them.
pub fn decode_text(path: &UserPath, content: &FileContent) -> Result<String, TextError> {
    if content.bytes.contains(&0) {
        return Err(TextError::Binary {
            path: path.to_string(),
            detail: "it contains NUL bytes".into(),
        });
    }
    String::from_utf8(content.bytes.clone()).map_err(|_| TextError::Binary {
        path: path.to_string(),
        detail: format!(
            "not valid UTF-8{}",
            content
                .content_type
                .as_deref()
                .map(|t| format!(", content type {t}"))
                .unwrap_or_default()
        ),
    })
}

/// Turns a user's name pattern into a DAV `d:like` literal: `*` is any run of
/// characters, and a pattern without `*` matches anywhere in the name. `%`
/// and `_` are SQL LIKE wildcards on Nextcloud's side, so they (and the
/// escape character `\`, which Nextcloud's LIKE uses) are escaped to match
/// only themselves.
pub fn like_pattern(pattern: &str) -> String {
    let trimmed = pattern.trim();
    let literal = trimmed
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    if trimmed.contains('*') {
        literal.replace('*', "%")
    } else {
        format!("%{literal}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(bytes: &[u8]) -> FileContent {
        FileContent {
            bytes: bytes.to_vec(),
            content_type: Some("application/octet-stream".into()),
            etag: None,
        }
    }

    #[test]
    fn text_is_decoded_and_binary_refused() {
        let path = UserPath::parse("a.txt").unwrap();
        assert_eq!(
            decode_text(&path, &content("héllo".as_bytes())).unwrap(),
            "héllo"
        );
        let err = decode_text(&path, &content(&[0x89, b'P', b'N', b'G', 0, 1])).unwrap_err();
        assert!(err.to_string().contains("binary"), "{err}");
        let err = decode_text(&path, &content(&[0xff, 0xfe, 0x41])).unwrap_err();
        assert!(err.to_string().contains("UTF-8"), "{err}");
    }

    #[test]
    fn name_patterns_become_like_literals() {
        assert_eq!(like_pattern("hello"), "%hello%");
        assert_eq!(like_pattern(" *.md "), "%.md");
        assert_eq!(like_pattern("rep*2026*"), "rep%2026%");
        assert_eq!(like_pattern("100%"), "%100\\%%");
        assert_eq!(like_pattern("a_b*"), "a\\_b%");
        assert_eq!(like_pattern("c:\\x"), "%c:\\\\x%");
    }
}
