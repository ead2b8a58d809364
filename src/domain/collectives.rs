//! Collectives: team knowledge bases made of Markdown pages.
//!
//! The app lists a collective's pages flat, each naming its parent; the
//! tree a person reads is built here. A page's text is a Markdown file in
//! the user's files, so it is read and written over WebDAV at
//! [`Page::file_path`].

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::path::{PathError, UserPath};
use super::text::{TextInputError, check_line};

/// One collective the user is a member of.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Collective {
    pub id: u64,
    pub name: String,
    pub emoji: Option<String>,
    /// Unix seconds when it went to the trash; `None` while it is in use.
    pub trashed_at: Option<i64>,
    pub can_edit: bool,
    pub can_share: bool,
}

impl Collective {
    /// "📘 Handbook", or the bare name without an emoji.
    pub fn label(&self) -> String {
        with_emoji(self.emoji.as_deref(), &self.name)
    }
}

/// One page of a collective.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Page {
    pub id: u64,
    pub title: String,
    pub emoji: Option<String>,
    /// 0 for the landing page (and for a page in the trash).
    pub parent_id: u64,
    /// The order of this page's subpages, by id.
    pub subpage_order: Vec<u64>,
    /// Ids of the collective's tags this page carries.
    pub tags: Vec<u64>,
    /// Unix seconds of the last change.
    pub modified: i64,
    pub size: u64,
    pub last_editor: Option<String>,
    pub trashed_at: Option<i64>,
    /// The collective's folder inside the user's files (".Collectives/Name");
    /// `None` for a page in the trash.
    #[serde(skip)]
    pub collective_path: Option<String>,
    /// The folder of the page's file inside the collective ("" at the top).
    #[serde(skip)]
    pub folder: String,
    /// The page's Markdown file; "Readme.md" once the page has subpages.
    #[serde(skip)]
    pub file_name: String,
}

impl Page {
    pub fn label(&self) -> String {
        with_emoji(self.emoji.as_deref(), &self.title)
    }

    /// Where the page's Markdown lives in the user's files. The parts come
    /// from Nextcloud and are normalised like any user path, so a folder
    /// name cannot climb out of the user's root.
    pub fn file_path(&self) -> Result<UserPath, PageFileError> {
        let collective = self
            .collective_path
            .as_deref()
            .filter(|p| !p.trim_matches('/').is_empty())
            .ok_or(PageFileError::NoFile(self.id))?;
        let joined = format!("{collective}/{}/{}", self.folder, self.file_name);
        UserPath::parse_non_root(&joined).map_err(PageFileError::Path)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageFileError {
    #[error(
        "page {0} has no file in your collectives folder (it may be in the trash); restore it first"
    )]
    NoFile(u64),
    #[error("the page's file path from Nextcloud is unusable: {0}")]
    Path(PathError),
}

/// A tag of a collective, which pages can carry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tag {
    pub id: u64,
    pub name: String,
    /// Six hex digits without `#`.
    pub color: String,
}

/// A page with its subpages, as a person reads the page list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PageNode {
    #[serde(flatten)]
    pub page: Page,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subpages: Vec<PageNode>,
}

/// Builds the page tree from the flat list. Subpages follow their parent's
/// `subpage_order`, then the rest by title; a page whose parent is not in
/// the list becomes a root, so no page is ever dropped, and a parent loop
/// (which the app should never produce) cannot recurse forever.
pub fn page_tree(pages: &[Page]) -> Vec<PageNode> {
    let ids: BTreeSet<u64> = pages.iter().map(|p| p.id).collect();
    let mut children: BTreeMap<u64, Vec<&Page>> = BTreeMap::new();
    let mut roots = Vec::new();
    for page in pages {
        if page.parent_id != 0 && page.parent_id != page.id && ids.contains(&page.parent_id) {
            children.entry(page.parent_id).or_default().push(page);
        } else {
            roots.push(page);
        }
    }
    let mut placed = BTreeSet::new();
    let mut tree: Vec<PageNode> = order(roots, &[])
        .into_iter()
        .filter_map(|p| node(p, &children, &mut placed))
        .collect();
    // Pages only reachable through a loop: list them at the top.
    for page in pages {
        if !placed.contains(&page.id)
            && let Some(n) = node(page, &BTreeMap::new(), &mut placed)
        {
            tree.push(n);
        }
    }
    tree
}

fn node(
    page: &Page,
    children: &BTreeMap<u64, Vec<&Page>>,
    placed: &mut BTreeSet<u64>,
) -> Option<PageNode> {
    if !placed.insert(page.id) {
        return None;
    }
    let kids = children.get(&page.id).cloned().unwrap_or_default();
    let subpages = order(kids, &page.subpage_order)
        .into_iter()
        .filter_map(|child| node(child, children, placed))
        .collect();
    Some(PageNode {
        page: page.clone(),
        subpages,
    })
}

fn order<'a>(mut pages: Vec<&'a Page>, preferred: &[u64]) -> Vec<&'a Page> {
    let rank = |p: &Page| {
        preferred
            .iter()
            .position(|id| *id == p.id)
            .unwrap_or(usize::MAX)
    };
    pages.sort_by(|a, b| {
        rank(a)
            .cmp(&rank(b))
            .then_with(|| a.title.to_lowercase().cmp(&b.title.to_lowercase()))
    });
    pages
}

/// Why a value for Collectives was refused before any call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CollectivesInputError {
    #[error("{0} must not be empty")]
    Empty(&'static str),
    #[error("color must be 6 hex digits such as 0082c9 (a leading # is allowed), got {0:?}")]
    Color(String),
    #[error("emoji must be one emoji (at most 8 characters), got {0:?}")]
    Emoji(String),
    #[error("{0} must not contain '/'; pick a title without slashes")]
    Slash(&'static str),
    #[error(transparent)]
    Text(#[from] TextInputError),
}

/// A name or page title: one printable line, not empty, no `/` (it becomes
/// a file or folder name).
pub fn check_title(field: &'static str, value: &str) -> Result<String, CollectivesInputError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(CollectivesInputError::Empty(field));
    }
    check_line(field, value)?;
    if value.contains('/') {
        return Err(CollectivesInputError::Slash(field));
    }
    Ok(value.to_string())
}

/// A tag colour as the app stores it: six lower-case hex digits, no `#`
/// (the app refuses `#ff0000` with HTTP 400).
pub fn tag_color(value: &str) -> Result<String, CollectivesInputError> {
    let hex = value.trim().trim_start_matches('#');
    if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(hex.to_ascii_lowercase())
    } else {
        Err(CollectivesInputError::Color(value.to_string()))
    }
}

/// An emoji to set, or `None` to clear it (an empty string clears too).
pub fn emoji(value: Option<&str>) -> Result<Option<String>, CollectivesInputError> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let printable = !value
        .chars()
        .any(|c| c.is_control() || c.is_ascii_alphanumeric());
    if value.chars().count() > 8 || !printable {
        return Err(CollectivesInputError::Emoji(value.to_string()));
    }
    Ok(Some(value.to_string()))
}

fn with_emoji(emoji: Option<&str>, name: &str) -> String {
    match emoji.filter(|e| !e.is_empty()) {
        Some(e) => format!("{e} {name}"),
        None => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(id: u64, parent: u64, title: &str, order: &[u64]) -> Page {
        Page {
            id,
            title: title.into(),
            emoji: None,
            parent_id: parent,
            subpage_order: order.to_vec(),
            tags: vec![],
            modified: 0,
            size: 0,
            last_editor: None,
            trashed_at: None,
            collective_path: Some(".Collectives/Handbook".into()),
            folder: String::new(),
            file_name: format!("{title}.md"),
        }
    }

    fn titles(nodes: &[PageNode]) -> Vec<String> {
        nodes
            .iter()
            .map(|n| format!("{}{:?}", n.page.title, titles(&n.subpages)))
            .collect()
    }

    #[test]
    fn the_tree_follows_parents_and_subpage_order() {
        let pages = [
            page(421, 0, "Landing page", &[424, 427, 423]),
            page(427, 421, "Archived", &[]),
            page(424, 421, "Policies", &[]),
            page(423, 421, "Getting started", &[426]),
            page(426, 423, "Install", &[]),
        ];
        let tree = page_tree(&pages);
        assert_eq!(
            titles(&tree),
            [r#"Landing page["Policies[]", "Archived[]", "Getting started[\"Install[]\"]"]"#]
        );
    }

    #[test]
    fn orphans_and_loops_are_kept_once() {
        let pages = [
            page(1, 0, "Root", &[]),
            page(2, 99, "Orphan", &[]),
            page(3, 4, "A", &[]),
            page(4, 3, "B", &[]),
        ];
        let tree = page_tree(&pages);
        let mut all = Vec::new();
        fn walk(nodes: &[PageNode], out: &mut Vec<u64>) {
            for n in nodes {
                out.push(n.page.id);
                walk(&n.subpages, out);
            }
        }
        walk(&tree, &mut all);
        all.sort();
        assert_eq!(all, [1, 2, 3, 4]);
    }

    #[test]
    fn a_page_file_is_under_the_collective_folder() {
        let mut p = page(426, 423, "Install notes", &[]);
        p.folder = "Getting started".into();
        assert_eq!(
            p.file_path().unwrap().to_string(),
            "/.Collectives/Handbook/Getting started/Install notes.md"
        );
        p.collective_path = Some("../../etc".into());
        assert!(p.file_path().is_err());
        p.collective_path = None;
        assert_eq!(p.file_path().unwrap_err(), PageFileError::NoFile(426));
    }

    #[test]
    fn inputs_are_checked() {
        assert_eq!(tag_color("#0082C9").unwrap(), "0082c9");
        assert!(tag_color("red").is_err());
        assert!(tag_color("12345").is_err());
        assert_eq!(emoji(Some("📘")).unwrap().as_deref(), Some("📘"));
        assert_eq!(emoji(Some(" ")).unwrap(), None);
        assert!(emoji(Some("book")).is_err());
        assert!(check_title("title", "a/b").is_err());
        assert!(check_title("title", "  ").is_err());
        assert_eq!(check_title("title", " Policies ").unwrap(), "Policies");
    }
}
