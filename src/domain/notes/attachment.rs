//! Files a note embeds (images pasted into the Notes app): they live in a
//! folder `.attachments.<note id>` next to the note's file, and the note's
//! Markdown links them as `.attachments.<id>/<name>`.

use super::Note;
use crate::domain::path::UserPath;

/// Attachments are read whole and may go back base64-encoded (a third
/// larger): beyond this a tool refuses rather than flood the conversation.
pub const MAX_ATTACHMENT_BYTES: u64 = 5 * 1024 * 1024;
pub const MAX_ATTACHMENT_NAME_CHARS: usize = 255;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentNameError {
    #[error("attachment_filename is empty; give the file name the note links, e.g. \"photo.png\"")]
    Empty,
    #[error(
        "attachment_filename must be one file name of note {0}'s attachments, without folders or '..'"
    )]
    NotAName(u64),
    #[error("attachment_filename is longer than {MAX_ATTACHMENT_NAME_CHARS} characters")]
    TooLong,
    #[error(
        "the Notes app did not say where note {0} is stored, so its attachments cannot be found"
    )]
    NoteLocationUnknown(u64),
}

/// The folder name the Notes app keeps a note's attachments in.
pub fn attachments_folder(note_id: u64) -> String {
    format!(".attachments.{note_id}")
}

/// Where the attachment `name` of `note` is in the user's Files. `name`
/// may be given as the note links it (`.attachments.<id>/photo.png`).
pub fn attachment_path(note: &Note, name: &str) -> Result<UserPath, AttachmentNameError> {
    let name = name.trim();
    let prefix = format!("{}/", attachments_folder(note.id));
    let name = name.strip_prefix(&prefix).unwrap_or(name);
    if name.is_empty() {
        return Err(AttachmentNameError::Empty);
    }
    if name.chars().count() > MAX_ATTACHMENT_NAME_CHARS {
        return Err(AttachmentNameError::TooLong);
    }
    if name == "."
        || name == ".."
        || name.contains(['/', '\\'])
        || name.chars().any(char::is_control)
    {
        return Err(AttachmentNameError::NotAName(note.id));
    }
    let note_file = UserPath::parse_non_root(&note.internal_path)
        .map_err(|_| AttachmentNameError::NoteLocationUnknown(note.id))?;
    let folder = &note_file.segments()[..note_file.segments().len() - 1];
    UserPath::from_segments(
        folder
            .iter()
            .map(String::as_str)
            .chain([attachments_folder(note.id).as_str(), name]),
    )
    .map_err(|_| AttachmentNameError::NotAName(note.id))
}

/// The image type of `bytes` by their first bytes, for the formats MCP
/// clients show; the server's Content-Type only reflects the file name.
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(internal_path: &str) -> Note {
        Note {
            id: 213,
            title: "Groceries".into(),
            category: "Home".into(),
            content: String::new(),
            favorite: false,
            modified: 0,
            etag: String::new(),
            readonly: false,
            internal_path: internal_path.into(),
        }
    }

    #[test]
    fn attachments_sit_next_to_the_note_file() {
        let n = note("/Notes/Home/Groceries.md");
        assert_eq!(
            attachment_path(&n, "photo.png").unwrap().to_string(),
            "/Notes/Home/.attachments.213/photo.png"
        );
        assert_eq!(
            attachment_path(&n, ".attachments.213/photo.png")
                .unwrap()
                .to_string(),
            "/Notes/Home/.attachments.213/photo.png"
        );
        let top = note("/Notes/Top.md");
        assert_eq!(
            attachment_path(&top, "a b.jpg").unwrap().to_string(),
            "/Notes/.attachments.213/a b.jpg"
        );
    }

    #[test]
    fn names_cannot_leave_the_attachments_folder() {
        let n = note("/Notes/Home/Groceries.md");
        for bad in [
            "../secret.txt",
            "..",
            "a/b.png",
            "a\\b.png",
            ".attachments.999/x.png",
            "x\n.png",
        ] {
            assert_eq!(
                attachment_path(&n, bad),
                Err(AttachmentNameError::NotAName(213)),
                "{bad}"
            );
        }
        assert_eq!(attachment_path(&n, "  "), Err(AttachmentNameError::Empty));
        assert_eq!(
            attachment_path(&n, &"x".repeat(256)),
            Err(AttachmentNameError::TooLong)
        );
        assert_eq!(
            attachment_path(&note(""), "photo.png"),
            Err(AttachmentNameError::NoteLocationUnknown(213))
        );
    }

    #[test]
    fn images_are_known_by_their_first_bytes() {
        assert_eq!(sniff_image(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff_image(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff_image(b"GIF89a..."), Some("image/gif"));
        assert_eq!(sniff_image(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff_image(b"<svg xmlns=..."), None);
        assert_eq!(sniff_image(b"%PDF-1.7"), None);
        assert_eq!(sniff_image(b""), None);
    }
}
