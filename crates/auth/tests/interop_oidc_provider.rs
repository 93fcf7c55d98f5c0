//! Interop against a real, independent OAuth 2.0 server: panva's certified `oidc-provider` (npm),
//! started from `tests/oauth-interop/server.mjs` on 127.0.0.1.
//!
//! Install it once with `npm ci --prefix tests/oauth-interop`. Without `node_modules` (or `node`)
//! these tests print a note and pass, unless `ADO_CONNECT_INTEROP=required`, which makes that a
//! failure (CI sets it).
//!
//! The tests play the browser and the user themselves: a small cookie-keeping HTTP loop follows
//! the authorize URL, submits oidc-provider's development login form (any username) and consent
//! form, and ends on ado-auth's loopback listener; for the device flow it types the user code on
//! `/device` first. Only 127.0.0.1 is contacted.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use ado_auth::{
    new_state, AuthCodeFlow, AuthError, Authority, AuthorizationCode, BrowserOptions, ClientId,
    DeviceCodeFlow, HttpClient, PkceCodeChallenge, PublicClient, RedirectStyle, Scopes,
    ServicePrincipal,
};
use secrecy::{ExposeSecret as _, SecretString};
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, BufReader};
use tokio::process::{Child, Command};
use url::Url;

const ADO_DEFAULT: &str = "499b84ac-1321-427f-aa17-267ca6975798/.default";

/// A running `server.mjs`; killed on drop (and it exits by itself when its stdin closes).
struct OidcProvider {
    issuer: String,
    public_client_id: String,
    confidential_client_id: String,
    secret: String,
    _child: Child,
}

fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/oauth-interop")
}

/// Starts the server, or returns `None` (with a note) when it is not installed and not required.
async fn oidc_provider() -> Option<OidcProvider> {
    let dir = interop_dir();
    let required = std::env::var("ADO_CONNECT_INTEROP").is_ok_and(|v| v == "required");
    let node_ok = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !dir.join("node_modules/oidc-provider").is_dir() || !node_ok {
        let why = if node_ok {
            "tests/oauth-interop/node_modules is missing (run `npm ci --prefix tests/oauth-interop`)"
        } else {
            "`node` is not installed"
        };
        assert!(!required, "ADO_CONNECT_INTEROP=required but {why}");
        eprintln!("note: skipping the oidc-provider interop test: {why}");
        return None;
    }
    let secret = format!("sp-secret-{}", random_hex());
    let mut child = Command::new("node")
        .arg(dir.join("server.mjs"))
        .arg("0")
        .env("OIDC_INTEROP_CLIENT_SECRET", &secret)
        .env("OIDC_INTEROP_EXIT_ON_EOF", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(
            if std::env::var_os("ADO_CONNECT_INTEROP_VERBOSE").is_some() {
                Stdio::inherit()
            } else {
                Stdio::piped()
            },
        )
        .kill_on_drop(true)
        .spawn()
        .expect("node starts");
    let stderr = Arc::new(Mutex::new(String::new()));
    if let Some(mut pipe) = child.stderr.take() {
        let collected = stderr.clone();
        tokio::spawn(async move {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text).await;
            collected.lock().unwrap().push_str(&text);
        });
    }
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .unwrap_or_else(|_| {
            panic!(
                "server.mjs printed nothing in 30 s: {}",
                stderr.lock().unwrap()
            )
        })
        .unwrap()
        .unwrap_or_else(|| panic!("server.mjs exited: {}", stderr.lock().unwrap()));
    // Keep draining stdout: a closed pipe would make the server's next write fail.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let ready: serde_json::Value = serde_json::from_str(&line).expect("one JSON line");
    let text = |key: &str| ready[key].as_str().unwrap().to_owned();
    Some(OidcProvider {
        issuer: text("issuer"),
        public_client_id: text("public_client_id"),
        confidential_client_id: text("confidential_client_id"),
        secret,
        _child: child,
    })
}

/// A random string for test secrets.
fn random_hex() -> String {
    use rand::RngCore as _;
    let mut bytes = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn http() -> HttpClient {
    HttpClient::from_builder(reqwest::Client::builder().no_proxy()).unwrap()
}

impl OidcProvider {
    async fn authority(&self) -> Authority {
        Authority::discover(&http(), &self.issuer)
            .await
            .expect("oidc-provider's discovery document is usable")
    }

    async fn public_client(&self) -> PublicClient {
        PublicClient::new(
            self.authority().await,
            ClientId::new(&self.public_client_id).unwrap(),
            Scopes::new(["openid", "offline_access", ADO_DEFAULT]).unwrap(),
            http(),
        )
    }
}

/// Plays a browser: follows redirects, keeps cookies, submits the first form of each page with the
/// given `fields` filled in (`login`, `password`, `user_code`). Stops at a page without a form
/// (returns it) or, when `stop_at` is given, at a redirect to it (returns that URL). With
/// `abort_device`, it presses "[ Abort ]" on the device confirmation page instead of "Continue".
struct Browser {
    http: reqwest::Client,
    cookies: HashMap<String, String>,
    abort_device: bool,
}

enum Step {
    Get(Url),
    Post(Url, Vec<(String, String)>),
}

enum End {
    Page(String),
    RedirectedTo(Url),
}

impl Browser {
    fn new() -> Self {
        Self {
            http: reqwest::Client::builder()
                .no_proxy()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: HashMap::new(),
            abort_device: false,
        }
    }

    async fn run(&mut self, start: Url, fields: &[(&str, &str)], stop_at: Option<&str>) -> End {
        let mut step = Step::Get(start);
        let mut aborted = false;
        for _ in 0..20 {
            let (url, request) = match &step {
                Step::Get(url) => (url.clone(), self.http.get(url.clone())),
                Step::Post(url, form) => (url.clone(), self.http.post(url.clone()).form(form)),
            };
            let cookie = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            let response = request
                .header("cookie", cookie)
                .send()
                .await
                .expect("browser request");
            for value in response.headers().get_all("set-cookie") {
                let pair = value.to_str().unwrap().split(';').next().unwrap();
                let (name, val) = pair.split_once('=').unwrap();
                if val.is_empty() {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), val.to_owned());
                }
            }
            let status = response.status().as_u16();
            if (300..400).contains(&status) {
                let location = response.headers()["location"].to_str().unwrap();
                let next = url.join(location).unwrap();
                if stop_at.is_some_and(|prefix| next.as_str().starts_with(prefix)) {
                    return End::RedirectedTo(next);
                }
                step = Step::Get(next);
                continue;
            }
            let page = response.text().await.unwrap();
            assert!(status == 200, "browser got HTTP {status} at {url}: {page}");
            match first_form(&page) {
                _ if aborted => return End::Page(page),
                None => return End::Page(page),
                Some((action, mut form)) => {
                    for (name, value) in form.iter_mut() {
                        if let Some((_, v)) = fields.iter().find(|(n, _)| n == name) {
                            *value = (*v).to_owned();
                        }
                    }
                    if self.abort_device && form.iter().any(|(n, _)| n == "confirm") {
                        form.push(("abort".to_owned(), "yes".to_owned()));
                        aborted = true;
                    }
                    step = Step::Post(url.join(&action).unwrap(), form);
                }
            }
        }
        panic!("the browser went round in circles");
    }
}

/// The first `<form>`'s action and its `<input>` names and values (oidc-provider's simple pages).
fn first_form(page: &str) -> Option<(String, Vec<(String, String)>)> {
    let start = page.find("<form")?;
    let end = page[start..]
        .find("</form>")
        .map_or(page.len(), |e| start + e);
    let form = &page[start..end];
    let tag_end = form.find('>')?;
    let action = attribute(&form[..tag_end], "action").unwrap_or_default();
    let mut inputs = Vec::new();
    let mut rest = form;
    while let Some(at) = rest.find("<input") {
        rest = &rest[at..];
        let close = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..close];
        if let Some(name) = attribute(tag, "name") {
            inputs.push((name, attribute(tag, "value").unwrap_or_default()));
        }
        rest = &rest[close..];
    }
    Some((action, inputs))
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let needle = format!("{name}=\"");
    let mut search = tag;
    loop {
        let at = search.find(&needle)?;
        let before = search[..at].chars().last();
        let value_start = at + needle.len();
        if before.is_some_and(char::is_whitespace) {
            let value_end = search[value_start..].find('"')? + value_start;
            return Some(search[value_start..value_end].replace("&amp;", "&"));
        }
        search = &search[value_start..];
    }
}

const LOGIN: &[(&str, &str)] = &[("login", "alice@example.test"), ("password", "any")];

#[tokio::test]
async fn authorization_code_with_pkce_then_refresh_with_rotation() {
    let Some(server) = oidc_provider().await else {
        return;
    };
    let client = server.public_client().await;
    assert_eq!(
        client.authority.issuer(),
        Some(server.issuer.as_str()),
        "discovery keeps the issuer for the RFC 9207 check"
    );

    // oidc-provider grants offline_access only with prompt=consent (OpenID Connect Core §11).
    let options = BrowserOptions::default()
        .with_redirect(RedirectStyle::Loopback)
        .with_prompt("consent");
    let flow = AuthCodeFlow::start(&client, options).await.unwrap();
    let start = flow.authorize_url().clone();
    let finish = tokio::spawn(flow.finish());
    let End::Page(page) = Browser::new().run(start, LOGIN, None).await else {
        unreachable!()
    };
    assert!(
        page.contains("return to ADO Connect"),
        "the browser ends on our page: {page}"
    );
    let tokens = finish
        .await
        .unwrap()
        .expect("oidc-provider accepts our code + PKCE redemption");

    assert!(!tokens.access_token.expose_secret().is_empty());
    assert_eq!(tokens.token_type, "Bearer");
    assert!(
        tokens.scope.as_deref().unwrap().contains(ADO_DEFAULT),
        "{:?}",
        tokens.scope
    );
    let first_refresh = tokens
        .refresh_token
        .clone()
        .expect("offline_access gives a refresh token");
    let expires_in = tokens
        .expires_at
        .unwrap()
        .duration_since(SystemTime::now())
        .unwrap();
    assert!(expires_in > Duration::from_secs(3500) && expires_in <= Duration::from_secs(3600));
    let debug = format!("{tokens:?}");
    assert!(
        !debug.contains(tokens.access_token.expose_secret())
            && !debug.contains(first_refresh.expose_secret())
    );

    let refreshed = client.refresh(&tokens).await.expect("refresh works");
    assert_ne!(
        refreshed.access_token.expose_secret(),
        tokens.access_token.expose_secret()
    );
    let rotated = refreshed.refresh_token.clone().unwrap();
    assert_ne!(
        rotated.expose_secret(),
        first_refresh.expose_secret(),
        "oidc-provider rotates; we keep the new one"
    );

    let replay = client.refresh(&tokens).await.unwrap_err();
    assert!(
        replay.is_sign_in_again(),
        "a rotated-away refresh token means sign in again: {replay}"
    );
    assert!(!format!("{replay} {replay:?}").contains(first_refresh.expose_secret()));
}

#[tokio::test]
async fn localhost_redirect_style_is_accepted_on_any_port() {
    let Some(server) = oidc_provider().await else {
        return;
    };
    let client = server.public_client().await;
    let flow = AuthCodeFlow::start(&client, BrowserOptions::default())
        .await
        .unwrap();
    assert!(flow.redirect_uri().starts_with("http://localhost:"));
    let start = flow.authorize_url().clone();
    let finish = tokio::spawn(flow.finish());
    let End::Page(page) = Browser::new().run(start, LOGIN, None).await else {
        unreachable!()
    };
    assert!(page.contains("return to ADO Connect"), "{page}");
    let tokens = finish.await.unwrap().unwrap();
    assert!(
        tokens.refresh_token.is_none(),
        "without prompt=consent oidc-provider drops offline_access"
    );
}

/// Gets a code for `challenge` without a listener (the browser stops at the redirect).
async fn code_for(
    server: &OidcProvider,
    client: &PublicClient,
    challenge: &PkceCodeChallenge,
) -> (AuthorizationCode, String) {
    let redirect_uri = RedirectStyle::Loopback.redirect_uri(9); // nothing listens; the browser stops before
    let url = ado_auth::authorize_url(
        &client.authority,
        &client.client_id,
        &client.scopes,
        &redirect_uri,
        &new_state(),
        challenge,
        &BrowserOptions::default(),
    )
    .unwrap();
    let End::RedirectedTo(back) = Browser::new().run(url, LOGIN, Some(&redirect_uri)).await else {
        panic!(
            "expected a redirect to {redirect_uri} from {}",
            server.issuer
        )
    };
    let code = back
        .query_pairs()
        .find(|(n, _)| n == "code")
        .unwrap()
        .1
        .into_owned();
    (AuthorizationCode::new(code), redirect_uri)
}

#[tokio::test]
async fn a_wrong_or_missing_verifier_is_refused() {
    let Some(server) = oidc_provider().await else {
        return;
    };
    let client = server.public_client().await;

    let (challenge, _right) = PkceCodeChallenge::new_random_sha256();
    let (code, redirect_uri) = code_for(&server, &client, &challenge).await;
    let (_, wrong) = PkceCodeChallenge::new_random_sha256();
    let error = client
        .exchange_code(code, &redirect_uri, wrong)
        .await
        .unwrap_err();
    assert_eq!(
        error.oauth_error().map(|e| e.error.as_str()),
        Some("invalid_grant"),
        "{error}"
    );
    assert!(matches!(error, AuthError::OAuth { .. }));

    // Control, outside ado-auth's API (which cannot leave the verifier out): the server enforces PKCE.
    let (challenge, _verifier) = PkceCodeChallenge::new_random_sha256();
    let (code, redirect_uri) = code_for(&server, &client, &challenge).await;
    let body = [
        ("grant_type", "authorization_code"),
        ("code", code.secret().as_str()),
        ("redirect_uri", redirect_uri.as_str()),
        ("client_id", client.client_id.as_str()),
    ];
    let response = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(client.authority.token_endpoint().clone())
        .form(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status().as_u16(),
        400,
        "a redemption without code_verifier is refused"
    );
}

#[tokio::test]
async fn device_code_flow() {
    let Some(server) = oidc_provider().await else {
        return;
    };
    let client = server.public_client().await;
    let flow = DeviceCodeFlow::start(&client).await.unwrap();
    let shown = flow.authorization();
    assert_eq!(
        shown.verification_uri.as_str(),
        format!("{}/device", server.issuer)
    );
    assert_eq!(
        shown.interval,
        Duration::from_secs(5),
        "oidc-provider sends no interval: RFC 8628 default"
    );
    let user_code = shown.user_code.clone();
    let verification_uri = shown.verification_uri.clone();

    let polling = tokio::spawn(flow.finish());
    let fields = [LOGIN[0], LOGIN[1], ("user_code", user_code.as_str())];
    let End::Page(page) = Browser::new().run(verification_uri, &fields, None).await else {
        unreachable!()
    };
    assert!(
        page.contains("Sign-in Success"),
        "the user finished on oidc-provider's page: {page}"
    );

    let tokens = tokio::time::timeout(Duration::from_secs(30), polling)
        .await
        .expect("polling ends within a few intervals")
        .unwrap()
        .expect("device code tokens");
    assert!(!tokens.access_token.expose_secret().is_empty());
    assert!(tokens.refresh_token.is_some(), "offline_access was granted");
}

#[tokio::test]
async fn device_code_abort_is_access_denied() {
    let Some(server) = oidc_provider().await else {
        return;
    };
    let client = server.public_client().await;
    let flow = DeviceCodeFlow::start(&client).await.unwrap();
    let user_code = flow.authorization().user_code.clone();
    let verification_uri = flow.authorization().verification_uri.clone();
    let polling = tokio::spawn(flow.finish());
    let mut browser = Browser::new();
    browser.abort_device = true;
    let End::Page(page) = browser
        .run(verification_uri, &[("user_code", user_code.as_str())], None)
        .await
    else {
        unreachable!()
    };
    assert!(
        page.contains("interrupted"),
        "oidc-provider confirms the abort: {page}"
    );
    let result = tokio::time::timeout(Duration::from_secs(30), polling)
        .await
        .unwrap()
        .unwrap();
    assert!(
        matches!(result, Err(AuthError::AccessDenied { .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn client_credentials() {
    let Some(server) = oidc_provider().await else {
        return;
    };
    let authority = server.authority().await;
    let sp = ServicePrincipal::new(
        authority.clone(),
        ClientId::new(&server.confidential_client_id).unwrap(),
        SecretString::from(server.secret.clone()),
        http(),
    );
    let tokens = sp.acquire_token().await.expect("client credentials");
    assert!(!tokens.access_token.expose_secret().is_empty());
    assert!(
        tokens.refresh_token.is_none(),
        "client credentials get no refresh token"
    );
    assert_eq!(tokens.scope.as_deref(), Some(ADO_DEFAULT));

    let wrong_secret = format!("{}-wrong", server.secret);
    let wrong = ServicePrincipal::new(
        authority,
        ClientId::new(&server.confidential_client_id).unwrap(),
        SecretString::from(wrong_secret.clone()),
        http(),
    );
    let error = wrong.acquire_token().await.unwrap_err();
    assert_eq!(
        error.oauth_error().map(|e| e.error.as_str()),
        Some("invalid_client"),
        "{error}"
    );
    let text = format!("{error} {error:?} {wrong:?}");
    assert!(
        !text.contains(&wrong_secret) && !text.contains(&server.secret),
        "{text}"
    );
}
