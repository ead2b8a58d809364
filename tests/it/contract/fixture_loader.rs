//! The fixture loader itself reads the captures faithfully.

use crate::support::fixtures::{load, normalize_xml};

#[test]
fn loads_request_and_response_of_a_capture() {
    let exchange = load("notes", "08-update-if-match");
    assert_eq!(exchange.request.method, "PUT");
    assert_eq!(
        exchange.request.path,
        "/index.php/apps/notes/api/v1/notes/213"
    );
    assert_eq!(
        exchange.request.header("If-Match"),
        Some("\"82a57beb9712f54b28db3585e000e1d2\"")
    );
    assert_eq!(exchange.response.status, 200);
    assert_eq!(exchange.response.body_json()["id"], 213);
}

#[test]
fn splits_query_strings() {
    let exchange = load("notes", "18-list-chunk-2");
    assert_eq!(exchange.request.path, "/index.php/apps/notes/api/v1/notes");
    assert!(
        exchange
            .request
            .query
            .contains(&("chunkSize".into(), "2".into()))
    );
}

#[test]
fn xml_normalisation_ignores_layout_only() {
    assert_eq!(
        normalize_xml("<a>\n  <b>x y</b>\n</a>\n"),
        "<a><b>x y</b></a>"
    );
    assert_ne!(
        normalize_xml("<a><b>x</b></a>"),
        normalize_xml("<a><b>y</b></a>")
    );
}
