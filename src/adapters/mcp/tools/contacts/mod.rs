//! Contacts tools over CardDAV (`nc_contacts_*`), named like the reference
//! server's. Cards are read in vCard 3.0 or 4.0 and always written as 3.0.

mod args;

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};

use super::AppRouter;
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::fan_out;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::adapters::mcp::paging::{PageArgs, PageInfo, PageRequest};
use crate::adapters::mcp::tool_scopes::Access;
use crate::domain::calendar::check_collection_name;
use crate::domain::contacts::{Contact, ContactPatch};
use crate::domain::scopes::Scope;
use args::{
    AddressBookArgs, ContactRefArgs, CreateContactArgs, DeleteAddressBookArgs, DeleteContactArgs,
    ListContactsArgs, SearchContactsArgs, UpdateContactArgs, book,
};

/// Contacts are core Nextcloud (CardDAV), present on every server.
pub(super) fn router() -> AppRouter {
    AppRouter::new(
        None,
        Access::read_write(Scope::ContactsRead, Scope::ContactsWrite),
        NextcloudMcp::contacts_router(),
    )
}

const MAX_LIMIT: usize = 1000;
/// A contact is a few hundred bytes: 100 keep a page well under 50 KB.
const DEFAULT_LIMIT: usize = 100;
/// An address book is a name, a display name and a description.
const DEFAULT_BOOK_LIMIT: usize = 100;
fn contact_line(c: &Contact) -> String {
    let mut line = format!(
        "- {} (uid {})",
        if c.full_name.is_empty() {
            "(no name)"
        } else {
            &c.full_name
        },
        c.uid
    );
    if let Some(e) = c.emails.first() {
        line.push_str(&format!(", {}", e.value));
    }
    if let Some(p) = c.phones.first() {
        line.push_str(&format!(", {}", p.value));
    }
    if let Some(o) = &c.organization {
        line.push_str(&format!(", {o}"));
    }
    line
}

fn contacts_result(
    contacts: &[Contact],
    total: usize,
    heading: String,
    page: Option<&PageInfo>,
) -> CallToolResult {
    let mut text = format!("{heading}: {} of {total}", contacts.len());
    for c in contacts {
        text.push('\n');
        text.push_str(&contact_line(c));
    }
    let mut structured = serde_json::json!({ "contacts": contacts, "total": total });
    if let Some(page) = page {
        structured["page"] = serde_json::json!(page);
        text = page.under(text, contacts.len());
    }
    success(&structured, text)
}

#[tool_router(router = contacts_router)]
impl NextcloudMcp {
    #[tool(
        name = "nc_contacts_list_addressbooks",
        input_schema = crate::adapters::mcp::schema::input::<PageArgs>("nc_contacts_list_addressbooks"),
        description = "List the user's address books: id (name), display name, description.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn list_addressbooks(
        &self,
        Parameters(page): Parameters<PageArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let paging = page.request(DEFAULT_BOOK_LIMIT, MAX_LIMIT)?;
        let books = self
            .nextcloud(&request)
            .await?
            .list_addressbooks()
            .await
            .or_fail()?;
        let (shown, page) = paging.page(&books);
        let mut text = format!("{} address books", books.len());
        for b in shown {
            text.push_str(&format!("\n- {} (\"{}\")", b.name, b.display_name));
        }
        Ok(success(
            &serde_json::json!({ "addressbooks": shown, "page": page }),
            page.under(text, shown.len()),
        ))
    }

    #[tool(
        name = "nc_contacts_create_addressbook",
        input_schema = crate::adapters::mcp::schema::input::<AddressBookArgs>("nc_contacts_create_addressbook"),
        description = "Create an address book with an id (name) and a display name.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn create_addressbook(
        &self,
        Parameters(args): Parameters<AddressBookArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let name = args.name.trim();
        check_collection_name(name).or_fail()?;
        let display = args
            .display_name
            .clone()
            .filter(|d| !d.trim().is_empty())
            .unwrap_or_else(|| name.to_string());
        self.nextcloud(&request)
            .await?
            .create_addressbook(name, &display, args.description.clone())
            .await
            .or_fail()?;
        Ok(success(
            &serde_json::json!({ "created": name, "display_name": display }),
            format!("Created address book {name}"),
        ))
    }

    #[tool(
        name = "nc_contacts_delete_addressbook",
        input_schema = crate::adapters::mcp::schema::input::<DeleteAddressBookArgs>("nc_contacts_delete_addressbook"),
        description = "Delete an address book and every contact in it.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn delete_addressbook(
        &self,
        Parameters(args): Parameters<DeleteAddressBookArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let nc = self.nextcloud(&request).await?;
        let found = book(nc.as_ref(), &args.name).await?;
        nc.delete_addressbook(&found.name).await.or_fail()?;
        Ok(success(
            &serde_json::json!({ "deleted": found.name }),
            format!("Deleted address book {}", found.name),
        ))
    }

    #[tool(
        name = "nc_contacts_list_contacts",
        input_schema = crate::adapters::mcp::schema::input::<ListContactsArgs>("nc_contacts_list_contacts"),
        description = "List the contacts of an address book (name, emails, phones, organisation, uid, etag), sorted by name, a page at a time (limit, cursor).",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn list_contacts(
        &self,
        Parameters(args): Parameters<ListContactsArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let paging = PageRequest::parse_with_offset(
            args.limit,
            args.cursor.as_deref(),
            args.offset,
            DEFAULT_LIMIT,
            MAX_LIMIT,
        )?;
        let nc = self.nextcloud(&request).await?;
        let found = book(nc.as_ref(), &args.addressbook).await?;
        let mut contacts = nc.list_contacts(&found.name, None).await.or_fail()?;
        // The uid breaks ties between equal names, so pages never swap them.
        contacts.sort_by_cached_key(|c| (c.full_name.to_lowercase(), c.uid.clone()));
        let (shown, page) = paging.page(&contacts);
        let mut heading = format!("Contacts in {}", found.name);
        if args.include_photos {
            heading.push_str(" (photos are never returned)");
        }
        Ok(contacts_result(shown, contacts.len(), heading, Some(&page)))
    }

    #[tool(
        name = "nc_contacts_search_contacts",
        input_schema = crate::adapters::mcp::schema::input::<SearchContactsArgs>("nc_contacts_search_contacts"),
        description = "Find contacts whose name, nickname, email, phone or organisation contains the query (the server filters), in one or all address books.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn search_contacts(
        &self,
        Parameters(args): Parameters<SearchContactsArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        if args.query.trim().is_empty() {
            return Err(failure(
                "query is empty; give part of a name, email, phone number or organisation",
            ));
        }
        let paging = args.page.request(DEFAULT_LIMIT, MAX_LIMIT)?;
        let nc = self.nextcloud(&request).await?;
        let books = match args.addressbook.as_deref().filter(|b| !b.trim().is_empty()) {
            Some(wanted) => vec![book(nc.as_ref(), wanted).await?],
            None => nc.list_addressbooks().await.or_fail()?,
        };
        let mut hits = Vec::new();
        let answers = fan_out::in_order(
            &books,
            |b| nc.list_contacts(&b.name, Some(args.query.clone())),
            None,
        )
        .await;
        for answer in answers {
            let found = answer.or_fail()?;
            hits.extend(found.into_iter().filter(|c| c.matches(&args.query)));
        }
        let photos = if args.include_photos {
            " (photos are never returned)"
        } else {
            ""
        };
        let (shown, page) = paging.page(&hits);
        Ok(contacts_result(
            shown,
            hits.len(),
            format!("Contacts matching '{}'{photos}", args.query.trim()),
            Some(&page),
        ))
    }

    #[tool(
        name = "nc_contacts_get_contact",
        input_schema = crate::adapters::mcp::schema::input::<ContactRefArgs>("nc_contacts_get_contact"),
        description = "Get one contact with all its fields and its etag.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn get_contact(
        &self,
        Parameters(args): Parameters<ContactRefArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let nc = self.nextcloud(&request).await?;
        let found = book(nc.as_ref(), &args.addressbook).await?;
        let contact = nc
            .get_contact(&found.name, args.uid.trim())
            .await
            .or_fail()?;
        Ok(success(
            &contact,
            contact_line(&contact).trim_start_matches("- ").to_string(),
        ))
    }

    #[tool(
        name = "nc_contacts_create_contact",
        input_schema = crate::adapters::mcp::schema::input::<CreateContactArgs>("nc_contacts_create_contact"),
        description = "Create a contact from contact_data (written as vCard 3.0, the version Nextcloud serves).",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn create_contact(
        &self,
        Parameters(args): Parameters<CreateContactArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let patch = ContactPatch::from_json(&args.contact_data).or_fail()?;
        if patch.display_name().is_none() {
            return Err(failure(crate::domain::contacts::ContactInputError::NoName));
        }
        let uid = args
            .uid
            .clone()
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        crate::domain::contacts::check_uid(uid.trim()).or_fail()?;
        let nc = self.nextcloud(&request).await?;
        let found = book(nc.as_ref(), &args.addressbook).await?;
        let contact = nc
            .create_contact(&found.name, uid.trim(), &patch)
            .await
            .or_fail()?;
        Ok(success(
            &contact,
            format!(
                "Created contact {}",
                contact_line(&contact).trim_start_matches("- ")
            ),
        ))
    }

    #[tool(
        name = "nc_contacts_update_contact",
        input_schema = crate::adapters::mcp::schema::input::<UpdateContactArgs>("nc_contacts_update_contact"),
        description = "Change the fields named in contact_data; every other property of the card (including ones other apps added) stays. Written as vCard 3.0.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn update_contact(
        &self,
        Parameters(args): Parameters<UpdateContactArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let uid = args
            .uid
            .clone()
            .filter(|u| !u.trim().is_empty())
            .ok_or_else(|| failure("uid is required to update a contact"))?;
        let patch = ContactPatch::from_json(&args.contact_data).or_fail()?;
        let nc = self.nextcloud(&request).await?;
        let found = book(nc.as_ref(), &args.addressbook).await?;
        let etag = args.etag.clone().filter(|e| !e.trim().is_empty());
        let contact = nc
            .update_contact(&found.name, uid.trim(), etag, &patch)
            .await
            .or_fail()?;
        Ok(success(
            &contact,
            format!(
                "Updated contact {}",
                contact_line(&contact).trim_start_matches("- ")
            ),
        ))
    }

    #[tool(
        name = "nc_contacts_delete_contact",
        input_schema = crate::adapters::mcp::schema::input::<DeleteContactArgs>("nc_contacts_delete_contact"),
        description = "Delete a contact by its uid from the named address book; pass its etag to refuse deleting a contact someone changed meanwhile.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn delete_contact(
        &self,
        Parameters(args): Parameters<DeleteContactArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let nc = self.nextcloud(&request).await?;
        let found = book(nc.as_ref(), &args.addressbook).await?;
        let etag = args.etag.clone().filter(|e| !e.trim().is_empty());
        nc.delete_contact(&found.name, args.uid.trim(), etag)
            .await
            .or_fail()?;
        Ok(success(
            &serde_json::json!({ "deleted": args.uid, "addressbook": found.name }),
            format!("Deleted contact {}", args.uid),
        ))
    }
}
