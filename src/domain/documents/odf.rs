//! OpenDocument (Writer, Calc, Impress): everything is in `content.xml`;
//! text sits in `text:p` and `text:h`, sheets are `table:table`, slides
//! are `draw:page`.

use std::ops::ControlFlow;

use super::ooxml::{RowWriter, whole, windowed};
use super::sink::TextSink;
use super::xml_text::{Element, Node, walk};
use super::zipped::Archive;
use super::{DocumentError, DocumentKind, DocumentText, Limits, PageSelection};

const CONTENT: &str = "content.xml";
/// `text:s c="…"` spaces and repeated cells or rows taken at most, so a
/// count of a million cannot inflate the text.
const MAX_REPEAT: usize = 1024;

fn count(e: &Element<'_>, attribute: &str) -> usize {
    e.attr(attribute)
        .and_then(|c| c.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, MAX_REPEAT)
}

/// Paragraph text with ODF's space, tab and line-break elements, skipping
/// deleted text kept for change tracking. Shared by all three formats.
struct Paragraphs {
    depth: u32,
    skipped: u32,
}

impl Paragraphs {
    fn new() -> Self {
        Self {
            depth: 0,
            skipped: 0,
        }
    }

    /// Handles a node; returns text to add, and whether a paragraph ended.
    fn node(&mut self, node: &Node<'_>, out: &mut dyn FnMut(&str)) -> bool {
        match node {
            Node::Open(e) => match e.name.as_str() {
                "tracked-changes" | "annotation" | "notes" => self.skipped += 1,
                "p" | "h" => self.depth += 1,
                "s" if self.depth > 0 && self.skipped == 0 => {
                    out(&" ".repeat(count(e, "c")));
                }
                "tab" if self.depth > 0 && self.skipped == 0 => out("\t"),
                "line-break" if self.depth > 0 && self.skipped == 0 => out("\n"),
                _ => {}
            },
            Node::Close(name) => match name.as_str() {
                "tracked-changes" | "annotation" | "notes" => {
                    self.skipped = self.skipped.saturating_sub(1)
                }
                "p" | "h" => {
                    self.depth = self.depth.saturating_sub(1);
                    return self.skipped == 0;
                }
                _ => {}
            },
            Node::Text(text) if self.depth > 0 && self.skipped == 0 => out(text),
            Node::Text(_) => {}
        }
        false
    }
}

fn open<'a>(
    bytes: &'a [u8],
    kind: DocumentKind,
    limits: &Limits,
) -> Result<Archive<'a>, DocumentError> {
    let archive = Archive::open(bytes, kind, limits)?;
    if !archive.has(CONTENT) {
        return Err(DocumentError::malformed(kind, "it has no content.xml"));
    }
    Ok(archive)
}

fn flow(sink: &TextSink) -> ControlFlow<()> {
    if sink.full() {
        ControlFlow::Break(())
    } else {
        ControlFlow::Continue(())
    }
}

pub(super) fn read_odt(bytes: &[u8], limits: &Limits) -> Result<DocumentText, DocumentError> {
    let kind = DocumentKind::Odt;
    let mut archive = open(bytes, kind, limits)?;
    let mut sink = TextSink::new(limits.text_bytes);
    archive.with_entry(CONTENT, |entry| {
        let mut paragraphs = Paragraphs::new();
        walk(entry, kind, |node| {
            let mut text = String::new();
            let ended = paragraphs.node(&node, &mut |t| text.push_str(t));
            sink.push(&text);
            if ended {
                sink.end_line();
            }
            flow(&sink)
        })
    })?;
    Ok(whole(kind, sink))
}

/// Sheets and slides are read in one pass over `content.xml`: all of them
/// are counted (for "sheet 2 of 5"), only the selected ones are written.
/// The selection is known only once the count is, so the pass counts first.
fn count_units(
    archive: &mut Archive<'_>,
    kind: DocumentKind,
    element: &str,
) -> Result<u32, DocumentError> {
    let mut total = 0u32;
    let mut depth = 0u32;
    archive.with_entry(CONTENT, |entry| {
        walk(entry, kind, |node| {
            match node {
                Node::Open(e) if e.name == element => {
                    if depth == 0 {
                        total = total.saturating_add(1);
                    }
                    depth += 1;
                }
                Node::Close(name) if name == element => depth = depth.saturating_sub(1),
                _ => {}
            }
            ControlFlow::Continue(())
        })
    })?;
    Ok(total)
}

pub(super) fn read_odp(
    bytes: &[u8],
    pages: PageSelection,
    limits: &Limits,
) -> Result<DocumentText, DocumentError> {
    let kind = DocumentKind::Odp;
    let mut archive = open(bytes, kind, limits)?;
    let total = count_units(&mut archive, kind, "page")?;
    let window = pages.resolve(total, limits.units_per_call)?;
    let mut sink = TextSink::new(limits.text_bytes);
    let mut reached = None;
    if let Some((first, last)) = window {
        archive.with_entry(CONTENT, |entry| {
            let mut number = 0u32;
            let mut inside = false;
            let mut paragraphs = Paragraphs::new();
            walk(entry, kind, |node| {
                match &node {
                    Node::Open(e) if e.name == "page" => {
                        number += 1;
                        inside = (first..=last).contains(&number);
                        if inside {
                            reached = Some(number);
                            sink.end_line();
                            sink.push(&format!("## Slide {number}\n"));
                        }
                    }
                    Node::Close(name) if name == "page" => {
                        if number >= last {
                            return ControlFlow::Break(());
                        }
                        inside = false;
                    }
                    _ if inside => {
                        let mut text = String::new();
                        if paragraphs.node(&node, &mut |t| text.push_str(t)) {
                            text.push('\n');
                        }
                        sink.push(&text);
                    }
                    _ => {}
                }
                flow(&sink)
            })
        })?;
    }
    Ok(windowed(kind, sink, total, window, reached))
}

pub(super) fn read_ods(
    bytes: &[u8],
    pages: PageSelection,
    limits: &Limits,
) -> Result<DocumentText, DocumentError> {
    let kind = DocumentKind::Ods;
    let mut archive = open(bytes, kind, limits)?;
    let total = count_units(&mut archive, kind, "table")?;
    let window = pages.resolve(total, limits.units_per_call)?;
    let mut sink = TextSink::new(limits.text_bytes);
    let mut reached = None;
    if let Some((first, last)) = window {
        archive.with_entry(CONTENT, |entry| {
            let mut number = 0u32;
            let mut depth = 0u32;
            let mut inside = false;
            let mut row = RowWriter::new();
            let mut row_repeat = 1usize;
            let mut column = 0usize;
            let mut cell = String::new();
            let mut cell_repeat = 1usize;
            let mut in_cell = false;
            let mut paragraphs = Paragraphs::new();
            walk(entry, kind, |node| {
                match &node {
                    Node::Open(e) if e.name == "table" => {
                        depth += 1;
                        if depth == 1 {
                            number += 1;
                            inside = (first..=last).contains(&number);
                            if inside {
                                reached = Some(number);
                                sink.end_line();
                                let name = e.attr("name").unwrap_or_default();
                                sink.push(&format!("## Sheet {number}: {name}\n"));
                            }
                        }
                    }
                    Node::Close(name) if name == "table" => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 && number >= last {
                            return ControlFlow::Break(());
                        }
                    }
                    _ if !inside => {}
                    Node::Open(e) if e.name == "table-row" => {
                        row_repeat = count(e, "number-rows-repeated");
                        column = 0;
                    }
                    Node::Open(e) if e.name == "table-cell" || e.name == "covered-table-cell" => {
                        cell_repeat = count(e, "number-columns-repeated");
                        cell.clear();
                        in_cell = true;
                    }
                    Node::Close(name) if name == "table-cell" || name == "covered-table-cell" => {
                        in_cell = false;
                        for _ in 0..cell_repeat {
                            row.cell(Some(column), cell.trim_end_matches('\n'));
                            column += 1;
                        }
                    }
                    Node::Close(name) if name == "table-row" => {
                        if let Some(line) = row.finish() {
                            for _ in 0..row_repeat {
                                sink.push(&line);
                                sink.push_char('\n');
                            }
                        }
                    }
                    _ if in_cell => {
                        let ended = paragraphs.node(&node, &mut |t| cell.push_str(t));
                        if ended {
                            cell.push('\n');
                        }
                    }
                    _ => {}
                }
                flow(&sink)
            })
        })?;
    }
    Ok(windowed(kind, sink, total, window, reached))
}
