//! Connection profiles: everything about a connection except its secrets, as JSON in the app's
//! config directory (`$ADO_CONNECT_CONFIG_DIR`, else `~/.config/ado-connect`). Shared by the app
//! and the CLI. The secret's place in the keyring is recorded by name only.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use ado_core::target::ConnectionTarget;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::secrets::{Backend, SecretError, SecretStore};
use crate::verify::{User, Verified};

/// A saved connection. Holds no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// Stable id derived from the target, e.g. `server-tfs-8080-tfs-defaultcollection`.
    pub id: String,
    /// The name the user gave it; `None` shows a name made from the target (see `crate::home`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What the connection points at.
    pub target: ConnectionTarget,
    /// How it authenticates.
    pub auth: AuthMethod,
    /// Who it signed in as when it was verified.
    pub user_display_name: String,
    /// Their account, if known.
    pub user_account: Option<String>,
    /// When it was last verified (seconds since the Unix epoch).
    pub verified_at: u64,
    /// The keyring key holding the secret (under service `ado-connect`).
    pub secret_key: String,
    /// A CA certificate (PEM) trusted for this connection only. Public data, not a secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_ca_pem: Option<String>,
    /// An explicit proxy for this connection (credentials in it are refused: see `connect`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// Other keyring keys this connection owns (a service principal's secret, a webhook secret),
    /// so that removing the connection removes them too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_secret_keys: Vec<String>,
    /// Service-hook subscriptions this app created or adopted for this connection: exactly what
    /// "remove" deletes (see `crate::hooks`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hooks: Vec<ado_core::webhook::RecordedHook>,
}

/// How a connection authenticates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "camelCase")]
pub enum AuthMethod {
    /// A personal access token.
    #[serde(rename_all = "camelCase")]
    Pat {
        /// The expiry date the user entered (`YYYY-MM-DD`), for reminders.
        expires_on: Option<String>,
    },
    /// Microsoft Entra ID sign-in (browser or device code); tokens in the keyring.
    #[serde(rename_all = "camelCase")]
    Entra {
        /// The tenant signed in to.
        tenant: String,
        /// The public client used.
        client_id: String,
    },
    /// A service principal (client credentials); its secret in the keyring.
    #[serde(rename_all = "camelCase")]
    ServicePrincipal {
        /// Its tenant.
        tenant: String,
        /// Its application (client) id.
        client_id: String,
    },
}

impl AuthMethod {
    fn key_prefix(&self) -> &'static str {
        match self {
            AuthMethod::Pat { .. } => "pat",
            AuthMethod::Entra { .. } => "oauth",
            AuthMethod::ServicePrincipal { .. } => "sp-token",
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct ProfilesFile {
    version: u32,
    connections: Vec<Profile>,
}

/// Errors reading or writing profiles.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The file could not be read or written.
    #[error("could not {action} {path}: {source}")]
    Io {
        /// What we tried.
        action: &'static str,
        /// Where.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not the JSON we write.
    #[error("{path} is damaged ({detail}); move it aside and verify the connection again")]
    Corrupt {
        /// Where.
        path: PathBuf,
        /// What the parser said.
        detail: String,
    },
    /// The keyring failed.
    #[error(transparent)]
    Secret(#[from] SecretError),
}

/// The profile file and the secret store together: saving or removing a connection touches both.
#[derive(Debug, Clone)]
pub struct Connections {
    dir: PathBuf,
    secrets: SecretStore,
}

impl Connections {
    /// The default config directory: `$ADO_CONNECT_CONFIG_DIR`, else `{config dir}/ado-connect`.
    pub fn default_dir() -> PathBuf {
        std::env::var_os("ADO_CONNECT_CONFIG_DIR")
            .map(PathBuf::from)
            .or_else(|| dirs::config_dir().map(|d| d.join("ado-connect")))
            .unwrap_or_else(|| PathBuf::from(".ado-connect"))
    }

    /// Profiles in `dir`, secrets in `secrets`.
    pub fn new(dir: impl Into<PathBuf>, secrets: SecretStore) -> Self {
        Connections {
            dir: dir.into(),
            secrets,
        }
    }

    /// Where profiles are kept.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Which secret store is in use.
    pub fn secret_backend(&self) -> Backend {
        self.secrets.backend()
    }

    fn file(&self) -> PathBuf {
        self.dir.join("connections.json")
    }

    /// Every saved profile.
    pub fn list(&self) -> Result<Vec<Profile>, ProfileError> {
        Ok(self.read()?.connections)
    }

    fn read(&self) -> Result<ProfilesFile, ProfileError> {
        let path = self.file();
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| ProfileError::Corrupt {
                path,
                detail: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ProfilesFile {
                version: 1,
                connections: Vec::new(),
            }),
            Err(source) => Err(ProfileError::Io {
                action: "read",
                path,
                source,
            }),
        }
    }

    /// Writes the file atomically (temp file, then rename), so a crash never leaves half a file.
    fn write(&self, file: &ProfilesFile) -> Result<(), ProfileError> {
        let path = self.file();
        let io = |action, source| ProfileError::Io {
            action,
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(&self.dir).map_err(|e| io("create the directory of", e))?;
        let tmp = self.dir.join(".connections.json.tmp");
        let json = serde_json::to_vec_pretty(file).expect("profiles always serialize");
        let mut f = std::fs::File::create(&tmp).map_err(|e| io("write", e))?;
        f.write_all(&json)
            .and_then(|_| f.sync_all())
            .map_err(|e| io("write", e))?;
        std::fs::rename(&tmp, &path).map_err(|e| io("replace", e))
    }

    /// Saves a verified PAT connection (see [`Connections::save_connection`]).
    pub fn save_pat_connection(
        &self,
        verified: &Verified,
        pat: &SecretString,
        expires_on: Option<String>,
        trusted_ca_pem: Option<String>,
        now_unix: u64,
    ) -> Result<Profile, ProfileError> {
        self.save_connection(
            verified,
            pat,
            AuthMethod::Pat { expires_on },
            trusted_ca_pem,
            now_unix,
        )
    }

    /// Saves a verified connection: the secret (PAT or token set) into the keyring first, then
    /// the profile. If the profile cannot be written, the secret is removed again, so nothing is
    /// left half-saved. Saving the same target again replaces it.
    pub fn save_connection(
        &self,
        verified: &Verified,
        secret: &SecretString,
        auth: AuthMethod,
        trusted_ca_pem: Option<String>,
        now_unix: u64,
    ) -> Result<Profile, ProfileError> {
        let id = profile_id(&verified.target);
        let secret_key = format!("{}:{id}", auth.key_prefix());
        let previous = self.read()?.connections.into_iter().find(|p| p.id == id);
        self.secrets.put(&secret_key, secret)?;
        let User {
            display_name,
            account,
            ..
        } = &verified.user;
        let profile = Profile {
            id: id.clone(),
            name: previous.as_ref().and_then(|p| p.name.clone()),
            target: verified.target.clone(),
            auth,
            user_display_name: display_name.clone(),
            user_account: account.clone(),
            verified_at: now_unix,
            secret_key: secret_key.clone(),
            trusted_ca_pem,
            proxy: previous.as_ref().and_then(|p| p.proxy.clone()),
            extra_secret_keys: previous
                .as_ref()
                .map(|p| p.extra_secret_keys.clone())
                .unwrap_or_default(),
            hooks: previous
                .as_ref()
                .map(|p| p.hooks.clone())
                .unwrap_or_default(),
        };
        let result = self.read().and_then(|mut file| {
            file.version = 1;
            file.connections.retain(|p| p.id != id);
            file.connections.push(profile.clone());
            self.write(&file)
        });
        if let Err(e) = result {
            let _ = self.secrets.delete(&secret_key);
            return Err(e);
        }
        // A different method before (e.g. PAT, now Entra): its old secret is no longer needed.
        if let Some(old) = previous.filter(|p| p.secret_key != secret_key) {
            let _ = self.secrets.delete(&old.secret_key);
        }
        Ok(profile)
    }

    /// Replaces the main secret of a profile (a refreshed token set).
    pub fn replace_secret(
        &self,
        profile: &Profile,
        secret: &SecretString,
    ) -> Result<(), ProfileError> {
        Ok(self.secrets.put(&profile.secret_key, secret)?)
    }

    /// Deletes the main secret of a profile but keeps the profile (sign-in again needed).
    pub fn forget_secret(&self, profile: &Profile) -> Result<(), ProfileError> {
        Ok(self.secrets.delete(&profile.secret_key)?)
    }

    /// Stores another secret the connection owns (`name` e.g. `sp-secret`, `hook-secret`),
    /// records its key in the profile, and returns the updated profile.
    pub fn put_extra_secret(
        &self,
        profile: &Profile,
        name: &str,
        secret: &SecretString,
    ) -> Result<Profile, ProfileError> {
        let key = format!("{name}:{}", profile.id);
        self.secrets.put(&key, secret)?;
        let mut file = self.read()?;
        let mut updated = profile.clone();
        if let Some(p) = file.connections.iter_mut().find(|p| p.id == profile.id) {
            if !p.extra_secret_keys.contains(&key) {
                p.extra_secret_keys.push(key);
            }
            updated = p.clone();
        }
        self.write(&file)?;
        Ok(updated)
    }

    /// Reads another secret of the connection.
    pub fn extra_secret(
        &self,
        profile: &Profile,
        name: &str,
    ) -> Result<Option<SecretString>, ProfileError> {
        Ok(self.secrets.get(&format!("{name}:{}", profile.id))?)
    }

    /// Changes one saved profile in place (read, `change`, atomic write) and returns it as
    /// saved; `None` when no profile has this id.
    pub fn update_profile(
        &self,
        id: &str,
        change: impl FnOnce(&mut Profile),
    ) -> Result<Option<Profile>, ProfileError> {
        let mut file = self.read()?;
        let Some(profile) = file.connections.iter_mut().find(|p| p.id == id) else {
            return Ok(None);
        };
        change(profile);
        let saved = profile.clone();
        self.write(&file)?;
        Ok(Some(saved))
    }

    /// The secret of a saved profile.
    pub fn secret_of(&self, profile: &Profile) -> Result<Option<SecretString>, ProfileError> {
        Ok(self.secrets.get(&profile.secret_key)?)
    }

    /// Removes a profile and every secret it stored. Removing an unknown id is not an error.
    pub fn remove(&self, id: &str) -> Result<bool, ProfileError> {
        let mut file = self.read()?;
        let Some(profile) = file.connections.iter().find(|p| p.id == id).cloned() else {
            return Ok(false);
        };
        self.secrets.delete(&profile.secret_key)?;
        for key in &profile.extra_secret_keys {
            self.secrets.delete(key)?;
        }
        file.connections.retain(|p| p.id != id);
        self.write(&file)?;
        Ok(true)
    }
}

/// Reminders for saved PATs that expire within 14 days (or have expired), naming the connection.
pub fn expiry_reminders(profiles: &[Profile], now_unix: u64) -> Vec<String> {
    profiles
        .iter()
        .filter_map(|p| match &p.auth {
            AuthMethod::Pat {
                expires_on: Some(date),
            } => ado_core::target::pat_expiry_reminder(date, now_unix, 14)
                .map(|r| format!("{} ({}): {r}", p.target.scope_name(), p.target.host_url())),
            _ => None,
        })
        .collect()
}

/// A readable, stable id for a target: `server-{host}-{port}-{vdir}-{collection}` or
/// `services-{host}-{organization}`, lowercased, with anything else folded to `-`.
pub fn profile_id(target: &ConnectionTarget) -> String {
    let url = target.host_url();
    let raw = format!(
        "{}-{}-{}-{}-{}",
        match target.deployment() {
            ado_core::target::Deployment::Services => "services",
            ado_core::target::Deployment::Server => "server",
        },
        url.host_str().unwrap_or_default(),
        url.port().map(|p| p.to_string()).unwrap_or_default(),
        url.path(),
        target.scope_name()
    );
    let mut id = String::new();
    for c in raw.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    id.trim_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ado_core::target::{Deployment, TargetInput};

    #[test]
    fn ids_are_readable_and_stable() {
        let target = TargetInput {
            deployment: Some(Deployment::Server),
            server_url: "http://TFS:8080/tfs".into(),
            collection: "Default Collection".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(
            profile_id(&target),
            "server-tfs-8080-tfs-default-collection"
        );
    }
}
