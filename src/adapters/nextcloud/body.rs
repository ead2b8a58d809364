//! How much of each Nextcloud reply is read (security.md: Bounds). Every
//! reply body in this adapter goes through these functions; the limits are
//! the table in the security page, so change both together.

use reqwest::Response;

use crate::adapters::body::{self, BodyError};
use crate::ports::nextcloud::NextcloudError;

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;

/// Error replies are mined for a one-line message (at most 200 characters
/// are kept), so a small prefix is all that is worth reading.
pub const MAX_ERROR_BODY: usize = 64 * 1024;

/// A multistatus (file listing, calendar or address book query, discovery):
/// about 25,000 file entries, 10,000 events with their data, or several
/// hundred contacts with photos. A bigger folder or collection is refused
/// rather than buffered; two such replies at once stay well under 100 MB.
pub const MAX_MULTISTATUS: u64 = 24 * MIB;

/// A JSON reply from an app (Deck, Tables, sharing, Cookbook, webhooks, and
/// the Notes list, which carries every note's text: 16 MiB is thousands of
/// pages).
pub const MAX_JSON: u64 = 16 * MIB;

/// `status.php` and the current user: a few hundred bytes in practice.
pub const MAX_SMALL_JSON: u64 = 64 * KIB;

fn size(bytes: u64) -> String {
    if bytes >= MIB {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{} KiB", bytes / KIB)
    }
}

/// The body of a successful reply, at most `max` bytes; `what` names the
/// resource in the error ("the notes list", "/Photos").
pub async fn read_reply(
    response: Response,
    max: u64,
    what: &str,
) -> Result<Vec<u8>, NextcloudError> {
    read_or(response, max, || {
        NextcloudError::Protocol(format!(
            "the reply for {what} is larger than {}; refused",
            size(max)
        ))
    })
    .await
}

/// As [`read_reply`], with the caller's own error for a body past `max`
/// (a file download reports `TooLarge` with the caller's limit).
pub async fn read_or(
    response: Response,
    max: u64,
    too_large: impl FnOnce() -> NextcloudError,
) -> Result<Vec<u8>, NextcloudError> {
    match body::read_capped(response, max).await {
        Ok(bytes) => Ok(bytes),
        Err(BodyError::TooLarge) => Err(too_large()),
        // reqwest's error text carries the URL; leave transport details out.
        Err(BodyError::Interrupted) => Err(NextcloudError::Unavailable(
            "the reply was interrupted".into(),
        )),
    }
}

/// The first [`MAX_ERROR_BODY`] bytes of an error reply, as text.
pub async fn error_text(response: Response) -> String {
    let bytes = body::read_prefix(response, MAX_ERROR_BODY).await;
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The first [`MAX_ERROR_BODY`] bytes of an error reply.
pub async fn error_bytes(response: Response) -> Vec<u8> {
    body::read_prefix(response, MAX_ERROR_BODY).await
}
