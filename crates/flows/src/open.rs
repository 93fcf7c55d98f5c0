//! Open a saved connection: the one way the app's checks and hooks steps, the products' gate and
//! the CLI reach a connection saved earlier. [`open_connection`] takes the options from the
//! profile and the secret from the keyring (an Entra ID token is refreshed if it is about to
//! expire), and builds the client from both. A Server connection saved before its REST API
//! version was recorded learns it here, once (one `OPTIONS _apis`).
//!
//! It sits above [`crate::connect`] and [`crate::signin`]: both make connections, this reopens
//! them, so neither has to import the other.

use ado_client::{AdoClient, Credential};

use crate::profiles::{Connections, Profile, ProfileId};
use crate::verify::{client_for, ConnectOptions};

/// A saved connection, opened: its profile and a fresh credential.
#[derive(Debug, Clone)]
pub struct OpenConnection {
    /// The saved profile (target and options).
    pub profile: Profile,
    /// The credential from the keyring, refreshed if it was about to expire.
    pub credential: Credential,
}

impl OpenConnection {
    /// How to reach the server, as saved.
    pub fn options(&self) -> &ConnectOptions {
        &self.profile.options
    }

    /// The client for this connection, with its saved options.
    pub fn client(&self) -> Result<AdoClient, crate::Error> {
        Ok(client_for(
            &self.profile.target,
            self.credential.clone(),
            self.options(),
        )?)
    }
}

/// Opens a saved connection by profile id: the one way the app, the CLI and the hooks code
/// reach a saved connection.
pub async fn open_connection(
    connections: &Connections,
    profile_id: &ProfileId,
    settings: &ado_auth::SignInSettings,
) -> Result<OpenConnection, crate::Error> {
    let profile = connections.saved(profile_id)?;
    let credential = crate::signin::credential_for(
        connections,
        &profile,
        settings,
        std::time::SystemTime::now(),
    )
    .await?;
    let profile = remember_server_version(connections, profile, &credential).await;
    Ok(OpenConnection {
        profile,
        credential,
    })
}

/// A Server profile without its REST API version (saved by an older ADO Connect) gets it from
/// the server's resource locations and keeps it. Best effort: without it, the client learns the
/// version from the server's first out-of-range answer instead.
async fn remember_server_version(
    connections: &Connections,
    profile: Profile,
    credential: &Credential,
) -> Profile {
    let target = &profile.target;
    if target.deployment() != ado_core::target::Deployment::Server
        || profile.options.server_api_version.is_some()
    {
        return profile;
    }
    let Ok(client) = client_for(target, credential.clone(), &profile.options) else {
        return profile;
    };
    let Some(served) = crate::verify::read_versions(&client, target).await else {
        return profile;
    };
    let latest = served.latest;
    match connections.update_profile(&profile.id, |p| p.options.server_api_version = Some(latest)) {
        Ok(Some(updated)) => updated,
        _ => profile,
    }
}
