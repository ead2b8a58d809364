//! Query text to search terms. Both engines have a query syntax (FTS5's
//! `"x" OR y*`, tsquery's `a & !b:*`); reducing the user's text to runs of
//! letters and digits here means no user input is ever parsed as syntax.

/// More terms add little to a ranked search and cost every engine time.
pub const MAX_TERMS: usize = 16;
/// Longer runs are not words anyone searches for (hashes, base64).
const MAX_TERM_CHARS: usize = 64;

/// Shorter terms are matched as whole words only, never as the start of
/// longer ones: "i" as a prefix matches "ideas", "insurance" and most of an
/// index, which buries the documents the other words point to.
pub const MIN_PREFIX_CHARS: usize = 3;

/// Whether the fallback tier may match `term` as the start of longer words.
pub fn matches_as_prefix(term: &str) -> bool {
    term.chars().count() >= MIN_PREFIX_CHARS
}

/// Lowercased runs of letters and digits, in order, without repeats, at most
/// [`MAX_TERMS`].
pub fn search_terms(text: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for run in text.split(|c: char| !c.is_alphanumeric()) {
        if run.is_empty() || run.chars().count() > MAX_TERM_CHARS {
            continue;
        }
        let term = run.to_lowercase();
        if !terms.contains(&term) {
            terms.push(term);
        }
        if terms.len() == MAX_TERMS {
            break;
        }
    }
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_never_survives() {
        assert_eq!(
            search_terms(r#"Budget "2027" OR x* & !y:* NEAR(a b) -- 'c'"#),
            ["budget", "2027", "or", "x", "y", "near", "a", "b", "c"]
        );
        assert!(search_terms(" \"*:()&|!' ").is_empty());
    }

    #[test]
    fn unicode_words_stay_whole_and_repeats_go() {
        assert_eq!(
            search_terms("Grüße, GRÜSSE aus Köln; Köln"),
            ["grüße", "grüsse", "aus", "köln"]
        );
    }

    #[test]
    fn only_terms_of_three_characters_or_more_are_prefixes() {
        assert!(!matches_as_prefix("i"));
        assert!(!matches_as_prefix("do"));
        assert!(matches_as_prefix("see"));
        // Characters, not bytes: "öl" is two.
        assert!(!matches_as_prefix("öl"));
    }

    #[test]
    fn terms_are_bounded() {
        let many = (0..40)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(search_terms(&many).len(), MAX_TERMS);
        assert!(search_terms(&"a".repeat(65)).is_empty());
    }
}
