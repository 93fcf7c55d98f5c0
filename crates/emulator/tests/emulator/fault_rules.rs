//! Fault rules per request kind: statuses, transport faults, refused connections, certificate
//! faults, and the control endpoints that set them.

use std::error::Error as _;
use std::time::{Duration, Instant};

use ado_emulator::{Config, Fault, FaultRule, Faults, RequestKind, TlsCertificate};
use serde_json::{json, Value};

use crate::support::*;

fn status(status: u16) -> Fault {
    Fault::Status {
        status,
        retry_after_secs: Some(1),
    }
}

async fn with_rule(rule: FaultRule) -> ado_emulator::Emulator {
    start(Config {
        faults: Faults::rules([rule]),
        ..Config::default()
    })
    .await
}

/// The transport error of a request that got no usable answer, as text with its causes.
async fn transport_error(url: &str) -> String {
    let result = client()
        .get(url)
        .basic_auth("", Some(FULL))
        .timeout(Duration::from_secs(5))
        .send()
        .await;
    let error = match result {
        Ok(response) => response.bytes().await.expect_err("the body must fail"),
        Err(error) => error,
    };
    let mut text = format!("{error}");
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

#[tokio::test]
async fn a_rule_hits_only_its_request_kind() {
    let emu = with_rule(FaultRule::on(RequestKind::Repositories, status(500))).await;
    assert_eq!(get(&emu, "/fabrikam/_apis/projects").await.status, 200);
    let failed = get(&emu, "/fabrikam/_apis/git/repositories").await;
    assert_eq!(failed.status, 500);
    assert!(
        failed.message().starts_with("TF400898"),
        "{}",
        failed.message()
    );
    assert_eq!(
        get(&emu, "/fabrikam/Fiber%20Cloud/_apis/git/repositories")
            .await
            .status,
        500
    );
    let log = emu.requests();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].kind, RequestKind::Projects);
    assert_eq!(log[0].fault, None);
    assert_eq!(log[1].kind, RequestKind::Repositories);
    assert_eq!(log[1].fault.as_deref(), Some("status 500"));
}

#[tokio::test]
async fn statuses_look_like_the_service_answering_them() {
    let emu = demo().await;
    let cases: [(u16, &str); 6] = [
        (401, "UnauthorizedRequestException"),
        (403, "AccessCheckException"),
        (404, "VssResourceNotFoundException"),
        (429, "RequestBlockedException"),
        (500, "VssServiceException"),
        (503, "VssServiceException"),
    ];
    for (code, type_key) in cases {
        emu.set_faults(Faults::rules([FaultRule::on(
            RequestKind::ConnectionData,
            status(code),
        )]));
        let reply = get(&emu, "/fabrikam/_apis/connectionData").await;
        assert_eq!(reply.status.as_u16(), code);
        assert_eq!(reply.type_key(), type_key, "{code}");
    }
    emu.set_faults(Faults::rules([FaultRule::on(
        RequestKind::ConnectionData,
        status(401),
    )]));
    let reply = get(&emu, "/fabrikam/_apis/connectionData").await;
    assert!(reply
        .header("www-authenticate")
        .is_some_and(|v| v.starts_with("Bearer authorization_uri=")));
    // 429 with and without Retry-After.
    emu.set_faults(Faults::rules([FaultRule::on(
        RequestKind::HooksList,
        Fault::Status {
            status: 429,
            retry_after_secs: Some(7),
        },
    )]));
    let limited = get(&emu, "/fabrikam/_apis/hooks/subscriptions").await;
    assert_eq!(
        (limited.status.as_u16(), limited.header("retry-after")),
        (429, Some("7"))
    );
    emu.set_faults(Faults::rules([FaultRule::on(
        RequestKind::HooksList,
        Fault::Status {
            status: 429,
            retry_after_secs: None,
        },
    )]));
    let limited = get(&emu, "/fabrikam/_apis/hooks/subscriptions").await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after"), None);
    assert_eq!(limited.header("x-ratelimit-reset"), None);
}

#[tokio::test]
async fn sign_in_pages_and_proxy_statuses_are_html() {
    let emu = with_rule(FaultRule::on(RequestKind::Projects, status(203))).await;
    let page = get(&emu, "/tfs/DefaultCollection/_apis/projects").await;
    assert_eq!(page.status, 203);
    assert!(page
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    assert!(page.text.contains("Azure DevOps Services | Sign In"));

    emu.set_faults(Faults::rules([FaultRule::on(
        RequestKind::Projects,
        status(302),
    )]));
    let moved = get(&emu, "/fabrikam/_apis/projects").await;
    assert_eq!(moved.status, 302);
    assert!(moved.header("location").unwrap().contains("/_signin?"));

    emu.set_faults(Faults::rules([FaultRule::on(
        RequestKind::Projects,
        status(407),
    )]));
    let proxy = get(&emu, "/fabrikam/_apis/projects").await;
    assert_eq!(proxy.status, 407);
    assert!(proxy
        .header("proxy-authenticate")
        .unwrap()
        .starts_with("Basic"));
}

#[tokio::test]
async fn times_and_skip_choose_which_matches_are_hit() {
    let emu = with_rule(
        FaultRule::on(RequestKind::Projects, status(503))
            .skip(1)
            .times(2),
    )
    .await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(get(&emu, "/fabrikam/_apis/projects").await.status.as_u16());
    }
    assert_eq!(statuses, [200, 503, 503, 200]);
}

#[tokio::test]
async fn path_patterns_and_methods_select_requests() {
    let emu =
        with_rule(FaultRule::on_path("*/fiber%20cloud/_apis/git/*", status(404)).method("get"))
            .await;
    assert_eq!(
        get(&emu, "/fabrikam/_apis/git/repositories").await.status,
        200
    );
    assert_eq!(
        get(&emu, "/fabrikam/Fiber%20Cloud/_apis/git/repositories")
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn truncated_bodies_are_well_formed_http_with_broken_json() {
    let emu = with_rule(FaultRule::on(RequestKind::Projects, Fault::Truncated)).await;
    let reply = get(&emu, "/fabrikam/_apis/projects").await;
    assert_eq!(reply.status, 200);
    assert!(reply.text.starts_with("{\"count\":"), "{}", reply.text);
    assert!(serde_json::from_str::<Value>(&reply.text).is_err());
    assert_eq!(
        reply.header("content-length").unwrap(),
        reply.text.len().to_string()
    );
}

#[tokio::test]
async fn a_reset_mid_body_fails_the_body_not_the_head() {
    let emu = with_rule(FaultRule::on(RequestKind::Repositories, Fault::Reset)).await;
    let url = format!("{}/fabrikam/_apis/git/repositories", emu.base_url());
    let response = client()
        .get(&url)
        .basic_auth("", Some(FULL))
        .send()
        .await
        .expect("the head arrives");
    assert_eq!(response.status(), 200);
    let declared: usize = response.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(declared > 100);
    assert!(response.bytes().await.is_err(), "the body is cut");
    // The next connection works.
    assert_eq!(get(&emu, "/fabrikam/_apis/projects").await.status, 200);
}

#[tokio::test]
async fn huge_bodies_are_served_chunked_or_with_their_length() {
    let emu = with_rule(FaultRule::on(
        RequestKind::ConnectionData,
        Fault::HugeBody {
            bytes: ado_emulator::faults::HUGE_BODY_BYTES,
            declare_length: false,
        },
    ))
    .await;
    let url = format!("{}/fabrikam/_apis/connectionData", emu.base_url());
    let mut response = client()
        .get(&url)
        .basic_auth("", Some(FULL))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers().get("content-length"), None);
    let mut total = 0usize;
    while let Some(chunk) = response.chunk().await.unwrap() {
        total += chunk.len();
    }
    assert_eq!(total, 50 * 1024 * 1024);

    emu.set_faults(Faults::rules([FaultRule::on(
        RequestKind::ConnectionData,
        Fault::HugeBody {
            bytes: 1000,
            declare_length: true,
        },
    )]));
    let reply = get(&emu, "/fabrikam/_apis/connectionData").await;
    assert_eq!(reply.header("content-length"), Some("1000"));
    assert_eq!(reply.json()["count"], 0);
}

#[tokio::test]
async fn a_hanging_request_is_never_answered() {
    let emu = with_rule(FaultRule::on(RequestKind::HooksCreate, Fault::Hang)).await;
    let started = Instant::now();
    let result = client()
        .post(format!(
            "{}/fabrikam/_apis/hooks/subscriptions?api-version=7.1",
            emu.base_url()
        ))
        .basic_auth("", Some(FULL))
        .json(&json!({}))
        .timeout(Duration::from_millis(400))
        .send()
        .await;
    let error = result.expect_err("no answer");
    assert!(error.is_timeout(), "{error:?}");
    assert!(started.elapsed() >= Duration::from_millis(400));
    // Other requests are answered meanwhile, and shutdown ends the hang promptly.
    assert_eq!(get(&emu, "/fabrikam/_apis/projects").await.status, 200);
    let started = Instant::now();
    emu.shutdown().await;
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn a_closed_connection_has_no_answer() {
    let emu = with_rule(FaultRule::on(RequestKind::HooksDelete, Fault::Close)).await;
    let result = client()
        .delete(format!(
            "{}/fabrikam/_apis/hooks/subscriptions/{}?api-version=7.1",
            emu.base_url(),
            uuid::Uuid::new_v4()
        ))
        .basic_auth("", Some(FULL))
        .send()
        .await;
    let error = result.expect_err("no answer");
    assert!(!error.is_timeout() && error.status().is_none(), "{error:?}");
}

#[tokio::test]
async fn refusing_closes_the_port_after_the_armed_request() {
    let emu = with_rule(FaultRule::on(
        RequestKind::ConnectionData,
        Fault::Refuse { for_ms: None },
    ))
    .await;
    let reply = get(&emu, "/fabrikam/_apis/connectionData").await;
    assert_eq!(reply.status, 200, "the armed request is answered");
    assert_eq!(reply.header("connection"), Some("close"));
    let url = format!("{}/fabrikam/_apis/projects", emu.base_url());
    let error = client().get(&url).send().await.expect_err("refused");
    assert!(error.is_connect(), "{error:?}");
    // Changing the faults listens again on the same port.
    emu.set_faults(Faults::none());
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(get(&emu, "/fabrikam/_apis/projects").await.status, 200);
    // So does the library switch, and a time limit.
    emu.refuse_connections(true);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(client().get(&url).send().await.unwrap_err().is_connect());
    emu.refuse_connections(false);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(get(&emu, "/fabrikam/_apis/projects").await.status, 200);
    emu.set_faults(Faults::rules([FaultRule::on(
        RequestKind::Projects,
        Fault::Refuse { for_ms: Some(300) },
    )]));
    assert_eq!(get(&emu, "/fabrikam/_apis/projects").await.status, 200);
    assert!(client().get(&url).send().await.unwrap_err().is_connect());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        get(&emu, "/fabrikam/_apis/connectionData").await.status,
        200
    );
}

#[tokio::test]
async fn the_entra_token_endpoint_gets_only_rules_that_name_it() {
    let emu = start(Config {
        faults: Faults {
            fail_every: 1,
            ..Faults::none()
        },
        ..Config::default()
    })
    .await;
    let token_url = format!("{}/organizations/oauth2/v2.0/token", emu.base_url());
    let form = [("grant_type", "client_credentials")];
    let reply = client().post(&token_url).form(&form).send().await.unwrap();
    assert_eq!(reply.status(), 400, "global faults never touch Entra");
    emu.set_faults(Faults::rules([FaultRule::on(
        RequestKind::Token,
        status(503),
    )]));
    let reply = client().post(&token_url).form(&form).send().await.unwrap();
    assert_eq!(reply.status(), 503);
    let body: Value = reply.json().await.unwrap();
    assert_eq!(body["error"], "temporarily_unavailable");
    emu.set_faults(Faults::rules([FaultRule::on(
        RequestKind::Token,
        Fault::Truncated,
    )]));
    let text = client()
        .post(&token_url)
        .form(&form)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
    emu.set_faults(Faults::rules([FaultRule::on(
        RequestKind::Token,
        Fault::Close,
    )]));
    let error = transport_error(&token_url).await;
    assert!(!error.contains("timed out"), "{error}");
}

#[tokio::test]
async fn rules_are_set_and_read_over_the_control_endpoints() {
    let emu = demo().await;
    let control = format!("{}/_emulator", emu.base_url());
    let http = client();
    let added = http
        .post(format!("{control}/faults/rules"))
        .json(&json!("hooksCreate=429;retryAfter=none;times=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 200);
    let added = http
        .post(format!("{control}/faults/rules"))
        .json(&json!({"kind": "projects", "fault": "status", "status": 401}))
        .send()
        .await
        .unwrap();
    let faults: Value = added.json().await.unwrap();
    assert_eq!(faults["rules"].as_array().unwrap().len(), 2);
    assert_eq!(emu.faults().rules.len(), 2);
    assert_eq!(get(&emu, "/fabrikam/_apis/projects").await.status, 401);
    let bad = http
        .post(format!("{control}/faults/rules"))
        .json(&json!("projects=200"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let message: Value = bad.json().await.unwrap();
    assert!(message["message"]
        .as_str()
        .unwrap()
        .contains("203, 302 or 400-599"));
    let log: Value = http
        .get(format!("{control}/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(log["value"][0]["kind"], "projects");
    assert_eq!(log["value"][0]["fault"], "status 401");
    assert_eq!(
        http.delete(format!("{control}/faults"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(get(&emu, "/fabrikam/_apis/projects").await.status, 200);
    let replaced = http
        .post(format!("{control}/faults"))
        .json(&json!({"rules": [{"kind": "repositories", "fault": "reset"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(replaced.status(), 200);
    assert_eq!(emu.faults().rules[0].fault, Fault::Reset);
}

fn trusting(emu: &ado_emulator::Emulator) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(emu.ca_pem().unwrap().as_bytes()).unwrap();
    reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(ca)
        .build()
        .unwrap()
}

async fn handshake_error(emu: &ado_emulator::Emulator) -> String {
    let error = trusting(emu)
        .get(format!("{}/fabrikam/_apis/projects", emu.base_url()))
        .send()
        .await
        .expect_err("the handshake fails");
    format!("{:?}", error).to_ascii_lowercase()
}

#[tokio::test]
async fn certificate_faults_fail_even_a_client_trusting_the_ca() {
    let emu = start(Config {
        tls: true,
        tls_certificate: TlsCertificate::Expired,
        ..Config::default()
    })
    .await;
    assert!(handshake_error(&emu).await.contains("expired"));
    emu.set_tls_certificate(TlsCertificate::WrongHost);
    assert!(handshake_error(&emu).await.contains("notvalidforname"));
    emu.set_tls_certificate(TlsCertificate::UntrustedCa);
    assert!(handshake_error(&emu).await.contains("unknownissuer"));
    // Switched back over the control endpoint (a client that trusts anything can reach it).
    let anything = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    let set = anything
        .post(format!("{}/_emulator/tls", emu.base_url()))
        .json(&json!({"certificate": "valid"}))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    assert_eq!(emu.tls_certificate(), Some(TlsCertificate::Valid));
    let reply = trusting(&emu)
        .get(format!("{}/fabrikam/_apis/projects", emu.base_url()))
        .basic_auth("", Some(FULL))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
}

#[tokio::test]
async fn invalid_rules_are_refused_at_startup() {
    let error = ado_emulator::Emulator::spawn(Config {
        faults: Faults::rules([FaultRule::on(RequestKind::Projects, status(200))]),
        ..Config::default()
    })
    .await
    .expect_err("status 200 is no fault");
    assert!(error.to_string().contains("rules[0]"), "{error}");
}
