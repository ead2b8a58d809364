//! Cookbook settings, reindex and the delete check against real
//! Cookbook 0.11.9 captures: settings changes send only the changed keys,
//! and a missing recipe is "not found" (its DELETE cannot tell).

use crate::support::fixtures::{assert_sent_like_capture, replay_capture};
use nextcloud_mcp::domain::cookbook::ConfigPatch;
use nextcloud_mcp::ports::nextcloud::{CookbookApi, NextcloudError};

const FOLDER: &str = "cookbook";

#[tokio::test]
async fn settings_are_read_and_changed_key_by_key() {
    let (server, exchange, session) = replay_capture(FOLDER, "02-config-get").await;
    let config = session.get_config().await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(config.folder.as_deref(), Some("/Recipes"));
    assert_eq!(
        (config.update_interval, config.print_image),
        (Some(5), Some(true))
    );

    let (server, exchange, session) = replay_capture(FOLDER, "23-config-set").await;
    let patch = ConfigPatch::parse(None, Some(10), Some(false)).unwrap();
    session.set_config(&patch).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;

    let (server, exchange, session) = replay_capture(FOLDER, "24-config-get-after-set").await;
    let config = session.get_config().await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(
        (config.update_interval, config.print_image),
        (Some(10), Some(false))
    );
}

#[tokio::test]
async fn reindex_is_a_bodiless_post() {
    let (server, exchange, session) = replay_capture(FOLDER, "26-reindex").await;
    session.reindex().await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
}

#[tokio::test]
async fn the_delete_check_reads_the_recipe_first() {
    // The check a delete relies on: an unknown id is NotFound...
    let (server, exchange, session) = replay_capture(FOLDER, "12-recipe-get-unknown").await;
    let err = session.get_recipe(999999).await.unwrap_err();
    assert_sent_like_capture(&server, &exchange).await;
    assert!(matches!(err, NextcloudError::NotFound(_)), "{err:?}");

    // ...while the DELETE of an id that is gone answers success.
    let (server, exchange, session) = replay_capture(FOLDER, "34-recipe-delete-unknown").await;
    session.delete_recipe(396).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
}
