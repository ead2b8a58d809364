//! One contract for every `Store` adapter: each body below runs against a
//! SQLite file and against a real PostgreSQL (see scripts/live/postgres.sh).
//!
//! PostgreSQL comes from NEXTCLOUD_MCP_TEST_POSTGRES_URL; without it the
//! postgres tests are skipped, unless NEXTCLOUD_MCP_LIVE_TESTS=1 (CI), where
//! they fail.

mod app_passwords;
mod fixtures;
pub mod harness;
mod index;
mod index_tiers;
mod leases;
mod migration;
mod state;
mod tokens;
mod vector_walk;
mod vectors;

use fixtures::webhook;
use harness::Harness;
use nextcloud_mcp::adapters::store::open_store;
use nextcloud_mcp::ports::store::StoreError;

macro_rules! contract {
    ($($module:ident :: $name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let h = super::Harness::sqlite();
                    super::$module::$name(&h).await;
                    h.cleanup().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let Some(h) = super::Harness::postgres().await else { return };
                    super::$module::$name(&h).await;
                    h.cleanup().await;
                }
            )*
        }
    };
}

contract!(
    tokens::round_trip,
    tokens::nothing_in_clear,
    tokens::tamper_fails,
    tokens::row_of_other_user_fails,
    tokens::reseal_under_new_key,
    tokens::without_key_tokens_refuse,
    state::pending_is_single_use_and_bound,
    state::a_new_link_replaces_the_earlier_ones,
    state::concurrent_writers,
    state::restart_keeps_data,
    state::audit_newest_first,
    state::webhooks_crud,
    leases::one_refresher_per_grant,
    leases::rotation_is_compare_and_set,
    leases::refused_grant_needs_consent,
    leases::one_wanted_row_per_webhook,
    leases::job_lease_has_one_holder,
    index::keyword_search_ranks_title_matches_first_and_snippets,
    index::owners_never_see_each_other,
    index::filters_narrow_by_app_time_and_path,
    index::replace_delete_and_purge,
    index::sync_state_and_status,
    index_tiers::every_term_ranks_above_some_terms,
    index_tiers::an_exact_word_ranks_above_words_it_starts,
    index_tiers::filters_hold_among_many_matches,
    index_tiers::short_words_never_match_as_prefixes,
    vectors::unembedded_documents_are_listed_per_model,
    vectors::nearest_first_per_owner_and_model,
    vectors::vector_filters_narrow_by_app_time_and_path,
    vectors::replaced_deleted_and_purged_documents_lose_their_vectors,
    vectors::a_small_owner_among_many_gets_its_own_nearest_first,
    vector_walk::a_large_owner_gets_the_exact_nearest_through_the_index,
    migration::replicas_migration_disables_duplicate_webhooks,
    app_passwords::accounts_round_trip_sealed_per_user,
    app_passwords::no_app_password_or_poll_token_in_clear,
    app_passwords::a_sealed_password_opens_only_in_its_row,
    app_passwords::reconnect_mark_and_rotation_are_compare_and_set,
    app_passwords::pending_flows_any_replica_can_finish,
    app_passwords::reseal_covers_accounts_and_pending_flows,
);

#[tokio::test]
async fn sqlite_url_form_and_clear_open_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("via-url.db");
    let store = open_store(&format!("sqlite://{}", path.display()), None)
        .await
        .unwrap();
    store.insert_webhook(&webhook("E")).await.unwrap();
    assert!(path.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "a new database file is private");
    }

    // A path below a regular file cannot be created.
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, b"x").unwrap();
    let bad = blocker.join("state.db");
    let err = open_store(bad.to_str().unwrap(), None)
        .await
        .err()
        .expect("must fail");
    let msg = err.to_string();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    assert!(
        msg.contains("cannot open the SQLite database") && msg.contains("not-a-dir"),
        "{msg}"
    );

    // A file that is not a database fails clearly too.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, vec![0x55u8; 8192]).unwrap();
    let err = open_store(junk.to_str().unwrap(), None)
        .await
        .err()
        .expect("must fail");
    assert!(err.to_string().contains("junk.db"), "{err}");

    let err = open_store("mysql://h/db", None)
        .await
        .err()
        .expect("must fail");
    assert!(
        err.to_string().contains("unsupported store scheme"),
        "{err}"
    );
}

#[tokio::test]
async fn postgres_unreachable_is_a_clear_error_without_password() {
    // Port 1 on loopback: nothing listens there.
    let err = open_store("postgres://mcp:s3cr3t-pw@127.0.0.1:1/mcp", None)
        .await
        .err()
        .expect("must fail");
    let msg = err.to_string();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    assert!(
        msg.contains("127.0.0.1:1/mcp") && !msg.contains("s3cr3t-pw"),
        "{msg}"
    );
}
