//! What the user wants to connect to, validated from what they typed.
//!
//! The wizard's form (and the CLI's flags) give loose strings; [`TargetInput::validate`] turns them
//! into a [`ConnectionTarget`] or into one [`InputError`] per field, each naming the field and the fix.
//! Nothing here touches the network: whether the organization or collection exists is the flows' job.

use serde::{Deserialize, Serialize};
use url::Url;

/// Which product the connection is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Deployment {
    /// Azure DevOps Services, the cloud (`dev.azure.com/{organization}`).
    Services,
    /// Azure DevOps Server (formerly TFS), on-premises (`{server}/{collection}`).
    Server,
}

impl Deployment {
    /// The product name users know.
    pub fn display_name(self) -> &'static str {
        match self {
            Deployment::Services => "Azure DevOps Services",
            Deployment::Server => "Azure DevOps Server",
        }
    }
}

/// A field of the connection form. Errors name one so the UI can point at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Field {
    /// The Services organization name.
    Organization,
    /// The Server URL: scheme, host, port and virtual directory, without the collection.
    ServerUrl,
    /// The Server collection name.
    Collection,
    /// The personal access token.
    Pat,
    /// The Services host; only changed for sandboxes and tests.
    ServicesUrl,
    /// The paste box for any Azure DevOps URL.
    Url,
    /// An explicit proxy.
    Proxy,
    /// A repository named on its own (e.g. `--repository`), not inside a pasted URL.
    Repository,
}

impl Field {
    /// The field's label in the UI, as users read it.
    pub fn label(self) -> &'static str {
        match self {
            Field::Organization => "Organization",
            Field::ServerUrl => "Server URL",
            Field::Collection => "Collection",
            Field::Pat => "Personal access token",
            Field::ServicesUrl => "Services URL",
            Field::Url => "Azure DevOps URL",
            Field::Proxy => "Proxy",
            Field::Repository => "Repository",
        }
    }
}

/// The public Azure DevOps Services host.
pub const SERVICES_URL: &str = "https://dev.azure.com/";

/// Where to connect, after validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "deployment", rename_all = "camelCase")]
pub enum ConnectionTarget {
    /// An organization on Azure DevOps Services.
    #[serde(rename_all = "camelCase")]
    Services {
        /// `https://dev.azure.com/` in real use; a sandbox URL in tests and the demo.
        services_url: Url,
        /// The organization name, e.g. `fabrikam`.
        organization: String,
    },
    /// A project collection on Azure DevOps Server.
    #[serde(rename_all = "camelCase")]
    Server {
        /// Scheme, host, port and virtual directory, e.g. `http://tfs:8080/tfs`, ending without `/`.
        server_url: Url,
        /// The collection name, e.g. `DefaultCollection`.
        collection: String,
    },
}

impl ConnectionTarget {
    /// Services or Server.
    pub fn deployment(&self) -> Deployment {
        match self {
            ConnectionTarget::Services { .. } => Deployment::Services,
            ConnectionTarget::Server { .. } => Deployment::Server,
        }
    }

    /// The URL REST calls hang off: `https://dev.azure.com/{org}` or `{server}/{collection}`,
    /// with names percent-encoded, ending in `/` so that `join("_apis/…")` keeps the last segment.
    pub fn api_base(&self) -> Url {
        let (base, name) = match self {
            ConnectionTarget::Services {
                services_url,
                organization,
            } => (services_url, organization),
            ConnectionTarget::Server {
                server_url,
                collection,
            } => (server_url, collection),
        };
        let mut url = base.clone();
        {
            // A URL with a host (all we accept) can always be a base; `expect` documents that.
            let mut segments = url.path_segments_mut().expect("http(s) URLs can be a base");
            segments.pop_if_empty().push(name).push("");
        }
        url
    }

    /// The organization or collection name.
    pub fn scope_name(&self) -> &str {
        match self {
            ConnectionTarget::Services { organization, .. } => organization,
            ConnectionTarget::Server { collection, .. } => collection,
        }
    }

    /// The field that names the organization or collection.
    pub fn scope_field(&self) -> Field {
        match self {
            ConnectionTarget::Services { .. } => Field::Organization,
            ConnectionTarget::Server { .. } => Field::Collection,
        }
    }

    /// The field that names the host.
    pub fn host_field(&self) -> Field {
        match self {
            ConnectionTarget::Services { .. } => Field::ServicesUrl,
            ConnectionTarget::Server { .. } => Field::ServerUrl,
        }
    }

    /// "organization fabrikam" or "collection DefaultCollection".
    pub fn scope_phrase(&self) -> String {
        match self {
            ConnectionTarget::Services { organization, .. } => {
                format!("organization {organization}")
            }
            ConnectionTarget::Server { collection, .. } => format!("collection {collection}"),
        }
    }

    /// The host URL without the organization or collection, as users typed it.
    pub fn host_url(&self) -> &Url {
        match self {
            ConnectionTarget::Services { services_url, .. } => services_url,
            ConnectionTarget::Server { server_url, .. } => server_url,
        }
    }
}

/// The connection form as typed: every field optional and unvalidated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TargetInput {
    /// Services or Server; `None` when the user has not chosen.
    pub deployment: Option<Deployment>,
    /// Services: the organization name.
    pub organization: String,
    /// Services: the host, empty for `https://dev.azure.com/`.
    pub services_url: String,
    /// Server: the server URL.
    pub server_url: String,
    /// Server: the collection name.
    pub collection: String,
}

/// A field the user must fix before anything is sent anywhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{}: {message}", field.label())]
pub struct InputError {
    /// The field at fault.
    pub field: Field,
    /// What is wrong and how to fix it, in one or two sentences.
    pub message: String,
}

impl InputError {
    fn new(field: Field, message: impl Into<String>) -> Self {
        InputError {
            field,
            message: message.into(),
        }
    }
}

impl TargetInput {
    /// Validates the form. Returns every field error at once, so the user fixes them in one go.
    pub fn validate(&self) -> Result<ConnectionTarget, Vec<InputError>> {
        match self.deployment {
            None => Err(vec![InputError::new(
                Field::ServerUrl,
                "Choose Azure DevOps Services or Azure DevOps Server first.",
            )]),
            Some(Deployment::Services) => {
                let mut errors = Vec::new();
                let services_url = if self.services_url.trim().is_empty() {
                    Some(Url::parse(SERVICES_URL).expect("constant URL parses"))
                } else {
                    push_err(
                        &mut errors,
                        parse_host_url(&self.services_url, Field::ServicesUrl),
                    )
                };
                let organization = push_err(&mut errors, validate_organization(&self.organization));
                match (services_url, organization) {
                    (Some(services_url), Some(organization)) if errors.is_empty() => {
                        Ok(ConnectionTarget::Services {
                            services_url,
                            organization,
                        })
                    }
                    _ => Err(errors),
                }
            }
            Some(Deployment::Server) => {
                let mut errors = Vec::new();
                let server_url = push_err(
                    &mut errors,
                    parse_host_url(&self.server_url, Field::ServerUrl),
                );
                let collection = push_err(&mut errors, validate_collection(&self.collection));
                match (server_url, collection) {
                    (Some(server_url), Some(collection)) if errors.is_empty() => {
                        Ok(ConnectionTarget::Server {
                            server_url,
                            collection,
                        })
                    }
                    _ => Err(errors),
                }
            }
        }
    }
}

fn push_err<T>(errors: &mut Vec<InputError>, result: Result<T, InputError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

/// Parses a server (or Services host) URL: http or https, a host, an optional port and virtual
/// directory, no query or fragment. The result has no trailing `/` in its path.
fn parse_host_url(raw: &str, field: Field) -> Result<Url, InputError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(InputError::new(
            field,
            "Enter the server URL, e.g. https://tfs.contoso.com/tfs or http://tfs:8080/tfs.",
        ));
    }
    if !raw.contains("://") {
        return Err(InputError::new(
            field,
            format!(
                "Add the scheme: https://{raw} (or http://{raw} if the server has no TLS). \
                 Copy it from the address bar of the server's web page."
            ),
        ));
    }
    let mut url = Url::parse(raw).map_err(|e| {
        InputError::new(
            field,
            format!("This is not a valid URL ({e}). Enter it like https://tfs.contoso.com/tfs."),
        )
    })?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(InputError::new(
            field,
            format!(
                "Use an http:// or https:// URL, not {}://. For a clone URL, paste it in the box at the top.",
                url.scheme()
            ),
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(InputError::new(
            field,
            "The URL has no host name. Enter it like https://tfs.contoso.com/tfs.",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(InputError::new(
            field,
            "Remove the user name (and any password) from the URL; put the token in the token field.",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(InputError::new(
            field,
            "Remove everything from ? or # on: enter only the server's address and virtual directory.",
        ));
    }
    if url
        .path_segments()
        .is_some_and(|mut s| s.any(|seg| seg.starts_with('_')))
    {
        return Err(InputError::new(
            field,
            "This looks like a link to a page (it has an _ segment such as _git). \
             Paste it in the box at the top to fill the fields, or enter only the server part.",
        ));
    }
    let trimmed = url.path().trim_end_matches('/').to_string();
    url.set_path(&trimmed);
    Ok(url)
}

/// Characters Azure DevOps does not allow in collection names (and that would break the URL).
/// The URL parser checks collections against this same list.
pub(crate) const COLLECTION_FORBIDDEN: &[char] = &[
    '\\', '/', ':', '*', '?', '"', '<', '>', '|', ';', '#', '$', '{', '}', ',', '+', '=', '[', ']',
    '%', '&',
];

fn validate_collection(raw: &str) -> Result<String, InputError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(InputError::new(
            Field::Collection,
            "Enter the collection name; a new server's first collection is DefaultCollection.",
        ));
    }
    if name.contains('/') {
        return Err(InputError::new(
            Field::Collection,
            "Enter only the collection's name, without slashes; the server URL goes in its own field.",
        ));
    }
    if name.chars().all(|c| c == '.') {
        return Err(InputError::new(
            Field::Collection,
            format!("{name:?} is not a collection name: URLs read it as a folder step. Enter the collection's name, e.g. DefaultCollection."),
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| COLLECTION_FORBIDDEN.contains(c) || c.is_control())
    {
        return Err(InputError::new(
            Field::Collection,
            format!("A collection name cannot contain {c:?}. Check the name on the server's Collections page."),
        ));
    }
    if name.chars().count() > 64 {
        return Err(InputError::new(
            Field::Collection,
            "A collection name has at most 64 characters.",
        ));
    }
    Ok(name.to_string())
}

fn validate_organization(raw: &str) -> Result<String, InputError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(InputError::new(
            Field::Organization,
            "Enter the organization name: the part after dev.azure.com/ in its address.",
        ));
    }
    if name.contains('/') || name.contains('.') {
        return Err(InputError::new(
            Field::Organization,
            "Enter only the organization's name (fabrikam in https://dev.azure.com/fabrikam), \
             or paste the whole URL in the box at the top.",
        ));
    }
    let valid = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-')
        && name.len() <= 50;
    if !valid {
        return Err(InputError::new(
            Field::Organization,
            "An organization name has 1 to 50 letters, digits and hyphens, and starts and ends with a letter or digit.",
        ));
    }
    Ok(name.to_string())
}

/// Checks a pasted token's form (not whether the server accepts it).
pub fn validate_pat(raw: &str) -> Result<&str, InputError> {
    let pat = raw.trim();
    if pat.is_empty() {
        return Err(InputError::new(
            Field::Pat,
            "Paste a personal access token: User settings → Personal access tokens → New Token.",
        ));
    }
    if pat.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(InputError::new(
            Field::Pat,
            "The token has a space or line break inside; copy it again in one piece.",
        ));
    }
    if !pat.is_ascii() {
        return Err(InputError::new(
            Field::Pat,
            "The token has characters a personal access token never has; copy it again from Azure DevOps.",
        ));
    }
    Ok(pat)
}

/// Checks an explicit proxy URL: `http(s)://host:port`, no credentials (they would end up in the
/// profile file; put them in `HTTPS_PROXY` instead). Empty means none.
pub fn validate_proxy(raw: &str) -> Result<Option<String>, InputError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let bad = |m: &str| InputError::new(Field::Proxy, m);
    let url =
        Url::parse(raw).map_err(|_| bad("Enter the proxy like http://proxy.contoso.com:8080."))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(bad(
            "Use an http:// or https:// proxy URL (SOCKS and PAC files are not supported).",
        ));
    }
    if url.host_str().is_none() {
        return Err(bad(
            "The proxy URL has no host; enter it like http://proxy.contoso.com:8080.",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("Leave credentials out of the proxy field (they would be saved in a file): set HTTPS_PROXY=http://user:password@proxy:port in the environment instead."));
    }
    Ok(Some(url.to_string()))
}

/// Checks a PAT expiry date as entered (`YYYY-MM-DD`), returning it normalized. Whether it is in
/// the past is for the caller, who knows today's date.
pub fn validate_date(raw: &str) -> Result<String, InputError> {
    let raw = raw.trim();
    let bad = || {
        InputError::new(Field::Pat, format!("The expiry date {raw:?} is not a date; use the form 2027-01-31 (year-month-day), or leave it empty."))
    };
    let parts: Vec<&str> = raw.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return Err(bad());
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in_month = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if !(2000..=2999).contains(&y) || d == 0 || d > days_in_month {
        return Err(bad());
    }
    Ok(format!("{y:04}-{m:02}-{d:02}"))
}

/// Days from `now_unix` (UTC) to the date `YYYY-MM-DD` (negative once it has passed).
pub fn days_until(date: &str, now_unix: u64) -> Option<i64> {
    let normalized = validate_date(date).ok()?;
    let mut parts = normalized.split('-').map(|p| p.parse::<i64>().unwrap_or(0));
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    // Days from the civil date (proleptic Gregorian) to 1970-01-01 (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days - (now_unix / 86_400) as i64)
}

/// A reminder for a PAT that expires within `within_days` (or has expired), in plain words.
pub fn pat_expiry_reminder(expires_on: &str, now_unix: u64, within_days: i64) -> Option<String> {
    let days = days_until(expires_on, now_unix)?;
    match days {
        d if d < 0 => Some(format!(
            "The personal access token expired on {expires_on}: create a new one and verify again."
        )),
        0 => Some(format!(
            "The personal access token expires today ({expires_on}): renew it now."
        )),
        d if d <= within_days => Some(format!(
            "The personal access token expires in {d} day{} ({expires_on}): renew it before then.",
            if d == 1 { "" } else { "s" }
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(url: &str, collection: &str) -> TargetInput {
        TargetInput {
            deployment: Some(Deployment::Server),
            server_url: url.into(),
            collection: collection.into(),
            ..Default::default()
        }
    }

    fn field_errors(input: TargetInput) -> Vec<Field> {
        input
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn dot_collections_are_refused_because_url_joining_drops_them() {
        for name in [".", "..", " .. "] {
            let errors = server("http://tfs:8080/tfs", name).validate().unwrap_err();
            assert_eq!(errors[0].field, Field::Collection, "{name:?}");
            assert!(
                errors[0].message.contains("not a collection name"),
                "{name:?}"
            );
        }
        assert!(server("http://tfs:8080/tfs", ".hidden").validate().is_ok());
    }

    #[test]
    fn server_api_base_keeps_the_virtual_directory_and_encodes_the_collection() {
        let target = server(" http://tfs:8080/tfs/ ", "My Collection")
            .validate()
            .unwrap();
        assert_eq!(
            target.api_base().as_str(),
            "http://tfs:8080/tfs/My%20Collection/"
        );
        assert_eq!(
            target
                .api_base()
                .join("_apis/connectionData")
                .unwrap()
                .as_str(),
            "http://tfs:8080/tfs/My%20Collection/_apis/connectionData",
            "joining must not drop the collection segment"
        );
    }

    #[test]
    fn server_without_virtual_directory() {
        let target = server("https://devops.contoso.com", "DefaultCollection")
            .validate()
            .unwrap();
        assert_eq!(
            target.api_base().as_str(),
            "https://devops.contoso.com/DefaultCollection/"
        );
    }

    #[test]
    fn services_defaults_to_dev_azure_com() {
        let input = TargetInput {
            deployment: Some(Deployment::Services),
            organization: "fabrikam".into(),
            ..Default::default()
        };
        assert_eq!(
            input.validate().unwrap().api_base().as_str(),
            "https://dev.azure.com/fabrikam/"
        );
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        assert_eq!(
            field_errors(server("", "")),
            vec![Field::ServerUrl, Field::Collection]
        );
    }

    #[test]
    fn server_url_errors_name_the_fix() {
        let cases = [
            ("tfs.contoso.com/tfs", "Add the scheme"),
            ("ftp://tfs", "http:// or https://"),
            ("https://user:pw@tfs/tfs", "Remove the user name"),
            ("https://tfs/tfs?x=1", "Remove everything from ?"),
            ("https://tfs/tfs/Coll/Proj/_git/repo", "box at the top"),
            ("http://", "not a valid URL"),
        ];
        for (url, expected) in cases {
            let errors = server(url, "DefaultCollection").validate().unwrap_err();
            assert_eq!(errors.len(), 1, "{url}");
            assert_eq!(errors[0].field, Field::ServerUrl);
            assert!(
                errors[0].message.contains(expected),
                "{url}: {}",
                errors[0].message
            );
            assert!(
                !errors[0].message.contains("pw"),
                "a password is never echoed"
            );
        }
    }

    #[test]
    fn collection_rules() {
        assert_eq!(
            field_errors(server("https://tfs", "a/b")),
            vec![Field::Collection]
        );
        assert_eq!(
            field_errors(server("https://tfs", "a?b")),
            vec![Field::Collection]
        );
        assert!(server("https://tfs", "Fabrikam Collection")
            .validate()
            .is_ok());
    }

    #[test]
    fn organization_rules() {
        for bad in [
            "",
            "https://dev.azure.com/x",
            "-x",
            "a b",
            "fabrikam.visualstudio.com",
        ] {
            let input = TargetInput {
                deployment: Some(Deployment::Services),
                organization: bad.into(),
                ..Default::default()
            };
            assert_eq!(field_errors(input), vec![Field::Organization], "{bad:?}");
        }
    }

    #[test]
    fn expiry_dates() {
        assert_eq!(validate_date(" 2027-1-31 ").unwrap(), "2027-01-31");
        assert_eq!(validate_date("2028-02-29").unwrap(), "2028-02-29");
        for bad in [
            "2027-02-29",
            "31/01/2027",
            "2027-13-01",
            "tomorrow",
            "",
            "1999-01-01",
        ] {
            assert_eq!(validate_date(bad).unwrap_err().field, Field::Pat, "{bad:?}");
        }
    }

    #[test]
    fn expiry_reminders() {
        // 2026-11-22T00:00:00Z
        let now = 1_795_305_600;
        assert_eq!(days_until("2026-11-22", now), Some(0));
        assert_eq!(days_until("2026-12-01", now), Some(9));
        assert_eq!(days_until("2026-11-01", now), Some(-21));
        assert!(pat_expiry_reminder("2026-12-01", now, 14)
            .unwrap()
            .contains("in 9 days"));
        assert!(pat_expiry_reminder("2026-11-01", now, 14)
            .unwrap()
            .contains("expired"));
        assert_eq!(pat_expiry_reminder("2027-06-01", now, 14), None);
    }

    #[test]
    fn pat_form() {
        assert_eq!(validate_pat("  abc123 \n").unwrap(), "abc123");
        assert_eq!(validate_pat("").unwrap_err().field, Field::Pat);
        assert!(validate_pat("abc 123")
            .unwrap_err()
            .message
            .contains("space"));
        let err = validate_pat("secret-part\u{e9}").unwrap_err();
        assert!(
            !err.message.contains("secret-part"),
            "an error never echoes the token"
        );
    }
}
