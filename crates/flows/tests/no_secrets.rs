//! After a full sign-in, a refresh and a sign-out, neither the log (at trace level, every crate,
//! the HTTP stack included) nor the config directory holds any token or secret.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use ado_auth::SignInSettings;
use ado_emulator::{Config, Emulator, EntraConfig, Scenario};
use ado_flows::signin::{self, services_target};
use ado_flows::{Backend, Connections, SecretStore};
use secrecy::ExposeSecret;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn read_dir_text(dir: &std::path::Path) -> String {
    let mut all = String::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            all.push_str(&read_dir_text(&path));
        } else {
            all.push_str(&String::from_utf8_lossy(
                &std::fs::read(&path).unwrap_or_default(),
            ));
        }
    }
    all
}

#[tokio::test]
async fn sign_in_refresh_and_sign_out_leave_no_secret_in_logs_or_config() {
    let Ok(store) = SecretStore::probe(Backend::SecretService)
        .or_else(|_| SecretStore::probe(Backend::KernelKeyring))
    else {
        eprintln!("skipping: no secret store");
        return;
    };
    let log = Captured::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let emulator = Emulator::spawn(Config {
        scenario: Scenario::demo(),
        entra: EntraConfig {
            token_lifetime_secs: 60,
            ..Default::default()
        },
        ..Default::default()
    })
    .await
    .unwrap();
    let base = emulator.base_url().to_string();
    let settings =
        SignInSettings::from_lookup(|n| (n == "ADO_CONNECT_AUTHORITY").then(|| base.clone()))
            .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let connections = Connections::new(dir.path(), store);
    let target = services_target("fabrikam", &format!("{base}/")).unwrap();

    let (tx, rx) = tokio::sync::oneshot::channel::<url::Url>();
    let browser = tokio::spawn(async move {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let answer = http.get(rx.await.unwrap()).send().await.unwrap();
        let location = answer.headers()["location"].to_str().unwrap().to_string();
        http.get(location).send().await.unwrap();
    });
    let connected = signin::sign_in_with_browser(
        &connections,
        &target,
        &settings,
        &ado_flows::ConnectOptions::default(),
        |u| tx.send(u.clone()).unwrap(),
        |_| {},
        1,
    )
    .await
    .expect("signed in");
    browser.await.unwrap();
    let first = connections
        .secret_of(&connected.profile)
        .unwrap()
        .unwrap()
        .expose_secret()
        .to_string();
    // The token expires within the refresh skew: this refreshes.
    signin::credential_for(
        &connections,
        &connected.profile,
        &settings,
        SystemTime::now(),
    )
    .await
    .expect("refreshed");
    let second = connections
        .secret_of(&connected.profile)
        .unwrap()
        .unwrap()
        .expose_secret()
        .to_string();
    assert_ne!(first, second, "the refresh stored new tokens");
    connections
        .remove(&connected.profile.id)
        .expect("signed out");
    assert!(
        connections.secret_of(&connected.profile).unwrap().is_none(),
        "sign-out removed the tokens"
    );

    let secrets: Vec<String> = [first, second]
        .iter()
        .flat_map(|stored| {
            let v: serde_json::Value = serde_json::from_str(stored).unwrap();
            [
                v["accessToken"].as_str().map(str::to_string),
                v["refreshToken"].as_str().map(str::to_string),
            ]
        })
        .flatten()
        .collect();
    assert!(
        secrets.len() >= 3,
        "access and refresh tokens to look for: {}",
        secrets.len()
    );
    let log_text = String::from_utf8_lossy(&log.0.lock().unwrap()).to_string();
    assert!(
        log_text.len() > 1000,
        "the trace log captured the flow ({} bytes)",
        log_text.len()
    );
    let config_text = read_dir_text(dir.path());
    for secret in &secrets {
        assert!(
            !log_text.contains(secret.as_str()),
            "a token reached the trace log"
        );
        assert!(
            !config_text.contains(secret.as_str()),
            "a token reached the config directory"
        );
    }
    emulator.shutdown().await;
}
