//! Renew (a new PAT with the same scopes, checked and kept, then the old one revoked) and
//! Forget's revocation of exactly the minted PATs.

use ado_client::api::tokens::{AuthorizationId, PatCallError, PatTokenError};
use ado_client::Credential;
use ado_core::product::ProductProfile;
use secrecy::{ExposeSecret as _, SecretString};

use super::super::gate::{clear_saved, kept_pats, Clear, ConnectorPat, Outcome, SavedCheck};
use super::super::ProductEvent;
use super::{
    call_refusal, create, failed, minted_tokens, plan_mint, record, record_name, revoke_all,
    tokens_client, MintCode, MintRefusal, MintReport, MintRequest, MintedPat, PlannedPat,
};
use crate::{Connections, ProfileId};

fn mark_revoked(
    connections: &Connections,
    saved: &crate::Profile,
    key: &str,
    entry: &MintedPat,
) -> Result<(), MintRefusal> {
    let revoked = MintedPat {
        revoked: true,
        ..entry.clone()
    };
    let json = serde_json::to_string(&revoked).expect("a record serializes");
    connections
        .put_extra_secret(
            saved,
            &record_name(key, &entry.connector, entry.index),
            &SecretString::from(json),
        )
        .map(|_| ())
        .map_err(failed)
}

/// Renew: a new PAT with the same scopes and lifetime for `connector`, checked with the
/// product's checks together with the other kept PATs and kept; then the old one is revoked
/// (it fails with 401 from then on). The caller hands the new one off again.
pub async fn renew_token(
    connections: &Connections,
    settings: &ado_auth::SignInSettings,
    request: MintRequest,
    connector: &str,
    now_unix: u64,
    on_event: &(dyn Fn(&ProductEvent<'_>) + Sync),
) -> Result<MintReport, MintRefusal> {
    let old =
        minted_tokens(connections, &request.connection_id, &request.profile)
            .map_err(|p| MintRefusal::from_problem(MintCode::Failed, &p))?
            .into_iter()
            .find(|m| m.connector == connector)
            .ok_or_else(|| {
                MintRefusal::new(
            MintCode::Failed,
            format!("ADO Connect did not create the token of {connector}, so it cannot renew it."),
            "Create the tokens for this product first, or paste a new token.",
        )
            })?;
    // The home renews without the product step's choice: the one the token was checked on.
    let mut request = request;
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|v| v.trim().is_empty());
    if blank(&request.project) {
        request.project = old.project.clone();
    }
    if blank(&request.repository) {
        request.repository = old.repository.clone();
    }
    let (client, saved) = tokens_client(
        connections,
        settings,
        &request.connection_id,
        &request.profile,
    )
    .await?;
    let mut plan = plan_mint(
        &request.profile,
        saved.target.scope_name(),
        Some(request.lifetime_days.unwrap_or(old.lifetime_days)),
        now_unix,
    );
    plan.tokens.retain(|t| t.connector == connector);
    let Some(planned) = plan.tokens.first().cloned().map(|p| PlannedPat {
        scope_ids: old.scope.split(' ').map(str::to_string).collect(),
        index: old.index,
        ..p
    }) else {
        return Err(failed(format!("The product has no connector {connector}.")));
    };
    let token = create(&client, &mut plan, &planned, request.fit_lifetime, now_unix).await?;
    let Some(value) = token
        .token
        .as_ref()
        .map(|t| SecretString::from(t.expose_secret().to_string()))
    else {
        return Err(failed(
            "Azure DevOps created the token but did not return it.",
        ));
    };
    // The other kept PATs stay as they are; the new one takes the old one's place.
    let mut pats: Vec<ConnectorPat> = kept_pats(connections, &saved, &request.profile)
        .map_err(|p| MintRefusal::from_problem(MintCode::Failed, &p))?
        .into_iter()
        .filter(|c| !(c.connector == connector && c.index == old.index))
        .filter_map(|c| match c.credential {
            Credential::Pat(pat) => Some(ConnectorPat {
                connector: c.connector,
                index: c.index,
                pat,
                expires_on: c.expires_on,
            }),
            _ => None,
        })
        .collect();
    pats.push(ConnectorPat {
        connector: connector.to_string(),
        index: old.index,
        pat: value,
        expires_on: Some(plan.valid_to[..10].to_string()),
    });
    let check = SavedCheck {
        profile: request.profile.clone(),
        connection_id: request.connection_id.clone(),
        project: request.project.clone(),
        repository: request.repository.clone(),
        pats,
    };
    let report = match clear_saved(
        connections,
        settings,
        check,
        Clear::Always,
        now_unix,
        on_event,
    )
    .await
    {
        Ok(Outcome::Cleared(_, Some(report))) => report,
        Ok(Outcome::Refused(report)) => {
            revoke_all(&client, std::slice::from_ref(&token)).await;
            let problem = report.refusal();
            return Err(MintRefusal {
                fix: format!(
                    "{} The new token was revoked; the old one still works.",
                    problem.fix
                ),
                ..MintRefusal::from_problem(MintCode::ChecksFailed, &problem)
            });
        }
        Ok(Outcome::Cleared(_, None)) => unreachable!("Clear::Always runs the checks"),
        Err(problem) => {
            revoke_all(&client, std::slice::from_ref(&token)).await;
            return Err(MintRefusal::from_problem(MintCode::Failed, &problem));
        }
    };
    let key = crate::product::secrets_key(&request.profile);
    let entry = record(&planned, &token, &plan, &request);
    let json = serde_json::to_string(&entry).expect("a record serializes");
    connections
        .put_extra_secret(
            &saved,
            &record_name(&key, connector, old.index),
            &SecretString::from(json),
        )
        .map_err(failed)?;
    let old_id: AuthorizationId = old.authorization_id.parse().map_err(failed)?;
    client
        .revoke_pat(old_id)
        .await
        .map_err(|e| call_refusal(e, &plan))?;
    Ok(MintReport {
        connection_id: request.connection_id,
        plan,
        minted: vec![entry],
        revoked: vec![old.authorization_id],
        report,
    })
}

/// Forget's revocation: revokes exactly the PATs ADO Connect minted for `profile` on this
/// connection (by their recorded `authorizationId`) and returns their ids. Tokens the user
/// pasted are never touched.
pub async fn revoke_minted(
    connections: &Connections,
    settings: &ado_auth::SignInSettings,
    connection_id: &ProfileId,
    profile: &ProductProfile,
) -> Result<Vec<String>, MintRefusal> {
    let minted = minted_tokens(connections, connection_id, profile)
        .map_err(|p| MintRefusal::from_problem(MintCode::Failed, &p))?;
    if minted.is_empty() {
        return Ok(Vec::new());
    }
    let (client, saved) = tokens_client(connections, settings, connection_id, profile).await?;
    let key = crate::product::secrets_key(profile);
    let plan = plan_mint(profile, saved.target.scope_name(), None, 0);
    let mut revoked = Vec::new();
    for entry in minted {
        let id: AuthorizationId = entry.authorization_id.parse().map_err(failed)?;
        match client.revoke_pat(id).await {
            // Already gone (revoked on the token page): nothing left to revoke.
            Ok(()) | Err(PatCallError::Refused(PatTokenError::AuthorizationNotFound)) => {}
            Err(e) => return Err(call_refusal(e, &plan)),
        }
        mark_revoked(connections, &saved, &key, &entry)?;
        revoked.push(entry.authorization_id);
    }
    Ok(revoked)
}
