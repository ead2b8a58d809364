//! Sample documents made in the tests: office files are zip archives of a
//! few XML parts, a PDF is a handful of objects and a cross-reference table,
//! and a zip bomb is a Deflate stream written bit by bit (so a 200 MiB
//! entry costs a fraction of a second to make and never exists inflated).

use std::io::{Cursor, Write};

use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

/// A zip archive of `(name, content)` entries, Deflate-compressed.
pub fn zip_of(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, content) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(content.as_bytes()).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

/// A Word file: each paragraph's text as one run, and a tab stop in the
/// first paragraph's properties (which must not read as a tab character).
pub fn docx(paragraphs: &[&str]) -> Vec<u8> {
    let mut body = String::new();
    for (i, text) in paragraphs.iter().enumerate() {
        let properties = if i == 0 {
            r#"<w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>"#
        } else {
            ""
        };
        body.push_str(&format!(
            r#"<w:p>{properties}<w:r><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
            escape(text)
        ));
    }
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>{body}<w:sectPr/></w:body></w:document>"#
    );
    zip_of(&[
        ("[Content_Types].xml", CONTENT_TYPES),
        ("word/document.xml", &document),
    ])
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#;
const R: &str = r#"xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;
const RELS: &str = r#"xmlns="http://schemas.openxmlformats.org/package/2006/relationships""#;

/// A workbook of two sheets, "Budget" (shared strings, numbers, a boolean,
/// an inline string and a gap between columns) and "Notes".
pub fn xlsx() -> Vec<u8> {
    let workbook = format!(
        r#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" {R}><sheets><sheet name="Budget" sheetId="1" r:id="rId1"/><sheet name="Notes" sheetId="2" r:id="rId2"/></sheets></workbook>"#
    );
    let rels = format!(
        r#"<?xml version="1.0"?><Relationships {RELS}><Relationship Id="rId2" Type="ws" Target="worksheets/sheet2.xml"/><Relationship Id="rId1" Type="ws" Target="/xl/worksheets/sheet1.xml"/></Relationships>"#
    );
    let strings = r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>Item</t></si><si><t>Cost</t></si><si><r><t>Rent</t></r><r><t xml:space="preserve"> &amp; heat</t></r></si><si><t>Remember the deposit</t></si></sst>"#;
    let sheet1 = r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>1250.5</v></c><c r="D2" t="b"><v>1</v></c></row><row r="3"><c r="A3" t="inlineStr"><is><t>Total</t></is></c><c r="B3"><f>SUM(B2)</f><v>1250.5</v></c></row></sheetData></worksheet>"#;
    let sheet2 = r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>3</v></c></row></sheetData></worksheet>"#;
    zip_of(&[
        ("[Content_Types].xml", CONTENT_TYPES),
        ("xl/workbook.xml", &workbook),
        ("xl/_rels/workbook.xml.rels", &rels),
        ("xl/sharedStrings.xml", strings),
        ("xl/worksheets/sheet1.xml", sheet1),
        ("xl/worksheets/sheet2.xml", sheet2),
    ])
}

/// A presentation whose slide files are numbered against their order.
pub fn pptx(slides: &[&str]) -> Vec<u8> {
    let mut ids = String::new();
    let mut rels = String::new();
    let mut parts = Vec::new();
    for (i, text) in slides.iter().enumerate() {
        // Stored in reverse: slide order comes from presentation.xml.
        let file = slides.len() - i;
        ids.push_str(&format!(r#"<p:sldId id="{}" r:id="rId{i}"/>"#, 256 + i));
        rels.push_str(&format!(
            r#"<Relationship Id="rId{i}" Type="slide" Target="slides/slide{file}.xml"/>"#
        ));
        parts.push((
            format!("ppt/slides/slide{file}.xml"),
            format!(
                r#"<?xml version="1.0"?><p:sld xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>{}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>"#,
                escape(text)
            ),
        ));
    }
    let presentation = format!(
        r#"<?xml version="1.0"?><p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" {R}><p:sldIdLst>{ids}</p:sldIdLst></p:presentation>"#
    );
    let rels = format!(r#"<?xml version="1.0"?><Relationships {RELS}>{rels}</Relationships>"#);
    let mut entries: Vec<(&str, &str)> = vec![
        ("[Content_Types].xml", CONTENT_TYPES),
        ("ppt/presentation.xml", &presentation),
        ("ppt/_rels/presentation.xml.rels", &rels),
    ];
    for (name, content) in &parts {
        entries.push((name, content));
    }
    zip_of(&entries)
}

const ODF: &str = r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0""#;

fn odf(mimetype: &str, body: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODF}><office:body>{body}</office:body></office:document-content>"#
    );
    zip_of(&[("mimetype", mimetype), ("content.xml", &content)])
}

/// A text document: a heading, a paragraph with ODF's space and tab
/// elements, and a deleted change (which must not be read).
pub fn odt() -> Vec<u8> {
    odf(
        "application/vnd.oasis.opendocument.text",
        r#"<office:text><text:tracked-changes><text:changed-region><text:deletion><text:p>Deleted words</text:p></text:deletion></text:changed-region></text:tracked-changes><text:h text:outline-level="1">Minutes</text:h><text:p>Present:<text:s text:c="2"/>Ana<text:tab/>Bo</text:p><text:p>Next <text:span>meeting</text:span> on Friday.</text:p></office:text>"#,
    )
}

/// A spreadsheet with LibreOffice's repeated empty cells and rows.
pub fn ods() -> Vec<u8> {
    odf(
        "application/vnd.oasis.opendocument.spreadsheet",
        r#"<office:spreadsheet><table:table table:name="Stock"><table:table-row><table:table-cell office:value-type="string"><text:p>Apples</text:p></table:table-cell><table:table-cell table:number-columns-repeated="2"/><table:table-cell office:value-type="float" office:value="12"><text:p>12</text:p></table:table-cell><table:table-cell table:number-columns-repeated="16380"/></table:table-row><table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="16384"/></table:table-row></table:table><table:table table:name="Empty"/></office:spreadsheet>"#,
    )
}

pub fn odp(slides: &[&str]) -> Vec<u8> {
    let pages: String = slides
        .iter()
        .enumerate()
        .map(|(i, text)| {
            format!(
                r#"<draw:page draw:name="page{}"><draw:frame><draw:text-box><text:p>{}</text:p></draw:text-box></draw:frame></draw:page>"#,
                i + 1,
                escape(text)
            )
        })
        .collect();
    odf(
        "application/vnd.oasis.opendocument.presentation",
        &format!("<office:presentation>{pages}</office:presentation>"),
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A PDF with one page per entry: `Some(text)` draws the text in
/// Helvetica, `None` only fills a rectangle (a page with no text layer, as
/// a scan is).
pub fn pdf(pages: &[Option<&str>]) -> Vec<u8> {
    let mut objects: Vec<String> = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".into(),
        String::new(), // the page tree, once the kids are known
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".into(),
    ];
    let mut kids = Vec::new();
    for page in pages {
        let page_id = objects.len() + 1;
        let content = match page {
            Some(text) => format!("BT /F1 12 Tf 72 720 Td ({}) Tj ET", pdf_string(text)),
            None => "0.5 g 72 72 468 648 re f".to_string(),
        };
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            page_id + 1
        ));
        objects.push(format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ));
        kids.push(format!("{page_id} 0 R"));
    }
    objects[1] = format!(
        "<< /Type /Pages /Kids [{}] /Count {} >>",
        kids.join(" "),
        pages.len()
    );
    // The binary comment real writers put second, so the file is not text.
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn pdf_string(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('(', "\\(")
        .replace(')', "\\)")
}

/// Writes bits least significant first, as Deflate packs them.
struct Bits {
    out: Vec<u8>,
    acc: u64,
    count: u32,
}

impl Bits {
    fn put(&mut self, value: u32, count: u32) {
        self.acc |= u64::from(value) << self.count;
        self.count += count;
        while self.count >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.count -= 8;
        }
    }

    /// Huffman codes go most significant bit first.
    fn code(&mut self, code: u32, length: u32) {
        let reversed = code.reverse_bits() >> (32 - length);
        self.put(reversed, length);
    }

    fn literal(&mut self, byte: u8) {
        match byte {
            0..=143 => self.code(0x30 + u32::from(byte), 8),
            _ => self.code(0x190 + u32::from(byte) - 144, 9),
        }
    }
}

/// Raw Deflate (one fixed-Huffman block) of `prefix` followed by `count`
/// copies of `fill`: each 258-byte run costs 13 bits, so 200 MiB take 1.3 MB.
pub fn deflate_run(prefix: &[u8], fill: u8, count: u64) -> Vec<u8> {
    let mut bits = Bits {
        out: Vec::new(),
        acc: 0,
        count: 0,
    };
    bits.put(1, 1); // last block
    bits.put(1, 2); // fixed Huffman codes
    for byte in prefix {
        bits.literal(*byte);
    }
    let mut left = count;
    if left > 0 {
        bits.literal(fill);
        left -= 1;
    }
    while left >= 258 {
        bits.code(0b1100_0101, 8); // length 258 (symbol 285)
        bits.code(0, 5); // distance 1
        left -= 258;
    }
    for _ in 0..left {
        bits.literal(fill);
    }
    bits.code(0, 7); // end of block
    if bits.count > 0 {
        bits.out.push(bits.acc as u8);
    }
    bits.out
}

/// A zip archive with one Deflate entry whose data is `deflated` as given,
/// declaring `declared_size` bytes inflated (a crafted archive can lie).
pub fn zip_with_raw_entry(name: &str, deflated: &[u8], declared_size: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let header = |out: &mut Vec<u8>, central: bool, offset: u32| {
        out.extend_from_slice(&(if central { 0x0201_4b50u32 } else { 0x0403_4b50 }).to_le_bytes());
        if central {
            out.extend_from_slice(&20u16.to_le_bytes()); // made by
        }
        out.extend_from_slice(&20u16.to_le_bytes()); // needed
        out.extend_from_slice(&0u16.to_le_bytes()); // flags
        out.extend_from_slice(&8u16.to_le_bytes()); // Deflate
        out.extend_from_slice(&0u16.to_le_bytes()); // time
        out.extend_from_slice(&0x21u16.to_le_bytes()); // 1980-01-01
        out.extend_from_slice(&0u32.to_le_bytes()); // CRC: never reached
        out.extend_from_slice(&(deflated.len() as u32).to_le_bytes());
        out.extend_from_slice(&declared_size.to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // extra
        if central {
            out.extend_from_slice(&0u16.to_le_bytes()); // comment
            out.extend_from_slice(&0u16.to_le_bytes()); // disk
            out.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
            out.extend_from_slice(&0u32.to_le_bytes()); // external attributes
            out.extend_from_slice(&offset.to_le_bytes());
        }
        out.extend_from_slice(name.as_bytes());
    };
    header(&mut out, false, 0);
    out.extend_from_slice(deflated);
    let central_start = out.len();
    header(&mut out, true, 0);
    let central_size = out.len() - central_start;
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&(central_size as u32).to_le_bytes());
    out.extend_from_slice(&(central_start as u32).to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}
