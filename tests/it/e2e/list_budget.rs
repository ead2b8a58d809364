//! `tools/list` stays lean: at most a third of a large reference server's
//! bytes per tool (about 2.6 KB each there), so at most 870 bytes per tool
//! on average, measured on the JSON a client receives.

use crate::support::e2e::*;
use wiremock::MockServer;

const BUDGET_PER_TOOL: usize = 870;

#[tokio::test]
async fn tools_list_stays_within_its_byte_budget() {
    let nc = MockServer::start().await;
    catch_all(&nc).await;
    let (server, client) = start_app_server(&nc).await;
    let tools = client.list_all_tools().await.expect("tools/list");
    let bytes = serde_json::to_vec(&tools).unwrap().len();
    let average = bytes / tools.len();
    assert!(
        average <= BUDGET_PER_TOOL,
        "tools/list is {bytes} bytes for {} tools: {average} per tool, budget {BUDGET_PER_TOOL}",
        tools.len()
    );
    // Not starved either: every tool keeps a description worth reading.
    assert!(average > 200, "{average} bytes per tool");
    client.cancel().await.ok();
    server.shutdown().await;
}
