//! Connect with a PAT: validate the form, verify against the server, then save the profile and
//! keep the PAT in the OS keyring. What the wizard's Verify button and `--save` do.

use ado_client::Credential;
use ado_core::checks::Problem;
use ado_core::target::{validate_pat, InputError, TargetInput};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Serialize;

use crate::profiles::{Connections, Profile, ProfileError};
use crate::secrets::Backend;
use crate::verify::{verify_connection, ConnectOptions, Verified};

/// The form the user filled in.
pub struct PatConnectRequest {
    /// Where to connect, unvalidated.
    pub target: TargetInput,
    /// The PAT as pasted.
    pub pat: SecretString,
    /// The expiry date the user entered, `YYYY-MM-DD`, for reminders.
    pub expires_on: Option<String>,
    /// A CA (PEM) to trust for this connection only.
    pub trusted_ca_pem: Option<String>,
    /// An explicit proxy for this connection.
    pub proxy: Option<String>,
}

/// A verified and saved connection.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Connected {
    /// What the server said.
    pub verified: Verified,
    /// The saved profile.
    pub profile: Profile,
    /// Where the PAT went.
    pub secret_store: Backend,
    /// The store's description for the user.
    pub secret_store_description: &'static str,
}

/// Why connecting failed.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// Fields to fix before anything is sent.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Input(Vec<InputError>),
    /// The server (or the way to it) said no.
    #[error("{}", .0.message)]
    Problem(Problem),
    /// Verified, but the profile or the secret could not be saved.
    #[error(transparent)]
    Save(#[from] ProfileError),
}

/// Validates, verifies, then saves. Nothing is saved unless verification succeeds.
pub async fn connect_with_pat(
    connections: &Connections,
    request: PatConnectRequest,
    now_unix: u64,
) -> Result<Connected, ConnectError> {
    let target_result = request.target.validate();
    let pat_result =
        validate_pat(request.pat.expose_secret()).map(|p| SecretString::from(p.to_string()));
    let proxy_result =
        ado_core::target::validate_proxy(request.proxy.as_deref().unwrap_or_default());
    let expiry_result = request
        .expires_on
        .as_deref()
        .map(ado_core::target::validate_date)
        .transpose();
    let (target, pat, expires_on, proxy) =
        match (target_result, pat_result, expiry_result, proxy_result) {
            (Ok(t), Ok(p), Ok(e), Ok(x)) => (t, p, e, x),
            (t, p, e, x) => {
                let mut errors = t.err().unwrap_or_default();
                errors.extend(p.err());
                errors.extend(e.err());
                errors.extend(x.err());
                return Err(ConnectError::Input(errors));
            }
        };
    let options = ConnectOptions {
        trusted_ca_pem: request.trusted_ca_pem.clone(),
        proxy: proxy.clone(),
    };
    let verified = verify_connection(&target, Credential::Pat(pat.clone()), &options)
        .await
        .map_err(ConnectError::Problem)?;
    let mut profile = connections.save_pat_connection(
        &verified,
        &pat,
        expires_on,
        request.trusted_ca_pem,
        now_unix,
    )?;
    if profile.proxy != proxy {
        if let Some(updated) =
            connections.update_profile(&profile.id, |p| p.proxy = proxy.clone())?
        {
            profile = updated;
        }
    }
    let backend = connections.secret_backend();
    Ok(Connected {
        verified,
        profile,
        secret_store: backend,
        secret_store_description: backend.description(),
    })
}
