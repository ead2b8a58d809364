//! One file per Nextcloud app; each adds a router to [`super::NextcloudMcp`].

mod consent;
mod files;
mod notes;
