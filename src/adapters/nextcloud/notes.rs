//! Notes API v1 (`/index.php/apps/notes/api/v1`).

use async_trait::async_trait;
use reqwest::{Method, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use url::Url;

use super::body::{MAX_JSON, read_reply};
use super::http::NextcloudSession;
use crate::domain::notes::{Note, NoteDraft, NotePatch};
use crate::ports::nextcloud::{NextcloudError, NotesApi};

const NOTES_PATH: &str = "index.php/apps/notes/api/v1/notes";

/// A note as the server sends it. Every field but `id` is optional because
/// `?pruneBefore=` and `?exclude=` replies leave fields out; the server also
/// sends fields we ignore (`internalPath`, `shareTypes`, ...).
#[derive(Deserialize)]
struct WireNote {
    id: u64,
    title: Option<String>,
    #[serde(default)]
    category: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    favorite: bool,
    #[serde(default)]
    modified: i64,
    #[serde(default)]
    etag: String,
    #[serde(default)]
    readonly: bool,
}

impl WireNote {
    /// `None` for an entry without a title: such an entry is a prune stub, not
    /// a note anyone can act on.
    fn into_note(self) -> Option<Note> {
        Some(Note {
            id: self.id,
            title: self.title?,
            category: self.category,
            content: self.content,
            favorite: self.favorite,
            modified: self.modified,
            etag: self.etag,
            readonly: self.readonly,
        })
    }
}

/// The JSON body of a create or update. Absent fields are left out rather than
/// sent empty: on update the server would otherwise overwrite them, and on
/// create the server's defaults for a missing field are the same empty values.
#[derive(Serialize)]
struct NoteBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    favorite: Option<bool>,
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// The `If-Match` value for a JSON `etag`. The Notes app compares the header
/// verbatim against the quoted form and answers 412 to a bare value (fixture
/// notes/10), so quote it; strip quotes first in case a caller passed the
/// `ETag` header instead of the JSON field.
fn if_match(etag: &str) -> String {
    format!("\"{}\"", etag.trim_matches('"'))
}

fn what(id: u64) -> String {
    format!("note {id}")
}

impl NextcloudSession {
    fn notes_url(&self, id: Option<u64>) -> Result<Url, NextcloudError> {
        match id {
            Some(id) => self.url(&format!("{NOTES_PATH}/{id}")),
            None => self.url(NOTES_PATH),
        }
    }

    /// Every captured Notes exchange sends `Accept: application/json`; sending
    /// it too keeps us on the JSON replies the captures vouch for.
    fn notes_request(&self, method: Method, url: Url) -> RequestBuilder {
        self.request(method, url)
            .header(reqwest::header::ACCEPT, "application/json")
    }
}

/// Reads and parses a JSON reply. serde_json's own message can quote parts
/// of the body (note content), so only the position goes into the error.
async fn read_json<T: DeserializeOwned>(
    response: Response,
    what: &str,
) -> Result<T, NextcloudError> {
    let body = read_reply(response, MAX_JSON, what).await?;
    serde_json::from_slice(&body).map_err(|e| {
        NextcloudError::Protocol(format!(
            "the Notes reply for {what} is not the expected JSON (line {}, column {})",
            e.line(),
            e.column()
        ))
    })
}

async fn read_note(response: Response, what: &str) -> Result<Note, NextcloudError> {
    let wire: WireNote = read_json(response, what).await?;
    wire.into_note()
        .ok_or_else(|| NextcloudError::Protocol(format!("the Notes reply for {what} has no title")))
}

#[async_trait]
impl NotesApi for NextcloudSession {
    async fn list_notes(&self, category: Option<String>) -> Result<Vec<Note>, NextcloudError> {
        let mut url = self.notes_url(None)?;
        // The server filters on the exact category (`Work` leaves out
        // `Work/Planning`, notes/14); the value is passed through unchanged,
        // even when empty, so callers get the server's semantics.
        if let Some(category) = &category {
            url.query_pairs_mut().append_pair("category", category);
        }
        let response = self
            .send(self.notes_request(Method::GET, url), "the notes list")
            .await?;
        let wire: Vec<WireNote> = read_json(response, "the notes list").await?;
        Ok(wire.into_iter().filter_map(WireNote::into_note).collect())
    }

    async fn get_note(&self, id: u64) -> Result<Note, NextcloudError> {
        let what = what(id);
        let request = self.notes_request(Method::GET, self.notes_url(Some(id))?);
        read_note(self.send(request, &what).await?, &what).await
    }

    async fn create_note(&self, draft: &NoteDraft) -> Result<Note, NextcloudError> {
        let what = "the new note";
        let body = NoteBody {
            title: non_empty(&draft.title),
            content: Some(&draft.content),
            category: non_empty(&draft.category),
            favorite: None,
        };
        let request = self
            .notes_request(Method::POST, self.notes_url(None)?)
            .json(&body);
        // The server answers 200 (not 201) with the created note.
        read_note(self.send(request, what).await?, what).await
    }

    async fn update_note(
        &self,
        id: u64,
        etag: &str,
        patch: &NotePatch,
    ) -> Result<Note, NextcloudError> {
        let what = what(id);
        let body = NoteBody {
            title: patch.title.as_deref(),
            content: patch.content.as_deref(),
            category: patch.category.as_deref(),
            favorite: patch.favorite,
        };
        let request = self
            .notes_request(Method::PUT, self.notes_url(Some(id))?)
            .header(reqwest::header::IF_MATCH, if_match(etag))
            .json(&body);
        // A 412 carries the current note, but the caller must re-read
        // deliberately, so send() turns it into Conflict and the body is dropped.
        read_note(self.send(request, &what).await?, &what).await
    }

    async fn delete_note(&self, id: u64) -> Result<(), NextcloudError> {
        let what = what(id);
        let request = self.notes_request(Method::DELETE, self.notes_url(Some(id))?);
        // The 200 body is `[]`; nothing in it is worth checking.
        self.send(request, &what).await.map(drop)
    }
}
