//! The event classes webhooks can listen to, as this server knows them.

use serde::Serialize;

pub const NODE_CREATED: &str = "OCP\\Files\\Events\\Node\\NodeCreatedEvent";
pub const NODE_WRITTEN: &str = "OCP\\Files\\Events\\Node\\NodeWrittenEvent";
/// Preferred over `NodeDeletedEvent`, whose payload has no node id.
pub const BEFORE_NODE_DELETED: &str = "OCP\\Files\\Events\\Node\\BeforeNodeDeletedEvent";
pub const CALENDAR_OBJECT_CREATED: &str = "OCP\\Calendar\\Events\\CalendarObjectCreatedEvent";
pub const CALENDAR_OBJECT_UPDATED: &str = "OCP\\Calendar\\Events\\CalendarObjectUpdatedEvent";
pub const CALENDAR_OBJECT_DELETED: &str = "OCP\\Calendar\\Events\\CalendarObjectDeletedEvent";
pub const ROW_ADDED: &str = "OCA\\Tables\\Event\\RowAddedEvent";
pub const ROW_UPDATED: &str = "OCA\\Tables\\Event\\RowUpdatedEvent";
pub const ROW_DELETED: &str = "OCA\\Tables\\Event\\RowDeletedEvent";

/// How the `event` object of a delivery is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PayloadShape {
    /// `{"node": {"id", "path"}}`; `id` is missing after a deletion.
    Node,
    /// `{"source": {...}, "target": {...}}` (renames and copies).
    NodePair,
    /// `{"calendarId", "calendarData", "shares", "objectData"}`.
    CalendarObject,
    /// Tables' public row: `{"tableId", "rowId", "values", ...}`.
    TableRow,
    /// Known, but passed on without interpretation.
    Opaque,
}

/// An event class webhooks can listen to, as this server knows it.
#[derive(Debug, Serialize)]
pub struct EventType {
    pub class: &'static str,
    /// The app that fires it (`files`, `calendar`, `tables`, ...).
    pub app: &'static str,
    pub shape: PayloadShape,
    pub description: &'static str,
}

const fn ev(
    class: &'static str,
    app: &'static str,
    shape: PayloadShape,
    description: &'static str,
) -> EventType {
    EventType {
        class,
        app,
        shape,
        description,
    }
}

use PayloadShape::{CalendarObject, Node, NodePair, Opaque, TableRow};

/// The webhook-compatible events of Nextcloud 34 and its usual apps. A
/// delivery of any other class is acknowledged and dropped.
pub const EVENT_TYPES: &[EventType] = &[
    ev(NODE_CREATED, "files", Node, "a file or folder was created"),
    ev(NODE_WRITTEN, "files", Node, "a file was written"),
    ev(
        "OCP\\Files\\Events\\Node\\NodeDeletedEvent",
        "files",
        Node,
        "a file or folder was deleted (no node id in the payload)",
    ),
    ev(
        "OCP\\Files\\Events\\Node\\NodeTouchedEvent",
        "files",
        Node,
        "a file's modification time was changed",
    ),
    ev(
        "OCP\\Files\\Events\\Node\\BeforeNodeCreatedEvent",
        "files",
        Node,
        "a file or folder is about to be created",
    ),
    ev(
        "OCP\\Files\\Events\\Node\\BeforeNodeWrittenEvent",
        "files",
        Node,
        "a file is about to be written",
    ),
    ev(
        BEFORE_NODE_DELETED,
        "files",
        Node,
        "a file or folder is about to be deleted (payload has the node id)",
    ),
    ev(
        "OCP\\Files\\Events\\Node\\BeforeNodeTouchedEvent",
        "files",
        Node,
        "a file's modification time is about to change",
    ),
    ev(
        "OCP\\Files\\Events\\Node\\BeforeNodeReadEvent",
        "files",
        Node,
        "a file is about to be read",
    ),
    ev(
        "OCP\\Files\\Events\\Node\\NodeRenamedEvent",
        "files",
        NodePair,
        "a file or folder was renamed or moved",
    ),
    ev(
        "OCP\\Files\\Events\\Node\\NodeCopiedEvent",
        "files",
        NodePair,
        "a file or folder was copied",
    ),
    ev(
        "OCP\\Files\\Events\\Node\\BeforeNodeRenamedEvent",
        "files",
        NodePair,
        "a file or folder is about to be renamed",
    ),
    ev(
        "OCP\\Files\\Events\\Node\\BeforeNodeCopiedEvent",
        "files",
        NodePair,
        "a file or folder is about to be copied",
    ),
    ev(
        CALENDAR_OBJECT_CREATED,
        "calendar",
        CalendarObject,
        "an event or task was created",
    ),
    ev(
        CALENDAR_OBJECT_UPDATED,
        "calendar",
        CalendarObject,
        "an event or task was changed",
    ),
    ev(
        CALENDAR_OBJECT_DELETED,
        "calendar",
        CalendarObject,
        "an event or task was deleted for good",
    ),
    ev(
        "OCP\\Calendar\\Events\\CalendarObjectMovedToTrashEvent",
        "calendar",
        CalendarObject,
        "an event or task was moved to the trash bin",
    ),
    ev(
        "OCP\\Calendar\\Events\\CalendarObjectRestoredEvent",
        "calendar",
        CalendarObject,
        "an event or task was restored from the trash bin",
    ),
    ev(
        "OCP\\Calendar\\Events\\CalendarObjectMovedEvent",
        "calendar",
        CalendarObject,
        "an event or task was moved to another calendar",
    ),
    ev(ROW_ADDED, "tables", TableRow, "a Tables row was added"),
    ev(ROW_UPDATED, "tables", TableRow, "a Tables row was changed"),
    ev(ROW_DELETED, "tables", TableRow, "a Tables row was deleted"),
    ev(
        "OCA\\Forms\\Events\\FormSubmittedEvent",
        "forms",
        Opaque,
        "a form was submitted",
    ),
    ev(
        "OCP\\SystemTag\\MapperEvent",
        "systemtags",
        Opaque,
        "a tag was assigned or unassigned",
    ),
    ev(
        "OCP\\TaskProcessing\\Events\\TaskSuccessfulEvent",
        "taskprocessing",
        Opaque,
        "an AI task finished",
    ),
    ev(
        "OCP\\TaskProcessing\\Events\\TaskFailedEvent",
        "taskprocessing",
        Opaque,
        "an AI task failed",
    ),
];

pub fn event_type(class: &str) -> Option<&'static EventType> {
    EVENT_TYPES.iter().find(|e| e.class == class)
}
