//! The client never follows a redirect, so `Authorization` never reaches another host: a 302 from
//! the server is reported (as a sign-in signal or a status), and the other host sees nothing.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use ado_client::{AdoClient, ClientConfig, Credential, Error, SignInSignal};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Answers every request with `302 Location: {location}`.
async fn redirecting_server(location: String) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let location = location.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let reply = format!("HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                let _ = socket.write_all(reply.as_bytes()).await;
            });
        }
    });
    addr
}

/// Another host (127.0.0.2, still loopback) that counts what reaches it.
async fn other_host() -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.2:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
                .await;
        }
    });
    (addr, hits)
}

#[tokio::test]
async fn a_redirect_to_another_host_is_not_followed() {
    let (other, hits) = other_host().await;
    for location in [
        format!("http://{other}/_signin?realm=x"),
        format!("http://{other}/elsewhere"),
    ] {
        let server = redirecting_server(location.clone()).await;
        let base = url::Url::parse(&format!("http://{server}/fabrikam/")).unwrap();
        let client =
            AdoClient::new(ClientConfig::new(base, Credential::pat("secret-pat"))).unwrap();
        let err = client
            .connection_data()
            .await
            .expect_err("a redirect is never success");
        match &err {
            Error::NotAuthenticated {
                signal: SignInSignal::Redirect,
                ..
            } => assert!(location.contains("_signin")),
            Error::Status { status: 302, .. } => assert!(location.contains("elsewhere")),
            other => panic!("unexpected {other:?}"),
        }
        assert!(
            !format!("{err} {err:?}").contains("secret-pat"),
            "errors never hold the token"
        );
    }
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "nothing, and so no Authorization header, reached the other host"
    );
}
