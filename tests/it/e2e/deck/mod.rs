//! Deck end to end through rmcp's client: boards and cards, the extras
//! (labels, comments, attachments, overview), and uploads with card
//! dependencies.

mod cards;
mod extras;
mod upload;

use wiremock::MockServer;

use crate::support::e2e::serve_capture;

/// Card 16 of board 16, stack 34: the card the deck-extras captures use.
const CARD16: &str = "/boards/16/stacks/34/cards/16";

/// Nextcloud creates a share as in the capture (ocs-shares/02): what
/// linking a file or note to a card asks for.
async fn shares_are_created(nc: &MockServer) {
    serve_capture(
        nc,
        "POST",
        "^/ocs/v2.php/apps/files_sharing/api/v1/shares$",
        "ocs-shares",
        "02-create-user-share",
    )
    .await;
}
