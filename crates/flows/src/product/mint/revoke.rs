//! Forget's revocation of exactly the minted PATs (the app's Forget, `mint --revoke`): each is
//! revoked with Azure DevOps by its recorded `authorizationId`, then what ADO Connect kept of it
//! goes too: the kept PAT (while it is still the minted one: a token pasted over it since is the
//! user's and stays), its expiry date and its record; and, once a kept PAT went, the product's
//! recorded pass (`product-cleared:{product}`). The next hand-off then finds the token missing
//! and offers to create or paste one, instead of handing over a token that answers 401.

use ado_client::api::tokens::{AuthorizationId, PatCallError, PatTokenError};
use ado_core::product::ProductProfile;
use secrecy::ExposeSecret as _;

use super::super::connector_secret_name;
use super::super::gate::{clearance_name, expiry_name};
use super::{
    call_refusal, failed, kept_records, plan_mint, record_name, token_sha256, tokens_client, Kept,
    MintRefusal,
};
use crate::{Connections, ProfileId};

/// Forget's revocation: revokes exactly the PATs ADO Connect minted for `profile` on this
/// connection (by their recorded `authorizationId`), forgets what was kept of them, and returns
/// their ids. Tokens the user pasted are never touched.
pub async fn revoke_minted(
    connections: &Connections,
    settings: &ado_auth::SignInSettings,
    connection_id: &ProfileId,
    profile: &ProductProfile,
) -> Result<Vec<String>, MintRefusal> {
    let saved = match connections.get(connection_id).map_err(failed)? {
        Some(saved) => saved,
        None => return Ok(Vec::new()),
    };
    let minted = kept_records(connections, &saved, profile).map_err(failed)?;
    if minted.is_empty() {
        return Ok(Vec::new());
    }
    let (client, saved) = tokens_client(connections, settings, connection_id, profile).await?;
    let key = crate::product::secrets_key(profile);
    let plan = plan_mint(profile, saved.target.scope_name(), None, 0);
    let mut revoked = Vec::new();
    let mut removed = Vec::new();
    for kept in minted {
        let id: AuthorizationId = kept.pat.authorization_id.parse().map_err(failed)?;
        match client.revoke_pat(id).await {
            // Already gone (revoked on the token page): nothing left to revoke.
            Ok(()) | Err(PatCallError::Refused(PatTokenError::AuthorizationNotFound)) => {}
            Err(e) => return Err(call_refusal(e, &plan)),
        }
        if forget(connections, &saved, &key, &kept)? {
            removed.push((kept.pat.connector.clone(), kept.pat.index));
        }
        revoked.push(kept.pat.authorization_id);
    }
    // Highest index first, so that closing one gap does not move another removed slot.
    removed.sort_by_key(|r| std::cmp::Reverse(r.1));
    for (connector, index) in &removed {
        close_gap(connections, &saved, &key, connector, *index)?;
    }
    if !removed.is_empty() {
        connections
            .remove_extra_secret(&saved, &clearance_name(&key))
            .map_err(failed)?;
    }
    Ok(revoked)
}

/// Forgets a revoked PAT's record, and its kept PAT and expiry date while the kept PAT is still
/// the minted one: the same SHA-256 (a record kept before the digest: the same expiry date).
/// True when the kept PAT was removed.
fn forget(
    connections: &Connections,
    saved: &crate::Profile,
    key: &str,
    kept: &Kept,
) -> Result<bool, MintRefusal> {
    let (connector, index) = (&kept.pat.connector, kept.pat.index);
    let slot = connector_secret_name(key, connector, index);
    let expiry = expiry_name(key, connector, index);
    let pat = connections.extra_secret(saved, &slot).map_err(failed)?;
    let minted = match (&pat, &kept.token_sha256) {
        (None, _) => false,
        (Some(pat), Some(digest)) => token_sha256(pat) == *digest,
        (Some(_), None) => connections
            .extra_secret(saved, &expiry)
            .map_err(failed)?
            .is_some_and(|date| kept.pat.valid_to.starts_with(date.expose_secret())),
    };
    if minted {
        connections
            .remove_extra_secret(saved, &slot)
            .map_err(failed)?;
        connections
            .remove_extra_secret(saved, &expiry)
            .map_err(failed)?;
    }
    connections
        .remove_extra_secret(saved, &record_name(key, connector, index))
        .map_err(failed)?;
    Ok(minted)
}

/// The kept PATs of a connector are read from index 0 up to the first missing one: the ones
/// after a removed slot (tokens pasted besides the minted one) move down one.
fn close_gap(
    connections: &Connections,
    saved: &crate::Profile,
    key: &str,
    connector: &str,
    index: usize,
) -> Result<(), MintRefusal> {
    let get = |name: &str| connections.extra_secret(saved, name).map_err(failed);
    let mut to = index;
    while let Some(pat) = get(&connector_secret_name(key, connector, to + 1))? {
        connections
            .put_extra_secret(saved, &connector_secret_name(key, connector, to), &pat)
            .map_err(failed)?;
        let expiry = expiry_name(key, connector, to);
        match get(&expiry_name(key, connector, to + 1))? {
            Some(date) => connections
                .put_extra_secret(saved, &expiry, &date)
                .map(|_| ()),
            None => connections.remove_extra_secret(saved, &expiry),
        }
        .map_err(failed)?;
        to += 1;
    }
    if to != index {
        for name in [
            connector_secret_name(key, connector, to),
            expiry_name(key, connector, to),
        ] {
            connections
                .remove_extra_secret(saved, &name)
                .map_err(failed)?;
        }
    }
    Ok(())
}
