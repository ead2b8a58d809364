//! Card dependencies (Deck 1.18.0 and later): `POST` and `DELETE`
//! `/boards/{b}/stacks/{s}/cards/{c}/dependentCards/{d}` on the REST API,
//! answering the card with `dependentCards`, a list of card ids, as the card
//! replies of the captures show it (fixtures deck/12, deck-extras/03). No
//! capture covers the two routes themselves; they follow Deck's
//! `appinfo/routes.php` and `CardApiController`.

use reqwest::Method;
use serde::Deserialize;

use super::{REST, card, card_path};
use crate::adapters::nextcloud::body::error_bytes;
use crate::adapters::nextcloud::errors::deck_refusal;
use crate::adapters::nextcloud::http::NextcloudSession;
use crate::adapters::nextcloud::ocs::{parse_json, read_body};
use crate::domain::deck::CardRef;
use crate::ports::nextcloud::NextcloudError;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireDependents {
    /// `null` in some card replies (fixture deck/15).
    #[serde(default)]
    dependent_cards: Option<Vec<u64>>,
}

impl NextcloudSession {
    /// Adds (`POST`) or removes (`DELETE`) a dependency; answers the card's
    /// dependent card ids afterwards. An unknown card on either side is
    /// Deck's 403; an archived card or board is its 500 with a reason.
    pub(super) async fn deck_dependency(
        &self,
        method: Method,
        c: CardRef,
        dependent_card_id: u64,
    ) -> Result<Vec<u64>, NextcloudError> {
        let path = format!("{REST}/{}/dependentCards/{dependent_card_id}", card_path(c));
        let request = self.json_request(method, self.url(&path)?);
        let what = card(c);
        let response = self.send_raw(request).await?;
        let status = response.status();
        if !status.is_success() {
            let body = error_bytes(response).await;
            let what = format!("{what} or card {dependent_card_id}");
            return Err(deck_refusal(status, &what, &body));
        }
        let body = read_body(response, &what).await?;
        let wire: WireDependents = parse_json(&body, &what)?;
        Ok(wire.dependent_cards.unwrap_or_default())
    }
}
