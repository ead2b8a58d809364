//! The payload Nextcloud POSTs for an event (from a background job, as JSON
//! without a Content-Type header):
//! `{"event": {…, "class": "OCP\\…"}, "user": {"uid", "displayName"} | null, "time": 1795423116, …}`.
//! Only a summary is kept: handlers re-read Nextcloud for the details.

use serde::Serialize;
use serde_json::{Map, Value};

use super::{PayloadShape, event_type};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NodeRef {
    /// Missing after a deletion (use `BeforeNodeDeletedEvent` to get it).
    pub id: Option<i64>,
    /// `/<user>/files/<path>`.
    pub path: String,
}

/// What the event is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventSubject {
    Node {
        node: NodeRef,
    },
    NodePair {
        source: NodeRef,
        target: NodeRef,
    },
    CalendarObject {
        /// For a move, the target calendar.
        calendar_id: Option<i64>,
        object_id: Option<i64>,
        uri: Option<String>,
        etag: Option<String>,
        /// `vevent`, `vtodo`, ...
        component: Option<String>,
    },
    TableRow {
        table_id: Option<i64>,
        row_id: Option<i64>,
    },
    Opaque,
}

/// One delivered event of a class this server knows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WebhookEvent {
    pub class: String,
    pub app: &'static str,
    /// The account in whose session the event fired, if any.
    pub user: Option<String>,
    /// Unix time at which Nextcloud queued the delivery.
    pub time: Option<i64>,
    pub subject: EventSubject,
}

impl WebhookEvent {
    /// The class without its namespace, e.g. `NodeCreatedEvent`.
    pub fn short_class(&self) -> &str {
        self.class.rsplit('\\').next().unwrap_or(&self.class)
    }
}

/// A parsed delivery: a known event, or a class this server does not know
/// (acknowledged and dropped).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    Known(WebhookEvent),
    Unknown { class: String },
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    #[error("the body is not JSON (line {line}, column {column})")]
    NotJson { line: usize, column: usize },
    #[error("the body is not a webhook_listeners delivery: {0}")]
    NotADelivery(&'static str),
    #[error("the {class} payload has no valid {field}")]
    MissingField { class: String, field: &'static str },
}

/// Parses a delivery body. Content-Type is not looked at: Nextcloud sends none.
pub fn parse_delivery(body: &[u8]) -> Result<Delivery, DeliveryError> {
    let root: Value = serde_json::from_slice(body).map_err(|e| DeliveryError::NotJson {
        line: e.line(),
        column: e.column(),
    })?;
    let root = root
        .as_object()
        .ok_or(DeliveryError::NotADelivery("it is not a JSON object"))?;
    let event = root
        .get("event")
        .and_then(Value::as_object)
        .ok_or(DeliveryError::NotADelivery("it has no \"event\" object"))?;
    let class = event
        .get("class")
        .and_then(Value::as_str)
        .filter(|c| !c.trim().is_empty())
        .ok_or(DeliveryError::NotADelivery("its event has no \"class\""))?;
    let Some(known) = event_type(class) else {
        return Ok(Delivery::Unknown {
            class: class.chars().take(200).collect(),
        });
    };
    let missing = |field| DeliveryError::MissingField {
        class: class.to_string(),
        field,
    };
    let subject = match known.shape {
        PayloadShape::Node => EventSubject::Node {
            node: node(event.get("node")).ok_or_else(|| missing("node"))?,
        },
        PayloadShape::NodePair => EventSubject::NodePair {
            source: node(event.get("source")).ok_or_else(|| missing("source"))?,
            target: node(event.get("target")).ok_or_else(|| missing("target"))?,
        },
        PayloadShape::CalendarObject => calendar_object(event),
        PayloadShape::TableRow => EventSubject::TableRow {
            table_id: int(event.get("tableId")),
            row_id: int(event.get("rowId")),
        },
        PayloadShape::Opaque => EventSubject::Opaque,
    };
    let user = root
        .get("user")
        .and_then(|u| u.get("uid"))
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(Delivery::Known(WebhookEvent {
        class: known.class.to_string(),
        app: known.app,
        user,
        time: int(root.get("time")),
        subject,
    }))
}

fn node(value: Option<&Value>) -> Option<NodeRef> {
    let node = value?.as_object()?;
    Some(NodeRef {
        id: int(node.get("id")),
        path: node.get("path")?.as_str()?.to_string(),
    })
}

fn calendar_object(event: &Map<String, Value>) -> EventSubject {
    let object = event.get("objectData").and_then(Value::as_object);
    let text = |key: &str| {
        object
            .and_then(|o| o.get(key))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    EventSubject::CalendarObject {
        calendar_id: int(event.get("calendarId")).or_else(|| int(event.get("targetCalendarId"))),
        object_id: int(object.and_then(|o| o.get("id"))),
        uri: text("uri"),
        etag: text("etag"),
        component: text("component"),
    }
}

/// PHP arrays carry ids as numbers or as numeric strings.
fn int(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}
