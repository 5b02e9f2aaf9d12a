//! The accept loop and the life of a connection: what `axum::serve` does, with the limits it
//! does not have (see the table in the [module documentation](super)).
//!
//! * At most [`ServerOptions::max_connections`] connections are open: the loop accepts only
//!   when one is free, so further clients wait in the kernel's listen queue (no file descriptor
//!   is used for them) and are accepted in turn.
//! * A connection must deliver a complete request head within
//!   [`ServerOptions::header_timeout`] of being accepted or of its previous answer (hyper's
//!   header-read timeout, which also bounds idle keep-alive connections), and an answer being
//!   written must make progress every [`ServerOptions::write_timeout`] ([`WriteDeadline`]);
//!   otherwise the connection is closed.
//! * Request heads are limited to [`MAX_HEAD_BYTES`] (hyper answers 431 beyond).
//! * On shutdown the listener is closed at once; a connection with a request in progress (from
//!   its head to the last byte of its answer handed to the socket) gets up to
//!   [`ServerOptions::shutdown_grace`] to finish and is then closed, any other connection (idle,
//!   stalled in its head) within [`LINGER`].

use std::future::Future;
use std::io;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::response::Response;
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use hyper::service::Service as _;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::time::{Instant, Sleep};

use super::{Logger, ServerOptions};

/// Largest request head (request line and headers), in bytes (hyper answers 431 beyond); also
/// the size of hyper's buffers (reading may take it to about twice that), which caps what hyper
/// queues of an answer before writing it.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// How long a connection without a request in progress may stay open once shutdown begins (time
/// for hyper to hand the end of an answer to the socket).
pub const LINGER: Duration = Duration::from_millis(500);

/// Accepts connections on `listener` and serves `app` on each until `shutdown` completes, then
/// closes the listener and waits for the connections as described in the module doc.
pub(super) async fn run(
    listener: TcpListener,
    app: Router,
    opts: &ServerOptions,
    shutdown: impl Future<Output = ()>,
) {
    let max = opts.max_connections.clamp(1, Semaphore::MAX_PERMITS.min(u32::MAX as usize));
    let slots = Arc::new(Semaphore::new(max));
    let (stop_tx, stop_rx) = watch::channel(false);
    let limits = Limits::from(opts);
    let mut shutdown = pin!(shutdown);
    loop {
        let slot = tokio::select! {
            biased;
            () = &mut shutdown => break,
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
        };
        let stream = tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    accept_failed(&e, &opts.log).await;
                    continue;
                }
            },
        };
        tokio::spawn(connection(stream, app.clone(), limits.clone(), stop_rx.clone(), slot));
    }
    drop(listener);
    let _ = stop_tx.send(true);
    // Every connection holds a slot until it ends: all slots back means all connections done.
    let wait = limits.shutdown_grace + LINGER + Duration::from_secs(1);
    let _ = tokio::time::timeout(wait, slots.acquire_many(max as u32)).await;
}

/// After a failed accept: errors of one connection (reset before it was accepted) are ignored;
/// others (out of file descriptors) are logged and retried after a pause, not in a busy loop.
async fn accept_failed(e: &io::Error, log: &Logger) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(e.kind(), ConnectionAborted | ConnectionRefused | ConnectionReset) {
        return;
    }
    log(&format!("accepting a connection failed (retrying in 1 s): {e}"));
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// The per-connection settings.
#[derive(Clone)]
struct Limits {
    header_timeout: Duration,
    write_timeout: Duration,
    shutdown_grace: Duration,
}

impl From<&ServerOptions> for Limits {
    fn from(o: &ServerOptions) -> Limits {
        Limits {
            header_timeout: o.header_timeout,
            write_timeout: o.write_timeout,
            shutdown_grace: o.shutdown_grace,
        }
    }
}

/// Serves one connection until it ends, or until shutdown plus the grace (busy) or the linger
/// (not busy).
async fn connection(
    stream: TcpStream,
    app: Router,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
    _slot: OwnedSemaphorePermit,
) {
    let _ = stream.set_nodelay(true);
    let busy = Arc::new(AtomicUsize::new(0));
    let io = TokioIo::new(WriteDeadline::new(stream, limits.write_timeout));
    let service = {
        let busy = busy.clone();
        let app = TowerToHyperService::new(app);
        hyper::service::service_fn(move |req: Request<Incoming>| {
            let guard = BusyGuard::enter(&busy);
            let answer = app.call(req);
            async move {
                let response: Response = answer.await?;
                Ok::<_, std::convert::Infallible>(
                    response.map(|body| Body::new(BusyBody { body, _guard: guard })),
                )
            }
        })
    };
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true)
        .max_header_size(MAX_HEAD_BYTES)
        .max_buf_size(MAX_HEAD_BYTES);
    let mut conn = pin!(builder.serve_connection(io, service));
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = stop.wait_for(|stopping| *stopping) => {}
    }
    // No further request on this connection; the one in progress, if any, may finish.
    conn.as_mut().graceful_shutdown();
    let started = Instant::now();
    loop {
        let elapsed = started.elapsed();
        let idle = busy.load(Ordering::SeqCst) == 0;
        if elapsed >= limits.shutdown_grace || (idle && elapsed >= LINGER) {
            return; // dropping the connection closes it
        }
        tokio::select! {
            _ = conn.as_mut() => return,
            () = tokio::time::sleep(Duration::from_millis(50)) => {}
        }
    }
}

/// Counts a request in progress on a connection, from its head until its answer's body is
/// dropped (fully handed to hyper, or abandoned).
struct BusyGuard(Arc<AtomicUsize>);

impl BusyGuard {
    fn enter(busy: &Arc<AtomicUsize>) -> BusyGuard {
        busy.fetch_add(1, Ordering::SeqCst);
        BusyGuard(busy.clone())
    }
}

impl Drop for BusyGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// An answer's body that keeps its connection marked busy until it is dropped.
struct BusyBody {
    body: Body,
    _guard: BusyGuard,
}

impl HttpBody for BusyBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// A stream whose writes fail with [`io::ErrorKind::TimedOut`] once they have made no progress
/// for `limit` (a client that does not read its answer): the connection is then closed.
pub(super) struct WriteDeadline<S> {
    inner: S,
    limit: Duration,
    /// Armed while a write is pending.
    deadline: Option<Pin<Box<Sleep>>>,
}

impl<S> WriteDeadline<S> {
    pub(super) fn new(inner: S, limit: Duration) -> Self {
        WriteDeadline { inner, limit, deadline: None }
    }

    /// After a write returned `poll`: disarms the deadline on progress, arms it (or fails when
    /// it passed) when pending.
    fn check<T>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if poll.is_ready() {
            self.deadline = None;
            return poll;
        }
        let limit = self.limit;
        let deadline = self.deadline.get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        ready!(deadline.as_mut().poll(cx));
        Poll::Ready(Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("the client read nothing of the answer for {} s", limit.as_secs_f64()),
        )))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for WriteDeadline<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WriteDeadline<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.check(cx, poll)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.check(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.inner).poll_flush(cx);
        self.check(cx, poll)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.inner).poll_shutdown(cx);
        self.check(cx, poll)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    async fn write(w: &mut WriteDeadline<TcpStream>, buf: &[u8]) -> io::Result<usize> {
        std::future::poll_fn(|cx| Pin::new(&mut *w).poll_write(cx, buf)).await
    }

    #[tokio::test]
    async fn a_write_without_progress_times_out_and_a_slow_steady_reader_is_served() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let chunk = vec![7u8; 64 * 1024];

        // A client that never reads: once the socket buffers are full, the write fails after
        // the limit.
        let stream = TcpStream::connect(addr).await.unwrap();
        let (_silent, _) = listener.accept().unwrap();
        let mut w = WriteDeadline::new(stream, Duration::from_millis(300));
        let started = std::time::Instant::now();
        let err = loop {
            if let Err(e) = write(&mut w, &chunk).await {
                break e;
            }
        };
        assert_eq!(err.kind(), io::ErrorKind::TimedOut, "{err}");
        assert!(started.elapsed() >= Duration::from_millis(300));

        // A client that reads slowly but keeps reading gets everything, however long it takes
        // in all.
        let stream = TcpStream::connect(addr).await.unwrap();
        let (mut slow, _) = listener.accept().unwrap();
        let total = 8 * 1024 * 1024;
        let reader = std::thread::spawn(move || {
            let mut buf = vec![0u8; 64 * 1024];
            let mut n = 0;
            while n < total {
                std::thread::sleep(Duration::from_millis(5));
                match slow.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(k) => n += k,
                }
            }
            n
        });
        let mut w = WriteDeadline::new(stream, Duration::from_secs(5));
        let mut sent = 0;
        while sent < total {
            let end = (total - sent).min(chunk.len());
            sent += write(&mut w, &chunk[..end]).await.unwrap();
        }
        drop(w);
        assert_eq!(reader.join().unwrap(), total);
    }
}
