//! `nc_webdav_read_file`: text files whole or by range (bytes or lines), and
//! PDF and office documents as text, a window of pages at a time.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;

use super::parse_target;
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::adapters::mcp::progress::{ByteProgress, Progress};
use crate::domain::documents::{DocumentKind, DocumentText, PageSelection, Unit};
use crate::domain::files::{FileContent, MAX_READ_BYTES, decode_text};
use crate::domain::path::UserPath;
use crate::domain::text_window::{ChunkSink, LineWindow, decode_byte_range};
use crate::ports::nextcloud::{NextcloudApi, TransferProgress};

/// Lines returned when `line_count` is not given.
const DEFAULT_LINE_COUNT: u64 = 500;
/// How far into a file a line is looked for; past it, byte offsets are the way.
const MAX_LINE_SCAN_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ReadFileArgs {
    /// Path of the file relative to the user's files root, e.g. "Documents/report.pdf".
    pub path: String,
    /// Read PDF, DOCX, ODT, XLSX, ODS, PPTX and ODP files as text (default true); false treats them as binary.
    #[serde(default)]
    pub parse_document: Option<bool>,
    /// Documents: the first page (PDF), sheet (XLSX, ODS) or slide (PPTX, ODP) to read, counted from 1 (default 1).
    #[serde(default)]
    pub page_start: Option<u32>,
    /// Documents: the last page, sheet or slide to read (inclusive); at most 50 are read per call.
    #[serde(default)]
    pub page_end: Option<u32>,
    /// Text files: the byte to start at (default 0); pass next_offset from the previous answer to read on.
    #[serde(default)]
    pub offset: Option<u64>,
    /// Text files: how many bytes to read (default and at most 2 MiB).
    #[serde(default)]
    pub length: Option<u64>,
    /// Text files: the line to start at, counted from 1; reads lines instead of bytes.
    #[serde(default)]
    pub line_start: Option<u64>,
    /// Text files: how many lines to read from line_start (default 500, within 2 MiB).
    #[serde(default)]
    pub line_count: Option<u64>,
}

impl ReadFileArgs {
    fn wants_bytes(&self) -> bool {
        self.offset.is_some() || self.length.is_some()
    }

    fn wants_lines(&self) -> bool {
        self.line_start.is_some() || self.line_count.is_some()
    }

    fn wants_pages(&self) -> bool {
        self.page_start.is_some() || self.page_end.is_some()
    }
}

/// The closing line that says what part this was and how to read on.
fn document_footer(doc: &DocumentText) -> Option<String> {
    let unit = doc.unit.name();
    let (first, last, total) = match (doc.first, doc.last, doc.total) {
        (Some(first), Some(last), Some(total)) => (first, last, total),
        _ if doc.truncated => {
            return Some(format!(
                "[The text was cut at {} bytes; the rest of this document is not returned.]",
                doc.text.len()
            ));
        }
        _ => return None,
    };
    let shown = format!("{unit}s {first}-{last} of {total}");
    match (doc.truncated, doc.next_start()) {
        (true, Some(next)) => Some(format!(
            "[{shown}; the text was cut within {unit} {last}. Read on with page_start={next}.]"
        )),
        (true, None) => Some(format!("[{shown}; the text was cut within {unit} {last}.]")),
        (false, Some(next)) => Some(format!("[{shown}. Read on with page_start={next}.]")),
        (false, None) if first > 1 => Some(format!("[{shown}.]")),
        (false, None) => None,
    }
}

fn scanned_note(doc: &DocumentText) -> Option<String> {
    if doc.kind != DocumentKind::Pdf || doc.pages_without_text.is_empty() {
        return None;
    }
    if !doc.has_text {
        return Some(
            "This PDF has no text layer on the pages read (it is probably scanned images); \
             its text cannot be read without OCR, which this server does not do."
                .to_string(),
        );
    }
    let pages: Vec<String> = doc.pages_without_text.iter().map(u32::to_string).collect();
    Some(format!(
        "Pages without a text layer (probably scanned images): {}.",
        pages.join(", ")
    ))
}

/// A line window that also tells the progress reporter how far the scan
/// got; the file's size is not known to it, so no total is given.
struct Counted<'a> {
    inner: &'a mut LineWindow,
    report: Option<TransferProgress>,
}

impl ChunkSink for Counted<'_> {
    fn accept(&mut self, chunk: &[u8]) -> bool {
        let full = self.inner.accept(chunk);
        // How far the scan looked, not how much arrived: a chunk that holds
        // the last line wanted also holds bytes nobody read.
        if let Some(report) = &self.report {
            report(self.inner.scanned(), None);
        }
        full
    }
}

/// What the answer says about the file besides its text.
struct FileFacts {
    content_type: Option<String>,
    etag: Option<String>,
    size: usize,
}

fn document_result(
    path: &UserPath,
    file: &FileFacts,
    doc: DocumentText,
    pages_ignored: bool,
) -> ToolOutcome {
    let mut text = String::new();
    if pages_ignored {
        text.push_str(&format!(
            "({} files have no stored pages; page_start and page_end were ignored.)\n",
            doc.kind.label()
        ));
    }
    if let Some(note) = scanned_note(&doc) {
        text.push_str(&note);
        text.push('\n');
    }
    text.push_str(&doc.text);
    if let Some(footer) = document_footer(&doc) {
        text.push_str("\n\n");
        text.push_str(&footer);
    }
    let structured = serde_json::json!({
        "path": path.to_string(),
        "content": doc.text,
        "document": {
            "kind": doc.kind,
            "unit": doc.unit,
            "total": doc.total,
            "first": doc.first,
            "last": doc.last,
            "next_page_start": doc.next_start(),
            "truncated": doc.truncated,
            "has_text": doc.has_text,
            "pages_without_text": doc.pages_without_text,
        },
        "content_type": file.content_type,
        "etag": file.etag,
        "size": file.size,
    });
    Ok(success(&structured, text))
}

/// Why a byte read stopped: a failure to report, or a document to read instead.
enum ReadInstead {
    Failed(CallToolResult),
    Document(DocumentKind),
}

impl From<CallToolResult> for ReadInstead {
    fn from(failure: CallToolResult) -> Self {
        Self::Failed(failure)
    }
}

impl NextcloudMcp {
    async fn read_document(
        &self,
        nextcloud: &dyn NextcloudApi,
        path: &UserPath,
        kind: DocumentKind,
        args: &ReadFileArgs,
    ) -> ToolOutcome {
        if args.wants_bytes() || args.wants_lines() {
            return Err(failure(format!(
                "{path} is a {} document: offset, length, line_start and line_count are for text \
                 files; read documents with page_start and page_end",
                kind.label()
            )));
        }
        let documents = self.documents();
        let file = nextcloud
            .read_file(path, documents.max_document_bytes())
            .await
            .or_fail()?;
        let pages = PageSelection {
            start: args.page_start,
            end: args.page_end,
        };
        let FileContent {
            bytes,
            content_type,
            etag,
        } = file;
        let size = bytes.len();
        let doc = documents
            .read(kind, bytes, pages)
            .await
            .map_err(|e| failure(format!("{path}: {e}")))?;
        let pages_ignored = kind.unit() == Unit::Whole && args.wants_pages();
        let file = FileFacts {
            content_type,
            etag,
            size,
        };
        document_result(path, &file, doc, pages_ignored)
    }

    async fn read_lines(
        &self,
        nextcloud: &dyn NextcloudApi,
        path: &UserPath,
        args: &ReadFileArgs,
        progress: Option<Progress>,
    ) -> ToolOutcome {
        let first = args.line_start.unwrap_or(1);
        let count = args.line_count.unwrap_or(DEFAULT_LINE_COUNT);
        if first == 0 || count == 0 {
            return Err(failure(
                "line_start counts from 1 and line_count must be at least 1",
            ));
        }
        let mut window = LineWindow::new(first, count, MAX_READ_BYTES as usize);
        let reporting = progress.map(|p| p.bytes("read"));
        let mut counted = Counted {
            inner: &mut window,
            report: reporting.as_ref().map(ByteProgress::callback),
        };
        let scanned = nextcloud
            .scan_file(path, &mut counted, MAX_LINE_SCAN_BYTES)
            .await;
        drop(counted);
        if let Some(reporting) = reporting {
            reporting.flush().await;
        }
        let scanned = scanned.map_err(|e| {
                failure(format!(
                    "{e}; lines are looked for in the first {MAX_LINE_SCAN_BYTES} bytes, read further with offset and length"
                ))
            })?;
        let lines = window
            .finish(scanned.reached_end)
            .map_err(|e| failure(format!("{path}: {e}")))?;
        let mut text = lines.text.clone();
        let shown = format!("lines {}-{}", lines.first_line, lines.last_line);
        text.push_str(&match lines.next_line {
            Some(next) => format!("\n\n[{shown}. Read on with line_start={next}.]"),
            None => format!("\n\n[{shown}; the file ends here.]"),
        });
        let structured = serde_json::json!({
            "path": path.to_string(),
            "content": lines.text,
            "lines": {
                "first": lines.first_line,
                "last": lines.last_line,
                "next_line_start": lines.next_line,
            },
            "content_type": scanned.content_type,
            "etag": scanned.etag,
        });
        Ok(success(&structured, text))
    }

    /// Reads bytes of a text file; a file whose content type names a
    /// document format (and whose name did not) is handed back as such.
    async fn read_bytes(
        &self,
        nextcloud: &dyn NextcloudApi,
        path: &UserPath,
        args: &ReadFileArgs,
        parse: bool,
        progress: Option<Progress>,
    ) -> Result<CallToolResult, ReadInstead> {
        let offset = args.offset.unwrap_or(0);
        let length = args.length.unwrap_or(MAX_READ_BYTES);
        if length == 0 || length > MAX_READ_BYTES {
            return Err(failure(format!(
                "length must be between 1 and {MAX_READ_BYTES} bytes"
            ))
            .into());
        }
        let reporting = progress.map(|p| p.bytes("downloaded"));
        let range = nextcloud
            .read_range(
                path,
                offset,
                length,
                reporting.as_ref().map(ByteProgress::callback),
            )
            .await;
        if let Some(reporting) = reporting {
            reporting.flush().await;
        }
        let range = range.or_fail()?;
        if parse
            && !args.wants_bytes()
            && let Some(kind) = DocumentKind::detect("", range.content_type.as_deref())
        {
            return Err(ReadInstead::Document(kind));
        }
        let read_end = offset + range.bytes.len() as u64;
        let at_end = match range.total_size {
            Some(total) => read_end >= total,
            None => (range.bytes.len() as u64) < length,
        };
        if offset > 0 && range.bytes.is_empty() {
            return Err(failure(format!(
                "offset {offset} is at or past the end of {path}{}",
                range
                    .total_size
                    .map(|t| format!(" ({t} bytes)"))
                    .unwrap_or_default()
            ))
            .into());
        }
        if offset == 0 && at_end {
            // The whole file: the answer it always had.
            let file = FileContent {
                bytes: range.bytes,
                content_type: range.content_type,
                etag: range.etag,
            };
            let text = decode_text(path, &file).or_fail()?;
            let structured = serde_json::json!({
                "path": path.to_string(),
                "content": text,
                "content_type": file.content_type,
                "etag": file.etag,
                "size": file.bytes.len(),
            });
            return Ok(success(&structured, text));
        }
        let part = decode_byte_range(&range.bytes, offset, at_end)
            .map_err(|e| failure(format!("{path}: {e}")))?;
        let total = range
            .total_size
            .map(|t| format!(" of {t}"))
            .unwrap_or_default();
        let shown = format!("bytes {}-{}{total}", part.offset, part.end);
        let next_offset = (!at_end || part.end < read_end).then_some(part.end);
        let mut text = part.text.clone();
        text.push_str(&match next_offset {
            Some(next) => format!("\n\n[{shown}. Read on with offset={next}.]"),
            None => format!("\n\n[{shown}; the file ends here.]"),
        });
        let structured = serde_json::json!({
            "path": path.to_string(),
            "content": part.text,
            "range": {
                "offset": part.offset,
                "end": part.end,
                "total_size": range.total_size,
                "next_offset": next_offset,
            },
            "content_type": range.content_type,
            "etag": range.etag,
        });
        Ok(success(&structured, text))
    }
}

#[tool_router(router = files_read_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "nc_webdav_read_file",
        input_schema = crate::adapters::mcp::schema::input::<ReadFileArgs>("nc_webdav_read_file"),
        description = "Read a file as text. PDF, DOCX, ODT, XLSX, ODS, PPTX and ODP are converted to text, up to 50 pages, sheets or slides per call (page_start, page_end). Text files up to 2 MiB come whole; larger ones a part at a time, by bytes (offset, length) or by lines (line_start, line_count). Other binary files are refused with an explanation. Reports how far a text file's download got when the request carries a progress token.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn read_file(
        &self,
        Parameters(args): Parameters<ReadFileArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let path = parse_target(&args.path)?;
        if args.wants_bytes() && args.wants_lines() {
            return Err(failure(
                "give offset/length or line_start/line_count, not both",
            ));
        }
        let nextcloud = self.nextcloud(&request).await?;
        let parse = args.parse_document.unwrap_or(true);
        let name = path.name().unwrap_or_default().to_string();
        if parse && let Some(kind) = DocumentKind::detect(&name, None) {
            return self
                .read_document(nextcloud.as_ref(), &path, kind, &args)
                .await;
        }
        if args.wants_lines() {
            return self
                .read_lines(nextcloud.as_ref(), &path, &args, Progress::of(&request))
                .await;
        }
        match self
            .read_bytes(
                nextcloud.as_ref(),
                &path,
                &args,
                parse,
                Progress::of(&request),
            )
            .await
        {
            Ok(result) => Ok(result),
            Err(ReadInstead::Failed(failure)) => Err(failure),
            Err(ReadInstead::Document(kind)) => {
                self.read_document(nextcloud.as_ref(), &path, kind, &args)
                    .await
            }
        }
    }
}
