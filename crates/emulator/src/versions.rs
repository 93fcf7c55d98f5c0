//! REST `api-version`s: parsing what a client asked for, and the limits of each kind of host.
//!
//! A client sends the version in the query (`?api-version=7.1-preview.1`) or in the `Accept`
//! header (`application/json;api-version=7.0`, which is what Microsoft's Python SDK does).
//! Format and error messages follow the SDK's `WebApiResources` (`actions/runner`
//! `src/Sdk/WebApi/WebApi/WebApiResources.g.cs`): `{Major}.{Minor}[-preview[.{ResourceVersion}]]`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::errors::VssError;

/// A REST API version without its preview suffix, e.g. `7.1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ApiVersion {
    /// The part before the dot.
    pub major: u16,
    /// The part after the dot.
    pub minor: u16,
}

impl ApiVersion {
    /// Builds `major.minor`.
    pub const fn new(major: u16, minor: u16) -> Self {
        ApiVersion { major, minor }
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// The newest version Azure DevOps Services accepts (`7.2-preview`; docs `rest-api-versioning`).
pub const SERVICES_MAX: ApiVersion = ApiVersion::new(7, 2);

/// The newest *released* (non-preview) version on Services: 7.2 exists only as a preview.
pub const SERVICES_RELEASED: ApiVersion = ApiVersion::new(7, 1);

/// The Azure DevOps Server releases a scenario can name.
///
/// Each caps the REST API version it accepts (docs `concepts/rest-api-versioning`: Server 2022
/// up to 7.0, Server 2020 up to 6.0, Server 2019 up to 5.0; Team Foundation Server 2018 up to
/// 4.1, its last update's, as the spec folder `tfs-4.1` has it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ServerVersion {
    /// Team Foundation Server 2018 (Update 2 and later): REST API up to 4.1.
    #[serde(rename = "2018")]
    V2018,
    /// Azure DevOps Server 2019: REST API up to 5.0.
    #[serde(rename = "2019")]
    V2019,
    /// Azure DevOps Server 2020: REST API up to 6.0.
    #[serde(rename = "2020")]
    V2020,
    /// Azure DevOps Server 2022: REST API up to 7.0.
    #[serde(rename = "2022")]
    V2022,
}

impl ServerVersion {
    /// The newest REST API version this release accepts.
    pub fn max_api_version(self) -> ApiVersion {
        match self {
            ServerVersion::V2018 => ApiVersion::new(4, 1),
            ServerVersion::V2019 => ApiVersion::new(5, 0),
            ServerVersion::V2020 => ApiVersion::new(6, 0),
            ServerVersion::V2022 => ApiVersion::new(7, 0),
        }
    }

    /// Its name, e.g. `Azure DevOps Server 2020`.
    pub fn product_name(self) -> &'static str {
        match self {
            ServerVersion::V2018 => "Team Foundation Server 2018",
            ServerVersion::V2019 => "Azure DevOps Server 2019",
            ServerVersion::V2020 => "Azure DevOps Server 2020",
            ServerVersion::V2022 => "Azure DevOps Server 2022",
        }
    }

    /// The release's year, as written in scenarios (`"2022"`).
    pub fn as_str(self) -> &'static str {
        match self {
            ServerVersion::V2018 => "2018",
            ServerVersion::V2019 => "2019",
            ServerVersion::V2020 => "2020",
            ServerVersion::V2022 => "2022",
        }
    }
}

/// An `api-version` exactly as requested, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestedVersion {
    /// `7.1` in `7.1-preview.2`.
    pub version: ApiVersion,
    /// Whether `-preview` was given.
    pub preview: bool,
    /// `2` in `7.1-preview.2`.
    pub resource_version: Option<u32>,
}

impl RequestedVersion {
    /// Parses `{Major}.{Minor}[-preview[.{ResourceVersion}]]` (case-insensitive `preview`).
    pub fn parse(raw: &str) -> Option<RequestedVersion> {
        let raw = raw.trim();
        let (number, suffix) = match raw.find('-') {
            Some(dash) => (&raw[..dash], Some(&raw[dash + 1..])),
            None => (raw, None),
        };
        let (major, minor) = number.split_once('.')?;
        let version = ApiVersion::new(parse_component(major)?, parse_component(minor)?);
        let (preview, resource_version) = match suffix {
            None => (false, None),
            Some(suffix) => {
                let (word, rest) = match suffix.split_once('.') {
                    Some((word, rest)) => (word, Some(rest)),
                    None => (suffix, None),
                };
                if !word.eq_ignore_ascii_case("preview") {
                    return None;
                }
                let resource_version = match rest {
                    Some(n) => Some(n.parse::<u32>().ok()?),
                    None => None,
                };
                (true, resource_version)
            }
        };
        Some(RequestedVersion {
            version,
            preview,
            resource_version,
        })
    }
}

fn parse_component(s: &str) -> Option<u16> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Reads the requested version from the query string, else from the `Accept` header.
///
/// Returns `Ok(None)` when the request names no version, and the VSS 400 error
/// (`VssInvalidApiResourceVersionException`) when it names one that does not parse.
pub(crate) fn from_request(
    query: Option<&str>,
    accept: Option<&str>,
) -> Result<Option<RequestedVersion>, VssError> {
    let raw = query
        .and_then(query_api_version)
        .or_else(|| accept.and_then(accept_api_version));
    match raw {
        None => Ok(None),
        Some(raw) => RequestedVersion::parse(&raw)
            .map(Some)
            .ok_or_else(|| VssError::invalid_api_version(&raw)),
    }
}

/// The `api-version` a request named, exactly as sent (query, else `Accept`), for the log.
pub(crate) fn raw_requested(query: Option<&str>, accept: Option<&str>) -> Option<String> {
    query
        .and_then(query_api_version)
        .or_else(|| accept.and_then(accept_api_version))
}

fn query_api_version(query: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_encoding::percent_decode_str(key).decode_utf8_lossy();
        key.eq_ignore_ascii_case("api-version").then(|| {
            percent_encoding::percent_decode_str(&value.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

fn accept_api_version(accept: &str) -> Option<String> {
    accept
        .split([';', ','])
        .filter_map(|param| param.split_once('='))
        .find(|(key, _)| key.trim().eq_ignore_ascii_case("api-version"))
        .map(|(_, value)| value.trim().trim_matches('"').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! parses {
        ($name:ident, $raw:expr, $major:expr, $minor:expr, $preview:expr, $rv:expr) => {
            #[test]
            fn $name() {
                let v = RequestedVersion::parse($raw).expect("parses");
                assert_eq!(v.version, ApiVersion::new($major, $minor));
                assert_eq!(v.preview, $preview);
                assert_eq!(v.resource_version, $rv);
            }
        };
    }

    parses!(released, "7.1", 7, 1, false, None);
    parses!(preview, "7.1-preview", 7, 1, true, None);
    parses!(preview_with_resource, "7.1-preview.4", 7, 1, true, Some(4));
    parses!(preview_uppercase, "5.0-Preview.1", 5, 0, true, Some(1));

    #[test]
    fn rejects_malformed_versions() {
        for raw in [
            "7",
            "seven",
            "7.x",
            "7.1-beta",
            "7.1-preview.x",
            "",
            "7.1.2",
        ] {
            assert!(
                RequestedVersion::parse(raw).is_none(),
                "{raw:?} must not parse"
            );
        }
    }

    #[test]
    fn query_wins_over_accept() {
        let v = from_request(
            Some("a=1&api-version=6.0"),
            Some("application/json;api-version=7.0"),
        )
        .unwrap()
        .unwrap();
        assert_eq!(v.version, ApiVersion::new(6, 0));
    }

    #[test]
    fn reads_the_accept_header_as_the_python_sdk_sends_it() {
        let v = from_request(None, Some("application/json;api-version=7.0-preview.1"))
            .unwrap()
            .unwrap();
        assert_eq!(v.version, ApiVersion::new(7, 0));
        assert!(v.preview);
    }

    #[test]
    fn no_version_is_not_an_error_here() {
        assert_eq!(
            from_request(Some("$top=1"), Some("application/json")).unwrap(),
            None
        );
    }
}
