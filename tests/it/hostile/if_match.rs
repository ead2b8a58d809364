//! Nextcloud keeps a file's ETag when it is overwritten within the same
//! second, so If-Match cannot catch a change made in that second. The write
//! tool must say so instead of promising protection that does not hold.

use crate::support::e2e::{basic_config, connect, start_server};

#[tokio::test]
async fn the_write_tool_states_what_if_match_cannot_catch() {
    let nextcloud = wiremock::MockServer::start().await;
    let server = start_server(basic_config(
        &nextcloud.uri(),
        std::time::Duration::from_secs(5),
    ))
    .await;
    let client = connect(&server).await;
    let tools = client.list_all_tools().await.unwrap();
    let tool = tools
        .iter()
        .find(|t| t.name == "nc_webdav_write_file")
        .expect("nc_webdav_write_file is listed");
    let description = tool.description.as_deref().unwrap_or_default();
    assert!(
        description.contains("same second"),
        "the description must state the limit: {description}"
    );
    let schema = serde_json::to_string(&tool.input_schema).unwrap();
    assert!(
        schema.contains("same second"),
        "if_match must state the limit: {schema}"
    );
    for claim in ["protects concurrent edits", "guarantee"] {
        assert!(
            !description.contains(claim) && !schema.contains(claim),
            "overclaims with '{claim}'"
        );
    }
    client.cancel().await.unwrap();
    server.shutdown().await;
}
