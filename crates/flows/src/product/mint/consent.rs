//! Incremental consent for minting: the interactive Microsoft sign-in that asks for exactly the
//! tokens API's permission (`499b84ac-…/user_impersonation`, plus `offline_access`), run only when
//! the silent exchange was refused because that permission needs the user (AADSTS65001
//! `invalid_grant`, `interaction_required`, `consent_required`) or the saved sign-in can no
//! longer be renewed.
//!
//! The sign-in re-saves the same connection (same target, its webhooks, kept PATs and minted
//! records untouched) with the new tokens, whose refresh token then carries the permission; a
//! plain sign-in keeps asking for nothing more than `.default`. The app runs
//! [`consent_with_browser`] and mints again; the CLI names [`cli_command`]
//! (`login --allow-minting`), which runs [`browser_sign_in`] or [`device_sign_in`].

use ado_auth::{BrowserOptions, CancellationToken, Scopes, SignInSettings};
use ado_core::target::ConnectionTarget;

use super::{failed, MintCode, MintRefusal, TOKENS_API_PERMISSION};
use crate::signin::{save_sign_in, BrowserSignIn, DeviceCodePrompt, DeviceSignIn};
use crate::{AuthMethod, ConnectError, ConnectOptions, Connected, Connections, ProfileId};

/// What the minting sign-in asks for: the tokens API's permission and a refresh token.
pub fn minting_scopes() -> Scopes {
    Scopes::azure_devops_delegated(&[TOKENS_API_PERMISSION])
        .expect("user_impersonation is a valid scope")
}

/// A browser sign-in asking for the minting permission (`login --allow-minting`, and the app's
/// consent step): verified and saved like any sign-in.
#[allow(clippy::too_many_arguments)]
pub async fn browser_sign_in(
    connections: &Connections,
    target: &ConnectionTarget,
    settings: &SignInSettings,
    options: &ConnectOptions,
    login_hint: Option<&str>,
    open: impl FnOnce(&url::Url),
    keep_cancel: impl FnOnce(CancellationToken),
    now_unix: u64,
) -> Result<Connected, ConnectError> {
    let mut browser = BrowserOptions::default();
    if let Some(hint) = login_hint {
        browser = browser.with_login_hint(hint);
    }
    let pending =
        BrowserSignIn::start_with(target, settings, options, Some(minting_scopes()), browser)
            .await
            .map_err(ConnectError::Problem)?;
    keep_cancel(pending.cancel_token());
    open(pending.authorize_url());
    let signed_in = pending.finish().await;
    save_sign_in(connections, target, signed_in, options, now_unix).await
}

/// A device-code sign-in asking for the minting permission (`login --device-code
/// --allow-minting`).
pub async fn device_sign_in(
    connections: &Connections,
    target: &ConnectionTarget,
    settings: &SignInSettings,
    options: &ConnectOptions,
    show: impl FnOnce(DeviceCodePrompt),
    keep_cancel: impl FnOnce(CancellationToken),
    now_unix: u64,
) -> Result<Connected, ConnectError> {
    let pending = DeviceSignIn::start_with(target, settings, options, Some(minting_scopes()))
        .await
        .map_err(ConnectError::Problem)?;
    keep_cancel(pending.cancel_token());
    show(pending.prompt());
    let signed_in = pending.finish().await;
    save_sign_in(connections, target, signed_in, options, now_unix).await
}

/// The command that gives a saved connection the minting permission, for the CLI's refusal.
pub fn cli_command(target: &ConnectionTarget) -> String {
    let mut command = format!(
        "ado-connect-cli login --organization {} --allow-minting",
        target.scope_name()
    );
    let host = target.host_url().as_str();
    if host.trim_end_matches('/') != "https://dev.azure.com" {
        command.push_str(&format!(" --services-url {host}"));
    }
    command
}

/// The app's consent step: the interactive browser sign-in for the saved connection's own
/// account (`login_hint`), asking for exactly the minting permission; the connection is saved
/// again with the new tokens. Refused when another account signed in (nothing is minted for it).
pub async fn consent_with_browser(
    connections: &Connections,
    settings: &SignInSettings,
    connection_id: &ProfileId,
    open: impl FnOnce(&url::Url),
    keep_cancel: impl FnOnce(CancellationToken),
    now_unix: u64,
) -> Result<(), MintRefusal> {
    let saved = connections
        .saved(connection_id)
        .map_err(|e| MintRefusal::from_problem(MintCode::Failed, &e))?;
    if !matches!(saved.auth, AuthMethod::Entra { .. }) {
        return Err(failed(
            "Only a Microsoft sign-in can be given the permission to create tokens.",
        ));
    }
    let connected = browser_sign_in(
        connections,
        &saved.target,
        settings,
        &saved.options,
        saved.user_account.as_deref(),
        open,
        keep_cancel,
        now_unix,
    )
    .await
    .map_err(|e| match e {
        ConnectError::Problem(p) => MintRefusal {
            fix: format!(
                "{} Microsoft asks you to allow ADO Connect to manage your personal access tokens; or paste the tokens instead.",
                p.fix
            ),
            ..MintRefusal::from_problem(MintCode::ConsentRequired, &p)
        },
        other => failed(other),
    })?;
    if let (Some(before), Some(after)) = (&saved.user_account, &connected.profile.user_account) {
        if !before.eq_ignore_ascii_case(after) {
            return Err(MintRefusal::new(
                MintCode::ConsentRequired,
                format!("The browser signed in as {after}, not {before}: the connection is now {after}'s, and no token was created."),
                format!("Create the tokens as {after}, or sign in again as {before} (Sign in with Microsoft) and create them."),
            ));
        }
    }
    Ok(())
}
