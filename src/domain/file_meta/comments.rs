//! Comments on files (the `comments` app).

use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileComment {
    pub id: u64,
    pub author_id: String,
    pub author_name: String,
    pub message: String,
    /// RFC 1123 date as the server sent it.
    pub created: Option<String>,
    pub unread: bool,
}

/// Longest comment Nextcloud accepts (its `MAX_MESSAGE_LENGTH`).
pub const MAX_COMMENT_CHARS: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommentError {
    #[error("message is empty; write the comment's text")]
    Empty,
    #[error("message has {0} characters; Nextcloud accepts at most {MAX_COMMENT_CHARS}")]
    TooLong(usize),
}

/// Nextcloud stores an empty comment without complaint, which is never what
/// a person meant, so it is refused here.
pub fn check_message(message: &str) -> Result<&str, CommentError> {
    let chars = message.chars().count();
    if message.trim().is_empty() {
        Err(CommentError::Empty)
    } else if chars > MAX_COMMENT_CHARS {
        Err(CommentError::TooLong(chars))
    } else {
        Ok(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_overlong_messages_are_refused() {
        assert_eq!(check_message("hi"), Ok("hi"));
        assert_eq!(check_message("  \n"), Err(CommentError::Empty));
        assert_eq!(
            check_message(&"é".repeat(1001)),
            Err(CommentError::TooLong(1001))
        );
        assert!(check_message(&"é".repeat(1000)).is_ok());
    }
}
