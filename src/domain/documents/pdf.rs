//! PDF text through lopdf. lopdf bounds each stream it inflates, but not
//! their sum, so every Flate stream in the file is measured first (inflated
//! into nothing, against the per-stream and per-document bounds); only a
//! file that passes is parsed. Pages whose content draws no text (scanned
//! images) are reported as such, since there is nothing to read without OCR.

use std::io::Read;

use flate2::read::ZlibDecoder;
use lopdf::{DecompressError, Document, LoadOptions};

use super::sink::TextSink;
use super::{DocumentError, DocumentKind, DocumentText, Limits, PageSelection, Unit};

const KIND: DocumentKind = DocumentKind::Pdf;

fn bomb(limits: &Limits, total: bool) -> DocumentError {
    DocumentError::Inflates {
        what: if total {
            "the PDF".to_string()
        } else {
            "a stream of the PDF".to_string()
        },
        limit: if total {
            limits.total_inflated
        } else {
            limits.entry_inflated
        },
    }
}

/// Bytes a zlib stream starting at `data` inflates to, reading at most
/// `allowed + 1`; data that is not zlib counts as nothing.
fn inflated_size(data: &[u8], allowed: u64) -> u64 {
    let mut decoder = ZlibDecoder::new(data).take(allowed.saturating_add(1));
    let mut buf = [0u8; 16 * 1024];
    let mut total = 0u64;
    loop {
        match decoder.read(&mut buf) {
            Ok(0) | Err(_) => return total,
            Ok(n) => total += n as u64,
        }
    }
}

/// Measures every `stream … endstream` body that inflates as zlib. The
/// dictionary in front of it is not consulted: it may lie, and a stream
/// hidden in an object stream is inflated by the parser all the same.
fn check_streams(bytes: &[u8], limits: &Limits) -> Result<(), DocumentError> {
    const KEYWORD: &[u8] = b"stream";
    let mut total = 0u64;
    let mut at = 0usize;
    while let Some(found) = bytes[at..]
        .windows(KEYWORD.len())
        .position(|w| w == KEYWORD)
    {
        let start = at + found;
        at = start + KEYWORD.len();
        if start >= 3 && &bytes[start - 3..start] == b"end" {
            continue;
        }
        // The keyword is followed by CRLF or LF, then the data.
        let data = match (bytes.get(at), bytes.get(at + 1)) {
            (Some(b'\r'), Some(b'\n')) => at + 2,
            (Some(b'\n'), _) => at + 1,
            _ => continue,
        };
        let remaining = limits.total_inflated - total;
        let allowed = limits.entry_inflated.min(remaining);
        let size = inflated_size(&bytes[data..], allowed);
        if size > allowed {
            return Err(bomb(limits, allowed < limits.entry_inflated));
        }
        total += size;
    }
    Ok(())
}

fn is_bomb(error: &lopdf::Error) -> bool {
    matches!(
        error,
        lopdf::Error::Decompress(DecompressError::MemoryLimitExceeded { .. })
    )
}

fn load(bytes: &[u8], limits: &Limits) -> Result<Document, DocumentError> {
    let options = LoadOptions {
        max_decompressed_size: Some(usize::try_from(limits.entry_inflated).unwrap_or(usize::MAX)),
        ..LoadOptions::default()
    };
    Document::load_mem_with_options(bytes, options).map_err(|e| {
        if is_bomb(&e) {
            bomb(limits, false)
        } else if matches!(e, lopdf::Error::Decryption(_)) {
            DocumentError::malformed(KIND, "it is encrypted with a password")
        } else {
            DocumentError::malformed(KIND, e)
        }
    })
}

pub(super) fn read(
    bytes: &[u8],
    pages: PageSelection,
    limits: &Limits,
) -> Result<DocumentText, DocumentError> {
    check_streams(bytes, limits)?;
    let document = load(bytes, limits)?;
    let numbers: Vec<u32> = document.get_pages().keys().copied().collect();
    let total = u32::try_from(numbers.len()).unwrap_or(u32::MAX);
    let window = pages.resolve(total, limits.units_per_call)?;
    let mut sink = TextSink::new(limits.text_bytes);
    let mut without_text = Vec::new();
    let mut reached = None;
    let per_page = usize::try_from(limits.entry_inflated).unwrap_or(usize::MAX);
    if let Some((first, last)) = window {
        for number in first..=last {
            reached = Some(number);
            let mut text = String::new();
            for chunk in document.extract_text_chunks_with_limit(&[number], per_page) {
                match chunk {
                    Ok(part) => text.push_str(&part),
                    Err(e) if is_bomb(&e) => return Err(bomb(limits, false)),
                    // A font whose encoding lopdf cannot read loses its
                    // text; the rest of the page still counts.
                    Err(_) => {}
                }
            }
            let text = text.trim();
            if text.is_empty() {
                without_text.push(number);
            }
            sink.end_line();
            sink.push(&format!("## Page {number}\n"));
            sink.push(text);
            if sink.full() {
                break;
            }
        }
    }
    let read = window.map_or(0, |(first, _)| reached.map_or(0, |r| r + 1 - first));
    let (text, truncated) = sink.finish();
    Ok(DocumentText {
        kind: KIND,
        unit: Unit::Page,
        total: Some(total),
        first: window.map(|w| w.0),
        last: reached,
        has_text: (without_text.len() as u32) < read,
        text,
        truncated,
        pages_without_text: without_text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::ZlibEncoder;
    use std::io::Write;

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut encoder = ZlibEncoder::new(Vec::new(), Compression::fast());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    fn with_stream(body: &[u8]) -> Vec<u8> {
        let mut pdf = b"%PDF-1.4\n1 0 obj << /Filter /FlateDecode >>\nstream\r\n".to_vec();
        pdf.extend_from_slice(body);
        pdf.extend_from_slice(b"\nendstream\nendobj\n");
        pdf
    }

    fn small() -> Limits {
        Limits {
            entry_inflated: 64 * 1024,
            total_inflated: 100 * 1024,
            ..Limits::default()
        }
    }

    #[test]
    fn a_stream_inflating_past_the_bound_is_refused_before_parsing() {
        let pdf = with_stream(&zlib(&vec![0u8; 65 * 1024]));
        let err = read(&pdf, PageSelection::default(), &small()).unwrap_err();
        assert!(
            matches!(err, DocumentError::Inflates { limit, .. } if limit == 64 * 1024),
            "{err}"
        );
    }

    #[test]
    fn streams_are_summed_against_the_document_bound() {
        let one = zlib(&vec![1u8; 40 * 1024]);
        let mut pdf = with_stream(&one);
        pdf.extend(with_stream(&one));
        assert!(check_streams(&pdf, &small()).is_ok());
        pdf.extend(with_stream(&one));
        let err = check_streams(&pdf, &small()).unwrap_err();
        assert!(
            matches!(err, DocumentError::Inflates { limit, .. } if limit == 100 * 1024),
            "{err}"
        );
    }

    #[test]
    fn streams_that_are_not_zlib_count_as_nothing() {
        let pdf = with_stream(b"BT (plain) Tj ET");
        assert!(check_streams(&pdf, &small()).is_ok());
        assert!(read(b"not a pdf", PageSelection::default(), &small()).is_err());
    }
}
