//! Items 1 and 5 of issue 19: what a product keeps (its API token, its connector PATs, the
//! hosts the user accepted, its webhook secret) belongs to the product as the user first
//! accepted it (the profile's origin and the URLs its secrets travel to), never to the id a
//! file claims; and nothing leaves before the user saw where it goes and what it carries.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::time::Duration;

use ado_core::product::handoff::Reveal;
use ado_core::product::ProductProfile;
use ado_emulator::scenario::DEMO_FULL_ACCESS_PAT;
use ado_emulator::HostPath;
use ado_flows::hooks::HookRecords;
use ado_flows::product::delivery::Consent;
use ado_flows::product::gate::Outcome;
use ado_flows::product::handoff::{Handoff, HandoffChoice};
use ado_flows::product::post::PostOptions;
use ado_flows::product::saved::{deliver, Delivered};
use ado_flows::product::{apply_product_hooks, secrets_key, ProductHooksRequest};
use ado_flows::ConnectOptions;
use secrecy::SecretString;

use crate::collector::{Answer, Collector};
use crate::support::*;

const API_TOKEN: &str = "untrusted-dx-api-token-given-for-collector-a";
const ACCEPTED: &str = r#"{"ok":true,"credential":{"id":"cred_1"}}"#;

fn options(collectors: &[&Collector]) -> PostOptions {
    PostOptions {
        trusted_ca_pem: Some(collectors.iter().map(|c| c.ca_pem.as_str()).collect()),
        backoff: Duration::from_millis(20),
        ..Default::default()
    }
}

fn consent(host: Option<&str>, allow_local: bool) -> Consent {
    Consent {
        host: host.map(str::to_string),
        allow_local,
    }
}

fn given(token: &str) -> Option<SecretString> {
    Some(SecretString::from(token.to_string()))
}

/// DX's hand-off choice: its API at `api_url`, connection 456.
fn dx_choice(api_url: &str) -> HandoffChoice {
    HandoffChoice {
        placeholders: BTreeMap::from([
            ("dx_api_url".to_string(), api_url.to_string()),
            ("dx_connection_id".to_string(), "456".to_string()),
        ]),
        ..Default::default()
    }
}

/// DX's profile as shipped, but with its POST pointed at `url` carrying every connector PAT
/// in `stolen`: the same id, the same name, the same connectors and checks.
fn attacker_copy_of_dx(url: &str) -> String {
    let dx = std::fs::read_to_string(profile_path("dx")).unwrap();
    let (before, _) = dx.split_once("[handoff.post]").expect("DX has a POST");
    format!(
        "{before}[handoff.post]\nurl = \"{url}\"\ntoken_label = \"DX API token\"\nper_credential = true\nbody = {{ stolen = \"{{pat}}\" }}\n"
    )
}

/// Every secret value a hand-off holds, as the paste panel, the export and the POST see them.
fn everything_shown(handoff: &Handoff) -> String {
    format!(
        "{:?}\n{}",
        handoff.panel(&Reveal::All),
        serde_json::to_string(&handoff.export(true, now())).unwrap()
    )
}

fn dx_secrets() -> Vec<String> {
    let mut all: Vec<String> = DX_CONNECTORS.iter().map(|(c, _, _)| dx_token(c)).collect();
    all.push(API_TOKEN.to_string());
    all
}

/// A profile claiming DX's id from another file cannot open DX's hand-off: refused by the gate
/// (no connector token kept for it), or opened without any of DX's secrets.
async fn assert_gets_nothing_kept(fx: &Saved, profile: ProductProfile, api_url: &str) {
    match fx.handoff_now(profile, dx_choice(api_url)).await {
        Err(problem) => assert!(
            !dx_secrets()
                .iter()
                .any(|s| format!("{problem:?}").contains(s)),
            "{problem:?}"
        ),
        Ok(handoff) => {
            let shown = everything_shown(&handoff);
            for secret in dx_secrets() {
                assert!(!shown.contains(&secret), "{secret} reached {shown}");
            }
            assert!(
                !handoff.missing().is_empty(),
                "no PAT, so the hand-off is incomplete"
            );
        }
    }
}

#[tokio::test]
async fn a_profile_that_borrows_dxs_id_gets_none_of_dxs_kept_secrets_and_nothing_leaves_unseen() {
    let emu = emulator_with(dx_world).await;
    let a = Collector::start(Ipv4Addr::new(127, 0, 0, 1), Answer::json(200, ACCEPTED)).await;
    let b = Collector::start(Ipv4Addr::new(127, 0, 0, 2), Answer::json(200, ACCEPTED)).await;
    let options = options(&[&a, &b]);
    let fx = saved(
        services(&emu, "fabrikam"),
        DEMO_FULL_ACCESS_PAT,
        Some(LATER),
    )
    .await;
    let dx = profile("dx");
    fx.clear_now(dx.clone(), dx_pats())
        .await
        .cleared()
        .unwrap_or_else(|p| panic!("DX's service accounts pass: {p:?}"));
    let handoff = fx
        .handoff_now(dx.clone(), dx_choice(&a.url))
        .await
        .expect("cleared by the recorded pass");

    // A host never confirmed: nothing is sent; the preview names the URL, the host, its
    // address and every secret the requests would carry.
    let delivered = deliver(
        &fx.connections,
        &handoff,
        given(API_TOKEN),
        &consent(None, true),
        &options,
    )
    .await
    .expect("a preview");
    let Delivered::NeedsConsent { preview, problem } = delivered else {
        panic!("a first delivery waits for the user: {delivered:#?}")
    };
    assert_eq!(preview.url, format!("{}/credentials.create", a.url));
    assert_eq!(preview.host, "127.0.0.1");
    assert_eq!(preview.addresses, ["127.0.0.1"]);
    assert_eq!(preview.requests, 5, "one per connector PAT");
    assert!(!preview.accepted_before);
    let mut carried = vec!["DX API token (Authorization header)".to_string()];
    carried.extend(
        DX_CONNECTORS
            .iter()
            .map(|(_, label, _)| format!("Personal access token of {label} #1")),
    );
    assert_eq!(preview.carries, carried);
    assert!(
        problem.message.contains("Nothing was sent") && problem.fix.contains("127.0.0.1"),
        "{problem:?}"
    );
    assert_eq!(a.connections(), 0, "not even a connection to the collector");

    // Confirmed, but a loopback destination without the opt-in: refused likewise.
    let delivered = deliver(
        &fx.connections,
        &handoff,
        given(API_TOKEN),
        &consent(Some("127.0.0.1"), false),
        &options,
    )
    .await
    .expect("a preview");
    let Delivered::NeedsConsent { preview, problem } = delivered else {
        panic!("a loopback destination needs the opt-in: {delivered:#?}")
    };
    assert!(
        preview
            .local
            .as_deref()
            .is_some_and(|l| l.contains("loopback")),
        "{preview:?}"
    );
    assert!(problem.message.contains("127.0.0.1"), "{problem:?}");
    assert_eq!(a.connections(), 0);

    // Confirmed and opted in: DX's token and PATs are sent to collector A, and kept.
    let delivered = deliver(
        &fx.connections,
        &handoff,
        given(API_TOKEN),
        &consent(Some(&a.host), true),
        &options,
    )
    .await
    .expect("sent");
    let Delivered::Sent { report, .. } = delivered else {
        panic!("confirmed: {delivered:#?}")
    };
    assert!(report.ok, "{report:#?}");
    // "Send" again without a token: the kept one, to the host accepted before.
    let delivered = deliver(
        &fx.connections,
        &handoff,
        None,
        &consent(None, true),
        &options,
    )
    .await
    .expect("sent with the kept token");
    let Delivered::Sent { preview, report } = delivered else {
        panic!("the host was accepted: {delivered:#?}")
    };
    assert!(preview.accepted_before && report.ok, "{report:#?}");
    let received = a.received();
    assert_eq!(received.len(), 10, "five PATs, twice");
    assert!(received.iter().all(|r| r.path == "/credentials.create"
        && r.header("authorization") == Some(&format!("Bearer {API_TOKEN}"))));

    // The attacker's file: DX's id and name, its POST pointed at collector B.
    let elsewhere = tempfile::tempdir().unwrap();
    let attacker = written(
        elsewhere.path(),
        "dx.toml",
        &attacker_copy_of_dx(&format!("{}/steal", b.url)),
    );
    assert_eq!(
        (attacker.product.id.as_str(), attacker.product.name.as_str()),
        ("dx", "DX")
    );
    assert_ne!(secrets_key(&attacker), secrets_key(&dx));
    assert_gets_nothing_kept(&fx, attacker.clone(), &a.url).await;

    // Even once the user gives it the connector PATs again (believing it is DX), "Send" with
    // the token field empty shows B's host first, and then finds no kept token for it: B's
    // requests would need a token of their own.
    let Outcome::Cleared(..) = fx.clear_now(attacker.clone(), dx_pats()).await else {
        panic!("the same service accounts pass the same checks")
    };
    let stolen = fx
        .handoff_now(attacker.clone(), dx_choice(&a.url))
        .await
        .expect("cleared");
    let delivered = deliver(
        &fx.connections,
        &stolen,
        None,
        &consent(None, true),
        &options,
    )
    .await
    .expect("a preview");
    let Delivered::NeedsConsent { preview, .. } = delivered else {
        panic!("B was never accepted: {delivered:#?}")
    };
    assert_eq!(
        (preview.url.as_str(), preview.host.as_str()),
        (format!("{}/steal", b.url).as_str(), "127.0.0.2")
    );
    assert!(!preview.accepted_before);
    assert_eq!(preview.carries[0], "DX API token (Authorization header)");
    let refused = deliver(
        &fx.connections,
        &stolen,
        None,
        &consent(Some(&b.host), true),
        &options,
    )
    .await
    .expect_err("no token is kept for this profile");
    assert!(
        refused.message.contains("Paste the DX API token first"),
        "{refused:?}"
    );
    assert!(!format!("{refused:?}").contains(API_TOKEN));

    // A verbatim copy of DX's file in another folder is another product too: DX's token and
    // accepted hosts stay with DX's own file, even towards collector A.
    let copy = written(
        elsewhere.path(),
        "dx-copy.toml",
        &std::fs::read_to_string(profile_path("dx")).unwrap(),
    );
    assert_ne!(secrets_key(&copy), secrets_key(&dx));
    assert_gets_nothing_kept(&fx, copy.clone(), &a.url).await;
    let Outcome::Cleared(..) = fx.clear_now(copy.clone(), dx_pats()).await else {
        panic!("the copy passes the same checks")
    };
    let copied = fx
        .handoff_now(copy, dx_choice(&a.url))
        .await
        .expect("cleared");
    let delivered = deliver(
        &fx.connections,
        &copied,
        None,
        &consent(None, true),
        &options,
    )
    .await
    .expect("a preview");
    assert!(
        matches!(&delivered, Delivered::NeedsConsent { preview, .. } if !preview.accepted_before),
        "DX's accepted host is not the copy's: {delivered:#?}"
    );
    let refused = deliver(
        &fx.connections,
        &copied,
        None,
        &consent(Some(&a.host), true),
        &options,
    )
    .await
    .expect_err("DX's kept token is not the copy's");
    assert!(refused.message.contains("Paste the DX API token first"));

    assert_eq!(b.connections(), 0, "nothing ever reached collector B");
    assert!(b.received().is_empty());
    assert_eq!(a.received().len(), 10, "nothing more reached collector A");
}

/// The secret in the `X-{name}-Signature` header of the subscriptions whose URL is `receiver`.
fn registered_secrets(emu: &ado_emulator::Emulator, name: &str, receiver: &str) -> Vec<String> {
    let prefix = format!("X-{name}-Signature:");
    emu.world()
        .subscriptions(&HostPath::organization("fabrikam"))
        .unwrap()
        .iter()
        .filter(|s| s.consumer_input("url") == Some(receiver))
        .map(|s| {
            s.consumer_input("httpHeaders")
                .and_then(|h| h.strip_prefix(&prefix))
                .unwrap_or_else(|| panic!("{name}'s header: {s:?}"))
                .to_string()
        })
        .collect()
}

fn api_at(url: &str) -> HandoffChoice {
    HandoffChoice {
        placeholders: BTreeMap::from([("api_url".to_string(), url.to_string())]),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_second_product_never_learns_the_first_products_webhook_secret() {
    const ALPHA_RECEIVER: &str = "https://alpha.receiver.invalid/hooks";
    const BRAVO_RECEIVER: &str = "https://bravo.receiver.invalid/hooks";
    let emu = emulator_with(|_| {}).await;
    let collector =
        Collector::start(Ipv4Addr::new(127, 0, 0, 1), Answer::json(200, ACCEPTED)).await;
    let options = options(&[&collector]);
    let fx = saved(
        services(&emu, "fabrikam"),
        DEMO_FULL_ACCESS_PAT,
        Some(LATER),
    )
    .await;
    let client = ado_flows::verify::client_for(
        &fx.target,
        ado_client::Credential::pat(DEMO_FULL_ACCESS_PAT),
        &ConnectOptions::default(),
    )
    .unwrap();
    let records = HookRecords::new(fx.connections.clone(), fx.id.clone());
    let no_values = ProductHooksRequest {
        placeholders: BTreeMap::new(),
        projects: Vec::new(),
        repositories: Vec::new(),
        secret: None,
    };
    let dir = tempfile::tempdir().unwrap();
    let register = |profile: ProductProfile| {
        let (fx, client, records, no_values) = (&fx, &client, &records, &no_values);
        async move {
            let cleared = fx
                .clear_now(profile, Vec::new())
                .await
                .cleared()
                .unwrap_or_else(|p| panic!("the connection's PAT passes: {p:?}"));
            let report = apply_product_hooks(&cleared, client, records, no_values, &|_| {})
                .await
                .expect("the hooks apply");
            assert!(report.ok, "{report:#?}");
        }
    };

    // Product A registers its webhooks: ADO Connect generates A's own secret.
    let alpha = written(
        dir.path(),
        "alpha.toml",
        &wizard_product("alpha", "Alpha", ALPHA_RECEIVER, "git.push"),
    );
    register(alpha.clone()).await;
    let alpha_secrets = registered_secrets(&emu, "Alpha", ALPHA_RECEIVER);
    assert_eq!(alpha_secrets.len(), 2, "one per project");
    let alpha_secret = alpha_secrets[0].clone();
    assert!(alpha_secrets.iter().all(|s| *s == alpha_secret) && alpha_secret.len() >= 16);
    let a_handoff = fx
        .handoff_now(alpha.clone(), api_at(&collector.url))
        .await
        .expect("A passed");
    assert_eq!(
        a_handoff.field_value("webhook_secret").as_deref(),
        Some(alpha_secret.as_str()),
        "A's own hand-off carries A's secret"
    );

    // Product B, and a file that claims A's id with its own receiver, on the same connection:
    // before they register anything, `{webhook_secret}` has no value for them, and their
    // POST (whose body asks for it) sends nothing.
    let bravo = written(
        dir.path(),
        "bravo.toml",
        &wizard_product("bravo", "Bravo", BRAVO_RECEIVER, "git.pullrequest.created"),
    );
    let claims_alpha = written(
        dir.path(),
        "alpha-too.toml",
        &wizard_product("alpha", "Alpha", BRAVO_RECEIVER, "git.pullrequest.created"),
    );
    for other in [bravo.clone(), claims_alpha] {
        let Outcome::Cleared(..) = fx.clear_now(other.clone(), Vec::new()).await else {
            panic!("the connection's PAT passes")
        };
        let handoff = fx
            .handoff_now(other.clone(), api_at(&collector.url))
            .await
            .expect("cleared");
        assert_eq!(
            handoff.field_value("webhook_secret"),
            None,
            "{}",
            other.product.id
        );
        assert!(!everything_shown(&handoff).contains(&alpha_secret));
        let sent = deliver(
            &fx.connections,
            &handoff,
            given("bravo-api-token"),
            &consent(Some(&collector.host), true),
            &options,
        )
        .await;
        assert!(
            matches!(&sent, Err(p) if !format!("{p:?}").contains(&alpha_secret)),
            "{sent:#?}"
        );
        assert_eq!(collector.connections(), 0, "nothing reached B's API");
    }

    // B registers its own webhooks: its own secret, and only that one in B's POST.
    register(bravo.clone()).await;
    let bravo_secrets = registered_secrets(&emu, "Bravo", BRAVO_RECEIVER);
    assert_eq!(bravo_secrets.len(), 2);
    let bravo_secret = bravo_secrets[0].clone();
    assert_ne!(bravo_secret, alpha_secret);
    assert_eq!(
        registered_secrets(&emu, "Alpha", ALPHA_RECEIVER),
        alpha_secrets,
        "A's subscriptions keep A's secret"
    );
    let b_handoff = fx
        .handoff_now(bravo, api_at(&collector.url))
        .await
        .expect("B passed");
    assert_eq!(
        b_handoff.field_value("webhook_secret").as_deref(),
        Some(bravo_secret.as_str())
    );
    let sent = deliver(
        &fx.connections,
        &b_handoff,
        given("bravo-api-token"),
        &consent(Some(&collector.host), true),
        &options,
    )
    .await
    .expect("sent");
    assert!(
        matches!(&sent, Delivered::Sent { report, .. } if report.ok),
        "{sent:#?}"
    );
    let received = collector.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].json()["signing_secret"], bravo_secret.as_str());
    assert!(!received[0].text().contains(&alpha_secret));
}
