//! Card attachments over Deck's REST API. v1.1 lists both kinds and deletes
//! a `file` attachment at `/attachments/file/<id>`; a `deck_file` one is
//! deleted on v1.0 (fixtures deck-extras/17, 21, 25). Unknown or already
//! unlinked attachments answer 403 (fixture deck-extras/26).

use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;

use super::{REST, card, card_path};
use crate::adapters::nextcloud::errors::{deck_forbidden, protocol};
use crate::adapters::nextcloud::http::NextcloudSession;
use crate::domain::deck::{Attachment, AttachmentType, CardRef};
use crate::ports::nextcloud::NextcloudError;

pub(super) const REST_V11: &str = "index.php/apps/deck/api/v1.1";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WireAttachment {
    id: u64,
    #[serde(default)]
    card_id: u64,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    data: String,
    #[serde(default)]
    created_at: i64,
    #[serde(default)]
    created_by: Option<String>,
    #[serde(default)]
    deleted_at: i64,
    /// An object, or `[]` once a `deck_file` attachment is deleted
    /// (fixture deck-extras/21).
    #[serde(default)]
    extended_data: Value,
}

impl WireAttachment {
    pub(super) fn into_attachment(self) -> Result<Attachment, NextcloudError> {
        let attachment_type = AttachmentType::parse(&self.kind).ok_or_else(|| {
            protocol(format!(
                "attachment {} has a type this server does not know",
                self.id
            ))
        })?;
        let extended = &self.extended_data;
        let text = |key: &str| extended.get(key).and_then(Value::as_str).map(String::from);
        Ok(Attachment {
            id: self.id,
            card_id: self.card_id,
            attachment_type,
            name: self.data,
            size: extended.get("filesize").and_then(Value::as_u64),
            mimetype: text("mimetype"),
            path: text("path"),
            created_by: self.created_by,
            created_at: self.created_at,
            deleted_at: self.deleted_at,
        })
    }
}

fn attachment(id: u64, c: CardRef) -> String {
    format!("attachment {id} of {}", card(c))
}

impl NextcloudSession {
    pub(super) async fn deck_attachments(
        &self,
        c: CardRef,
    ) -> Result<Vec<Attachment>, NextcloudError> {
        let url = self.url(&format!("{REST_V11}/{}/attachments", card_path(c)))?;
        let what = format!("the attachments of {}", card(c));
        let wire: Vec<WireAttachment> = self
            .json_call(self.json_request(Method::GET, url), &what)
            .await
            .map_err(|e| deck_forbidden(e, &what))?;
        wire.into_iter()
            .map(WireAttachment::into_attachment)
            .collect()
    }

    pub(super) async fn deck_delete_attachment(
        &self,
        c: CardRef,
        id: u64,
        kind: AttachmentType,
    ) -> Result<Attachment, NextcloudError> {
        let path = match kind {
            AttachmentType::DeckFile => format!("{REST}/{}/attachments/{id}", card_path(c)),
            AttachmentType::File => format!("{REST_V11}/{}/attachments/file/{id}", card_path(c)),
        };
        let what = attachment(id, c);
        let wire: WireAttachment = self
            .json_call(self.json_request(Method::DELETE, self.url(&path)?), &what)
            .await
            .map_err(|e| deck_forbidden(e, &what))?;
        wire.into_attachment()
    }
}
