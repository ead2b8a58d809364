//! The optional embedding service behind the index's semantic half. Off
//! unless NEXTCLOUD_MCP_EMBEDDINGS_URL is set; then the model and the
//! length of its vectors are required, so a vector is never stored under
//! the wrong name or compared with one of another length.

use clap::Args;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::ConfigError;

#[derive(Args, Debug, Default)]
pub struct EmbeddingsArgs {
    /// Base URL of an OpenAI-compatible embeddings service (Ollama, vLLM, TEI, OpenAI), e.g.
    /// http://ollama:11434; /v1/embeddings is appended. Unset: keyword search only.
    #[arg(long, env = "NEXTCLOUD_MCP_EMBEDDINGS_URL")]
    pub embeddings_url: Option<String>,
    /// The model the service should use, e.g. nomic-embed-text; stored beside each vector.
    #[arg(long, env = "NEXTCLOUD_MCP_EMBEDDINGS_MODEL")]
    pub embeddings_model: Option<String>,
    /// Bearer key for the service, when it needs one. Prefer the environment variable.
    #[arg(long, env = "NEXTCLOUD_MCP_EMBEDDINGS_KEY", hide_env_values = true)]
    pub embeddings_key: Option<String>,
    /// Length of the model's vectors, e.g. 768 for nomic-embed-text, 384 for all-MiniLM-L6-v2.
    #[arg(long, env = "NEXTCLOUD_MCP_EMBEDDINGS_DIMENSIONS")]
    pub embeddings_dimensions: Option<String>,
    /// A folder with one .onnx model and its tokenizer JSON, run inside this process
    /// instead of a service (builds with the embeddings-onnx feature only).
    #[arg(long, env = "NEXTCLOUD_MCP_EMBEDDINGS_MODEL_DIR")]
    pub embeddings_model_dir: Option<std::path::PathBuf>,
}

#[derive(Clone, Debug)]
pub struct EmbeddingsConfig {
    pub url: Url,
    pub model: String,
    pub key: Option<SecretString>,
    pub dimensions: usize,
}

impl PartialEq for EmbeddingsConfig {
    fn eq(&self, other: &Self) -> bool {
        self.url == other.url
            && self.model == other.model
            && self.dimensions == other.dimensions
            && self.key.as_ref().map(|k| k.expose_secret().to_string())
                == other.key.as_ref().map(|k| k.expose_secret().to_string())
    }
}
impl Eq for EmbeddingsConfig {}

/// The most dimensions accepted: the largest common models have 4096.
pub const MAX_DIMENSIONS: usize = 8192;

fn set(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The in-process model's folder, when one is named. A service and a model
/// at once would leave it unclear which vectors are stored, so that is
/// refused; so is a folder in a build that cannot run a model.
pub(super) fn model_dir_setting(
    args: &EmbeddingsArgs,
) -> Result<Option<std::path::PathBuf>, ConfigError> {
    let Some(dir) = args
        .embeddings_model_dir
        .clone()
        .filter(|d| !d.as_os_str().is_empty())
    else {
        return Ok(None);
    };
    if set(args.embeddings_url.clone()).is_some() {
        return Err(ConfigError::Invalid {
            setting: "NEXTCLOUD_MCP_EMBEDDINGS_MODEL_DIR",
            reason: "NEXTCLOUD_MCP_EMBEDDINGS_URL is set too; choose the service or the \
                     in-process model, not both"
                .into(),
        });
    }
    if !cfg!(feature = "embeddings-onnx") {
        return Err(ConfigError::Invalid {
            setting: "NEXTCLOUD_MCP_EMBEDDINGS_MODEL_DIR",
            reason: "this build cannot run a model in process; build with \
                     `--features embeddings-onnx` or use NEXTCLOUD_MCP_EMBEDDINGS_URL"
                .into(),
        });
    }
    Ok(Some(dir))
}

pub(super) fn embeddings_settings(
    args: EmbeddingsArgs,
) -> Result<Option<EmbeddingsConfig>, ConfigError> {
    let Some(raw_url) = set(args.embeddings_url) else {
        return Ok(None);
    };
    let url = Url::parse(&raw_url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .ok_or_else(|| ConfigError::Invalid {
            setting: "NEXTCLOUD_MCP_EMBEDDINGS_URL",
            reason: "not an http(s) URL".into(),
        })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ConfigError::Invalid {
            setting: "NEXTCLOUD_MCP_EMBEDDINGS_URL",
            reason: "credentials in the URL would show in logs; use NEXTCLOUD_MCP_EMBEDDINGS_KEY"
                .into(),
        });
    }
    let model = set(args.embeddings_model).ok_or(ConfigError::Missing {
        setting: "NEXTCLOUD_MCP_EMBEDDINGS_MODEL",
        hint: "name the embedding model the service should use, e.g. nomic-embed-text",
    })?;
    let raw_dims = set(args.embeddings_dimensions).ok_or(ConfigError::Missing {
        setting: "NEXTCLOUD_MCP_EMBEDDINGS_DIMENSIONS",
        hint: "set the length of the model's vectors, e.g. 768",
    })?;
    let dimensions = match raw_dims.parse::<usize>() {
        Ok(n) if (1..=MAX_DIMENSIONS).contains(&n) => n,
        _ => {
            return Err(ConfigError::Invalid {
                setting: "NEXTCLOUD_MCP_EMBEDDINGS_DIMENSIONS",
                reason: format!("'{raw_dims}' is not a whole number from 1 to {MAX_DIMENSIONS}"),
            });
        }
    };
    Ok(Some(EmbeddingsConfig {
        url,
        model,
        key: set(args.embeddings_key).map(SecretString::from),
        dimensions,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(url: &str, model: &str, key: &str, dims: &str) -> EmbeddingsArgs {
        EmbeddingsArgs {
            embeddings_url: Some(url.into()),
            embeddings_model: Some(model.into()),
            embeddings_key: Some(key.into()),
            embeddings_dimensions: Some(dims.into()),
            embeddings_model_dir: None,
        }
    }

    #[test]
    fn off_unless_a_url_is_set() {
        assert_eq!(
            embeddings_settings(EmbeddingsArgs::default()).unwrap(),
            None
        );
        assert_eq!(embeddings_settings(args(" ", "m", "k", "x")).unwrap(), None);
    }

    #[test]
    fn settings_are_read_and_checked() {
        let config = embeddings_settings(args("http://ollama:11434", "nomic", "", "768"))
            .unwrap()
            .unwrap();
        assert_eq!(config.url.as_str(), "http://ollama:11434/");
        assert_eq!(config.model, "nomic");
        assert!(config.key.is_none());
        assert_eq!(config.dimensions, 768);
        let keyed = embeddings_settings(args("https://api.example", "m", "sk-1", "3"))
            .unwrap()
            .unwrap();
        assert_eq!(keyed.key.unwrap().expose_secret(), "sk-1");
        for (bad, setting) in [
            (
                args("ollama:11434", "m", "", "3"),
                "NEXTCLOUD_MCP_EMBEDDINGS_URL",
            ),
            (
                args("http://u:p@host", "m", "", "3"),
                "NEXTCLOUD_MCP_EMBEDDINGS_URL",
            ),
            (
                args("http://host", " ", "", "3"),
                "NEXTCLOUD_MCP_EMBEDDINGS_MODEL",
            ),
            (
                args("http://host", "m", "", ""),
                "NEXTCLOUD_MCP_EMBEDDINGS_DIMENSIONS",
            ),
            (
                args("http://host", "m", "", "0"),
                "NEXTCLOUD_MCP_EMBEDDINGS_DIMENSIONS",
            ),
            (
                args("http://host", "m", "", "9000"),
                "NEXTCLOUD_MCP_EMBEDDINGS_DIMENSIONS",
            ),
        ] {
            let err = embeddings_settings(bad).unwrap_err().to_string();
            assert!(err.starts_with(setting), "{err}");
        }
    }

    #[test]
    fn a_model_folder_and_a_service_together_are_refused() {
        let mut both = args("http://ollama:11434", "m", "", "384");
        both.embeddings_model_dir = Some("/models/minilm".into());
        let err = model_dir_setting(&both).unwrap_err().to_string();
        assert!(err.contains("NEXTCLOUD_MCP_EMBEDDINGS_MODEL_DIR"), "{err}");
        assert!(err.contains("NEXTCLOUD_MCP_EMBEDDINGS_URL"), "{err}");
        assert_eq!(model_dir_setting(&EmbeddingsArgs::default()).unwrap(), None);
    }

    #[test]
    fn a_model_folder_needs_a_build_that_can_run_it() {
        let only_dir = EmbeddingsArgs {
            embeddings_model_dir: Some("/models/minilm".into()),
            ..EmbeddingsArgs::default()
        };
        let got = model_dir_setting(&only_dir);
        if cfg!(feature = "embeddings-onnx") {
            assert_eq!(got.unwrap(), Some("/models/minilm".into()));
        } else {
            let err = got.unwrap_err().to_string();
            assert!(err.contains("embeddings-onnx"), "{err}");
        }
    }
}
