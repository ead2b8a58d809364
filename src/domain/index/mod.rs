//! The search index as the domain sees it: what a document is, what a query
//! asks for, and how query text becomes search terms. The engines (FTS5,
//! tsvector) live in the store adapters; they only ever see terms made here.

mod query;
mod tiers;
pub mod vectors;

pub use query::{MAX_TERMS, MIN_PREFIX_CHARS, matches_as_prefix, search_terms};
pub use tiers::{merge_tiers, needs_fallback};

/// The Nextcloud app a document comes from; also a sync source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocApp {
    Notes,
    Files,
    Calendar,
    Contacts,
    Deck,
}

impl DocApp {
    pub const ALL: [DocApp; 5] = [
        DocApp::Notes,
        DocApp::Files,
        DocApp::Calendar,
        DocApp::Contacts,
        DocApp::Deck,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocApp::Notes => "notes",
            DocApp::Files => "files",
            DocApp::Calendar => "calendar",
            DocApp::Contacts => "contacts",
            DocApp::Deck => "deck",
        }
    }

    pub fn parse(name: &str) -> Option<DocApp> {
        let name = name.trim().to_ascii_lowercase();
        DocApp::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

/// The most text kept per document: enough for any note or page of prose,
/// bounded so one large file cannot fill the store.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// One document of one owner, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexedDocument {
    pub app: DocApp,
    /// Unique within (owner, app): note id, file path, calendar/uid, ...
    pub doc_id: String,
    pub title: String,
    pub body: String,
    /// Where it lives, for `path_prefix` filters (a file path, a note
    /// category, a calendar name, a board title).
    pub path: String,
    /// A URL the user can open in Nextcloud.
    pub link: String,
    pub modified: i64,
    /// What changes when the item changes (ETag, modification time): an
    /// unchanged version is never fetched again.
    pub version: String,
}

impl IndexedDocument {
    /// Cuts the body at [`MAX_BODY_BYTES`] on a character boundary.
    pub fn bounded(mut self) -> Self {
        if self.body.len() > MAX_BODY_BYTES {
            let mut end = MAX_BODY_BYTES;
            while !self.body.is_char_boundary(end) {
                end -= 1;
            }
            self.body.truncate(end);
        }
        self
    }
}

/// A search of one owner's documents.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndexQuery {
    /// Terms from [`search_terms`]; never raw user text.
    pub terms: Vec<String>,
    pub limit: u32,
    /// Empty: every app.
    pub apps: Vec<DocApp>,
    pub modified_after: Option<i64>,
    pub modified_before: Option<i64>,
    pub path_prefix: Option<String>,
}

/// One ranked hit.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexHit {
    pub app: DocApp,
    pub doc_id: String,
    pub title: String,
    pub snippet: String,
    pub link: String,
    pub path: String,
    pub modified: i64,
    /// Higher is better; only comparable within one tier of one result
    /// list (see [`merge_tiers`]).
    pub score: f64,
}

/// The sync bookkeeping of one (owner, app).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceState {
    /// Opaque to the index: a sync token or a digest of the last listing.
    pub cursor: Option<String>,
    pub last_sync: Option<i64>,
    /// Items listed but not yet indexed when the last pass ended.
    pub pending: u64,
    pub last_error: Option<String>,
}

/// What `nc_get_vector_sync_status` reports per app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppIndexStatus {
    pub app: DocApp,
    pub documents: u64,
    pub state: SourceState,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_names_round_trip() {
        for app in DocApp::ALL {
            assert_eq!(DocApp::parse(app.as_str()), Some(app));
        }
        assert_eq!(DocApp::parse(" Notes "), Some(DocApp::Notes));
        assert_eq!(DocApp::parse("mail"), None);
    }

    #[test]
    fn bodies_are_cut_on_a_character_boundary() {
        let doc = IndexedDocument {
            app: DocApp::Files,
            doc_id: "a".into(),
            title: "t".into(),
            body: "é".repeat(MAX_BODY_BYTES),
            path: String::new(),
            link: String::new(),
            modified: 0,
            version: String::new(),
        }
        .bounded();
        assert!(doc.body.len() <= MAX_BODY_BYTES);
        assert!(doc.body.len() > MAX_BODY_BYTES - 2);
        assert!(doc.body.chars().all(|c| c == 'é'));
    }
}
