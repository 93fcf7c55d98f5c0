//! The bundled sandbox: when `make demo` starts the emulator, it saves the emulator's startup line
//! to a file and points `ADO_CONNECT_SANDBOX` at it, so the wizard can offer to fill the form in.
//! The sandbox PAT is a fake token of a fake server, shown on purpose so anyone can click through.

use serde::{Deserialize, Serialize};
use url::Url;

/// What the wizard offers to prefill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sandbox {
    /// The server URL of the first collection, e.g. `http://127.0.0.1:8787/tfs`.
    pub server_url: String,
    /// Its collection, e.g. `DefaultCollection`.
    pub collection: String,
    /// The sandbox's Services host, e.g. `http://127.0.0.1:8787/`, if it serves organizations.
    pub services_url: Option<String>,
    /// Its first organization.
    pub organization: Option<String>,
    /// The full-access demo PAT.
    pub pat: String,
    /// The demo user.
    pub user: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StartupLine {
    base_url: String,
    #[serde(default)]
    organization_urls: Vec<String>,
    #[serde(default)]
    collection_urls: Vec<String>,
    pats: Vec<StartupPat>,
}

#[derive(Deserialize)]
struct StartupPat {
    token: String,
    #[serde(default)]
    user: String,
}

/// Reads the sandbox named by `ADO_CONNECT_SANDBOX`, if set.
pub fn from_env() -> Option<Result<Sandbox, String>> {
    let path = std::env::var_os("ADO_CONNECT_SANDBOX")?;
    Some(
        std::fs::read_to_string(&path)
            .map_err(|e| {
                format!(
                    "cannot read the sandbox file {}: {e}",
                    path.to_string_lossy()
                )
            })
            .and_then(|text| parse(&text)),
    )
}

/// Parses the emulator's startup line.
pub fn parse(text: &str) -> Result<Sandbox, String> {
    let line: StartupLine = serde_json::from_str(text.trim())
        .map_err(|e| format!("the sandbox file is not the emulator's startup line: {e}"))?;
    let collection_url = line
        .collection_urls
        .first()
        .ok_or("the sandbox has no collection")?;
    let url = Url::parse(collection_url)
        .map_err(|e| format!("bad collection URL {collection_url}: {e}"))?;
    let mut segments: Vec<String> = url
        .path_segments()
        .map(|s| s.filter(|s| !s.is_empty()).map(str::to_string).collect())
        .unwrap_or_default();
    let collection = segments
        .pop()
        .ok_or("the collection URL has no collection")?;
    let mut server = url.clone();
    server.set_path(&segments.join("/"));
    let collection = percent_encoding::percent_decode_str(&collection)
        .decode_utf8_lossy()
        .into_owned();
    let organization = line
        .organization_urls
        .first()
        .and_then(|u| Url::parse(u).ok())
        .and_then(|u| {
            u.path_segments()
                .and_then(|mut s| s.next().map(str::to_string))
        });
    let pat = line.pats.first().ok_or("the sandbox has no PAT")?;
    Ok(Sandbox {
        server_url: server.as_str().trim_end_matches('/').to_string(),
        collection,
        services_url: organization.as_ref().map(|_| line.base_url.clone()),
        organization,
        pat: pat.token.clone(),
        user: pat.user.clone(),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn splits_the_collection_url() {
        let s = super::parse(r#"{"baseUrl":"http://127.0.0.1:8787/","organizationUrls":["http://127.0.0.1:8787/fabrikam"],"collectionUrls":["http://127.0.0.1:8787/tfs/Default%20Collection"],"pats":[{"token":"t","user":"Demo Admin","scopes":["app_token"]}]}"#).unwrap();
        assert_eq!(s.server_url, "http://127.0.0.1:8787/tfs");
        assert_eq!(s.collection, "Default Collection");
        assert_eq!(s.organization.as_deref(), Some("fabrikam"));
        assert_eq!(s.services_url.as_deref(), Some("http://127.0.0.1:8787/"));
    }
}
