//! Contact listings: the first one is the server-filtered addressbook-query;
//! the same listing again within five minutes is a sync-collection from the
//! token read before that query (see `dav::sync`). Changes to a full
//! listing are fetched with an addressbook-multiget (capture 13); a searched
//! listing with any change is simply listed again, so the search stays the
//! server's.

use url::Url;

use super::xml::{LIST_ADDRESSBOOKS, TextMatch, addressbook_multiget};
use crate::adapters::nextcloud::dav::multistatus::{CARDDAV, DAV, Resource};
use crate::adapters::nextcloud::dav::sync::{Listing, Member, SyncCache};
use crate::adapters::nextcloud::http::NextcloudSession;
use crate::adapters::nextcloud::vcard;
use crate::domain::contacts::Contact;
use crate::ports::nextcloud::NextcloudError;

static CONTACTS: SyncCache<Contact> = SyncCache::new();

impl NextcloudSession {
    /// Forgets the listing of the address book at `book` (a write went through).
    pub(super) fn forget_book_listing(&self, book: &Url) {
        self.forget_listing(&CONTACTS, book);
    }

    /// Forgets the listing of the address book holding the card at `card`.
    pub(super) fn forget_book_listing_of(&self, card: &Url) {
        self.forget_listing_of(&CONTACTS, card);
    }

    /// The contacts `query_cards` selects, through the cache.
    pub(super) async fn list_cards(
        &self,
        addressbook: &str,
        search: Option<&str>,
        matches: &[TextMatch<'_>],
    ) -> Result<Vec<Contact>, NextcloudError> {
        let url = self.addressbook_url(addressbook).await?;
        let read = |resource: &Resource| -> Result<Option<Vec<Contact>>, NextcloudError> {
            let Some(data) = resource.raw_text(CARDDAV, "address-data") else {
                return Ok(None);
            };
            let etag = resource.text(DAV, "getetag");
            let contact = vcard::read(&vcard::parse(data)?, addressbook, etag.as_deref());
            Ok(Some(vec![contact]))
        };
        let listing = Listing {
            cache: &CONTACTS,
            collection: &url,
            what: format!("address book '{addressbook}'"),
            query: format!("contacts {search:?}"),
            token_request: (LIST_ADDRESSBOOKS.to_string(), "the address book"),
            multiget: addressbook_multiget,
            read: &read,
            relist_on_change: search.is_some(),
        };
        let full = async {
            let cards = self.query_cards(addressbook, matches).await?;
            Ok(cards
                .into_iter()
                .map(|c| Member {
                    items: vec![vcard::read(&c.card, addressbook, c.etag.as_deref())],
                    url: c.url,
                    etag: c.etag,
                })
                .collect())
        };
        self.list_synced(&listing, full).await
    }
}
