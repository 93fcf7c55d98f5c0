//! `POST _apis/security/permissionevaluationbatch` (spec `security/7.1/security.json`,
//! example `POST__security_permissionevaluationbatch__api-version-3.0-preview.json`).
//!
//! Body `{"alwaysAllowAdministrators": bool, "evaluations": [{"securityNamespaceId", "token",
//! "permissions"}]}` (property names in any case, as .NET binds them); answer
//! `{"evaluations": [{…, "value": bool}]}`, as the spec's example shows it. The evaluation
//! itself is `permissions.rs`.

use axum::http::request::Parts;
use serde_json::{json, Value};
use uuid::Uuid;

use super::locations::LocationDef;
use crate::auth::Principal;
use crate::errors::VssError;
use crate::hooks::wire::{field, request_json};
use crate::permissions;
use crate::resources::Site;
use crate::versions::ApiVersion;

/// `Security/permissionEvaluationBatch`.
pub(crate) const PERMISSION_EVALUATION_BATCH: LocationDef = LocationDef {
    id: "cf1faa59-1b63-4448-bf04-13d981a46f5d",
    area: "Security",
    resource_name: "permissionEvaluationBatch",
    route_template: "_apis/security/{resource}",
    resource_version: 1,
    min_version: ApiVersion::new(1, 0),
    preview_only: false,
};

/// `POST _apis/security/permissionevaluationbatch`.
pub(crate) fn evaluate_batch(
    site: &Site<'_>,
    principal: &Principal,
    parts: &Parts,
) -> Result<Value, VssError> {
    let body = request_json(parts)
        .filter(Value::is_object)
        .ok_or_else(|| VssError::argument_null("evalBatch"))?;
    let evaluations = field(&body, "evaluations")
        .and_then(Value::as_array)
        .ok_or_else(|| VssError::argument_null("evalBatch.Evaluations"))?;
    let mut answered = Vec::with_capacity(evaluations.len());
    for evaluation in evaluations {
        let namespace_raw = field(evaluation, "securityNamespaceId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let namespace = Uuid::parse_str(namespace_raw).map_err(|_| {
            VssError::argument(&format!(
                "The security namespace id '{namespace_raw}' is not a GUID."
            ))
        })?;
        let token = field(evaluation, "token")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let bits = field(evaluation, "permissions")
            .and_then(Value::as_u64)
            .unwrap_or(0) as u32;
        let value = permissions::evaluate(
            site.world,
            site.host,
            &principal.user,
            namespace,
            token,
            bits,
        );
        answered.push(json!({
            "securityNamespaceId": namespace,
            "token": token,
            "permissions": bits,
            "value": value,
        }));
    }
    Ok(json!({ "evaluations": answered }))
}
