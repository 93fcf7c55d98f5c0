//! Proxies: an explicit proxy field, and `HTTP_PROXY`/`NO_PROXY` from the environment; a proxy
//! that wants credentials (407) is named as such. The "proxy" is a loopback listener that answers
//! 407 to everything, which also proves the request went through it.

use ado_client::Credential;
use ado_core::checks::CheckCode;
use ado_core::target::{Deployment, Field, TargetInput};
use ado_flows::{verify_connection, ConnectOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

async fn proxy_wanting_credentials() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let _ = socket
                    .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"corp\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .await;
            });
        }
    });
    url
}

#[tokio::test]
async fn an_explicit_proxy_asking_for_credentials_is_named() {
    let proxy = proxy_wanting_credentials().await;
    let target = TargetInput {
        deployment: Some(Deployment::Server),
        server_url: "http://127.0.0.1:9/tfs".into(),
        collection: "DefaultCollection".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let problem = verify_connection(
        &target,
        Credential::pat("x"),
        &ConnectOptions {
            proxy: Some(proxy),
            ..Default::default()
        },
    )
    .await
    .expect_err("the proxy refuses");
    assert_eq!(
        (problem.code, problem.field),
        (CheckCode::Unreachable, Some(Field::Proxy)),
        "{problem:?}"
    );
    assert!(problem.message.contains("407"), "{}", problem.message);
    assert!(problem.fix.contains("HTTPS_PROXY"), "{}", problem.fix);

    // Without the proxy, the same target is simply unreachable (nothing listens on port 9).
    let direct = verify_connection(&target, Credential::pat("x"), &ConnectOptions::default())
        .await
        .unwrap_err();
    assert_eq!(
        (direct.code, direct.field),
        (CheckCode::Unreachable, Some(Field::ServerUrl))
    );
}

#[test]
fn credentials_in_the_proxy_field_are_refused() {
    let err = ado_core::target::validate_proxy("http://me:secret@proxy:8080").unwrap_err();
    assert_eq!(err.field, Field::Proxy);
    assert!(!err.message.contains("secret"), "never echoed");
    assert_eq!(ado_core::target::validate_proxy("  ").unwrap(), None);
    assert!(ado_core::target::validate_proxy("socks5://proxy:1080").is_err());
}
