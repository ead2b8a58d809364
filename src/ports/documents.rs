//! Reading documents (PDF, office files) as text, under bounds of size,
//! decompression, pages and time.

use async_trait::async_trait;

use crate::domain::documents::{DocumentError, DocumentKind, DocumentText, PageSelection};

#[async_trait]
pub trait DocumentReader: Send + Sync {
    /// The largest file worth downloading for [`DocumentReader::read`].
    fn max_document_bytes(&self) -> u64;

    async fn read(
        &self,
        kind: DocumentKind,
        bytes: Vec<u8>,
        pages: PageSelection,
    ) -> Result<DocumentText, DocumentError>;
}
