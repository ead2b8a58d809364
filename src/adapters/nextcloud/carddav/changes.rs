//! An address book's changes since a token the caller keeps (see
//! `dav::sync::changes`), read into contacts with the time each card last
//! changed.

use super::xml::addressbook_multiget_dated;
use crate::adapters::nextcloud::dav::multistatus::CARDDAV;
use crate::adapters::nextcloud::dav::sync::Fetched;
use crate::adapters::nextcloud::http::NextcloudSession;
use crate::adapters::nextcloud::vcard;
use crate::domain::changes::CollectionChanges;
use crate::domain::contacts::Contact;
use crate::ports::nextcloud::NextcloudError;

/// The fetched cards of `addressbook` as contacts.
pub fn read_changes(
    fetched: Fetched,
    addressbook: &str,
) -> Result<CollectionChanges<Contact>, NextcloudError> {
    fetched.read_objects((CARDDAV, "address-data"), |data, etag| {
        let card = vcard::parse(data)?;
        Ok((
            vcard::read(&card, addressbook, etag),
            vcard::revision(&card),
        ))
    })
}

impl NextcloudSession {
    pub(super) async fn changes_of_addressbook(
        &self,
        addressbook: &str,
        since: Option<&str>,
    ) -> Result<CollectionChanges<Contact>, NextcloudError> {
        let url = self.addressbook_url(addressbook).await?;
        let what = format!("address book '{addressbook}'");
        let fetched = self
            .fetch_changes(&url, &what, since, addressbook_multiget_dated)
            .await?;
        read_changes(fetched, addressbook)
    }
}
