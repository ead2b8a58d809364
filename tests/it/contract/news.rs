//! The News adapter against captures of News 28.7.0: every request shape is
//! sent as captured, every reply is read, and no error message carries the
//! SQL text or HTML page News answers with.

use crate::support::fixtures::{admin_session, assert_sent_like_capture, load, replay_capture};
use nextcloud_mcp::domain::news::{FeedDraft, ItemQuery, ItemSelection, take_page};
use nextcloud_mcp::ports::nextcloud::{NewsApi, NextcloudError};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

const N: &str = "news";

macro_rules! replay {
    ($name:literal, |$s:ident| $call:expr) => {{
        let (server, exchange, $s) = replay_capture(N, $name).await;
        let out = $call.await;
        assert_sent_like_capture(&server, &exchange).await;
        out
    }};
}

fn query(
    selection: ItemSelection,
    unread_only: bool,
    limit: u32,
    before: Option<u64>,
) -> ItemQuery {
    ItemQuery {
        selection,
        unread_only,
        limit,
        before_id: before,
    }
}

/// Whether an error's text shows what News put in its reply body.
fn leaks(error: &NextcloudError) -> bool {
    let text = error.to_string();
    [
        "SELECT",
        "PREFIX",
        "query",
        "<html",
        "DOCTYPE",
        "Request ID",
    ]
    .iter()
    .any(|m| text.contains(m))
}

#[tokio::test]
async fn status_folders_and_feeds() {
    let status = replay!("02-status", |s| s.news_status()).unwrap();
    assert_eq!(status.version, "28.7.0");
    assert!(status.warnings().is_empty());
    assert!(
        replay!("03-folders-list-empty", |s| s.list_news_folders())
            .unwrap()
            .is_empty()
    );
    let empty = replay!("04-feeds-list-empty", |s| s.list_feeds()).unwrap();
    assert!(empty.feeds.is_empty() && empty.newest_item_id.is_none());
    let folders = replay!("09-folders-list", |s| s.list_news_folders()).unwrap();
    assert_eq!(folders.len(), 3);
    assert_eq!(folders[2].name, "fx-Technology");

    let feeds = replay!("17-feeds-list", |s| s.list_feeds()).unwrap();
    assert_eq!(feeds.feeds.len(), 3);
    assert_eq!(feeds.newest_item_id, Some(8));
    let atom = &feeds.feeds[0];
    assert_eq!((atom.id, atom.folder_id, atom.unread_count), (2, None, 2));
    assert!(atom.health().healthy);

    let sick = replay!("51-feeds-list-health", |s| s.list_feeds()).unwrap();
    let broken = sick.feeds.iter().find(|f| f.id == 3).unwrap().health();
    assert!(!broken.healthy);
    assert_eq!(broken.update_error_count, 2);
    assert_eq!(
        broken.last_update_error.as_deref(),
        Some("No parser can handle this stream")
    );
}

#[tokio::test]
async fn feeds_are_added_and_refused_with_reasons() {
    let ip = FeedDraft::new("http://127.0.0.1:28091/feed.xml", Some(1)).unwrap();
    assert_eq!(
        replay!("10-feed-create-ip-address", |s| s.add_feed(&ip)).unwrap(),
        (1, "fx-Fixture Feed".into())
    );
    let root = FeedDraft::new("http://localhost:28091/atom.xml", None).unwrap();
    assert_eq!(
        replay!("11-feed-create-localhost", |s| s.add_feed(&root))
            .unwrap()
            .0,
        2
    );

    let dup = FeedDraft::new("http://127.0.0.1:28091/feed.xml", None).unwrap();
    let error = replay!("13-feed-create-duplicate", |s| s.add_feed(&dup)).unwrap_err();
    assert!(matches!(error, NextcloudError::AlreadyExists(_)));
    assert!(error.to_string().contains("already subscribed"), "{error}");

    let missing = FeedDraft::new("http://localhost:28091/missing.xml", None).unwrap();
    let error = replay!("14-feed-create-not-found", |s| s.add_feed(&missing)).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("could not read a feed at http://localhost:28091/missing.xml"),
        "{error}"
    );
    let log = FeedDraft::new("http://localhost:28091/http.log", None).unwrap();
    let error = replay!("15-feed-create-not-a-feed", |s| s.add_feed(&log)).unwrap_err();
    assert!(error.to_string().contains("not a XML stream"), "{error}");

    let folder = FeedDraft::new("http://localhost:28091/feed.xml?x=1", Some(999999)).unwrap();
    let error = replay!("16-feed-create-unknown-folder", |s| s.add_feed(&folder)).unwrap_err();
    assert!(!leaks(&error), "{error}");
    assert!(error.to_string().contains("folder 999999"), "{error}");

    replay!("59-feed-delete", |s| s.remove_feed(3)).unwrap();
    let again = replay!("60-feed-delete-again", |s| s.remove_feed(3)).unwrap_err();
    assert_eq!(again, NextcloudError::NotFound("news feed 3".into()));
    assert!(!leaks(&again));
    let foreign = replay!("56-feed-delete-as-bob", |s| s.remove_feed(1)).unwrap_err();
    assert!(matches!(foreign, NextcloudError::NotFound(_)) && !leaks(&foreign));
}

#[tokio::test]
async fn items_page_by_id_and_filter() {
    let q = query(ItemSelection::All, false, 2, Some(7));
    let page = replay!("20-items-all-page-2", |s| s.list_items(&q)).unwrap();
    assert_eq!(page.iter().map(|i| i.id).collect::<Vec<_>>(), [6, 5]);
    let (shown, next) = take_page(page, &q, 1);
    assert_eq!((shown.len(), next), (1, Some(6)));

    let feed = replay!("21-items-feed", |s| s.list_items(&query(
        ItemSelection::Feed(1),
        false,
        10,
        None
    )))
    .unwrap();
    assert!(feed.iter().all(|i| i.feed_id == 1));
    let folder = replay!("22-items-folder", |s| s.list_items(&query(
        ItemSelection::Folder(1),
        false,
        10,
        None
    )))
    .unwrap();
    assert!(!folder.is_empty());

    // Unread: `getRead=false` on the "all" list, as News allows it only there.
    let unread = replay!("29-items-unread-via-getread", |s| s.list_items(&query(
        ItemSelection::All,
        true,
        20,
        None
    )))
    .unwrap();
    assert!(unread.iter().all(|i| i.unread));
    let starred = replay!("30-items-starred", |s| s.list_items(&query(
        ItemSelection::Starred,
        false,
        20,
        None
    )))
    .unwrap();
    assert_eq!(starred[0].id, 2);
    assert!(starred[0].starred);
    assert_eq!(
        starred[0].enclosure_link.as_deref(),
        Some("http://localhost:28091/media/clip.mp3")
    );
    // Starred and unread: News refuses getRead=false there, so it is not sent.
    let starred_unread = replay!("30-items-starred", |s| s.list_items(&query(
        ItemSelection::Starred,
        true,
        20,
        None
    )))
    .unwrap();
    assert_eq!(starred_unread.len(), 1);
}

#[tokio::test]
async fn the_refusal_news_sends_as_200_is_an_error() {
    // news/28: type 6 with getRead=false; the adapter never sends it, but
    // should News answer so, the list is not taken for empty.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/index.php/apps/news/api/v1-3/items"))
        .respond_with(load(N, "28-items-unread").response.template())
        .mount(&server)
        .await;
    let error = admin_session(&server)
        .list_items(&query(ItemSelection::All, true, 20, None))
        .await
        .unwrap_err();
    assert_eq!(
        error,
        NextcloudError::BadRequest(
            "Setting getRead on an already filtered list is not allowed!".into()
        )
    );
}

#[tokio::test]
async fn one_item_is_read_through_the_list() {
    let item = replay!("23-item-one-by-offset", |s| s.get_item(3))
        .unwrap()
        .unwrap();
    assert_eq!(item.title, "fx-First post");
    assert_eq!(
        item.author.as_deref(),
        Some("editor@example.org (Fixture Editor)")
    );
    // The same reply for id 4 holds item 3: item 4 does not exist.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/index.php/apps/news/api/v1-3/items"))
        .respond_with(load(N, "23-item-one-by-offset").response.template())
        .mount(&server)
        .await;
    assert_eq!(admin_session(&server).get_item(4).await.unwrap(), None);
}

#[tokio::test]
async fn items_are_marked_one_by_one_or_together() {
    replay!("24-item-read", |s| s.set_items_read(&[3], true)).unwrap();
    replay!("26-item-star", |s| s.set_items_starred(&[2], true)).unwrap();
    replay!("33-item-unread", |s| s.set_items_read(&[3], false)).unwrap();
    replay!("34-item-unstar", |s| s.set_items_starred(&[2], false)).unwrap();
    replay!("35-items-read-multiple", |s| s
        .set_items_read(&[3, 2], true))
    .unwrap();
    replay!("38-items-unread-multiple", |s| s
        .set_items_read(&[3, 2], false))
    .unwrap();

    // Unknown ids and other users' items: 404 with a SQL text, never shown.
    let unknown = replay!("25-item-read-unknown", |s| s
        .set_items_read(&[999999], true))
    .unwrap_err();
    assert_eq!(unknown, NextcloudError::NotFound("news item 999999".into()));
    let unknown = replay!("27-item-star-unknown", |s| s
        .set_items_starred(&[999999], true))
    .unwrap_err();
    assert!(matches!(unknown, NextcloudError::NotFound(_)) && !leaks(&unknown));
    let foreign = replay!("55-item-star-as-bob", |s| s.set_items_starred(&[3], true)).unwrap_err();
    assert!(matches!(foreign, NextcloudError::NotFound(_)) && !leaks(&foreign));
}

#[tokio::test]
async fn no_credentials_and_admin_only_routes() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/index.php/apps/news/api/v1-3/feeds"))
        .respond_with(load(N, "58-no-auth").response.template())
        .mount(&server)
        .await;
    assert_eq!(
        admin_session(&server).list_feeds().await.unwrap_err(),
        NextcloudError::CredentialRejected
    );
}
