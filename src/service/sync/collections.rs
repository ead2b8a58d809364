//! Calendars and address books, synced by their sync-collection tokens
//! (RFC 6578): per collection only what changed since the token kept in the
//! app's source state is fetched. A token the server refuses lists that
//! collection in full, and documents no longer listed leave; documents of a
//! collection that is gone leave with it.

use std::collections::{BTreeMap, HashMap, HashSet};

use url::Url;

use super::sources::{calendar_document, collection_of, contact_document, object_id};
use super::user::{AppReport, BATCH, PassError, flush};
use crate::domain::index::{DocApp, IndexedDocument, SourceState};
use crate::ports::index::SearchIndex;
use crate::ports::nextcloud::{NextcloudApi, NextcloudError};

/// The source state's cursor: collection name -> its sync token.
type Tokens = BTreeMap<String, String>;

fn read_tokens(cursor: Option<&str>) -> Tokens {
    // An unreadable cursor (another format, damage) costs one full listing.
    cursor
        .and_then(|c| serde_json::from_str(c).ok())
        .unwrap_or_default()
}

/// One collection's changes as documents: (object name, its document).
struct Changes {
    token: Option<String>,
    full: bool,
    changed: Vec<(String, Option<IndexedDocument>)>,
    deleted: Vec<String>,
}

async fn collections(app: DocApp, api: &dyn NextcloudApi) -> Result<Vec<String>, NextcloudError> {
    Ok(match app {
        DocApp::Calendar => api
            .list_calendars()
            .await?
            .into_iter()
            .map(|c| c.name)
            .collect(),
        _ => api
            .list_addressbooks()
            .await?
            .into_iter()
            .map(|b| b.name)
            .collect(),
    })
}

async fn changes(
    app: DocApp,
    api: &dyn NextcloudApi,
    base: &Url,
    collection: &str,
    since: Option<String>,
) -> Result<Changes, NextcloudError> {
    if app == DocApp::Calendar {
        let c = api.calendar_changes(collection, since).await?;
        Ok(Changes {
            token: c.token,
            full: c.full,
            changed: c
                .changed
                .into_iter()
                .map(|o| (o.name.clone(), calendar_document(base, collection, o)))
                .collect(),
            deleted: c.deleted,
        })
    } else {
        let c = api.addressbook_changes(collection, since).await?;
        Ok(Changes {
            token: c.token,
            full: c.full,
            changed: c
                .changed
                .into_iter()
                .map(|o| (o.name.clone(), Some(contact_document(base, collection, o))))
                .collect(),
            deleted: c.deleted,
        })
    }
}

/// Whether an error means "later" for the whole user (429, 5xx, timeouts)
/// rather than "not this collection".
fn stops_the_pass(error: &NextcloudError) -> bool {
    matches!(
        error,
        NextcloudError::RateLimited(_)
            | NextcloudError::Unavailable(_)
            | NextcloudError::Timeout(_)
            | NextcloudError::CredentialRejected
    )
}

/// Syncs the calendars (events and tasks) or the address books of `owner`.
pub async fn sync_collections(
    index: &dyn SearchIndex,
    api: &dyn NextcloudApi,
    base: &Url,
    owner: &str,
    app: DocApp,
    now: i64,
) -> Result<AppReport, PassError> {
    let previous = index.source_state(owner, app).await?;
    let mut tokens = read_tokens(previous.cursor.as_deref());
    let names = match collections(app, api).await {
        Ok(names) => names,
        // The app is not there for this user: nothing of it stays.
        Err(NextcloudError::NotFound(_)) => Vec::new(),
        Err(error) => {
            let state = SourceState {
                last_error: Some(error.to_string()),
                ..previous
            };
            index.put_source_state(owner, app, &state).await?;
            return Err(error.into());
        }
    };
    let stored: HashMap<String, String> = index
        .document_versions(owner, app)
        .await?
        .into_iter()
        .collect();
    let mut report = AppReport::default();
    let listed: HashSet<&str> = names.iter().map(String::as_str).collect();
    let gone: Vec<String> = stored
        .keys()
        .filter(|id| !listed.contains(collection_of(id)))
        .cloned()
        .collect();
    report.removed += index.delete_documents(owner, app, &gone).await?;
    tokens.retain(|name, _| listed.contains(name.as_str()));

    let mut failure = None;
    for name in &names {
        let changes = match changes(app, api, base, name, tokens.get(name).cloned()).await {
            Ok(changes) => changes,
            Err(error) if stops_the_pass(&error) => {
                failure = Some(error);
                break;
            }
            Err(error) => {
                // One collection failing (removed meanwhile, not readable)
                // does not hold up the others; its token stays for next time.
                tracing::warn!(owner, collection = %name, %error, "index sync: collection failed");
                failure.get_or_insert(error);
                continue;
            }
        };
        let mut seen = HashSet::new();
        let mut removed: Vec<String> = changes.deleted.iter().map(|n| object_id(name, n)).collect();
        let mut batch = Vec::new();
        for (object, doc) in changes.changed {
            let id = object_id(name, &object);
            seen.insert(id.clone());
            match doc {
                Some(doc) if stored.get(&doc.doc_id) == Some(&doc.version) => report.unchanged += 1,
                Some(doc) => batch.push(doc.bounded()),
                // Neither an event nor a task any more (a journal entry).
                None => removed.push(id),
            }
            if batch.len() >= BATCH {
                report.written += flush(index, owner, &mut batch).await?;
            }
        }
        report.written += flush(index, owner, &mut batch).await?;
        if changes.full {
            let prefix = object_id(name, "");
            removed.extend(
                stored
                    .keys()
                    .filter(|id| id.starts_with(&prefix) && !seen.contains(id.as_str()))
                    .cloned(),
            );
        }
        report.removed += index.delete_documents(owner, app, &removed).await?;
        // Only now that the documents are written does the token move on.
        match changes.token {
            Some(token) => tokens.insert(name.clone(), token),
            None => tokens.remove(name),
        };
    }
    let state = SourceState {
        cursor: Some(serde_json::to_string(&tokens).unwrap_or_default()),
        last_sync: if failure.is_none() {
            Some(now)
        } else {
            previous.last_sync
        },
        pending: 0,
        last_error: failure.as_ref().map(|e| e.to_string()),
    };
    index.put_source_state(owner, app, &state).await?;
    match failure {
        Some(error) => Err(error.into()),
        None => Ok(report),
    }
}
