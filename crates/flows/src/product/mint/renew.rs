//! Renew: a new PAT with the same scopes, checked and kept, then the old one revoked.

use ado_client::api::tokens::AuthorizationId;
use ado_client::Credential;
use secrecy::{ExposeSecret as _, SecretString};

use super::super::gate::{clear_saved, kept_pats, Clear, ConnectorPat, Outcome, SavedCheck};
use super::super::ProductEvent;
use super::{
    call_refusal, create, failed, keep_record, minted_tokens, plan_mint, record, revoke_all,
    tokens_client, MintCode, MintRefusal, MintReport, MintRequest, PlannedPat,
};
use crate::Connections;

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
    keep_record(connections, &saved, &key, &entry, token.token.as_ref())?;
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
