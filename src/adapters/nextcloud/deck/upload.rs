//! New card attachments through Deck's attachment API: multipart form data
//! with `type`, `data` (the file name; without it Deck answers 400 with an
//! empty body, fixture deck-extras/08) and the file in `file`
//! (deck-extras/14 on v1.0 for `deck_file`, deck-extras/15 on v1.1 for
//! `file`). The body streams: a head, the content chunk by chunk, a tail.

use bytes::Bytes;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE};
use reqwest::{Body, Method};

use super::attachments::{REST_V11, WireAttachment};
use super::{REST, card, card_path};
use crate::adapters::nextcloud::body::error_bytes;
use crate::adapters::nextcloud::errors::deck_upload_status;
use crate::adapters::nextcloud::http::NextcloudSession;
use crate::adapters::nextcloud::ocs::{parse_json, read_body};
use crate::domain::deck::{Attachment, AttachmentType, AttachmentUpload, CardRef, UploadContent};
use crate::ports::nextcloud::NextcloudError;

/// Text is handed to the connection in slices of this size.
const TEXT_CHUNK: usize = 256 * 1024;

/// The multipart body around the content, and the boundary it uses.
pub(super) struct Frame {
    pub boundary: String,
    pub head: String,
    pub tail: String,
}

/// The parts in the order of the captures. The name is checked in the
/// domain (no quotes, separators or line breaks), so it can stand in the
/// quoted `filename` as it is.
pub(super) fn frame(kind: AttachmentType, name: &str, boundary: String) -> Frame {
    let field = |field: &str, value: &str| {
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n"
        )
    };
    let head = format!(
        "{}{}--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
        field("type", kind.wire()),
        field("data", name),
    );
    let tail = format!("\r\n--{boundary}--\r\n");
    Frame {
        boundary,
        head,
        tail,
    }
}

/// The content as a stream of chunks; base64 is decoded as it goes.
fn content_chunks(
    content: UploadContent,
) -> Box<dyn Iterator<Item = Result<Bytes, std::io::Error>> + Send> {
    match content {
        UploadContent::Text(text) => {
            let bytes = Bytes::from(text.into_bytes());
            let slices: Vec<Bytes> = (0..bytes.len())
                .step_by(TEXT_CHUNK)
                .map(|start| bytes.slice(start..(start + TEXT_CHUNK).min(bytes.len())))
                .collect();
            Box::new(slices.into_iter().map(Ok))
        }
        UploadContent::Base64(content) => Box::new(
            content
                .into_chunks()
                .map(|chunk| chunk.map(Bytes::from).map_err(std::io::Error::other)),
        ),
    }
}

impl NextcloudSession {
    pub(super) async fn deck_upload_attachment(
        &self,
        c: CardRef,
        kind: AttachmentType,
        upload: AttachmentUpload,
    ) -> Result<Attachment, NextcloudError> {
        // `file` attachments are served on v1.1 only (deck-extras/15, 17).
        let api = match kind {
            AttachmentType::DeckFile => REST,
            AttachmentType::File => REST_V11,
        };
        let url = self.url(&format!("{api}/{}/attachments", card_path(c)))?;
        let name = upload.name.as_str().to_string();
        let size = upload.content.len();
        let Frame {
            boundary,
            head,
            tail,
        } = frame(
            kind,
            &name,
            format!("----nextcloud-mcp-{}", uuid::Uuid::new_v4().simple()),
        );
        let length = head.len() as u64 + size + tail.len() as u64;
        let chunks = std::iter::once(Ok(Bytes::from(head)))
            .chain(content_chunks(upload.content))
            .chain(std::iter::once(Ok(Bytes::from(tail))));
        // The length is sent, so the body is not chunk-encoded: some PHP
        // set-ups see an empty body when it is.
        let request = self
            .json_request(Method::POST, url)
            .header(
                CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header(CONTENT_LENGTH, length)
            .body(Body::wrap_stream(futures_util::stream::iter(chunks)));
        let what = card(c);
        let response = self.send_raw(request).await?;
        let status = response.status();
        if !status.is_success() {
            let body = error_bytes(response).await;
            return Err(deck_upload_status(status, &what, &name, size, &body));
        }
        let body = read_body(response, &what).await?;
        let wire: WireAttachment = parse_json(&body, &what)?;
        wire.into_attachment()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_frame_has_the_captured_parts_in_order() {
        let f = frame(AttachmentType::File, "fx-photo.txt", "B".into());
        assert_eq!(
            f.head,
            "--B\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\nfile\r\n\
             --B\r\nContent-Disposition: form-data; name=\"data\"\r\n\r\nfx-photo.txt\r\n\
             --B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"fx-photo.txt\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        );
        assert_eq!(f.tail, "\r\n--B--\r\n");
    }
}
