//! Office Open XML (Word, Excel, PowerPoint): text runs in `document.xml`,
//! cells of each worksheet with the shared strings, and the text of each
//! slide in presentation order.

use std::collections::HashMap;
use std::ops::ControlFlow;

use super::sink::TextSink;
use super::xml_text::{Node, walk};
use super::zipped::Archive;
use super::{DocumentError, DocumentKind, DocumentText, Limits, PageSelection, Unit};

/// Columns of gap filled with tabs at most: a cell at `XFD1` must not turn
/// into sixteen thousand tabs.
pub(super) const MAX_COLUMN_GAP: usize = 1024;

pub(super) fn whole(kind: DocumentKind, sink: TextSink) -> DocumentText {
    let (text, truncated) = sink.finish();
    DocumentText {
        kind,
        unit: Unit::Whole,
        total: None,
        first: None,
        last: None,
        has_text: !text.trim().is_empty(),
        text,
        truncated,
        pages_without_text: Vec::new(),
    }
}

pub(super) fn windowed(
    kind: DocumentKind,
    sink: TextSink,
    total: u32,
    window: Option<(u32, u32)>,
    last_reached: Option<u32>,
) -> DocumentText {
    let (text, truncated) = sink.finish();
    DocumentText {
        kind,
        unit: kind.unit(),
        total: Some(total),
        first: window.map(|w| w.0),
        last: if truncated {
            last_reached
        } else {
            window.map(|w| w.1)
        },
        has_text: !text.trim().is_empty(),
        text,
        truncated,
        pages_without_text: Vec::new(),
    }
}

pub(super) fn read_docx(bytes: &[u8], limits: &Limits) -> Result<DocumentText, DocumentError> {
    let kind = DocumentKind::Docx;
    let mut archive = Archive::open(bytes, kind, limits)?;
    let mut sink = TextSink::new(limits.text_bytes);
    archive.with_entry("word/document.xml", |entry| {
        let mut in_text = 0u32;
        // Tab stops in paragraph properties are named like tab characters.
        let mut in_tab_stops = 0u32;
        // Alternate content repeats its text in the fallback.
        let mut in_fallback = 0u32;
        walk(entry, kind, |node| {
            match node {
                Node::Open(e) => match e.name.as_str() {
                    "t" => in_text += 1,
                    "tabs" => in_tab_stops += 1,
                    "Fallback" => in_fallback += 1,
                    "tab" if in_tab_stops == 0 && in_fallback == 0 => sink.push_char('\t'),
                    "br" | "cr" if in_fallback == 0 => sink.push_char('\n'),
                    _ => {}
                },
                Node::Close(name) => match name.as_str() {
                    "t" => in_text = in_text.saturating_sub(1),
                    "tabs" => in_tab_stops = in_tab_stops.saturating_sub(1),
                    "Fallback" => in_fallback = in_fallback.saturating_sub(1),
                    "p" if in_fallback == 0 => sink.end_line(),
                    _ => {}
                },
                Node::Text(text) if in_text > 0 && in_fallback == 0 => sink.push(text),
                Node::Text(_) => {}
            }
            if sink.full() {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
    })?;
    Ok(whole(kind, sink))
}

/// A part's relationships: id to the target's path inside the archive.
fn relationships(
    archive: &mut Archive<'_>,
    rels: &str,
    base: &str,
) -> Result<HashMap<String, String>, DocumentError> {
    let kind = archive.kind();
    let mut targets = HashMap::new();
    archive.with_entry(rels, |entry| {
        walk(entry, kind, |node| {
            if let Node::Open(e) = node
                && e.name == "Relationship"
                && let (Some(id), Some(target)) = (e.attr("Id"), e.attr("Target"))
            {
                targets.insert(id, resolve_target(base, &target));
            }
            ControlFlow::Continue(())
        })
    })?;
    Ok(targets)
}

/// `Target` is relative to the part's folder, or absolute from the archive root.
fn resolve_target(base: &str, target: &str) -> String {
    if let Some(absolute) = target.strip_prefix('/') {
        return absolute.to_string();
    }
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for segment in target.split('/') {
        match segment {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// The parts a workbook or presentation lists, in its order: (name, path).
fn ordered_parts(
    archive: &mut Archive<'_>,
    main: &str,
    rels: &str,
    base: &str,
    element: &str,
) -> Result<Vec<(String, String)>, DocumentError> {
    let kind = archive.kind();
    let targets = relationships(archive, rels, base)?;
    let mut listed = Vec::new();
    archive.with_entry(main, |entry| {
        walk(entry, kind, |node| {
            if let Node::Open(e) = node
                && e.name == element
                && let Some(id) = e.qualified_attr("r:id").or_else(|| e.attr("id"))
                && let Some(path) = targets.get(&id)
            {
                listed.push((e.attr("name").unwrap_or_default(), path.clone()));
            }
            ControlFlow::Continue(())
        })
    })?;
    Ok(listed)
}

pub(super) fn read_pptx(
    bytes: &[u8],
    pages: PageSelection,
    limits: &Limits,
) -> Result<DocumentText, DocumentError> {
    let kind = DocumentKind::Pptx;
    let mut archive = Archive::open(bytes, kind, limits)?;
    let slides = ordered_parts(
        &mut archive,
        "ppt/presentation.xml",
        "ppt/_rels/presentation.xml.rels",
        "ppt",
        "sldId",
    )?;
    let total = u32::try_from(slides.len()).unwrap_or(u32::MAX);
    let window = pages.resolve(total, limits.units_per_call)?;
    let mut sink = TextSink::new(limits.text_bytes);
    let mut reached = None;
    if let Some((first, last)) = window {
        for number in first..=last {
            let (_, path) = &slides[(number - 1) as usize];
            reached = Some(number);
            sink.end_line();
            sink.push(&format!("## Slide {number}\n"));
            if !archive.has(path) {
                continue;
            }
            archive.with_entry(path, |entry| {
                let mut in_text = 0u32;
                walk(entry, kind, |node| {
                    match node {
                        Node::Open(e) if e.name == "t" => in_text += 1,
                        Node::Open(e) if e.name == "br" => sink.push_char('\n'),
                        Node::Close(name) if name == "t" => in_text = in_text.saturating_sub(1),
                        Node::Close(name) if name == "p" => sink.end_line(),
                        Node::Text(text) if in_text > 0 => sink.push(text),
                        _ => {}
                    }
                    if sink.full() {
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    }
                })
            })?;
            if sink.full() {
                break;
            }
        }
    }
    Ok(windowed(kind, sink, total, window, reached))
}

fn shared_strings(archive: &mut Archive<'_>) -> Result<Vec<String>, DocumentError> {
    let kind = archive.kind();
    let mut strings = Vec::new();
    if !archive.has("xl/sharedStrings.xml") {
        return Ok(strings);
    }
    archive.with_entry("xl/sharedStrings.xml", |entry| {
        let mut current = String::new();
        let (mut in_text, mut in_phonetic) = (0u32, 0u32);
        walk(entry, kind, |node| {
            match node {
                Node::Open(e) => match e.name.as_str() {
                    "si" => current.clear(),
                    "t" => in_text += 1,
                    "rPh" => in_phonetic += 1,
                    _ => {}
                },
                Node::Close(name) => match name.as_str() {
                    "si" => strings.push(std::mem::take(&mut current)),
                    "t" => in_text = in_text.saturating_sub(1),
                    "rPh" => in_phonetic = in_phonetic.saturating_sub(1),
                    _ => {}
                },
                Node::Text(text) if in_text > 0 && in_phonetic == 0 => current.push_str(text),
                Node::Text(_) => {}
            }
            ControlFlow::Continue(())
        })
    })?;
    Ok(strings)
}

/// `C7` is column 2 (0-based); `None` when the reference has no letters.
fn column_of(reference: &str) -> Option<usize> {
    let letters: Vec<u8> = reference
        .bytes()
        .take_while(u8::is_ascii_alphabetic)
        .collect();
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let mut column = 0usize;
    for letter in letters {
        column = column * 26 + usize::from(letter.to_ascii_uppercase() - b'A') + 1;
    }
    Some(column - 1)
}

/// Lays out one row's cells as tab-separated text, filling gaps between
/// columns (up to [`MAX_COLUMN_GAP`]).
pub(super) struct RowWriter {
    line: String,
    next_column: usize,
}

impl RowWriter {
    pub fn new() -> Self {
        Self {
            line: String::new(),
            next_column: 0,
        }
    }

    pub fn cell(&mut self, column: Option<usize>, value: &str) {
        let column = column.unwrap_or(self.next_column);
        if !value.is_empty() {
            let gap = column.saturating_sub(self.next_column).min(MAX_COLUMN_GAP);
            if self.next_column > 0 || gap > 0 {
                let tabs = if self.next_column == 0 { gap } else { gap + 1 };
                self.line.extend(std::iter::repeat_n('\t', tabs));
            }
            // Tabs and line breaks inside a cell would shift the layout.
            self.line.extend(
                value
                    .chars()
                    .map(|c| if c == '\t' || c == '\n' { ' ' } else { c }),
            );
            self.next_column = column.max(self.next_column) + 1;
        }
        // Empty cells only widen the gap before the next filled one.
    }

    /// The row as a line, or `None` when it had no value.
    pub fn finish(&mut self) -> Option<String> {
        self.next_column = 0;
        let line = std::mem::take(&mut self.line);
        (!line.is_empty()).then_some(line)
    }
}

pub(super) fn read_xlsx(
    bytes: &[u8],
    pages: PageSelection,
    limits: &Limits,
) -> Result<DocumentText, DocumentError> {
    let kind = DocumentKind::Xlsx;
    let mut archive = Archive::open(bytes, kind, limits)?;
    let sheets = ordered_parts(
        &mut archive,
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl",
        "sheet",
    )?;
    let total = u32::try_from(sheets.len()).unwrap_or(u32::MAX);
    let window = pages.resolve(total, limits.units_per_call)?;
    let mut sink = TextSink::new(limits.text_bytes);
    let mut reached = None;
    let Some((first, last)) = window else {
        return Ok(windowed(kind, sink, total, window, reached));
    };
    let strings = shared_strings(&mut archive)?;
    for number in first..=last {
        let (name, path) = &sheets[(number - 1) as usize];
        reached = Some(number);
        sink.end_line();
        sink.push(&format!("## Sheet {number}: {name}\n"));
        if !archive.has(path) {
            continue;
        }
        archive.with_entry(path, |entry| {
            let mut row = RowWriter::new();
            let mut cell_type = String::new();
            let mut column = None;
            let mut value = String::new();
            let (mut in_value, mut in_inline) = (0u32, 0u32);
            walk(entry, kind, |node| {
                match node {
                    Node::Open(e) => match e.name.as_str() {
                        "c" => {
                            cell_type = e.attr("t").unwrap_or_default();
                            column = e.attr("r").as_deref().and_then(column_of);
                            value.clear();
                        }
                        "v" => in_value += 1,
                        "t" => in_inline += 1,
                        _ => {}
                    },
                    Node::Close(name) => match name.as_str() {
                        "v" => in_value = in_value.saturating_sub(1),
                        "t" => in_inline = in_inline.saturating_sub(1),
                        "c" => {
                            let shown = match cell_type.as_str() {
                                "s" => value
                                    .trim()
                                    .parse::<usize>()
                                    .ok()
                                    .and_then(|i| strings.get(i))
                                    .cloned()
                                    .unwrap_or_default(),
                                "b" => match value.trim() {
                                    "1" => "TRUE".to_string(),
                                    _ => "FALSE".to_string(),
                                },
                                _ => value.clone(),
                            };
                            row.cell(column, &shown);
                        }
                        "row" => {
                            if let Some(line) = row.finish() {
                                sink.push(&line);
                                sink.push_char('\n');
                            }
                        }
                        _ => {}
                    },
                    Node::Text(text) if in_value > 0 || in_inline > 0 => value.push_str(text),
                    Node::Text(_) => {}
                }
                if sink.full() {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
        })?;
        if sink.full() {
            break;
        }
    }
    Ok(windowed(kind, sink, total, window, reached))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relationship_targets_resolve_against_the_part_folder() {
        assert_eq!(
            resolve_target("xl", "worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(
            resolve_target("xl", "/xl/worksheets/s.xml"),
            "xl/worksheets/s.xml"
        );
        assert_eq!(
            resolve_target("ppt", "../ppt/slides/slide2.xml"),
            "ppt/slides/slide2.xml"
        );
    }

    #[test]
    fn cell_references_name_columns() {
        assert_eq!(column_of("A1"), Some(0));
        assert_eq!(column_of("C7"), Some(2));
        assert_eq!(column_of("AA10"), Some(26));
        assert_eq!(column_of("XFD1"), Some(16383));
        assert_eq!(column_of("17"), None);
    }

    #[test]
    fn rows_fill_gaps_but_never_more_than_the_bound() {
        let mut row = RowWriter::new();
        row.cell(Some(0), "a");
        row.cell(Some(2), "c");
        assert_eq!(row.finish().unwrap(), "a\t\tc");
        row.cell(Some(1), "b\tx");
        assert_eq!(row.finish().unwrap(), "\tb x");
        row.cell(Some(16383), "far");
        assert_eq!(row.finish().unwrap().len(), MAX_COLUMN_GAP + 3);
        row.cell(Some(0), "");
        assert_eq!(row.finish(), None);
    }
}
