//! `GET _apis/connectionData`: who is calling, and where this host thinks it lives.
//!
//! Contract: `ConnectionData`, `LocationServiceData` and `AccessMapping` in `actions/runner`
//! `src/Sdk/WebApi/WebApi/Contracts/Location/` (every member `EmitDefaultValue = false`, so
//! empty ones are left out). `locationServiceData.accessMappings` and `serviceDefinitions`
//! come only with `connectOptions=IncludeServices` (`1`), which is what the Azure Pipelines
//! agent sends (`?connectOptions=1&lastChangeId=-1&lastChangeId64=-1`); a captured response to
//! `connectOptions=0` has neither. For Servers the access point is the configured public URL.

use serde_json::{json, Value};

use super::{format_time, Site};
use crate::world::User;

/// The service owner of TFS/Azure DevOps (the `tfs` service instance type).
const TFS_SERVICE_OWNER: &str = "00025394-6065-48ca-87d9-7f5672854ef7";
/// `LocationServiceConstants.SelfReferenceIdentifier`.
const LOCATION_SELF_REFERENCE: &str = "464ccb8d-abaf-4793-b927-cfdc107791ee";

/// `ConnectOptions` flags.
pub(crate) const INCLUDE_SERVICES: u32 = 1;
pub(crate) const INCLUDE_LAST_USER_ACCESS: u32 = 2;

/// An `Identity` as connectionData shows it.
fn identity(site: &Site<'_>, user: &User) -> Value {
    let id_bytes = user.id.as_bytes();
    let (descriptor, subject_descriptor, account) = match site.organization() {
        Some(org) if org.tenant_id.is_nil() => (
            format!(
                "Microsoft.IdentityModel.Claims.ClaimsIdentity;{}@Live.com",
                user.id
                    .simple()
                    .to_string()
                    .to_uppercase()
                    .get(..16)
                    .unwrap_or_default()
            ),
            format!("msa.{}", descriptor_suffix(id_bytes)),
            user.email.clone(),
        ),
        Some(org) => (
            format!(
                "Microsoft.IdentityModel.Claims.ClaimsIdentity;{}\\{}",
                org.tenant_id, user.email
            ),
            format!("aad.{}", descriptor_suffix(id_bytes)),
            user.email.clone(),
        ),
        None => {
            let sid = windows_sid(id_bytes);
            (
                format!("System.Security.Principal.WindowsIdentity;{sid}"),
                format!("win.{}", descriptor_suffix(sid.as_bytes())),
                user.account.clone().unwrap_or_else(|| user.email.clone()),
            )
        }
    };
    json!({
        "id": user.id,
        "descriptor": descriptor,
        "subjectDescriptor": subject_descriptor,
        "providerDisplayName": user.display_name,
        "isActive": true,
        "properties": {
            "Account": { "$type": "System.String", "$value": account },
        },
        "resourceVersion": 2,
        "metaTypeId": 0,
    })
}

/// Subject descriptors end in unpadded base64url of the underlying id.
fn descriptor_suffix(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A stable domain-user SID for an on-premises identity.
fn windows_sid(id: &[u8; 16]) -> String {
    let part = |i: usize| u32::from_le_bytes([id[i], id[i + 1], id[i + 2], id[i + 3]]);
    format!(
        "S-1-5-21-{}-{}-{}-{}",
        part(0),
        part(4),
        part(8),
        1000 + part(12) % 100_000
    )
}

/// `ConnectionData` for `user`. `options` are the `ConnectOptions` flags the caller asked
/// for; `client_change_id` is the `lastChangeId` it has cached, if any.
pub(crate) fn connection_data(
    site: &Site<'_>,
    user: &User,
    options: u32,
    client_change_id: Option<i64>,
) -> Value {
    let world = site.world;
    let change_id = world.change_id;

    let mut location = json!({
        "serviceOwner": TFS_SERVICE_OWNER,
        "defaultAccessMappingMoniker": "PublicAccessMapping",
        "lastChangeId": change_id,
        "lastChangeId64": change_id,
    });
    if client_change_id == Some(change_id) {
        location["clientCacheFresh"] = json!(true);
    }
    if options & INCLUDE_SERVICES != 0 {
        location["accessMappings"] = json!(access_mappings(site));
        location["serviceDefinitions"] = json!([{
            "serviceType": "LocationService2",
            "identifier": LOCATION_SELF_REFERENCE,
            "displayName": "Location Service",
            "relativeToSetting": "fullyQualified",
            "relativePath": "",
            "description": "Location Service for Azure DevOps.",
            "serviceOwner": TFS_SERVICE_OWNER,
            "locationMappings": [{
                "accessMappingMoniker": "PublicAccessMapping",
                "location": format!("{}/", site.base()),
            }],
            "toolId": "Framework",
            "parentIdentifier": "00000000-0000-0000-0000-000000000000",
            "status": "active",
            "properties": {},
        }]);
    }

    let user = identity(site, user);
    let (deployment_id, deployment_type, relative_directory) = match site.server() {
        None => (world.services_deployment_id, "hosted", "/".to_string()),
        Some(server) => (
            server.id,
            "onPremises",
            match &server.virtual_directory {
                Some(vdir) => format!("/{vdir}/"),
                None => "/".to_string(),
            },
        ),
    };
    let mut value = json!({
        "authenticatedUser": user,
        "authorizedUser": user,
        "instanceId": world.host_id(site.host),
        "deploymentId": deployment_id,
        "deploymentType": deployment_type,
    });
    if options & INCLUDE_LAST_USER_ACCESS != 0 {
        value["lastUserAccess"] = json!(format_time(time::OffsetDateTime::now_utc()));
    }
    value["locationServiceData"] = location;
    value["webApplicationRelativeDirectory"] = json!(relative_directory);
    value
}

/// Access mappings: `accessPoint` + `/` + `virtualDirectory` is the host URL.
fn access_mappings(site: &Site<'_>) -> Vec<Value> {
    let world = site.world;
    let mapping = |display: &str, moniker: &str, access_point: String, vdir: String| {
        json!({
            "displayName": display,
            "moniker": moniker,
            "accessPoint": access_point,
            "serviceOwner": TFS_SERVICE_OWNER,
            "virtualDirectory": vdir,
        })
    };
    match site.organization() {
        Some(org) => vec![
            mapping(
                "Public Access Mapping",
                "PublicAccessMapping",
                site.access_point(),
                org.name.clone(),
            ),
            mapping(
                "Host Guid Access Mapping",
                "HostGuidAccessMapping",
                site.access_point(),
                org.id.to_string(),
            ),
        ],
        None => vec![mapping(
            "Public Access Mapping",
            "PublicAccessMapping",
            site.access_point(),
            world.host_name(site.host).to_string(),
        )],
    }
}
