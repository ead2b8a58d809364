//! Pure types and decisions. No I/O crate may be imported here.

pub mod audit;
pub mod calendar;
pub mod caltime;
pub mod capabilities;
pub mod consent;
pub mod contacts;
pub mod cookbook;
pub mod credential;
pub mod dates;
pub mod deck;
pub mod files;
pub mod freebusy;
pub mod notes;
pub mod path;
pub mod principal;
pub mod recurrence;
pub mod scopes;
pub mod search;
pub mod shares;
pub mod table_rows;
pub mod tables;
pub mod text;
pub mod time;
pub mod todos;
pub mod webhooks;
