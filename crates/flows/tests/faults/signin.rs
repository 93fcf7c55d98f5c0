//! Faults on Microsoft Entra: the token endpoint of a service-principal sign-in, and the device
//! authorization and token endpoints of a device-code sign-in.

use std::time::Duration;

use ado_emulator::scenario::DEMO_USER_EMAIL;
use ado_emulator::{Config, Emulator};
use ado_flows::{ConnectOptions, Connections, SecretStore};
use secrecy::SecretString;

use crate::support::*;

/// The Entra token endpoint's fault, as an emulator rule on the `token` request kind (the
/// emulator answers these as Entra would: OAuth error JSON for statuses, see its README).
fn token_rule(fault: Fault) -> &'static str {
    match fault {
        Fault::Unauthorized401 => "token=401",
        Fault::HtmlPage203 => "token=203",
        Fault::SignInRedirect302 => "token=302",
        Fault::Forbidden403 => "token=403",
        Fault::NotFound404 => "token=404",
        Fault::ProxyAuth407 => "token=407",
        Fault::Throttled429WithRetryAfter => "token=429;retryAfter=1",
        Fault::Throttled429Bare => "token=429;retryAfter=none",
        Fault::Internal500 => "token=500",
        Fault::Unavailable503 => "token=503",
        Fault::ResetMidBody => "token=reset",
        Fault::TruncatedJson => "token=truncated",
        Fault::Huge50Mb => "token=hugeBody",
        Fault::NeverAnswers => "token=hang",
    }
}

/// The codes a token-endpoint fault may be classified as: Entra's refusals (an OAuth error
/// JSON: 401, 403, 404) are credentials; a 429 is `rate_limited` (told apart from a 5xx by its
/// HTTP status, which the auth error carries); a 5xx is `unexpected` ("Entra is unavailable, try
/// again later"), as for Azure DevOps, not the user's credentials; everything that is not an
/// answer from Entra at all is `unreachable` ("check the network and try again").
fn token_expected(fault: Fault) -> &'static [&'static str] {
    match fault {
        Fault::Unauthorized401 | Fault::Forbidden403 | Fault::NotFound404 => {
            &["invalid_credentials"]
        }
        Fault::Throttled429WithRetryAfter | Fault::Throttled429Bare => &["rate_limited"],
        Fault::Internal500 | Fault::Unavailable503 => &["unexpected"],
        _ => &["unreachable"],
    }
}

/// A service-principal sign-in (`signin::sign_in_as_service_principal`) whose token request
/// gets `fault`: a stable code, in time, and nothing saved (the profile file byte for byte as it
/// was, no profile listed). Each row has its own emulator (its rules are global).
async fn token_row(fault: Fault, store: SecretStore) -> Row {
    use ado_emulator::scenario::{DEMO_SP_CLIENT_ID, DEMO_SP_SECRET};
    use ado_emulator::Faults;
    let rule = token_rule(fault).parse().map_err(|e| format!("{e:?}"))?;
    let emu = Emulator::spawn(Config {
        faults: Faults::rules([rule]),
        ..Default::default()
    })
    .await
    .map_err(|e| e.to_string())?;
    let base = emu.base_url().to_string();
    let settings = ado_auth::SignInSettings::from_lookup(|name| {
        (name == "ADO_CONNECT_AUTHORITY").then(|| base.clone())
    })
    .map_err(|e| e.to_string())?;
    let target = ado_flows::signin::services_target("fabrikam", &format!("{base}/"))
        .map_err(|e| format!("{e:?}"))?;
    let dir = tempfile::tempdir().unwrap();
    let before = br#"{"version":2,"connections":[]}"#;
    std::fs::write(dir.path().join("connections.json"), before).unwrap();
    let connections = Connections::new(dir.path(), store);
    let secret = SecretString::from(DEMO_SP_SECRET.to_string());
    let result = ado_flows::signin::sign_in_as_service_principal(
        &connections,
        &target,
        &settings,
        ado_flows::signin::ServicePrincipalLogin {
            tenant: "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b",
            client_id: &DEMO_SP_CLIENT_ID.to_string(),
            secret: &secret,
        },
        &options(),
        0,
    )
    .await;
    let hit = emu.requests().iter().any(|r| r.fault.is_some());
    match result {
        Ok(connected) => {
            let _ = connections.remove(&connected.profile.id);
            Err("signed in despite the fault".into())
        }
        Err(ado_flows::ConnectError::Problem(p)) => {
            if !hit {
                return Err(format!("the fault never hit: {}", p.message));
            }
            unchanged(dir.path(), before)?;
            let listed = connections.list().map_err(|e| e.to_string())?;
            if !listed.is_empty() {
                return Err(format!("saved {} profiles", listed.len()));
            }
            let wait = match fault {
                Fault::Throttled429WithRetryAfter => Some("wait 1 second (Retry-After)"),
                Fault::Throttled429Bare => Some("throttling sign-ins"),
                Fault::Internal500 | Fault::Unavailable503 => Some("Entra ID is unavailable"),
                _ => None,
            };
            if let Some(words) = wait.filter(|w| !p.message.contains(w)) {
                return Err(format!("the message lacks {words:?}: {}", p.message));
            }
            let code = p.code.as_str();
            if token_expected(fault).contains(&code) {
                Ok(())
            } else {
                Err(format!(
                    "classified as {code}, expected one of {:?} ({})",
                    token_expected(fault),
                    p.message
                ))
            }
        }
        Err(other) => Err(format!("not a diagnosed problem: {other}")),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_on_the_entra_token_endpoint_is_classified_in_time_and_saves_nothing() {
    let Ok(store) = SecretStore::detect() else {
        eprintln!("skipping: no keyring (run inside scripts/desktop-session.sh)");
        return;
    };
    let rows: Vec<RowFuture> = FAULTS
        .into_iter()
        .map(|fault| -> RowFuture {
            Box::pin(timed(
                format!("service-principal sign-in / token / {fault:?}"),
                token_row(fault, store.clone()),
            ))
        })
        .collect();
    run_rows(rows).await;
}

/// The device-code rows' request timeout. The polling tolerates three network failures in a row
/// (`ado_auth` device_code.rs) with `oauth2`'s doubling backoff (2 + 4 + 8 s after a 1 s
/// interval), so four hung polls take 4 x this + 15 s: it must stay well under [`BOUND`].
const DEVICE_REQUEST_TIMEOUT: Duration = Duration::from_secs(2);

/// The device-code rows: a fault (as the emulator's rules name it) and the codes it may be
/// classified as (see [`token_expected`]). `close` drops the connection without an answer.
fn device_faults() -> Vec<(ado_emulator::Fault, &'static [&'static str])> {
    use ado_emulator::Fault as F;
    let status = |status, retry_after_secs| F::Status {
        status,
        retry_after_secs,
    };
    vec![
        (status(429, Some(1)), &["rate_limited"]),
        (status(500, None), &["unexpected"]),
        (status(503, None), &["unexpected"]),
        (F::Hang, &["unreachable"]),
        (F::Reset, &["unreachable"]),
        (F::Close, &["unreachable"]),
        (F::Truncated, &["unreachable"]),
    ]
}

/// What the error text must never hold: the emulator's device codes start with this (Entra's
/// start alike), and its access tokens are JWTs (`eyJ…`).
const DEVICE_SECRETS: [&str; 2] = ["DAQABAAEAAAD", "eyJ"];

/// A device-code sign-in (`signin::sign_in_with_device_code`, the user approving at once) whose
/// `kind` requests get `fault`: a stable code from `expected`, in time, no secret in the error
/// text, and nothing saved. Each row has its own emulator (its rules are global).
async fn device_row(
    kind: ado_emulator::RequestKind,
    fault: ado_emulator::Fault,
    expected: &'static [&'static str],
    store: SecretStore,
) -> Row {
    use ado_emulator::{EntraConfig, FaultRule, Faults};
    let throttled = matches!(fault, ado_emulator::Fault::Status { status: 429, .. });
    let emu = Emulator::spawn(Config {
        faults: Faults::rules([FaultRule::on(kind, fault)]),
        entra: EntraConfig {
            device_code_interval_secs: 1,
            ..Default::default()
        },
        ..Default::default()
    })
    .await
    .map_err(|e| e.to_string())?;
    let base = emu.base_url().to_string();
    let settings = ado_auth::SignInSettings::from_lookup(|name| {
        (name == "ADO_CONNECT_AUTHORITY").then(|| base.clone())
    })
    .map_err(|e| e.to_string())?;
    let target = ado_flows::signin::services_target("fabrikam", &format!("{base}/"))
        .map_err(|e| format!("{e:?}"))?;
    let dir = tempfile::tempdir().unwrap();
    let before = br#"{"version":2,"connections":[]}"#;
    std::fs::write(dir.path().join("connections.json"), before).unwrap();
    let connections = Connections::new(dir.path(), store);
    let entra = emu.entra();
    let options = ConnectOptions {
        request_timeout: Some(DEVICE_REQUEST_TIMEOUT),
        ..Default::default()
    };
    let result = ado_flows::signin::sign_in_with_device_code(
        &connections,
        &target,
        &settings,
        &options,
        // Approved at once: without the fault, the first poll would sign in.
        move |prompt| drop(entra.approve_device_code(&prompt.user_code, DEMO_USER_EMAIL)),
        |_| {},
        0,
    )
    .await;
    let hit = emu.requests().iter().any(|r| r.fault.is_some());
    let p = match result {
        Ok(connected) => {
            let _ = connections.remove(&connected.profile.id);
            return Err("signed in despite the fault".into());
        }
        Err(ado_flows::ConnectError::Problem(p)) => p,
        Err(other) => return Err(format!("not a diagnosed problem: {other}")),
    };
    if !hit {
        return Err(format!("the fault never hit: {}", p.message));
    }
    unchanged(dir.path(), before)?;
    let listed = connections.list().map_err(|e| e.to_string())?;
    if !listed.is_empty() {
        return Err(format!("saved {} profiles", listed.len()));
    }
    let text = format!("{p:?}");
    if let Some(secret) = DEVICE_SECRETS.iter().find(|s| text.contains(*s)) {
        return Err(format!("the error text holds a secret ({secret}…): {text}"));
    }
    if throttled && !p.message.contains("wait 1 second (Retry-After)") {
        return Err(format!(
            "the wait Entra asked for is not named: {}",
            p.message
        ));
    }
    let code = p.code.as_str();
    if expected.contains(&code) {
        Ok(())
    } else {
        Err(format!(
            "classified as {code}, expected one of {expected:?} ({})",
            p.message
        ))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_on_the_device_code_endpoints_is_classified_in_time_and_leaks_nothing() {
    use ado_emulator::RequestKind;
    let Ok(store) = SecretStore::detect() else {
        eprintln!("skipping: no keyring (run inside scripts/desktop-session.sh)");
        return;
    };
    let mut rows: Vec<RowFuture> = Vec::new();
    for (kind, name) in [
        (RequestKind::DeviceCode, "device authorization"),
        (RequestKind::Token, "token polling"),
    ] {
        for (fault, expected) in device_faults() {
            rows.push(Box::pin(timed(
                format!("device-code sign-in / {name} / {fault:?}"),
                device_row(kind, fault, expected, store.clone()),
            )));
        }
    }
    run_rows(rows).await;
}
