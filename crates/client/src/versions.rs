//! api-version negotiation, the way Microsoft's SDKs do it.
//!
//! Every area of this client asks for the version it was written against (`7.0`, or a preview
//! such as `7.1-preview.1`). What a server serves is learned once per connection, two ways:
//!
//! - its **resource locations**: `OPTIONS {collection}/_apis` answers one `ApiResourceLocation`
//!   per route (`routeTemplate`, `minVersion`, `maxVersion`, `releasedVersion`,
//!   `resourceVersion`); Microsoft's SDKs read the same table (node-api `VsoClient.ts`
//!   `beginGetAreaLocations`, the Python SDK's `client.py`);
//! - its **out-of-range error**: a version above the server's is refused with
//!   `VssVersionOutOfRangeException` "… The latest REST API version this server supports is
//!   {latest}." (`actions/runner` `WebApiResources.g.cs` `ApiVersionOutOfRange`).
//!
//! Each request then goes at the highest version both sides know, never above the server's
//! ([`ServedVersions::negotiate`], after node-api's `autoNegotiateApiVersion`): a request the
//! route serves goes as asked (a `-preview` suffix included); one above the route's released
//! version but within its range gets `-preview`; one above its range goes at the route's
//! latest. Only the server's latest is kept with a saved connection (the route table is read
//! again when a connection is verified or checked); a server older than [`OLDEST_SUPPORTED`]
//! is not negotiated with, so its own out-of-range error reaches the caller.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The oldest REST API version ADO Connect negotiates down to: 5.0, what Azure DevOps Server
/// 2019 serves (docs `concepts/rest-api-versioning`; spec folders `azure-devops-server-5.0`).
/// Team Foundation Server 2018 (4.1) and older stay unsupported.
pub const OLDEST_SUPPORTED: ApiVersion = ApiVersion::released(5, 0);

/// A REST `api-version`: `{major}.{minor}[-preview[.{resourceVersion}]]`.
///
/// Ordering and equality of *numbers* go through [`ApiVersion::number`]; the derived `Eq`
/// compares the suffix too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ApiVersion {
    /// `7` in `7.1`.
    pub major: u16,
    /// `1` in `7.1`.
    pub minor: u16,
    /// `None` for a released version; `Some(None)` for `-preview`, `Some(Some(2))` for
    /// `-preview.2`.
    pub preview: Option<Option<u16>>,
}

impl ApiVersion {
    /// A released version, e.g. `5.0`.
    pub const fn released(major: u16, minor: u16) -> Self {
        ApiVersion {
            major,
            minor,
            preview: None,
        }
    }

    /// `(major, minor)`, for comparing versions whatever their suffix.
    pub fn number(&self) -> (u16, u16) {
        (self.major, self.minor)
    }

    /// The same number, released (no suffix).
    pub fn without_preview(&self) -> Self {
        ApiVersion::released(self.major, self.minor)
    }

    /// True for `-preview` versions.
    pub fn is_preview(&self) -> bool {
        self.preview.is_some()
    }

    fn with_preview(&self, resource_version: Option<u16>) -> Self {
        ApiVersion {
            preview: Some(resource_version),
            ..*self
        }
    }

    /// Compares the numbers only (`7.1-preview.1` and `7.1` are equal here).
    pub fn cmp_number(&self, other: &ApiVersion) -> Ordering {
        self.number().cmp(&other.number())
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)?;
        match self.preview {
            None => Ok(()),
            Some(None) => f.write_str("-preview"),
            Some(Some(n)) => write!(f, "-preview.{n}"),
        }
    }
}

/// A string that is not an api-version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an api-version (expected e.g. 7.0 or 7.1-preview.1)")]
pub struct BadApiVersion(pub String);

impl FromStr for ApiVersion {
    type Err = BadApiVersion;

    /// Parses `7.0`, `7.1-preview`, `7.1-preview.1` (`preview` in any case).
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let bad = || BadApiVersion(raw.to_string());
        let trimmed = raw.trim();
        let (number, suffix) = match trimmed.split_once('-') {
            Some((n, s)) => (n, Some(s)),
            None => (trimmed, None),
        };
        let (major, minor) = number.split_once('.').ok_or_else(bad)?;
        let component = |s: &str| {
            (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u16>().ok())
                .flatten()
        };
        let (major, minor) = (
            component(major).ok_or_else(bad)?,
            component(minor).ok_or_else(bad)?,
        );
        let preview = match suffix {
            None => None,
            Some(s) => {
                let (word, stage) = match s.split_once('.') {
                    Some((w, n)) => (w, Some(component(n).ok_or_else(bad)?)),
                    None => (s, None),
                };
                if !word.eq_ignore_ascii_case("preview") {
                    return Err(bad());
                }
                Some(stage)
            }
        };
        Ok(ApiVersion {
            major,
            minor,
            preview,
        })
    }
}

impl Serialize for ApiVersion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ApiVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

/// The server's latest version named in a `VssVersionOutOfRangeException` message ("… The
/// latest REST API version this server supports is 6.0.").
pub fn latest_from_out_of_range(message: &str) -> Option<ApiVersion> {
    let tail = message.split("supports is").nth(1)?.trim();
    let end = tail
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c.is_ascii_alphabetic()))
        .unwrap_or(tail.len());
    tail[..end].trim_end_matches('.').parse().ok()
}

/// One route of the server, from its `ApiResourceLocation`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteVersions {
    /// The route's segments, `{area}` and `{resource}` filled in, lower case (`{…}` kept).
    segments: Vec<String>,
    /// `minVersion`.
    pub min: ApiVersion,
    /// `maxVersion`: the newest version the route serves at all.
    pub max: ApiVersion,
    /// `releasedVersion`: the newest served without `-preview` (`0.0`: never released).
    pub released: ApiVersion,
    /// `resourceVersion`: the preview stage of `max` when it is not released.
    pub resource_version: u16,
}

/// One entry of `OPTIONS _apis`, as the server sends it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ApiResourceLocation {
    #[serde(default)]
    area: String,
    #[serde(default)]
    resource_name: String,
    #[serde(default)]
    route_template: String,
    #[serde(default)]
    resource_version: u16,
    #[serde(default)]
    min_version: Option<String>,
    #[serde(default)]
    max_version: Option<String>,
    #[serde(default)]
    released_version: Option<String>,
}

impl RouteVersions {
    fn from_location(location: &ApiResourceLocation) -> Option<RouteVersions> {
        let max: ApiVersion = location.max_version.as_deref()?.parse().ok()?;
        let parse_or = |raw: &Option<String>, fallback: ApiVersion| {
            raw.as_deref()
                .and_then(|r| r.parse::<ApiVersion>().ok())
                .unwrap_or(fallback)
        };
        let segments = location
            .route_template
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.replace("{area}", &location.area)
                    .replace("{resource}", &location.resource_name)
                    .to_ascii_lowercase()
            })
            .collect();
        Some(RouteVersions {
            segments,
            min: parse_or(&location.min_version, ApiVersion::released(1, 0)),
            max,
            released: parse_or(&location.released_version, ApiVersion::released(0, 0)),
            resource_version: location.resource_version,
        })
    }

    /// How well `path` (segments, lower case) fits this route: the number of literal segments
    /// matched, or `None`. A segment that is all parameters (`{project}`, `{*projectId}`) may be
    /// left out, as the SDKs leave out the parts of a template they have no value for.
    fn fit(&self, path: &[&str]) -> Option<usize> {
        fn go(template: &[String], path: &[&str]) -> Option<usize> {
            let Some((first, rest)) = template.split_first() else {
                return path.is_empty().then_some(0);
            };
            if first.starts_with('{') && first.ends_with('}') {
                let wildcard = first.starts_with("{*");
                let mut best = go(rest, path);
                let most = if wildcard {
                    path.len()
                } else {
                    path.len().min(1)
                };
                for taken in 1..=most {
                    best = best.max(go(rest, &path[taken..]));
                }
                best
            } else {
                let (head, tail) = path.split_first()?;
                (first == head)
                    .then(|| go(rest, tail))
                    .flatten()
                    .map(|n| n + 1)
            }
        }
        go(&self.segments, path)
    }
}

/// What a server serves: its latest REST API version and, when its resource locations were
/// read, each route's range. Only `latest` is serialized (it is what a saved connection keeps).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServedVersions {
    /// The newest version the server serves at all (e.g. `6.0` for Azure DevOps Server 2020).
    pub latest: ApiVersion,
    #[serde(skip)]
    routes: Vec<RouteVersions>,
    /// `latest` is what the server itself said in an out-of-range error (not a saved value,
    /// which a re-read of the resource locations replaces: the server may have been upgraded).
    #[serde(skip)]
    said_by_server: bool,
}

impl ServedVersions {
    /// A server known only by its latest version (from a saved connection, or its error).
    pub fn latest(latest: ApiVersion) -> Self {
        ServedVersions {
            latest: latest.without_preview(),
            routes: Vec::new(),
            said_by_server: false,
        }
    }

    /// From the `value` of `OPTIONS _apis`; `None` when it lists no usable location.
    pub(crate) fn from_locations(locations: &[ApiResourceLocation]) -> Option<Self> {
        let routes: Vec<RouteVersions> = locations
            .iter()
            .filter_map(RouteVersions::from_location)
            .collect();
        let latest = routes
            .iter()
            .map(|r| r.max.without_preview())
            .max_by(|a, b| a.cmp_number(b))?;
        Some(ServedVersions {
            latest,
            routes,
            said_by_server: false,
        })
    }

    /// True when the resource locations were read (not only the latest version).
    pub fn knows_routes(&self) -> bool {
        !self.routes.is_empty()
    }

    /// True when ADO Connect supports this server ([`OLDEST_SUPPORTED`] or newer).
    pub fn is_supported(&self) -> bool {
        self.latest.cmp_number(&OLDEST_SUPPORTED) != Ordering::Less
    }

    /// What the server said in an out-of-range error: the lower latest wins.
    pub(crate) fn learn_latest(&mut self, latest: ApiVersion) {
        if latest.cmp_number(&self.latest) == Ordering::Less {
            self.latest = latest.without_preview();
        }
        self.said_by_server = true;
    }

    /// A fresh read of the resource locations (`found`) after what was known (`self`): the
    /// read wins over a saved latest (the server may have been upgraded), not over what the
    /// server itself said since (an older latest in its out-of-range error).
    pub(crate) fn refreshed_by(&self, mut found: ServedVersions) -> ServedVersions {
        if self.said_by_server && self.latest.cmp_number(&found.latest) == Ordering::Less {
            found.latest = self.latest;
        }
        found
    }

    fn route_for(&self, path: &str) -> Option<&RouteVersions> {
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let lower = path.to_ascii_lowercase();
        let segments: Vec<&str> = lower.split('/').filter(|s| !s.is_empty()).collect();
        self.routes
            .iter()
            .filter_map(|r| r.fit(&segments).map(|score| (score, r)))
            .max_by_key(|(score, _)| *score)
            .map(|(_, r)| r)
    }

    /// The version to send for a request to `path` (relative to the collection) that asked for
    /// `requested`: as asked when the server serves it, else the highest both know.
    pub fn negotiate(&self, path: &str, requested: ApiVersion) -> ApiVersion {
        if !self.is_supported() {
            return requested;
        }
        let Some(route) = self.route_for(path) else {
            // Only the latest known: cap the number, keep the request's kind (a preview asked
            // for stays a preview, without a stage the server may not have).
            return if requested.cmp_number(&self.latest) != Ordering::Greater {
                requested
            } else if requested.is_preview() {
                self.latest.with_preview(None)
            } else {
                self.latest
            };
        };
        // node-api `autoNegotiateApiVersion`, capped at the server's latest.
        let within_released = requested.cmp_number(&route.released) != Ordering::Greater;
        let within_max = requested.cmp_number(&route.max) != Ordering::Greater;
        let stage_ok = match requested.preview {
            Some(Some(stage)) => stage <= route.resource_version.max(1),
            _ => true,
        };
        if within_released || (requested.is_preview() && within_max && stage_ok) {
            requested
        } else if requested.cmp_number(&route.max) == Ordering::Less {
            requested.with_preview(None)
        } else if route.max.cmp_number(&route.released) == Ordering::Equal {
            route.max.without_preview()
        } else {
            route.max.with_preview(Some(route.resource_version))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(raw: &str) -> ApiVersion {
        raw.parse().unwrap()
    }

    fn location(template: &str, max: &str, released: &str) -> ApiResourceLocation {
        ApiResourceLocation {
            area: "git".into(),
            resource_name: "repositories".into(),
            route_template: template.into(),
            resource_version: 1,
            min_version: Some("1.0".into()),
            max_version: Some(max.into()),
            released_version: Some(released.into()),
        }
    }

    macro_rules! parses {
        ($name:ident, $raw:expr, $shown:expr) => {
            #[test]
            fn $name() {
                assert_eq!(v($raw).to_string(), $shown);
            }
        };
    }

    parses!(released_version, "7.0", "7.0");
    parses!(preview_without_stage, "7.1-preview", "7.1-preview");
    parses!(preview_with_stage, "7.1-Preview.1", "7.1-preview.1");

    #[test]
    fn malformed_versions_are_refused() {
        for raw in ["7", "7.x", "7.1-beta", "7.1-preview.x", "", "latest"] {
            assert!(raw.parse::<ApiVersion>().is_err(), "{raw:?}");
        }
    }

    #[test]
    fn the_out_of_range_message_names_the_latest() {
        let message = "The requested REST API version of 7.0 is out of range for this server. The latest REST API version this server supports is 5.0.";
        assert_eq!(latest_from_out_of_range(message), Some(v("5.0")));
        assert_eq!(latest_from_out_of_range("something else"), None);
    }

    #[test]
    fn a_server_known_by_its_latest_caps_released_and_preview_requests() {
        let server = ServedVersions::latest(v("5.0"));
        assert_eq!(server.negotiate("_apis/projects", v("7.0")), v("5.0"));
        assert_eq!(
            server.negotiate("_apis/graph/users", v("7.1-preview.1")),
            v("5.0-preview")
        );
        assert_eq!(server.negotiate("_apis/projects", v("4.1")), v("4.1"));
    }

    #[test]
    fn services_keep_what_was_asked() {
        let services = ServedVersions::latest(v("7.2"));
        assert_eq!(services.negotiate("_apis/projects", v("7.0")), v("7.0"));
        assert_eq!(
            services.negotiate("_apis/x", v("7.1-preview.1")),
            v("7.1-preview.1")
        );
    }

    #[test]
    fn routes_decide_released_and_preview() {
        let served = ServedVersions::from_locations(&[
            location(
                "{project}/_apis/{area}/{resource}/{repositoryId}",
                "6.0",
                "6.0",
            ),
            ApiResourceLocation {
                resource_name: "ConnectionData".into(),
                area: "Location".into(),
                route_template: "_apis/{resource}".into(),
                ..location("", "6.0", "0.0")
            },
        ])
        .unwrap();
        assert_eq!(served.latest, v("6.0"));
        assert_eq!(
            served.negotiate("Fabrikam%20Fiber/_apis/git/repositories", v("7.0")),
            v("6.0"),
            "above the route: its latest, released"
        );
        assert_eq!(
            served.negotiate("_apis/git/repositories/abc", v("5.1")),
            v("5.1")
        );
        assert_eq!(
            served.negotiate("_apis/connectionData", v("7.0")),
            v("6.0-preview.1"),
            "a never-released route goes as its preview"
        );
        assert_eq!(
            served.negotiate("_apis/connectionData", v("5.0")),
            v("5.0-preview"),
            "within the range but not released: -preview"
        );
    }

    #[test]
    fn optional_segments_and_wildcards_match() {
        let route = RouteVersions::from_location(&ApiResourceLocation {
            area: "core".into(),
            resource_name: "projects".into(),
            route_template: "_apis/{resource}/{*projectId}".into(),
            ..location("", "5.0", "5.0")
        })
        .unwrap();
        assert_eq!(route.fit(&["_apis", "projects"]), Some(2));
        assert_eq!(route.fit(&["_apis", "projects", "p1"]), Some(2));
        assert_eq!(route.fit(&["_apis", "git"]), None);
    }

    #[test]
    fn servers_below_the_oldest_supported_are_not_negotiated_with() {
        let tfs_2018 = ServedVersions::latest(v("4.1"));
        assert!(!tfs_2018.is_supported());
        assert_eq!(tfs_2018.negotiate("_apis/projects", v("7.0")), v("7.0"));
    }

    #[test]
    fn only_the_latest_is_serialized() {
        let served = ServedVersions::from_locations(&[location(
            "{project}/_apis/{area}/{resource}",
            "5.0",
            "5.0",
        )])
        .unwrap();
        let json = serde_json::to_value(&served).unwrap();
        assert_eq!(json, serde_json::json!({"latest": "5.0"}));
        let back: ServedVersions = serde_json::from_value(json).unwrap();
        assert_eq!(back, ServedVersions::latest(v("5.0")));
    }

    #[test]
    fn a_fresh_read_replaces_a_saved_latest_but_not_the_server_word() {
        let found = ServedVersions::from_locations(&[location("_apis/x", "7.0", "7.0")]).unwrap();
        let saved = ServedVersions::latest(v("5.0"));
        assert_eq!(
            saved.refreshed_by(found.clone()).latest,
            v("7.0"),
            "upgraded"
        );
        let mut said = ServedVersions::latest(v("7.0"));
        said.learn_latest(v("6.0"));
        assert_eq!(said.refreshed_by(found).latest, v("6.0"));
    }
}
