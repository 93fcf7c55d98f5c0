//! The location area: `OPTIONS _apis[/{area}]` (ApiResourceLocation tables) and
//! `GET _apis/ResourceAreas`, which SDKs read before any other call.
//!
//! Microsoft's Python SDK (`azure-devops` 7.1.0b4, `client.py`) first sends
//! `OPTIONS {base lowercased}/_apis`, then `GET _apis/ResourceAreas`; it builds every URL from
//! the `routeTemplate` of the location whose `id` it needs and negotiates the version down to
//! `maxVersion` (adding `-preview` when `releasedVersion` is lower). An empty ResourceAreas list
//! means on-premises: the SDK then uses the collection URL as is. An area missing from a
//! non-empty list sends it to `https://app.vssps.visualstudio.com`, so Services list every area
//! the SDK knows, all pointing back at the emulator.
//!
//! Only resources the emulator serves are listed in `OPTIONS`, so a client asking for another
//! one fails with the SDK's own "API resource location … is not registered" instead of a 404.

use axum::http::Method;
use serde_json::{json, Value};

use crate::errors::VssError;
use crate::resources::Site;
use crate::versions::{
    ApiVersion, RequestedVersion, ServerVersion, SERVICES_MAX, SERVICES_RELEASED,
};

/// Version limits of a host.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HostLimits {
    /// The newest version accepted at all.
    pub max: ApiVersion,
    /// The newest version accepted without `-preview`.
    pub released: ApiVersion,
}

impl HostLimits {
    pub fn services() -> Self {
        HostLimits {
            max: SERVICES_MAX,
            released: SERVICES_RELEASED,
        }
    }

    /// The limits of the host a request is for.
    pub fn of(site: &Site<'_>) -> Self {
        match site.server() {
            None => HostLimits::services(),
            Some(server) => HostLimits::server(server.version),
        }
    }

    /// A Server's newest version is also its newest released one.
    pub fn server(version: ServerVersion) -> Self {
        HostLimits {
            max: version.max_api_version(),
            released: version.max_api_version(),
        }
    }
}

/// One ApiResourceLocation.
#[derive(Debug)]
pub(crate) struct LocationDef {
    pub id: &'static str,
    pub area: &'static str,
    pub resource_name: &'static str,
    pub route_template: &'static str,
    pub resource_version: u32,
    pub min_version: ApiVersion,
    /// Never released: `releasedVersion` is `0.0` and every request needs `-preview`.
    pub preview_only: bool,
}

/// `Location/ConnectionData` (preview only: plain `7.1` is refused with "the -preview flag
/// must be supplied", as reported by public clients).
pub(crate) const CONNECTION_DATA: LocationDef = LocationDef {
    id: "00d9565f-ed9c-4a06-9a50-00e7896ccab4",
    area: "Location",
    resource_name: "ConnectionData",
    route_template: "_apis/{resource}",
    resource_version: 1,
    min_version: ApiVersion::new(1, 0),
    preview_only: true,
};

/// `Location/ResourceAreas` (`releasedVersion` `0.0`, `minVersion` `3.2` in captured tables).
pub(crate) const RESOURCE_AREAS: LocationDef = LocationDef {
    id: "e81700f7-3be2-46de-8624-2eb35882fcaa",
    area: "Location",
    resource_name: "ResourceAreas",
    route_template: "_apis/{resource}/{areaId}",
    resource_version: 1,
    min_version: ApiVersion::new(3, 2),
    preview_only: true,
};

/// `core/projects` (resourceVersion 4 in captured tables).
pub(crate) const PROJECTS: LocationDef = LocationDef {
    id: "603fe2ac-9723-48b9-88ad-09305aa6c6e1",
    area: "core",
    resource_name: "projects",
    route_template: "_apis/{resource}/{*projectId}",
    resource_version: 4,
    min_version: ApiVersion::new(1, 0),
    preview_only: false,
};

/// `git/repositories`.
pub(crate) const REPOSITORIES: LocationDef = LocationDef {
    id: "225f7195-f9c7-4d14-ab28-a83f7ff77e1f",
    area: "git",
    resource_name: "repositories",
    route_template: "{project}/_apis/{area}/{resource}/{repositoryId}",
    resource_version: 1,
    min_version: ApiVersion::new(1, 0),
    preview_only: false,
};

const ALL: [&LocationDef; 4] = [&CONNECTION_DATA, &RESOURCE_AREAS, &PROJECTS, &REPOSITORIES];

impl LocationDef {
    fn released(&self, limits: HostLimits) -> ApiVersion {
        if self.preview_only {
            ApiVersion::new(0, 0)
        } else {
            limits.released
        }
    }

    /// The table entry.
    fn to_json(&self, limits: HostLimits) -> Value {
        json!({
            "id": self.id,
            "area": self.area,
            "resourceName": self.resource_name,
            "routeTemplate": self.route_template,
            "resourceVersion": self.resource_version,
            "minVersion": self.min_version.to_string(),
            "maxVersion": limits.max.to_string(),
            "releasedVersion": self.released(limits).to_string(),
        })
    }

    /// Checks a requested version and returns the one to put in `Content-Type`.
    ///
    /// No version is fine for reads (Azure DevOps then serves its latest released version, or
    /// the latest preview of a never-released resource); writes need one
    /// (`VssVersionNotSpecifiedException` is reported for POST/PUT, never for GET).
    pub fn negotiate(
        &self,
        requested: Option<&RequestedVersion>,
        method: &Method,
        limits: HostLimits,
    ) -> Result<String, VssError> {
        let Some(requested) = requested else {
            if method != Method::GET && method != Method::HEAD && method != Method::OPTIONS {
                return Err(VssError::version_not_specified(method.as_str()));
            }
            return Ok(if self.preview_only {
                format!("{}-preview.{}", limits.max, self.resource_version)
            } else {
                self.released(limits).to_string()
            });
        };
        if requested.version > limits.max {
            return Err(VssError::version_out_of_range(
                requested.version,
                limits.max,
            ));
        }
        if requested.version < self.min_version {
            return Err(VssError::version_below_route_minimum(
                requested,
                self.route_template,
            ));
        }
        if !requested.preview && requested.version > self.released(limits) {
            return Err(VssError::preview_flag_required(requested.version));
        }
        Ok(if requested.preview {
            let resource_version = requested
                .resource_version
                .unwrap_or(self.resource_version)
                .min(self.resource_version);
            format!("{}-preview.{resource_version}", requested.version)
        } else {
            requested.version.to_string()
        })
    }
}

/// `OPTIONS _apis[/{area}]`.
pub(crate) fn options(site: &Site<'_>, area: Option<&str>) -> Value {
    let limits = HostLimits::of(site);
    let value: Vec<Value> = ALL
        .iter()
        .chain(super::areas::LOCATIONS.iter())
        .filter(|l| area.is_none_or(|a| a.eq_ignore_ascii_case(l.area)))
        .map(|l| l.to_json(limits))
        .collect();
    json!({ "count": value.len(), "value": value })
}

/// Resource areas a Services organization lists: every area Microsoft's SDKs look up
/// (`resource_area_identifier` in the Python SDK; docs `extend/develop/work-with-urls.md`).
const AREAS: &[(&str, &str)] = &[
    ("0d55247a-1c47-4462-9b1f-5e2125590ee6", "account"),
    ("94ff054d-5ee1-413d-9341-3f4a7827de2e", "audit"),
    ("965220d5-5bb9-42cf-8d67-9b146df2a5a4", "build"),
    ("5d6898bb-45ec-463f-95f9-54d49c71752e", "build"),
    ("8477aec9-a4c7-4bd4-a456-ba4c53c989cb", "contribution"),
    ("79134c72-4a58-4b42-976c-04e7115f32bf", "core"),
    ("31c84e0a-3ece-48fd-a29d-100849af99ba", "dashboard"),
    (
        "6c2b0933-3600-42ae-bf8b-93d4f7e83594",
        "extensionManagement",
    ),
    ("7ab4e64e-c4d8-4f50-ae73-5ef2e21642a5", "Packaging"),
    ("69d21c00-f135-441b-b5ce-3626378e0819", "gallery"),
    ("4e080c62-fa21-4fbc-8fef-2a10a2b38049", "git"),
    ("bb1e7ec9-e901-4b68-999a-de7012b920f8", "graph"),
    ("4e40f190-2e3f-4d9f-8331-c7788e833080", "graph"),
    ("8a3d49b8-91f0-46ef-b33d-dda338c25db3", "IMS"),
    ("e81700f7-3be2-46de-8624-2eb35882fcaa", "Location"),
    ("6f7f8c07-ff36-473c-bcf3-bd6cc9b6c066", "maven"),
    (
        "68ddce18-2501-45f1-a17b-7931a9922690",
        "MemberEntitlementManagement",
    ),
    ("4c83cfc1-f33a-477e-a789-29d38ffca52e", "npm"),
    ("b3be7473-68ea-4a81-bfc7-9530baaa19ad", "nuget"),
    (
        "a81a0441-de52-4000-aa15-ff0e07bfbbaa",
        "pipelinePermissions",
    ),
    ("4a933897-0488-45af-bd82-6fd3ad33f46a", "PipelinesChecks"),
    ("fb13a388-40dd-4a04-b530-013a739c72ef", "policy"),
    ("8ccfef3d-2b87-4e99-8ccb-66e343d2daa8", "profile"),
    ("7658fa33-b1bf-4580-990f-fac5896773d3", "projectanalysis"),
    ("b40c1171-807a-493a-8f3f-5c26d5e2f5aa", "Provenance"),
    ("92f0314b-06c5-46e0-abe7-15fd9d13276a", "pypi"),
    ("efc2f575-36ef-48e9-b672-0c6fb4a48ac5", "Release"),
    ("2e504d18-2c0c-46f8-af8f-322d2af0068a", "sbom"),
    ("ea48a0a1-269c-42d8-b8ad-ddc8fcdcf578", "search"),
    ("1814ab31-2f4f-4a9f-8761-f4d77dc5a5d7", "serviceendpoint"),
    ("af607f94-69ba-4821-8159-f04e37b66350", "symbol"),
    ("a85b8835-c1a1-4aac-ae97-1c3d0ba72dbd", "distributedtask"),
    ("c2aa639c-3ccc-4740-b3b6-ce2a1e1d984e", "Test"),
    ("c83eaf52-edf3-4034-ae11-17d38f25404c", "testresults"),
    ("8aa40520-446d-40e6-89f6-9c9f9ce44c48", "tfvc"),
    ("af68438b-ed04-4407-9eb6-f1dbae3f922e", "TokenAdmin"),
    ("d397749b-f115-4027-b6dd-77a65dd10d21", "upack"),
    ("bf7d82a0-8aa5-4613-94ef-6172a5ea01f3", "wiki"),
    ("1d4f49f9-02b9-4e26-b826-2cdb6195f2a9", "work"),
    ("5264459e-e5e0-4bd8-b118-0985e68a4ec5", "wit"),
];

fn area_json(site: &Site<'_>, id: &str, name: &str) -> Value {
    json!({
        "id": id,
        "name": name,
        // Real organizations answer e.g. "https://dev.azure.com/fabrikam/" (trailing slash).
        "locationUrl": format!("{}/", site.base()),
    })
}

/// `GET _apis/ResourceAreas`: every area on Services, none on a Server (on-premises answers
/// with an empty collection; the Python SDK's `connection.py` relies on that).
pub(crate) fn resource_areas(site: &Site<'_>) -> Value {
    let value: Vec<Value> = match site.server() {
        Some(_) => Vec::new(),
        None => AREAS
            .iter()
            .map(|(id, name)| area_json(site, id, name))
            .collect(),
    };
    json!({ "count": value.len(), "value": value })
}

/// `GET _apis/ResourceAreas/{areaId}`.
pub(crate) fn resource_area(site: &Site<'_>, area_id: &str) -> Result<Value, VssError> {
    if site.server().is_none() {
        if let Some((id, name)) = AREAS
            .iter()
            .find(|(id, _)| id.eq_ignore_ascii_case(area_id))
        {
            return Ok(area_json(site, id, name));
        }
    }
    Err(VssError::new(
        axum::http::StatusCode::NOT_FOUND,
        "ResourceAreaNotFoundException",
        "Microsoft.VisualStudio.Services.Location.ResourceAreaNotFoundException, Microsoft.VisualStudio.Services.WebApi",
        format!("The resource area {area_id} was not found."),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(raw: &str) -> RequestedVersion {
        RequestedVersion::parse(raw).unwrap()
    }

    #[test]
    fn server_2022_refuses_7_1() {
        let err = PROJECTS
            .negotiate(
                Some(&req("7.1")),
                &Method::GET,
                HostLimits::server(ServerVersion::V2022),
            )
            .unwrap_err();
        assert_eq!(
            err.message,
            "The requested REST API version of 7.1 is out of range for this server. The latest REST API version this server supports is 7.0."
        );
    }

    #[test]
    fn preview_only_resources_need_the_flag() {
        let err = CONNECTION_DATA
            .negotiate(Some(&req("7.1")), &Method::GET, HostLimits::services())
            .unwrap_err();
        assert_eq!(err.type_key, "VssInvalidPreviewVersionException");
        assert_eq!(
            CONNECTION_DATA
                .negotiate(
                    Some(&req("7.1-preview")),
                    &Method::GET,
                    HostLimits::services()
                )
                .unwrap(),
            "7.1-preview.1"
        );
    }

    #[test]
    fn services_7_2_is_preview_only() {
        assert!(PROJECTS
            .negotiate(Some(&req("7.2")), &Method::GET, HostLimits::services())
            .is_err());
        assert_eq!(
            PROJECTS
                .negotiate(
                    Some(&req("7.2-preview.4")),
                    &Method::GET,
                    HostLimits::services()
                )
                .unwrap(),
            "7.2-preview.4"
        );
    }

    #[test]
    fn reads_need_no_version_but_writes_do() {
        assert_eq!(
            PROJECTS
                .negotiate(None, &Method::GET, HostLimits::services())
                .unwrap(),
            "7.1"
        );
        assert_eq!(
            PROJECTS
                .negotiate(None, &Method::POST, HostLimits::services())
                .unwrap_err()
                .type_key,
            "VssVersionNotSpecifiedException"
        );
    }
}
