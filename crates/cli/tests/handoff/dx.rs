//! DX: a dated token per connector, its own codes, a warning for one identity everywhere; its
//! webhooks with the secret it gives, the POST of each token (after the user saw where it goes),
//! the script.

use ado_emulator::scenario::DEMO_FULL_ACCESS_PAT;
use ado_emulator::HostPath;
use serde_json::json;

use crate::product_api::ProductApi;
use crate::support::*;

#[tokio::test]
async fn dx_wants_a_dated_token_per_connector_and_speaks_its_own_codes() {
    let s = Setup::new().await;
    let dx = profile("dx");
    let services = s.services();

    // Refused before anything is sent: no connector tokens, an expiry date that is no date,
    // one that has passed.
    let run = s
        .run(
            &["check", "--profile", &dx, "--pat-expires", LATER],
            &services,
            &[],
        )
        .await;
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(
        run.says("DX needs its own token for each connector; none was given for Boards, Pipelines, Repositories, Pull Commits, Commits (default branch)."),
        "{run:#?}"
    );
    let connectors = dx_env();
    let run = s
        .run(
            &["check", "--profile", &dx, "--pat-expires", "31/01/2027"],
            &services,
            &env(&connectors),
        )
        .await;
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(
        run.out.contains("FAIL  PAT expiry date [invalid_input]: The expiry date \"31/01/2027\" is not a date written YYYY-MM-DD."),
        "{run:#?}"
    );
    let run = s
        .run(
            &["handoff", "--profile", &dx, "--pat-expires", "2020-01-01"],
            &services,
            &env(&connectors),
        )
        .await;
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(
        run.err.contains(
            "error[token_expired]: Personal access token: The PAT expired on 2020-01-01."
        ),
        "the field is named: {run:#?}"
    );
    assert_eq!(
        s.requests(),
        Vec::<String>::new(),
        "refused before anything is sent"
    );
    assert_eq!(s.saved(), 0);

    // A Boards token without Work Items (Read): DX's own code for the 401.
    let mut wrong = connectors.clone();
    wrong[0].1 = BOARDS_NO_WORK.into();
    let run = s
        .run(
            &["check", "--profile", &dx, "--pat-expires", LATER, "--json"],
            &services,
            &env(&wrong),
        )
        .await;
    assert_eq!(run.code, 1, "{run:#?}");
    let report = run.json();
    let boards = &report["connectors"][0];
    assert_eq!(boards["connector"], "boards");
    let row = boards["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["title"] == "List work item types")
        .unwrap_or_else(|| panic!("{boards}"));
    assert_eq!(
        (&row["status"], &row["code"], &row["productCode"]),
        (
            &json!("fail"),
            &json!("invalid_permissions"),
            &json!("invalid_credentials")
        )
    );
    let run = s
        .run(
            &["check", "--profile", &dx, "--pat-expires", LATER],
            &services,
            &env(&wrong),
        )
        .await;
    assert!(
        run.out.contains("FAIL  [boards#0] List work item types (DX code: invalid_credentials) [invalid_permissions]"),
        "{}",
        run.out
    );

    // One PAT for every connector: a warning naming the identity, not a refusal.
    let shared: Vec<(String, String)> = connectors
        .iter()
        .map(|(k, _)| (k.clone(), DEMO_FULL_ACCESS_PAT.to_string()))
        .collect();
    let run = s
        .run(
            &["check", "--profile", &dx, "--pat-expires", LATER, "--json"],
            &services,
            &env(&shared),
        )
        .await;
    let report = run.json();
    let same = report["restrictions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "sameIdentity")
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(same["status"], "warn", "{same}");
    assert!(
        same["message"]
            .as_str()
            .unwrap()
            .contains("use tokens of the same identity, Demo Admin"),
        "{same}"
    );
    assert_eq!(run.code, 0, "only a warning: {:#}", report);
}

#[tokio::test]
async fn dx_hands_off_then_registers_its_webhooks_and_posts_on_the_recorded_pass() {
    let s = Setup::new().await;
    let dx = profile("dx");
    let services = s.services();
    let connectors = dx_env();
    let set_url = format!("dx_url={DX_URL}");

    // The first hand-off saves the connection (its PAT dated) and keeps the connector tokens.
    let run = s
        .run(
            &[
                "handoff",
                "--profile",
                &dx,
                "--pat-expires",
                LATER,
                "--json",
            ],
            &services,
            &env(&connectors),
        )
        .await;
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(fields(&run.json()).len(), 5, "one token per connector");
    assert!(
        !run.out.contains(&dx_token("boards")),
        "no secret without --show-secrets"
    );

    // The POST to DX's API, on the recorded pass.
    let api = ProductApi::start(vec![200]).await;
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &api.ca_pem).unwrap();
    let (api_url, ca) = (format!("dx_api_url={}", api.url), ca.display().to_string());
    let post = [
        "handoff",
        "--profile",
        dx.as_str(),
        "--set",
        api_url.as_str(),
        "--set",
        "dx_connection_id=456",
        "--post",
        "--json",
        "--product-ca-file",
        ca.as_str(),
        // The date again: `handoff` refuses an undated PAT even for a saved, dated connection
        // (see a_saved_dated_connection_needs_no_date_again_for_handoff_or_hooks).
        "--pat-expires",
        LATER,
    ];
    let token = [("ADO_CONNECT_PRODUCT_TOKEN", "cli-dx-api-token")];
    // The first delivery to a host shows what it would carry, and sends nothing.
    let run = s.run(&post, &services, &token).await;
    assert_eq!(run.code, 1, "{run:#?}");
    let preview = &run.json()["delivery"]["preview"];
    assert_eq!(preview["requests"], 5, "{run:#?}");
    assert!(api.received().is_empty());
    let confirmed = [
        &post[..],
        &[
            "--confirm-delivery-to",
            "127.0.0.1",
            "--allow-local-destination",
        ],
    ]
    .concat();
    let run = s.run(&confirmed, &services, &token).await;
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(
        run.json()["post"]["delivered"].as_array().map(Vec::len),
        Some(5)
    );
    let received = api.received();
    assert_eq!(received.len(), 5, "one per connector token");
    for (r, (connector, _, _)) in received.iter().zip(DX_CONNECTORS) {
        assert_eq!(r.path, "/credentials.create");
        assert_eq!(r.authorization, "Bearer cli-dx-api-token");
        assert_eq!(
            r.body,
            json!({ "id": 456, "secrets": { "personal_access_token": dx_token(connector) } })
        );
    }
    assert!(
        !run.out.contains(&dx_token("repos")) && !run.err.contains("cli-dx-api-token"),
        "no secret printed"
    );
    // The webhooks, on the recorded pass (no connector token given again).
    let apply = [
        "hooks",
        "apply",
        "--profile",
        dx.as_str(),
        "--set",
        set_url.as_str(),
        "--json",
    ];
    // The connection passed with its PAT and every connector token dated (the hand-off above):
    // the hooks command needs no date of its own, and stops only at the missing secret.
    let run = s.run(&apply, &services, &[]).await;
    assert_eq!(run.code, 1, "DX gives the secret: {run:#?}");
    assert!(
        run.says("X-ADO-Signature") && !run.says("expiration date"),
        "the saved, dated connection reaches the webhooks: {run:#?}"
    );
    let run = s
        .run(&apply, &services, &[("ADO_HOOK_SECRET", DX_SECRET)])
        .await;
    assert_eq!(run.code, 0, "{run:#?}");
    let subs = s
        .emu
        .world()
        .subscriptions(&HostPath::organization("fabrikam"))
        .unwrap();
    assert_eq!(subs.len(), 6, "3 pull-request events × 2 projects");
    assert!(subs.iter().all(|s| s.consumer_input("httpHeaders")
        == Some(format!("X-ADO-Signature:{DX_SECRET}").as_str())
        && s.consumer_input("url") == Some(format!("{DX_URL}/webhooks/ado").as_str())));
    let run = s
        .run(
            &[
                "hooks",
                "plan",
                "--profile",
                &dx,
                "--set",
                &set_url,
                "--json",
            ],
            &services,
            &[("ADO_HOOK_SECRET", DX_SECRET)],
        )
        .await;
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.json()["plans"].as_array().map(Vec::len), Some(2));

    // The script that recreates them elsewhere: the secret as a variable only.
    let script = dir.path().join("hooks.sh");
    let script_path = script.display().to_string();
    let run = s
        .run(
            &[
                "handoff",
                "--profile",
                &dx,
                "--script",
                &script_path,
                "--json",
            ],
            &services,
            &[],
        )
        .await;
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.json()["subscriptions"], 6);
    let script = std::fs::read_to_string(&script).unwrap();
    assert_eq!(script.matches("curl ").count(), 6);
    assert!(!script.contains(DX_SECRET));
}

#[tokio::test]
async fn a_saved_dated_connection_needs_no_date_again_for_handoff_or_hooks() {
    // Kong Konnect's profile asking for dated PATs, as DX does (without DX's other needs).
    let s = Setup::new().await;
    let dir = tempfile::tempdir().unwrap();
    let dated = dir.path().join("konnect-dated.toml");
    let text = std::fs::read_to_string(profile("kong-konnect"))
        .unwrap()
        .replace("[access]", "[pat]\nexpiry_required = true\n\n[access]");
    std::fs::write(&dated, text).unwrap();
    let dated = dated.display().to_string();
    let services = s.services();
    let run = s
        .run(
            &[
                "handoff",
                "--profile",
                &dated,
                "--pat-expires",
                LATER,
                "--json",
            ],
            &services,
            &[],
        )
        .await;
    assert_eq!(run.code, 0, "saved with its date, and cleared: {run:#?}");
    // The next hand-off of the saved, dated connection needs no date again.
    let run = s
        .run(&["handoff", "--profile", &dated, "--json"], &services, &[])
        .await;
    assert_eq!(
        run.code, 0,
        "the saved connection's PAT is dated (--pat-expires only dates a new one): {run:#?}"
    );
    let run = s
        .run(&["hooks", "plan", "--profile", &dated], &services, &[])
        .await;
    assert!(
        !run.says("asks for a PAT with an expiration date"),
        "the saved connection's PAT is dated; `hooks` has no --pat-expires to give it again: \
         {run:#?}"
    );
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(run.says("Kong Konnect registers no webhooks"), "{run:#?}");
}
