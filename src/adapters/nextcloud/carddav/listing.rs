//! Contact listings: the first one is the server-filtered addressbook-query;
//! the same listing again within five minutes is a sync-collection from the
//! token read before that query (see `caldav::sync_cache`). Changes to a full
//! listing are fetched with an addressbook-multiget (capture 13); a searched
//! listing with any change is simply listed again, so the search stays the
//! server's.

use std::collections::HashMap;
use std::time::Instant;

use quick_xml::escape::escape;
use url::Url;

use super::super::caldav::sync_cache::{Entry, SyncCache, SyncDelta, sync_collection};
use super::super::dav_props::{CARDDAV, DAV};
use super::super::http::NextcloudSession;
use super::super::vcard;
use super::{LIST_ADDRESSBOOKS, StoredCard, TextMatch};
use crate::domain::contacts::Contact;
use crate::ports::nextcloud::NextcloudError;

static CONTACTS: SyncCache<Contact> = SyncCache::new();

/// addressbook-multiget of some hrefs (capture 13; Depth 1).
pub fn addressbook_multiget(hrefs: &[String]) -> String {
    let hrefs: String = hrefs
        .iter()
        .map(|h| format!("<d:href>{}</d:href>", escape(h.as_str())))
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<card:addressbook-multiget xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:cs="http://calendarserver.org/ns/"><d:prop><d:getetag/><card:address-data/></d:prop>{hrefs}</card:addressbook-multiget>
"#
    )
}

impl NextcloudSession {
    fn book_listing_key(&self, book: &Url) -> Result<String, NextcloudError> {
        Ok(SyncCache::<Contact>::key(
            self.url("")?.as_str(),
            self.user_id(),
            book.as_str(),
        ))
    }

    /// Forgets the listing of the address book at `book` (a write went through).
    pub(super) fn forget_book_listing(&self, book: &Url) {
        if let Ok(key) = self.book_listing_key(book) {
            CONTACTS.invalidate(&key);
        }
    }

    /// Forgets the listing of the address book holding the card at `card`.
    pub(super) fn forget_book_listing_of(&self, card: &Url) {
        if let Ok(book) = card.join("./") {
            self.forget_book_listing(&book);
        }
    }

    async fn book_token(&self, url: &Url) -> Option<String> {
        let reply = self
            .dav_query(
                "PROPFIND",
                url.clone(),
                Some("0"),
                LIST_ADDRESSBOOKS.to_string(),
                "the address book",
            )
            .await
            .ok()?;
        reply
            .responses
            .iter()
            .find_map(|r| r.text(DAV, "sync-token"))
    }

    async fn resync_book(
        &self,
        url: &Url,
        addressbook: &str,
        searched: bool,
        mut entry: Entry<Contact>,
    ) -> Result<Option<Entry<Contact>>, NextcloudError> {
        let what = format!("address book '{addressbook}'");
        let reply = self
            .dav_query(
                "REPORT",
                url.clone(),
                None,
                sync_collection(Some(&entry.token)),
                &what,
            )
            .await?;
        let delta = SyncDelta::from_reply(&reply, url.path());
        if !delta.usable_after(&entry.token) {
            return Ok(None);
        }
        if searched && (!delta.changed.is_empty() || !delta.deleted.is_empty()) {
            return Ok(None);
        }
        for href in &delta.deleted {
            entry.objects.remove(&self.member_key(href)?);
        }
        let mut fetch = Vec::new();
        let mut asked = Vec::new();
        for (href, etag) in &delta.changed {
            let key = self.member_key(href)?;
            let known = entry.objects.get(&key).and_then(|(e, _)| e.as_ref());
            if etag.is_none() || known != etag.as_ref() {
                entry.objects.remove(&key);
                fetch.push(href.clone());
                asked.push(key);
            }
        }
        if !fetch.is_empty() {
            let reply = self
                .dav_query(
                    "REPORT",
                    url.clone(),
                    Some("1"),
                    addressbook_multiget(&fetch),
                    &what,
                )
                .await?;
            for resource in reply.responses {
                let key = self.member_key(&resource.href)?;
                let Some(data) = resource.raw_text(CARDDAV, "address-data") else {
                    continue;
                };
                if !asked.contains(&key) {
                    continue;
                }
                let etag = resource.text(DAV, "getetag");
                let contact = vcard::read(&vcard::parse(data)?, addressbook, etag.as_deref());
                entry.objects.insert(key, (etag, vec![contact]));
            }
        }
        entry.token = delta.token.unwrap_or(entry.token);
        Ok(Some(entry))
    }

    /// The contacts `query_cards` selects, through the cache.
    pub(super) async fn list_cards(
        &self,
        addressbook: &str,
        search: Option<&str>,
        matches: &[TextMatch<'_>],
    ) -> Result<Vec<Contact>, NextcloudError> {
        let url = self.addressbook_url(addressbook).await?;
        let key = self.book_listing_key(&url)?;
        let query_key = format!("contacts {search:?}");
        if let Some(entry) = CONTACTS.get(&key, &query_key) {
            match self
                .resync_book(&url, addressbook, search.is_some(), entry)
                .await
            {
                Ok(Some(entry)) => {
                    let contacts = entry.items();
                    CONTACTS.put(key, entry);
                    return Ok(contacts);
                }
                Ok(None) | Err(_) => CONTACTS.invalidate(&key),
            }
        }
        let token = self.book_token(&url).await;
        let cards: Vec<StoredCard> = self.query_cards(addressbook, matches).await?;
        let mut out = Vec::new();
        let mut remembered = HashMap::new();
        for c in &cards {
            let contact = vcard::read(&c.card, addressbook, c.etag.as_deref());
            out.push(contact.clone());
            remembered.insert(c.url.path().to_string(), (c.etag.clone(), vec![contact]));
        }
        if let Some(token) = token {
            CONTACTS.put(
                key,
                Entry {
                    token,
                    query: query_key,
                    objects: remembered,
                    stored: Instant::now(),
                },
            );
        }
        Ok(out)
    }
}
