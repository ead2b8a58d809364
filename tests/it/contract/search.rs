//! The unified search adapter against real Nextcloud 34 captures.

use crate::support::fixtures::{assert_sent_like_capture, replay_capture};
use nextcloud_mcp::domain::search::SearchQuery;
use nextcloud_mcp::ports::nextcloud::{NextcloudError, SearchApi};

const FOLDER: &str = "unified-search";

fn query(term: &str, limit: Option<u32>, cursor: Option<&str>) -> SearchQuery {
    SearchQuery {
        term: term.into(),
        limit,
        cursor: cursor.map(str::to_string),
    }
}

#[tokio::test]
async fn providers_are_listed() {
    let (server, exchange, session) = replay_capture(FOLDER, "01-providers").await;
    let providers = session.list_search_providers().await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    let ids: Vec<&str> = providers.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids.len(), 9);
    assert!(ids.contains(&"files") && ids.contains(&"search-deck-card-board"));
    let deck = providers
        .iter()
        .find(|p| p.id == "search-deck-comment")
        .unwrap();
    assert_eq!(
        (deck.app_id.as_str(), deck.name.as_str()),
        ("deck", "Card comments")
    );
}

#[tokio::test]
async fn files_search_pages_with_a_cursor() {
    let (server, exchange, session) = replay_capture(FOLDER, "02-search-files").await;
    let page = session
        .search_provider("files", &query("hello", None, None))
        .await
        .unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(page.entries.len(), 2);
    assert_eq!(page.entries[0].title, "hello.txt");
    assert_eq!(page.entries[0].subline, "in Fixtures");
    assert_eq!(
        page.entries[0].resource_url,
        "http://127.0.0.1:8080/index.php/f/228"
    );
    // Nextcloud answers a cursor (5) although 2 entries of the default 5 are
    // all there is: no "more" is offered.
    assert_eq!(page.cursor, None);

    let (server, exchange, session) = replay_capture(FOLDER, "03-search-files-page-1").await;
    let first = session
        .search_provider("files", &query("txt", Some(2), None))
        .await
        .unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(first.entries[0].title, "Grüße aus Köln & #more.txt");
    assert_eq!(first.cursor.as_deref(), Some("2"));

    let (server, exchange, session) = replay_capture(FOLDER, "04-search-files-page-2").await;
    let second = session
        .search_provider("files", &query("txt", Some(2), first.cursor.as_deref()))
        .await
        .unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(second.entries[0].title, "hello.txt");
    assert_eq!(second.cursor.as_deref(), Some("4"));
}

#[tokio::test]
async fn unpaginated_providers_have_no_cursor() {
    let (server, exchange, session) = replay_capture(FOLDER, "05-search-notes").await;
    let page = session
        .search_provider("notes", &query("Meeting", None, None))
        .await
        .unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(page.name, "Notes");
    assert!(!page.is_paginated && page.cursor.is_none());
    assert_eq!(page.entries[0].subline, "Standup: nothing blocked.");

    let (server, exchange, session) = replay_capture(FOLDER, "06-search-deck-cards").await;
    let page = session
        .search_provider("search-deck-card-board", &query("Fixture", None, None))
        .await
        .unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(
        page.entries[0].resource_url,
        "http://127.0.0.1:8080/index.php/apps/deck/board/6"
    );
}

#[tokio::test]
async fn an_unknown_provider_is_a_bad_request_not_an_outage() {
    let (server, exchange, session) =
        replay_capture(FOLDER, "07-search-unknown-provider-500").await;
    let err = session
        .search_provider("nope", &query("x", None, None))
        .await
        .unwrap_err();
    assert_sent_like_capture(&server, &exchange).await;
    match err {
        NextcloudError::BadRequest(message) => {
            assert!(message.contains("'nope' does not exist"), "{message}");
            assert!(message.contains("nc_search_list_providers"), "{message}");
        }
        other => panic!("expected a bad request, got {other:?}"),
    }
}
