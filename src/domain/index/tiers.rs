//! Keyword search runs in two tiers: documents holding every term exactly
//! first, then, only when those are fewer than the limit, documents holding
//! any term or a word it starts. Most queries end after the first tier,
//! which matches far fewer documents than an OR of prefixes, and a document
//! with all the terms never ranks below one with some of them.

use super::IndexHit;

/// The first tier's hits in their order, then the fallback's hits that the
/// first tier did not already hold, in theirs, cut at `limit`. Scores stay
/// as each tier's engine gave them: they order hits within a tier only.
pub fn merge_tiers(first: Vec<IndexHit>, fallback: Vec<IndexHit>, limit: usize) -> Vec<IndexHit> {
    let mut hits = first;
    hits.truncate(limit);
    for hit in fallback {
        if hits.len() == limit {
            break;
        }
        if !hits
            .iter()
            .any(|kept| kept.app == hit.app && kept.doc_id == hit.doc_id)
        {
            hits.push(hit);
        }
    }
    hits
}

/// Whether the fallback tier can add anything: the first tier left room.
pub fn needs_fallback(first_tier_hits: usize, limit: usize) -> bool {
    first_tier_hits < limit
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::index::DocApp;

    fn hit(app: DocApp, id: &str, score: f64) -> IndexHit {
        IndexHit {
            app,
            doc_id: id.into(),
            title: String::new(),
            snippet: String::new(),
            link: String::new(),
            path: String::new(),
            modified: 0,
            score,
        }
    }

    fn ids(hits: &[IndexHit]) -> Vec<(DocApp, &str)> {
        hits.iter().map(|h| (h.app, h.doc_id.as_str())).collect()
    }

    #[test]
    fn first_tier_leads_and_repeats_are_dropped() {
        let first = vec![hit(DocApp::Notes, "a", 1.0)];
        let fallback = vec![
            hit(DocApp::Notes, "b", 9.0),
            hit(DocApp::Notes, "a", 8.0),
            // Same id in another app is another document.
            hit(DocApp::Files, "a", 7.0),
        ];
        let merged = merge_tiers(first, fallback, 10);
        assert_eq!(
            ids(&merged),
            [
                (DocApp::Notes, "a"),
                (DocApp::Notes, "b"),
                (DocApp::Files, "a")
            ]
        );
        assert_eq!(merged[0].score, 1.0);
    }

    #[test]
    fn the_limit_holds_across_tiers() {
        let first = vec![hit(DocApp::Notes, "a", 1.0), hit(DocApp::Notes, "b", 0.5)];
        let fallback = vec![hit(DocApp::Deck, "c", 3.0), hit(DocApp::Deck, "d", 2.0)];
        assert_eq!(
            ids(&merge_tiers(first.clone(), fallback.clone(), 3)),
            [
                (DocApp::Notes, "a"),
                (DocApp::Notes, "b"),
                (DocApp::Deck, "c")
            ]
        );
        assert_eq!(
            ids(&merge_tiers(first, fallback, 1)),
            [(DocApp::Notes, "a")]
        );
        assert!(!needs_fallback(3, 3));
        assert!(needs_fallback(2, 3));
    }
}
