//! Every reply from Nextcloud is read with a cap: a 2 GB body, declared or
//! chunked without a length, ends the call with a clear error, and two such
//! calls at once keep the process under 100 MB.

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use nextcloud_mcp::adapters::nextcloud::HttpNextcloud;
use nextcloud_mcp::domain::files::WriteCondition;
use nextcloud_mcp::domain::path::UserPath;
use nextcloud_mcp::ports::nextcloud::{DeckApi, FilesApi, NextcloudError, NotesApi, ServerStatus};
use url::Url;

use super::stand_in::{Framing, huge_replies, session_at};

const XML: &str = "application/xml; charset=utf-8";
const JSON: &str = "application/json";

fn p(path: &str) -> UserPath {
    UserPath::parse(path).unwrap()
}

fn assert_refused_as_too_large(err: NextcloudError, limit: &str) {
    match &err {
        NextcloudError::Protocol(message) => assert!(
            message.contains(&format!("larger than {limit}")),
            "{message}"
        ),
        other => panic!("expected a too-large protocol error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_huge_listing_is_refused_with_and_without_a_length() {
    for framing in [Framing::Declared, Framing::Chunked] {
        let base = huge_replies("207 Multi-Status", XML, framing).await;
        let err = session_at(&base).list_folder(&p("/")).await.unwrap_err();
        assert_refused_as_too_large(err, "24 MiB");
    }
}

#[tokio::test]
async fn a_huge_json_reply_is_refused_with_and_without_a_length() {
    for framing in [Framing::Declared, Framing::Chunked] {
        let base = huge_replies("200 OK", JSON, framing).await;
        let err = session_at(&base).list_notes(None).await.unwrap_err();
        assert_refused_as_too_large(err, "16 MiB");
        let err = session_at(&base).list_boards(None).await.unwrap_err();
        assert_refused_as_too_large(err, "16 MiB");
    }
}

#[tokio::test]
async fn a_huge_status_page_is_refused() {
    for framing in [Framing::Declared, Framing::Chunked] {
        let base = huge_replies("200 OK", JSON, framing).await;
        let nextcloud = HttpNextcloud::new(
            Url::parse(&base).unwrap(),
            std::time::Duration::from_secs(60),
        )
        .unwrap();
        let err = nextcloud.check_reachable().await.unwrap_err();
        assert_refused_as_too_large(err, "64 KiB");
    }
}

#[tokio::test]
async fn a_huge_download_stops_at_the_callers_limit() {
    for framing in [Framing::Declared, Framing::Chunked] {
        let base = huge_replies("200 OK", "application/octet-stream", framing).await;
        let err = session_at(&base)
            .read_file(&p("big.bin"), 2 * 1024 * 1024)
            .await
            .unwrap_err();
        assert_eq!(
            err,
            NextcloudError::TooLarge("/big.bin".into(), 2 * 1024 * 1024)
        );
    }
}

/// Error bodies are only mined for a message: a 2 GB one is read to 64 KiB
/// and the status still decides the error, on every path that reads one.
#[tokio::test]
async fn huge_error_bodies_are_cut_short_and_the_status_still_counts() {
    for framing in [Framing::Declared, Framing::Chunked] {
        let base = huge_replies("500 Internal Server Error", XML, framing).await;
        let session = session_at(&base);
        let unavailable = NextcloudError::Unavailable("HTTP 500".into());
        // send(): the general path.
        assert_eq!(session.get_note(1).await.unwrap_err(), unavailable);
        // A DAV write and a transfer read their own error bodies.
        let written = session
            .write_file(&p("a.txt"), b"x".to_vec(), None, WriteCondition::Any)
            .await;
        assert_eq!(written.unwrap_err(), unavailable);
        assert_eq!(
            session
                .move_entry(&p("a.txt"), &p("b.txt"), false)
                .await
                .unwrap_err(),
            unavailable
        );
        // OCS and JSON calls.
        assert_eq!(session.list_boards(None).await.unwrap_err(), unavailable);

        let base = huge_replies("403 Forbidden", XML, framing).await;
        assert_eq!(
            session_at(&base).get_note(1).await.unwrap_err(),
            NextcloudError::Forbidden(None)
        );
    }
}

/// Set in the child process that measures memory, so the measurement runs
/// alone and not beside the rest of this test binary.
const PROBE: &str = "NEXTCLOUD_MCP_RSS_PROBE";

fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .expect("VmRSS in /proc/self/status");
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap();
    kib * 1024
}

/// Runs [`two_huge_replies_at_once_stay_under_100_mb`] alone in a fresh
/// process of this test binary and requires it to pass.
#[test]
fn memory_stays_bounded_under_two_huge_replies_at_once() {
    let name = "hostile::bounds::two_huge_replies_at_once_stay_under_100_mb";
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            name,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(PROBE, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "the memory probe failed:\n{stdout}\n{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run in its own process by memory_stays_bounded_under_two_huge_replies_at_once"]
async fn two_huge_replies_at_once_stay_under_100_mb() {
    if std::env::var_os(PROBE).is_none() {
        return;
    }
    // Samples the resident size until told to stop; the largest value counts.
    let peak = Arc::new(AtomicU64::new(rss_bytes()));
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, stop) = (peak.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                peak.fetch_max(rss_bytes(), Ordering::Relaxed);
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        })
    };

    for framing in [Framing::Chunked, Framing::Declared] {
        let listing = huge_replies("207 Multi-Status", XML, framing).await;
        let notes = huge_replies("200 OK", JSON, framing).await;
        let (a, b) = tokio::join!(
            async { session_at(&listing).list_folder(&p("/")).await },
            async { session_at(&listing).list_folder(&p("/")).await },
        );
        let (c, d) = tokio::join!(
            async { session_at(&listing).list_folder(&p("/")).await },
            async { session_at(&notes).list_notes(None).await },
        );
        for err in [a.unwrap_err(), b.unwrap_err(), c.unwrap_err()] {
            assert_refused_as_too_large(err, "24 MiB");
        }
        assert_refused_as_too_large(d.unwrap_err(), "16 MiB");
        let failing = huge_replies("500 Internal Server Error", XML, framing).await;
        let (a, b) = tokio::join!(async { session_at(&failing).get_note(1).await }, async {
            session_at(&failing).get_note(2).await
        },);
        assert_eq!(
            a.unwrap_err(),
            NextcloudError::Unavailable("HTTP 500".into())
        );
        assert_eq!(
            b.unwrap_err(),
            NextcloudError::Unavailable("HTTP 500".into())
        );
    }

    stop.store(true, Ordering::Relaxed);
    sampler.join().unwrap();
    let peak = peak.load(Ordering::Relaxed);
    println!("peak resident size: {} MiB", peak >> 20);
    assert!(peak < 100 * 1024 * 1024, "peak resident size {peak} bytes");
}
