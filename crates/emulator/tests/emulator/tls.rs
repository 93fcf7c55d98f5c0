//! HTTPS with a fresh private CA.

use ado_emulator::Config;

use crate::support::*;

#[tokio::test]
async fn a_client_trusting_only_the_generated_ca_connects() {
    let emu = start(Config {
        tls: true,
        ..Config::default()
    })
    .await;
    assert!(emu.base_url().starts_with("https://127.0.0.1:"));
    let pem = emu.ca_pem().expect("a CA with --tls");
    assert_eq!(emu.startup_info()["caPem"], pem);
    let ca = reqwest::Certificate::from_pem(pem.as_bytes()).unwrap();
    let trusting = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(ca)
        .build()
        .unwrap();
    for host in ["127.0.0.1", "localhost"] {
        let url = format!(
            "https://{host}:{}/fabrikam/_apis/projects",
            emu.local_addr().port()
        );
        let reply = trusting
            .get(url)
            .basic_auth("", Some(FULL))
            .header("X-TFS-FedAuthRedirect", "Suppress")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{host}: {e:?}"));
        assert_eq!(reply.status(), 200, "{host}");
    }
    let body: serde_json::Value = trusting
        .get(format!(
            "{}/fabrikam/_apis/git/repositories",
            emu.base_url()
        ))
        .basic_auth("", Some(FULL))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(body["value"][0]["remoteUrl"]
        .as_str()
        .unwrap()
        .starts_with("https://fabrikam@127.0.0.1:"));
}

#[tokio::test]
async fn a_client_without_the_ca_fails_the_handshake() {
    let emu = start(Config {
        tls: true,
        ..Config::default()
    })
    .await;
    let error = reqwest::Client::builder()
        .use_rustls_tls()
        .build()
        .unwrap()
        .get(format!("{}/fabrikam/_apis/projects", emu.base_url()))
        .send()
        .await
        .expect_err("an unknown CA is refused");
    assert!(error.is_connect(), "{error:?}");
}
