//! Deck tools for cards (`deck_*`): list, read, create, change, move,
//! archive and delete. A card's labels, assignees and comments are in
//! `card_links.rs`.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use serde_json::json;

use super::card_args::*;
use super::listing::Listing;
use super::{card_line, check_order};
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::domain::deck::{
    CardDraft, CardFields, CardRef, DeckInputError, Detail, MAX_TITLE_CHARS, check_description,
    check_title, parse_due_date,
};

fn due(raw: Option<&str>) -> Result<Option<String>, CallToolResult> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(raw) => parse_due_date(raw).map(Some).or_fail(),
    }
}

#[tool_router(router = deck_cards_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "deck_get_cards",
        input_schema = crate::adapters::mcp::schema::input::<ListCardsArgs>("deck_get_cards"),
        description = "List the cards of one stack: title, id, due date, labels, assignees. Without status the cards that are not archived; filters: status (open, done, archived, all), label, assigned_to; detail \"summary\" gives compact rows.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn deck_get_cards(
        &self,
        Parameters(args): Parameters<ListCardsArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let listing = Listing::parse(args.listing(), Detail::Full)?;
        // A full card is up to a few kilobytes with its description.
        let paging = args.page.request(50, 500)?;
        let deck = self.nextcloud(&request).await?;
        let mut stack = if listing.filter.needs_active() {
            Some(
                deck.get_stack(args.board_id, args.stack_id)
                    .await
                    .or_fail()?,
            )
        } else {
            None
        };
        if listing.filter.needs_archived() {
            let archived = deck.list_stacks(args.board_id, true).await.or_fail()?;
            let Some(found) = archived.into_iter().find(|s| s.id == args.stack_id) else {
                return Err(failure(format!(
                    "stack {} is not on board {}; list its stacks with deck_get_stacks",
                    args.stack_id, args.board_id
                )));
            };
            match &mut stack {
                Some(active) => active.cards.extend(found.cards),
                None => stack = Some(found),
            }
        }
        let stack = stack.expect("a status needs active or archived cards");
        let (cards, lines) = listing.shape(stack.cards)?;
        let (shown, page) = paging.page(&cards);
        let mut text = format!(
            "Cards in '{}' (stack {}): {}",
            stack.title,
            stack.id,
            cards.len()
        );
        for line in &lines[page.offset..page.offset + shown.len()] {
            text.push('\n');
            text.push_str(line);
        }
        Ok(success(
            &json!({ "stack_id": stack.id, "cards": shown, "page": page }),
            page.under(text, shown.len()),
        ))
    }

    #[tool(
        name = "deck_get_card",
        input_schema = crate::adapters::mcp::schema::input::<CardArgs>("deck_get_card"),
        description = "Get one card with its description, due date, labels, assignees and comment count.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn deck_get_card(
        &self,
        Parameters(args): Parameters<CardArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let card = self
            .nextcloud(&request)
            .await?
            .get_card(args.card())
            .await
            .or_fail()?;
        let text = format!(
            "{}\n\n{}",
            card_line(&card).trim_start_matches("- "),
            card.description
        );
        Ok(success(&card, text))
    }

    #[tool(
        name = "deck_create_card",
        input_schema = crate::adapters::mcp::schema::input::<CreateCardArgs>("deck_create_card"),
        description = "Create a card in a stack, with an optional Markdown description and due date.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn deck_create_card(
        &self,
        Parameters(args): Parameters<CreateCardArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let title = check_title("card title", &args.title, MAX_TITLE_CHARS).or_fail()?;
        if let Some(d) = &args.description {
            check_description(d).or_fail()?;
        }
        let draft = CardDraft {
            title,
            description: args.description,
            duedate: due(args.duedate.as_deref())?,
            order: check_order(args.order.unwrap_or(0))?,
        };
        let deck = self.nextcloud(&request).await?;
        // Deck files the card under the stack's own board whatever board the
        // URL names, so a stack of another board is refused here.
        let stack = deck
            .get_stack(args.board_id, args.stack_id)
            .await
            .or_fail()?;
        if stack.board_id != 0 && stack.board_id != args.board_id {
            return Err(failure(format!(
                "stack {} belongs to board {}, not board {}; list the board's stacks with deck_get_stacks",
                stack.id, stack.board_id, args.board_id
            )));
        }
        let card = deck
            .create_card(args.board_id, args.stack_id, &draft)
            .await
            .or_fail()?;
        Ok(success(
            &card,
            format!("Created card '{}' (id {})", card.title, card.id),
        ))
    }

    #[tool(
        name = "deck_update_card",
        input_schema = crate::adapters::mcp::schema::input::<UpdateCardArgs>("deck_update_card"),
        description = "Change a card's title, description and/or due date (\"\" removes the due date); fields you omit stay as they are.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_update_card(
        &self,
        Parameters(args): Parameters<UpdateCardArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        if args.title.is_none() && args.description.is_none() && args.duedate.is_none() {
            return Err(failure(DeckInputError::EmptyUpdate));
        }
        let title = args
            .title
            .map(|t| check_title("card title", &t, MAX_TITLE_CHARS))
            .transpose()
            .or_fail()?;
        if let Some(d) = &args.description {
            check_description(d).or_fail()?;
        }
        let duedate = args.duedate.as_deref().map(|d| due(Some(d))).transpose()?;
        let at = CardRef {
            board_id: args.board_id,
            stack_id: args.stack_id,
            card_id: args.card_id,
        };
        let deck = self.nextcloud(&request).await?;
        let mut fields = CardFields::of(&deck.get_card(at).await.or_fail()?);
        if let Some(title) = title {
            fields.title = title;
        }
        if let Some(description) = args.description {
            fields.description = description;
        }
        if let Some(duedate) = duedate {
            fields.duedate = duedate;
        }
        let card = deck.update_card(at, &fields).await.or_fail()?;
        Ok(success(
            &card,
            format!("Updated card:\n{}", card_line(&card)),
        ))
    }

    #[tool(
        name = "deck_reorder_card",
        input_schema = crate::adapters::mcp::schema::input::<ReorderCardArgs>("deck_reorder_card"),
        description = "Move a card to a position in the same or another stack of its board.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_reorder_card(
        &self,
        Parameters(args): Parameters<ReorderCardArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let order = check_order(args.order)?;
        let at = CardRef {
            board_id: args.board_id,
            stack_id: args.stack_id,
            card_id: args.card_id,
        };
        let deck = self.nextcloud(&request).await?;
        let cards = deck
            .move_card(at, args.target_stack_id, order)
            .await
            .or_fail()?;
        let moved = cards.iter().find(|c| c.id == args.card_id);
        let text = format!(
            "Moved card {} to stack {} at position {order}",
            args.card_id, args.target_stack_id
        );
        Ok(success(
            &json!({ "card_id": args.card_id, "stack_id": args.target_stack_id, "order": order, "card": moved }),
            text,
        ))
    }

    #[tool(
        name = "deck_move_card_to_board",
        input_schema = crate::adapters::mcp::schema::input::<MoveCardToBoardArgs>("deck_move_card_to_board"),
        description = "Move a card to a stack on another board (the target stack must belong to the target board).",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_move_card_to_board(
        &self,
        Parameters(args): Parameters<MoveCardToBoardArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let order = check_order(args.order.unwrap_or(0))?;
        let deck = self.nextcloud(&request).await?;
        let target = deck
            .get_stack(args.target_board_id, args.target_stack_id)
            .await
            .or_fail()?;
        if target.board_id != 0 && target.board_id != args.target_board_id {
            return Err(failure(format!(
                "stack {} belongs to board {}, not board {}; list the target board's stacks with deck_get_stacks",
                target.id, target.board_id, args.target_board_id
            )));
        }
        let at = CardRef {
            board_id: args.source_board_id,
            stack_id: args.source_stack_id,
            card_id: args.card_id,
        };
        deck.move_card(at, target.id, order).await.or_fail()?;
        let text = format!(
            "Moved card {} to '{}' (stack {}) on board {}",
            args.card_id, target.title, target.id, args.target_board_id
        );
        Ok(success(
            &json!({ "card_id": args.card_id, "board_id": args.target_board_id, "stack_id": target.id }),
            text,
        ))
    }

    #[tool(
        name = "deck_archive_card",
        input_schema = crate::adapters::mcp::schema::input::<CardArgs>("deck_archive_card"),
        description = "Archive a card: it leaves its stack and shows up in deck_get_archived_stacks.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_archive_card(
        &self,
        Parameters(args): Parameters<CardArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        self.card_archive(args.card(), true, request).await
    }

    #[tool(
        name = "deck_unarchive_card",
        input_schema = crate::adapters::mcp::schema::input::<CardArgs>("deck_unarchive_card"),
        description = "Bring an archived card back into its stack.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_unarchive_card(
        &self,
        Parameters(args): Parameters<CardArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        self.card_archive(args.card(), false, request).await
    }

    #[tool(
        name = "deck_delete_card",
        input_schema = crate::adapters::mcp::schema::input::<CardArgs>("deck_delete_card"),
        description = "Delete a card. To keep it out of the way but recoverable, archive it instead (deck_archive_card).",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_delete_card(
        &self,
        Parameters(args): Parameters<CardArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let card = self
            .nextcloud(&request)
            .await?
            .delete_card(args.card())
            .await
            .or_fail()?;
        let text = format!("Deleted card '{}' (id {})", card.title, card.id);
        Ok(success(
            &json!({ "deleted": card.id, "title": card.title }),
            text,
        ))
    }
}

impl NextcloudMcp {
    async fn card_archive(
        &self,
        at: CardRef,
        archived: bool,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let deck = self.nextcloud(&request).await?;
        let card = deck.set_card_archived(at, archived).await.or_fail()?;
        let verb = if archived { "Archived" } else { "Unarchived" };
        Ok(success(
            &card,
            format!("{verb} card '{}' (id {})", card.title, card.id),
        ))
    }
}
