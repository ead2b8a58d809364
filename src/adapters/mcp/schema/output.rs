//! The `outputSchema` of each tool: the top-level shape of the
//! `structuredContent` its success carries. Clients validate every result
//! against it, so a property is `required` only when every success path sets
//! it, and gets a type only when that type never varies (a value that can be
//! null is left out: "type": [.., "null"] is not portable). Kept to the
//! properties a caller is most likely to read, since every byte here is paid
//! on each tools/list.

use rmcp::model::JsonObject;
use serde_json::{Value, json};

/// Each tool's result as words, all of them required unless the name ends
/// in `?`: `name:type` is also typed, a bare `name` only present. Only the
/// property a caller reads first is typed, since each typed one costs about
/// 30 bytes in every tools/list. Types: `s` string, `i` integer, `b`
/// boolean, `o` object, `a` array, `[o]` array of objects, `[s]` array of
/// strings, `[i]` array of integers. An empty shape is an object with no
/// promise beyond that (results whose keys differ by outcome).
const SHAPES: &[(&str, &str)] = &[
    // Calendar and tasks
    ("nc_calendar_bulk_operations", "dry_run:b operation matched"),
    ("nc_calendar_get_event", EVENT),
    ("nc_calendar_create_event", EVENT),
    ("nc_calendar_update_event", EVENT),
    ("nc_calendar_create_meeting", EVENT),
    ("nc_calendar_delete_event", "deleted:s calendar"),
    ("nc_calendar_list_calendars", "calendars:[o] page"),
    ("nc_calendar_manage_calendar", ""),
    ("nc_calendar_list_events", EVENTS),
    ("nc_calendar_get_upcoming_events", EVENTS),
    ("nc_calendar_find_availability", "slots:a timezone"),
    ("nc_calendar_list_todos", TODOS),
    ("nc_calendar_search_todos", TODOS),
    ("nc_calendar_create_todo", TODO),
    ("nc_calendar_update_todo", TODO),
    ("nc_calendar_complete_todo", TODO),
    ("nc_calendar_delete_todo", "deleted:s calendar"),
    ("nc_refresh_capabilities", "installed:a not_installed"),
    // Collectives
    ("collectives_get_collectives", COLLECTIVES),
    ("collectives_get_trashed_collectives", COLLECTIVES),
    ("collectives_create_collective", COLLECTIVE),
    ("collectives_set_collective_emoji", COLLECTIVE),
    ("collectives_trash_collective", COLLECTIVE),
    ("collectives_restore_collective", COLLECTIVE),
    ("collectives_delete_collective", COLLECTIVE),
    ("collectives_create_page", PAGE),
    ("collectives_move_page", PAGE),
    ("collectives_set_page_emoji", PAGE),
    ("collectives_trash_page", PAGE),
    ("collectives_restore_page", PAGE),
    ("collectives_assign_tag", PAGE),
    ("collectives_remove_tag", PAGE),
    ("collectives_update_page_content", "page:o file"),
    ("collectives_delete_page", "deleted:b page_id"),
    ("collectives_get_pages", PAGES),
    ("collectives_get_page", "page:o content file"),
    ("collectives_search_pages", "pages:[o] total matched"),
    ("collectives_get_trashed_pages", PAGES),
    ("collectives_get_tags", "tags:[o] total"),
    ("collectives_create_tag", "id:i name"),
    // Offline access
    (
        "provision_nextcloud_access",
        "authorization_url:s expires_at",
    ),
    ("check_provisioning_status", "provisioned:b"),
    ("revoke_nextcloud_access", "revoked:b"),
    // Contacts
    ("nc_contacts_list_addressbooks", "addressbooks:[o] page"),
    ("nc_contacts_create_addressbook", "created:s"),
    ("nc_contacts_delete_addressbook", "deleted:s"),
    ("nc_contacts_list_contacts", CONTACTS),
    ("nc_contacts_search_contacts", CONTACTS),
    ("nc_contacts_get_contact", CONTACT),
    ("nc_contacts_create_contact", CONTACT),
    ("nc_contacts_update_contact", CONTACT),
    ("nc_contacts_delete_contact", "deleted:s addressbook"),
    // Cookbook
    ("nc_cookbook_set_config", ""),
    ("nc_cookbook_reindex", "reindexed:b"),
    ("nc_cookbook_create_recipe", RECIPE),
    ("nc_cookbook_update_recipe", RECIPE),
    ("nc_cookbook_import_recipe", RECIPE),
    ("nc_cookbook_get_recipe", RECIPE),
    ("nc_cookbook_delete_recipe", "deleted:i name"),
    ("nc_cookbook_list_recipes", RECIPES),
    ("nc_cookbook_search_recipes", RECIPES),
    ("nc_cookbook_get_recipes_in_category", RECIPES),
    ("nc_cookbook_get_recipes_with_keywords", RECIPES),
    ("nc_cookbook_list_categories", "categories:[o] page"),
    ("nc_cookbook_list_keywords", "keywords:[o] page"),
    // Deck
    ("deck_list_attachments", "attachments:[o] card_id"),
    ("deck_delete_attachment", "deleted:i attachment"),
    // An upload and a share of an existing file answer differently.
    ("deck_attach_file", "card_id:i"),
    ("deck_attach_note", "card_id:i path"),
    ("deck_assign_label_to_card", CARD_LABEL),
    ("deck_remove_label_from_card", CARD_LABEL),
    ("deck_assign_user_to_card", CARD_USER),
    ("deck_unassign_user_from_card", CARD_USER),
    ("deck_get_card_comments", "comments:[o] card_id"),
    ("deck_create_card_comment", COMMENT),
    ("deck_update_card_comment", COMMENT),
    ("deck_delete_card_comment", "card_id:i deleted"),
    ("deck_get_cards", "cards:[o] stack_id"),
    ("deck_get_card", CARD),
    ("deck_create_card", CARD),
    ("deck_update_card", CARD),
    ("deck_archive_card", CARD),
    ("deck_unarchive_card", CARD),
    ("deck_reorder_card", "card_id:i stack_id order"),
    ("deck_move_card_to_board", "card_id:i board_id stack_id"),
    ("deck_delete_card", "deleted:i title"),
    ("deck_assign_dependent_card", DEPENDENTS),
    ("deck_remove_dependent_card", DEPENDENTS),
    ("deck_get_label", LABEL),
    ("deck_update_label", LABEL),
    ("deck_create_label", LABEL),
    ("deck_delete_label", "deleted:i label"),
    ("deck_get_boards", "boards:[o] page"),
    ("deck_get_board", BOARD),
    ("deck_create_board", BOARD),
    ("deck_update_board", BOARD),
    ("deck_archive_board", BOARD),
    ("deck_unarchive_board", BOARD),
    ("deck_restore_board", BOARD),
    ("deck_delete_board", "deleted:i board"),
    ("deck_get_board_overview", "board:o stacks total_cards"),
    ("deck_get_stacks", STACKS),
    ("deck_get_archived_stacks", STACKS),
    ("deck_get_stack", "stack:o deleted"),
    ("deck_create_stack", STACK),
    ("deck_update_stack", STACK),
    ("deck_reorder_stack", "stack:o"),
    ("deck_delete_stack", "deleted:i stack"),
    ("deck_get_labels", "labels:[o] board_id"),
    // Files
    ("nc_webdav_list_comments", "comments:[o] path page"),
    ("nc_webdav_create_comment", "path:s comment_id"),
    ("nc_webdav_update_comment", "path:s comment_id"),
    ("nc_webdav_delete_comment", "path:s deleted_comment_id"),
    ("nc_webdav_list_favorites", "favorites:[o] scope page"),
    ("nc_webdav_set_favorite", "path:s favorite"),
    ("nc_webdav_list_directory", "entries:[o] path page"),
    ("nc_webdav_get_file_info", "path:s name kind"),
    ("nc_webdav_create_directory", "created:s"),
    ("nc_webdav_delete_resource", "deleted:s"),
    ("nc_webdav_move_resource", TRANSFER),
    ("nc_webdav_copy_resource", TRANSFER),
    ("nc_webdav_find_by_name", "results:[o] scope page"),
    ("nc_webdav_read_file", "path:s content"),
    ("nc_webdav_search_files", FOUND),
    ("nc_webdav_find_by_type", FOUND),
    ("nc_webdav_list_tags", "tags:[o] page"),
    ("nc_webdav_get_file_tags", "tags:[o] path page"),
    ("nc_webdav_find_by_tag_name", "results:[o] page"),
    ("nc_webdav_tag_file", "path:s changed"),
    ("nc_webdav_untag_file", "path:s changed"),
    ("nc_webdav_list_trash", "entries:[o] page"),
    ("nc_webdav_restore_from_trash", "restored:s"),
    ("nc_webdav_list_versions", "versions:[o] path page"),
    ("nc_webdav_restore_version", "path:s restored_version"),
    ("nc_webdav_write_file", "path:s created"),
    // News
    ("nc_news_list_folders", "folders:[o] total"),
    ("nc_news_list_feeds", "feeds:[o] starred_count"),
    ("nc_news_get_feed_health", "feed_id:i healthy"),
    ("nc_news_get_status", "status:o warnings"),
    ("nc_news_list_items", ITEMS),
    ("nc_news_get_starred_items", ITEMS),
    ("nc_news_get_unread_items", ITEMS),
    ("nc_news_get_item", "item:o text"),
    ("nc_news_mark_items", "item_ids:[i] read"),
    ("nc_news_star_items", "item_ids:[i] starred"),
    ("nc_news_add_feed", "feed_id:i url"),
    ("nc_news_remove_feed", "removed:b feed_id"),
    // Notes
    ("nc_notes_get_attachment", "note_id:i path mime_type size"),
    ("nc_notes_list_notes", "notes:[o] total has_more"),
    ("nc_notes_search_notes", "results:[o] page"),
    ("nc_notes_get_note", NOTE),
    ("nc_notes_create_note", NOTE),
    ("nc_notes_update_note", NOTE),
    ("nc_notes_append_content", NOTE),
    ("nc_notes_delete_note", "deleted:i"),
    ("nc_notes_list_categories", "categories:[o] page"),
    // Search
    ("nc_semantic_search", "results:[o] mode"),
    ("nc_get_vector_sync_status", "apps:[o]"),
    ("nc_search_list_providers", "providers:[o] page"),
    ("nc_search_query", "results:[o] term"),
    // Sharing
    ("nc_share_create", SHARE),
    ("nc_share_create_public_link", SHARE),
    ("nc_share_get", SHARE),
    ("nc_share_update", SHARE),
    ("nc_share_list", "shares:[o] page"),
    ("nc_share_delete", "deleted:i"),
    ("nc_share_find_sharees", "sharees:a page"),
    // Tables
    ("nc_tables_list_tables", "tables:[o] page"),
    ("nc_tables_get_schema", "columns:[o] table_id"),
    ("nc_tables_read_table", "rows:[o] table_id offset"),
    ("nc_tables_insert_row", ROW),
    ("nc_tables_update_row", ROW),
    ("nc_tables_delete_row", "deleted:i"),
    // Webhooks
    ("nc_webhooks_list_event_types", "event_types:a presets"),
    ("nc_webhooks_register", "id:i event status"),
    ("nc_webhooks_list", "webhooks:[o] page"),
    ("nc_webhooks_delete", "nextcloud_id:i existed_at_nextcloud"),
    ("nc_webhooks_enable_preset", PRESET),
    ("nc_webhooks_disable_preset", PRESET),
    (
        "nc_webhooks_reconcile",
        "kept:i adopted reregistered failed",
    ),
    ("nc_webhooks_status", "registrations:[o] counters queue"),
];

// Shapes several tools share: one domain value, or one kind of listing.
const EVENT: &str = "uid:s calendar title";
const EVENTS: &str = "events:[o] total page";
const TODO: &str = "uid:s calendar summary status";
const TODOS: &str = "todos:[o] total page";
const COLLECTIVE: &str = "id:i name";
const COLLECTIVES: &str = "collectives:[o] total page";
const PAGE: &str = "id:i title";
const PAGES: &str = "pages:[o] total page";
const CONTACT: &str = "uid:s addressbook full_name";
const CONTACTS: &str = "contacts:[o] total";
const RECIPE: &str = "name:s ingredients";
const RECIPES: &str = "recipes:[o] total page";
const CARD: &str = "id:i stack_id title etag";
const CARD_LABEL: &str = "card_id:i label_id assigned";
const CARD_USER: &str = "card_id:i user_id assigned";
const COMMENT: &str = "id:i card_id message";
const DEPENDENTS: &str = "dependent_cards:[i] card_id";
const LABEL: &str = "id:i title color";
const BOARD: &str = "id:i title etag";
const STACK: &str = "id:i board_id title";
const STACKS: &str = "stacks:[o] board_id page";
const TRANSFER: &str = "from:s to";
const FOUND: &str = "results:[o] scope page";
const ITEMS: &str = "items:[o] count has_more";
const NOTE: &str = "id:i title etag";
const SHARE: &str = "id:i path permissions";
const ROW: &str = "id:i values";
const PRESET: &str = "changed:i unchanged webhooks";

/// The output schema of `tool`, or `None` for a tool not in the table.
pub fn of(tool: &str) -> Option<JsonObject> {
    SHAPES
        .iter()
        .find(|(name, _)| *name == tool)
        .map(|(_, shape)| schema(shape))
}

fn schema(shape: &str) -> JsonObject {
    let mut properties = serde_json::Map::new();
    let mut required = Vec::new();
    for word in shape.split_whitespace() {
        let (name, kind) = match word.split_once(':') {
            Some((name, kind)) => (name, Some(kind)),
            None => (word, None),
        };
        let (name, optional) = match name.strip_suffix('?') {
            Some(name) => (name, true),
            None => (name, false),
        };
        if let Some(kind) = kind {
            properties.insert(name.to_string(), type_of(kind));
        }
        if !optional {
            required.push(Value::from(name));
        }
    }
    let mut schema = JsonObject::new();
    schema.insert("type".into(), json!("object"));
    if !properties.is_empty() {
        schema.insert("properties".into(), Value::Object(properties));
    }
    if !required.is_empty() {
        schema.insert("required".into(), Value::Array(required));
    }
    schema
}

fn type_of(kind: &str) -> Value {
    let named = |t: &str| match t {
        "s" => "string",
        "i" => "integer",
        "b" => "boolean",
        "o" => "object",
        "a" => "array",
        other => panic!("unknown type {other} in an output shape"),
    };
    match kind.strip_prefix('[').and_then(|k| k.strip_suffix(']')) {
        Some(item) => json!({ "type": "array", "items": { "type": named(item) } }),
        None => json!({ "type": named(kind) }),
    }
}

/// Every tool in the table, for the test that no entry is left over.
#[cfg(test)]
pub fn tools() -> impl Iterator<Item = &'static str> {
    SHAPES.iter().map(|(name, _)| *name)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn a_shape_becomes_required_typed_properties() {
        let schema = super::schema("notes:[o] total:i page next?:s");
        assert_eq!(
            serde_json::Value::Object(schema),
            json!({
                "type": "object",
                "properties": {
                    "notes": { "type": "array", "items": { "type": "object" } },
                    "total": { "type": "integer" },
                    "next": { "type": "string" },
                },
                "required": ["notes", "total", "page"],
            })
        );
    }

    #[test]
    fn an_empty_shape_is_just_an_object() {
        assert_eq!(
            serde_json::Value::Object(super::schema("")),
            json!({ "type": "object" })
        );
    }

    #[test]
    fn every_shape_parses() {
        for (_, shape) in super::SHAPES {
            super::schema(shape);
        }
    }
}
