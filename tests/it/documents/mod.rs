//! The document readers on sample files made here: the text comes out in
//! order, pages and sheets can be chosen, scans and bombs are recognised.

use nextcloud_mcp::domain::documents::{
    DocumentError, DocumentKind, DocumentText, Limits, PageSelection, Unit, read_document,
};

use crate::support::documents::*;

fn read(kind: DocumentKind, bytes: &[u8]) -> DocumentText {
    read_document(kind, bytes, PageSelection::default(), &Limits::default())
        .unwrap_or_else(|e| panic!("{kind:?}: {e}"))
}

fn pages(start: u32, end: u32) -> PageSelection {
    PageSelection {
        start: Some(start),
        end: Some(end),
    }
}

#[test]
fn a_two_page_pdf_reads_page_by_page() {
    let pdf = pdf(&[
        Some("Quarterly report (draft)"),
        Some("Second page: results"),
    ]);
    let doc = read(DocumentKind::Pdf, &pdf);
    assert_eq!(
        (doc.unit, doc.total, doc.first, doc.last),
        (Unit::Page, Some(2), Some(1), Some(2))
    );
    assert!(doc.has_text);
    let first = doc.text.find("Quarterly report (draft)").expect(&doc.text);
    let second = doc.text.find("Second page: results").expect(&doc.text);
    assert!(first < second, "{}", doc.text);
    assert!(doc.text.contains("## Page 2"), "{}", doc.text);

    let only_second =
        read_document(DocumentKind::Pdf, &pdf, pages(2, 2), &Limits::default()).unwrap();
    assert!(
        !only_second.text.contains("Quarterly"),
        "{}",
        only_second.text
    );
    assert!(only_second.text.contains("results"));
    assert_eq!(only_second.next_start(), None);
}

#[test]
fn pages_come_in_windows_with_a_way_to_read_on() {
    let pdf = pdf(&[Some("one"), Some("two"), Some("three")]);
    let limits = Limits {
        units_per_call: 2,
        ..Limits::default()
    };
    let doc = read_document(DocumentKind::Pdf, &pdf, PageSelection::default(), &limits).unwrap();
    assert_eq!(
        (doc.first, doc.last, doc.next_start()),
        (Some(1), Some(2), Some(3))
    );
    assert!(!doc.text.contains("three"));
    let err = read_document(DocumentKind::Pdf, &pdf, pages(4, 5), &limits).unwrap_err();
    assert!(matches!(err, DocumentError::BadRange(_)), "{err}");
}

#[test]
fn a_pdf_without_a_text_layer_says_so() {
    let scan = pdf(&[None, None]);
    let doc = read(DocumentKind::Pdf, &scan);
    assert!(!doc.has_text);
    assert_eq!(doc.pages_without_text, vec![1, 2]);

    let mixed = pdf(&[Some("typed"), None]);
    let doc = read(DocumentKind::Pdf, &mixed);
    assert!(doc.has_text);
    assert_eq!(doc.pages_without_text, vec![2]);
}

#[test]
fn a_docx_reads_its_paragraphs_in_order() {
    let docx = docx(&["Dear Ana,", "the invoice <42> is paid & filed."]);
    let doc = read(DocumentKind::Docx, &docx);
    assert_eq!(doc.unit, Unit::Whole);
    assert_eq!(doc.text, "Dear Ana,\nthe invoice <42> is paid & filed.\n");
}

#[test]
fn an_xlsx_reads_sheets_as_tab_separated_rows() {
    let xlsx = xlsx();
    let doc = read(DocumentKind::Xlsx, &xlsx);
    assert_eq!((doc.unit, doc.total), (Unit::Sheet, Some(2)));
    assert!(
        doc.text.contains(
            "## Sheet 1: Budget\nItem\tCost\nRent & heat\t1250.5\t\tTRUE\nTotal\t1250.5\n"
        ),
        "{}",
        doc.text
    );
    assert!(
        doc.text.contains("## Sheet 2: Notes\nRemember the deposit"),
        "{}",
        doc.text
    );
    let second = read_document(DocumentKind::Xlsx, &xlsx, pages(2, 2), &Limits::default()).unwrap();
    assert!(!second.text.contains("Budget"), "{}", second.text);
}

#[test]
fn an_odt_reads_headings_and_paragraphs_without_deleted_text() {
    let doc = read(DocumentKind::Odt, &odt());
    assert_eq!(
        doc.text,
        "Minutes\nPresent:  Ana\tBo\nNext meeting on Friday.\n"
    );
}

#[test]
fn an_ods_keeps_repeated_empty_cells_and_rows_from_inflating() {
    let doc = read(DocumentKind::Ods, &ods());
    assert_eq!(doc.total, Some(2));
    assert!(
        doc.text.starts_with("## Sheet 1: Stock\nApples\t\t\t12\n"),
        "{}",
        doc.text
    );
    assert!(doc.text.len() < 200, "{} bytes", doc.text.len());
}

#[test]
fn slides_read_in_presentation_order() {
    let doc = read(DocumentKind::Pptx, &pptx(&["Welcome", "Plan", "Questions"]));
    assert_eq!(doc.total, Some(3));
    let order: Vec<usize> = ["Welcome", "Plan", "Questions"]
        .iter()
        .map(|t| doc.text.find(t).expect(&doc.text))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{}", doc.text);

    let doc = read_document(
        DocumentKind::Odp,
        &odp(&["Intro", "Numbers"]),
        pages(2, 2),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(doc.text, "## Slide 2\nNumbers\n");
}

#[test]
fn a_zip_bomb_is_refused_by_its_declared_size() {
    // 200 MiB of spaces in 1.3 MB, declared honestly.
    let size = 200 * 1024 * 1024;
    let bomb = zip_with_raw_entry(
        "word/document.xml",
        &deflate_run(b"<w:document>", b' ', size),
        size as u32,
    );
    let err = read_document(
        DocumentKind::Docx,
        &bomb,
        PageSelection::default(),
        &Limits::default(),
    )
    .unwrap_err();
    assert!(matches!(err, DocumentError::Inflates { .. }), "{err}");
}

#[test]
fn a_zip_bomb_that_lies_about_its_size_is_stopped() {
    let limits = Limits {
        entry_inflated: 1024 * 1024,
        ..Limits::default()
    };
    let bomb = zip_with_raw_entry(
        "content.xml",
        &deflate_run(b"<office:document-content>", b' ', 50 * 1024 * 1024),
        100,
    );
    let err =
        read_document(DocumentKind::Odt, &bomb, PageSelection::default(), &limits).unwrap_err();
    assert!(
        matches!(&err, DocumentError::Inflates { limit, .. } if *limit == 1024 * 1024),
        "{err}"
    );
}

#[test]
fn the_sum_of_entries_is_bounded_too() {
    let limits = Limits {
        entry_inflated: 64 * 1024,
        total_inflated: 100 * 1024,
        ..Limits::default()
    };
    let big = "x".repeat(60 * 1024);
    let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="a" Target="worksheets/a.xml"/><Relationship Id="b" Target="worksheets/b.xml"/></Relationships>"#;
    let workbook = r#"<workbook xmlns:r="r"><sheets><sheet name="A" r:id="a"/><sheet name="B" r:id="b"/></sheets></workbook>"#;
    let sheet = format!(
        "<worksheet><sheetData><row><c t=\"inlineStr\"><is><t>{big}</t></is></c></row></sheetData></worksheet>"
    );
    let xlsx = zip_of(&[
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", rels),
        ("xl/worksheets/a.xml", &sheet),
        ("xl/worksheets/b.xml", &sheet),
    ]);
    let err =
        read_document(DocumentKind::Xlsx, &xlsx, PageSelection::default(), &limits).unwrap_err();
    assert!(
        matches!(&err, DocumentError::Inflates { limit, .. } if *limit == 100 * 1024),
        "{err}"
    );
}

#[test]
fn damaged_and_oversized_files_are_refused_with_a_reason() {
    let err = read_document(
        DocumentKind::Docx,
        b"PK not really",
        PageSelection::default(),
        &Limits::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("DOCX"), "{err}");
    let tiny = Limits {
        document_bytes: 10,
        ..Limits::default()
    };
    let err = read_document(
        DocumentKind::Pdf,
        &pdf(&[Some("x")]),
        PageSelection::default(),
        &tiny,
    )
    .unwrap_err();
    assert!(matches!(err, DocumentError::TooLarge { .. }), "{err}");
    let truncated = Limits {
        text_bytes: 12,
        ..Limits::default()
    };
    let doc = read_document(
        DocumentKind::Docx,
        &docx(&["a long first paragraph"]),
        PageSelection::default(),
        &truncated,
    )
    .unwrap();
    assert!(doc.truncated && doc.text.len() <= 12, "{doc:?}");
}
