//! Reading reply bodies from servers this process does not control
//! (Nextcloud, the identity provider) with a cap (security.md: Bounds).
//!
//! The count runs while the body streams in, so a chunked reply without a
//! Content-Length, or one that lies about it, is stopped at the cap like any
//! other; a declared length above the cap is refused before one byte is read.
//! Dropping the response afterwards closes the connection instead of
//! draining the rest.

use reqwest::Response;

/// Why a capped read gave up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("the reply is larger than the limit")]
    TooLarge,
    #[error("the reply was interrupted")]
    Interrupted,
}

/// The whole body, or [`BodyError::TooLarge`] as soon as it passes `max` bytes.
pub async fn read_capped(mut response: Response, max: u64) -> Result<Vec<u8>, BodyError> {
    if response.content_length().is_some_and(|n| n > max) {
        return Err(BodyError::TooLarge);
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|_| BodyError::Interrupted)?
    {
        if (bytes.len() + chunk.len()) as u64 > max {
            return Err(BodyError::TooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// At most the first `max` bytes of a body, for error replies that are only
/// mined for a short message: the rest is never read, and a failure part
/// way keeps what came.
pub async fn read_prefix(mut response: Response, max: usize) -> Vec<u8> {
    let mut bytes = Vec::new();
    while bytes.len() < max {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = max - bytes.len();
                bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) | Err(_) => break,
        }
    }
    bytes
}
