//! The in-process embedder with a real model: all-MiniLM-L6-v2, fetched once
//! by `scripts/live/model.sh` (nothing is downloaded while the test runs).
//!
//!     eval "$(scripts/live/model.sh start)"
//!     cargo test --features embeddings-onnx --test it onnx_model
//!
//! Skipped without NEXTCLOUD_MCP_TEST_MODEL_DIR, unless
//! NEXTCLOUD_MCP_LIVE_TESTS=1 says it must run (then it fails).

use std::collections::HashSet;
use std::path::PathBuf;

use nextcloud_mcp::adapters::embeddings::onnx::{MAX_BATCH, OnnxEmbedder};
use nextcloud_mcp::ports::embedder::Embedder;
use tokio::sync::OnceCell;

/// The model's folder; None (the test is skipped) when it is not set and
/// live tests are not required.
pub(crate) fn model_dir() -> Option<PathBuf> {
    match std::env::var_os("NEXTCLOUD_MCP_TEST_MODEL_DIR") {
        Some(dir) => Some(PathBuf::from(dir)),
        None if std::env::var("NEXTCLOUD_MCP_LIVE_TESTS").as_deref() == Ok("1") => panic!(
            "NEXTCLOUD_MCP_LIVE_TESTS=1 but NEXTCLOUD_MCP_TEST_MODEL_DIR is not set: \
             run eval \"$(scripts/live/model.sh start)\""
        ),
        None => {
            eprintln!("skipped: NEXTCLOUD_MCP_TEST_MODEL_DIR is not set");
            None
        }
    }
}

/// One loaded model for every test here: loading and optimising it is the
/// slow part.
async fn embedder() -> Option<&'static OnnxEmbedder> {
    static EMBEDDER: OnceCell<OnnxEmbedder> = OnceCell::const_new();
    let dir = model_dir()?;
    Some(
        EMBEDDER
            .get_or_init(|| async move { OnnxEmbedder::open(dir).await.expect("model loads") })
            .await,
    )
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The lowercased words of `text`.
pub(crate) fn words(text: &str) -> HashSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Notes on unrelated subjects, each paraphrased by a query.
pub(crate) const NOTES: [&str; 6] = [
    "Dentist appointment moved to Thursday",
    "Quarterly budget for the marketing team",
    "Recipe: lentil soup with cumin",
    "Flight to Lisbon leaves at 7am",
    "Renew the car insurance before March",
    "Birthday present ideas for grandma",
];

/// Each query paraphrases one note (by index) without sharing a word with it.
const QUERIES: [(&str, usize); 5] = [
    ("when do I see the tooth doctor", 0),
    ("how much money may advertising spend", 1),
    ("how to cook a spiced bean stew", 2),
    ("what time does my plane for Portugal depart", 3),
    ("vehicle cover expires soon", 4),
];

#[tokio::test]
async fn a_paraphrase_sharing_no_word_with_its_note_ranks_that_note_first() {
    let Some(embedder) = embedder().await else {
        return;
    };
    assert_eq!(embedder.model(), "all-minilm-l6-v2");
    assert_eq!(embedder.dimensions(), 384);
    let notes: Vec<String> = NOTES.iter().map(|s| s.to_string()).collect();
    let note_vectors = embedder.embed(&notes).await.unwrap();
    for (query, expected) in QUERIES {
        assert!(
            words(query).is_disjoint(&words(NOTES[expected])),
            "the query {query:?} must share no word with its note"
        );
        let query_vector = &embedder.embed(&[query.to_owned()]).await.unwrap()[0];
        let mut ranked: Vec<(usize, f32)> = note_vectors
            .iter()
            .enumerate()
            .map(|(i, v)| (i, dot(query_vector, v)))
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        assert_eq!(
            ranked[0].0, expected,
            "{query:?} ranked {:?} first, scores {ranked:?}",
            NOTES[ranked[0].0]
        );
    }
}

#[tokio::test]
async fn vectors_are_unit_length_deterministic_and_independent_of_their_batch() {
    let Some(embedder) = embedder().await else {
        return;
    };
    // More texts than one model run takes, of different lengths, so rows are
    // padded and the list is split.
    let texts: Vec<String> = (0..MAX_BATCH + 3)
        .map(|i| NOTES[i % NOTES.len()].repeat(1 + i % 4))
        .collect();
    let together = embedder.embed(&texts).await.unwrap();
    assert_eq!(together.len(), texts.len());
    for vector in &together {
        assert_eq!(vector.len(), embedder.dimensions());
        let norm = dot(vector, vector).sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "norm {norm}");
    }
    // The same call again gives the same bits.
    assert_eq!(embedder.embed(&texts).await.unwrap(), together);
    // Alone, without padding or neighbours, each text gets (up to float
    // rounding) the vector it got in the batch: padding is masked out.
    for (text, in_batch) in texts.iter().zip(&together).step_by(5) {
        let alone = &embedder.embed(std::slice::from_ref(text)).await.unwrap()[0];
        let cosine = dot(alone, in_batch);
        assert!(cosine > 0.9999, "{text:?}: cosine {cosine}");
    }
}

#[tokio::test]
async fn a_text_far_longer_than_the_model_reads_embeds_like_its_beginning() {
    let Some(embedder) = embedder().await else {
        return;
    };
    // About 40,000 words: the tail past the token limit must not change the
    // vector, nor the call fail or take the whole text through the model.
    let head = "Dentist appointment moved to Thursday. ".repeat(60);
    let long = format!("{head}{}", "Lisbon flight at dawn. ".repeat(10_000));
    let vectors = embedder
        .embed(&[long, format!("{head}{}", "marketing budget. ".repeat(2))])
        .await
        .unwrap();
    assert_eq!(vectors.len(), 2);
    assert!((dot(&vectors[0], &vectors[0]).sqrt() - 1.0).abs() < 1e-4);
    // Both texts are cut inside the shared head, so both vectors are equal.
    assert!(dot(&vectors[0], &vectors[1]) > 0.9999);
    assert!(embedder.embed(&[]).await.unwrap().is_empty());
}
