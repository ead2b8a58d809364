//! Documents read as text: which formats, the bounds every reader keeps, and
//! what a reading returns. The readers are synchronous and pure (bytes in,
//! text out); running them under a time bound is the adapter's job.

mod limits;
mod odf;
mod ooxml;
mod pdf;
mod sink;
mod xml_text;
mod zipped;

pub use limits::Limits;

use serde::Serialize;

/// The formats read as text. Everything else goes the plain-text way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DocumentKind {
    Pdf,
    Docx,
    Odt,
    Xlsx,
    Ods,
    Pptx,
    Odp,
}

impl DocumentKind {
    /// Decided by the name's extension first (Nextcloud's content type is
    /// itself derived from it), then by the content type.
    pub fn detect(name: &str, content_type: Option<&str>) -> Option<Self> {
        let extension = name
            .rsplit_once('.')
            .map(|(_, ext)| ext.to_ascii_lowercase());
        let by_name = match extension.as_deref() {
            Some("pdf") => Some(Self::Pdf),
            Some("docx" | "docm") => Some(Self::Docx),
            Some("odt") => Some(Self::Odt),
            Some("xlsx" | "xlsm") => Some(Self::Xlsx),
            Some("ods") => Some(Self::Ods),
            Some("pptx" | "pptm") => Some(Self::Pptx),
            Some("odp") => Some(Self::Odp),
            _ => None,
        };
        by_name.or_else(|| {
            let mime = content_type?.split(';').next()?.trim().to_ascii_lowercase();
            Some(match mime.as_str() {
                "application/pdf" => Self::Pdf,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => {
                    Self::Docx
                }
                "application/vnd.oasis.opendocument.text" => Self::Odt,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => Self::Xlsx,
                "application/vnd.oasis.opendocument.spreadsheet" => Self::Ods,
                "application/vnd.openxmlformats-officedocument.presentationml.presentation" => {
                    Self::Pptx
                }
                "application/vnd.oasis.opendocument.presentation" => Self::Odp,
                _ => return None,
            })
        })
    }

    /// What `page_start`/`page_end` count in this format.
    pub fn unit(self) -> Unit {
        match self {
            Self::Pdf => Unit::Page,
            Self::Xlsx | Self::Ods => Unit::Sheet,
            Self::Pptx | Self::Odp => Unit::Slide,
            Self::Docx | Self::Odt => Unit::Whole,
        }
    }
}

/// What a document is divided into for `page_start`/`page_end`. Word
/// processor files have no stored pages (the layout decides them), so they
/// are read whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    Page,
    Sheet,
    Slide,
    Whole,
}

impl Unit {
    pub fn name(self) -> &'static str {
        match self {
            Self::Page => "page",
            Self::Sheet => "sheet",
            Self::Slide => "slide",
            Self::Whole => "document",
        }
    }
}

/// The caller's `page_start`/`page_end`, 1-based and inclusive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PageSelection {
    pub start: Option<u32>,
    pub end: Option<u32>,
}

impl PageSelection {
    /// The pages to read out of `total`: at most `max` of them, so a caller
    /// asking for everything gets the first window and a way to read on.
    pub fn resolve(self, total: u32, max: u32) -> Result<Option<(u32, u32)>, DocumentError> {
        let start = self.start.unwrap_or(1);
        if start == 0 || self.end == Some(0) {
            return Err(DocumentError::BadRange(
                "pages are counted from 1".to_string(),
            ));
        }
        if let Some(end) = self.end
            && end < start
        {
            return Err(DocumentError::BadRange(format!(
                "page_end {end} is before page_start {start}"
            )));
        }
        if total == 0 {
            return Ok(None);
        }
        if start > total {
            return Err(DocumentError::BadRange(format!(
                "page_start {start} is past the end: the document has {total}"
            )));
        }
        let end = self.end.unwrap_or(total).min(total);
        Ok(Some((start, end.min(start.saturating_add(max - 1)))))
    }
}

/// A document's text, or the part of it that was asked for.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocumentText {
    pub kind: DocumentKind,
    pub unit: Unit,
    /// Pages, sheets or slides in the whole document (`None` when `Whole`).
    pub total: Option<u32>,
    /// The first and last unit this text covers.
    pub first: Option<u32>,
    pub last: Option<u32>,
    pub text: String,
    /// The text bound cut the reading short.
    pub truncated: bool,
    /// Whether any of the read units had text; a scanned PDF has none.
    pub has_text: bool,
    /// Pages read that carried no text (PDF only: scanned pages).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pages_without_text: Vec<u32>,
}

impl DocumentText {
    /// The unit to pass as `page_start` to read on, if any is left.
    pub fn next_start(&self) -> Option<u32> {
        match (self.last, self.total) {
            (Some(last), Some(total)) if last < total => Some(last + 1),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("the document is {size} bytes; documents up to {limit} bytes are read")]
    TooLarge { size: u64, limit: u64 },
    #[error(
        "{what} decompresses to more than {limit} bytes; refused as a possible decompression bomb"
    )]
    Inflates { what: String, limit: u64 },
    #[error("the archive lists {count} entries; documents with more than {limit} are refused")]
    TooManyEntries { count: usize, limit: usize },
    #[error("the {kind} file cannot be read: {detail}")]
    Malformed { kind: &'static str, detail: String },
    #[error("{0}")]
    BadRange(String),
    #[error("reading the document took longer than {seconds} s and was abandoned")]
    TimedOut { seconds: u64 },
    #[error("other documents are being read right now; try again in a moment")]
    Busy,
}

impl DocumentError {
    fn malformed(kind: DocumentKind, detail: impl std::fmt::Display) -> Self {
        Self::Malformed {
            kind: kind.label(),
            detail: detail.to_string(),
        }
    }
}

impl DocumentKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Pdf => "PDF",
            Self::Docx => "DOCX",
            Self::Odt => "ODT",
            Self::Xlsx => "XLSX",
            Self::Ods => "ODS",
            Self::Pptx => "PPTX",
            Self::Odp => "ODP",
        }
    }
}

/// Reads a document's text within `limits`. Synchronous and CPU-bound: run
/// it off the async threads, under a time bound.
pub fn read_document(
    kind: DocumentKind,
    bytes: &[u8],
    pages: PageSelection,
    limits: &Limits,
) -> Result<DocumentText, DocumentError> {
    if bytes.len() as u64 > limits.document_bytes {
        return Err(DocumentError::TooLarge {
            size: bytes.len() as u64,
            limit: limits.document_bytes,
        });
    }
    match kind {
        DocumentKind::Pdf => pdf::read(bytes, pages, limits),
        DocumentKind::Docx => ooxml::read_docx(bytes, limits),
        DocumentKind::Xlsx => ooxml::read_xlsx(bytes, pages, limits),
        DocumentKind::Pptx => ooxml::read_pptx(bytes, pages, limits),
        DocumentKind::Odt => odf::read_odt(bytes, limits),
        DocumentKind::Ods => odf::read_ods(bytes, pages, limits),
        DocumentKind::Odp => odf::read_odp(bytes, pages, limits),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_the_name_then_the_content_type() {
        assert_eq!(
            DocumentKind::detect("a/B.PDF", None),
            Some(DocumentKind::Pdf)
        );
        assert_eq!(
            DocumentKind::detect("report", Some("application/vnd.oasis.opendocument.text")),
            Some(DocumentKind::Odt)
        );
        assert_eq!(
            DocumentKind::detect("notes.md", Some("text/markdown")),
            None
        );
        assert_eq!(
            DocumentKind::detect("x.xlsx", Some("text/plain")),
            Some(DocumentKind::Xlsx)
        );
    }

    #[test]
    fn page_selections_are_bounded_windows() {
        let all = PageSelection::default();
        assert_eq!(all.resolve(120, 50).unwrap(), Some((1, 50)));
        assert_eq!(all.resolve(3, 50).unwrap(), Some((1, 3)));
        assert_eq!(all.resolve(0, 50).unwrap(), None);
        let tail = PageSelection {
            start: Some(2),
            end: Some(99),
        };
        assert_eq!(tail.resolve(3, 50).unwrap(), Some((2, 3)));
        let past = PageSelection {
            start: Some(4),
            end: None,
        };
        assert!(
            past.resolve(3, 50)
                .unwrap_err()
                .to_string()
                .contains("past the end")
        );
        let backwards = PageSelection {
            start: Some(3),
            end: Some(2),
        };
        assert!(backwards.resolve(9, 50).is_err());
        let zero = PageSelection {
            start: Some(0),
            end: None,
        };
        assert!(zero.resolve(9, 50).is_err());
    }
}
