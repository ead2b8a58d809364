//! Serving the router on a TCP listener with bounds a slow or idle client
//! cannot outlast: a header read timeout (hyper's), a bound on open
//! connections (over it, a fast 503 and close), a body read timeout and a
//! per-request deadline. `axum::serve` offers none of these.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use hyper::body::Frame;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::{Instant, Sleep};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// How long a slow or idle client may hold what it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EdgeLimits {
    /// From the first byte of a request (or an idle keep-alive connection)
    /// until its headers are complete.
    pub header_read_timeout: Duration,
    /// From the headers until the whole request body has arrived.
    pub body_read_timeout: Duration,
    /// From the headers until the response head is ready.
    pub request_deadline: Duration,
    /// Open connections at once; each HTTP/1 connection carries one request
    /// at a time, so this bounds requests in flight too.
    pub max_connections: usize,
}

impl Default for EdgeLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            request_deadline: Duration::from_secs(300),
            max_connections: 512,
        }
    }
}

/// Sent, then the socket closed, to a connection over the bound: it costs
/// one write, never a task that waits on the client.
const BUSY_REPLY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\n\
content-length: 37\r\nretry-after: 1\r\nconnection: close\r\n\r\n\
too many connections; try again soon\n";

/// How long writing [`BUSY_REPLY`] may take before the socket is dropped.
const BUSY_WRITE_TIMEOUT: Duration = Duration::from_secs(1);

/// Serves `router` on `listener` until `shutdown` resolves, then lets the
/// requests in flight finish (each within the request deadline).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: EdgeLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = with_deadlines(router, limits);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let stop = CancellationToken::new();
    let connections = TaskTracker::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, _peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors or a connection reset before
                    // accept: pause briefly rather than spin, keep serving.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            tokio::spawn(refuse_busy(stream));
            continue;
        };
        let service = TowerToHyperService::new(router.clone());
        let stop = stop.clone();
        connections.spawn(async move {
            let _permit = permit;
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout);
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                () = stop.cancelled() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
    }
    drop(listener);
    stop.cancel();
    connections.close();
    connections.wait().await;
    Ok(())
}

async fn refuse_busy(mut stream: TcpStream) {
    tracing::debug!("connection refused: the connection bound is reached");
    let _ = tokio::time::timeout(BUSY_WRITE_TIMEOUT, async {
        stream.write_all(BUSY_REPLY).await?;
        stream.shutdown().await
    })
    .await;
}

/// The body read timeout and the request deadline, as the outermost layer.
fn with_deadlines(router: Router, limits: EdgeLimits) -> Router {
    router.layer(middleware::from_fn(move |request: Request, next: Next| {
        enforce(limits, request, next)
    }))
}

async fn enforce(limits: EdgeLimits, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let body = Body::new(TimedBody::new(body, limits.body_read_timeout));
    let request = Request::from_parts(parts, body);
    match tokio::time::timeout(limits.request_deadline, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(
                deadline_secs = limits.request_deadline.as_secs(),
                "request ended at its deadline"
            );
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the request did not finish within the server's deadline",
            )
                .into_response()
        }
    }
}

/// The request body is read in this error when its time runs out.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within {0:?}")]
pub struct BodyTimedOut(Duration);

/// A request body that fails once `limit` has passed since the headers.
struct TimedBody {
    inner: Body,
    limit: Duration,
    deadline: Pin<Box<Sleep>>,
}

impl TimedBody {
    fn new(inner: Body, limit: Duration) -> Self {
        Self {
            inner,
            limit,
            deadline: Box::pin(tokio::time::sleep_until(Instant::now() + limit)),
        }
    }
}

impl HttpBody for TimedBody {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        if self.deadline.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(Box::new(BodyTimedOut(self.limit)))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.inner.size_hint()
    }
}
