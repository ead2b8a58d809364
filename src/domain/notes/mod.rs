//! Notes: the shapes the tools work with, and the decisions made on them
//! (search ranking, categories, appending) without any I/O. Where a note's
//! attachments are, and what they are, is in `attachment.rs`.

mod attachment;

pub use attachment::*;

use serde::Serialize;

/// A note as the Notes app reports it. `etag` is the unquoted form from the
/// JSON body; the adapter quotes it for `If-Match`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Note {
    pub id: u64,
    pub title: String,
    pub category: String,
    pub content: String,
    pub favorite: bool,
    pub modified: i64,
    pub etag: String,
    pub readonly: bool,
    /// Where the note's file is in the user's Files (e.g.
    /// `/Notes/Home/Groceries.md`); empty when the server did not say.
    /// Not shown in results: the tools that need it use it.
    #[serde(skip)]
    pub internal_path: String,
}

/// What a new note is made of.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NoteDraft {
    pub title: String,
    pub content: String,
    pub category: String,
}

/// A partial update: `None` leaves a field as it is on the server.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NotePatch {
    pub title: Option<String>,
    pub content: Option<String>,
    pub category: Option<String>,
    pub favorite: Option<bool>,
}

impl NotePatch {
    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.content.is_none()
            && self.category.is_none()
            && self.favorite.is_none()
    }
}

/// Limits on note input, so a model cannot push megabytes through a tool call.
pub const MAX_NOTE_CONTENT_BYTES: usize = 1024 * 1024;
pub const MAX_NOTE_TITLE_CHARS: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteInputError {
    #[error("note content is {0} bytes; the limit is {MAX_NOTE_CONTENT_BYTES} bytes")]
    ContentTooLarge(usize),
    #[error("note title is {0} characters; the limit is {MAX_NOTE_TITLE_CHARS}")]
    TitleTooLong(usize),
    #[error("nothing to update: give at least one of title, content, category")]
    EmptyUpdate,
    #[error("the etag is empty; read the note first (nc_notes_get_note) and pass its etag")]
    MissingEtag,
    #[error(
        "note category {0:?} cannot be used; a category is a folder path such as Work or \
         Work/Planning: printable text on one line, no '..' or '.' parts, no leading or \
         doubled '/', no '\\', at most {MAX_NOTE_TITLE_CHARS} characters"
    )]
    BadCategory(String),
}

pub fn check_title(title: &str) -> Result<(), NoteInputError> {
    let chars = title.chars().count();
    if chars > MAX_NOTE_TITLE_CHARS {
        return Err(NoteInputError::TitleTooLong(chars));
    }
    Ok(())
}

pub fn check_content(content: &str) -> Result<(), NoteInputError> {
    if content.len() > MAX_NOTE_CONTENT_BYTES {
        return Err(NoteInputError::ContentTooLarge(content.len()));
    }
    Ok(())
}

/// A category names a folder under the Notes folder, so it must stay one
/// printable line and must not climb out of that folder ("" is the top level).
pub fn check_category(category: &str) -> Result<(), NoteInputError> {
    let bad = || NoteInputError::BadCategory(category.chars().take(80).collect());
    if category.is_empty() {
        return Ok(());
    }
    if category.chars().count() > MAX_NOTE_TITLE_CHARS
        || category.chars().any(|c| c.is_control() || c == '\\')
        || category
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == "..")
    {
        return Err(bad());
    }
    Ok(())
}

/// The content after appending `addition`, separated from what was there by a
/// newline so the addition starts on its own line.
pub fn appended_content(existing: &str, addition: &str) -> String {
    if existing.is_empty() || existing.ends_with('\n') {
        format!("{existing}{addition}")
    } else {
        format!("{existing}\n{addition}")
    }
}

/// Notes matching every word of `query` (case-insensitive) in title or
/// content, best first: title hits rank above content hits.
pub fn search<'a>(notes: &'a [Note], query: &str) -> Vec<&'a Note> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    if words.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(usize, &Note)> = notes
        .iter()
        .filter_map(|note| {
            let title = note.title.to_lowercase();
            let content = note.content.to_lowercase();
            let mut score = 0;
            for word in &words {
                if title.contains(word.as_str()) {
                    score += 3;
                } else if content.contains(word.as_str()) {
                    score += 1;
                } else {
                    return None;
                }
            }
            Some((score, note))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.modified.cmp(&a.1.modified)));
    scored.into_iter().map(|(_, note)| note).collect()
}

/// Distinct categories with the number of notes in each, sorted by name. The
/// empty category (notes at the top level) is reported as "".
pub fn categories(notes: &[Note]) -> Vec<(String, usize)> {
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for note in notes {
        *counts.entry(note.category.clone()).or_default() += 1;
    }
    counts.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(id: u64, title: &str, content: &str, category: &str, modified: i64) -> Note {
        Note {
            id,
            title: title.into(),
            category: category.into(),
            content: content.into(),
            favorite: false,
            modified,
            etag: format!("etag{id}"),
            readonly: false,
            internal_path: String::new(),
        }
    }

    #[test]
    fn search_needs_every_word_and_ranks_title_hits_first() {
        let notes = vec![
            note(1, "Groceries", "milk and meeting notes", "Home", 10),
            note(2, "Meeting notes", "agenda: milk budget", "Work", 5),
            note(3, "Holiday", "beach", "", 20),
        ];
        let hits: Vec<u64> = search(&notes, "MEETING milk")
            .iter()
            .map(|n| n.id)
            .collect();
        assert_eq!(hits, vec![2, 1]);
        assert!(search(&notes, "absent").is_empty());
        assert!(search(&notes, "   ").is_empty());
    }

    #[test]
    fn categories_are_counted_and_sorted() {
        let notes = vec![
            note(1, "a", "", "Work", 0),
            note(2, "b", "", "Home", 0),
            note(3, "c", "", "Work", 0),
            note(4, "d", "", "", 0),
        ];
        assert_eq!(
            categories(&notes),
            vec![("".into(), 1), ("Home".into(), 1), ("Work".into(), 2)]
        );
    }

    #[test]
    fn append_starts_on_a_new_line() {
        assert_eq!(appended_content("a", "b"), "a\nb");
        assert_eq!(appended_content("a\n", "b"), "a\nb");
        assert_eq!(appended_content("", "b"), "b");
    }

    #[test]
    fn input_limits() {
        assert!(check_title(&"x".repeat(MAX_NOTE_TITLE_CHARS)).is_ok());
        assert_eq!(
            check_title(&"x".repeat(MAX_NOTE_TITLE_CHARS + 1)),
            Err(NoteInputError::TitleTooLong(MAX_NOTE_TITLE_CHARS + 1))
        );
        assert!(check_content(&"x".repeat(MAX_NOTE_CONTENT_BYTES + 1)).is_err());
        assert!(NotePatch::default().is_empty());
    }

    #[test]
    fn categories_stay_one_folder_path_inside_notes() {
        for ok in ["", "Work", "Work/Planning", "Ideen 2026", "a.b"] {
            assert!(check_category(ok).is_ok(), "{ok:?}");
        }
        for bad in [
            "Work\r\nX-Injected: 1",
            "Work\n",
            "../other-user",
            "Work/../../etc",
            "./Work",
            "/Work",
            "Work/",
            "Work//Planning",
            "Work\\..",
            "tab\there",
        ] {
            let err = check_category(bad).unwrap_err().to_string();
            assert!(err.contains("Work/Planning"), "{bad:?}: {err}");
        }
        assert!(check_category(&"x".repeat(MAX_NOTE_TITLE_CHARS + 1)).is_err());
    }
}
