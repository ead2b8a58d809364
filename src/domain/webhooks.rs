//! Webhooks of Nextcloud's `webhook_listeners` app, as pure data: the event
//! classes this server understands, the presets, event filters checked
//! against the real server's matching rules, what we ask Nextcloud to
//! register and what it answers, and (in [`delivery`]) the payloads it sends.

mod catalogue;
mod delivery;
mod filter;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use secrecy::SecretString;
use serde::Serialize;

pub use catalogue::{
    BEFORE_NODE_DELETED, CALENDAR_OBJECT_CREATED, CALENDAR_OBJECT_DELETED, CALENDAR_OBJECT_UPDATED,
    EVENT_TYPES, EventType, NODE_CREATED, NODE_WRITTEN, PayloadShape, ROW_ADDED, ROW_DELETED,
    ROW_UPDATED, event_type,
};
pub use delivery::{Delivery, DeliveryError, EventSubject, NodeRef, WebhookEvent, parse_delivery};
pub use filter::{EventFilter, FilterError, regex_escape};

/// The folder the Notes app keeps notes in by default.
pub const NOTES_FOLDER: &str = "Notes";

/// A bundle of registrations switched on and off as a unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    NotesSync,
    CalendarSync,
    FilesSync,
    TablesSync,
}

const NODE_EVENTS: &[&str] = &[NODE_CREATED, NODE_WRITTEN, BEFORE_NODE_DELETED];
const CALENDAR_EVENTS: &[&str] = &[
    CALENDAR_OBJECT_CREATED,
    CALENDAR_OBJECT_UPDATED,
    CALENDAR_OBJECT_DELETED,
];
const ROW_EVENTS: &[&str] = &[ROW_ADDED, ROW_UPDATED, ROW_DELETED];

impl Preset {
    pub const ALL: [Preset; 4] = [
        Preset::NotesSync,
        Preset::CalendarSync,
        Preset::FilesSync,
        Preset::TablesSync,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Preset::NotesSync => "notes_sync",
            Preset::CalendarSync => "calendar_sync",
            Preset::FilesSync => "files_sync",
            Preset::TablesSync => "tables_sync",
        }
    }

    pub fn parse(name: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.name() == name.trim())
    }

    pub fn description(self) -> &'static str {
        match self {
            Preset::NotesSync => "notes created, changed or deleted in the caller's Notes folder",
            Preset::CalendarSync => "calendar events and tasks created, changed or deleted",
            Preset::FilesSync => "every file or folder created, written or deleted",
            Preset::TablesSync => "Tables rows added, changed or deleted (needs the Tables app)",
        }
    }

    pub fn events(self) -> &'static [&'static str] {
        match self {
            Preset::NotesSync | Preset::FilesSync => NODE_EVENTS,
            Preset::CalendarSync => CALENDAR_EVENTS,
            Preset::TablesSync => ROW_EVENTS,
        }
    }

    /// The registrations this preset stands for. Only notes_sync depends on
    /// the user: its filter is a `/regex/` on the path of their Notes folder,
    /// since Nextcloud compares other strings exactly and globs match nothing.
    pub fn specs(self, user_id: &str) -> Vec<WebhookSpec> {
        let filter = match self {
            Preset::NotesSync => EventFilter::path_under(user_id, NOTES_FOLDER),
            _ => EventFilter::none(),
        };
        self.events()
            .iter()
            .map(|event| WebhookSpec {
                event: (*event).to_string(),
                filter: filter.clone(),
            })
            .collect()
    }

    /// The preset a registration belongs to, from its event and filter alone
    /// (for status reports that must not ask Nextcloud).
    pub fn recognise(event: &str, filter: &EventFilter) -> Option<Preset> {
        Preset::ALL.into_iter().find(|preset| {
            preset.events().contains(&event)
                && match preset {
                    Preset::NotesSync => filter.is_notes_folder_filter(),
                    _ => filter.is_empty(),
                }
        })
    }
}

/// What one registration listens to.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WebhookSpec {
    pub event: String,
    pub filter: EventFilter,
}

/// How Nextcloud authenticates its deliveries to the receiver.
#[derive(Clone)]
pub enum WebhookAuth {
    None,
    /// Headers sent with every delivery; Nextcloud stores them encrypted.
    Headers(Vec<(String, SecretString)>),
}

impl std::fmt::Debug for WebhookAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WebhookAuth::None => f.write_str("None"),
            WebhookAuth::Headers(h) => {
                let names: Vec<&str> = h.iter().map(|(n, _)| n.as_str()).collect();
                write!(f, "Headers({names:?}, values redacted)")
            }
        }
    }
}

/// A registration or full update as sent to Nextcloud.
#[derive(Clone, Debug)]
pub struct WebhookDraft {
    pub http_method: String,
    pub uri: String,
    pub event: String,
    pub filter: EventFilter,
    /// Extra headers, stored by Nextcloud in clear.
    pub headers: BTreeMap<String, String>,
    pub auth: WebhookAuth,
}

impl WebhookDraft {
    /// A POST of `spec` to `uri`, authenticated with `Authorization: Bearer <secret>`.
    pub fn to_receiver(spec: &WebhookSpec, uri: &str, bearer_value: SecretString) -> Self {
        Self {
            http_method: "POST".into(),
            uri: uri.to_string(),
            event: spec.event.clone(),
            filter: spec.filter.clone(),
            headers: BTreeMap::new(),
            auth: WebhookAuth::Headers(vec![("Authorization".into(), bearer_value)]),
        }
    }
}

/// A webhook as Nextcloud lists it (the encrypted `authData` is left out).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RemoteWebhook {
    pub id: i64,
    /// The account that registered it.
    pub user_id: Option<String>,
    pub app_id: Option<String>,
    pub http_method: String,
    pub uri: String,
    pub event: String,
    pub filter: EventFilter,
    pub user_id_filter: String,
    pub headers: BTreeMap<String, String>,
    pub auth_method: String,
}

impl RemoteWebhook {
    /// Whether this is `spec` delivered to `uri`.
    pub fn serves(&self, spec: &WebhookSpec, uri: &str) -> bool {
        self.uri == uri && self.event == spec.event && self.filter == spec.filter
    }
}

/// What a reconcile did, in counts plus one line per failure.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ReconcileReport {
    /// Wanted and present at Nextcloud.
    pub kept: u32,
    /// Wanted, found at Nextcloud under our URI without our id; id recorded.
    pub adopted: u32,
    /// Wanted, missing at Nextcloud, registered again.
    pub reregistered: u32,
    /// At Nextcloud under our URI but not wanted, deleted there.
    pub deleted_remote: u32,
    pub failed: u32,
    pub failures: Vec<String>,
}
