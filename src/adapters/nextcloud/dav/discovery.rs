//! Finding a user's calendar and address book homes like a standards client
//! (RFC 6764, 5397, 4791, 6352): `/.well-known/caldav|carddav` (its redirect
//! followed by hand, and only to the same origin, because the HTTP client
//! never follows redirects with credentials), then `current-user-principal`,
//! then `calendar-home-set` / `addressbook-home-set`.
//!
//! Homes are cached per Nextcloud, user and service for a few minutes, so a
//! tool call that lists every calendar discovers once, not once per request.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::LOCATION;
use url::Url;

use super::href::{encode, same_origin};
use super::multistatus::{CALDAV, CARDDAV, DAV};
use super::request::dav_method;
use crate::adapters::nextcloud::errors::{map_status, protocol};
use crate::adapters::nextcloud::http::NextcloudSession;
use crate::ports::nextcloud::NextcloudError;

const CACHE_TTL: Duration = Duration::from_secs(300);
const CACHE_MAX: usize = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DavService {
    CalDav,
    CardDav,
}

impl DavService {
    fn well_known(self) -> &'static str {
        match self {
            DavService::CalDav => "/.well-known/caldav",
            DavService::CardDav => "/.well-known/carddav",
        }
    }

    /// The principal PROPFIND, as Nextcloud's own clients send it.
    fn home_set_body(self) -> &'static str {
        match self {
            DavService::CalDav => CALENDAR_HOME_SET_BODY,
            DavService::CardDav => ADDRESSBOOK_HOME_SET_BODY,
        }
    }

    fn home_set(self) -> (&'static str, &'static str) {
        match self {
            DavService::CalDav => (CALDAV, "calendar-home-set"),
            DavService::CardDav => (CARDDAV, "addressbook-home-set"),
        }
    }
}

pub const CURRENT_USER_PRINCIPAL_BODY: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>
"#;

const CALENDAR_HOME_SET_BODY: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/" xmlns:x1="http://apple.com/ns/ical/" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns"><d:prop><c:calendar-home-set/><c:calendar-user-address-set/><c:schedule-inbox-URL/><c:schedule-outbox-URL/><d:displayname/></d:prop></d:propfind>
"#;

const ADDRESSBOOK_HOME_SET_BODY: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<d:propfind xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:cs="http://calendarserver.org/ns/"><d:prop><card:addressbook-home-set/><d:displayname/></d:prop></d:propfind>
"#;

type CacheKey = (String, String, DavService);

static HOMES: LazyLock<Mutex<HashMap<CacheKey, (Instant, Url)>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn cached(key: &CacheKey) -> Option<Url> {
    let cache = HOMES.lock().ok()?;
    cache
        .get(key)
        .filter(|(at, _)| at.elapsed() < CACHE_TTL)
        .map(|(_, url)| url.clone())
}

fn remember(key: CacheKey, home: &Url) {
    if let Ok(mut cache) = HOMES.lock() {
        if cache.len() >= CACHE_MAX {
            cache.retain(|_, (at, _)| at.elapsed() < CACHE_TTL);
            if cache.len() >= CACHE_MAX {
                cache.clear();
            }
        }
        cache.insert(key, (Instant::now(), home.clone()));
    }
}

impl NextcloudSession {
    /// The user's home collection for `service`, discovered once per few minutes.
    pub(in crate::adapters::nextcloud) async fn dav_home(
        &self,
        service: DavService,
    ) -> Result<Url, NextcloudError> {
        let base = self.url("")?;
        let key = (base.to_string(), self.user_id().to_string(), service);
        if let Some(home) = cached(&key) {
            return Ok(home);
        }
        let home = self.discover_home(service).await?;
        remember(key, &home);
        Ok(home)
    }

    async fn discover_home(&self, service: DavService) -> Result<Url, NextcloudError> {
        let context = self.well_known_context(service).await?;
        let principal = self.current_user_principal(context).await?;
        let reply = self
            .dav_query(
                "PROPFIND",
                principal,
                Some("0"),
                service.home_set_body().to_string(),
                "the DAV principal",
            )
            .await?;
        let (ns, local) = service.home_set();
        let href = reply
            .responses
            .iter()
            .find_map(|r| r.prop(ns, local).and_then(|p| p.hrefs.first().cloned()))
            .ok_or_else(|| protocol(format!("the DAV principal has no {local}")))?;
        let mut home = self.href_url(&href)?;
        if !home.path().ends_with('/') {
            let path = format!("{}/", home.path());
            home.set_path(&path);
        }
        Ok(home)
    }

    /// Where the well-known URL points, or Nextcloud's DAV root when it does
    /// not redirect (no rewrite configured) or points to another origin.
    async fn well_known_context(&self, service: DavService) -> Result<Url, NextcloudError> {
        let fallback = self.url("remote.php/dav/")?;
        let well_known = self
            .url("")?
            .join(service.well_known())
            .map_err(|_| protocol("bad well-known URL"))?;
        let request = self
            .request(dav_method("PROPFIND"), well_known.clone())
            .header("Depth", "0");
        let response = self.send_raw(request).await?;
        let status = response.status();
        if status == StatusCode::UNAUTHORIZED {
            return Err(map_status(status, "the DAV root", ""));
        }
        if !status.is_redirection() {
            return Ok(fallback);
        }
        let target = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|location| well_known.join(location).ok());
        Ok(match target {
            Some(url) if same_origin(&url, &fallback) => url,
            _ => fallback,
        })
    }

    async fn current_user_principal(&self, context: Url) -> Result<Url, NextcloudError> {
        let fallback = || {
            self.url(&format!(
                "remote.php/dav/principals/users/{}/",
                encode(self.user_id())
            ))
        };
        let reply = self
            .dav_query(
                "PROPFIND",
                context,
                Some("0"),
                CURRENT_USER_PRINCIPAL_BODY.to_string(),
                "the DAV root",
            )
            .await;
        let reply = match reply {
            Ok(reply) => reply,
            Err(
                NextcloudError::NotFound(_)
                | NextcloudError::Protocol(_)
                | NextcloudError::AlreadyExists(_),
            ) => {
                return fallback();
            }
            Err(other) => return Err(other),
        };
        match reply.responses.iter().find_map(|r| {
            r.prop(DAV, "current-user-principal")
                .and_then(|p| p.hrefs.first().cloned())
        }) {
            Some(href) => self.href_url(&href),
            None => fallback(),
        }
    }
}
