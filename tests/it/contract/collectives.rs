//! The Collectives adapter against captures of Collectives 4.5.0: every
//! request shape is sent as captured, every reply (errors included) is read.

use crate::support::fixtures::{assert_sent_like_capture, replay_capture};
use nextcloud_mcp::domain::collectives::page_tree;
use nextcloud_mcp::ports::nextcloud::{CollectivesApi, NextcloudError, PagePlacement};

const C: &str = "collectives";

macro_rules! replay {
    ($name:literal, |$s:ident| $call:expr) => {{
        let (server, exchange, $s) = replay_capture(C, $name).await;
        let out = $call.await;
        assert_sent_like_capture(&server, &exchange).await;
        out
    }};
}

#[tokio::test]
async fn collectives_are_listed_created_and_changed() {
    assert!(
        replay!("01-collectives-list-empty", |s| s.list_collectives())
            .unwrap()
            .is_empty()
    );
    let created = replay!("02-collective-create", |s| s
        .create_collective("fx-Handbook", Some("📘".into())))
    .unwrap();
    assert_eq!((created.id, created.label()), (1, "📘 fx-Handbook".into()));
    assert!(created.can_edit && created.trashed_at.is_none());

    let dup = replay!("03-collective-create-duplicate", |s| s
        .create_collective("fx-Handbook", None))
    .unwrap_err();
    assert_eq!(
        dup.to_string(),
        "a collective named 'fx-Handbook' already exists"
    );

    let list = replay!("04-collectives-list", |s| s.list_collectives()).unwrap();
    assert_eq!(list.len(), 1);
    let changed = replay!("05-collective-set-emoji", |s| s
        .set_collective_emoji(1, Some("📗".into())))
    .unwrap();
    assert_eq!(changed.emoji.as_deref(), Some("📗"));
}

#[tokio::test]
async fn pages_are_created_read_and_form_a_tree() {
    let pages = replay!("06-pages-list", |s| s.list_pages(1)).unwrap();
    assert_eq!(pages[0].title, "Landing page");
    assert_eq!(pages[0].parent_id, 0);
    assert_eq!(
        pages[0].file_path().unwrap().to_string(),
        "/.Collectives/fx-Handbook/Readme.md"
    );

    let page = replay!("07-page-create", |s| s.create_page(
        1,
        421,
        "fx-Getting started"
    ))
    .unwrap();
    assert_eq!((page.id, page.parent_id), (423, 421));
    replay!("08-page-create-second", |s| s.create_page(
        1,
        421,
        "fx-Policies"
    ))
    .unwrap();
    let sub = replay!("09-page-create-subpage", |s| s.create_page(
        1,
        423,
        "fx-Install notes"
    ))
    .unwrap();
    assert_eq!(
        sub.file_path().unwrap().to_string(),
        "/.Collectives/fx-Handbook/fx-Getting started/fx-Install notes.md"
    );
    let orphan = replay!("10-page-create-unknown-parent", |s| s.create_page(
        1,
        999999,
        "fx-Orphan"
    ))
    .unwrap_err();
    assert_eq!(
        orphan,
        NextcloudError::NotFound("parent page 999999 in collective 1".into())
    );

    // With a subpage, the page's file became its folder's Readme.md.
    let parent = replay!("11-page-get", |s| s.get_page(1, 423)).unwrap();
    assert_eq!(
        parent.file_path().unwrap().to_string(),
        "/.Collectives/fx-Handbook/fx-Getting started/Readme.md"
    );
    assert_eq!(parent.subpage_order, [426]);
    let missing = replay!("12-page-get-unknown", |s| s.get_page(1, 999999)).unwrap_err();
    assert_eq!(
        missing.to_string(),
        "page 999999 in collective 1 does not exist"
    );
    let gone = replay!("13-pages-list-unknown-collective", |s| s.list_pages(999999)).unwrap_err();
    assert!(matches!(gone, NextcloudError::NotFound(_)), "{gone}");
    // A non-member gets the same 404 ("Circle not found").
    let stranger = replay!("14-pages-list-as-bob", |s| s.list_pages(1)).unwrap_err();
    assert_eq!(
        stranger.to_string(),
        "collective 1 (or you are not a member of it) does not exist"
    );

    let after = replay!("18-page-get-after-write", |s| s.get_page(1, 424)).unwrap();
    assert_eq!(after.size, 70);

    let listed = replay!("33-pages-list-with-tag", |s| s.list_pages(1)).unwrap();
    let tree = page_tree(&listed);
    assert_eq!(tree.len(), 1);
    let top: Vec<u64> = tree[0].subpages.iter().map(|n| n.page.id).collect();
    assert_eq!(top, [424, 427, 423], "the landing page's subpage order");
    assert_eq!(tree[0].subpages[2].subpages[0].page.id, 426);
    assert_eq!(listed.iter().find(|p| p.id == 424).unwrap().tags, [1]);
}

#[tokio::test]
async fn emoji_move_and_copy() {
    let set = replay!("19-page-set-emoji", |s| s.set_page_emoji(
        1,
        424,
        Some("📜".into())
    ))
    .unwrap();
    assert_eq!(set.label(), "📜 fx-Policies");
    let unset = replay!("20-page-unset-emoji", |s| s.set_page_emoji(1, 424, None)).unwrap();
    assert_eq!(unset.emoji, None);

    let copy = PagePlacement {
        parent_id: Some(423),
        title: Some("fx-Policies copy".into()),
        index: Some(0),
        copy: true,
    };
    let copied = replay!("22-page-copy", |s| s.place_page(1, 424, &copy)).unwrap();
    assert_eq!((copied.id, copied.parent_id), (427, 423));
    assert_eq!(copied.emoji.as_deref(), Some("📜"));
    let rename = PagePlacement {
        parent_id: Some(421),
        title: Some("fx-Policies (archived)".into()),
        index: Some(1),
        copy: false,
    };
    let moved = replay!("23-page-move-rename", |s| s.place_page(1, 427, &rename)).unwrap();
    assert_eq!(moved.title, "fx-Policies (archived)");
    let below_itself = PagePlacement {
        parent_id: Some(426),
        ..Default::default()
    };
    let refused = replay!("24-page-move-into-own-subpage", |s| s.place_page(
        1,
        423,
        &below_itself
    ))
    .unwrap_err();
    assert_eq!(
        refused,
        NextcloudError::Forbidden(Some(
            "Not allowed to move or copy a page to a subpage of itself".into()
        ))
    );
}

#[tokio::test]
async fn tags_are_created_and_assigned() {
    assert!(
        replay!("25-tags-list-empty", |s| s.list_tags(1))
            .unwrap()
            .is_empty()
    );
    let tag = replay!("26-tag-create", |s| s.create_tag(1, "fx-draft", "0082c9")).unwrap();
    assert_eq!((tag.id, tag.color.as_str()), (1, "0082c9"));
    let bad = replay!("27-tag-create-hash-color", |s| s
        .create_tag(1, "fx-bad", "#ff0000"))
    .unwrap_err();
    assert_eq!(
        bad,
        NextcloudError::BadRequest("Collective color is not valid: #ff0000".into())
    );
    let dup = replay!("28-tag-create-duplicate", |s| s
        .create_tag(1, "fx-draft", "00ff00"))
    .unwrap_err();
    assert_eq!(
        dup,
        NextcloudError::AlreadyExists("a tag named 'fx-draft' in collective 1".into())
    );
    assert_eq!(
        replay!("29-tags-list", |s| s.list_tags(1)).unwrap()[0].name,
        "fx-draft"
    );

    let tagged = replay!("30-page-tag-assign", |s| s.assign_tag(1, 424, 1)).unwrap();
    assert_eq!(tagged.tags, [1]);
    let again = replay!("31-page-tag-assign-again", |s| s.assign_tag(1, 424, 1)).unwrap();
    assert_eq!(again.tags, [1]);
    let unknown = replay!("32-page-tag-assign-unknown", |s| s
        .assign_tag(1, 424, 999999))
    .unwrap_err();
    assert_eq!(
        unknown.to_string(),
        "tag 999999 or page 424 in collective 1 does not exist"
    );
    let off = replay!("34-page-tag-remove", |s| s.remove_tag(1, 424, 1)).unwrap();
    assert!(off.tags.is_empty());
    let off_again = replay!("35-page-tag-remove-again", |s| s.remove_tag(1, 424, 1)).unwrap();
    assert!(off_again.tags.is_empty());
}

#[tokio::test]
async fn search_finds_nothing_until_the_index_job_ran() {
    assert!(
        replay!("36-page-search", |s| s.search_pages(1, "throwaway"))
            .unwrap()
            .is_empty()
    );
    assert!(
        replay!("37-page-search-title", |s| s.search_pages(1, "Policies"))
            .unwrap()
            .is_empty()
    );
    let found = replay!("40-page-search-after-index", |s| s
        .search_pages(1, "throwaway"))
    .unwrap();
    assert_eq!(found.iter().map(|p| p.id).collect::<Vec<_>>(), [424, 427]);
    // Titles are not in the index.
    assert!(
        replay!("41-page-search-title-after-index", |s| s
            .search_pages(1, "Policies"))
        .unwrap()
        .is_empty()
    );
}

#[tokio::test]
async fn pages_go_to_the_trash_and_back() {
    assert!(
        replay!("42-pages-trash-list-empty", |s| s.list_trashed_pages(1))
            .unwrap()
            .is_empty()
    );
    let trashed = replay!("43-page-trash", |s| s.trash_page(1, 427)).unwrap();
    assert_eq!(trashed.trashed_at, Some(1796597295));
    let again = replay!("44-page-trash-again", |s| s.trash_page(1, 427)).unwrap_err();
    assert!(matches!(again, NextcloudError::NotFound(_)), "{again}");
    let bin = replay!("45-pages-trash-list", |s| s.list_trashed_pages(1)).unwrap();
    assert_eq!(bin[0].id, 427);
    // In the trash the page has no collective folder, so no file to read.
    assert!(bin[0].file_path().is_err());
    let listed = replay!("46-pages-list-after-trash", |s| s.list_pages(1)).unwrap();
    assert!(listed.iter().all(|p| p.id != 427));
    let restored = replay!("47-page-restore", |s| s.restore_page(1, 427)).unwrap();
    assert_eq!(restored.trashed_at, None);
    let not_there =
        replay!("48-page-restore-not-in-trash", |s| s.restore_page(1, 427)).unwrap_err();
    assert_eq!(
        not_there.to_string(),
        "page 427 in collective 1 in the trash does not exist"
    );
    replay!("49-page-trash-for-delete", |s| s.trash_page(1, 427)).unwrap();
    replay!("50-page-trash-delete", |s| s.delete_page(1, 427)).unwrap();
}

#[tokio::test]
async fn collectives_are_deleted_only_from_the_trash() {
    assert!(
        replay!("51-collectives-trash-list-empty", |s| s
            .list_trashed_collectives())
        .unwrap()
        .is_empty()
    );
    let trashed = replay!("52-collective-trash", |s| s.trash_collective(1)).unwrap();
    assert!(trashed.trashed_at.is_some());
    assert!(
        replay!("53-collectives-list-after-trash", |s| s.list_collectives())
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        replay!("54-collectives-trash-list", |s| s
            .list_trashed_collectives())
        .unwrap()[0]
            .id,
        1
    );
    let closed = replay!("55-pages-list-trashed-collective", |s| s.list_pages(1)).unwrap_err();
    assert!(matches!(closed, NextcloudError::NotFound(_)), "{closed}");
    let restored = replay!("56-collective-restore", |s| s.restore_collective(1)).unwrap();
    assert_eq!(restored.trashed_at, None);
    let not_trashed = replay!("57-collective-restore-not-trashed", |s| s
        .restore_collective(1))
    .unwrap_err();
    assert_eq!(
        not_trashed,
        NextcloudError::NotFound("collective 1 in the trash".into())
    );
    let refused = replay!("58-collective-delete-not-trashed", |s| s
        .delete_collective(1, false))
    .unwrap_err();
    assert_eq!(
        refused,
        NextcloudError::NotFound("collective 1 in the trash".into())
    );
    replay!("59-collective-trash-again", |s| s.trash_collective(1)).unwrap();
    let deleted = replay!("60-collective-delete", |s| s.delete_collective(1, true)).unwrap();
    assert_eq!(deleted.id, 1);
    assert!(
        replay!("61-collectives-trash-list-after-delete", |s| s
            .list_trashed_collectives())
        .unwrap()
        .is_empty()
    );
    let unknown = replay!("62-collective-trash-unknown", |s| s
        .trash_collective(999999))
    .unwrap_err();
    assert!(matches!(unknown, NextcloudError::NotFound(_)), "{unknown}");
}

#[tokio::test]
async fn a_bare_400_without_an_envelope_is_a_plain_refusal() {
    use crate::support::fixtures::load;
    use wiremock::MockServer;
    use wiremock::matchers::{method, path};
    // collectives/38: a missing parameter answers 400 with an empty HTML body.
    let server = MockServer::start().await;
    wiremock::Mock::given(method("GET"))
        .and(path(
            "/ocs/v2.php/apps/collectives/api/v1.0/collectives/1/search",
        ))
        .respond_with(load(C, "38-page-search-missing-param").response.template())
        .mount(&server)
        .await;
    let error = crate::support::fixtures::admin_session(&server)
        .search_pages(1, "x")
        .await
        .unwrap_err();
    assert!(matches!(error, NextcloudError::BadRequest(_)), "{error}");
    assert!(!error.to_string().contains('<'), "{error}");
}
