//! "Create the tokens for me" and the organization list (issue 20). A refusal is an answer
//! (`{kind: "refused", refusal: {code, message, fix, offerDays, steps}}`), not an error, so the
//! page shows its own code and fix.

use ado_flows::app::{App, MintAnswer, MintForm, RevokeAnswer};
use ado_flows::organizations::OrganizationChoice;
use ado_flows::product::mint::{MintPlan, MintedPat};
use ado_flows::ProfileId;
use serde_json::json;
use tauri::ipc::Channel;
use tauri::{AppHandle, State};

use crate::error::CommandError;
use crate::product::to_channel;
use crate::state::open_in_browser;

#[tauri::command]
pub async fn list_organizations(
    app: State<'_, App>,
    profile_id: ProfileId,
) -> Result<Vec<OrganizationChoice>, CommandError> {
    app.list_organizations(&profile_id).await
}

#[tauri::command]
pub async fn mint_plan(
    app: State<'_, App>,
    profile_id: ProfileId,
    lifetime_days: Option<u32>,
) -> Result<MintPlan, CommandError> {
    app.mint_plan(&profile_id, lifetime_days)
}

/// `onEvent` gets each check, and `{kind: "consent", url}` (the link, should no browser open)
/// when Microsoft asks for the permission first.
#[tauri::command]
pub async fn mint_tokens(
    handle: AppHandle,
    app: State<'_, App>,
    form: MintForm,
    on_event: Channel<serde_json::Value>,
) -> Result<MintAnswer, CommandError> {
    let open = |url: &url::Url| {
        drop(on_event.send(json!({ "kind": "consent", "url": url.to_string() })));
        open_in_browser(&handle, url.as_str());
    };
    app.mint_tokens(form, open, &to_channel(&on_event)).await
}

#[tauri::command]
pub async fn minted_tokens(
    app: State<'_, App>,
    profile_id: ProfileId,
) -> Result<Vec<MintedPat>, CommandError> {
    app.minted_tokens(&profile_id)
}

/// Forget's dialog shows no link: without a browser to open, the refusal is the answer.
#[tauri::command]
pub async fn revoke_minted(
    handle: AppHandle,
    app: State<'_, App>,
    profile_id: ProfileId,
) -> Result<RevokeAnswer, CommandError> {
    let browser = std::env::var_os("ADO_CONNECT_NO_BROWSER").is_none();
    let open = browser.then_some(|url: &url::Url| open_in_browser(&handle, url.as_str()));
    app.revoke_minted(&profile_id, open).await
}
