//! Searching by name, with the scope and the literal escaped.

use super::{p, replay, session, xml};

use crate::support::fixtures::{assert_request_matches, normalize_xml, only_request};
use nextcloud_mcp::domain::path::UserPath;
use nextcloud_mcp::ports::nextcloud::FilesApi;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn searches_by_name() {
    let (server, exchange, session) = replay("webdav", "32-search-by-name").await;
    let entries = session
        .search_by_name(&UserPath::root(), "%hello%", 10)
        .await
        .unwrap();
    let received = only_request(&server).await;
    assert_request_matches(&received, &exchange.request, &["content-type"]);
    // The adapter also selects d:resourcetype so folders can be told apart.
    let captured = std::str::from_utf8(&exchange.request.body)
        .unwrap()
        .replace("<oc:favorite/>", "<oc:favorite/><d:resourcetype/>");
    assert_eq!(xml(&received.body), normalize_xml(&captured));

    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].path, p("Fixtures/hello.txt"));
    assert_eq!(entries[0].file_id, Some(228));
    assert_eq!(entries[0].size, Some(29));
    assert!(entries[0].favorite);
    assert_eq!(
        entries[0].etag.as_deref(),
        Some("\"08dac5e67ecb9e21eae9e4dd0532f815\"")
    );
    assert_eq!(entries[1].path, p("Fixtures/Archive/hello-moved.txt"));
    assert_eq!(entries[1].name, "hello-moved.txt");
    assert_eq!(entries[1].file_id, Some(235));
    assert!(!entries[1].favorite);
}

#[tokio::test]
async fn search_scope_and_literal_are_escaped() {
    let server = MockServer::start().await;
    Mock::given(method("SEARCH"))
        .and(path("/remote.php/dav/"))
        .respond_with(
            ResponseTemplate::new(207)
                .set_body_string(r#"<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"/>"#),
        )
        .mount(&server)
        .await;
    let entries = session(&server)
        .search_by_name(&p("R&D <x>"), "%a<b>&c%", 5)
        .await
        .unwrap();
    assert!(entries.is_empty());
    let body = String::from_utf8(only_request(&server).await.body).unwrap();
    assert!(
        body.contains("<d:href>/files/admin/R&amp;D &lt;x&gt;</d:href>"),
        "{body}"
    );
    assert!(
        body.contains("<d:literal>%a&lt;b&gt;&amp;c%</d:literal>"),
        "{body}"
    );
    assert!(body.contains("<d:nresults>5</d:nresults>"), "{body}");
}
