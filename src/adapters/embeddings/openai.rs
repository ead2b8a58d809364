//! An OpenAI-compatible `/v1/embeddings` endpoint (what Ollama, vLLM, TEI and
//! OpenAI serve): `{"model", "input": [...]}` in, `data[].embedding` out,
//! placed by each item's `index`. Nothing this process does not control is
//! trusted: the reply is read with a cap, and every vector is checked for
//! count, length and finite values before it is normalised.

use std::time::Duration;

use async_trait::async_trait;
use reqwest::{Client, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

use crate::adapters::body::{BodyError, read_capped};
use crate::ports::embedder::{EmbedError, Embedder};

const USER_AGENT: &str = concat!("nextcloud-mcp/", env!("CARGO_PKG_VERSION"));

/// Texts sent in one request: larger batches are split. Servers limit a
/// request (OpenAI: 2048 inputs, TEI: 32 by default); 32 suits them all.
pub const MAX_BATCH: usize = 32;

/// Bytes of JSON a single float may take in a reply (`-0.12345678901234567,`
/// and some spacing), used to cap the reply by what was asked for.
const BYTES_PER_FLOAT: u64 = 32;
/// Room for the envelope (usage, model name, object fields).
const ENVELOPE_BYTES: u64 = 64 * 1024;

/// Where and how to reach the service.
#[derive(Clone)]
pub struct EmbeddingsSettings {
    /// The service's base URL; `/v1/embeddings` is appended (or only
    /// `/embeddings` when the URL already ends in `/v1`).
    pub url: Url,
    pub model: String,
    /// Sent as a bearer token when set.
    pub key: Option<SecretString>,
    pub dimensions: usize,
    pub timeout: Duration,
}

impl std::fmt::Debug for EmbeddingsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddingsSettings")
            .field("url", &self.url.as_str())
            .field("model", &self.model)
            .field("has_key", &self.key.is_some())
            .field("dimensions", &self.dimensions)
            .finish()
    }
}

pub struct OpenAiEmbedder {
    client: Client,
    endpoint: Url,
    model: String,
    key: Option<SecretString>,
    dimensions: usize,
}

impl std::fmt::Debug for OpenAiEmbedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiEmbedder")
            .field("endpoint", &self.endpoint.as_str())
            .field("model", &self.model)
            .field("dimensions", &self.dimensions)
            .finish()
    }
}

#[derive(Deserialize)]
struct Reply {
    data: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    index: usize,
    embedding: Vec<f32>,
}

/// `{base}/v1/embeddings`, keeping a path prefix the base may have.
pub fn endpoint_of(base: &Url) -> Url {
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    let path = url.path().trim_end_matches('/').to_string();
    let full = if path.ends_with("/v1") {
        format!("{path}/embeddings")
    } else {
        format!("{path}/v1/embeddings")
    };
    url.set_path(&full);
    url
}

impl OpenAiEmbedder {
    pub fn new(settings: EmbeddingsSettings) -> Result<Self, EmbedError> {
        crate::adapters::tls::install_crypto_provider();
        let client = Client::builder()
            .user_agent(USER_AGENT)
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
            // A redirect would carry the key to another place.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| EmbedError::Model(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            client,
            endpoint: endpoint_of(&settings.url),
            model: settings.model,
            key: settings.key,
            dimensions: settings.dimensions,
        })
    }

    /// The endpoint as shown in errors and logs: no user info, no query.
    fn shown(&self) -> String {
        let mut url = self.endpoint.clone();
        let _ = url.set_username("");
        let _ = url.set_password(None);
        url.to_string()
    }

    async fn embed_batch(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let mut request = self
            .client
            .post(self.endpoint.clone())
            .json(&serde_json::json!({ "model": self.model, "input": texts }));
        if let Some(key) = &self.key {
            request = request.bearer_auth(key.expose_secret());
        }
        let response = request.send().await.map_err(|_| EmbedError::Unreachable {
            endpoint: self.shown(),
        })?;
        let status = response.status();
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            return Err(EmbedError::Busy {
                status: status.as_u16(),
            });
        }
        if !status.is_success() {
            return Err(EmbedError::Refused {
                status: status.as_u16(),
            });
        }
        let cap =
            ENVELOPE_BYTES + (texts.len() as u64) * (self.dimensions as u64) * BYTES_PER_FLOAT;
        let body = read_capped(response, cap).await.map_err(|e| match e {
            BodyError::TooLarge => {
                EmbedError::BadAnswer(format!("the reply is larger than {cap} bytes"))
            }
            BodyError::Interrupted => EmbedError::Unreachable {
                endpoint: self.shown(),
            },
        })?;
        let reply: Reply = serde_json::from_slice(&body)
            .map_err(|e| EmbedError::BadAnswer(format!("not an embeddings reply: {e}")))?;
        self.place(reply, texts.len())
    }

    /// The reply's vectors in input order, each checked and normalised.
    fn place(&self, reply: Reply, expected: usize) -> Result<Vec<Vec<f32>>, EmbedError> {
        if reply.data.len() != expected {
            return Err(EmbedError::BadAnswer(format!(
                "{} vectors for {expected} texts",
                reply.data.len()
            )));
        }
        let mut placed: Vec<Option<Vec<f32>>> = vec![None; expected];
        for item in reply.data {
            let slot = placed.get_mut(item.index).ok_or_else(|| {
                EmbedError::BadAnswer(format!("index {} out of range", item.index))
            })?;
            if slot.is_some() {
                return Err(EmbedError::BadAnswer(format!("index {} twice", item.index)));
            }
            if item.embedding.len() != self.dimensions {
                return Err(EmbedError::BadAnswer(format!(
                    "a vector of {} dimensions, not {}; check NEXTCLOUD_MCP_EMBEDDINGS_DIMENSIONS",
                    item.embedding.len(),
                    self.dimensions
                )));
            }
            *slot = Some(normalised(item.embedding)?);
        }
        Ok(placed.into_iter().flatten().collect())
    }
}

/// `v` scaled to length 1, so a dot product is the cosine similarity.
fn normalised(mut v: Vec<f32>) -> Result<Vec<f32>, EmbedError> {
    if v.iter().any(|x| !x.is_finite()) {
        return Err(EmbedError::BadAnswer(
            "a vector with a non-finite value".into(),
        ));
    }
    let norm = v
        .iter()
        .map(|x| f64::from(*x) * f64::from(*x))
        .sum::<f64>()
        .sqrt();
    if norm == 0.0 {
        return Err(EmbedError::BadAnswer("a vector of zeros".into()));
    }
    for x in &mut v {
        *x = (f64::from(*x) / norm) as f32;
    }
    Ok(v)
}

#[async_trait]
impl Embedder for OpenAiEmbedder {
    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let mut out = Vec::with_capacity(texts.len());
        for batch in texts.chunks(MAX_BATCH) {
            out.extend(self.embed_batch(batch).await?);
        }
        Ok(out)
    }

    fn dimensions(&self) -> usize {
        self.dimensions
    }

    fn model(&self) -> &str {
        &self.model
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_keeps_a_prefix_and_adds_v1_once() {
        for (base, want) in [
            ("http://ollama:11434", "http://ollama:11434/v1/embeddings"),
            ("http://ollama:11434/", "http://ollama:11434/v1/embeddings"),
            (
                "https://gw.example/ai/",
                "https://gw.example/ai/v1/embeddings",
            ),
            (
                "https://api.example/v1",
                "https://api.example/v1/embeddings",
            ),
            (
                "https://api.example/v1/?x=1",
                "https://api.example/v1/embeddings",
            ),
        ] {
            assert_eq!(endpoint_of(&Url::parse(base).unwrap()).as_str(), want);
        }
    }

    #[test]
    fn vectors_come_out_unit_length_and_bad_ones_are_refused() {
        let v = normalised(vec![3.0, 4.0]).unwrap();
        assert!((v[0] - 0.6).abs() < 1e-6 && (v[1] - 0.8).abs() < 1e-6);
        assert!(normalised(vec![0.0, 0.0]).is_err());
        assert!(normalised(vec![f32::NAN, 1.0]).is_err());
    }
}
