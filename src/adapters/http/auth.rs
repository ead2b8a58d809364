//! Resource-server authentication for `/mcp` (MCP authorization spec, RFC 6750,
//! RFC 9728): every request carries a bearer token in the Authorization header,
//! verified by the identity provider into a `Principal` that the tools read
//! from the request; failures are challenges that point at our metadata.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use secrecy::SecretString;
use serde::Deserialize;

use crate::adapters::idp::MAX_ACCESS_TOKEN_BYTES;
use crate::domain::scopes::{MissingScopes, ScopeSet};
use crate::ports::identity::{AuthError, IdentityProvider};

/// Same bound as rmcp's own request limit, so peeking never buffers more than
/// rmcp would accept anyway.
const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// Which soft scopes each tool needs, as the MCP edge's tool table says.
/// The middleware refuses a `tools/call` the caller's scopes do not cover
/// before it reaches the handler.
pub trait ToolScopeGate: Send + Sync {
    fn check(&self, tool: &str, granted: &ScopeSet) -> Result<(), MissingScopes>;
    /// Every scope some tool needs, for the protected-resource metadata.
    fn all_scopes(&self) -> Vec<&'static str>;
}

#[derive(Clone)]
pub struct AuthState {
    pub identity: Arc<dyn IdentityProvider>,
    pub scopes: Arc<dyn ToolScopeGate>,
    /// Absolute URL of our RFC 9728 metadata for the MCP endpoint.
    pub resource_metadata_url: String,
    /// The client registry: OAuth client ids allowed to call; empty = any.
    pub allowed_clients: Arc<Vec<String>>,
}

/// axum middleware: authenticate, then gate `tools/call` on soft scopes.
pub async fn require_bearer(
    State(auth): State<AuthState>,
    request: Request,
    next: Next,
) -> Response {
    if has_token_in_query(&request) {
        return challenge(
            &auth,
            StatusCode::BAD_REQUEST,
            Some((
                "invalid_request",
                "send the access token in the Authorization header, never in the URL",
            )),
            None,
        );
    }
    let token = match bearer_token(&request) {
        Ok(Some(token)) => token,
        Ok(None) => return challenge(&auth, StatusCode::UNAUTHORIZED, None, None),
        // Refused before any IdP call: a junk bearer costs nothing upstream.
        Err(BearerProblem::TooLong) => {
            return challenge(
                &auth,
                StatusCode::UNAUTHORIZED,
                Some((
                    "invalid_token",
                    "the bearer token is longer than any access token this server accepts",
                )),
                None,
            );
        }
        Err(BearerProblem::Invalid(reason)) => {
            return challenge(
                &auth,
                StatusCode::UNAUTHORIZED,
                Some(("invalid_request", reason)),
                None,
            );
        }
    };
    let principal = match auth.identity.verify_access_token(&token).await {
        Ok(principal) => principal,
        Err(AuthError::Throttled) => {
            tracing::info!("new-token budget spent; answering 429");
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, "1")],
                AuthError::Throttled.to_string(),
            )
                .into_response();
        }
        Err(error) if error.is_unavailable() => {
            tracing::warn!(%error, "token verification unavailable");
            return (StatusCode::SERVICE_UNAVAILABLE, error.to_string()).into_response();
        }
        Err(error) => {
            tracing::info!(reason = %error, "bearer token refused");
            return invalid_token(&auth, &error);
        }
    };

    if !auth.allowed_clients.is_empty()
        && !principal
            .client_id()
            .is_some_and(|client| auth.allowed_clients.iter().any(|allowed| allowed == client))
    {
        tracing::info!(
            client = principal.client_id().unwrap_or("(none)"),
            "client not in ALLOWED_MCP_CLIENTS"
        );
        return challenge(
            &auth,
            StatusCode::FORBIDDEN,
            Some((
                "invalid_client",
                "this MCP client is not registered with this server (ALLOWED_MCP_CLIENTS)",
            )),
            None,
        );
    }
    let (mut parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response(),
    };
    if let Some(Err(missing)) =
        called_tool(&bytes).map(|tool| auth.scopes.check(&tool, principal.soft_scopes()))
    {
        return insufficient_scope(&auth, &missing);
    }
    parts.extensions.insert(principal);
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn has_token_in_query(request: &Request) -> bool {
    request.uri().query().is_some_and(|query| {
        url::form_urlencoded::parse(query.as_bytes()).any(|(key, _)| key == "access_token")
    })
}

enum BearerProblem {
    Invalid(&'static str),
    TooLong,
}

/// `Ok(None)` when there is no Authorization header at all.
fn bearer_token(request: &Request) -> Result<Option<SecretString>, BearerProblem> {
    let Some(value) = request.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let invalid = BearerProblem::Invalid;
    let value = value
        .to_str()
        .map_err(|_| invalid("the Authorization header is not ASCII"))?;
    let (scheme, token) = value
        .split_once(' ')
        .ok_or(invalid("the Authorization header must be 'Bearer <token>'"))?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(invalid("only Bearer tokens are accepted"));
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(invalid("the bearer token is empty"));
    }
    if token.len() > MAX_ACCESS_TOKEN_BYTES {
        return Err(BearerProblem::TooLong);
    }
    Ok(Some(SecretString::from(token.to_string())))
}

#[derive(Deserialize)]
struct JsonRpcCall {
    method: Option<String>,
    params: Option<CallParams>,
}

#[derive(Deserialize)]
struct CallParams {
    name: Option<String>,
}

/// The tool name of a single `tools/call` request; anything else (batches,
/// other methods, bodies that are not JSON) is left to rmcp.
fn called_tool(body: &Bytes) -> Option<String> {
    let call: JsonRpcCall = serde_json::from_slice(body).ok()?;
    if call.method.as_deref() != Some("tools/call") {
        return None;
    }
    call.params?.name
}

fn invalid_token(auth: &AuthState, error: &AuthError) -> Response {
    let description = error.to_string();
    challenge(
        auth,
        StatusCode::UNAUTHORIZED,
        Some(("invalid_token", &description)),
        None,
    )
}

fn insufficient_scope(auth: &AuthState, missing: &MissingScopes) -> Response {
    let description = missing.to_string();
    challenge(
        auth,
        StatusCode::FORBIDDEN,
        Some(("insufficient_scope", &description)),
        Some(&missing.challenge_scope()),
    )
}

/// A `WWW-Authenticate: Bearer` challenge (RFC 6750 3) naming our metadata.
fn challenge(
    auth: &AuthState,
    status: StatusCode,
    error: Option<(&str, &str)>,
    scope: Option<&str>,
) -> Response {
    let mut params = vec![format!(
        "resource_metadata=\"{}\"",
        quoted(&auth.resource_metadata_url)
    )];
    if let Some((code, description)) = error {
        params.push(format!("error=\"{code}\""));
        params.push(format!("error_description=\"{}\"", quoted(description)));
    }
    if let Some(scope) = scope {
        params.push(format!("scope=\"{}\"", quoted(scope)));
    }
    let value = format!("Bearer {}", params.join(", "));
    let body = serde_json::json!({
        "error": error.map(|(code, _)| code).unwrap_or("unauthorized"),
        "error_description": error.map(|(_, d)| d).unwrap_or("this endpoint needs a bearer token"),
    });
    let mut response = (status, axum::Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(&value) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// RFC 6750 quoted-string content: no quotes or backslashes, printable ASCII.
fn quoted(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '"' | '\\' => '\'',
            c if c.is_ascii() && !c.is_ascii_control() => c,
            _ => '?',
        })
        .collect()
}
