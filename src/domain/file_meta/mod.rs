//! What Nextcloud keeps about files besides their content: system tags,
//! comments, trashed entries, versions, and the filters of a file search.

pub mod comments;
pub mod ids;
pub mod query;
pub mod tags;
pub mod trash;
pub mod versions;
