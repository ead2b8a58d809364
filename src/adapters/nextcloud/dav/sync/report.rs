//! The sync-collection REPORT (RFC 6578): the request body, and what its
//! reply says changed.

use crate::adapters::nextcloud::dav::multistatus::{DAV, Multistatus};

/// sync-collection REPORT (captures caldav 16, 27, 28; carddav 10); no Depth.
pub fn sync_collection(token: Option<&str>) -> String {
    let token = match token {
        Some(t) => format!(
            "<d:sync-token>{}</d:sync-token>",
            quick_xml::escape::escape(t)
        ),
        None => "<d:sync-token/>".to_string(),
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<d:sync-collection xmlns:d="DAV:">{token}<d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>
"#
    )
}

/// What a sync-collection reply says changed since the token sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncDelta {
    /// New or changed members: href and new ETag.
    pub changed: Vec<(String, Option<String>)>,
    /// Removed members (a response-level 404).
    pub deleted: Vec<String>,
    /// The token to send next time.
    pub token: Option<String>,
}

impl SyncDelta {
    pub fn from_reply(reply: &Multistatus, collection_path: &str) -> Self {
        let mut delta = SyncDelta {
            token: reply.sync_token.clone(),
            ..SyncDelta::default()
        };
        for r in &reply.responses {
            // The collection itself may be listed; it is not a member.
            if r.href.trim_end_matches('/') == collection_path.trim_end_matches('/') {
                continue;
            }
            if r.status == Some(404) {
                delta.deleted.push(r.href.clone());
            } else {
                delta.changed.push((r.href.clone(), r.text(DAV, "getetag")));
            }
        }
        delta
    }

    /// Whether the reply can be trusted as "these are all the changes since
    /// `sent`". A token that moved without any change listed is how Nextcloud
    /// answers a token it does not know (capture 28): not trustworthy.
    pub fn usable_after(&self, sent: &str) -> bool {
        match &self.token {
            None => false,
            Some(t) => t == sent || !self.changed.is_empty() || !self.deleted.is_empty(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::nextcloud::dav::multistatus;

    const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/nextcloud-34/");

    /// (request body, response body) of a capture.
    fn capture(folder: &str, name: &str) -> (String, String) {
        let read = |part: &str| {
            let raw = std::fs::read_to_string(format!("{ROOT}{folder}/{name}.{part}.http"))
                .unwrap()
                .replace("\r\n", "\n");
            raw.split_once("\n\n").unwrap().1.to_string()
        };
        (read("request"), read("response"))
    }

    fn squeeze(xml: &str) -> String {
        xml.lines().map(str::trim).collect()
    }

    const EVENTS: &str = "/remote.php/dav/calendars/admin/fixture-events/";

    #[test]
    fn request_bodies_are_the_captured_ones() {
        let (initial, _) = capture("caldav", "16-sync-collection-initial");
        assert_eq!(squeeze(&sync_collection(None)), squeeze(&initial));
        let (incremental, _) = capture("caldav", "27-sync-collection-incremental");
        let sent = sync_collection(Some("http://sabre.io/ns/sync/4"));
        assert_eq!(squeeze(&sent), squeeze(&incremental));
        let (unknown, _) = capture("caldav", "28-sync-collection-invalid-token");
        let sent = sync_collection(Some("http://sabre.io/ns/sync/999999"));
        assert_eq!(squeeze(&sent), squeeze(&unknown));
        let (cards, _) = capture("carddav", "10-sync-collection-initial");
        assert_eq!(squeeze(&sync_collection(None)), squeeze(&cards));
    }

    #[test]
    fn parses_the_initial_reply() {
        let (_, xml) = capture("caldav", "16-sync-collection-initial");
        let delta = SyncDelta::from_reply(&multistatus::parse(&xml).unwrap(), EVENTS);
        assert_eq!(delta.token.as_deref(), Some("http://sabre.io/ns/sync/4"));
        assert_eq!(delta.changed.len(), 3);
        assert_eq!(
            delta.changed[1],
            (
                format!("{EVENTS}fixture-simple-0001.ics"),
                Some("\"543f3c79de09bef0ceb5046e5596ea77\"".to_string())
            )
        );
        assert!(delta.deleted.is_empty());
    }

    #[test]
    fn parses_changes_and_deletions() {
        let (_, xml) = capture("caldav", "27-sync-collection-incremental");
        let delta = SyncDelta::from_reply(&multistatus::parse(&xml).unwrap(), EVENTS);
        assert_eq!(delta.token.as_deref(), Some("http://sabre.io/ns/sync/6"));
        assert_eq!(
            delta.changed,
            vec![(
                format!("{EVENTS}fixture-simple-0001.ics"),
                Some("\"091fceacc3a0e354112a5d503ce3250c\"".to_string())
            )]
        );
        assert_eq!(
            delta.deleted,
            vec![format!("{EVENTS}fixture-allday-0001.ics")]
        );
        assert!(delta.usable_after("http://sabre.io/ns/sync/4"));
    }

    #[test]
    fn the_unknown_token_reply_is_not_trusted() {
        let (_, xml) = capture("caldav", "28-sync-collection-invalid-token");
        let delta = SyncDelta::from_reply(&multistatus::parse(&xml).unwrap(), EVENTS);
        assert!(delta.changed.is_empty() && delta.deleted.is_empty());
        assert_eq!(delta.token.as_deref(), Some("http://sabre.io/ns/sync/6"));
        assert!(!delta.usable_after("http://sabre.io/ns/sync/999999"));
    }

    #[test]
    fn a_moved_token_without_changes_is_not_usable() {
        let delta = SyncDelta {
            token: Some("http://sabre.io/ns/sync/6".into()),
            ..SyncDelta::default()
        };
        assert!(!delta.usable_after("http://sabre.io/ns/sync/999999"));
        assert!(delta.usable_after("http://sabre.io/ns/sync/6"));
        assert!(!SyncDelta::default().usable_after("x"));
    }
}
