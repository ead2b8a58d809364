//! An address book's changes since a token the caller keeps (see
//! `dav::sync::changes`), read into contacts with the time each card last
//! changed.

use super::xml::addressbook_multiget_dated;
use crate::adapters::nextcloud::dav::href::last_segment;
use crate::adapters::nextcloud::dav::multistatus::{CARDDAV, DAV};
use crate::adapters::nextcloud::dav::sync::{Fetched, http_date};
use crate::adapters::nextcloud::http::NextcloudSession;
use crate::adapters::nextcloud::vcard;
use crate::domain::changes::{ChangedObject, CollectionChanges};
use crate::domain::contacts::Contact;
use crate::ports::nextcloud::NextcloudError;

/// The fetched cards of `addressbook` as contacts.
pub fn read_changes(
    fetched: Fetched,
    addressbook: &str,
) -> Result<CollectionChanges<Contact>, NextcloudError> {
    let mut changed = Vec::new();
    for resource in fetched.changed {
        let Some(data) = resource.raw_text(CARDDAV, "address-data") else {
            continue;
        };
        let etag = resource.text(DAV, "getetag");
        let card = vcard::parse(data)?;
        let modified = vcard::revision(&card)
            .or_else(|| http_date(resource.text(DAV, "getlastmodified")))
            .unwrap_or(0);
        changed.push(ChangedObject {
            name: last_segment(&resource.href),
            modified,
            content: vcard::read(&card, addressbook, etag.as_deref()),
            etag,
        });
    }
    Ok(CollectionChanges {
        token: fetched.token,
        full: fetched.full,
        changed,
        deleted: fetched.deleted,
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
