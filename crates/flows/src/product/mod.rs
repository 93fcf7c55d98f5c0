//! Onboarding into a product: a product profile ([`ado_core::product`]) applied to the existing
//! flows. Every product decision lives here; the app and the CLI call these functions and only
//! adapt arguments and answers:
//!
//! 1. [`load_profile`]: read and validate the file; the logo becomes a size-limited data URL.
//! 2. [`saved::connect_rules`]: what the connect form offers and refuses before any token.
//! 3. [`check_product`]: the product's restrictions, then exactly its own verification calls
//!    (or one read-only probe per scope it asks for) and the permissions it names, per
//!    credential; facts first ([`facts`]), verdicts by the core.
//! 4. [`gate`]: the one gate. A [`gate::Cleared`] exists only for a connection that passed the
//!    checks (recorded for a day, for the same credentials and choices); the hand-off and the
//!    product's webhooks need one.
//! 5. [`apply_product_hooks`] / [`plan_product_hooks`]: exactly the product's webhooks, through
//!    the existing hooks flows (plan, apply, journal); none for a product that creates its own.
//! 6. [`handoff`], [`post`], [`saved`]: the paste panel, the export file, the POST to the
//!    product's API, the reproduction script.

mod check;
mod credential;
pub mod delivery;
mod facts;
pub mod gate;
pub mod handoff;
mod hooks;
pub mod mint;
pub mod post;
mod precheck;
mod probes;
pub mod saved;
mod server;

use std::path::{Path, PathBuf};

use ado_core::product::{parse_profile, ProductProfile, ProfileError, MAX_LOGO_BYTES};
use base64::Engine as _;
use serde::Serialize;
use sha2::{Digest as _, Sha256};

pub use check::{
    check_product, credentials_to_check, ConnectorReport, ProductCheckRequest, ProductCredential,
    ProductEvent, ProductReport,
};
pub use hooks::{
    apply_product_hooks, plan_product_hooks, ProductHookPlan, ProductHooksReport,
    ProductHooksRequest,
};
pub use precheck::{date_of, precheck, today, Precheck};

/// A profile read from a file, ready for the UI.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadedProfile {
    /// The validated profile.
    pub profile: ProductProfile,
    /// Where it was read from.
    pub path: PathBuf,
    /// The logo as a `data:` URL (a file logo is read and encoded), for the header.
    pub logo_data_url: Option<String>,
    /// The least access per connector, for the scope table.
    pub access: Vec<ado_core::product::ConnectorAccess>,
}

/// Why a profile could not be loaded.
#[derive(Debug, Clone, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum LoadError {
    /// The file (or the logo) could not be read.
    #[error("cannot read {path}: {detail}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        detail: String,
    },
    /// The profile has mistakes; each names its line and field.
    #[error("{path} is not a valid product profile:\n{}", .errors.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
    Invalid {
        /// The file.
        path: String,
        /// The mistakes.
        errors: Vec<ProfileError>,
    },
}

impl From<LoadError> for crate::Error {
    fn from(e: LoadError) -> Self {
        match e {
            LoadError::Io { path, detail } => crate::Error::unreadable_profile(&path, detail),
            LoadError::Invalid { path, errors } => crate::Error::invalid_profile(&path, errors),
        }
    }
}

/// Parses and validates a profile the UI read itself (a file picker gives the text, not the
/// path): `name` is the file's name, for messages. A logo given as a file next to the profile
/// cannot be found this way and is left out; a `data:` logo is kept.
pub fn load_profile_text(name: &str, text: &str) -> Result<LoadedProfile, LoadError> {
    if text.len() > 1024 * 1024 {
        return Err(LoadError::Invalid {
            path: name.to_string(),
            errors: vec![ProfileError {
                line: 1,
                column: 1,
                field: "(file)".into(),
                message: "a profile is a small text file; this one is over 1 MiB".into(),
            }],
        });
    }
    let mut profile = parse_profile(text).map_err(|e| LoadError::Invalid {
        path: name.to_string(),
        errors: e.0,
    })?;
    profile.origin = Some(format!(
        "picked:{name}:{}",
        hex(&Sha256::digest(text.as_bytes()))
    ));
    let logo_data_url = profile
        .product
        .logo
        .clone()
        .filter(|logo| logo.starts_with("data:"));
    Ok(LoadedProfile {
        access: profile.access(),
        profile,
        path: PathBuf::from(name),
        logo_data_url,
    })
}

/// Reads, parses and validates a profile; resolves a file logo next to it.
pub fn load_profile(path: &Path) -> Result<LoadedProfile, LoadError> {
    let shown = path.display().to_string();
    let io = |detail: std::io::Error| LoadError::Io {
        path: shown.clone(),
        detail: detail.to_string(),
    };
    // Read from the opened file, with a bound: a path that is a link to /dev/zero or a FIFO is
    // neither followed into an endless read nor waited on.
    let too_large = || LoadError::Invalid {
        path: shown.clone(),
        errors: vec![ProfileError {
            line: 1,
            column: 1,
            field: "(file)".into(),
            message: "a profile is a small text file; this one is over 1 MiB".into(),
        }],
    };
    let file = open_without_blocking(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(LoadError::Io {
            path: shown.clone(),
            detail: "not a regular file".into(),
        });
    }
    if meta.len() > MAX_PROFILE_BYTES {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    use std::io::Read as _;
    file.take(MAX_PROFILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_PROFILE_BYTES {
        return Err(too_large());
    }
    let text = String::from_utf8(bytes).map_err(|_| LoadError::Io {
        path: shown.clone(),
        detail: "not UTF-8 text".into(),
    })?;
    let mut profile = parse_profile(&text).map_err(|e| LoadError::Invalid {
        path: shown.clone(),
        errors: e.0,
    })?;
    let canonical = std::fs::canonicalize(path).map_err(io)?;
    profile.origin = Some(format!("file:{}", canonical.display()));
    let logo_data_url = match &profile.product.logo {
        None => None,
        Some(logo) if logo.starts_with("data:") => Some(logo.clone()),
        Some(logo) => Some(logo_file(path, logo).map_err(|message| LoadError::Invalid {
            path: shown.clone(),
            errors: vec![ProfileError {
                    line: text
                        .lines()
                        .position(|l| l.trim_start().starts_with("logo"))
                        .map_or(1, |i| i + 1),
                    column: 1,
                    field: "product.logo".into(),
                    message,
                }],
        })?),
    };
    Ok(LoadedProfile {
        access: profile.access(),
        profile,
        path: path.to_path_buf(),
        logo_data_url,
    })
}

/// Reads a logo next to the profile: a plain relative name inside the profile's folder (no
/// absolute path, drive, UNC share, `..` or link), opened without following a link, a regular
/// file, read with a bound (a `logo.png -> /dev/zero` link or a huge file cannot exhaust memory).
fn logo_file(profile_path: &Path, logo: &str) -> Result<String, String> {
    if !ado_core::product::is_plain_relative_path(logo) {
        return Err("give the logo as a plain relative path inside the profile's folder (letters, digits, `.`, `_`, `-`, `/`; no `..`, drive, share or absolute path)".into());
    }
    let dir = profile_path.parent().unwrap_or(Path::new("."));
    let mime = match Path::new(logo)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        Some("jpg") | Some("jpeg") => "image/jpeg",
        Some("webp") => "image/webp",
        _ => return Err("use a .png, .svg, .jpg or .webp file".into()),
    };
    // No link anywhere below the profile's folder.
    let mut file = dir.to_path_buf();
    for part in logo.split('/') {
        file.push(part);
        let meta = std::fs::symlink_metadata(&file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        if meta.file_type().is_symlink() {
            return Err(format!(
                "{} is a link; ADO Connect does not follow links for a logo",
                file.display()
            ));
        }
    }
    let opened =
        open_no_follow(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let meta = opened.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err(format!("{} is not a regular file", file.display()));
    }
    let mut bytes = Vec::new();
    use std::io::Read as _;
    opened
        .take(MAX_LOGO_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(format!(
            "the logo is larger than {} KiB; use a smaller image",
            MAX_LOGO_BYTES / 1024
        ));
    }
    Ok(format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}

/// The largest profile file read: 1 MiB.
const MAX_PROFILE_BYTES: u64 = 1024 * 1024;

/// Opens a profile named by the user (a link to it is fine: they chose it) without blocking on a
/// FIFO; the caller refuses anything but a regular file.
#[cfg(unix)]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// Opens `path` for reading without following a link at its last component (`O_NOFOLLOW`).
#[cfg(unix)]
fn open_no_follow(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
}

/// Windows: the link check above refused reparse points; open as usual.
#[cfg(not(unix))]
fn open_no_follow(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The name a product's kept secrets live under: its id and a digest of its identity as first
/// accepted, i.e. where the profile came from and the URLs (with their placeholders' defaults)
/// its secrets travel to. A file that borrows another product's id, or points its POST or
/// receiver elsewhere, gets another name, so nothing kept by the first reaches it.
pub fn secrets_key(profile: &ProductProfile) -> String {
    let mut hash = Sha256::new();
    hash.update(b"ado-connect product identity v1\0");
    hash.update(profile.product.id.as_bytes());
    hash.update(b"\0");
    hash.update(profile.origin.as_deref().unwrap_or("").as_bytes());
    let mut urls: Vec<&str> = Vec::new();
    if let Some(post) = &profile.handoff.post {
        urls.push(&post.url);
    }
    if let Some(hooks) = &profile.webhooks {
        urls.push(&hooks.url);
    }
    for url in urls {
        hash.update(b"\0");
        hash.update(url.as_bytes());
        for p in &profile.placeholders {
            if url.contains(&format!("{{{}}}", p.name)) {
                hash.update(b"\0");
                hash.update(p.default.as_deref().unwrap_or("").as_bytes());
            }
        }
    }
    let digest = hash.finalize();
    format!("{}~{}", profile.product.id, &hex(&digest)[..12])
}

/// The keyring name of a connector's `index`th PAT, stored as an extra secret of the saved
/// connection (so "Forget this connection" removes it). `key` is [`secrets_key`].
pub fn connector_secret_name(key: &str, connector: &str, index: usize) -> String {
    format!("product-pat:{key}:{connector}:{index}")
}

/// The keyring name of the secret a product's webhooks carry (its own, never the connection's
/// or another product's).
pub fn product_hook_secret_name(product_id: &str) -> String {
    format!("product-hook-secret:{product_id}")
}

/// The keyring name of the product API token the user pasted.
pub fn product_token_name(product_id: &str) -> String {
    format!("product-token:{product_id}")
}
