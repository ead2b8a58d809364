//! The background index sync end to end: a server syncing a stand-in
//! Nextcloud's documents into its index, searched through the MCP tools.

mod backoff;
mod by_meaning;
mod dav;
mod login_flow;
#[cfg(feature = "embeddings-onnx")]
mod model;
mod offline_access;
mod stand_in;

use std::time::Duration;

use crate::support::e2e::*;
use crate::support::oauth::OAuthWorld;
use nextcloud_mcp::app::config::SyncConfig;
use nextcloud_mcp::domain::index::DocApp;
use serde_json::{Value, json};

/// The hits of a search for `query` in the default mode.
async fn hits(client: &Client, query: &str) -> Vec<Value> {
    let out = assert_ok(
        "nc_semantic_search",
        &call(client, "nc_semantic_search", json!({"query": query})).await,
    );
    out["results"].as_array().unwrap().clone()
}

/// "app:title" of each hit.
fn titles(hits: &[Value]) -> Vec<String> {
    hits.iter()
        .map(|h| {
            format!(
                "{}:{}",
                h["app"].as_str().unwrap(),
                h["title"].as_str().unwrap()
            )
        })
        .collect()
}

/// "app:title" of each hit of a search for `query`.
async fn found(client: &Client, query: &str) -> Vec<String> {
    titles(&hits(client, query).await)
}

/// Polls until `query` gives `want` (as "app:title"); answers those hits.
/// A guard against a hang, not a timing assertion.
async fn eventually(client: &Client, query: &str, want: &[&str]) -> Vec<Value> {
    let mut got = Vec::new();
    for _ in 0..300 {
        got = hits(client, query).await;
        if titles(&got) == want {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("'{query}': wanted {want:?}, got {:?}", titles(&got));
}

/// A sync of `apps` every second, without an embedding model.
fn syncing(apps: Vec<DocApp>) -> SyncConfig {
    SyncConfig {
        enabled: true,
        interval: Duration::from_secs(1),
        apps,
        embeddings: None,
        model_dir: None,
    }
}

/// A second server on `world`'s store that runs `sync` against the
/// Nextcloud at `nextcloud` (the world's own server starts without it).
async fn start_syncing_replica(
    world: &OAuthWorld,
    nextcloud: &str,
    sync: SyncConfig,
) -> RunningServer {
    let mut config = world.replica_config();
    config.nextcloud_url = url::Url::parse(nextcloud).unwrap();
    config.sync = sync;
    start_server(config).await
}
