//! The browser sign-in's loopback listener, driven by a scripted "browser" against a mock authority.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use ado_auth::{
    AuthCodeFlow, AuthError, Authority, BrowserOptions, ClientId, PublicClient, RedirectStyle,
    Scopes,
};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha2::{Digest as _, Sha256};
use tokio::io::AsyncWriteExt as _;
use tokio::net::TcpStream;

use crate::support::{browser_redirect, http, query_param, token_reply, MockAuthority};

async fn port_is_closed(port: u16) -> bool {
    TcpStream::connect(("127.0.0.1", port)).await.is_err()
}

fn form_value(body: &str, name: &str) -> Option<String> {
    url::form_urlencoded::parse(body.as_bytes())
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
}

type Finish = tokio::task::JoinHandle<Result<ado_auth::TokenSet, AuthError>>;

/// A browser sign-in against `mock`, waiting: its state, port, and the running `finish`.
async fn started(mock: &MockAuthority) -> (String, u16, Finish) {
    let flow = AuthCodeFlow::start(&mock.public_client(), BrowserOptions::default())
        .await
        .unwrap();
    let state = query_param(flow.authorize_url(), "state").unwrap();
    let port = flow.port();
    (state, port, tokio::spawn(flow.finish()))
}

#[tokio::test]
async fn browser_sign_in_end_to_end() {
    let mock = MockAuthority::start().await;
    mock.reply(
        &MockAuthority::token_path(),
        token_reply("access-1", Some("refresh-1")),
    );
    let flow = AuthCodeFlow::start(&mock.public_client(), BrowserOptions::default())
        .await
        .unwrap();
    let url = flow.authorize_url().clone();
    let port = flow.port();
    assert_eq!(
        flow.redirect_uri(),
        format!("http://localhost:{port}"),
        "Entra's localhost style by default"
    );
    assert_eq!(
        query_param(&url, "redirect_uri").as_deref(),
        Some(flow.redirect_uri())
    );
    let finish = tokio::spawn(flow.finish());

    let state = query_param(&url, "state").unwrap();
    let (status, page) = browser_redirect(port, &format!("code=the-code&state={state}"))
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert!(page.contains("return to ADO Connect"), "{page}");

    let tokens = finish.await.unwrap().expect("the sign-in completes");
    use secrecy::ExposeSecret as _;
    assert_eq!(tokens.access_token.expose_secret(), "access-1");
    assert!(tokens.expires_at.is_some());

    let received = mock.received();
    assert_eq!(received.len(), 1, "one token request: {received:?}");
    let body = &received[0].body;
    assert_eq!(
        form_value(body, "grant_type").as_deref(),
        Some("authorization_code")
    );
    assert_eq!(form_value(body, "code").as_deref(), Some("the-code"));
    assert_eq!(
        form_value(body, "redirect_uri").as_deref(),
        Some(format!("http://localhost:{port}").as_str()),
        "the token request repeats the exact redirect URI"
    );
    let verifier = form_value(body, "code_verifier").expect("the verifier is sent");
    assert_eq!(
        URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
        query_param(&url, "code_challenge").unwrap(),
        "the verifier redeemed is the one the challenge was made from"
    );
    assert!(
        port_is_closed(port).await,
        "the listener is gone after the sign-in"
    );
}

#[tokio::test]
async fn requests_without_our_state_are_refused_and_the_wait_goes_on() {
    let mock = MockAuthority::start().await;
    mock.reply(&MockAuthority::token_path(), token_reply("a", None));
    let (state, port, finish) = started(&mock).await;

    for forged in [
        "code=forged&state=not-the-state",
        "code=forged",
        "error=access_denied",
        "error=access_denied&state=not-the-state",
    ] {
        let (status, page) = browser_redirect(port, forged).await.unwrap();
        assert_eq!(status, 400, "{forged}");
        assert!(!page.contains("Signed in"), "{forged}: {page}");
        assert!(!finish.is_finished(), "{forged} must not end the sign-in");
    }
    assert!(
        mock.received().is_empty(),
        "a forged code is never redeemed"
    );
    let (status, page) = browser_redirect(port, &format!("code=real&state={state}"))
        .await
        .unwrap();
    assert_eq!(status, 200, "{page}");
    finish
        .await
        .unwrap()
        .expect("the real redirect still completes the sign-in");
    assert_eq!(mock.received().len(), 1, "only the real code is redeemed");
    assert!(port_is_closed(port).await);
}

#[tokio::test]
async fn listens_on_ipv6_loopback_too() {
    let mock = MockAuthority::start().await;
    mock.reply(&MockAuthority::token_path(), token_reply("a", None));
    let flow = AuthCodeFlow::start(&mock.public_client(), BrowserOptions::default())
        .await
        .unwrap();
    let port = flow.port();
    let state = query_param(flow.authorize_url(), "state").unwrap();
    if std::net::TcpListener::bind(("::1", 0)).is_err() {
        eprintln!("skipped: this machine has no IPv6 loopback, so nobody can hold [::1]");
        assert!(!flow.listens_on_ipv6());
        return;
    }
    assert!(flow.listens_on_ipv6(), "localhost may resolve to ::1 first");
    assert!(
        std::net::TcpListener::bind(("::1", port)).is_err(),
        "no one else can take [::1]:{port}"
    );
    let finish = tokio::spawn(flow.finish());
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let page = client
        .get(format!("http://[::1]:{port}/?code=c&state={state}"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    finish.await.unwrap().expect("the redirect over ::1 works");
}

#[tokio::test]
async fn the_page_says_signed_in_only_after_the_exchange_worked() {
    let mock = MockAuthority::start().await;
    mock.reply(
        &MockAuthority::token_path(),
        crate::support::entra_error(400, "invalid_grant", 70008, "The code has expired."),
    );
    let (state, port, finish) = started(&mock).await;
    let (status, page) = browser_redirect(port, &format!("code=c&state={state}"))
        .await
        .unwrap();
    assert_eq!(
        mock.received().len(),
        1,
        "the browser got its page only after the token request"
    );
    assert_eq!(status, 400);
    assert!(!page.contains("Signed in"), "{page}");
    assert!(page.contains("Sign-in failed"), "{page}");
    assert!(finish.await.unwrap().is_err());
}

#[tokio::test]
async fn many_idle_connections_do_not_shut_out_the_redirect() {
    let mock = MockAuthority::start().await;
    mock.reply(&MockAuthority::token_path(), token_reply("a", None));
    let (state, port, finish) = started(&mock).await;
    let mut idle = Vec::new();
    for _ in 0..40 {
        idle.push(TcpStream::connect(("127.0.0.1", port)).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (status, _) = browser_redirect(port, &format!("code=real&state={state}"))
        .await
        .expect("the real redirect is read although 40 idle connections are open");
    assert_eq!(status, 200);
    finish.await.unwrap().expect("the sign-in completes");
    drop(idle);
}

#[tokio::test]
async fn after_one_code_the_port_is_closed() {
    let mock = MockAuthority::start().await;
    mock.reply(&MockAuthority::token_path(), token_reply("a", None));
    let (state, port, finish) = started(&mock).await;

    browser_redirect(port, &format!("code=first&state={state}"))
        .await
        .unwrap();
    // The page is written only after the listening socket was dropped, so no race here.
    assert!(port_is_closed(port).await, "a second connection must fail");
    assert!(
        browser_redirect(port, &format!("code=second&state={state}"))
            .await
            .is_err()
    );
    finish.await.unwrap().unwrap();
    assert_eq!(mock.received().len(), 1, "exactly one code redeemed");
}

/// This machine's own non-loopback IPv4 addresses (from `ip`), each proven local by binding it.
fn own_non_loopback_addresses() -> Vec<Ipv4Addr> {
    let Ok(output) = std::process::Command::new("ip")
        .args(["-4", "-o", "addr", "show", "scope", "global"])
        .output()
    else {
        return Vec::new();
    };
    String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .windows(2)
        .filter(|w| w[0] == "inet")
        .filter_map(|w| w[1].split('/').next()?.parse::<Ipv4Addr>().ok())
        .filter(|ip| !ip.is_loopback() && std::net::TcpListener::bind((*ip, 0)).is_ok())
        .collect()
}

#[tokio::test]
async fn binds_loopback_only() {
    let flow = AuthCodeFlow::start(
        &MockAuthority::start().await.public_client(),
        BrowserOptions::default(),
    )
    .await
    .unwrap();
    let port = flow.port();
    let addresses = own_non_loopback_addresses();
    if addresses.is_empty() {
        eprintln!(
            "note: no non-loopback address on this machine; only the 127.0.0.1 side is checked"
        );
    }
    for ip in addresses {
        // Control: this address accepts connections at all (traffic stays on this machine).
        let control = tokio::net::TcpListener::bind((ip, 0)).await.unwrap();
        let control_addr = control.local_addr().unwrap();
        assert!(
            TcpStream::connect(control_addr).await.is_ok(),
            "{ip} is reachable from here"
        );
        let attempt = TcpStream::connect(SocketAddr::new(IpAddr::V4(ip), port)).await;
        assert!(
            attempt.is_err(),
            "the sign-in listener must not answer on {ip}:{port}"
        );
    }
    assert!(
        TcpStream::connect(("127.0.0.1", port)).await.is_ok(),
        "it does answer on 127.0.0.1"
    );
}

#[tokio::test]
async fn times_out() {
    let mock = MockAuthority::start().await;
    let options = BrowserOptions::default().with_timeout(Duration::from_millis(300));
    let flow = AuthCodeFlow::start(&mock.public_client(), options)
        .await
        .unwrap();
    let port = flow.port();
    let started = std::time::Instant::now();
    assert!(matches!(flow.finish().await, Err(AuthError::TimedOut(_))));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(port_is_closed(port).await);
}

#[tokio::test]
async fn the_cancel_token_stops_the_wait() {
    let mock = MockAuthority::start().await;
    let flow = AuthCodeFlow::start(&mock.public_client(), BrowserOptions::default())
        .await
        .unwrap();
    let cancel = flow.cancel_token();
    let port = flow.port();
    let finish = tokio::spawn(flow.finish());
    tokio::time::sleep(Duration::from_millis(50)).await;
    cancel.cancel();
    assert!(matches!(finish.await.unwrap(), Err(AuthError::Cancelled)));
    assert!(port_is_closed(port).await);
}

#[tokio::test]
async fn dropping_the_flow_closes_the_port() {
    let mock = MockAuthority::start().await;
    let flow = AuthCodeFlow::start(&mock.public_client(), BrowserOptions::default())
        .await
        .unwrap();
    let port = flow.port();
    drop(flow);
    assert!(port_is_closed(port).await);
}

#[tokio::test]
async fn an_error_redirect_fails_with_the_servers_error() {
    let mock = MockAuthority::start().await;
    let (state, port, finish) = started(&mock).await;
    let (status, page) = browser_redirect(
        port,
        &format!("error=access_denied&error_description=AADSTS65004%3A+User+declined+%3Cb%3Econsent%3C%2Fb%3E&state={state}"),
    )
    .await
    .unwrap();
    assert_eq!(status, 400);
    assert!(
        page.contains("AADSTS65004") && !page.contains("<b>"),
        "shown, escaped: {page}"
    );
    match finish.await.unwrap() {
        Err(AuthError::Authorization { error, description }) => {
            assert_eq!(error, "access_denied");
            assert!(description.unwrap().starts_with("AADSTS65004"));
        }
        other => panic!("expected an authorization error, got {other:?}"),
    }
}

#[tokio::test]
async fn stray_requests_and_idle_connections_do_not_end_the_flow() {
    let mock = MockAuthority::start().await;
    mock.reply(&MockAuthority::token_path(), token_reply("a", None));
    let (state, port, finish) = started(&mock).await;

    // A browser's speculative pre-connection that never sends anything.
    let idle = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let favicon = client
        .get(format!("http://127.0.0.1:{port}/favicon.ico"))
        .send()
        .await
        .unwrap();
    assert_eq!(favicon.status().as_u16(), 404);
    let bare = client
        .get(format!("http://127.0.0.1:{port}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status().as_u16(), 400);
    let mut post = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    post.write_all(format!("POST /?code=x&state={state} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
        .await
        .unwrap();

    let (status, _) = browser_redirect(port, &format!("code=real&state={state}"))
        .await
        .unwrap();
    assert_eq!(status, 200);
    finish
        .await
        .unwrap()
        .expect("the real redirect still completes the sign-in");
    drop(idle);
}

#[tokio::test]
async fn loopback_redirect_style_and_issuer_check() {
    let mock = MockAuthority::start().await;
    let authority = mock.authority().with_issuer("http://issuer.test");
    let client = PublicClient::new(
        authority,
        ClientId::new("c").unwrap(),
        Scopes::new(["openid"]).unwrap(),
        http(),
    );
    let flow = AuthCodeFlow::start(
        &client,
        BrowserOptions::default().with_redirect(RedirectStyle::Loopback),
    )
    .await
    .unwrap();
    let port = flow.port();
    assert_eq!(flow.redirect_uri(), format!("http://127.0.0.1:{port}/"));
    let state = query_param(flow.authorize_url(), "state").unwrap();
    let finish = tokio::spawn(flow.finish());
    let (status, _) = browser_redirect(
        port,
        &format!("code=c&state={state}&iss=http%3A%2F%2Fother.test"),
    )
    .await
    .unwrap();
    assert_eq!(status, 400);
    assert!(
        matches!(finish.await.unwrap(), Err(AuthError::IssuerMismatch { .. })),
        "RFC 9207 mix-up defence"
    );
}

#[tokio::test]
async fn a_refused_code_surfaces_the_oauth_error() {
    let mock = MockAuthority::start().await;
    mock.reply(
        &MockAuthority::token_path(),
        crate::support::entra_error(400, "invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request."),
    );
    let (state, port, finish) = started(&mock).await;
    browser_redirect(port, &format!("code=c&state={state}"))
        .await
        .unwrap();
    let error = finish.await.unwrap().unwrap_err();
    assert_eq!(
        error.oauth_error().map(|e| e.error.as_str()),
        Some("invalid_grant")
    );
    assert_eq!(error.oauth_error().and_then(|e| e.aadsts()), Some(501481));
    assert!(
        !error.is_sign_in_again(),
        "a failed code redemption is not a refresh"
    );
}

#[test]
fn custom_authority_is_accepted_for_public_clients() {
    // The same flow works against any issuer; the interop test runs it against oidc-provider.
    assert!(Authority::custom("http://127.0.0.1:1/auth", "http://127.0.0.1:1/token", None).is_ok());
}
