//! One way to open a saved connection: `open_connection` takes the options saved with the
//! profile (so the plain-http consent given at connect time holds for checks and hooks, and its
//! absence stops the token before anything is sent), and the secret from the keyring.
//! Needs a keyring: run in `scripts/desktop-session.sh` (skips, saying so, elsewhere).

use ado_core::target::{ConnectionTarget, Deployment, TargetInput};
use ado_flows::profiles::AuthMethod;
use ado_flows::{open_connection, ConnectOptions, Connections, SecretStore, User, Verified};
use secrecy::{ExposeSecret as _, SecretString};

fn remote_http_target() -> ConnectionTarget {
    TargetInput {
        deployment: Some(Deployment::Server),
        // `.invalid` never resolves: nothing here can leave the machine.
        server_url: "http://tfs.invalid:8080/tfs".into(),
        collection: format!("Open{}", std::process::id()),
        ..Default::default()
    }
    .validate()
    .unwrap()
}

fn verified(target: &ConnectionTarget) -> Verified {
    Verified {
        target: target.clone(),
        api_url: target.api_base().to_string(),
        deployment: Deployment::Server,
        server_api_version: None,
        server_release: None,
        user: User {
            id: "u".into(),
            display_name: "Demo Admin".into(),
            account: None,
        },
        projects: Vec::new(),
        repository_count: 0,
        warnings: Vec::new(),
    }
}

#[tokio::test]
async fn the_saved_plain_http_consent_decides_whether_the_client_may_send_the_token() {
    let Ok(store) = SecretStore::detect() else {
        eprintln!("skipping: no keyring");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let connections = Connections::new(dir.path(), store);
    let target = remote_http_target();
    let settings = ado_auth::SignInSettings::default();
    for allow_http in [false, true] {
        let options = ConnectOptions {
            proxy: Some("http://proxy.invalid:3128".into()),
            allow_http,
            ..Default::default()
        };
        let profile = connections
            .save_connection(
                &verified(&target),
                &SecretString::from("the-pat".to_string()),
                AuthMethod::Pat { expires_on: None },
                &options,
                1,
            )
            .unwrap();
        let opened = open_connection(&connections, &profile.id, &settings)
            .await
            .unwrap();
        assert_eq!(
            opened.options(),
            &options,
            "the options come from the profile"
        );
        match &opened.credential {
            ado_client::Credential::Pat(p) => assert_eq!(p.expose_secret(), "the-pat"),
            other => panic!("{other:?}"),
        }
        let client = opened.client();
        if allow_http {
            client.expect("consented: the client may be built");
        } else {
            let problem = client.unwrap_err();
            assert_eq!(
                problem.code.as_str(),
                "http_consent_required",
                "{problem:?}"
            );
        }
    }
    let unknown = open_connection(&connections, &"server-http-nowhere-0".into(), &settings)
        .await
        .unwrap_err();
    assert_eq!(unknown.code.as_str(), "not_found");
    let id = ado_flows::profiles::profile_id(&target);
    assert_eq!(
        connections.list().unwrap().len(),
        1,
        "saved again, not twice"
    );
    connections.remove(&id).unwrap();
}
