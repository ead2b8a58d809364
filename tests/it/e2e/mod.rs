//! The server in-process (or the binary over stdio) against a mock Nextcloud,
//! driven by an MCP client.

mod apps;
mod attack_matrix;
mod calendar;
mod consent;
mod deck;
mod edge_guards;
mod http;
mod http_edges;
mod login_flow;
mod oauth;
mod paging;
mod replicas;
mod schemas;
mod shares_search;
mod slow_clients;
mod stdio;
mod tables_cookbook;
mod token_abuse;
mod webhooks;
