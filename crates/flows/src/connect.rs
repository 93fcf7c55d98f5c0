//! Connect with a PAT: the one way a PAT connection is made. [`connect_with_pat`] is the wizard's
//! Verify button and the CLI's `--save`: validate the form, verify against the server, then save
//! the profile (with its [`ConnectOptions`]) and keep the PAT in the OS keyring, in one
//! [`Connections::save_connection`]. A saved connection is opened again by
//! [`crate::open::open_connection`]; the Entra ID sign-ins ([`crate::signin`]) end in the same
//! [`Connected`].
//!
//! A PAT is validated once, into a [`Pat`], and stays a secret from then on.

use ado_client::Credential;
use ado_core::checks::Problem;
use ado_core::target::{validate_pat, ConnectionTarget, InputError, TargetInput};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Serialize;

use crate::profiles::{AuthMethod, Connections, Profile, ProfileError};
use crate::secrets::Backend;
use crate::verify::{verify_connection, ConnectOptions, Verified};

/// A personal access token that passed validation (trimmed, one piece, ASCII). Its `Debug`
/// is redacted and it never leaves as plain text except into the `Authorization` header and
/// the keyring.
#[derive(Clone)]
pub struct Pat(SecretString);

impl Pat {
    /// Validates a pasted or piped token.
    pub fn parse(raw: &SecretString) -> Result<Pat, InputError> {
        validate_pat(raw.expose_secret()).map(|p| Pat(SecretString::from(p.to_string())))
    }

    /// The token, still secret.
    pub fn secret(&self) -> &SecretString {
        &self.0
    }

    /// The credential that sends it.
    pub fn credential(&self) -> Credential {
        Credential::Pat(self.0.clone())
    }
}

impl std::fmt::Debug for Pat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pat([redacted])")
    }
}

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
    /// The user consented to plain http to a server on another machine.
    pub allow_http: bool,
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

impl From<ConnectError> for crate::Error {
    fn from(e: ConnectError) -> Self {
        match e {
            ConnectError::Input(errors) => crate::Error::input(errors),
            ConnectError::Problem(p) => p.into(),
            ConnectError::Save(e) => e.into(),
        }
    }
}

/// Validates, verifies, then saves. Nothing is saved unless verification succeeds.
pub async fn connect_with_pat(
    connections: &Connections,
    request: PatConnectRequest,
    now_unix: u64,
) -> Result<Connected, ConnectError> {
    let target_result = request.target.validate();
    let pat_result = Pat::parse(&request.pat);
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
        trusted_ca_pem: request.trusted_ca_pem,
        proxy,
        allow_http: request.allow_http,
        request_timeout: None,
        server_api_version: None,
    };
    verify_and_save_pat(connections, &target, &pat, expires_on, &options, now_unix).await
}

/// The saved connection to `target`; on first use, the PAT `pat` gives is verified and saved with
/// `options`, as Verify does (nothing is saved unless it verifies). `true` when saved now.
pub async fn saved_or_verified(
    connections: &Connections,
    target: &ConnectionTarget,
    options: &ConnectOptions,
    expires_on: Option<String>,
    pat: impl FnOnce() -> Result<Pat, crate::Error>,
    now_unix: u64,
) -> Result<(Profile, bool), crate::Error> {
    if let Some(saved) = connections.get(&crate::profiles::profile_id(target))? {
        return Ok((saved, false));
    }
    let pat = pat()?;
    let connected =
        verify_and_save_pat(connections, target, &pat, expires_on, options, now_unix).await?;
    Ok((connected.profile, true))
}

/// Verifies a validated target and PAT, then saves the connection with its options in one
/// write. Nothing is saved unless verification succeeds.
pub async fn verify_and_save_pat(
    connections: &Connections,
    target: &ConnectionTarget,
    pat: &Pat,
    expires_on: Option<String>,
    options: &ConnectOptions,
    now_unix: u64,
) -> Result<Connected, ConnectError> {
    let verified = verify_connection(target, pat.credential(), options)
        .await
        .map_err(ConnectError::Problem)?;
    let profile = connections.save_connection(
        &verified,
        pat.secret(),
        AuthMethod::Pat { expires_on },
        options,
        now_unix,
    )?;
    Ok(connected(connections, verified, profile))
}

/// The answer to a successful connect.
pub(crate) fn connected(
    connections: &Connections,
    verified: Verified,
    profile: Profile,
) -> Connected {
    let backend = connections.secret_backend();
    Connected {
        verified,
        profile,
        secret_store: backend,
        secret_store_description: backend.description(),
    }
}
