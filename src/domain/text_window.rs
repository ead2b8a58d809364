//! Parts of large text files: a byte range cut to whole characters, or a run
//! of lines found by streaming the file from its start. Either way the
//! result says where it ends, so the next call can read on.

use serde::Serialize;

/// Receives a file's bytes as they arrive; answers `true` once it has
/// everything it wants, so the download can stop.
pub trait ChunkSink: Send {
    fn accept(&mut self, chunk: &[u8]) -> bool;
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WindowError {
    #[error("this part of the file is not text ({0}); only text files can be read by range")]
    Binary(&'static str),
    #[error("line {first} is past the end: the file has {lines} lines")]
    PastEnd { first: u64, lines: u64 },
    #[error(
        "line {line} alone is longer than {limit} bytes; read it by byte range (offset and length) instead"
    )]
    LineTooLong { line: u64, limit: usize },
}

/// Bytes of a file from `offset`, as downloaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRange {
    pub bytes: Vec<u8>,
    pub offset: u64,
    /// The file's size, when the server said it.
    pub total_size: Option<u64>,
    pub content_type: Option<String>,
    pub etag: Option<String>,
}

/// How a streamed read ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scanned {
    /// The whole file passed (the sink never said "enough").
    pub reached_end: bool,
    pub content_type: Option<String>,
    pub etag: Option<String>,
}

/// Text out of `offset..end` of a file (byte positions, `end` exclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ByteRangeText {
    pub text: String,
    pub offset: u64,
    pub end: u64,
}

fn check_text(bytes: &[u8]) -> Result<(), WindowError> {
    if bytes.contains(&0) {
        return Err(WindowError::Binary("it contains NUL bytes"));
    }
    Ok(())
}

/// Decodes bytes read from `offset`. A character cut by the range's start
/// is dropped, one cut by its end is left for the next range (unless the
/// range reaches the end of the file, where a cut character is an error).
pub fn decode_byte_range(
    bytes: &[u8],
    offset: u64,
    at_end_of_file: bool,
) -> Result<ByteRangeText, WindowError> {
    check_text(bytes)?;
    let mut start = 0;
    if offset > 0 {
        // At most three continuation bytes can precede a character's start.
        while start < bytes.len().min(3) && bytes[start] & 0b1100_0000 == 0b1000_0000 {
            start += 1;
        }
    }
    let body = &bytes[start..];
    let valid = match std::str::from_utf8(body) {
        Ok(text) => text,
        Err(e) if e.error_len().is_none() && !at_end_of_file => {
            std::str::from_utf8(&body[..e.valid_up_to()]).expect("valid prefix")
        }
        Err(_) => return Err(WindowError::Binary("it is not valid UTF-8")),
    };
    Ok(ByteRangeText {
        text: valid.to_string(),
        offset: offset + start as u64,
        end: offset + (start + valid.len()) as u64,
    })
}

/// Lines `first..first + count` (1-based), kept to `max_bytes`.
pub struct LineWindow {
    first: u64,
    count: u64,
    max_bytes: usize,
    /// The number of the line the next byte belongs to.
    line: u64,
    kept: Vec<u8>,
    /// Bytes of `kept` that are whole lines.
    complete: usize,
    lines_kept: u64,
    /// The current line has bytes (the file may end without a line break).
    in_line: bool,
    done: bool,
    overflow: bool,
    /// Bytes looked at so far: up to the end of the last line kept once the
    /// window is full, not the rest of the chunk that held it.
    scanned: u64,
}

/// What a [`LineWindow`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinesText {
    pub text: String,
    pub first_line: u64,
    pub last_line: u64,
    /// The line to start from to read on; `None` when the file ended.
    pub next_line: Option<u64>,
}

impl LineWindow {
    pub fn new(first: u64, count: u64, max_bytes: usize) -> Self {
        Self {
            first: first.max(1),
            count: count.max(1),
            max_bytes,
            line: 1,
            kept: Vec::new(),
            complete: 0,
            lines_kept: 0,
            in_line: false,
            done: false,
            overflow: false,
            scanned: 0,
        }
    }

    /// How far into the file the window has looked.
    pub fn scanned(&self) -> u64 {
        self.scanned
    }

    /// `reached_end`: the whole file passed through [`ChunkSink::accept`].
    pub fn finish(mut self, reached_end: bool) -> Result<LinesText, WindowError> {
        // A last line without a line break is still a line.
        if reached_end && !self.done && self.kept.len() > self.complete {
            self.complete = self.kept.len();
            self.lines_kept += 1;
        }
        if self.lines_kept == 0 {
            if self.overflow {
                return Err(WindowError::LineTooLong {
                    line: self.first,
                    limit: self.max_bytes,
                });
            }
            let lines = self.line - 1 + u64::from(self.in_line);
            return Err(WindowError::PastEnd {
                first: self.first,
                lines,
            });
        }
        self.kept.truncate(self.complete);
        check_text(&self.kept)?;
        let text = String::from_utf8(self.kept)
            .map_err(|_| WindowError::Binary("it is not valid UTF-8"))?;
        let last_line = self.first + self.lines_kept - 1;
        Ok(LinesText {
            text,
            first_line: self.first,
            last_line,
            next_line: (self.done || !reached_end).then_some(last_line + 1),
        })
    }
}

impl ChunkSink for LineWindow {
    fn accept(&mut self, mut chunk: &[u8]) -> bool {
        while !chunk.is_empty() && !self.done {
            let (part, rest, ends) = match chunk.iter().position(|b| *b == b'\n') {
                Some(i) => (&chunk[..=i], &chunk[i + 1..], true),
                None => (chunk, &[][..], false),
            };
            if self.line >= self.first {
                self.kept.extend_from_slice(part);
                if self.kept.len() > self.max_bytes {
                    self.kept.truncate(self.complete);
                    self.overflow = true;
                    self.done = true;
                    break;
                }
                if ends {
                    self.complete = self.kept.len();
                    self.lines_kept += 1;
                    self.done = self.lines_kept == self.count;
                }
            }
            self.scanned += part.len() as u64;
            if ends {
                self.line += 1;
            }
            self.in_line = !ends;
            chunk = rest;
        }
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_ranges_are_cut_to_whole_characters() {
        let text = "aé€b".as_bytes(); // a, é (2 bytes), € (3 bytes), b
        let middle = decode_byte_range(&text[2..5], 2, false).unwrap();
        // Starts inside é: its tail is dropped; ends inside €: left for later.
        assert_eq!(middle.text, "");
        assert_eq!((middle.offset, middle.end), (3, 3));
        let from_euro = decode_byte_range(&text[3..7], 3, true).unwrap();
        assert_eq!(from_euro.text, "€b");
        assert_eq!(from_euro.end, 7);
        assert!(
            decode_byte_range(&text[0..5], 0, true).is_err(),
            "cut at EOF"
        );
        assert!(decode_byte_range(b"a\0b", 0, true).is_err());
    }

    fn lines(
        input: &[u8],
        first: u64,
        count: u64,
        max: usize,
        chunk: usize,
    ) -> Result<LinesText, WindowError> {
        let mut window = LineWindow::new(first, count, max);
        let mut done = false;
        for piece in input.chunks(chunk) {
            if window.accept(piece) {
                done = true;
                break;
            }
        }
        window.finish(!done)
    }

    #[test]
    fn a_full_window_has_scanned_to_the_end_of_its_last_line() {
        let mut window = LineWindow::new(2, 2, 1024);
        assert!(!window.accept(b"one\ntw"));
        assert_eq!(window.scanned(), 6);
        // One chunk holds the rest of the window and more: only what was
        // looked at counts.
        assert!(window.accept(b"o\nthree\nfour\nfive\n"));
        assert_eq!(window.scanned(), "one\ntwo\nthree\n".len() as u64);
        assert_eq!(window.finish(false).unwrap().text, "two\nthree\n");
    }

    #[test]
    fn line_windows_find_lines_across_chunks() {
        let input = b"one\ntwo\nthree\nfour";
        let got = lines(input, 2, 2, 1000, 3).unwrap();
        assert_eq!(got.text, "two\nthree\n");
        assert_eq!(
            (got.first_line, got.last_line, got.next_line),
            (2, 3, Some(4))
        );
        let tail = lines(input, 4, 10, 1000, 5).unwrap();
        assert_eq!(tail.text, "four");
        assert_eq!(tail.next_line, None);
        let past = lines(input, 9, 1, 1000, 5).unwrap_err();
        assert_eq!(past, WindowError::PastEnd { first: 9, lines: 4 });
        let past = lines(b"a\nb\n", 3, 1, 1000, 5).unwrap_err();
        assert_eq!(past, WindowError::PastEnd { first: 3, lines: 2 });
    }

    #[test]
    fn line_windows_stop_at_the_byte_bound_on_a_line_break() {
        let input = b"aaaa\nbbbb\ncccc\n";
        let got = lines(input, 1, 100, 12, 4).unwrap();
        assert_eq!(got.text, "aaaa\nbbbb\n");
        assert_eq!(got.next_line, Some(3));
        let err = lines(input, 2, 1, 3, 4).unwrap_err();
        assert_eq!(err, WindowError::LineTooLong { line: 2, limit: 3 });
    }
}
