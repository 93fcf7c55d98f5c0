//! The organizations a signed-in user belongs to, for the Services form's list: the profile
//! API's `id` (`profiles/me`), then the accounts API (`accounts?memberId=`), both on
//! `app.vssps.visualstudio.com` (the emulator and sandboxes: their own origin).
//!
//! Needs a user's Microsoft sign-in (an Entra token with `vso.profile`, which `.default` has); a
//! PAT connection gets its own organization only (a PAT works on the organizations it was made
//! for, and the form keeps the typed name).

use ado_client::api::accounts::Account;
use ado_client::api::profile::profile_base;
use ado_client::AdoClient;
use ado_core::checks::Problem;
use serde::Serialize;

use crate::{AuthMethod, Connections, ProfileId};

/// One organization to pick.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationChoice {
    /// Its name (`dev.azure.com/{name}`).
    pub name: String,
    /// Its URL, as the service gave it.
    pub url: Option<String>,
    /// The saved connection's own organization (preselected).
    pub current: bool,
}

/// The organizations the signed-in user of a saved Microsoft sign-in belongs to, sorted by name,
/// the connection's own marked `current` (and listed even when the service leaves it out).
pub async fn organizations_of(
    connections: &Connections,
    settings: &ado_auth::SignInSettings,
    connection_id: &ProfileId,
) -> Result<Vec<OrganizationChoice>, crate::Error> {
    let opened = crate::open_connection(connections, connection_id, settings).await?;
    let own = opened.profile.target.scope_name().to_string();
    let mut accounts: Vec<Account> = Vec::new();
    if matches!(opened.profile.auth, AuthMethod::Entra { .. }) {
        let base = profile_base(&opened.profile.target.api_base());
        let client = AdoClient::new(
            opened
                .options()
                .client_config(base, opened.credential.clone()),
        )
        .map_err(|e| problem(&opened.profile.target, &e))?;
        let me = client
            .my_profile()
            .await
            .map_err(|e| problem(&opened.profile.target, &e))?;
        accounts = client
            .accounts_of_member(me.id)
            .await
            .map_err(|e| problem(&opened.profile.target, &e))?;
    }
    let mut out: Vec<OrganizationChoice> = accounts
        .into_iter()
        .map(|a| OrganizationChoice {
            current: a.account_name.eq_ignore_ascii_case(&own),
            name: a.account_name,
            url: a.account_uri,
        })
        .collect();
    if !out.iter().any(|o| o.current) {
        out.push(OrganizationChoice {
            name: own,
            url: Some(opened.profile.target.api_base().to_string()),
            current: true,
        });
        out.sort_by_key(|o| o.name.to_lowercase());
    }
    Ok(out)
}

fn problem(target: &ado_core::target::ConnectionTarget, error: &ado_client::Error) -> Problem {
    ado_core::checks::diagnose(
        target,
        &crate::failure::probe_failure(ado_core::checks::Probe::ConnectionData, error),
    )
}
