//! System tags: list, create, a file's tags, assign, unassign, filter.

use super::*;
use nextcloud_mcp::domain::file_meta::tags::SystemTag;
use nextcloud_mcp::ports::nextcloud::{Change, FileMetaApi, NextcloudError};

fn tag(id: u64, name: &str) -> SystemTag {
    SystemTag {
        id,
        name: name.into(),
        user_visible: true,
        user_assignable: true,
        can_assign: true,
    }
}

#[tokio::test]
async fn lists_tags_and_skips_the_collection() {
    let (server, captures, session) =
        nextcloud_with(&[("systemtags", "26-list-all-tags-after-create")]).await;
    let tags = session.list_system_tags().await.unwrap();
    let received = received_for(&server, &captures[0]).await;
    assert_eq!(header(&received, "depth").as_deref(), Some("1"));

    assert_eq!(tags.len(), 2);
    assert_eq!(tags[0].id, 2);
    assert_eq!(tags[0].name, "fx-admin-only");
    assert!(tags[0].user_visible && !tags[0].user_assignable && tags[0].can_assign);
    assert_eq!(tags[1], tag(1, "fx-urgent-renamed"));
}

#[tokio::test]
async fn an_empty_tag_list_is_sent_as_captured() {
    let (server, captures, session) = nextcloud_with(&[("systemtags", "03-list-all-tags")]).await;
    assert!(session.list_system_tags().await.unwrap().is_empty());
    let received = received_for(&server, &captures[0]).await;
    assert_same_xml(&received, &captures[0]);
}

#[tokio::test]
async fn creates_a_tag_and_reads_its_id_from_content_location() {
    let (server, captures, session) = nextcloud_with(&[("systemtags", "04-create-tag")]).await;
    assert_eq!(session.create_system_tag("fx-urgent").await.unwrap(), 1);
    let received = received_for(&server, &captures[0]).await;
    let sent: serde_json::Value = serde_json::from_slice(&received.body).unwrap();
    let captured: serde_json::Value = serde_json::from_slice(&captures[0].request.body).unwrap();
    assert_eq!(sent, captured);
}

#[tokio::test]
async fn tag_creation_errors_say_what_happened() {
    let (_s, _c, session) = nextcloud_with(&[("systemtags", "05-create-tag-duplicate-409")]).await;
    assert_eq!(
        session.create_system_tag("fx-urgent").await.unwrap_err(),
        NextcloudError::AlreadyExists("tag 'fx-urgent'".into())
    );
    let (_s, _c, session) =
        nextcloud_with(&[("systemtags", "07-create-tag-as-bob-restricted-400")]).await;
    assert_eq!(
        session
            .create_system_tag("fx-bob-restricted")
            .await
            .unwrap_err(),
        NextcloudError::BadRequest("Not sufficient permissions".into())
    );
}

#[tokio::test]
async fn reads_a_files_tags_by_its_file_id() {
    let (server, captures, session) = nextcloud_with(&[("systemtags", "18-file-tags")]).await;
    let tags = session.file_tags(&p(TAGGED)).await.unwrap();
    let received = received_for(&server, &captures[0]).await;
    assert_same_xml(&received, &captures[0]);
    let names: Vec<&str> = tags.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["fx-admin-only", "fx-urgent-renamed"]);
}

#[tokio::test]
async fn assigns_and_reports_an_existing_relation_as_already_so() {
    let (server, captures, session) = nextcloud_with(&[("systemtags", "11-assign-tag")]).await;
    let done = session
        .assign_system_tag(&p(TAGGED), &tag(1, "fx-urgent"))
        .await;
    assert_eq!(done.unwrap(), Change::Done);
    assert!(received_for(&server, &captures[0]).await.body.is_empty());

    let (_s, _c, session) = nextcloud_with(&[("systemtags", "12-assign-tag-again-409")]).await;
    let again = session
        .assign_system_tag(&p(TAGGED), &tag(1, "fx-urgent"))
        .await;
    assert_eq!(again.unwrap(), Change::AlreadySo);
}

#[tokio::test]
async fn an_unknown_tag_is_412_and_reads_as_not_found() {
    let (_s, _c, session) = nextcloud_with(&[("systemtags", "14-assign-unknown-tag-412")]).await;
    let err = session
        .assign_system_tag(&p(TAGGED), &tag(999_999, "ghost"))
        .await
        .unwrap_err();
    assert_eq!(err, NextcloudError::NotFound("tag 'ghost'".into()));

    let (_s, _c, session) = nextcloud_with(&[("systemtags", "22-filter-files-unknown-tag")]).await;
    let err = session
        .files_with_tag(&tag(999_999, "ghost"))
        .await
        .unwrap_err();
    assert_eq!(err, NextcloudError::NotFound("tag 'ghost'".into()));
}

#[tokio::test]
async fn a_restricted_tag_is_forbidden_with_the_servers_reason() {
    // Captured on bob's file 406; the answer is the same for any file.
    let (server, _c, session) = nextcloud_with(&[]).await;
    let refused = load("systemtags", "16-assign-restricted-tag-as-bob-403");
    Mock::given(wiremock::matchers::method("PUT"))
        .and(wiremock::matchers::path(
            "/remote.php/dav/systemtags-relations/files/405/2",
        ))
        .respond_with(refused.response.template())
        .mount(&server)
        .await;
    let err = session
        .assign_system_tag(&p(TAGGED), &tag(2, "fx-admin-only"))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        NextcloudError::Forbidden(Some("No permission to assign tag 2".into()))
    );
}

#[tokio::test]
async fn unassigns_and_reports_a_missing_relation_as_already_so() {
    let (server, captures, session) = nextcloud_with(&[("systemtags", "23-unassign-tag")]).await;
    let done = session
        .unassign_system_tag(&p(TAGGED), &tag(1, "fx-urgent"))
        .await;
    assert_eq!(done.unwrap(), Change::Done);
    received_for(&server, &captures[0]).await;

    let (_s, _c, session) = nextcloud_with(&[("systemtags", "24-unassign-tag-again-404")]).await;
    let again = session
        .unassign_system_tag(&p(TAGGED), &tag(1, "fx-urgent"))
        .await;
    assert_eq!(again.unwrap(), Change::AlreadySo);
}

#[tokio::test]
async fn finds_files_by_tag_with_a_filter_files_report() {
    let (server, captures, session) =
        nextcloud_with(&[("systemtags", "20-filter-files-by-tag")]).await;
    let entries = session.files_with_tag(&tag(1, "fx-urgent")).await.unwrap();
    let received = received_for(&server, &captures[0]).await;
    let sent = xml_body(&received.body);
    assert!(
        sent.contains("<oc:filter-rules><oc:systemtag>1</oc:systemtag></oc:filter-rules>"),
        "{sent}"
    );
    assert!(
        sent.starts_with("<oc:filter-files xmlns:d=\"DAV:\" xmlns:oc=\"http://owncloud.org/ns\"")
    );
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].path, p(TAGGED));
    assert_eq!(entries[0].file_id, Some(405));
    assert_eq!(entries[0].content_type.as_deref(), Some("text/plain"));
}
