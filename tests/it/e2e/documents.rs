//! Reading documents and large files through rmcp's client, against a mock
//! Nextcloud serving files generated here (it honours Range like Sabre),
//! and a streamed write that reports progress.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, NumberOrString, ProgressNotificationParam, ProgressToken,
    RequestMetaObject,
};
use rmcp::service::NotificationContext;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::support::documents::*;
use crate::support::e2e::*;

const ROOT: &str = "/remote.php/dav/files/admin";

/// Serves bytes as Sabre does: a `Range` gets 206 with `Content-Range`, a
/// range past the end 416.
struct Ranged(Vec<u8>, &'static str);

impl Respond for Ranged {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let len = self.0.len();
        let range = request
            .headers
            .get("range")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("bytes="))
            .and_then(|v| v.split_once('-'))
            .and_then(|(a, b)| Some((a.parse::<usize>().ok()?, b.parse::<usize>().ok()?)));
        match range {
            None => ResponseTemplate::new(200).set_body_raw(self.0.clone(), self.1),
            Some((start, _)) if start >= len => ResponseTemplate::new(416)
                .insert_header("Content-Range", format!("bytes */{len}").as_str()),
            Some((start, end)) => {
                let end = end.min(len - 1);
                ResponseTemplate::new(206)
                    .set_body_raw(self.0[start..=end].to_vec(), self.1)
                    .insert_header(
                        "Content-Range",
                        format!("bytes {start}-{end}/{len}").as_str(),
                    )
            }
        }
    }
}

async fn serve(nc: &MockServer, name: &str, bytes: Vec<u8>, content_type: &'static str) {
    Mock::given(method("GET"))
        .and(path(format!("{ROOT}/{name}")))
        .respond_with(Ranged(bytes, content_type))
        .mount(nc)
        .await;
}

/// About 3 MiB of numbered lines, some with a two-byte character, so a
/// 2 MiB cut can fall inside one.
fn big_log() -> String {
    (1..=90_000)
        .map(|n| format!("line {n:06} café entry {}\n", n % 7))
        .collect()
}

/// One `notifications/progress`: (progress, total).
type Progress = (f64, Option<f64>);

#[derive(Clone, Default)]
struct ProgressListener {
    seen: Arc<Mutex<Vec<Progress>>>,
}

impl ClientHandler for ProgressListener {
    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.seen
            .lock()
            .unwrap()
            .push((params.progress, params.total));
    }
}

#[tokio::test]
async fn documents_are_read_as_text_a_window_at_a_time() {
    let nc = MockServer::start().await;
    serve(
        &nc,
        "Docs/report.pdf",
        pdf(&[Some("Revenue grew 12 percent"), Some("Outlook for 2027")]),
        "application/pdf",
    )
    .await;
    serve(&nc, "Docs/scan.pdf", pdf(&[None]), "application/pdf").await;
    serve(
        &nc,
        "Docs/letter.docx",
        docx(&["Dear Ana,", "see you Friday."]),
        "application/octet-stream",
    )
    .await;
    serve(&nc, "Docs/budget.xlsx", xlsx(), "application/octet-stream").await;
    serve(&nc, "Docs/minutes.odt", odt(), "application/octet-stream").await;
    // A document without an extension is known by its content type.
    serve(
        &nc,
        "Docs/agenda",
        odt(),
        "application/vnd.oasis.opendocument.text",
    )
    .await;
    let size = 200u32 * 1024 * 1024;
    serve(
        &nc,
        "Docs/bomb.docx",
        zip_with_raw_entry(
            "word/document.xml",
            &deflate_run(b"<w:document>", b' ', u64::from(size)),
            size,
        ),
        "application/octet-stream",
    )
    .await;
    let server = start_server(basic_config(&nc.uri(), Duration::from_secs(5))).await;
    let client = connect(&server).await;

    let report = call(
        &client,
        "nc_webdav_read_file",
        json!({"path": "Docs/report.pdf"}),
    )
    .await;
    let structured = assert_ok("pdf", &report);
    let content = structured["content"].as_str().unwrap();
    assert!(
        content.contains("Revenue grew 12 percent") && content.contains("Outlook for 2027"),
        "{content}"
    );
    assert_eq!(structured["document"]["total"], 2);

    let second = call(
        &client,
        "nc_webdav_read_file",
        json!({"path": "Docs/report.pdf", "page_start": 2, "page_end": 2}),
    )
    .await;
    let second = assert_ok("page 2", &second);
    assert!(
        !second["content"].as_str().unwrap().contains("Revenue"),
        "{second}"
    );
    assert_eq!(second["document"]["first"], 2);

    let scan = call(
        &client,
        "nc_webdav_read_file",
        json!({"path": "Docs/scan.pdf"}),
    )
    .await;
    let structured = assert_ok("scan", &scan);
    assert_eq!(structured["document"]["has_text"], false);
    assert!(
        text_of(&scan).contains("no text layer"),
        "{}",
        text_of(&scan)
    );

    let letter = assert_ok(
        "docx",
        &call(
            &client,
            "nc_webdav_read_file",
            json!({"path": "Docs/letter.docx"}),
        )
        .await,
    );
    assert_eq!(letter["content"], "Dear Ana,\nsee you Friday.\n");

    let budget = assert_ok(
        "xlsx",
        &call(
            &client,
            "nc_webdav_read_file",
            json!({"path": "Docs/budget.xlsx"}),
        )
        .await,
    );
    assert!(
        budget["content"]
            .as_str()
            .unwrap()
            .contains("Rent & heat\t1250.5"),
        "{budget}"
    );

    for path in ["Docs/minutes.odt", "Docs/agenda"] {
        let minutes = assert_ok(
            path,
            &call(&client, "nc_webdav_read_file", json!({"path": path})).await,
        );
        assert!(
            minutes["content"]
                .as_str()
                .unwrap()
                .starts_with("Minutes\n"),
            "{minutes}"
        );
    }

    let bomb = call(
        &client,
        "nc_webdav_read_file",
        json!({"path": "Docs/bomb.docx"}),
    )
    .await;
    assert_tool_error("bomb", &bomb, "decompression bomb");

    let raw = call(
        &client,
        "nc_webdav_read_file",
        json!({"path": "Docs/report.pdf", "parse_document": false}),
    )
    .await;
    assert_tool_error("raw pdf", &raw, "binary");

    let mixed = call(
        &client,
        "nc_webdav_read_file",
        json!({"path": "Docs/report.pdf", "offset": 10}),
    )
    .await;
    assert_tool_error("offset on a pdf", &mixed, "page_start");

    client.cancel().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn large_text_files_are_read_by_ranges_that_say_how_to_read_on() {
    let nc = MockServer::start().await;
    let log = big_log();
    serve(&nc, "big.log", log.clone().into_bytes(), "text/plain").await;
    let server = start_server(basic_config(&nc.uri(), Duration::from_secs(5))).await;
    let client = connect(&server).await;

    // Without a range: the first 2 MiB, cut on a character, and where to go on.
    let mut assembled = String::new();
    let mut offset: Option<u64> = None;
    for _ in 0..3 {
        let args = match offset {
            None => json!({"path": "big.log"}),
            Some(at) => json!({"path": "big.log", "offset": at}),
        };
        let result = call(&client, "nc_webdav_read_file", args).await;
        let part = assert_ok("range", &result);
        assembled.push_str(part["content"].as_str().unwrap());
        assert_eq!(part["range"]["total_size"], log.len());
        match part["range"]["next_offset"].as_u64() {
            Some(next) => {
                assert!(text_of(&result).contains(&format!("Read on with offset={next}")));
                offset = Some(next);
            }
            None => {
                assert!(text_of(&result).contains("the file ends here"));
                offset = None;
                break;
            }
        }
    }
    assert_eq!(offset, None, "two ranges cover 3 MiB");
    assert_eq!(assembled, log);

    let lines = call(
        &client,
        "nc_webdav_read_file",
        json!({"path": "big.log", "line_start": 50000, "line_count": 2}),
    )
    .await;
    let lines = assert_ok("lines", &lines);
    assert_eq!(
        lines["content"],
        "line 050000 café entry 6\nline 050001 café entry 0\n"
    );
    assert_eq!(lines["lines"]["next_line_start"], 50002);

    let past = call(
        &client,
        "nc_webdav_read_file",
        json!({"path": "big.log", "offset": 99_999_999}),
    )
    .await;
    assert_tool_error("past the end", &past, "past the end");

    client.cancel().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn a_write_streams_its_body_and_reports_progress_when_asked() {
    let nc = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(format!("{ROOT}/upload.txt")))
        .respond_with(ResponseTemplate::new(201).insert_header("ETag", "\"e1\""))
        .mount(&nc)
        .await;
    let server = start_server(basic_config(&nc.uri(), Duration::from_secs(5))).await;
    let listener = ProgressListener::default();
    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(server.mcp_url()),
    );
    let client = listener.clone().serve(transport).await.expect("initialize");

    let content = "0123456789abcdef".repeat(40 * 1024); // 640 KiB: three chunks
    let mut meta = RequestMetaObject::default();
    meta.set_progress_token(ProgressToken(NumberOrString::Number(7)));
    let mut params = CallToolRequestParams::new("nc_webdav_write_file").with_arguments(
        json!({"path": "upload.txt", "content": content})
            .as_object()
            .unwrap()
            .clone(),
    );
    params.meta = Some(meta);
    let result = client.call_tool(params).await.expect("call");
    check_output(client.peer(), "nc_webdav_write_file", &result).await;
    assert_eq!(assert_ok("write", &result)["created"], true);

    let seen = listener.seen.lock().unwrap().clone();
    let total = content.len() as f64;
    assert!(seen.len() >= 3, "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "{seen:?}");
    assert_eq!(seen.last().copied(), Some((total, Some(total))));

    let put = nc
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.method.as_str() == "PUT")
        .expect("a PUT");
    assert_eq!(put.body.len(), content.len());
    assert_eq!(
        put.headers.get("content-length").unwrap().to_str().unwrap(),
        content.len().to_string()
    );

    client.cancel().await.unwrap();
    server.shutdown().await;
}
