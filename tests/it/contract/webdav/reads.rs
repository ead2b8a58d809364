//! Reading files, within the size limit whether or not the server sends a
//! length.

use super::{assert_sent_as_captured, p, replay, session, session_at};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use nextcloud_mcp::ports::nextcloud::{FilesApi, NextcloudError};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn reads_a_file() {
    let (server, exchange, session) = replay("webdav", "18-get").await;
    let content = session
        .read_file(&p("Fixtures/hello.txt"), 1024)
        .await
        .unwrap();
    assert_sent_as_captured(&server, &exchange, &[]).await;
    assert_eq!(content.bytes, b"Hello again, second version.\n");
    assert_eq!(
        content.content_type.as_deref(),
        Some("text/plain;charset=UTF-8")
    );
    assert_eq!(
        content.etag.as_deref(),
        Some("\"08dac5e67ecb9e21eae9e4dd0532f815\"")
    );
}

#[tokio::test]
async fn reading_a_missing_file_is_not_found() {
    let (server, exchange, session) = replay("webdav", "22-get-missing-404").await;
    let err = session
        .read_file(&p("Fixtures/none.txt"), 1024)
        .await
        .unwrap_err();
    assert_sent_as_captured(&server, &exchange, &[]).await;
    assert_eq!(err, NextcloudError::NotFound("/Fixtures/none.txt".into()));
}

#[tokio::test]
async fn reading_past_the_limit_is_refused() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/remote.php/dav/files/admin/big.bin"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![b'x'; 4096]))
        .mount(&server)
        .await;
    let err = session(&server)
        .read_file(&p("big.bin"), 1000)
        .await
        .unwrap_err();
    assert_eq!(err, NextcloudError::TooLarge("/big.bin".into(), 1000));
    // Exactly at the limit is fine.
    let content = session(&server)
        .read_file(&p("big.bin"), 4096)
        .await
        .unwrap();
    assert_eq!(content.bytes.len(), 4096);
}

/// A one-shot server that streams `len` bytes chunked, without Content-Length,
/// so only the adapter's running count can stop the download.
async fn chunked_server(len: usize) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = socket.read(&mut buf).await.unwrap();
            if n == 0 {
                return;
            }
            head.extend_from_slice(&buf[..n]);
        }
        let mut reply = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        for chunk in vec![b'x'; len].chunks(512) {
            reply.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            reply.extend_from_slice(chunk);
            reply.extend_from_slice(b"\r\n");
        }
        reply.extend_from_slice(b"0\r\n\r\n");
        let _ = socket.write_all(&reply).await;
    });
    format!("http://{address}/")
}

#[tokio::test]
async fn a_stream_without_length_is_cut_off_at_the_limit() {
    let session = session_at(&chunked_server(8192).await);
    let err = session.read_file(&p("big.bin"), 1000).await.unwrap_err();
    assert_eq!(err, NextcloudError::TooLarge("/big.bin".into(), 1000));

    let session = session_at(&chunked_server(8192).await);
    let content = session.read_file(&p("big.bin"), 8192).await.unwrap();
    assert_eq!(content.bytes.len(), 8192);
}
