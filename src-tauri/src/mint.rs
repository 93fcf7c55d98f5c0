//! "Create the tokens for me" and the organization list (issue 20): thin commands over
//! `ado_flows::product::mint` and `ado_flows::organizations`. A refusal is an answer
//! (`{kind: "refused", refusal: {code, message, fix, offerDays, steps}}`), not an error, so the
//! page shows its own code and fix.

use ado_flows::organizations::{organizations_of, OrganizationChoice};
use ado_flows::product::mint::{
    self, consent, MintCode, MintPlan, MintRefusal, MintReport, MintRequest, MintedPat,
};
use ado_flows::product::ProductEvent;
use ado_flows::{signin, ProfileId};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tauri::ipc::Channel;
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt as _;

use crate::commands::now_unix;
use crate::error::CommandError;
use crate::product::ProductState;
use crate::state::AppState;

/// What minting answered.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum MintAnswer {
    /// Created (or renewed), checked and kept.
    Minted { report: Box<MintReport> },
    /// Refused: nothing is left behind.
    Refused { refusal: MintRefusal },
}

impl From<Result<MintReport, MintRefusal>> for MintAnswer {
    fn from(result: Result<MintReport, MintRefusal>) -> Self {
        match result {
            Ok(report) => MintAnswer::Minted {
                report: Box::new(report),
            },
            Err(refusal) => MintAnswer::Refused { refusal },
        }
    }
}

/// What the product step sends to mint or renew.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MintForm {
    profile_id: ProfileId,
    #[serde(default)]
    project: Option<String>,
    #[serde(default)]
    repository: Option<String>,
    #[serde(default)]
    lifetime_days: Option<u32>,
    #[serde(default)]
    fit_lifetime: bool,
    /// Renew: the connector whose PAT is replaced.
    #[serde(default)]
    connector: Option<String>,
}

fn given(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

/// The organizations the signed-in user belongs to (the saved connection's own marked current).
#[tauri::command]
pub async fn list_organizations(
    state: State<'_, AppState>,
    profile_id: ProfileId,
) -> Result<Vec<OrganizationChoice>, CommandError> {
    let (connections, settings) = (state.connections()?, signin::settings()?);
    Ok(organizations_of(connections, &settings, &profile_id).await?)
}

/// What "Create the tokens for me" will create, before it does.
#[tauri::command]
pub fn mint_plan(
    state: State<'_, AppState>,
    product: State<'_, ProductState>,
    profile_id: ProfileId,
    lifetime_days: Option<u32>,
) -> Result<MintPlan, CommandError> {
    let saved = state
        .connections()?
        .get(&profile_id)?
        .ok_or_else(|| ado_flows::connect::unknown_connection(&profile_id))?;
    Ok(mint::plan_mint(
        &product.profile()?,
        saved.target.scope_name(),
        lifetime_days,
        now_unix(),
    ))
}

/// Mints, or renews one connector's PAT.
async fn mint_or_renew(
    connections: &ado_flows::Connections,
    settings: &ado_flows::interface::SignInSettings,
    request: MintRequest,
    connector: Option<&str>,
    send: &(dyn Fn(&ProductEvent<'_>) + Sync),
) -> Result<MintReport, MintRefusal> {
    match connector {
        Some(connector) => {
            mint::renew_token(connections, settings, request, connector, now_unix(), send).await
        }
        None => mint::mint_tokens(connections, settings, request, now_unix(), send).await,
    }
}

/// Creates the product's PATs (or renews one connector's); `onEvent` gets each check. When
/// Microsoft wants the user to allow the tokens API's permission first (or the sign-in can no
/// longer be renewed), the interactive browser sign-in asking for exactly that permission runs
/// (`onEvent` gets `{kind: "consent", url}`: the link, should no browser open) and minting
/// continues once it is done.
#[tauri::command]
pub async fn mint_tokens(
    app: AppHandle,
    state: State<'_, AppState>,
    product: State<'_, ProductState>,
    form: MintForm,
    on_event: Channel<serde_json::Value>,
) -> Result<MintAnswer, CommandError> {
    let request = MintRequest {
        profile: product.profile()?,
        connection_id: form.profile_id,
        project: given(form.project),
        repository: given(form.repository),
        lifetime_days: form.lifetime_days,
        fit_lifetime: form.fit_lifetime,
    };
    let send =
        |event: &ProductEvent<'_>| drop(serde_json::to_value(event).map(|v| on_event.send(v)));
    let (connections, settings) = (state.connections()?, signin::settings()?);
    let connector = form.connector.as_deref();
    let mut result = mint_or_renew(connections, &settings, request.clone(), connector, &send).await;
    if let Err(refusal) = &result {
        if matches!(
            refusal.code,
            MintCode::ConsentRequired | MintCode::SignInAgain
        ) {
            let open = |url: &url::Url| {
                let _ = on_event.send(json!({ "kind": "consent", "url": url.to_string() }));
                if std::env::var_os("ADO_CONNECT_NO_BROWSER").is_none() {
                    if let Err(e) = app.opener().open_url(url.as_str(), None::<&str>) {
                        tracing::warn!(error = %e, "could not open the system browser; the link is shown instead");
                    }
                }
            };
            let consented = consent::consent_with_browser(
                connections,
                &settings,
                &request.connection_id,
                open,
                |c| state.keep_cancel(c),
                now_unix(),
            )
            .await;
            state.clear_cancel();
            result = match consented {
                Ok(()) => mint_or_renew(connections, &settings, request, connector, &send).await,
                Err(refusal) => Err(refusal),
            };
        }
    }
    Ok(result.into())
}

/// The PATs ADO Connect minted for the product on a connection, with their expiry.
#[tauri::command]
pub fn minted_tokens(
    state: State<'_, AppState>,
    product: State<'_, ProductState>,
    profile_id: ProfileId,
) -> Result<Vec<MintedPat>, CommandError> {
    Ok(mint::minted_tokens(
        state.connections()?,
        &profile_id,
        &product.profile()?,
    )?)
}

/// What Forget's revocation answered.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum RevokeAnswer {
    /// The authorizationIds revoked.
    Revoked { revoked: Vec<String> },
    /// Refused: the refusal's code and fix.
    Refused { refusal: MintRefusal },
}

/// Forget's revocation: exactly the minted PATs. When Microsoft wants the tokens API's
/// permission allowed first (or the sign-in renewed), the browser sign-in asking for it opens,
/// as when minting, and the revocation goes on.
#[tauri::command]
pub async fn revoke_minted(
    app: AppHandle,
    state: State<'_, AppState>,
    product: State<'_, ProductState>,
    profile_id: ProfileId,
) -> Result<RevokeAnswer, CommandError> {
    let (connections, settings) = (state.connections()?, signin::settings()?);
    let profile = product.profile()?;
    let mut result = mint::revoke_minted(connections, &settings, &profile_id, &profile).await;
    // Forget's dialog shows no link: without a browser to open, the refusal is the answer.
    let browser = std::env::var_os("ADO_CONNECT_NO_BROWSER").is_none();
    if let Err(refusal) = &result {
        if browser
            && matches!(
                refusal.code,
                MintCode::ConsentRequired | MintCode::SignInAgain
            )
        {
            let open = |url: &url::Url| {
                if let Err(e) = app.opener().open_url(url.as_str(), None::<&str>) {
                    tracing::warn!(error = %e, "could not open the system browser");
                }
            };
            let consented = consent::consent_with_browser(
                connections,
                &settings,
                &profile_id,
                open,
                |c| state.keep_cancel(c),
                now_unix(),
            )
            .await;
            state.clear_cancel();
            result = match consented {
                Ok(()) => mint::revoke_minted(connections, &settings, &profile_id, &profile).await,
                Err(refusal) => Err(refusal),
            };
        }
    }
    Ok(match result {
        Ok(revoked) => RevokeAnswer::Revoked { revoked },
        Err(refusal) => RevokeAnswer::Refused { refusal },
    })
}
