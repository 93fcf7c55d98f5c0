//! VSS error bodies: the "wrapped exception" JSON every Azure DevOps REST error carries.
//!
//! Shape (azure-devops-auth-samples#52, vsts-rest-api-specs#571):
//! `{"$id":"1","innerException":null,"message":"…","typeName":"<Type>, <Assembly>",
//! "typeKey":"<Type>","errorCode":0,"eventId":3000}`, sent with the message, url-encoded, in
//! the `X-TFS-ServiceError` header. Messages and type names are quoted from captured responses
//! or from the SDK's resource strings; `FIDELITY.md` says which is which.

use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::versions::{ApiVersion, RequestedVersion};

/// Escapes all but RFC 3986 unreserved characters, like .NET's `Uri.EscapeDataString`.
pub(crate) const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// An error answered the way Azure DevOps answers it: a status, a VSS JSON body and headers.
#[derive(Debug, Clone)]
pub struct VssError {
    /// HTTP status.
    pub status: StatusCode,
    /// Short exception name, e.g. `ProjectDoesNotExistWithNameException`.
    pub type_key: &'static str,
    /// Assembly-qualified exception name.
    pub type_name: &'static str,
    /// Human-readable message, e.g. `TF200016: …`.
    pub message: String,
    /// `customProperties`, present on some exceptions (e.g. `AccessCheckException`).
    pub custom_properties: Option<Box<Value>>,
    /// Headers to add (e.g. `WWW-Authenticate`, `Retry-After`), in order; names may repeat.
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl VssError {
    /// A VSS error with no extra headers.
    pub fn new(
        status: StatusCode,
        type_key: &'static str,
        type_name: &'static str,
        message: String,
    ) -> Self {
        VssError {
            status,
            type_key,
            type_name,
            message,
            custom_properties: None,
            headers: Vec::new(),
        }
    }

    /// Adds a header (appending, so `WWW-Authenticate` can repeat).
    pub fn with_header(mut self, name: HeaderName, value: &str) -> Self {
        if let Ok(value) = HeaderValue::from_str(value) {
            self.headers.push((name, value));
        }
        self
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        let mut body = json!({
            "$id": "1",
            "innerException": null,
            "message": self.message,
            "typeName": self.type_name,
            "typeKey": self.type_key,
            "errorCode": 0,
            "eventId": 3000,
        });
        if let Some(custom) = &self.custom_properties {
            body["customProperties"] = (**custom).clone();
        }
        body
    }

    /// `401 TF400813` for a request whose credentials were not accepted (or, with a user id,
    /// whose token lacks the scope the endpoint needs).
    ///
    /// Message and type: azure-devops-auth-samples#52, AzureAD/microsoft-authentication-library-for-dotnet#2394.
    pub fn unauthorized(user_id: &str) -> Self {
        VssError::new(
            StatusCode::UNAUTHORIZED,
            "UnauthorizedRequestException",
            "Microsoft.TeamFoundation.Framework.Server.UnauthorizedRequestException, Microsoft.TeamFoundation.Framework.Server",
            format!("TF400813: The user '{user_id}' is not authorized to access this resource."),
        )
    }

    /// `401` for an expired PAT: an `AccessCheckException` (body captured in a public client's
    /// source comment; message widely quoted, e.g. by `vsce`).
    pub fn pat_expired() -> Self {
        let mut error = VssError::new(
            StatusCode::UNAUTHORIZED,
            "AccessCheckException",
            "Microsoft.VisualStudio.Services.Security.AccessCheckException, Microsoft.VisualStudio.Services.WebApi",
            "Access Denied: The Personal Access Token used has expired.".to_string(),
        );
        error.custom_properties = Some(Box::new(json!({
            "Descriptor": null,
            "IdentityDisplayName": null,
            "Token": null,
            "RequestedPermissions": 0,
            "NamespaceId": "00000000-0000-0000-0000-000000000000",
        })));
        error
    }

    /// `404 TF200016` for a project named but not found (captured in several public clients' tests).
    pub fn project_not_found_by_name(name: &str) -> Self {
        VssError::new(
            StatusCode::NOT_FOUND,
            "ProjectDoesNotExistWithNameException",
            "Microsoft.TeamFoundation.Core.WebApi.ProjectDoesNotExistWithNameException, Microsoft.TeamFoundation.Core.WebApi",
            format!(
                "TF200016: The following project does not exist: {name}. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server."
            ),
        )
    }

    /// `404 VS800075` for a project given by id but not found.
    pub fn project_not_found_by_id(id: &Uuid) -> Self {
        VssError::new(
            StatusCode::NOT_FOUND,
            "ProjectDoesNotExistException",
            "Microsoft.TeamFoundation.Core.WebApi.ProjectDoesNotExistException, Microsoft.TeamFoundation.Core.WebApi",
            format!(
                "VS800075: The project with id 'vstfs:///Classification/TeamProject/{id}' does not exist, or you do not have permission to access it."
            ),
        )
    }

    /// `404 TF401019` for a repository not found by name or id.
    pub fn repository_not_found(name_or_id: &str) -> Self {
        VssError::new(
            StatusCode::NOT_FOUND,
            "GitRepositoryNotFoundException",
            "Microsoft.TeamFoundation.Git.Server.GitRepositoryNotFoundException, Microsoft.TeamFoundation.Git.Server",
            format!(
                "TF401019: The Git repository with name or identifier {name_or_id} does not exist or you do not have permissions for the operation you are attempting."
            ),
        )
    }

    /// `404` for an organization the emulator does not know (real body unconfirmed; see FIDELITY.md).
    pub fn organization_not_found(name: &str) -> Self {
        VssError::new(
            StatusCode::NOT_FOUND,
            "HostNotFoundException",
            "Microsoft.VisualStudio.Services.WebApi.HostNotFoundException, Microsoft.VisualStudio.Services.WebApi",
            format!("The organization '{name}' does not exist."),
        )
    }

    /// `404` for a collection a server does not have (real body unconfirmed; see FIDELITY.md).
    pub fn collection_not_found(name: &str) -> Self {
        VssError::new(
            StatusCode::NOT_FOUND,
            "CollectionDoesNotExistException",
            "Microsoft.TeamFoundation.Framework.Server.CollectionDoesNotExistException, Microsoft.TeamFoundation.Server.Core",
            format!("The project collection '{name}' does not exist or is not accessible."),
        )
    }

    /// `404` for a path the emulator does not serve. Not a real Azure DevOps message: it names
    /// the request so a test that calls an unimplemented endpoint says so plainly.
    pub fn route_not_found(method: &str, path: &str) -> Self {
        VssError::new(
            StatusCode::NOT_FOUND,
            "EmulatorRouteNotFoundException",
            "AdoEmulator.EmulatorRouteNotFoundException, ado-emulator",
            format!("ado-emulator does not serve {method} {path}."),
        )
    }

    /// `400 VssVersionOutOfRangeException` (`WebApiResources.ApiVersionOutOfRange`).
    pub fn version_out_of_range(requested: ApiVersion, max: ApiVersion) -> Self {
        VssError::new(
            StatusCode::BAD_REQUEST,
            "VssVersionOutOfRangeException",
            "Microsoft.VisualStudio.Services.WebApi.VssVersionOutOfRangeException, Microsoft.VisualStudio.Services.WebApi",
            format!(
                "The requested REST API version of {requested} is out of range for this server. The latest REST API version this server supports is {max}."
            ),
        )
    }

    /// `400 VssVersionOutOfRangeException` for a version below a route's minimum
    /// (`WebApiResources.ApiVersionOutOfRangeForRoute`).
    pub fn version_below_route_minimum(requested: &RequestedVersion, route: &str) -> Self {
        VssError::new(
            StatusCode::BAD_REQUEST,
            "VssVersionOutOfRangeException",
            "Microsoft.VisualStudio.Services.WebApi.VssVersionOutOfRangeException, Microsoft.VisualStudio.Services.WebApi",
            format!(
                "The request matched route {route}, but the requested REST API version {} was outside the valid version range for this route.",
                requested.version
            ),
        )
    }

    /// `400 VssInvalidPreviewVersionException` (`WebApiResources.PreviewVersionNotSuppliedMessage`).
    pub fn preview_flag_required(requested: ApiVersion) -> Self {
        VssError::new(
            StatusCode::BAD_REQUEST,
            "VssInvalidPreviewVersionException",
            "Microsoft.VisualStudio.Services.WebApi.VssInvalidPreviewVersionException, Microsoft.VisualStudio.Services.WebApi",
            format!(
                "The requested version \"{requested}\" of the resource is under preview. The -preview flag must be supplied in the api-version for such requests. For example: \"{requested}-preview\""
            ),
        )
    }

    /// `400 VssVersionNotSpecifiedException` (`WebApiResources.VersionNotSuppliedMessage`).
    pub fn version_not_specified(method: &str) -> Self {
        VssError::new(
            StatusCode::BAD_REQUEST,
            "VssVersionNotSpecifiedException",
            "Microsoft.VisualStudio.Services.WebApi.VssVersionNotSpecifiedException, Microsoft.VisualStudio.Services.WebApi",
            format!(
                "No api-version was supplied for the \"{method}\" request. The version must be supplied either as part of the Accept header (e.g. \"application/json; api-version=1.0\") or as a query parameter (e.g. \"?api-version=1.0\")."
            ),
        )
    }

    /// `400 VssInvalidApiResourceVersionException` (`WebApiResources.InvalidApiVersionStringMessage`).
    pub fn invalid_api_version(raw: &str) -> Self {
        VssError::new(
            StatusCode::BAD_REQUEST,
            "VssInvalidApiResourceVersionException",
            "Microsoft.VisualStudio.Services.WebApi.VssInvalidApiResourceVersionException, Microsoft.VisualStudio.Services.WebApi",
            format!(
                "Invalid api version string: \"{raw}\". Api version string must be in the format: {{Major}}.{{Minor}}[-preview[.{{ResourceVersion}}]]."
            ),
        )
    }

    /// `400` for a query parameter that is not a number (emulator wording; see FIDELITY.md).
    pub fn invalid_argument(name: &str, value: &str) -> Self {
        VssError::new(
            StatusCode::BAD_REQUEST,
            "InvalidArgumentValueException",
            "Microsoft.TeamFoundation.Core.WebApi.InvalidArgumentValueException, Microsoft.TeamFoundation.Core.WebApi",
            format!("The value '{value}' of parameter '{name}' is not valid."),
        )
    }

    /// `429 TF400733` with the rate-limit headers of docs `integrate/concepts/rate-limits.md`.
    ///
    /// The message and type are captured from a real block (namespace `AnonymousId` there; an
    /// authenticated caller is limited per identity, hence `User` here).
    pub fn rate_limited(retry_after_secs: u64, now_unix: u64) -> Self {
        VssError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "RequestBlockedException",
            "Microsoft.TeamFoundation.Framework.Server.RequestBlockedException, Microsoft.TeamFoundation.Framework.Server",
            "TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource 'Count' in namespace 'User'. For more information on why your request was blocked, see the topic \"Rate limits\" on the Microsoft Web site (https://go.microsoft.com/fwlink/?LinkId=823950).".to_string(),
        )
        .with_header(header::RETRY_AFTER, &retry_after_secs.to_string())
        .with_header(HeaderName::from_static("x-ratelimit-resource"), "Count")
        .with_header(HeaderName::from_static("x-ratelimit-delay"), "0")
        .with_header(HeaderName::from_static("x-ratelimit-limit"), "200")
        .with_header(HeaderName::from_static("x-ratelimit-remaining"), "0")
        .with_header(
            HeaderName::from_static("x-ratelimit-reset"),
            &(now_unix + retry_after_secs).to_string(),
        )
    }

    /// `500`/`503 TF400898` for an injected server failure.
    pub fn server_failure(status: StatusCode, activity_id: &Uuid) -> Self {
        VssError::new(
            status,
            "VssServiceException",
            "Microsoft.VisualStudio.Services.WebApi.VssServiceException, Microsoft.VisualStudio.Services.WebApi",
            format!("TF400898: An Internal Error Occurred. Activity Id: {activity_id}."),
        )
    }

    /// `405` for a known route called with a verb it does not take (emulator wording).
    pub fn method_not_allowed(method: &str, path: &str) -> Self {
        VssError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "EmulatorMethodNotAllowedException",
            "AdoEmulator.EmulatorMethodNotAllowedException, ado-emulator",
            format!("ado-emulator does not serve {method} on {path}."),
        )
    }
}

impl IntoResponse for VssError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.body()).unwrap_or_default();
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        // The SDK reads this header when the body is not JSON (HttpHeaders.TfsServiceError).
        let encoded = utf8_percent_encode(&self.message, COMPONENT).to_string();
        if let Ok(value) = HeaderValue::from_str(&encoded) {
            headers.insert(HeaderName::from_static("x-tfs-serviceerror"), value);
        }
        for (name, value) in self.headers {
            headers.append(name, value);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_the_wrapped_exception_shape() {
        let body = VssError::project_not_found_by_name("Nope").body();
        for key in [
            "$id",
            "innerException",
            "message",
            "typeName",
            "typeKey",
            "errorCode",
            "eventId",
        ] {
            assert!(body.get(key).is_some(), "missing {key}");
        }
        assert_eq!(body["typeKey"], "ProjectDoesNotExistWithNameException");
    }

    #[test]
    fn service_error_header_is_url_encoded() {
        let response = VssError::unauthorized("").into_response();
        let header = response.headers()["x-tfs-serviceerror"].to_str().unwrap();
        assert_eq!(
            header,
            "TF400813%3A%20The%20user%20%27%27%20is%20not%20authorized%20to%20access%20this%20resource."
        );
    }
}
