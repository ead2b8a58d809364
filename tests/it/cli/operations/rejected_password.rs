//! A rejected app password: an error at start and in the first tool result,
//! without the password.

use super::{stderr_lines, wait_for};

use crate::cli::support::{APP_PASSWORD, command, first_notes_listing};
use crate::support::fixtures::load;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer};

#[tokio::test]
async fn a_rejected_app_password_is_an_error_at_start_and_in_the_first_tool_result() {
    let nc = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            load("errors", "01-ocs-v2-bad-credentials")
                .response
                .template(),
        )
        .mount(&nc)
        .await;
    let mut child = command(&["stdio"], &nc.uri(), &[]).spawn().unwrap();
    let lines = stderr_lines(&mut child);
    let mut seen = Vec::new();
    let error = wait_for(&lines, "NEXTCLOUD_PASSWORD", &mut seen);
    assert!(error.contains("ERROR"), "{error}");
    assert!(!error.contains(APP_PASSWORD), "{error}");

    let result = first_notes_listing(&mut child).await;
    assert_eq!(result["result"]["isError"], true, "{result}");
    let text = result["result"]["content"][0]["text"].as_str().unwrap();
    assert!(text.contains("NEXTCLOUD_PASSWORD"), "{text}");
    assert!(!text.contains(APP_PASSWORD), "{text}");
    child.kill().await.unwrap();
}
