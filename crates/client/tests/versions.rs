//! api-version negotiation against the emulator's Server releases: a fresh client learns an
//! older server's latest from its out-of-range error and retries once; a client that read the
//! resource locations sends the right version from the first request; what `url_for` shows
//! (the curl reproductions) is what was sent; Services keep what was asked; a Team Foundation
//! Server 2018 is not negotiated with.

use ado_client::{AdoClient, ApiVersion, ClientConfig, Credential, Error, ServedVersions};
use ado_emulator::scenario::DEMO_FULL_ACCESS_PAT;
use ado_emulator::{Config, Emulator};

async fn emulator() -> Emulator {
    Emulator::spawn(Config::default()).await.unwrap()
}

fn client(emu: &Emulator, host: &str) -> AdoClient {
    let base = url::Url::parse(&format!("{}/{host}/", emu.base_url())).unwrap();
    AdoClient::new(ClientConfig::new(
        base,
        Credential::pat(DEMO_FULL_ACCESS_PAT),
    ))
    .unwrap()
}

/// `(path, api-version)` of every request the emulator saw since the last call.
fn sent(emu: &Emulator) -> Vec<(String, Option<String>)> {
    let log = emu
        .requests()
        .into_iter()
        .map(|r| (r.path, r.api_version))
        .collect();
    emu.clear_requests();
    log
}

fn v(raw: &str) -> ApiVersion {
    raw.parse().unwrap()
}

#[tokio::test]
async fn a_fresh_client_learns_from_the_out_of_range_error_and_retries_once() {
    let emu = emulator().await;
    for (host, latest) in [
        ("LegacyCollection", "5.0"),
        ("azdo/DefaultCollection", "6.0"),
    ] {
        let client = client(&emu, host);
        emu.clear_requests();
        let projects = client
            .all_projects()
            .await
            .expect("served at the server's version");
        assert!(!projects.is_empty());
        let path = format!("/{host}/_apis/projects");
        assert_eq!(
            sent(&emu),
            [
                (path.clone(), Some("7.0".to_string())),
                (path.clone(), Some(latest.to_string()))
            ],
            "{host}: one refusal, one retry"
        );
        client.repositories(None).await.unwrap();
        assert_eq!(
            sent(&emu)[0].1.as_deref(),
            Some(latest),
            "{host}: later requests go at the learned version at once"
        );
        assert_eq!(client.served_versions().unwrap().latest, v(latest));
    }
}

#[tokio::test]
async fn resource_locations_set_the_version_before_the_first_request() {
    let emu = emulator().await;
    let client = client(&emu, "azdo/DefaultCollection");
    let served = client.discover_versions().await.unwrap();
    assert_eq!(served.latest, v("6.0"));
    assert!(served.knows_routes());
    let request = client.repositories_request(Some("Mis Configured"));
    assert_eq!(
        client.url_for(&request).unwrap().query(),
        Some("api-version=6.0"),
        "the reproduction shows the version sent"
    );
    emu.clear_requests();
    client.repositories(Some("Mis Configured")).await.unwrap();
    client.subscriptions().await.unwrap();
    let log = sent(&emu);
    assert!(
        log.iter()
            .all(|(_, version)| version.as_deref() == Some("6.0")),
        "{log:?}"
    );
}

#[tokio::test]
async fn a_saved_latest_caps_requests_without_any_lookup() {
    let emu = emulator().await;
    let base = url::Url::parse(&format!("{}/LegacyCollection/", emu.base_url())).unwrap();
    let mut config = ClientConfig::new(base, Credential::pat(DEMO_FULL_ACCESS_PAT));
    config.served_versions = Some(ServedVersions::latest(v("5.0")));
    let client = AdoClient::new(config).unwrap();
    emu.clear_requests();
    client.projects_page(1, None).await.unwrap();
    assert_eq!(
        sent(&emu),
        [(
            "/LegacyCollection/_apis/projects".to_string(),
            Some("5.0".to_string())
        )]
    );
}

#[tokio::test]
async fn services_and_server_2022_keep_what_was_asked() {
    let emu = emulator().await;
    for host in ["fabrikam", "tfs/DefaultCollection"] {
        let client = client(&emu, host);
        client.discover_versions().await.unwrap();
        emu.clear_requests();
        client.projects_page(1, None).await.unwrap();
        assert_eq!(sent(&emu)[0].1.as_deref(), Some("7.0"), "{host}");
        let preview = ado_client::Request::get("_apis/projects").api_version("7.1-preview.1");
        let shown = client.url_for(&preview).unwrap();
        // Server 2022's route is released at 7.0, its latest: a newer preview goes as 7.0.
        let expected = if host == "fabrikam" {
            "api-version=7.1-preview.1"
        } else {
            "api-version=7.0"
        };
        assert_eq!(shown.query(), Some(expected), "{host}");
    }
}

#[tokio::test]
async fn team_foundation_server_2018_gets_its_own_refusal() {
    let emu = emulator().await;
    let client = client(&emu, "tfs2018/DefaultCollection");
    let served = client.discover_versions().await.unwrap();
    assert_eq!(served.latest, v("4.1"));
    assert!(!served.is_supported());
    let error = client.projects_page(1, None).await.unwrap_err();
    match &error {
        Error::Status {
            status: 400,
            vss: Some(vss),
            ..
        } => {
            assert_eq!(vss.type_key, "VssVersionOutOfRangeException");
            assert!(vss.message.ends_with("supports is 4.1."), "{}", vss.message);
        }
        other => panic!("expected the out-of-range error, got {other:?}"),
    }
}

#[tokio::test]
async fn server_api_version_reads_the_locations_once() {
    let emu = emulator().await;
    let client = client(&emu, "LegacyCollection");
    emu.clear_requests();
    assert_eq!(client.server_api_version().await.unwrap(), v("5.0"));
    assert_eq!(client.server_api_version().await.unwrap(), v("5.0"));
    assert_eq!(sent(&emu).len(), 1, "one OPTIONS, then what it learned");
}

#[tokio::test]
async fn reading_the_locations_replaces_a_saved_latest_after_an_upgrade() {
    let emu = emulator().await;
    // Saved when the server was 2019; it now serves 7.0 (Server 2022).
    let base = url::Url::parse(&format!("{}/tfs/DefaultCollection/", emu.base_url())).unwrap();
    let mut config = ClientConfig::new(base, Credential::pat(DEMO_FULL_ACCESS_PAT));
    config.served_versions = Some(ServedVersions::latest(v("5.0")));
    let client = AdoClient::new(config).unwrap();
    assert_eq!(client.discover_versions().await.unwrap().latest, v("7.0"));
    emu.clear_requests();
    client.projects_page(1, None).await.unwrap();
    assert_eq!(sent(&emu)[0].1.as_deref(), Some("7.0"));
}
