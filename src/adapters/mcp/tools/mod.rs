//! One file per Nextcloud app; each adds a router to [`super::NextcloudMcp`].

mod calendar;
mod calendar_args;
mod calendar_support;
mod consent;
mod contacts;
mod contacts_args;
mod cookbook;
mod cookbook_edit;
mod deck;
mod deck_card_args;
mod deck_card_links;
mod deck_cards;
mod deck_stacks;
mod events;
mod files;
mod notes;
mod search;
mod shares;
mod shares_create;
mod tables;
mod todos;
mod todos_args;
mod webhooks;
