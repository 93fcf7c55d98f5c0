//! `POST {base}/_apis/security/permissionevaluationbatch`: may the signed-in user do X?
//! Used for the ServiceHooks namespace (EditSubscriptions) before webhooks are planned.

use serde::Deserialize;
use serde_json::json;

use super::API_VERSION;
use crate::{AdoClient, Error, Request};

/// The ServiceHooks security namespace (docs `service-hooks/view-permission.md`).
pub const SERVICE_HOOKS_NAMESPACE: &str = "cb594ebe-87dd-4fc9-ac2c-6a10a4c92046";
/// ServiceHooks bit: view subscriptions.
pub const VIEW_SUBSCRIPTIONS: u32 = 1;
/// ServiceHooks bit: edit (create, update, delete) subscriptions.
pub const EDIT_SUBSCRIPTIONS: u32 = 2;

/// The ServiceHooks token for a project: `PublisherSecurity/{projectId}`.
pub fn service_hooks_token(project_id: &ado_core::ids::ProjectId) -> String {
    format!("PublisherSecurity/{project_id}")
}

#[derive(Deserialize)]
struct Batch {
    evaluations: Vec<Evaluation>,
}

#[derive(Deserialize)]
struct Evaluation {
    #[serde(default)]
    value: bool,
}

impl AdoClient {
    /// Whether the signed-in identity holds `permissions` (bits) on `token` in `namespace`.
    pub async fn has_permission(
        &self,
        namespace: &str,
        token: &str,
        permissions: u32,
    ) -> Result<bool, Error> {
        let batch: Batch = self
            .get_json(self.permission_request(namespace, token, permissions))
            .await?;
        Ok(batch.evaluations.first().is_some_and(|e| e.value))
    }

    /// The request [`AdoClient::has_permission`] sends.
    pub fn permission_request(&self, namespace: &str, token: &str, permissions: u32) -> Request {
        Request::post_json(
            "_apis/security/permissionevaluationbatch",
            json!({
                "alwaysAllowAdministrators": false,
                "evaluations": [{ "securityNamespaceId": namespace, "token": token, "permissions": permissions }]
            }),
        )
        .api_version(API_VERSION)
    }
}
