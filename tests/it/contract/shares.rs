//! The sharing adapter against real Nextcloud 34 captures (files_sharing 1.26).

use crate::support::fixtures::{assert_sent_like_capture, replay_capture};
use nextcloud_mcp::domain::path::UserPath;
use nextcloud_mcp::domain::shares::{CivilDate, ShareDraft, SharePatch, ShareQuery, ShareType};
use nextcloud_mcp::ports::nextcloud::{NextcloudError, SharesApi};

const FOLDER: &str = "ocs-shares";

fn path(p: &str) -> UserPath {
    UserPath::parse(p).unwrap()
}

fn draft(p: &str, share_type: ShareType) -> ShareDraft {
    ShareDraft {
        path: path(p),
        share_type,
        share_with: None,
        permissions: None,
        password: None,
        expire_date: None,
        label: None,
        note: None,
    }
}

#[tokio::test]
async fn create_a_public_link_and_a_user_share() {
    let (server, exchange, session) = replay_capture(FOLDER, "01-create-public-link").await;
    let link = session
        .create_share(&ShareDraft {
            permissions: Some(1),
            ..draft("/Fixtures/hello.txt", ShareType::PublicLink)
        })
        .await
        .unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(link.id, 11);
    assert_eq!(link.share_type_name, "public link");
    // The server adds "share" to a link's read permission.
    assert_eq!(link.permissions, 17);
    assert_eq!(link.permission_names, vec!["read", "share"]);
    assert_eq!(
        link.url.as_deref(),
        Some("http://127.0.0.1:8080/index.php/s/CwziT5MM97GWZTN")
    );
    assert_eq!(link.share_with, None);

    let (server, exchange, session) = replay_capture(FOLDER, "02-create-user-share").await;
    let share = session
        .create_share(&ShareDraft {
            share_with: Some("alice".into()),
            permissions: Some(31),
            ..draft("/Fixtures", ShareType::User)
        })
        .await
        .unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(share.share_with.as_deref(), Some("alice"));
    assert_eq!(
        share.share_with_displayname.as_deref(),
        Some("Alice Fixture")
    );
    assert_eq!(share.permission_names.len(), 5);
    assert_eq!(share.item_type, "folder");
}

#[tokio::test]
async fn lists_mine_by_path_subfiles_and_shared_with_me() {
    let (server, exchange, session) = replay_capture(FOLDER, "04-list-mine").await;
    let shares = session.list_shares(&ShareQuery::default()).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(
        shares.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![12, 11, 13]
    );
    assert_eq!(shares[2].label, "form encoded");

    let (server, exchange, session) = replay_capture(FOLDER, "05-list-by-path").await;
    let query = ShareQuery {
        path: Some(path("Fixtures")),
        reshares: true,
        ..ShareQuery::default()
    };
    let shares = session.list_shares(&query).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(shares.len(), 1);

    let (server, exchange, session) = replay_capture(FOLDER, "06-list-subfiles").await;
    let query = ShareQuery {
        path: Some(path("/Fixtures")),
        subfiles: true,
        ..ShareQuery::default()
    };
    let shares = session.list_shares(&query).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(shares.len(), 2);

    let (server, exchange, session) = replay_capture(FOLDER, "07-list-shared-with-me-alice").await;
    let query = ShareQuery {
        shared_with_me: true,
        ..ShareQuery::default()
    };
    let shares = session.list_shares(&query).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(shares[0].owner, "admin");
}

#[tokio::test]
async fn get_reads_a_share_wrapped_in_a_list() {
    let (server, exchange, session) = replay_capture(FOLDER, "08-get").await;
    let share = session.get_share(11).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(share.path, "/Fixtures/hello.txt");
    assert!(!share.has_password);
}

#[tokio::test]
async fn updates_send_only_the_changed_fields() {
    let (server, exchange, session) = replay_capture(FOLDER, "09-update-password").await;
    let patch = SharePatch {
        password: Some("Fixture-Link-Pass-2026!".into()),
        ..SharePatch::default()
    };
    let share = session.update_share(11, &patch).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert!(share.has_password);
    // A link's share_with carries the password hash and is never passed on.
    assert_eq!(share.share_with, None);

    let (server, exchange, session) = replay_capture(FOLDER, "10-update-expiry").await;
    let patch = SharePatch {
        expire_date: Some(CivilDate::new(2026, 12, 31).unwrap().to_string()),
        ..SharePatch::default()
    };
    let share = session.update_share(11, &patch).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(share.expiration.as_deref(), Some("2026-12-31 23:59:59"));

    let (server, exchange, session) = replay_capture(FOLDER, "11-update-label-note").await;
    let patch = SharePatch {
        label: Some("Fixture link".into()),
        note: Some("read me".into()),
        ..SharePatch::default()
    };
    let share = session.update_share(11, &patch).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(
        (share.label.as_str(), share.note.as_str()),
        ("Fixture link", "read me")
    );

    let (server, exchange, session) =
        replay_capture(FOLDER, "13-update-user-share-permissions").await;
    let patch = SharePatch {
        permissions: Some(1),
        ..SharePatch::default()
    };
    let share = session.update_share(12, &patch).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(share.permission_names, vec!["read"]);
}

#[tokio::test]
async fn errors_keep_the_server_reason() {
    // Nextcloud answers a past expiry with 404; it is the request's fault.
    let (server, exchange, session) = replay_capture(FOLDER, "12-update-expiry-past-404").await;
    let patch = SharePatch {
        expire_date: Some("2020-01-01".into()),
        ..SharePatch::default()
    };
    let err = session.update_share(11, &patch).await.unwrap_err();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(
        err,
        NextcloudError::BadRequest("Expiration date is in the past".into())
    );

    let (server, exchange, session) = replay_capture(FOLDER, "14-create-missing-path-404").await;
    let err = session
        .create_share(&draft("/does-not-exist.txt", ShareType::PublicLink))
        .await
        .unwrap_err();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(err, NextcloudError::NotFound("/does-not-exist.txt".into()));
    assert_eq!(err.to_string(), "/does-not-exist.txt does not exist");

    let (_server, _exchange, session) = replay_capture(FOLDER, "17-get-deleted-404").await;
    assert_eq!(
        session.get_share(11).await.unwrap_err(),
        NextcloudError::NotFound("share 11".into())
    );
}

#[tokio::test]
async fn delete_and_sharee_search() {
    for (name, id) in [("16-delete", 11), ("18-delete-user-share", 12)] {
        let (server, exchange, session) = replay_capture(FOLDER, name).await;
        session.delete_share(id).await.unwrap();
        assert_sent_like_capture(&server, &exchange).await;
    }

    let (server, exchange, session) = replay_capture(FOLDER, "15-sharees-search").await;
    let sharees = session.find_sharees("ali", 25).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(sharees.len(), 1);
    assert_eq!(sharees[0].label, "Alice Fixture");
    assert_eq!(sharees[0].share_with, "alice");
    assert_eq!(sharees[0].share_type_name, "user");
}
