//! The OpenAI-compatible embeddings adapter against a stand-in service: what
//! it sends (model, inputs, key) and how it reads, checks and refuses replies.

use std::time::Duration;

use nextcloud_mcp::adapters::embeddings::{EmbeddingsSettings, MAX_BATCH, OpenAiEmbedder};
use nextcloud_mcp::ports::embedder::{EmbedError, Embedder};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn embedder(server: &MockServer, key: Option<&str>, dimensions: usize) -> OpenAiEmbedder {
    OpenAiEmbedder::new(EmbeddingsSettings {
        url: format!("{}/", server.uri()).parse().unwrap(),
        model: "test-model".into(),
        key: key.map(|k| SecretString::from(k.to_string())),
        dimensions,
        timeout: Duration::from_secs(10),
    })
    .unwrap()
}

/// Answers each input of a request with the vector `[len(text), 1]`,
/// listed in reverse so the adapter must place items by their `index`.
struct ByLength;

impl Respond for ByLength {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        let inputs = body["input"].as_array().unwrap();
        let data: Vec<Value> = inputs
            .iter()
            .enumerate()
            .rev()
            .map(|(i, text)| {
                json!({
                    "object": "embedding",
                    "index": i,
                    "embedding": [text.as_str().unwrap().len() as f32, 1.0],
                })
            })
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({
            "object": "list", "model": body["model"], "data": data,
            "usage": {"prompt_tokens": 1, "total_tokens": 1}
        }))
    }
}

fn close(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-5)
}

#[tokio::test]
async fn sends_model_inputs_and_key_and_places_vectors_by_index() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/embeddings"))
        .and(header("authorization", "Bearer sk-test"))
        .respond_with(ByLength)
        .expect(1)
        .mount(&server)
        .await;
    let e = embedder(&server, Some("sk-test"), 2);
    assert_eq!(e.model(), "test-model");
    assert_eq!(e.dimensions(), 2);
    let vectors = e
        .embed(&["abc".to_string(), "abcd".to_string()])
        .await
        .unwrap();
    // [3, 1] and [4, 1], each scaled to length 1.
    let n1 = (10f32).sqrt();
    let n2 = (17f32).sqrt();
    assert!(close(&vectors[0], &[3.0 / n1, 1.0 / n1]), "{vectors:?}");
    assert!(close(&vectors[1], &[4.0 / n2, 1.0 / n2]), "{vectors:?}");
    let sent: Value =
        serde_json::from_slice(&server.received_requests().await.unwrap()[0].body).unwrap();
    assert_eq!(
        sent,
        json!({"model": "test-model", "input": ["abc", "abcd"]})
    );
    // A key in its Debug output would reach logs.
    assert!(!format!("{e:?}").contains("sk-test"));
}

#[tokio::test]
async fn large_inputs_go_in_bounded_batches_in_order() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/embeddings"))
        .respond_with(ByLength)
        .mount(&server)
        .await;
    let texts: Vec<String> = (0..MAX_BATCH * 2 + 3).map(|i| "x".repeat(i + 1)).collect();
    let vectors = embedder(&server, None, 2).embed(&texts).await.unwrap();
    assert_eq!(vectors.len(), texts.len());
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 3);
    for r in &requests {
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        assert!(body["input"].as_array().unwrap().len() <= MAX_BATCH);
        assert!(
            r.headers.get("authorization").is_none(),
            "no key, no header"
        );
    }
    // Text i has length i+1: the ratio of the components gives i back,
    // so every vector is where its text was, across batches.
    for (i, v) in vectors.iter().enumerate() {
        assert!((v[0] / v[1] - (i + 1) as f32).abs() < 1e-3, "{i}: {v:?}");
    }
}

#[tokio::test]
async fn busy_refused_and_unreadable_replies_are_told_apart() {
    let server = MockServer::start().await;
    let e = embedder(&server, None, 2);
    let one = ["a".to_string()];
    for (status, busy) in [
        (429, true),
        (503, true),
        (500, true),
        (401, false),
        (404, false),
    ] {
        server.reset().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(status))
            .mount(&server)
            .await;
        match e.embed(&one).await {
            Err(EmbedError::Busy { status: s }) if busy => assert_eq!(s, status),
            Err(EmbedError::Refused { status: s }) if !busy => assert_eq!(s, status),
            other => panic!("{status}: {other:?}"),
        }
    }
    for (reply, why) in [
        (
            json!({"data": [{"index": 0, "embedding": [1.0, 2.0, 3.0]}]}),
            "dimensions",
        ),
        (json!({"data": []}), "0 vectors for 1 texts"),
        (
            json!({"data": [{"index": 5, "embedding": [1.0, 2.0]}]}),
            "out of range",
        ),
        (
            json!({"data": [{"index": 0, "embedding": [0.0, 0.0]}]}),
            "zeros",
        ),
        (json!({"vectors": []}), "not an embeddings reply"),
    ] {
        server.reset().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_json(reply))
            .mount(&server)
            .await;
        match e.embed(&one).await {
            Err(EmbedError::BadAnswer(message)) => assert!(message.contains(why), "{message}"),
            other => panic!("{why}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn an_oversized_reply_is_cut_off() {
    let server = MockServer::start().await;
    // Far more than one text of two dimensions can need.
    let huge = json!({"data": [{"index": 0, "embedding": vec![0.5f32; 200_000]}]});
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(huge))
        .mount(&server)
        .await;
    match embedder(&server, None, 2).embed(&["a".to_string()]).await {
        Err(EmbedError::BadAnswer(message)) => assert!(message.contains("larger"), "{message}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_unreachable_service_is_named_without_secrets() {
    // A port that was free a moment ago: nothing listens there.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let uri = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let e = OpenAiEmbedder::new(EmbeddingsSettings {
        url: uri.parse().unwrap(),
        model: "m".into(),
        key: Some(SecretString::from("sk-hidden".to_string())),
        dimensions: 2,
        timeout: Duration::from_secs(5),
    })
    .unwrap();
    let err = e.embed(&["a".to_string()]).await.unwrap_err();
    assert!(matches!(err, EmbedError::Unreachable { .. }), "{err:?}");
    let shown = err.to_string();
    assert!(
        shown.contains("/v1/embeddings") && !shown.contains("sk-hidden"),
        "{shown}"
    );
}
