//! The accept loop: plain HTTP or HTTPS, HTTP/1.1 and HTTP/2, with graceful shutdown.
//!
//! One loop serves both so TLS and plain runs behave the same. On shutdown the listener closes
//! at once and open connections finish their current request.

use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

/// How long open connections get to finish after shutdown is asked for.
const DRAIN: Duration = Duration::from_secs(5);

/// Starts serving; the task ends after `shutdown` turns `true`.
pub(crate) fn spawn(
    listener: TcpListener,
    router: Router,
    tls: Option<TlsAcceptor>,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((stream, _peer)) = accepted else { continue };
                    let router = router.clone();
                    let tls = tls.clone();
                    let shutdown = shutdown.clone();
                    connections.spawn(serve_connection(stream, router, tls, shutdown));
                }
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

async fn serve_connection(
    stream: TcpStream,
    router: Router,
    tls: Option<TlsAcceptor>,
    shutdown: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    match tls {
        Some(acceptor) => match acceptor.accept(stream).await {
            Ok(stream) => drive(TokioIo::new(stream), router, shutdown).await,
            Err(error) => tracing::debug!(%error, "TLS handshake failed"),
        },
        None => drive(TokioIo::new(stream), router, shutdown).await,
    }
}

async fn drive<I>(io: I, router: Router, mut shutdown: watch::Receiver<bool>)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let builder = auto::Builder::new(TokioExecutor::new());
    let connection = builder.serve_connection(io, TowerToHyperService::new(router));
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
