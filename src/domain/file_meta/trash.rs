//! Entries of the trash bin (the `files_trashbin` app).

use serde::Serialize;

use crate::domain::files::EntryKind;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrashEntry {
    /// The name Nextcloud gives the entry in the trash (`a.txt.d1795423109`);
    /// pass it to restore.
    pub entry_id: String,
    pub name: String,
    /// Where it was, relative to the files root.
    pub original_location: Option<String>,
    /// Unix seconds.
    pub deleted_at: Option<i64>,
    pub deleted_by: Option<String>,
    pub kind: EntryKind,
    pub size: Option<u64>,
    pub content_type: Option<String>,
    pub file_id: Option<u64>,
}
