//! The server in-process (or the binary over stdio) against a mock Nextcloud,
//! driven by an MCP client.

mod apps;
mod attack_matrix;
mod calendar;
mod collectives;
mod consent;
mod cookbook_admin;
mod deck;
mod documents;
mod edge_guards;
mod files_meta;
mod http;
mod http_edges;
mod index_sync;
mod list_budget;
mod login_flow;
mod multi_user_basic;
mod news;
mod notes_attachment;
mod oauth;
mod paging;
mod progress_cancel;
mod readiness_idp;
mod replicas;
mod resources;
mod schemas;
mod shares_search;
mod slow_clients;
mod stdio;
mod tables_cookbook;
mod token_abuse;
mod webhooks;
