//! Deck REST API v1.0 (`/index.php/apps/deck/api/v1.0`), and its OCS API
//! for card comments. Deck's REST replies have no OCS envelope; a board that
//! does not exist answers 403 "Permission denied" (fixture deck/38).

mod attachments;
mod dependencies;
mod upload;
mod wire;

use async_trait::async_trait;
use reqwest::header::IF_MODIFIED_SINCE;
use reqwest::{Method, RequestBuilder};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use self::wire::{WireAssignment, WireBoard, WireCard, WireComment, WireLabel, WireStack};
use crate::adapters::nextcloud::errors::deck_forbidden;
use crate::adapters::nextcloud::http::NextcloudSession;
use crate::domain::dates::http_date;
use crate::domain::deck::{
    Assignment, Attachment, AttachmentType, AttachmentUpload, Board, BoardFields, Card, CardDraft,
    CardFields, CardRef, Comment, Label, Stack,
};
use crate::ports::nextcloud::{DeckApi, NextcloudError};

const REST: &str = "index.php/apps/deck/api/v1.0";
const OCS: &str = "ocs/v2.php/apps/deck/api/v1.0";
/// Deck's own default page of comments.
const DEFAULT_COMMENT_LIMIT: u32 = 20;

fn board(id: u64) -> String {
    format!("board {id}")
}

fn stack(board_id: u64, stack_id: u64) -> String {
    format!("stack {stack_id} of board {board_id}")
}

fn card(c: CardRef) -> String {
    format!(
        "card {} (board {}, stack {})",
        c.card_id, c.board_id, c.stack_id
    )
}

fn label(board_id: u64, label_id: u64) -> String {
    format!("label {label_id} of board {board_id}")
}

fn comment(card_id: u64, comment_id: u64) -> String {
    format!("comment {comment_id} on card {card_id}")
}

fn card_path(c: CardRef) -> String {
    format!(
        "boards/{}/stacks/{}/cards/{}",
        c.board_id, c.stack_id, c.card_id
    )
}

impl NextcloudSession {
    fn deck(&self, method: Method, path: &str) -> Result<RequestBuilder, NextcloudError> {
        Ok(self.json_request(method, self.url(&format!("{REST}/{path}"))?))
    }

    async fn deck_call<T: DeserializeOwned>(
        &self,
        request: RequestBuilder,
        what: &str,
    ) -> Result<T, NextcloudError> {
        self.json_call(request, what)
            .await
            .map_err(|e| deck_forbidden(e, what))
    }
}

#[async_trait]
impl DeckApi for NextcloudSession {
    async fn list_boards(&self, modified_since: Option<i64>) -> Result<Vec<Board>, NextcloudError> {
        let mut request = self.deck(Method::GET, "boards")?;
        if let Some(since) = modified_since {
            request = request.header(IF_MODIFIED_SINCE, http_date(since));
        }
        let boards: Vec<WireBoard> = self.deck_call(request, "the board list").await?;
        Ok(boards.into_iter().map(Board::from).collect())
    }

    async fn get_board(&self, board_id: u64) -> Result<Board, NextcloudError> {
        let request = self.deck(Method::GET, &format!("boards/{board_id}"))?;
        let wire: WireBoard = self.deck_call(request, &board(board_id)).await?;
        Ok(wire.into())
    }

    async fn create_board(&self, title: &str, color: &str) -> Result<Board, NextcloudError> {
        let request = self
            .deck(Method::POST, "boards")?
            .json(&json!({ "title": title, "color": color }));
        let wire: WireBoard = self.deck_call(request, "the new board").await?;
        Ok(wire.into())
    }

    async fn update_board(&self, board_id: u64, f: &BoardFields) -> Result<Board, NextcloudError> {
        let body = json!({ "title": f.title, "color": f.color, "archived": f.archived });
        let request = self
            .deck(Method::PUT, &format!("boards/{board_id}"))?
            .json(&body);
        let wire: WireBoard = self.deck_call(request, &board(board_id)).await?;
        Ok(wire.into())
    }

    async fn delete_board(&self, board_id: u64) -> Result<Board, NextcloudError> {
        let request = self.deck(Method::DELETE, &format!("boards/{board_id}"))?;
        let wire: WireBoard = self.deck_call(request, &board(board_id)).await?;
        Ok(wire.into())
    }

    async fn restore_board(&self, board_id: u64) -> Result<Board, NextcloudError> {
        let request = self.deck(Method::POST, &format!("boards/{board_id}/undo_delete"))?;
        let wire: WireBoard = self.deck_call(request, &board(board_id)).await?;
        Ok(wire.into())
    }

    async fn list_stacks(
        &self,
        board_id: u64,
        archived: bool,
    ) -> Result<Vec<Stack>, NextcloudError> {
        let path = if archived {
            format!("boards/{board_id}/stacks/archived")
        } else {
            format!("boards/{board_id}/stacks")
        };
        let request = self.deck(Method::GET, &path)?;
        let what = format!("the stacks of board {board_id}");
        let stacks: Vec<WireStack> = self.deck_call(request, &what).await?;
        Ok(stacks.into_iter().map(Stack::from).collect())
    }

    async fn get_stack(&self, board_id: u64, stack_id: u64) -> Result<Stack, NextcloudError> {
        let request = self.deck(Method::GET, &format!("boards/{board_id}/stacks/{stack_id}"))?;
        let wire: WireStack = self.deck_call(request, &stack(board_id, stack_id)).await?;
        Ok(wire.into())
    }

    async fn create_stack(
        &self,
        board_id: u64,
        title: &str,
        order: i64,
    ) -> Result<Stack, NextcloudError> {
        let request = self
            .deck(Method::POST, &format!("boards/{board_id}/stacks"))?
            .json(&json!({ "title": title, "order": order }));
        let wire: WireStack = self.deck_call(request, "the new stack").await?;
        Ok(wire.into())
    }

    async fn update_stack(
        &self,
        board_id: u64,
        stack_id: u64,
        title: &str,
        order: i64,
    ) -> Result<Stack, NextcloudError> {
        let request = self
            .deck(Method::PUT, &format!("boards/{board_id}/stacks/{stack_id}"))?
            .json(&json!({ "title": title, "order": order }));
        let wire: WireStack = self.deck_call(request, &stack(board_id, stack_id)).await?;
        Ok(wire.into())
    }

    async fn delete_stack(&self, board_id: u64, stack_id: u64) -> Result<Stack, NextcloudError> {
        let request = self.deck(
            Method::DELETE,
            &format!("boards/{board_id}/stacks/{stack_id}"),
        )?;
        let wire: WireStack = self.deck_call(request, &stack(board_id, stack_id)).await?;
        Ok(wire.into())
    }

    async fn get_card(&self, c: CardRef) -> Result<Card, NextcloudError> {
        let request = self.deck(Method::GET, &card_path(c))?;
        let wire: WireCard = self.deck_call(request, &card(c)).await?;
        Ok(wire.into())
    }

    async fn create_card(
        &self,
        board_id: u64,
        stack_id: u64,
        draft: &CardDraft,
    ) -> Result<Card, NextcloudError> {
        let mut body = json!({ "title": draft.title, "type": "plain", "order": draft.order });
        if let Some(description) = &draft.description {
            body["description"] = json!(description);
        }
        if let Some(due) = &draft.duedate {
            body["duedate"] = json!(due);
        }
        let request = self
            .deck(
                Method::POST,
                &format!("boards/{board_id}/stacks/{stack_id}/cards"),
            )?
            .json(&body);
        let wire: WireCard = self.deck_call(request, "the new card").await?;
        Ok(wire.into())
    }

    async fn update_card(&self, c: CardRef, f: &CardFields) -> Result<Card, NextcloudError> {
        let body = json!({
            "title": f.title, "type": f.card_type, "owner": f.owner, "order": f.order,
            "description": f.description, "duedate": f.duedate,
        });
        let request = self.deck(Method::PUT, &card_path(c))?.json(&body);
        let wire: WireCard = self.deck_call(request, &card(c)).await?;
        Ok(wire.into())
    }

    async fn move_card(
        &self,
        c: CardRef,
        target_stack_id: u64,
        order: i64,
    ) -> Result<Vec<Card>, NextcloudError> {
        let request = self
            .deck(Method::PUT, &format!("{}/reorder", card_path(c)))?
            .json(&json!({ "stackId": target_stack_id, "order": order }));
        let cards: Vec<WireCard> = self.deck_call(request, &card(c)).await?;
        Ok(cards.into_iter().map(Card::from).collect())
    }

    async fn set_card_archived(&self, c: CardRef, archived: bool) -> Result<Card, NextcloudError> {
        let action = if archived { "archive" } else { "unarchive" };
        let request = self.deck(Method::PUT, &format!("{}/{action}", card_path(c)))?;
        let wire: WireCard = self.deck_call(request, &card(c)).await?;
        Ok(wire.into())
    }

    async fn delete_card(&self, c: CardRef) -> Result<Card, NextcloudError> {
        let request = self.deck(Method::DELETE, &card_path(c))?;
        let wire: WireCard = self.deck_call(request, &card(c)).await?;
        Ok(wire.into())
    }

    async fn create_label(
        &self,
        board_id: u64,
        title: &str,
        color: &str,
    ) -> Result<Label, NextcloudError> {
        let request = self
            .deck(Method::POST, &format!("boards/{board_id}/labels"))?
            .json(&json!({ "title": title, "color": color }));
        let wire: WireLabel = self.deck_call(request, &board(board_id)).await?;
        Ok(wire.into())
    }

    async fn assign_label(&self, c: CardRef, label_id: u64) -> Result<(), NextcloudError> {
        // The reply is the card as it was before the change (fixture deck/18).
        let request = self
            .deck(Method::PUT, &format!("{}/assignLabel", card_path(c)))?
            .json(&json!({ "labelId": label_id }));
        self.deck_call::<Value>(request, &card(c)).await.map(drop)
    }

    async fn remove_label(&self, c: CardRef, label_id: u64) -> Result<(), NextcloudError> {
        let request = self
            .deck(Method::PUT, &format!("{}/removeLabel", card_path(c)))?
            .json(&json!({ "labelId": label_id }));
        self.deck_call::<Value>(request, &card(c)).await.map(drop)
    }

    async fn assign_user(&self, c: CardRef, user_id: &str) -> Result<Assignment, NextcloudError> {
        let request = self
            .deck(Method::PUT, &format!("{}/assignUser", card_path(c)))?
            .json(&json!({ "userId": user_id }));
        let wire: WireAssignment = self.deck_call(request, &card(c)).await?;
        Ok(wire.into())
    }

    async fn unassign_user(&self, c: CardRef, user_id: &str) -> Result<Assignment, NextcloudError> {
        let request = self
            .deck(Method::PUT, &format!("{}/unassignUser", card_path(c)))?
            .json(&json!({ "userId": user_id }));
        let wire: WireAssignment = self.deck_call(request, &card(c)).await?;
        Ok(wire.into())
    }

    async fn list_comments(
        &self,
        card_id: u64,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<Comment>, NextcloudError> {
        let mut request =
            self.ocs_request(Method::GET, &format!("{OCS}/cards/{card_id}/comments"))?;
        // Only the non-default paging goes on the wire, as in fixture deck/29.
        if limit != DEFAULT_COMMENT_LIMIT || offset != 0 {
            request = request.query(&[("limit", limit), ("offset", offset)]);
        }
        let what = format!("the comments of card {card_id}");
        let comments: Vec<WireComment> = self
            .ocs_call(request, &what)
            .await
            .map_err(|e| deck_forbidden(e, &what))?;
        Ok(comments.into_iter().map(Comment::from).collect())
    }

    async fn add_comment(
        &self,
        card_id: u64,
        message: &str,
        parent_id: Option<u64>,
    ) -> Result<Comment, NextcloudError> {
        // `parentId` only for replies, so a plain comment is sent as in
        // fixture deck/28 and a reply as in deck-extras/28.
        let mut body = json!({ "message": message });
        if let Some(parent) = parent_id {
            body["parentId"] = json!(parent);
        }
        let request = self
            .ocs_request(Method::POST, &format!("{OCS}/cards/{card_id}/comments"))?
            .json(&body);
        let what = format!("card {card_id}");
        let wire: WireComment = self
            .ocs_call(request, &what)
            .await
            .map_err(|e| deck_forbidden(e, &what))?;
        Ok(wire.into())
    }

    async fn update_comment(
        &self,
        card_id: u64,
        comment_id: u64,
        message: &str,
    ) -> Result<Comment, NextcloudError> {
        let request = self
            .ocs_request(
                Method::PUT,
                &format!("{OCS}/cards/{card_id}/comments/{comment_id}"),
            )?
            .json(&json!({ "message": message }));
        let what = comment(card_id, comment_id);
        let wire: WireComment = self
            .ocs_call(request, &what)
            .await
            .map_err(|e| deck_forbidden(e, &what))?;
        Ok(wire.into())
    }

    async fn delete_comment(&self, card_id: u64, comment_id: u64) -> Result<(), NextcloudError> {
        let request = self.ocs_request(
            Method::DELETE,
            &format!("{OCS}/cards/{card_id}/comments/{comment_id}"),
        )?;
        let what = comment(card_id, comment_id);
        self.ocs_call::<Value>(request, &what)
            .await
            .map_err(|e| deck_forbidden(e, &what))
            .map(drop)
    }

    async fn get_label(&self, board_id: u64, label_id: u64) -> Result<Label, NextcloudError> {
        let request = self.deck(Method::GET, &format!("boards/{board_id}/labels/{label_id}"))?;
        let wire: WireLabel = self.deck_call(request, &label(board_id, label_id)).await?;
        Ok(wire.into())
    }

    async fn update_label(
        &self,
        board_id: u64,
        label_id: u64,
        title: &str,
        color: &str,
    ) -> Result<Label, NextcloudError> {
        let request = self
            .deck(Method::PUT, &format!("boards/{board_id}/labels/{label_id}"))?
            .json(&json!({ "title": title, "color": color }));
        let wire: WireLabel = self.deck_call(request, &label(board_id, label_id)).await?;
        Ok(wire.into())
    }

    async fn delete_label(&self, board_id: u64, label_id: u64) -> Result<Label, NextcloudError> {
        let request = self.deck(
            Method::DELETE,
            &format!("boards/{board_id}/labels/{label_id}"),
        )?;
        let wire: WireLabel = self.deck_call(request, &label(board_id, label_id)).await?;
        Ok(wire.into())
    }

    async fn list_attachments(&self, c: CardRef) -> Result<Vec<Attachment>, NextcloudError> {
        self.deck_attachments(c).await
    }

    async fn delete_attachment(
        &self,
        c: CardRef,
        attachment_id: u64,
        kind: AttachmentType,
    ) -> Result<Attachment, NextcloudError> {
        self.deck_delete_attachment(c, attachment_id, kind).await
    }

    async fn upload_attachment(
        &self,
        c: CardRef,
        kind: AttachmentType,
        upload: AttachmentUpload,
    ) -> Result<Attachment, NextcloudError> {
        self.deck_upload_attachment(c, kind, upload).await
    }

    async fn assign_dependent_card(
        &self,
        c: CardRef,
        dependent_card_id: u64,
    ) -> Result<Vec<u64>, NextcloudError> {
        self.deck_dependency(Method::POST, c, dependent_card_id)
            .await
    }

    async fn remove_dependent_card(
        &self,
        c: CardRef,
        dependent_card_id: u64,
    ) -> Result<Vec<u64>, NextcloudError> {
        self.deck_dependency(Method::DELETE, c, dependent_card_id)
            .await
    }
}
