//! What each app lists for a user, as candidates for the index: an id, a
//! version that changes when the item does, and either the document (when
//! the listing carries the text) or where to fetch it (files). Calendar
//! objects and cards are not listed: their documents are made here from the
//! changes the collections report (`collections`).

use url::Url;

use crate::domain::changes::{CalendarObject, ChangedObject};
use crate::domain::contacts::Contact;
use crate::domain::dates::parse_http_date;
use crate::domain::files::{EntryKind, FileEntry};
use crate::domain::index::{DocApp, IndexedDocument};
use crate::domain::path::UserPath;
use crate::ports::nextcloud::{NextcloudApi, NextcloudError};

/// Files larger than this are not indexed (their text would be cut anyway).
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// A walk stops after this many entries, so one huge tree cannot stall a pass.
const MAX_FILE_ENTRIES: usize = 20_000;
const MAX_DEPTH: usize = 24;

pub enum Content {
    Ready(IndexedDocument),
    /// A text file to download when its version changed.
    File(UserPath, IndexedDocument),
}

pub struct Candidate {
    pub doc_id: String,
    pub version: String,
    pub content: Content,
}

/// A listed document; without an ETag from the server its version is a
/// digest of its text, so a change is still noticed.
fn candidate(doc: IndexedDocument) -> Candidate {
    let doc = with_version(doc);
    Candidate {
        doc_id: doc.doc_id.clone(),
        version: doc.version.clone(),
        content: Content::Ready(doc),
    }
}

/// The document with a version: without an ETag from the server, a digest of
/// its text.
fn with_version(mut doc: IndexedDocument) -> IndexedDocument {
    if doc.version.is_empty() {
        use sha2::{Digest, Sha256};
        let digest = Sha256::new()
            .chain_update(doc.title.as_bytes())
            .chain_update([0])
            .chain_update(doc.body.as_bytes())
            .finalize();
        doc.version = format!("sha256:{:x}", digest);
    }
    doc
}

fn link(base: &Url, path: &str) -> String {
    format!("{}/{}", base.as_str().trim_end_matches('/'), path)
}

/// Everything `app` holds for the user behind `api`, as candidates.
pub async fn list(
    app: DocApp,
    api: &dyn NextcloudApi,
    base: &Url,
) -> Result<Vec<Candidate>, NextcloudError> {
    match app {
        DocApp::Notes => notes(api, base).await,
        DocApp::Files => files(api, base).await,
        // Synced by their sync-collection tokens (`collections`), never listed.
        DocApp::Calendar | DocApp::Contacts => Err(NextcloudError::Protocol(format!(
            "{} is synced by collection, not listed",
            app.as_str()
        ))),
        DocApp::Deck => deck(api, base).await,
    }
}

async fn notes(api: &dyn NextcloudApi, base: &Url) -> Result<Vec<Candidate>, NextcloudError> {
    Ok(api
        .list_notes(None)
        .await?
        .into_iter()
        .map(|n| {
            candidate(IndexedDocument {
                app: DocApp::Notes,
                doc_id: n.id.to_string(),
                link: link(base, &format!("index.php/apps/notes/note/{}", n.id)),
                version: format!("{}:{}", n.modified, n.etag),
                title: n.title,
                body: n.content,
                path: n.category,
                modified: n.modified,
            })
        })
        .collect())
}

/// Text worth indexing: by MIME type, and not too large.
pub fn is_indexable_file(entry: &FileEntry) -> bool {
    let mime = entry.content_type.as_deref().unwrap_or("");
    let mime = mime.split(';').next().unwrap_or("").trim();
    let texty = mime.starts_with("text/")
        || matches!(
            mime,
            "application/json"
                | "application/xml"
                | "application/x-yaml"
                | "application/yaml"
                | "application/javascript"
                | "application/x-sh"
        );
    texty && entry.size.is_some_and(|s| s <= MAX_FILE_BYTES)
}

async fn files(api: &dyn NextcloudApi, base: &Url) -> Result<Vec<Candidate>, NextcloudError> {
    let mut out = Vec::new();
    let mut folders = vec![(UserPath::root(), 0usize)];
    let mut seen = 0usize;
    while let Some((folder, depth)) = folders.pop() {
        for entry in api.list_folder(&folder).await? {
            seen += 1;
            if seen > MAX_FILE_ENTRIES {
                return Ok(out);
            }
            match entry.kind {
                EntryKind::Folder if depth < MAX_DEPTH => folders.push((entry.path, depth + 1)),
                EntryKind::File if is_indexable_file(&entry) => {
                    let path = entry.path.to_string();
                    let open = match entry.file_id {
                        Some(id) => format!("index.php/f/{id}"),
                        None => "index.php/apps/files/".to_string(),
                    };
                    let version = entry.etag.clone().unwrap_or_default();
                    let doc = IndexedDocument {
                        app: DocApp::Files,
                        doc_id: path.clone(),
                        title: entry.name.clone(),
                        body: String::new(),
                        path,
                        link: link(base, &open),
                        modified: entry
                            .modified
                            .as_deref()
                            .and_then(parse_http_date)
                            .unwrap_or(0),
                        version: version.clone(),
                    };
                    out.push(Candidate {
                        doc_id: doc.doc_id.clone(),
                        version,
                        content: Content::File(entry.path, doc),
                    });
                }
                _ => {}
            }
        }
    }
    Ok(out)
}

/// The document of one calendar object: its event series (with the
/// overrides' text folded in) or its task. Objects are keyed by their name in
/// the calendar, the one thing a sync-collection deletion names.
pub fn calendar_document(
    base: &Url,
    calendar: &str,
    object: ChangedObject<CalendarObject>,
) -> Option<IndexedDocument> {
    let doc_id = object_id(calendar, &object.name);
    let version = object.etag.unwrap_or_default();
    if let Some(event) = object.content.events.first() {
        let body = [
            event.description.clone().unwrap_or_default(),
            event.location.clone().unwrap_or_default(),
            event.categories.join(" "),
        ]
        .join("\n");
        return Some(with_version(IndexedDocument {
            app: DocApp::Calendar,
            doc_id,
            title: event.title.clone(),
            body,
            path: calendar.to_string(),
            link: link(base, "index.php/apps/calendar"),
            modified: object.modified,
            version,
        }));
    }
    let todo = object.content.todos.first()?;
    Some(with_version(IndexedDocument {
        app: DocApp::Calendar,
        doc_id,
        title: todo.summary.clone(),
        body: todo.description.clone().unwrap_or_default(),
        path: calendar.to_string(),
        link: link(base, "index.php/apps/tasks"),
        modified: object.modified,
        version,
    }))
}

/// The document of one card of an address book.
pub fn contact_document(
    base: &Url,
    addressbook: &str,
    object: ChangedObject<Contact>,
) -> IndexedDocument {
    let c = object.content;
    let emails: Vec<&str> = c.emails.iter().map(|e| e.value.as_str()).collect();
    let phones: Vec<&str> = c.phones.iter().map(|p| p.value.as_str()).collect();
    let body = [
        c.organization.clone().unwrap_or_default(),
        c.title.clone().unwrap_or_default(),
        emails.join(" "),
        phones.join(" "),
        c.note.clone().unwrap_or_default(),
    ]
    .join("\n");
    with_version(IndexedDocument {
        app: DocApp::Contacts,
        doc_id: object_id(addressbook, &object.name),
        title: c.full_name.clone(),
        body,
        path: addressbook.to_string(),
        link: link(base, "index.php/apps/contacts"),
        modified: object.modified,
        version: object.etag.unwrap_or_default(),
    })
}

/// The document id of the object `name` in the collection `collection`.
pub fn object_id(collection: &str, name: &str) -> String {
    format!("{collection}/{name}")
}

/// The collection an object's document id names.
pub fn collection_of(doc_id: &str) -> &str {
    doc_id.split_once('/').map_or(doc_id, |(c, _)| c)
}

async fn deck(api: &dyn NextcloudApi, base: &Url) -> Result<Vec<Candidate>, NextcloudError> {
    let mut out = Vec::new();
    for board in api.list_boards(None).await? {
        if board.deleted_at != 0 || board.archived {
            continue;
        }
        for stack in api.list_stacks(board.id, false).await? {
            for card in stack.cards {
                if card.deleted_at != 0 {
                    continue;
                }
                out.push(candidate(IndexedDocument {
                    app: DocApp::Deck,
                    doc_id: card.id.to_string(),
                    title: card.title,
                    body: card.description,
                    path: format!("{}/{}", board.title, stack.title),
                    link: link(
                        base,
                        &format!("index.php/apps/deck/#/board/{}/card/{}", board.id, card.id),
                    ),
                    modified: card.last_modified,
                    version: format!("{}:{}", card.last_modified, card.etag),
                }));
            }
        }
    }
    Ok(out)
}
