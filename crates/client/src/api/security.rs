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

/// Evaluations sent in one `permissionevaluationbatch` request by [`AdoClient::have_permission`].
pub const EVALUATIONS_PER_BATCH: usize = 100;

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

    /// Whether the signed-in identity holds `permissions` (bits) on each of `tokens` in
    /// `namespace`, in their order: one request per [`EVALUATIONS_PER_BATCH`] tokens (the
    /// endpoint evaluates a batch), so a plan over many projects asks once, not once per project.
    pub async fn have_permission(
        &self,
        namespace: &str,
        tokens: &[String],
        permissions: u32,
    ) -> Result<Vec<bool>, Error> {
        let mut out = Vec::with_capacity(tokens.len());
        for chunk in tokens.chunks(EVALUATIONS_PER_BATCH) {
            let evaluations: Vec<_> = chunk
                .iter()
                .map(|token| json!({ "securityNamespaceId": namespace, "token": token, "permissions": permissions }))
                .collect();
            let request = Request::post_json(
                "_apis/security/permissionevaluationbatch",
                json!({ "alwaysAllowAdministrators": false, "evaluations": evaluations }),
            )
            .api_version(API_VERSION);
            let batch: Batch = self.get_json(request).await?;
            // An answer with fewer evaluations than asked allows nothing it left out.
            out.extend((0..chunk.len()).map(|i| batch.evaluations.get(i).is_some_and(|e| e.value)));
        }
        Ok(out)
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
