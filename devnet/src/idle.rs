//! A read timeout for request bodies: a client that sends its headers and then stalls
//! (or trickles nothing) gets its request failed after [`crate::server::IDLE_TIMEOUT`]
//! without data, so its connection is closed and its slot freed. (jsonrpsee times out
//! a connection's *first* request and idle keep-alive, not a body that stops arriving.)
use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use jsonrpsee::server::{HttpBody, HttpRequest};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A body that fails when no data arrives for `idle`.
struct IdleBody {
    inner: HttpBody,
    idle: Duration,
    timer: Pin<Box<tokio::time::Sleep>>,
}

impl Body for IdleBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                let next = tokio::time::Instant::now() + self.idle;
                self.timer.as_mut().reset(next);
                Poll::Ready(frame)
            }
            Poll::Pending => match self.timer.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(format!(
                    "no request data for {:?}: the connection is closed",
                    self.idle
                )
                .into()))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Wraps every request body in the idle timeout.
#[derive(Clone, Copy)]
pub struct IdleLayer(pub Duration);

/// The service [`IdleLayer`] makes.
#[derive(Clone)]
pub struct Idle<S> {
    inner: S,
    idle: Duration,
}

impl<S> tower::Layer<S> for IdleLayer {
    type Service = Idle<S>;
    fn layer(&self, inner: S) -> Idle<S> {
        Idle { inner, idle: self.0 }
    }
}

impl<S> tower::Service<HttpRequest> for Idle<S>
where
    S: tower::Service<HttpRequest>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: HttpRequest) -> S::Future {
        let idle = self.idle;
        self.inner.call(
            req.map(|inner| {
                HttpBody::new(IdleBody { inner, idle, timer: Box::pin(tokio::time::sleep(idle)) })
            }),
        )
    }
}
