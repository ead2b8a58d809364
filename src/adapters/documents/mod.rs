//! Runs the document readers off the async threads, under a time bound.
//!
//! A reader that hangs cannot be stopped (threads cannot be killed), so the
//! call gives up waiting on it and answers; the stuck thread keeps its
//! permit until it finishes, which caps how many can pile up. When all
//! permits are taken, callers are told to retry instead of queueing.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::Semaphore;

use crate::domain::documents::{
    DocumentError, DocumentKind, DocumentText, Limits, PageSelection, read_document,
};
use crate::ports::documents::DocumentReader;

type Parse = dyn Fn(DocumentKind, &[u8], PageSelection, &Limits) -> Result<DocumentText, DocumentError>
    + Send
    + Sync;

pub struct BoundedDocumentReader {
    limits: Limits,
    /// Longest one reading may take.
    deadline: Duration,
    /// Longest a call waits for a free reader before it is told to retry.
    queue_wait: Duration,
    permits: Arc<Semaphore>,
    parse: Arc<Parse>,
}

impl Default for BoundedDocumentReader {
    fn default() -> Self {
        let parallel = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 4));
        Self::new(
            Limits::default(),
            Duration::from_secs(30),
            parallel,
            Arc::new(read_document),
        )
    }
}

impl BoundedDocumentReader {
    pub fn new(limits: Limits, deadline: Duration, parallel: usize, parse: Arc<Parse>) -> Self {
        Self {
            limits,
            deadline,
            queue_wait: Duration::from_secs(5).min(deadline),
            permits: Arc::new(Semaphore::new(parallel.max(1))),
            parse,
        }
    }
}

#[async_trait]
impl DocumentReader for BoundedDocumentReader {
    fn max_document_bytes(&self) -> u64 {
        self.limits.document_bytes
    }

    async fn read(
        &self,
        kind: DocumentKind,
        bytes: Vec<u8>,
        pages: PageSelection,
    ) -> Result<DocumentText, DocumentError> {
        let permit =
            match tokio::time::timeout(self.queue_wait, self.permits.clone().acquire_owned()).await
            {
                Ok(Ok(permit)) => permit,
                _ => return Err(DocumentError::Busy),
            };
        let limits = self.limits.clone();
        let parse = self.parse.clone();
        let work = tokio::task::spawn_blocking(move || {
            let _held = permit;
            parse(kind, &bytes, pages, &limits)
        });
        match tokio::time::timeout(self.deadline, work).await {
            Ok(Ok(result)) => result,
            // The reader panicked on this file: a damaged document, said as such.
            Ok(Err(_)) => Err(DocumentError::Malformed {
                kind: kind.label(),
                detail: "the reader failed on its content".into(),
            }),
            Err(_) => Err(DocumentError::TimedOut {
                seconds: self.deadline.as_secs().max(1),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hanging reader runs until the test lets it go (bounded, so a
    /// failed test cannot leave it running for ever).
    static RELEASE_SLOW: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    static SLOW_FINISHED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

    fn slow(
        _: DocumentKind,
        _: &[u8],
        _: PageSelection,
        _: &Limits,
    ) -> Result<DocumentText, DocumentError> {
        use std::sync::atomic::Ordering;
        for _ in 0..3_000 {
            if RELEASE_SLOW.load(Ordering::SeqCst) {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        SLOW_FINISHED.store(true, Ordering::SeqCst);
        Err(DocumentError::BadRange("finished".into()))
    }

    fn panics(
        _: DocumentKind,
        _: &[u8],
        _: PageSelection,
        _: &Limits,
    ) -> Result<DocumentText, DocumentError> {
        panic!("a reader bug")
    }

    #[tokio::test]
    async fn a_reader_that_hangs_is_abandoned_and_holds_its_permit() {
        let reader = BoundedDocumentReader::new(
            Limits::default(),
            Duration::from_millis(100),
            1,
            Arc::new(slow),
        );
        let err = reader
            .read(DocumentKind::Pdf, Vec::new(), PageSelection::default())
            .await
            .unwrap_err();
        assert!(matches!(err, DocumentError::TimedOut { .. }), "{err}");
        // The call answered while the reader was still stuck.
        use std::sync::atomic::Ordering;
        assert!(!SLOW_FINISHED.load(Ordering::SeqCst));
        // The stuck reading still holds the only permit.
        let err = reader
            .read(DocumentKind::Pdf, Vec::new(), PageSelection::default())
            .await
            .unwrap_err();
        assert_eq!(err, DocumentError::Busy);
        RELEASE_SLOW.store(true, Ordering::SeqCst);
    }

    #[tokio::test]
    async fn a_reader_that_panics_fails_the_call_only() {
        let reader = BoundedDocumentReader::new(
            Limits::default(),
            Duration::from_secs(5),
            1,
            Arc::new(panics),
        );
        let err = reader
            .read(DocumentKind::Docx, Vec::new(), PageSelection::default())
            .await
            .unwrap_err();
        assert!(
            matches!(err, DocumentError::Malformed { kind: "DOCX", .. }),
            "{err}"
        );
        // The permit came back.
        let again = reader
            .read(DocumentKind::Docx, Vec::new(), PageSelection::default())
            .await;
        assert!(matches!(again, Err(DocumentError::Malformed { .. })));
    }
}
