//! Paths inside a user's files root.
//!
//! Every path a tool receives is normalised here before any call, so `..` can
//! never climb out of the user's root and the adapters only see clean segments.

use std::fmt;

/// A normalised path relative to the user's files root. The root itself has no
/// segments.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UserPath {
    segments: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("path '{0}' climbs above your files root with '..'")]
    EscapesRoot(String),
    #[error("path contains a control character; use a plain file or folder name")]
    ControlCharacter,
    #[error("path is longer than {max} characters")]
    TooLong { max: usize },
    #[error("this operation needs a file or folder, not your files root")]
    IsRoot,
}

const MAX_PATH_CHARS: usize = 4096;

impl UserPath {
    pub fn root() -> Self {
        Self {
            segments: Vec::new(),
        }
    }

    /// Parses a path as a user typed it: leading, trailing and doubled slashes,
    /// `.` and `..` are resolved; backslashes are treated as separators so a
    /// Windows-style path cannot smuggle `..\` past the check.
    pub fn parse(raw: &str) -> Result<Self, PathError> {
        if raw.chars().count() > MAX_PATH_CHARS {
            return Err(PathError::TooLong {
                max: MAX_PATH_CHARS,
            });
        }
        if raw.chars().any(char::is_control) {
            return Err(PathError::ControlCharacter);
        }
        let mut segments: Vec<String> = Vec::new();
        for part in raw.split(['/', '\\']) {
            match part {
                "" | "." => {}
                ".." => {
                    if segments.pop().is_none() {
                        return Err(PathError::EscapesRoot(raw.to_string()));
                    }
                }
                name => segments.push(name.to_string()),
            }
        }
        Ok(Self { segments })
    }

    /// Like [`parse`](Self::parse) but refuses the root, for operations such as
    /// delete or move where acting on the whole root is never what was meant.
    pub fn parse_non_root(raw: &str) -> Result<Self, PathError> {
        let path = Self::parse(raw)?;
        if path.is_root() {
            return Err(PathError::IsRoot);
        }
        Ok(path)
    }

    pub fn is_root(&self) -> bool {
        self.segments.is_empty()
    }

    pub fn segments(&self) -> &[String] {
        &self.segments
    }

    pub fn name(&self) -> Option<&str> {
        self.segments.last().map(String::as_str)
    }

    pub fn join(&self, name: &str) -> Result<Self, PathError> {
        let mut joined = self.to_string();
        joined.push('/');
        joined.push_str(name);
        Self::parse(&joined)
    }

    /// Builds a path from segments already decoded from a server reply; a
    /// segment that is `.`/`..` or empty is dropped the same way `parse` would.
    pub fn from_segments<I, S>(segments: I) -> Result<Self, PathError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let joined: Vec<String> = segments
            .into_iter()
            .map(|s| s.as_ref().replace(['/', '\\'], "_"))
            .collect();
        Self::parse(&joined.join("/"))
    }
}

impl fmt::Display for UserPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.segments.is_empty() {
            return f.write_str("/");
        }
        for segment in &self.segments {
            write!(f, "/{segment}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_user_input() {
        let cases = [
            ("", "/"),
            ("/", "/"),
            ("Documents", "/Documents"),
            ("/Documents/", "/Documents"),
            ("//a///b/", "/a/b"),
            ("a/./b", "/a/b"),
            ("a/b/../c", "/a/c"),
            ("a\\b", "/a/b"),
            ("Grüße aus Köln & #more.txt", "/Grüße aus Köln & #more.txt"),
        ];
        for (raw, expected) in cases {
            assert_eq!(UserPath::parse(raw).unwrap().to_string(), expected, "{raw}");
        }
    }

    #[test]
    fn refuses_to_climb_out_of_the_root() {
        for raw in [
            "..",
            "/..",
            "../etc/passwd",
            "a/../..",
            "a/../../b",
            "..\\x",
        ] {
            assert!(
                matches!(UserPath::parse(raw), Err(PathError::EscapesRoot(_))),
                "{raw} must be refused"
            );
        }
    }

    #[test]
    fn refuses_control_characters_and_huge_paths() {
        assert_eq!(UserPath::parse("a\0b"), Err(PathError::ControlCharacter));
        assert_eq!(UserPath::parse("a\nb"), Err(PathError::ControlCharacter));
        let long = "a/".repeat(MAX_PATH_CHARS);
        assert!(matches!(
            UserPath::parse(&long),
            Err(PathError::TooLong { .. })
        ));
    }

    #[test]
    fn non_root_operations_refuse_the_root() {
        assert_eq!(UserPath::parse_non_root("/"), Err(PathError::IsRoot));
        assert_eq!(UserPath::parse_non_root("a/.."), Err(PathError::IsRoot));
        assert!(UserPath::parse_non_root("a").is_ok());
    }

    #[test]
    fn join_and_segments_stay_inside_the_root() {
        let base = UserPath::parse("a").unwrap();
        assert_eq!(base.join("b").unwrap().to_string(), "/a/b");
        assert!(base.join("../..").is_err());
        let from_server = UserPath::from_segments(["Fixtures", "x/y"]).unwrap();
        assert_eq!(from_server.segments(), ["Fixtures", "x_y"]);
        assert_eq!(from_server.name(), Some("x_y"));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Path text biased toward what attacks use: `..`, `.`, empty
        /// segments, both separators, and arbitrary names.
        fn raw_path() -> impl Strategy<Value = String> {
            let segment = prop_oneof![
                3 => Just("..".to_string()),
                1 => Just(".".to_string()),
                1 => Just(String::new()),
                1 => Just("...".to_string()),
                3 => "[a-z .]{1,4}",
                2 => any::<String>(),
            ];
            let separator = prop_oneof![Just("/"), Just("\\"), Just("//")];
            proptest::collection::vec((segment, separator), 0..12).prop_map(|parts| {
                parts
                    .into_iter()
                    .map(|(segment, separator)| format!("{segment}{separator}"))
                    .collect()
            })
        }

        fn clean(path: &UserPath) -> bool {
            path.segments()
                .iter()
                .all(|s| !s.is_empty() && s != "." && s != ".." && !s.contains(['/', '\\']))
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            /// An accepted path has only real names, reads back as itself,
            /// and put under any folder stays under that folder: no input
            /// climbs above the root it is resolved in.
            #[test]
            fn no_path_climbs_above_its_root(raw in raw_path(), base in raw_path()) {
                if let Ok(path) = UserPath::parse(&raw) {
                    prop_assert!(clean(&path), "{path:?}");
                    prop_assert_eq!(UserPath::parse(&path.to_string()).unwrap(), path.clone());
                    if let Ok(base) = UserPath::parse(&base) {
                        let under = UserPath::parse(&format!("{base}/{raw}")).unwrap();
                        prop_assert!(under.segments().starts_with(base.segments()), "{under:?}");
                    }
                }
            }

            /// Segments decoded from a server reply never climb either, and
            /// never yield an empty, `.` or `..` segment.
            #[test]
            fn server_segments_stay_below_the_root(segments in proptest::collection::vec(raw_path(), 0..6)) {
                if let Ok(path) = UserPath::from_segments(&segments) {
                    prop_assert!(clean(&path), "{path:?}");
                    prop_assert!(path.segments().len() <= segments.len());
                }
            }
        }
    }
}
