//! Address books and contacts over CardDAV (RFC 6352), from the discovered
//! address book home. Listings and searches are addressbook-query REPORTs
//! (text-match on the server); changes are PUTs guarded by If-Match. Repeated
//! listings go through sync-collection (`listing`); every write forgets the
//! listing of its address book.

mod changes;
mod listing;
mod xml;

use async_trait::async_trait;
use calcard::vcard::VCard;
use url::Url;

use self::xml::{LIST_ADDRESSBOOKS, TextMatch, mkcol_body, query_body};
use super::dav::discovery::DavService;
use super::dav::href::{encode, last_segment};
use super::dav::multistatus::{CALSERVER, CARDDAV, DAV, Resource};
use super::dav::request::Precondition;
use super::errors::protocol;
use super::http::NextcloudSession;
use super::vcard;
use crate::domain::changes::CollectionChanges;
use crate::domain::contacts::{AddressBook, Contact, ContactPatch};
use crate::ports::nextcloud::{ContactsApi, NextcloudError};

const VCARD: &str = "text/vcard; charset=utf-8";

/// The properties a contact search looks in.
pub const SEARCHED: &[&str] = &["FN", "EMAIL", "TEL", "ORG", "NICKNAME"];

fn addressbook_of(resource: &Resource) -> Option<AddressBook> {
    if !resource.has_child(DAV, "resourcetype", CARDDAV, "addressbook") {
        return None;
    }
    let name = last_segment(&resource.href);
    Some(AddressBook {
        display_name: resource
            .text(DAV, "displayname")
            .unwrap_or_else(|| name.clone()),
        description: resource.text(CARDDAV, "addressbook-description"),
        sync_token: resource
            .text(DAV, "sync-token")
            .or_else(|| resource.text(CALSERVER, "getctag")),
        name,
    })
}

struct StoredCard {
    url: Url,
    etag: Option<String>,
    card: VCard,
}

fn what(uid: &str, addressbook: &str) -> String {
    format!("contact '{uid}' in address book '{addressbook}'")
}

impl NextcloudSession {
    async fn addressbook_url(&self, addressbook: &str) -> Result<Url, NextcloudError> {
        self.dav_home(DavService::CardDav)
            .await?
            .join(&format!("{}/", encode(addressbook)))
            .map_err(|_| protocol("bad address book URL"))
    }

    async fn query_cards(
        &self,
        addressbook: &str,
        matches: &[TextMatch<'_>],
    ) -> Result<Vec<StoredCard>, NextcloudError> {
        let url = self.addressbook_url(addressbook).await?;
        let reply = self
            .dav_query(
                "REPORT",
                url,
                Some("1"),
                query_body(matches),
                &format!("address book '{addressbook}'"),
            )
            .await?;
        let mut cards = Vec::new();
        for resource in reply.responses {
            let Some(data) = resource.raw_text(CARDDAV, "address-data") else {
                continue;
            };
            cards.push(StoredCard {
                url: self.href_url(&resource.href)?,
                etag: resource.text(DAV, "getetag"),
                card: vcard::parse(data)?,
            });
        }
        Ok(cards)
    }

    async fn find_card(&self, addressbook: &str, uid: &str) -> Result<StoredCard, NextcloudError> {
        self.query_cards(addressbook, &[("UID", uid, "equals")])
            .await?
            .into_iter()
            .find(|c| vcard::read(&c.card, addressbook, None).uid == uid)
            .ok_or_else(|| NextcloudError::NotFound(what(uid, addressbook)))
    }
}

#[async_trait]
impl ContactsApi for NextcloudSession {
    async fn list_addressbooks(&self) -> Result<Vec<AddressBook>, NextcloudError> {
        let home = self.dav_home(DavService::CardDav).await?;
        let reply = self
            .dav_query(
                "PROPFIND",
                home,
                Some("1"),
                LIST_ADDRESSBOOKS.to_string(),
                "the address book home",
            )
            .await?;
        Ok(reply.responses.iter().filter_map(addressbook_of).collect())
    }

    async fn create_addressbook(
        &self,
        name: &str,
        display_name: &str,
        description: Option<String>,
    ) -> Result<(), NextcloudError> {
        let url = self.addressbook_url(name).await?;
        self.forget_book_listing(&url);
        let body = mkcol_body(display_name, description.as_deref());
        self.dav_change("MKCOL", url, body, &format!("address book '{name}'"))
            .await
    }

    async fn delete_addressbook(&self, name: &str) -> Result<(), NextcloudError> {
        let url = self.addressbook_url(name).await?;
        self.forget_book_listing(&url);
        self.dav_delete(url, None, &format!("address book '{name}'"))
            .await
    }

    async fn list_contacts(
        &self,
        addressbook: &str,
        query: Option<String>,
    ) -> Result<Vec<Contact>, NextcloudError> {
        let query = query.filter(|q| !q.trim().is_empty());
        let matches: Vec<TextMatch<'_>> = match query.as_deref() {
            Some(q) => SEARCHED
                .iter()
                .map(|p| (*p, q.trim(), "contains"))
                .collect(),
            None => vec![],
        };
        self.list_cards(addressbook, query.as_deref().map(str::trim), &matches)
            .await
    }

    async fn get_contact(&self, addressbook: &str, uid: &str) -> Result<Contact, NextcloudError> {
        let found = self.find_card(addressbook, uid).await?;
        Ok(vcard::read(&found.card, addressbook, found.etag.as_deref()))
    }

    async fn create_contact(
        &self,
        addressbook: &str,
        uid: &str,
        patch: &ContactPatch,
    ) -> Result<Contact, NextcloudError> {
        let body = vcard::new_card(uid, patch)?;
        let url = self
            .addressbook_url(addressbook)
            .await?
            .join(&format!("{}.vcf", encode(uid)))
            .map_err(|_| protocol("bad contact URL"))?;
        let written = self
            .dav_put(
                url.clone(),
                VCARD,
                body.clone(),
                Precondition::Create,
                &what(uid, addressbook),
            )
            .await;
        self.forget_book_listing_of(&url);
        let etag = written?;
        Ok(vcard::read(
            &vcard::parse(&body)?,
            addressbook,
            etag.as_deref(),
        ))
    }

    async fn update_contact(
        &self,
        addressbook: &str,
        uid: &str,
        etag: Option<String>,
        patch: &ContactPatch,
    ) -> Result<Contact, NextcloudError> {
        let mut found = self.find_card(addressbook, uid).await?;
        vcard::patch_card(&mut found.card, patch)?;
        let guard = etag
            .or(found.etag)
            .ok_or_else(|| protocol("the server sent no ETag for the contact"))?;
        let body = vcard::write(&found.card);
        let card_url = found.url.clone();
        let written = self
            .dav_put(
                found.url,
                VCARD,
                body.clone(),
                Precondition::Replace(guard),
                &what(uid, addressbook),
            )
            .await;
        self.forget_book_listing_of(&card_url);
        let new_etag = written?;
        Ok(vcard::read(
            &vcard::parse(&body)?,
            addressbook,
            new_etag.as_deref(),
        ))
    }

    async fn delete_contact(
        &self,
        addressbook: &str,
        uid: &str,
        etag: Option<String>,
    ) -> Result<(), NextcloudError> {
        let found = self.find_card(addressbook, uid).await?;
        let guard = etag.or(found.etag);
        let deleted = self
            .dav_delete(found.url.clone(), guard.as_deref(), &what(uid, addressbook))
            .await;
        self.forget_book_listing_of(&found.url);
        deleted
    }

    async fn addressbook_changes(
        &self,
        addressbook: &str,
        since: Option<String>,
    ) -> Result<CollectionChanges<Contact>, NextcloudError> {
        self.changes_of_addressbook(addressbook, since.as_deref())
            .await
    }
}
