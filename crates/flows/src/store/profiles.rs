//! Connection profiles: everything about a connection except its secrets, as JSON in the app's
//! config directory (`$ADO_CONNECT_CONFIG_DIR`, else `~/.config/ado-connect`). Shared by the app
//! and the CLI (see [`crate::store::file`] for the lock and the atomic, private writes). The
//! secret's place in the keyring is recorded by name only.
//!
//! A profile id is unique per exact target (deployment, scheme, host, port, path, collection or
//! organization): a readable slug plus a hash of the exact target, so `Team A` and `Team_A`, or
//! `http` and `https`, never share one. Files of version 1 (ids that folded such targets
//! together) are migrated on first read: new ids, secrets and the hooks journal moved along.

use std::path::{Path, PathBuf};

pub use ado_core::ids::ProfileId;
use ado_core::target::ConnectionTarget;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::secrets::{Backend, SecretError, SecretStore};
use crate::store::file;
use crate::store::profile_id::describe;
pub use crate::store::profile_id::profile_id;
use crate::verify::{ConnectOptions, User, Verified};

/// The profile file's format: 2 since ids are unique per exact target.
const FILE_VERSION: u32 = 2;

/// A saved connection. Holds no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// Stable id derived from the exact target, e.g.
    /// `server-http-tfs-8080-tfs-defaultcollection-1a2b3c4d5e6f` (see [`profile_id`]).
    pub id: ProfileId,
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
    /// How to reach the server (trusted CA, proxy, plain-http consent); kept at the top level
    /// of the profile's JSON (`trustedCaPem`, `proxy`, `allowHttp`).
    #[serde(flatten)]
    pub options: ConnectOptions,
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
        /// The authority signed in to (e.g. `https://login.microsoftonline.com/{tenant}`), so
        /// that refreshes go there whatever the environment says later. `None` in profiles saved
        /// before it was recorded: the current settings apply.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        authority: Option<String>,
    },
    /// A service principal (client credentials); its secret in the keyring.
    #[serde(rename_all = "camelCase")]
    ServicePrincipal {
        /// Its tenant.
        tenant: String,
        /// Its application (client) id.
        client_id: String,
        /// The authority it signed in to, as for [`AuthMethod::Entra`].
        #[serde(default, skip_serializing_if = "Option::is_none")]
        authority: Option<String>,
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
    /// Another saved connection already has this id (a hash collision, or a file edited by
    /// hand): it is left alone.
    #[error(
        "the saved connection {id} points at {existing}, not at {new}; nothing was overwritten"
    )]
    IdTaken {
        /// The id.
        id: ProfileId,
        /// The saved target's URL and scope.
        existing: String,
        /// The target being saved.
        new: String,
    },
}

impl From<ProfileError> for crate::Error {
    fn from(e: ProfileError) -> Self {
        match e {
            ProfileError::Secret(e) => e.into(),
            other => crate::Error::profile_store(other),
        }
    }
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

    /// The user's store: profiles in [`Connections::default_dir`], secrets in the OS keyring
    /// (`secret_store` when there is none). The one way a shell opens it.
    pub fn open_default() -> Result<Connections, crate::Error> {
        Ok(Connections::new(
            Connections::default_dir(),
            SecretStore::detect()?,
        ))
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

    fn io_error(&self, action: &'static str) -> impl Fn(std::io::Error) -> ProfileError + '_ {
        move |source| ProfileError::Io {
            action,
            path: self.file(),
            source,
        }
    }

    /// Every saved profile.
    pub fn list(&self) -> Result<Vec<Profile>, ProfileError> {
        Ok(self.read()?.connections)
    }

    /// The saved profile with this id, if any.
    /// The saved connection `id`: the one lookup every action uses, with the one not-found
    /// ([`crate::Error::unknown_connection`]).
    pub fn saved(&self, id: &ProfileId) -> Result<Profile, crate::Error> {
        self.get(id)?
            .ok_or_else(|| crate::Error::unknown_connection(id))
    }

    /// The saved connection `id`, if there is one (for callers to whom absence is no error).
    pub fn get(&self, id: &ProfileId) -> Result<Option<Profile>, ProfileError> {
        Ok(self.list()?.into_iter().find(|p| &p.id == id))
    }

    /// Reads the file; a file of an older version is migrated (under the lock) first.
    fn read(&self) -> Result<ProfilesFile, ProfileError> {
        let file = self.read_unlocked()?;
        if file.version >= FILE_VERSION {
            return Ok(file);
        }
        let _lock = file::lock(&self.dir).map_err(self.io_error("lock"))?;
        self.read_for_update()
    }

    fn read_unlocked(&self) -> Result<ProfilesFile, ProfileError> {
        let path = self.file();
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| ProfileError::Corrupt {
                path,
                detail: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ProfilesFile {
                version: FILE_VERSION,
                connections: Vec::new(),
            }),
            Err(source) => Err(ProfileError::Io {
                action: "read",
                path,
                source,
            }),
        }
    }

    /// Reads the file while the caller holds the lock, migrating an old one.
    fn read_for_update(&self) -> Result<ProfilesFile, ProfileError> {
        let mut file = self.read_unlocked()?;
        if file.version < FILE_VERSION {
            self.migrate(&mut file)?;
        }
        Ok(file)
    }

    /// Version 1 → 2: each profile gets its exact-target id; its secrets and hooks journal move
    /// to keys and names under the new id; the file is written; then the old keys are deleted.
    fn migrate(&self, file: &mut ProfilesFile) -> Result<(), ProfileError> {
        let mut moved_keys = Vec::new();
        for profile in &mut file.connections {
            let new_id = profile_id(&profile.target);
            let old_id = std::mem::replace(&mut profile.id, new_id.clone());
            if old_id == new_id {
                continue;
            }
            let rename = |key: &str| match key.strip_suffix(&format!(":{old_id}")) {
                Some(name) => format!("{name}:{new_id}"),
                None => key.to_string(),
            };
            let mut keys = vec![&mut profile.secret_key];
            keys.extend(profile.extra_secret_keys.iter_mut());
            for key in keys {
                let renamed = rename(key);
                if renamed != *key {
                    if let Some(secret) = self.secrets.get(key)? {
                        self.secrets.put(&renamed, &secret)?;
                    }
                    moved_keys.push(std::mem::replace(key, renamed));
                }
            }
            let journal = |id: &str| crate::store::journal::Journal::path_for(&self.dir, id);
            if journal(&old_id).exists() {
                std::fs::rename(journal(&old_id), journal(&new_id))
                    .map_err(self.io_error("move the hooks journal of"))?;
            }
        }
        file.version = FILE_VERSION;
        self.write(file)?;
        for key in moved_keys {
            let _ = self.secrets.delete(&key);
        }
        Ok(())
    }

    /// Writes the file atomically and privately (see [`crate::store::file`]). The caller holds
    /// the lock.
    fn write(&self, file: &ProfilesFile) -> Result<(), ProfileError> {
        let json = serde_json::to_vec_pretty(file).expect("profiles always serialize");
        file::replace(&self.file(), &json).map_err(self.io_error("write"))
    }

    /// Read, change and write the file under the lock: the one way the file changes.
    fn update<T>(
        &self,
        change: impl FnOnce(&mut ProfilesFile) -> Result<T, ProfileError>,
    ) -> Result<T, ProfileError> {
        self.update_with(change, |file| self.write(file))
    }

    fn update_with<T>(
        &self,
        change: impl FnOnce(&mut ProfilesFile) -> Result<T, ProfileError>,
        write: impl FnOnce(&ProfilesFile) -> Result<(), ProfileError>,
    ) -> Result<T, ProfileError> {
        let _lock = file::lock(&self.dir).map_err(self.io_error("lock"))?;
        let mut file = self.read_for_update()?;
        let value = change(&mut file)?;
        write(&file)?;
        Ok(value)
    }

    /// Saves a verified connection with its options: the secret (PAT or token set) into the
    /// keyring, then the profile, in one write. If the profile cannot be written, the secret that
    /// was there before is put back, so a failed re-verify loses nothing. Saving the same target
    /// again replaces it (keeping its webhook records and extra secrets); a different target
    /// whose id is taken is refused ([`ProfileError::IdTaken`]).
    pub fn save_connection(
        &self,
        verified: &Verified,
        secret: &SecretString,
        auth: AuthMethod,
        options: &ConnectOptions,
        now_unix: u64,
    ) -> Result<Profile, ProfileError> {
        self.save_connection_with(verified, secret, auth, options, now_unix, |file| {
            self.write(file)
        })
    }

    fn save_connection_with(
        &self,
        verified: &Verified,
        secret: &SecretString,
        auth: AuthMethod,
        options: &ConnectOptions,
        now_unix: u64,
        write: impl FnOnce(&ProfilesFile) -> Result<(), ProfileError>,
    ) -> Result<Profile, ProfileError> {
        let id = profile_id(&verified.target);
        let secret_key = format!("{}:{id}", auth.key_prefix());
        let mut replaced_secret = None;
        let result = self.update_with(
            |file| {
                let previous = file.connections.iter().find(|p| p.id == id).cloned();
                if let Some(p) = previous.as_ref().filter(|p| p.target != verified.target) {
                    return Err(ProfileError::IdTaken {
                        id: id.clone(),
                        existing: describe(&p.target),
                        new: describe(&verified.target),
                    });
                }
                replaced_secret = Some(self.secrets.get(&secret_key)?);
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
                    // What the server serves, as verified: later clients start from it.
                    options: ConnectOptions {
                        server_api_version: verified.server_api_version,
                        ..options.clone()
                    },
                    extra_secret_keys: previous
                        .as_ref()
                        .map(|p| p.extra_secret_keys.clone())
                        .unwrap_or_default(),
                    hooks: previous
                        .as_ref()
                        .map(|p| p.hooks.clone())
                        .unwrap_or_default(),
                };
                file.version = FILE_VERSION;
                file.connections.retain(|p| p.id != id);
                file.connections.push(profile.clone());
                Ok((profile, previous))
            },
            write,
        );
        match result {
            Ok((profile, previous)) => {
                // A different method before (e.g. PAT, now Entra): its old secret is not needed.
                if let Some(old) = previous.filter(|p| p.secret_key != secret_key) {
                    let _ = self.secrets.delete(&old.secret_key);
                }
                Ok(profile)
            }
            Err(e) => {
                // Put back what the keyring held before this save (or nothing).
                match replaced_secret {
                    Some(Some(old)) => {
                        let _ = self.secrets.put(&secret_key, &old);
                    }
                    Some(None) => {
                        let _ = self.secrets.delete(&secret_key);
                    }
                    None => {}
                }
                Err(e)
            }
        }
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
        self.update(|file| {
            let mut updated = profile.clone();
            if let Some(p) = file.connections.iter_mut().find(|p| p.id == profile.id) {
                if !p.extra_secret_keys.contains(&key) {
                    p.extra_secret_keys.push(key);
                }
                updated = p.clone();
            }
            Ok(updated)
        })
    }

    /// Deletes another secret of the connection and forgets its key in the profile; deleting one
    /// that is not there is not an error.
    pub fn remove_extra_secret(&self, profile: &Profile, name: &str) -> Result<(), ProfileError> {
        let key = format!("{name}:{}", profile.id);
        self.secrets.delete(&key)?;
        self.update(|file| {
            if let Some(p) = file.connections.iter_mut().find(|p| p.id == profile.id) {
                p.extra_secret_keys.retain(|k| k != &key);
            }
            Ok(())
        })
    }

    /// Reads another secret of the connection.
    pub fn extra_secret(
        &self,
        profile: &Profile,
        name: &str,
    ) -> Result<Option<SecretString>, ProfileError> {
        Ok(self.secrets.get(&format!("{name}:{}", profile.id))?)
    }

    /// Changes one saved profile in place (under the lock: read, `change`, atomic write) and
    /// returns it as saved; `None` when no profile has this id. For the webhook records, which
    /// change apart from a verify.
    pub fn update_profile(
        &self,
        id: &ProfileId,
        change: impl FnOnce(&mut Profile),
    ) -> Result<Option<Profile>, ProfileError> {
        self.update(|file| {
            Ok(file
                .connections
                .iter_mut()
                .find(|p| &p.id == id)
                .map(|profile| {
                    change(profile);
                    profile.clone()
                }))
        })
    }

    /// The secret of a saved profile.
    pub fn secret_of(&self, profile: &Profile) -> Result<Option<SecretString>, ProfileError> {
        Ok(self.secrets.get(&profile.secret_key)?)
    }

    /// Removes a profile and every secret it stored. Removing an unknown id is not an error.
    pub fn remove(&self, id: &ProfileId) -> Result<bool, ProfileError> {
        self.update(|file| {
            let Some(profile) = file.connections.iter().find(|p| &p.id == id).cloned() else {
                return Ok(false);
            };
            self.secrets.delete(&profile.secret_key)?;
            for key in &profile.extra_secret_keys {
                self.secrets.delete(key)?;
            }
            file.connections.retain(|p| &p.id != id);
            Ok(true)
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use ado_core::target::{Deployment, TargetInput};
    use secrecy::ExposeSecret as _;

    fn server(url: &str, collection: &str) -> ConnectionTarget {
        TargetInput {
            deployment: Some(Deployment::Server),
            server_url: url.into(),
            collection: collection.into(),
            ..Default::default()
        }
        .validate()
        .unwrap()
    }

    struct Store {
        dir: tempfile::TempDir,
        connections: Connections,
    }

    fn store() -> Option<Store> {
        let secrets = match SecretStore::detect() {
            Ok(s) => s,
            Err(e) => {
                eprintln!("skipping: no keyring ({e})");
                return None;
            }
        };
        let dir = tempfile::tempdir().unwrap();
        let connections = Connections::new(dir.path(), secrets);
        Some(Store { dir, connections })
    }

    fn verified(target: &ConnectionTarget) -> Verified {
        Verified {
            target: target.clone(),
            api_url: target.api_base().to_string(),
            deployment: Deployment::Server,
            server_api_version: None,
            server_release: None,
            user: User {
                id: "u".into(),
                display_name: "Demo Admin".into(),
                account: None,
            },
            projects: Vec::new(),
            repository_count: 0,
            warnings: Vec::new(),
        }
    }

    fn unique_collection(test: &str) -> String {
        format!("{test}-{}", std::process::id())
    }

    fn pat(s: &str) -> SecretString {
        SecretString::from(s.to_string())
    }

    fn save(s: &Store, target: &ConnectionTarget, secret: &str) -> Result<Profile, ProfileError> {
        s.connections.save_connection(
            &verified(target),
            &pat(secret),
            AuthMethod::Pat { expires_on: None },
            &ConnectOptions::default(),
            1,
        )
    }

    #[test]
    fn a_failed_profile_write_keeps_the_old_secret() {
        let Some(s) = store() else { return };
        let target = server("http://tfs:8080/tfs", &unique_collection("keep-old"));
        let profile = save(&s, &target, "old-pat").unwrap();
        let before = std::fs::read(s.dir.path().join("connections.json")).unwrap();
        let result = s.connections.save_connection_with(
            &verified(&target),
            &pat("new-pat"),
            AuthMethod::Pat { expires_on: None },
            &ConnectOptions::default(),
            2,
            |_| {
                Err(ProfileError::Io {
                    action: "write",
                    path: PathBuf::from("connections.json"),
                    source: std::io::Error::other("disk full"),
                })
            },
        );
        assert!(result.is_err());
        let secret = s.connections.secret_of(&profile).unwrap();
        assert_eq!(
            secret.as_ref().map(|p| p.expose_secret()),
            Some("old-pat"),
            "the secret that worked is still there"
        );
        assert_eq!(
            std::fs::read(s.dir.path().join("connections.json")).unwrap(),
            before,
            "the profile file is unchanged"
        );
        s.connections.remove(&profile.id).unwrap();
    }

    #[test]
    fn a_different_target_is_never_overwritten() {
        let Some(s) = store() else { return };
        let mine = server("http://tfs:8080/tfs", &unique_collection("Team A"));
        let theirs = server("http://tfs:8080/tfs", &unique_collection("Team_A"));
        let profile = save(&s, &mine, "mine").unwrap();
        // A file where `theirs`'s id is already taken by `mine` (a hand edit, or a collision).
        s.connections
            .update_profile(&profile.id, |p| p.id = profile_id(&theirs))
            .unwrap();
        let before = std::fs::read(s.dir.path().join("connections.json")).unwrap();
        let err = save(&s, &theirs, "theirs").unwrap_err();
        assert!(matches!(err, ProfileError::IdTaken { .. }), "{err}");
        assert_eq!(
            std::fs::read(s.dir.path().join("connections.json")).unwrap(),
            before
        );
        let key = format!("pat:{}", profile_id(&theirs));
        assert!(
            s.connections.secrets.get(&key).unwrap().is_none(),
            "no secret written for the refused save"
        );
        s.connections.secrets.delete(&profile.secret_key).unwrap();
    }

    #[test]
    fn http_and_https_and_look_alike_collections_keep_their_own_secrets() {
        let Some(s) = store() else { return };
        let names = ["Team A", "Team_A", "Team.A", "Team-A"];
        let mut profiles = Vec::new();
        for scheme in ["http", "https"] {
            for name in names {
                let target = server(
                    &format!("{scheme}://tfs:8080/tfs"),
                    &format!("{name}{}", std::process::id()),
                );
                profiles.push(save(&s, &target, &format!("{scheme}-{name}")).unwrap());
            }
        }
        assert_eq!(
            s.connections.list().unwrap().len(),
            8,
            "none replaced another"
        );
        for (profile, (scheme, name)) in profiles.iter().zip(
            ["http", "https"]
                .iter()
                .flat_map(|s| names.iter().map(move |n| (s, n))),
        ) {
            let secret = s.connections.secret_of(profile).unwrap().unwrap();
            assert_eq!(secret.expose_secret(), format!("{scheme}-{name}"));
            s.connections.remove(&profile.id).unwrap();
        }
    }

    #[test]
    fn version_1_files_migrate_ids_secrets_and_journal() {
        let Some(s) = store() else { return };
        let target = server("http://tfs:8080/tfs", &unique_collection("Team A"));
        let old_id = format!("server-tfs-8080-tfs-team-a-{}", std::process::id());
        let old_profile = serde_json::json!({
            "id": old_id,
            "target": target,
            "auth": {"method": "pat", "expiresOn": null},
            "userDisplayName": "Demo Admin",
            "userAccount": null,
            "verifiedAt": 1,
            "secretKey": format!("pat:{old_id}"),
            "proxy": "http://proxy:3128",
            "extraSecretKeys": [format!("hook-secret:{old_id}")],
        });
        std::fs::write(
            s.dir.path().join("connections.json"),
            serde_json::to_vec(&serde_json::json!({"version": 1, "connections": [old_profile]}))
                .unwrap(),
        )
        .unwrap();
        let journal = |id: &str| crate::store::journal::Journal::path_for(s.dir.path(), id);
        std::fs::write(journal(&old_id), b"{}\n").unwrap();
        let secrets = &s.connections.secrets;
        secrets
            .put(&format!("pat:{old_id}"), &pat("the-pat"))
            .unwrap();
        secrets
            .put(&format!("hook-secret:{old_id}"), &pat("the-hook-secret"))
            .unwrap();

        let profiles = s.connections.list().unwrap();
        let new_id = profile_id(&target);
        assert_eq!(profiles.len(), 1);
        let p = &profiles[0];
        assert_eq!(p.id, new_id);
        assert_eq!(p.secret_key, format!("pat:{new_id}"));
        assert_eq!(p.options.proxy.as_deref(), Some("http://proxy:3128"));
        assert_eq!(
            s.connections.secret_of(p).unwrap().unwrap().expose_secret(),
            "the-pat"
        );
        assert_eq!(
            s.connections
                .extra_secret(p, "hook-secret")
                .unwrap()
                .unwrap()
                .expose_secret(),
            "the-hook-secret"
        );
        assert!(secrets.get(&format!("pat:{old_id}")).unwrap().is_none());
        assert!(secrets
            .get(&format!("hook-secret:{old_id}"))
            .unwrap()
            .is_none());
        assert!(journal(&new_id).exists() && !journal(&old_id).exists());
        let file: serde_json::Value =
            serde_json::from_slice(&std::fs::read(s.dir.path().join("connections.json")).unwrap())
                .unwrap();
        assert_eq!(file["version"], 2);
        s.connections.remove(&new_id).unwrap();
    }
}
