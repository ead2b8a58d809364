//! A title per tool, read from its name: clients show it instead of the
//! machine name (`nc_notes_create_note` becomes "Notes: Create note").

/// Tool-name prefixes and the app a person knows them by.
const APPS: &[(&str, &str)] = &[
    ("nc_notes_", "Notes"),
    ("nc_webdav_", "Files"),
    ("nc_calendar_", "Calendar"),
    ("nc_contacts_", "Contacts"),
    ("deck_", "Deck"),
    ("nc_share_", "Sharing"),
    ("nc_search_", "Search"),
    ("nc_tables_", "Tables"),
    ("nc_cookbook_", "Cookbook"),
    ("collectives_", "Collectives"),
    ("nc_news_", "News"),
    ("nc_webhooks_", "Webhooks"),
    ("nc_", "Nextcloud"),
];

pub fn of(name: &str) -> String {
    let (app, rest) = APPS
        .iter()
        .find_map(|(prefix, app)| name.strip_prefix(prefix).map(|rest| (Some(*app), rest)))
        .unwrap_or((None, name));
    let words = rest.replace('_', " ");
    let mut chars = words.chars();
    let sentence = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    };
    match app {
        Some(app) => format!("{app}: {sentence}"),
        None => sentence,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn titles_name_the_app_and_the_action() {
        assert_eq!(super::of("nc_notes_create_note"), "Notes: Create note");
        assert_eq!(super::of("deck_get_boards"), "Deck: Get boards");
        assert_eq!(
            super::of("nc_refresh_capabilities"),
            "Nextcloud: Refresh capabilities"
        );
        assert_eq!(
            super::of("provision_nextcloud_access"),
            "Provision nextcloud access"
        );
    }
}
