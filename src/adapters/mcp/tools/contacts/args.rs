//! Arguments of the contacts tools (named like the reference server's), and
//! finding an address book by id or display name.

use rmcp::model::CallToolResult;
use rmcp::schemars;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::adapters::mcp::outcome::{OrFail, failure};
use crate::adapters::mcp::paging::PageArgs;
use crate::domain::contacts::AddressBook;
use crate::ports::nextcloud::NextcloudApi;

type Fail<T> = Result<T, CallToolResult>;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct AddressBookArgs {
    /// Address book id (e.g. "contacts"; letters, digits, - and _ when creating) or display name.
    pub name: String,
    /// Shown name (default the id).
    #[serde(default)]
    pub display_name: Option<String>,
    /// Description of the address book.
    #[serde(default)]
    pub description: Option<String>,
}

/// Delete takes only the name: a display name or description would do
/// nothing, and the reference server's tool has neither.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct DeleteAddressBookArgs {
    /// Address book id (e.g. "contacts") or display name.
    pub name: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ListContactsArgs {
    /// Address book id or display name.
    pub addressbook: String,
    /// Most contacts per page (default 100, at most 1000).
    #[serde(default)]
    pub limit: Option<usize>,
    /// next_cursor from the previous page; omit for the first page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// How many contacts to skip (default 0); another way to say cursor, kept for the reference server's callers.
    #[serde(default)]
    pub offset: Option<usize>,
    /// Accepted for compatibility and ignored: photos are never returned.
    #[serde(default)]
    pub include_photos: bool,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct SearchContactsArgs {
    /// Text to find in name, nickname, email, phone or organisation.
    pub query: String,
    /// One address book; default all.
    #[serde(default)]
    pub addressbook: Option<String>,
    /// Accepted for compatibility and ignored: photos are never returned.
    #[serde(default)]
    pub include_photos: bool,
    #[serde(flatten)]
    pub page: PageArgs,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ContactRefArgs {
    /// Address book id or display name.
    pub addressbook: String,
    /// The contact's uid, as returned by list or search.
    pub uid: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct DeleteContactArgs {
    /// Address book id or display name.
    pub addressbook: String,
    /// The contact's uid, as returned by list or search.
    pub uid: String,
    /// Only delete if the contact still has this etag (from your last read).
    #[serde(default)]
    pub etag: Option<String>,
}

/// Create takes no etag: a new contact has no version to check, and the
/// reference server's tool has none.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CreateContactArgs {
    /// Address book id or display name.
    pub addressbook: String,
    /// The new contact's UID; default a new random one.
    #[serde(default)]
    pub uid: Option<String>,
    /// Fields: fn, given_name, family_name, nickname, email, tel, org, title, adr, bday, note, url, categories. email/tel take a string, a list, or [{"value": ..., "type": "work"}]; adr takes {"street", "city", "region", "postal_code", "country", "type"}.
    pub contact_data: Map<String, Value>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct UpdateContactArgs {
    /// Address book id or display name.
    pub addressbook: String,
    /// The contact's UID, as returned by list or search.
    #[serde(default)]
    pub uid: Option<String>,
    /// Fields: fn, given_name, family_name, nickname, email, tel, org, title, adr, bday, note, url, categories. email/tel take a string, a list, or [{"value": ..., "type": "work"}]; adr takes {"street", "city", "region", "postal_code", "country", "type"}. Fields not named stay as they are and null removes one.
    pub contact_data: Map<String, Value>,
    /// The etag from your last read; the update fails if the contact changed since.
    #[serde(default)]
    pub etag: Option<String>,
}

pub fn pick<'a>(books: &'a [AddressBook], wanted: &str) -> Fail<&'a AddressBook> {
    let w = wanted.trim();
    books
        .iter()
        .find(|b| b.name == w)
        .or_else(|| {
            books
                .iter()
                .find(|b| b.display_name.eq_ignore_ascii_case(w) || b.name.eq_ignore_ascii_case(w))
        })
        .ok_or_else(|| {
            let known: Vec<String> = books
                .iter()
                .map(|b| format!("{} (\"{}\")", b.name, b.display_name))
                .collect();
            failure(format!(
                "there is no address book named '{w}'; the address books are: {}",
                if known.is_empty() {
                    "none".into()
                } else {
                    known.join(", ")
                }
            ))
        })
}

pub async fn book(nc: &dyn NextcloudApi, wanted: &str) -> Fail<AddressBook> {
    let books = nc.list_addressbooks().await.or_fail()?;
    pick(&books, wanted).cloned()
}
