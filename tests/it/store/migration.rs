//! The replicas migration on a database an earlier version left with the
//! same webhook recorded more than once: of each (event, filter, uri) it
//! keeps one wanted row (the active one, else the newest) and disables the
//! rest, so the unique index can be built; other rows are left alone.

use std::borrow::Cow;
use std::path::Path;

use nextcloud_mcp::ports::store::WebhookStatus;
use sqlx::Connection as _;
use sqlx::migrate::Migrator;

use super::harness::{Backend, Harness};

/// (nextcloud_id, event, uri, status) as an earlier version wrote them,
/// oldest first.
const SEEDED: &[(Option<i64>, &str, &str, &str)] = &[
    // Two active copies and a pending one: the newest active stays.
    (Some(11), "E1", "https://mcp/a", "active"),
    (Some(12), "E1", "https://mcp/a", "active"),
    (None, "E1", "https://mcp/a", "pending"),
    // Nothing active: the newest wanted row stays, whatever its status.
    (None, "E2", "https://mcp/a", "failed"),
    (None, "E2", "https://mcp/a", "pending"),
    // Already disabled rows are not counted against the active one.
    (Some(16), "E3", "https://mcp/a", "disabled"),
    (Some(17), "E3", "https://mcp/a", "active"),
    // Same event at another receiver: a different webhook.
    (Some(18), "E1", "https://mcp/b", "active"),
];

/// The status of each seeded row, in the same order, after the migration.
const AFTER: &[WebhookStatus] = &[
    WebhookStatus::Disabled,
    WebhookStatus::Active,
    WebhookStatus::Disabled,
    WebhookStatus::Disabled,
    WebhookStatus::Pending,
    WebhookStatus::Disabled,
    WebhookStatus::Active,
    WebhookStatus::Active,
];

/// Every migration before the replicas one, from the adapter's folder.
async fn before_replicas(h: &Harness) -> Migrator {
    let folder = match &h.backend {
        Backend::Sqlite { .. } => "migrations/sqlite",
        Backend::Postgres { .. } => "migrations/postgres",
    };
    let all = Migrator::new(Path::new(env!("CARGO_MANIFEST_DIR")).join(folder))
        .await
        .expect("read migrations");
    let earlier: Vec<_> = all
        .migrations
        .iter()
        .take_while(|m| !m.description.contains("replicas"))
        .cloned()
        .collect();
    assert!(
        !earlier.is_empty() && earlier.len() < all.migrations.len(),
        "the replicas migration follows earlier ones"
    );
    Migrator {
        migrations: Cow::Owned(earlier),
        ..all
    }
}

/// Applies the earlier migrations to the empty database and writes the rows
/// one by one (ids grow with them); answers their ids.
async fn seed(h: &Harness, migrator: &Migrator) -> Vec<i64> {
    let insert = "INSERT INTO webhook_registrations \
        (nextcloud_id, event, filter, uri, created_at, status) \
        VALUES ($1, $2, '{}', $3, 1700000000, $4) RETURNING id";
    macro_rules! run {
        ($conn:expr) => {{
            migrator.run(&mut $conn).await.expect("earlier migrations");
            let mut ids = Vec::new();
            for (nc, event, uri, status) in SEEDED {
                let id: i64 = sqlx::query_scalar(insert)
                    .bind(nc)
                    .bind(event)
                    .bind(uri)
                    .bind(status)
                    .fetch_one(&mut $conn)
                    .await
                    .expect("seed row");
                ids.push(id);
            }
            $conn.close().await.ok();
            ids
        }};
    }
    match &h.backend {
        Backend::Sqlite { path, .. } => {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let url = format!("sqlite://{}?mode=rwc", path.display());
            let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
            run!(c)
        }
        Backend::Postgres { url, .. } => {
            let mut c = sqlx::PgConnection::connect(url).await.unwrap();
            run!(c)
        }
    }
}

pub async fn replicas_migration_disables_duplicate_webhooks(h: &Harness) {
    let ids = seed(h, &before_replicas(h).await).await;
    // Opening the store runs the remaining migrations, as an upgrade does.
    let store = h.open(None).await;
    let rows = store.list_webhooks().await.unwrap();
    let after: Vec<WebhookStatus> = ids
        .iter()
        .map(|id| rows.iter().find(|w| w.id == *id).expect("row kept").status)
        .collect();
    assert_eq!(after, AFTER);
    assert_eq!(rows.len(), SEEDED.len(), "no row is deleted");
    for (id, (nc, ..)) in ids.iter().zip(SEEDED) {
        let row = rows.iter().find(|w| w.id == *id).unwrap();
        assert_eq!(
            row.nextcloud_id, *nc,
            "rows keep their Nextcloud id: {row:?}"
        );
    }
}
