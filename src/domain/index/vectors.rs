//! The semantic half of the index as the domain sees it: what text of a
//! document is embedded, how a vector is stored, the in-process nearest
//! neighbours over one owner's vectors, and reciprocal rank fusion of the
//! keyword and vector lists.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use super::{DocApp, IndexHit};

/// Characters of a document embedded: the title and the start of the body.
/// Embedding models read a few hundred tokens at most (all-MiniLM-L6-v2:
/// 256, nomic-embed-text: 2048 with a quality cost); more is cut by the
/// model anyway and costs the service time.
pub const MAX_EMBED_CHARS: usize = 2_000;

/// Characters of a body shown as the snippet of a hit found by meaning only.
pub const VECTOR_SNIPPET_CHARS: usize = 240;

/// The constant of reciprocal rank fusion: a hit at rank r (from 1) in a list
/// adds 1 / (RRF_K + r). 60 is the value of the original paper (Cormack et
/// al., 2009) and what most search engines default to.
pub const RRF_K: f64 = 60.0;

/// A document waiting for its vector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmbedInput {
    pub doc_id: String,
    /// Title and the start of the body, cut at [`MAX_EMBED_CHARS`].
    pub text: String,
}

impl EmbedInput {
    pub fn new(doc_id: String, title: &str, body: &str) -> Self {
        let mut text = String::with_capacity(title.len() + 1 + body.len().min(MAX_EMBED_CHARS));
        text.push_str(title);
        text.push('\n');
        text.push_str(body);
        let text = match text.char_indices().nth(MAX_EMBED_CHARS) {
            Some((end, _)) => text[..end].to_string(),
            None => text,
        };
        Self { doc_id, text }
    }
}

/// How the store searches vectors, decided once at start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VectorEngine {
    /// pgvector in PostgreSQL (its version), with an HNSW index.
    Database(String),
    /// The owner's vectors are read and compared in this process.
    InProcess,
}

/// Little-endian `f32`s: the portable form of a vector in both stores.
pub fn encode(vector: &[f32]) -> Vec<u8> {
    vector.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// `None` for bytes that are not `dimensions` floats.
pub fn decode(bytes: &[u8], dimensions: usize) -> Option<Vec<f32>> {
    if bytes.len() != dimensions * 4 {
        return None;
    }
    Some(
        bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
    )
}

/// pgvector's text form, `[0.1,0.2]`.
pub fn pgvector_literal(vector: &[f32]) -> String {
    let parts: Vec<String> = vector.iter().map(|x| x.to_string()).collect();
    format!("[{}]", parts.join(","))
}

/// Dot product of unit vectors: their cosine similarity.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// A candidate in [`TopK`]: ordered so the heap's top is the worst kept.
struct Scored<T> {
    score: f32,
    seq: u64,
    item: T,
}

impl<T> PartialEq for Scored<T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl<T> Eq for Scored<T> {}
impl<T> PartialOrd for Scored<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Scored<T> {
    /// Lower scores are "greater" (kept at the top to be evicted first);
    /// among equal scores the later one goes first, so results are stable.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then(self.seq.cmp(&other.seq))
    }
}

/// The `k` best-scoring items of a stream, in memory bounded by `k`.
pub struct TopK<T> {
    k: usize,
    seen: u64,
    heap: BinaryHeap<Scored<T>>,
}

impl<T> TopK<T> {
    pub fn new(k: usize) -> Self {
        Self {
            k,
            seen: 0,
            heap: BinaryHeap::with_capacity(k + 1),
        }
    }

    pub fn offer(&mut self, score: f32, item: T) {
        if self.k == 0 {
            return;
        }
        self.seen += 1;
        self.heap.push(Scored {
            score,
            seq: self.seen,
            item,
        });
        if self.heap.len() > self.k {
            self.heap.pop();
        }
    }

    /// Best first.
    pub fn into_sorted(self) -> Vec<(f32, T)> {
        // Ascending in `Ord` is best first (better scores are "less").
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|s| (s.score, s.item))
            .collect()
    }
}

/// Reciprocal rank fusion of two ranked lists into at most `limit` hits.
/// A document in both lists gets both contributions; the keyword hit's
/// snippet (with its highlighted matches) wins over the vector hit's. Each
/// hit's score becomes its fused score.
pub fn fuse(keyword: Vec<IndexHit>, vector: Vec<IndexHit>, limit: usize) -> Vec<IndexHit> {
    let mut fused: Vec<(f64, IndexHit)> = Vec::new();
    let mut at: HashMap<(DocApp, String), usize> = HashMap::new();
    for list in [keyword, vector] {
        for (rank, hit) in list.into_iter().enumerate() {
            let add = 1.0 / (RRF_K + (rank + 1) as f64);
            match at.get(&(hit.app, hit.doc_id.clone())) {
                Some(&i) => fused[i].0 += add,
                None => {
                    at.insert((hit.app, hit.doc_id.clone()), fused.len());
                    fused.push((add, hit));
                }
            }
        }
    }
    // Stable: equal scores keep first-seen order (keyword list first).
    fused.sort_by(|a, b| b.0.total_cmp(&a.0));
    fused.truncate(limit);
    fused
        .into_iter()
        .map(|(score, mut hit)| {
            hit.score = score;
            hit
        })
        .collect()
}

/// The start of a body as a one-line snippet for a hit found by meaning.
pub fn plain_snippet(body: &str) -> String {
    let flat: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(VECTOR_SNIPPET_CHARS) {
        Some((end, _)) => format!("{}…", &flat[..end]),
        None => flat,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(app: DocApp, id: &str, snippet: &str) -> IndexHit {
        IndexHit {
            app,
            doc_id: id.into(),
            title: id.into(),
            snippet: snippet.into(),
            link: String::new(),
            path: String::new(),
            modified: 0,
            score: 0.0,
        }
    }

    #[test]
    fn fusion_adds_reciprocal_ranks_and_keeps_keyword_snippets() {
        let keyword = vec![
            hit(DocApp::Notes, "a", "**a**"),
            hit(DocApp::Notes, "b", "**b**"),
            hit(DocApp::Notes, "c", "**c**"),
        ];
        let vector = vec![
            hit(DocApp::Notes, "c", "c plain"),
            hit(DocApp::Files, "a", "a file"),
            hit(DocApp::Notes, "b", "b plain"),
        ];
        let out = fuse(keyword, vector, 10);
        let order: Vec<(DocApp, &str)> = out.iter().map(|h| (h.app, h.doc_id.as_str())).collect();
        // c: 1/63 + 1/61; b: 1/62 + 1/63; a (notes): 1/61; a (files): 1/62.
        assert_eq!(
            order,
            [
                (DocApp::Notes, "c"),
                (DocApp::Notes, "b"),
                (DocApp::Notes, "a"),
                (DocApp::Files, "a")
            ]
        );
        assert!((out[0].score - (1.0 / 63.0 + 1.0 / 61.0)).abs() < 1e-12);
        assert_eq!(out[0].snippet, "**c**");
        assert_eq!(out[3].snippet, "a file");
        assert_eq!(fuse(Vec::new(), Vec::new(), 5), Vec::<IndexHit>::new());
        assert_eq!(
            fuse(
                vec![hit(DocApp::Notes, "x", "")],
                vec![hit(DocApp::Notes, "y", "")],
                1
            )
            .len(),
            1
        );
    }

    #[test]
    fn top_k_keeps_the_best_in_order() {
        let mut top = TopK::new(3);
        for (i, score) in [0.1f32, 0.9, 0.5, 0.7, 0.2, 0.9].into_iter().enumerate() {
            top.offer(score, i);
        }
        let kept: Vec<usize> = top.into_sorted().into_iter().map(|(_, i)| i).collect();
        assert_eq!(kept, [1, 5, 3]);
        let mut none = TopK::new(0);
        none.offer(1.0, ());
        assert!(none.into_sorted().is_empty());
    }

    #[test]
    fn vectors_round_trip_and_texts_are_cut() {
        let v = vec![0.25f32, -1.5, 3.0];
        assert_eq!(decode(&encode(&v), 3), Some(v.clone()));
        assert_eq!(decode(&encode(&v), 4), None);
        assert_eq!(pgvector_literal(&v), "[0.25,-1.5,3]");
        assert!((cosine(&[0.6, 0.8], &[0.6, 0.8]) - 1.0).abs() < 1e-6);
        let input = EmbedInput::new("1".into(), "Title", &"é".repeat(5_000));
        assert_eq!(input.text.chars().count(), MAX_EMBED_CHARS);
        assert!(input.text.starts_with("Title\n"));
        assert_eq!(plain_snippet("a\n\n b\tc"), "a b c");
        assert!(plain_snippet(&"w ".repeat(500)).ends_with('…'));
    }
}
