//! An embedding model run inside the server: a sentence-transformers model
//! exported to ONNX (all-MiniLM-L6-v2 and its kin), run by tract, a pure-Rust
//! ONNX runtime, with the model's own Hugging Face tokenizer file. No
//! embedding service and no network: the folder named by
//! NEXTCLOUD_MCP_EMBEDDINGS_MODEL_DIR holds everything.
//!
//! Inference is CPU work of tens of milliseconds per batch, so it runs on
//! tokio's blocking pool, a bounded number of batches at a time, and never on
//! a thread that serves requests.

mod pooling;
mod tokens;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use thiserror::Error;
use tokenizers::Tokenizer;
use tokio::sync::Semaphore;
use tract_onnx::prelude::*;

use crate::ports::embedder::{EmbedError, Embedder};

pub use tokens::{MAX_BATCH, MAX_TEXT_BYTES, MAX_TOKENS};

type Plan = TypedSimplePlan<TypedModel>;

/// Why the model folder could not be loaded; each names the folder or file
/// so an operator can fix the setting.
#[derive(Debug, Error)]
pub enum OnnxLoadError {
    #[error("cannot read the embedding model folder {dir}: {reason}")]
    Folder { dir: PathBuf, reason: String },
    #[error("the embedding model folder {dir} must hold exactly one {what}, found {found}")]
    Files {
        dir: PathBuf,
        what: &'static str,
        found: usize,
    },
    #[error("cannot load the embedding model {file}: {reason}")]
    Model { file: PathBuf, reason: String },
    #[error("cannot load the tokenizer {file}: {reason}")]
    Tokenizer { file: PathBuf, reason: String },
}

struct Loaded {
    plan: Plan,
    tokenizer: Tokenizer,
    /// The model's input names in the order `plan` takes them.
    inputs: Vec<String>,
}

pub struct OnnxEmbedder {
    loaded: Arc<Loaded>,
    /// Batches running at once: each holds a blocking-pool thread and a
    /// core, so at most half the cores go to embedding.
    running: Arc<Semaphore>,
    name: String,
    dimensions: usize,
}

impl std::fmt::Debug for OnnxEmbedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnnxEmbedder")
            .field("model", &self.name)
            .field("dimensions", &self.dimensions)
            .finish_non_exhaustive()
    }
}

impl OnnxEmbedder {
    /// Loads and optimises the model in `dir` (one `.onnx` file and one file
    /// named `tokenizer.json` or ending in `-tokenizer.json`) on the blocking
    /// pool, and embeds one probe text to learn the vector length and prove
    /// the model runs before the server relies on it.
    pub async fn open(dir: PathBuf) -> Result<Self, OnnxLoadError> {
        let shown = dir.clone();
        tokio::task::spawn_blocking(move || Self::load(&dir))
            .await
            .map_err(|e| OnnxLoadError::Folder {
                dir: shown,
                reason: format!("the loading task failed: {e}"),
            })?
    }

    /// As `open`, on the calling thread (it blocks for about a second).
    pub fn load(dir: &Path) -> Result<Self, OnnxLoadError> {
        let (model_file, tokenizer_file) = find_files(dir)?;
        let model_error = |reason: String| OnnxLoadError::Model {
            file: model_file.clone(),
            reason,
        };
        let mut tokenizer =
            Tokenizer::from_file(&tokenizer_file).map_err(|e| OnnxLoadError::Tokenizer {
                file: tokenizer_file.clone(),
                reason: e.to_string(),
            })?;
        tokens::configure(&mut tokenizer).map_err(|reason| OnnxLoadError::Tokenizer {
            file: tokenizer_file.clone(),
            reason,
        })?;
        // The exported model declares batch and sequence as named dimensions;
        // tract keeps them symbolic, so one optimised plan serves every shape.
        let plan = tract_onnx::onnx()
            .model_for_path(&model_file)
            .and_then(|model| model.into_optimized())
            .and_then(|model| model.into_runnable())
            .map_err(|e| model_error(format!("{e:#}")))?;
        let model = plan.model();
        let inputs = model
            .input_outlets()
            .map_err(|e| model_error(format!("{e:#}")))?
            .iter()
            .map(|outlet| model.node(outlet.node).name.clone())
            .collect::<Vec<_>>();
        if let Some(unknown) = inputs.iter().find(|name| input_of(name).is_none()) {
            return Err(model_error(format!(
                "unexpected input {unknown:?}; a BERT-style model takes input_ids, attention_mask and token_type_ids"
            )));
        }
        let name = model_file
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default();
        let loaded = Loaded {
            plan,
            tokenizer,
            inputs,
        };
        let probe = run(&loaded, &["probe".to_owned()]).map_err(model_error)?;
        let dimensions = probe.first().map(Vec::len).unwrap_or(0);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Ok(Self {
            loaded: Arc::new(loaded),
            running: Arc::new(Semaphore::new((cores / 2).max(1))),
            name,
            dimensions,
        })
    }
}

/// Which batch field feeds a model input of this name.
fn input_of(name: &str) -> Option<fn(&tokens::Batch) -> &Vec<i64>> {
    match name {
        "input_ids" => Some(|b| &b.input_ids),
        "attention_mask" => Some(|b| &b.attention_mask),
        "token_type_ids" => Some(|b| &b.token_type_ids),
        _ => None,
    }
}

fn find_files(dir: &Path) -> Result<(PathBuf, PathBuf), OnnxLoadError> {
    let entries = std::fs::read_dir(dir).map_err(|e| OnnxLoadError::Folder {
        dir: dir.to_owned(),
        reason: e.to_string(),
    })?;
    let mut models = Vec::new();
    let mut tokenizers = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let file = entry.file_name().to_string_lossy().into_owned();
        if file.ends_with(".onnx") {
            models.push(path);
        } else if file == "tokenizer.json" || file.ends_with("-tokenizer.json") {
            tokenizers.push(path);
        }
    }
    let one = |mut found: Vec<PathBuf>, what| match found.len() {
        1 => Ok(found.remove(0)),
        n => Err(OnnxLoadError::Files {
            dir: dir.to_owned(),
            what,
            found: n,
        }),
    };
    Ok((
        one(models, ".onnx model")?,
        one(tokenizers, "tokenizer .json")?,
    ))
}

/// Embeds `texts` in runs of at most `MAX_BATCH`, on the calling thread.
fn run(loaded: &Loaded, texts: &[String]) -> Result<Vec<Vec<f32>>, String> {
    let mut vectors = Vec::with_capacity(texts.len());
    for chunk in texts.chunks(MAX_BATCH) {
        let batch = tokens::encode(&loaded.tokenizer, chunk)?;
        let mut inputs = TVec::new();
        for name in &loaded.inputs {
            let field = input_of(name).ok_or_else(|| format!("unexpected input {name:?}"))?;
            let tensor = Tensor::from_shape(&[batch.rows, batch.len], field(&batch))
                .map_err(|e| format!("{e:#}"))?;
            inputs.push(tensor.into());
        }
        let outputs = loaded.plan.run(inputs).map_err(|e| format!("{e:#}"))?;
        let hidden = outputs
            .first()
            .ok_or_else(|| "the model returned no output".to_owned())?;
        let shape = hidden.shape();
        if shape.len() != 3 || shape[0] != batch.rows || shape[1] != batch.len {
            return Err(format!(
                "the model's first output has shape {shape:?}; expected [{}, {}, dimensions]",
                batch.rows, batch.len
            ));
        }
        let dim = shape[2];
        let values = hidden.as_slice::<f32>().map_err(|e| format!("{e:#}"))?;
        vectors.extend(pooling::mean_normalised(
            values,
            &batch.attention_mask,
            batch.rows,
            batch.len,
            dim,
        ));
    }
    Ok(vectors)
}

#[async_trait]
impl Embedder for OnnxEmbedder {
    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let permit = Arc::clone(&self.running)
            .acquire_owned()
            .await
            .map_err(|_| EmbedError::Model("the embedder is shutting down".to_owned()))?;
        let loaded = Arc::clone(&self.loaded);
        let texts = texts.to_vec();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            run(&loaded, &texts)
        })
        .await
        .map_err(|e| EmbedError::Model(format!("the embedding task failed: {e}")))?
        .map_err(EmbedError::Model)
    }

    fn dimensions(&self) -> usize {
        self.dimensions
    }

    fn model(&self) -> &str {
        &self.name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for file in files {
            std::fs::write(dir.path().join(file), b"").unwrap();
        }
        dir
    }

    #[test]
    fn the_folder_names_one_model_and_one_tokenizer() {
        let dir = folder(&["m.onnx", "m-tokenizer.json", "README", "config.json"]);
        let (model, tokenizer) = find_files(dir.path()).unwrap();
        assert_eq!(model, dir.path().join("m.onnx"));
        assert_eq!(tokenizer, dir.path().join("m-tokenizer.json"));
        let dir = folder(&["model.onnx", "tokenizer.json"]);
        let (_, tokenizer) = find_files(dir.path()).unwrap();
        assert_eq!(tokenizer, dir.path().join("tokenizer.json"));
    }

    #[test]
    fn a_missing_or_ambiguous_file_is_refused_naming_what_and_where() {
        let dir = folder(&["a.onnx", "b.onnx", "tokenizer.json"]);
        let err = find_files(dir.path()).unwrap_err().to_string();
        assert!(err.contains("exactly one .onnx model, found 2"), "{err}");
        assert!(err.contains(&dir.path().display().to_string()), "{err}");
        let dir = folder(&["a.onnx"]);
        let err = find_files(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("exactly one tokenizer .json, found 0"),
            "{err}"
        );
        let err = find_files(&dir.path().join("absent")).unwrap_err();
        assert!(matches!(err, OnnxLoadError::Folder { .. }), "{err}");
    }

    #[test]
    fn a_file_that_is_no_model_fails_to_load_with_its_name() {
        let dir = folder(&["broken.onnx"]);
        std::fs::copy(
            concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"),
            dir.path().join("tokenizer.json"),
        )
        .unwrap();
        let err = OnnxEmbedder::load(dir.path()).unwrap_err();
        assert!(matches!(err, OnnxLoadError::Tokenizer { .. }), "{err}");
        assert!(err.to_string().contains("tokenizer.json"), "{err}");
    }
}
