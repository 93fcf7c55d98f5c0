//! The accept loop: plain HTTP or HTTPS, HTTP/1.1 and HTTP/2, with graceful shutdown.
//!
//! One loop serves both so TLS and plain runs behave the same. On shutdown the listener closes
//! at once and open connections finish their current request.
//!
//! Transport faults live here too: every connection's socket is wrapped so a fault can kill it
//! ([`Connection::kill`]: writes fail, the socket closes with `SO_LINGER 0`, a TCP reset), and
//! the listener closes while the faults say to refuse connections (then opens again on the
//! same port). Each connection gets the TLS certificate in force when it was accepted.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use crate::faults::Listening;
use crate::tls::TlsSet;

/// How long open connections get to finish after shutdown is asked for.
const DRAIN: Duration = Duration::from_secs(5);

/// A handle on the connection a request came on (in the request's extensions).
#[derive(Debug, Clone, Default)]
pub(crate) struct Connection {
    killed: Arc<AtomicBool>,
}

impl Connection {
    /// From now on writes fail and the socket is reset when dropped.
    pub fn kill(&self) {
        self.killed.store(true, Ordering::SeqCst);
    }

    fn is_killed(&self) -> bool {
        self.killed.load(Ordering::SeqCst)
    }
}

/// A TCP stream that a fault can kill.
struct Killable {
    stream: TcpStream,
    connection: Connection,
}

fn killed_error() -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionReset,
        "connection killed by a fault",
    )
}

impl AsyncRead for Killable {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.connection.is_killed() {
            return Poll::Ready(Err(killed_error()));
        }
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Killable {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.connection.is_killed() {
            return Poll::Ready(Err(killed_error()));
        }
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.connection.is_killed() {
            return Poll::Ready(Err(killed_error()));
        }
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.connection.is_killed() {
            return Poll::Ready(Err(killed_error()));
        }
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

impl Drop for Killable {
    fn drop(&mut self) {
        if self.connection.is_killed() {
            // Close with RST instead of FIN. A zero linger never blocks (the deprecation is
            // about positive timeouts, which make close wait for unsent data).
            #[allow(deprecated)]
            let _ = self.stream.set_linger(Some(Duration::ZERO));
        }
    }
}

/// Starts serving; the task ends after `shutdown` turns `true`.
pub(crate) fn spawn(
    listener: TcpListener,
    router: Router,
    tls: Option<Arc<TlsSet>>,
    mut shutdown: watch::Receiver<bool>,
    mut listening: watch::Receiver<Listening>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let addr = listener.local_addr().ok();
        let mut listener = Some(listener);
        let mut connections = JoinSet::new();
        loop {
            let state = *listening.borrow_and_update();
            let refusing_until = match state {
                Listening::Refusing(until) if state.refuses_now() => Some(until),
                _ => None,
            };
            match (&refusing_until, &listener, addr) {
                (Some(_), Some(_), _) => listener = None,
                (None, None, Some(addr)) => match TcpListener::bind(addr).await {
                    Ok(bound) => listener = Some(bound),
                    Err(error) => {
                        tracing::warn!(%error, %addr, "cannot listen again; retrying");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                _ => {}
            }
            let deadline = refusing_until.flatten();
            tokio::select! {
                accepted = accept(listener.as_ref()) => {
                    let Ok((stream, _peer)) = accepted else { continue };
                    let router = router.clone();
                    let tls = tls.clone();
                    let shutdown = shutdown.clone();
                    let listening = listening.clone();
                    connections.spawn(serve_connection(stream, router, tls, shutdown, listening));
                }
                changed = listening.changed() => {
                    if changed.is_err() {
                        break;
                    }
                }
                _ = until(deadline) => {}
                _ = stopped(&mut shutdown) => break,
            }
            // Reap finished connections so the set does not grow forever.
            while connections.try_join_next().is_some() {}
        }
        drop(listener);
        let _ = tokio::time::timeout(DRAIN, async {
            while connections.join_next().await.is_some() {}
        })
        .await;
        connections.abort_all();
    })
}

async fn accept(listener: Option<&TcpListener>) -> io::Result<(TcpStream, std::net::SocketAddr)> {
    match listener {
        Some(listener) => listener.accept().await,
        None => std::future::pending().await,
    }
}

async fn until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline.into()).await,
        None => std::future::pending().await,
    }
}

async fn serve_connection(
    stream: TcpStream,
    router: Router,
    tls: Option<Arc<TlsSet>>,
    shutdown: watch::Receiver<bool>,
    listening: watch::Receiver<Listening>,
) {
    let _ = stream.set_nodelay(true);
    let connection = Connection::default();
    let stream = Killable {
        stream,
        connection: connection.clone(),
    };
    let service = tower::service_fn(move |mut request: Request<hyper::body::Incoming>| {
        request.extensions_mut().insert(connection.clone());
        let mut router = router.clone();
        async move { tower::Service::call(&mut router, request.map(axum::body::Body::new)).await }
    });
    match tls {
        Some(tls) => match tls.acceptor().accept(stream).await {
            Ok(stream) => drive(TokioIo::new(stream), service, shutdown, listening).await,
            Err(error) => tracing::debug!(%error, "TLS handshake failed"),
        },
        None => drive(TokioIo::new(stream), service, shutdown, listening).await,
    }
}

async fn drive<I, S>(
    io: I,
    service: S,
    mut shutdown: watch::Receiver<bool>,
    mut listening: watch::Receiver<Listening>,
) where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    S: tower::Service<
            Request<hyper::body::Incoming>,
            Response = axum::response::Response,
            Error = std::convert::Infallible,
        > + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    let builder = auto::Builder::new(TokioExecutor::new());
    let connection = builder.serve_connection(io, TowerToHyperService::new(service));
    tokio::pin!(connection);
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(error) = result {
                tracing::debug!(%error, "connection ended with an error");
            }
        }
        _ = stopped(&mut shutdown) => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
        _ = refusing(&mut listening) => {
            // Idle keep-alive connections close too, so the next request needs a new one.
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}

/// Resolves once shutdown is asked for (or the emulator handle is gone).
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    loop {
        let stop = *shutdown.borrow_and_update();
        if stop || shutdown.changed().await.is_err() {
            return;
        }
    }
}

/// Resolves once the listener is to refuse connections.
async fn refusing(listening: &mut watch::Receiver<Listening>) {
    loop {
        if listening.borrow_and_update().refuses_now() {
            return;
        }
        if listening.changed().await.is_err() {
            return std::future::pending().await;
        }
    }
}
