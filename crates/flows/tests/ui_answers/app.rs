//! The answers of the commands that go through [`ado_flows::app::App`] as the Tauri commands call
//! it (src-tauri/src/*.rs: each command is `app.<action>(form)`), the forms given as the page
//! sends them (JSON, deserialized as the shell does): the first screen (`app_info`,
//! `product_info`, a broken profile refused by `open_product_profile`, a connect form whose
//! fields are at fault refused by `connect_with_pat`), the catalog
//! (`search_catalog`, a page and a query matching nothing), the webhooks step on a
//! connection of this app (`plan_hooks`, `apply_hooks`, `hooks_overview`) and DX's steps on it:
//! its checks (`product_check`: failing, then passing, each with the rows it streamed), its
//! webhooks, and the hand-off (`handoff_panel`, `handoff_value`, `handoff_export`,
//! `handoff_script`, `handoff_post` asking first, sending, and refused by the product), then
//! what is left of the webhooks step (`test_hook`, `hook_history`, `open_hook_page`,
//! `recover_hooks`, `rollback_hooks`, `remove_hooks`) and of a connection (`save_report`,
//! `list_connections`, `http_alternative`, `cancel_sign_in`), and the three Microsoft sign-ins
//! (`sign_in_browser`, `sign_in_device`, `sign_in_service_principal`, with what each streams),
//! with DX's tokens minted on the device code's (`mint_tokens` minted and refused,
//! `revoke_minted`).
//!
//! The app keeps its connections where `ADO_CONNECT_CONFIG_DIR` says and writes its files where
//! `ADO_CONNECT_REPORT_DIR` says: both are temporary folders here (this binary's other test reads
//! neither), and the sandbox is the emulator's startup line (`ADO_CONNECT_SANDBOX`).

use std::sync::Mutex;

use ado_core::webhook::EventKind;
use ado_emulator::scenario::DEMO_FULL_ACCESS_PAT;
use ado_flows::app::App;
use ado_flows::hooks::HooksOnForget;
use ado_flows::ProfileId;
use ado_test_support::product_api::ProductApi;
use ado_test_support::world::{
    add_pat_of, dx_token, dx_world, emulator_with, profile_path, DX_CONNECTORS, LATER,
};
use serde::de::DeserializeOwned;
use serde_json::{json as js, Value};

use super::json;

const DX_SECRET: &str = "dx-given-webhook-secret-0123456789";
const DX_URL: &str = "https://acme.getdx.invalid";
/// A Boards token without Work Items (Read): DX's checks fail on it.
const BOARDS_NO_WORK: &str = "dx-boards-without-work-items-pat-0123456789abcdef";

/// A form as the page sends it.
fn form<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("the form deserializes as the shell does")
}

/// A broken profile, as a user might pick one: a wrong type and keys missing.
const BROKEN_PROFILE: &str = "format = 1\n\n[product]\nname = 5\n";

pub async fn app_answers() -> Vec<(&'static str, Value)> {
    let emu = emulator_with(|s| {
        dx_world(s);
        add_pat_of(
            s,
            BOARDS_NO_WORK,
            "svc-boards@fabrikam.example",
            &["vso.graph", "vso.identity", "vso.project", "vso.release"],
        );
    })
    .await;
    let base = emu.base_url().to_string();
    let dashed = base.trim_start_matches("http://").replace(['.', ':'], "-");
    let config = tempfile::tempdir().unwrap();
    let reports = tempfile::tempdir().unwrap();
    let sandbox = config.path().join("sandbox.json");
    std::fs::write(&sandbox, emu.startup_info().to_string()).unwrap();
    std::env::set_var("ADO_CONNECT_CONFIG_DIR", config.path());
    std::env::set_var("ADO_CONNECT_REPORT_DIR", reports.path());
    std::env::set_var("ADO_CONNECT_SANDBOX", &sandbox);
    let reports_dir = reports.path().to_string_lossy().into_owned();
    let dx = profile_path("dx");
    let dx_path = dx.to_string_lossy().into_owned();
    let dx_canonical = std::fs::canonicalize(&dx)
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let api = ProductApi::start(vec![200]).await;
    let refusing = ProductApi::start(vec![422]).await;
    let host = [
        (base.as_str(), "http://ado.test"),
        (dashed.as_str(), "ado-test"),
        (dx_path.as_str(), "profiles/dx.toml"),
        (dx_canonical.as_str(), "profiles/dx.toml"),
        (reports_dir.as_str(), "/home/user/Downloads"),
        (api.url.as_str(), "https://127.0.0.1:8443"),
        (refusing.url.as_str(), "https://127.0.0.1:8443"),
    ];
    let mut answers: Vec<(&'static str, Value)> = Vec::new();
    let app = App::new(Some(ado_flows::product::load_profile(&dx)));

    // The first screen: the product the app was opened with, and a broken one picked.
    answers.push(("product_info", json(&app.product_info(), &host)));
    let refused = app
        .open_product_profile("broken.toml", BROKEN_PROFILE)
        .err()
        .expect("a broken profile is refused");
    answers.push(("open_product_profile_refused", json(&refused, &host)));
    assert!(app.product().is_ok(), "the profile open before stays");

    // Verify and save (DX wants the PAT's expiry date), then what the first screen reads.
    let opened = app
        .connect_with_pat(form(js!({
            "target": { "deployment": "services", "organization": "fabrikam", "servicesUrl": format!("{base}/") },
            "pat": DEMO_FULL_ACCESS_PAT,
            "expiresOn": LATER,
            "trustedCaPem": null,
        })))
        .await
        .expect("the demo PAT connects");
    let id: ProfileId = opened.card.id.clone();
    // A form at fault: every field's mistake (fieldErrors), nothing sent.
    let invalid = app
        .connect_with_pat(form(js!({
            "target": { "deployment": "server", "serverUrl": "ftp://ado", "collection": "a/b" },
            "pat": "short",
            "expiresOn": "someday",
            "trustedCaPem": null,
        })))
        .await
        .expect_err("refused before any request");
    assert!(invalid.field_errors.len() > 1, "{invalid:?}");
    answers.push(("connect_with_pat_invalid", json(&invalid, &host)));
    answers.push(("app_info", json(&app.app_info("0.0.0-test"), &host)));
    // The catalog the result step and the pickers page through: a page of everything, and a
    // query matching nothing (with its "did you mean").
    let tree = form(js!({ "kind": "tree" }));
    let page = app
        .search_catalog(&id, &tree, "", 0, 100)
        .expect("the catalog");
    answers.push(("search_catalog", json(&page, &host)));
    let nothing = app
        .search_catalog(&id, &tree, "fiber clod", 0, 100)
        .expect("searched");
    assert_eq!(nothing.total, 0, "{nothing:?}");
    answers.push(("search_catalog_nothing", json(&nothing, &host)));

    answers.extend(wizard_hooks(&app, &id, &host).await);
    answers.extend(product_steps(&app, &id, &api, &refusing, &host).await);
    let subscription = answers
        .iter()
        .find(|(name, _)| *name == "hooks_overview")
        .map(|(_, overview)| overview["hooks"][0]["recorded"]["id"].clone())
        .and_then(|id| id.as_str().map(str::to_string))
        .expect("a recorded webhook");
    answers.extend(hook_actions(&app, &id, &subscription, &host).await);
    answers.extend(connection_actions(&app, &id, &base, &host).await);
    answers.extend(sign_ins(&app, &emu, &base, &host).await);
    // Its webhooks and its secrets go (the keyring is the user's).
    app.forget_connection(&id, HooksOnForget::RemoveHooks)
        .await
        .expect("forgotten");
    // Back to the wizard without a product (the command answers nothing).
    app.close_product_profile();
    assert!(app.product_info().is_none());
    answers.push(("close_product_profile", json(&(), &host)));
    answers
}

/// The webhooks step: a plan, Apply, and the overview the step (and the home) reads.
async fn wizard_hooks(
    app: &App,
    id: &ProfileId,
    host: &[(&str, &str)],
) -> Vec<(&'static str, Value)> {
    let request = super::hook_request("Fiber Cloud", "fiber-cloud-api");
    let plan = app
        .plan_hooks(id.clone(), &request)
        .await
        .expect("the plan");
    let mut answers = vec![("plan_hooks", json(&plan, host))];
    let applied = app.apply_hooks(&|_| {}).await.expect("the apply");
    // Nothing failed or was left alone in this run: one of each, of the real types, stands in
    // so that the fixture has their shapes.
    let mut applied = json(&applied, host);
    let created = applied["created"][0].clone();
    applied["leftAlone"] = Value::Array(vec![created.clone()]);
    let not_a_link =
        ado_flows::resolve::understand_url_or_problem("not a link", &Default::default())
            .await
            .expect_err("not understood");
    let failed = ado_flows::hooks::FailedHook {
        action: ado_core::webhook::Action::Update,
        event: EventKind::CodePushed,
        subscription_id: Some(ado_flows::hooks::SubscriptionId::from(
            created["subscriptionId"].as_str().unwrap().to_string(),
        )),
        problem: not_a_link.into(),
    };
    applied["failed"] = Value::Array(vec![json(&failed, &[])]);
    answers.push(("apply_hooks", applied));
    let overview = app.hooks_overview(id).await.expect("the overview");
    answers.push(("hooks_overview", json(&overview, host)));
    answers
}

/// What the webhooks step does to one recorded subscription (a test event, its deliveries, its
/// page in Azure DevOps), to an interrupted run (none here: finish and undo answer that nothing
/// was left), and Remove.
async fn hook_actions(
    app: &App,
    id: &ProfileId,
    subscription: &str,
    host: &[(&str, &str)],
) -> Vec<(&'static str, Value)> {
    let sub = ado_flows::hooks::SubscriptionId::from(subscription.to_string());
    let tested = app.test_hook(id, &sub).await.expect("the test event");
    let history = app.hook_history(id, &sub).await.expect("the deliveries");
    let page = app.hook_page(id, &sub).await.expect("its page");
    let recovered = app.recover_hooks(id, &|_| {}).await.expect("finished");
    let rolled_back = app.rollback_hooks(id).await.expect("undone");
    let removed = app.remove_hooks(id).await.expect("removed");
    vec![
        ("test_hook", json(&tested, host)),
        ("hook_history", json(&history, host)),
        ("open_hook_page", json(&page, host)),
        ("recover_hooks", json(&recovered, host)),
        ("rollback_hooks", json(&rolled_back, host)),
        ("remove_hooks", json(&removed, host)),
    ]
}

/// The rest of what a connection answers: the checks' report saved, the saved connections, the
/// plain-HTTP address where https fails, and cancelling a sign-in when none is under way.
async fn connection_actions(
    app: &App,
    id: &ProfileId,
    base: &str,
    host: &[(&str, &str)],
) -> Vec<(&'static str, Value)> {
    app.run_checks(
        form(js!({ "profileId": id, "capabilities": ["repositories"], "project": "Fiber Cloud", "consentToHttp": true })),
        &|_| {},
    )
    .await
    .expect("the checks run");
    let saved = app.save_report().expect("saved");
    let listed = app.list_connections().expect("listed");
    let https = base.replacen("http://", "https://", 1);
    let alternative = app.http_alternative(&format!("{https}/tfs"), None).await;
    assert!(alternative.is_some(), "the emulator answers plain HTTP");
    vec![
        ("save_report", json(&saved, host)),
        ("list_connections", json(&listed, host)),
        ("http_alternative", json(&alternative, host)),
        ("cancel_sign_in", json(&app.cancel_sign_in(), host)),
    ]
}

/// The three Microsoft sign-ins against the emulator's Entra ID (`ADO_CONNECT_AUTHORITY`): the
/// browser's (the test plays the browser; the address it was given streamed as the page gets
/// it), the device code's (the prompt streamed, approved at once) and a service principal's.
/// Each connection is forgotten again.
async fn sign_ins(
    app: &App,
    emu: &ado_emulator::Emulator,
    base: &str,
    host: &[(&str, &str)],
) -> Vec<(&'static str, Value)> {
    std::env::set_var("ADO_CONNECT_AUTHORITY", base);
    let services = js!({ "organization": "fabrikam", "servicesUrl": format!("{base}/") });
    let mut answers = Vec::new();

    let (tx, rx) = tokio::sync::oneshot::channel::<url::Url>();
    let browser = tokio::spawn(async move {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let answer = http
            .get(rx.await.unwrap())
            .send()
            .await
            .expect("authorize answers");
        let back = answer.headers()["location"].to_str().unwrap().to_string();
        http.get(back)
            .send()
            .await
            .expect("the loopback listener answers");
    });
    let shown = Mutex::new(None);
    let opened = app
        .sign_in_browser(form(services.clone()), |url| {
            *shown.lock().unwrap() = Some(url.to_string());
            tx.send(url.clone()).unwrap();
        })
        .await
        .expect("signed in in the browser");
    browser.await.unwrap();
    answers.push(("sign_in_browser", json(&opened, host)));
    answers.push((
        "sign_in_browser_url",
        json(&shown.into_inner().unwrap(), host),
    ));
    let mut ids = vec![opened.card.id.clone()];

    let entra = emu.entra();
    let prompted = Mutex::new(None);
    let opened = app
        .sign_in_device(form(services.clone()), |prompt| {
            entra
                .approve_device_code(&prompt.user_code, "demo.admin@fabrikam.example")
                .expect("approved");
            *prompted.lock().unwrap() = Some(serde_json::to_value(&prompt).unwrap());
        })
        .await
        .expect("signed in with a device code");
    answers.push(("sign_in_device", json(&opened, host)));
    answers.push((
        "sign_in_device_prompt",
        json(&prompted.into_inner().unwrap(), host),
    ));
    ids.push(opened.card.id.clone());
    answers.extend(minting(app, emu, &opened.card.id, host).await);

    let mut principal = services.clone();
    principal["tenant"] = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b".into();
    principal["clientId"] = ado_emulator::scenario::DEMO_SP_CLIENT_ID.to_string().into();
    principal["clientSecret"] = ado_emulator::scenario::DEMO_SP_SECRET.into();
    let opened = app
        .sign_in_service_principal(form(principal))
        .await
        .expect("the service principal signs in");
    answers.push(("sign_in_service_principal", json(&opened, host)));
    ids.push(opened.card.id.clone());
    for id in ids {
        let _ = app.forget_connection(&id, HooksOnForget::KeepHooks).await;
    }
    answers
}

/// "Create the tokens for me" on the Microsoft sign-in, as the app answers it: DX's tokens minted
/// ({kind: "minted", report}), a lifetime over the organization's maximum refused ({kind:
/// "refused", refusal}, with its offer), and Forget's revocation ({kind: "revoked", revoked}).
async fn minting(
    app: &App,
    emu: &ado_emulator::Emulator,
    id: &ProfileId,
    host: &[(&str, &str)],
) -> Vec<(&'static str, Value)> {
    let no_consent = |url: &url::Url| panic!("no consent was to be asked: {url}");
    let minted = app
        .mint_tokens(form(js!({ "profileId": id })), no_consent, &|_| {})
        .await
        .expect("minting answers");
    let minted = json(&minted, host);
    assert_eq!(minted["kind"], "minted", "{minted}");
    emu.world().set_pat_policy(
        "fabrikam",
        ado_emulator::world::PatPolicy {
            max_lifetime_days: Some(7),
            ..Default::default()
        },
    );
    let over = app
        .mint_tokens(
            form(js!({ "profileId": id, "lifetimeDays": 90 })),
            no_consent,
            &|_| {},
        )
        .await
        .expect("minting answers");
    let over = json(&over, host);
    assert_eq!(over["kind"], "refused", "{over}");
    emu.world()
        .set_pat_policy("fabrikam", ado_emulator::world::PatPolicy::default());
    let revoked = app
        .revoke_minted(id, None::<fn(&url::Url)>)
        .await
        .expect("revoking answers");
    let revoked = json(&revoked, host);
    assert_eq!(revoked["kind"], "revoked", "{revoked}");
    vec![
        ("mint_tokens", minted),
        ("mint_tokens_refused", over),
        ("revoke_minted", revoked),
    ]
}

/// DX's steps on the saved connection: its checks, its webhooks, the hand-off.
async fn product_steps(
    app: &App,
    id: &ProfileId,
    api: &ProductApi,
    refusing: &ProductApi,
    host: &[(&str, &str)],
) -> Vec<(&'static str, Value)> {
    let mut answers = Vec::new();
    let pats = |boards: &str| -> Value {
        DX_CONNECTORS
            .iter()
            .map(|(c, _, _)| {
                let token = if *c == "boards" {
                    boards.to_string()
                } else {
                    dx_token(c)
                };
                js!({ "connector": c, "index": 0, "pat": token, "expiresOn": LATER })
            })
            .collect()
    };
    let check = |pats: Value| async move {
        let events = Mutex::new(Vec::new());
        let report = app
            .product_check(
                form(js!({ "profileId": id, "project": "Fiber Cloud", "repository": null, "pats": pats })),
                &|e| events.lock().unwrap().push(serde_json::to_value(e).unwrap()),
            )
            .await
            .expect("the checks run");
        (report, events.into_inner().unwrap())
    };
    // A Boards token without Work Items (Read): refused, each failing row with its codes.
    let (failing, events) = check(pats(BOARDS_NO_WORK)).await;
    assert!(
        !failing.ok,
        "a Boards token without Work Items does not pass"
    );
    answers.push(("product_check_failed", json(&failing, host)));
    answers.push(("product_check_failed_events", json(&events, host)));
    let (passing, events) = check(pats(&dx_token("boards"))).await;
    assert!(passing.ok, "DX's service accounts pass");
    answers.push(("product_check", json(&passing, host)));
    answers.push(("product_check_events", json(&events, host)));

    // The choice the hand-off is asked with: DX's URLs and connection id.
    let choice = js!({
        "project": "Fiber Cloud",
        "repository": null,
        "publicUrl": null,
        "placeholders": { "dx_url": DX_URL, "dx_api_url": api.url, "dx_connection_id": "456" },
    });
    let hooks = js!({ "profileId": id, "choice": choice, "projects": [], "secret": DX_SECRET });
    let plan = app
        .product_hooks_plan(form(hooks.clone()))
        .await
        .expect("the plan");
    answers.push(("product_hooks_plan", json(&plan, host)));
    let applied = app
        .product_hooks_apply(form(hooks), &|_| {})
        .await
        .expect("registered");
    answers.push(("product_hooks_apply", json(&applied, host)));

    let view = app
        .handoff_panel(id, form(choice.clone()))
        .await
        .expect("the panel");
    let view = json(&view, host);
    let secret = view["panel"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["secret"] == true)
        .expect("DX's panel has secret fields")["key"]
        .as_str()
        .unwrap()
        .to_string();
    answers.push(("handoff_panel_dx", view));
    let value = app
        .handoff_value(id, form(choice.clone()), &secret)
        .await
        .expect("revealed");
    assert_eq!(value.as_deref(), Some(dx_token("boards").as_str()));
    answers.push(("handoff_value", json(&value, host)));
    let written = app
        .handoff_export(id, form(choice.clone()), false)
        .await
        .expect("exported");
    answers.push(("handoff_export", json(&written, host)));
    let script = app
        .handoff_script(id, form(choice.clone()))
        .await
        .expect("the script");
    answers.push(("handoff_script", json(&script, host)));

    // The POST: asked first (a local address needs its own tick), then sent once allowed.
    let post = |choice: Value, consent: Option<Value>| {
        let ca = Some(
            if choice["placeholders"]["dx_api_url"] == api.url.as_str() {
                api.ca_pem.clone()
            } else {
                refusing.ca_pem.clone()
            },
        );
        async move {
            app.handoff_post(
                id,
                form(choice),
                Some("dx-api-token-for-tests".to_string().into()),
                ca,
                consent.map(form),
            )
            .await
            .expect("the delivery answers")
        }
    };
    let asked = json(&post(choice.clone(), None).await, host);
    assert_eq!(asked["kind"], "needsConsent", "{asked}");
    answers.push(("handoff_post_consent", asked));
    let allow = js!({ "host": "127.0.0.1", "allowLocal": true });
    let sent = json(&post(choice.clone(), Some(allow.clone())).await, host);
    assert_eq!(sent["kind"], "sent", "{sent}");
    assert_eq!(sent["report"]["ok"], true, "{sent}");
    answers.push(("handoff_post_sent", sent));
    let mut elsewhere = choice.clone();
    elsewhere["placeholders"]["dx_api_url"] = refusing.url.clone().into();
    let refused = json(&post(elsewhere, Some(allow)).await, host);
    assert_eq!(refused["report"]["ok"], false, "{refused}");
    answers.push(("handoff_post_refused", refused));
    answers
}
