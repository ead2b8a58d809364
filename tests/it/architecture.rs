//! The domain stays pure: no file under `src/domain` names a crate or module
//! that does I/O. The check reads the source text, so it also catches a path
//! written inline (`std::fs::read(..)`) and a grouped import
//! (`use tokio::{io, sync}`); comments and string literals are ignored.

use std::path::{Path, PathBuf};

/// Path prefixes that do I/O, segment by segment. `tokio::sync` and the like
/// stay allowed: they coordinate, they do not reach the outside.
const IO_PATHS: &[&[&str]] = &[
    &["reqwest"],
    &["sqlx"],
    &["axum"],
    &["rmcp"],
    &["hyper"],
    &["tokio", "net"],
    &["tokio", "fs"],
    &["tokio", "io"],
    &["tokio", "process"],
    &["tokio", "signal"],
    &["tokio", "time"],
    &["std", "fs"],
    &["std", "net"],
    &["std", "process"],
];

/// The source with comments and string and character literals blanked out,
/// so only code remains. Line breaks are kept.
fn code_only(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let ident_at = |at: usize| chars[at].is_alphanumeric() || chars[at] == '_';
        // `r"` or `br"` starts a raw string; `for"` or `bar"` do not.
        let raw_can_start =
            i == 0 || !ident_at(i - 1) || (chars[i - 1] == 'b' && (i == 1 || !ident_at(i - 2)));
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r' && raw_can_start && matches!(next, Some('"') | Some('#')) && {
            let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
            chars.get(i + 1 + hashes) == Some(&'"')
        } {
            // A raw string: r"..." or r#"..."# with any number of hashes.
            let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
            i += 2 + hashes;
            while i < chars.len() {
                if chars[i] == '"' && chars[i + 1..].iter().take(hashes).all(|c| *c == '#') {
                    i += 1 + hashes;
                    break;
                }
                out.push(blank(chars[i]));
                i += 1;
            }
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                if let Some(&c) = chars.get(i) {
                    out.push(blank(c));
                }
                i += 1;
            }
            i += 1;
        } else if c == '\'' && next == Some('\\') {
            // A character literal with an escape: '\n', '\'', '\u{..}'.
            i += 3;
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            i += 1;
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            i += 3;
        } else {
            // Code, lifetimes included.
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Expands a `use` tree (`a::{b, c::{d, e}}`) into its full paths.
fn expand_use_tree(tree: &str) -> Vec<String> {
    let mut tree = tree.split_whitespace().collect::<Vec<_>>().join(" ");
    for (spaced, tight) in [
        (" ::", "::"),
        (":: ", "::"),
        (" {", "{"),
        ("{ ", "{"),
        (" }", "}"),
        ("} ", "}"),
        (" ,", ","),
        (", ", ","),
    ] {
        tree = tree.replace(spaced, tight);
    }
    let Some(open) = tree.find('{') else {
        // A leaf: `a::b`, or `a::b as c` where only the path counts.
        return vec![tree.split(" as ").next().unwrap_or_default().to_string()];
    };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (index, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..index]);
                start = index + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|part| !part.is_empty())
        .flat_map(|part| {
            expand_use_tree(part)
                .into_iter()
                .map(|path| format!("{prefix}{path}"))
        })
        .collect()
}

/// Every path the code names: the full paths of each `use` (trees
/// expanded), each `extern crate`, and each `a::b` written inline.
fn paths_in(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    // `use` declarations, up to their semicolon.
    let mut rest = code;
    while let Some(at) = rest.find("use") {
        let before_ok = rest[..at].chars().next_back().is_none_or(|c| !is_ident(c));
        let after = &rest[at + 3..];
        let after_ok = after.chars().next().is_some_and(char::is_whitespace);
        if before_ok && after_ok {
            let end = after.find(';').unwrap_or(after.len());
            paths.extend(expand_use_tree(&after[..end]));
            rest = &after[end..];
        } else {
            rest = after;
        }
    }
    // `extern crate name`.
    let words: Vec<&str> = code.split_whitespace().collect();
    for window in words.windows(3) {
        if window[0] == "extern" && window[1] == "crate" {
            paths.push(window[2].trim_end_matches(';').to_string());
        }
    }
    // Inline paths: runs of identifiers joined by `::`.
    let chars: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let starts_here = (is_ident(chars[i]) || chars[i] == ':')
            && (i == 0 || !(is_ident(chars[i - 1]) || chars[i - 1] == ':'));
        if !starts_here {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && (is_ident(chars[i]) || chars[i] == ':') {
            i += 1;
        }
        let run: String = chars[start..i].iter().collect();
        if run.contains("::") {
            paths.push(run);
        }
    }
    paths
}

/// The I/O paths `source` names, each once, in order of appearance.
fn io_paths_in(source: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for path in paths_in(&code_only(source)) {
        let segments: Vec<&str> = path.trim_start_matches("::").split("::").collect();
        let io = IO_PATHS.iter().any(|prefix| {
            segments.len() >= prefix.len() && prefix.iter().zip(&segments).all(|(p, s)| p == s)
        });
        if io && !found.contains(&path) {
            found.push(path);
        }
    }
    found
}

fn rust_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

/// Each file under `dir` that names an I/O path, with the paths it names.
fn impure_files(dir: &Path) -> Vec<(PathBuf, Vec<String>)> {
    let mut files = Vec::new();
    rust_files(dir, &mut files);
    assert!(!files.is_empty(), "no Rust files under {}", dir.display());
    files.sort();
    files
        .into_iter()
        .filter_map(|file| {
            let source = std::fs::read_to_string(&file).unwrap();
            let found = io_paths_in(&source);
            (!found.is_empty()).then_some((file, found))
        })
        .collect()
}

fn domain_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/domain")
}

#[test]
fn the_scanner_finds_every_form_of_io_import() {
    let cases = [
        ("use reqwest::Client;", "reqwest::Client"),
        ("use ::axum::Router;", "::axum::Router"),
        ("use hyper as http;", "hyper"),
        ("use sqlx;", "sqlx"),
        ("extern crate rmcp;", "rmcp"),
        (
            "use tokio::{sync::Mutex, net::TcpStream};",
            "tokio::net::TcpStream",
        ),
        ("use std::{collections::HashMap, fs};", "std::fs"),
        (
            "use std::{\n    io,\n    net::{IpAddr, TcpStream},\n};",
            "std::net::TcpStream",
        ),
        (
            "async fn f() { tokio::time::sleep(d).await }",
            "tokio::time::sleep",
        ),
        (
            "fn f() -> Vec<u8> { std::fs::read(\"x\").unwrap() }",
            "std::fs::read",
        ),
        (
            "fn f() { let _ = sqlx::query!(\"SELECT 1\"); }",
            "sqlx::query",
        ),
        ("fn f() { ::std::process::exit(1) }", "::std::process::exit"),
    ];
    for (source, expected) in cases {
        let found = io_paths_in(source);
        assert!(
            found.iter().any(|p| p == expected),
            "{source:?}: expected {expected:?}, found {found:?}"
        );
    }
}

#[test]
fn the_scanner_ignores_comments_strings_and_pure_paths() {
    let source = r##"
        //! Talks about reqwest::Client in docs only.
        use std::collections::HashMap;
        use std::fmt::{self, Display};
        use tokio::sync::Mutex;
        use chrono::{DateTime, Utc};
        use crate::domain::fs::Path;
        // use std::fs;
        /* use sqlx::Pool; /* nested */ std::net::TcpStream */
        /// Like `hyper::Body`.
        fn f<'a>(s: &'a str) -> String {
            let quote = '"';
            let escaped = '\'';
            let plain = "std::fs::read";
            let raw = r#"use axum::Router; "quoted""#;
            let my_reqwest = self::reqwest::x();
            format!("{quote}{escaped}{plain}{raw}{my_reqwest} rmcp::model")
        }
    "##;
    assert_eq!(io_paths_in(source), Vec::<String>::new());
}

#[test]
fn a_seeded_violation_in_a_copy_of_the_domain_is_found() {
    let copy = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    rust_files(&domain_dir(), &mut files);
    for file in &files {
        let target = copy.path().join(file.strip_prefix(domain_dir()).unwrap());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(file, &target).unwrap();
    }
    let seeded = copy.path().join("mod.rs");
    let mut source = std::fs::read_to_string(&seeded).unwrap();
    source.push_str("\nfn fetch() { let _ = reqwest::get(\"https://example.test\"); }\n");
    std::fs::write(&seeded, source).unwrap();

    let impure = impure_files(copy.path());
    assert_eq!(impure.len(), 1, "{impure:?}");
    assert_eq!(impure[0].0, seeded);
    assert_eq!(impure[0].1, vec!["reqwest::get".to_string()]);
}

#[test]
fn the_domain_imports_no_io_crate() {
    let impure = impure_files(&domain_dir());
    assert!(
        impure.is_empty(),
        "src/domain must stay free of I/O; move this code to an adapter behind a port:\n{}",
        impure
            .iter()
            .map(|(file, paths)| format!("  {}: {}", file.display(), paths.join(", ")))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
