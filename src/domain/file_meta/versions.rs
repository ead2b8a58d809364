//! Earlier versions of a file (the `files_versions` app).

use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileVersion {
    /// Nextcloud's id of the version (its timestamp); pass it to restore.
    pub version_id: String,
    /// RFC 1123 date as the server sent it.
    pub modified: Option<String>,
    pub size: Option<u64>,
    pub content_type: Option<String>,
    pub author: Option<String>,
    pub label: Option<String>,
}
