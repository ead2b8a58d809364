//! Card attachments: Deck's own uploads (`deck_file`) and files of the
//! user's Files shared with a card (`file`).

use serde::Serialize;

/// Where an attachment's bytes live, which decides the route that deletes it:
/// Deck's REST v1.0 serves only `deck_file`; v1.1 addresses both as
/// `/attachments/<type>/<id>` (fixtures deck-extras/16, 17, 25).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentType {
    /// Uploaded into Deck's own storage; deleting it is soft (restorable).
    DeckFile,
    /// A file of the user's Files linked to the card; deleting it unlinks
    /// it, the file stays.
    File,
}

impl AttachmentType {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "deck_file" => Some(Self::DeckFile),
            "file" => Some(Self::File),
            _ => None,
        }
    }

    pub fn wire(self) -> &'static str {
        match self {
            Self::DeckFile => "deck_file",
            Self::File => "file",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Attachment {
    pub id: u64,
    pub card_id: u64,
    #[serde(rename = "type")]
    pub attachment_type: AttachmentType,
    /// The file name.
    pub name: String,
    pub size: Option<u64>,
    pub mimetype: Option<String>,
    /// For `file` attachments: the path in the uploader's Files.
    pub path: Option<String>,
    pub created_by: Option<String>,
    pub created_at: i64,
    /// Unix time of a soft delete (`deck_file` only), 0 if not deleted.
    pub deleted_at: i64,
}

/// `shareType` of a share with a Deck card (Deck's own share provider).
pub const DECK_CARD_SHARE_TYPE: i64 = 12;
/// Read-only: a card's members may open the file, not change it.
pub const DECK_CARD_SHARE_PERMISSIONS: u8 = 1;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_types_round_trip_and_unknown_ones_are_refused() {
        for t in [AttachmentType::DeckFile, AttachmentType::File] {
            assert_eq!(AttachmentType::parse(t.wire()), Some(t));
        }
        assert_eq!(AttachmentType::parse("folder"), None);
        assert_eq!(AttachmentType::parse(""), None);
    }
}
