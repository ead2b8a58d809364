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
    let mut body = Segments::default();
    while let Some(chunk) = response.chunk().await.map_err(|_| BodyError::Interrupted)? {
        if body.len + chunk.len() as u64 > max {
            return Err(BodyError::TooLarge);
        }
        body.push(&chunk);
    }
    Ok(body.join())
}

/// The largest piece a body is collected in.
const MAX_SEGMENT: usize = 1 << 20;

/// A body collected in pieces of growing size (up to [`MAX_SEGMENT`]) and
/// joined once at the end. Growing one buffer would copy it at every
/// doubling, and keeping the client's chunks would keep the larger buffers
/// they are cut from; either way a body near the cap held about one and a
/// half times the cap, which is what decides memory under a hostile reply.
#[derive(Default)]
struct Segments {
    pieces: Vec<Vec<u8>>,
    len: u64,
}

impl Segments {
    fn push(&mut self, mut bytes: &[u8]) {
        self.len += bytes.len() as u64;
        while !bytes.is_empty() {
            let full = self.pieces.last().is_none_or(|p| p.len() == p.capacity());
            if full {
                let size = (self.len as usize).clamp(16 * 1024, MAX_SEGMENT);
                self.pieces.push(Vec::with_capacity(size));
            }
            let piece = self.pieces.last_mut().expect("a piece with room");
            let n = bytes.len().min(piece.capacity() - piece.len());
            piece.extend_from_slice(&bytes[..n]);
            bytes = &bytes[n..];
        }
    }

    fn join(mut self) -> Vec<u8> {
        if self.pieces.len() == 1 {
            return self.pieces.pop().expect("one piece");
        }
        let mut joined = Vec::with_capacity(self.len as usize);
        for piece in self.pieces {
            joined.extend_from_slice(&piece);
        }
        joined
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_join_to_the_bytes_pushed() {
        let data: Vec<u8> = (0..3 * MAX_SEGMENT + 12_345)
            .map(|i| (i % 251) as u8)
            .collect();
        for step in [1, 7_000, 70_000, MAX_SEGMENT + 3] {
            let mut body = Segments::default();
            for chunk in data.chunks(step) {
                body.push(chunk);
            }
            assert_eq!(body.len, data.len() as u64);
            assert!(body.pieces.iter().all(|p| p.capacity() <= MAX_SEGMENT));
            assert_eq!(body.join(), data, "step {step}");
        }
        assert!(Segments::default().join().is_empty());
    }
}
