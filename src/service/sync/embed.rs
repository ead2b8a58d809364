//! The semantic half of a pass: documents of one owner and app that have no
//! vector of the configured model yet (new, changed, or made by a model
//! used before) are embedded in bounded batches and stored. Vectors of
//! deleted documents go with them in the index, so nothing here deletes.

use crate::domain::index::DocApp;
use crate::ports::embedder::{EmbedError, Embedder};
use crate::ports::store::StoreError;
use crate::ports::vectors::VectorIndex;

/// Documents per call to the embedder (the adapter may split further).
pub const EMBED_BATCH: u32 = 32;
/// Batches per app and pass: a large first sync (or a model change) is
/// spread over passes so one user does not hold the lease for long.
pub const MAX_BATCHES_PER_PASS: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum EmbedPassError {
    #[error(transparent)]
    Embed(#[from] EmbedError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Embeds what `owner`'s `app` lacks; returns how many vectors were stored.
pub async fn embed_app(
    vectors: &dyn VectorIndex,
    embedder: &dyn Embedder,
    owner: &str,
    app: DocApp,
) -> Result<u64, EmbedPassError> {
    let mut stored = 0;
    for _ in 0..MAX_BATCHES_PER_PASS {
        let waiting = vectors
            .unembedded(owner, app, embedder.model(), EMBED_BATCH)
            .await?;
        if waiting.is_empty() {
            break;
        }
        let texts: Vec<String> = waiting.iter().map(|w| w.text.clone()).collect();
        let made = embedder.embed(&texts).await?;
        if made.len() != waiting.len() {
            return Err(EmbedError::BadAnswer(format!(
                "{} vectors for {} texts",
                made.len(),
                waiting.len()
            ))
            .into());
        }
        let pairs: Vec<(String, Vec<f32>)> =
            waiting.into_iter().map(|w| w.doc_id).zip(made).collect();
        let put = vectors
            .put_vectors(owner, app, embedder.model(), &pairs)
            .await?;
        stored += put;
        if put == 0 {
            // Every document of the batch went away meanwhile; the next
            // pass sees the index as it is then.
            break;
        }
    }
    Ok(stored)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::index::vectors::EmbedInput;
    use crate::ports::embedder::MockEmbedder;
    use crate::ports::vectors::MockVectorIndex;

    fn input(id: &str) -> EmbedInput {
        EmbedInput::new(id.into(), id, "body")
    }

    #[test]
    fn batches_are_bounded_and_busy_stops_the_pass() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            // Always more waiting: the pass stops after its batch budget.
            let mut index = MockVectorIndex::new();
            index
                .expect_unembedded()
                .times(MAX_BATCHES_PER_PASS)
                .returning(|_, _, _, limit| {
                    assert_eq!(limit, EMBED_BATCH);
                    Ok(vec![input("a"), input("b")])
                });
            index
                .expect_put_vectors()
                .times(MAX_BATCHES_PER_PASS)
                .returning(|owner, app, model, pairs| {
                    assert_eq!((owner, app, model), ("alice", DocApp::Notes, "m"));
                    assert_eq!(pairs[1].0, "b");
                    Ok(pairs.len() as u64)
                });
            let mut embedder = MockEmbedder::new();
            embedder.expect_model().return_const("m".to_string());
            embedder
                .expect_embed()
                .returning(|texts| Ok(texts.iter().map(|_| vec![1.0]).collect()));
            let stored = embed_app(&index, &embedder, "alice", DocApp::Notes)
                .await
                .unwrap();
            assert_eq!(stored, 2 * MAX_BATCHES_PER_PASS as u64);

            let mut index = MockVectorIndex::new();
            index
                .expect_unembedded()
                .times(1)
                .returning(|_, _, _, _| Ok(vec![input("a")]));
            index.expect_put_vectors().never();
            let mut embedder = MockEmbedder::new();
            embedder.expect_model().return_const("m".to_string());
            embedder
                .expect_embed()
                .returning(|_| Err(EmbedError::Busy { status: 429 }));
            let err = embed_app(&index, &embedder, "alice", DocApp::Notes)
                .await
                .unwrap_err();
            assert!(matches!(
                err,
                EmbedPassError::Embed(EmbedError::Busy { status: 429 })
            ));
        });
    }
}
