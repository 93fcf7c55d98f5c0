//! The facts of a product check, gathered before anything is decided.
//!
//! For one credential: who it is (`connectionData`), where the product's calls point (a project,
//! a repository, a pull request, found with the least access the token may have: a Code (Read)
//! token finds its project through the repository list), and what each call answered. The
//! verdicts are the core's ([`ado_core::product::verdicts`]); nothing here decides pass or fail
//! beyond turning a transport error into the core's diagnosis.
//!
//! Every call is a `GET` except `vso.code_write`'s probe (an empty ref update, which changes
//! nothing) and permission evaluations (a `POST` that only reads), both said so in their rows.

use ado_client::api::security::{service_hooks_token, EDIT_SUBSCRIPTIONS, SERVICE_HOOKS_NAMESPACE};
use ado_client::{AdoClient, Credential, Error, GitRepository, Request, TeamProjectReference};
use ado_core::checks::{self, Probe, Problem};
use ado_core::curl::{curl_command, AuthKind, CurlSpec};
use ado_core::ids::ProjectId;
use ado_core::product::VerifyCall;
use ado_core::target::ConnectionTarget;

use crate::failure::probe_failure;
use crate::verify::{ConnectOptions, User};

/// Git Repositories security namespace (docs `security/namespace-reference.md`).
pub(super) const GIT_NAMESPACE: &str = "2e9eb7ed-3c0a-47d4-87c1-0ffdd275fd87";
/// Git bit: Contribute to pull requests (`PullRequestContribute`).
pub(super) const PULL_REQUEST_CONTRIBUTE: u32 = 16384;

/// Where a credential's calls point.
#[derive(Debug, Clone, Default)]
pub(super) struct Place {
    pub project: Option<TeamProjectReference>,
    pub repository: Option<GitRepository>,
    pub pull_request: Option<u64>,
}

impl Place {
    /// The value of a verification template name (`{project_id}`), if known.
    pub fn value(&self, name: &str) -> Option<String> {
        match name {
            "project" => self.project.as_ref().map(|p| p.name.clone()),
            "project_id" => self.project.as_ref().map(|p| p.id.to_string()),
            "repository" => self.repository.as_ref().map(|r| r.name.clone()),
            "repository_id" => self.repository.as_ref().map(|r| r.id.clone()),
            "pull_request_id" => self.pull_request.map(|n| n.to_string()),
            _ => None,
        }
    }
}

/// What one call answered.
#[derive(Debug)]
pub(super) enum Answer {
    /// 2xx: how many items a `value` list held (if it was a list) and the body's text.
    Ok { items: Option<usize>, text: String },
    /// An HTTP error status from Azure DevOps.
    Status { status: u16, problem: Problem },
    /// No answer (unreachable, TLS, timeout, …), diagnosed.
    Failed(Problem),
}

/// One credential, ready to be probed.
pub(super) struct Prober<'a> {
    pub target: &'a ConnectionTarget,
    pub credential: &'a Credential,
    pub options: &'a ConnectOptions,
    pub client: AdoClient,
}

impl<'a> Prober<'a> {
    pub fn new(
        target: &'a ConnectionTarget,
        credential: &'a Credential,
        options: &'a ConnectOptions,
    ) -> Result<Prober<'a>, Problem> {
        let client = crate::verify::client_for(target, credential.clone(), options)?;
        Ok(Prober {
            target,
            credential,
            options,
            client,
        })
    }

    fn problem(&self, probe: Probe, error: &Error) -> Problem {
        let mut failure = probe_failure(probe, error);
        failure.via_oauth = matches!(self.credential, Credential::Bearer(_));
        checks::diagnose(self.target, &failure)
    }

    /// `connectionData`: who the credential is.
    pub async fn identity(&self) -> Result<User, Problem> {
        match self.client.connection_data().await {
            Ok(data) => Ok(User {
                id: data.authenticated_user.id.clone(),
                display_name: data.authenticated_user.display_name().to_string(),
                account: data.authenticated_user.account().map(str::to_string),
            }),
            Err(error) => Err(self.problem(Probe::ConnectionData, &error)),
        }
    }

    /// A copyable reproduction of `request`, the token as `$ADO_PAT`.
    pub fn curl(&self, client: &AdoClient, request: &Request) -> Option<String> {
        let url = client.url_for(request).ok()?;
        let body = request.body().map(|b| b.to_string());
        Some(curl_command(&CurlSpec {
            method: request.method(),
            url: url.as_str(),
            auth: match self.credential {
                Credential::Anonymous => AuthKind::Anonymous,
                Credential::Pat(_) => AuthKind::Pat,
                Credential::Bearer(_) => AuthKind::Bearer,
            },
            json_body: body.as_deref(),
            ca_file: self.options.trusted_ca_pem.as_ref().map(|_| "ca.pem"),
        }))
    }

    /// Finds the project, repository and (if `needs_pull_request`) a pull request the product's
    /// calls use: the ones named, else the first the token sees. A token without Project and
    /// Team (Read) finds them through the repository list.
    pub async fn locate(
        &self,
        project: Option<&str>,
        repository: Option<&str>,
        needs_pull_request: bool,
    ) -> Place {
        let client = &self.client;
        let by_name = |r: &GitRepository, name: &str| r.name.eq_ignore_ascii_case(name);
        let mut place = Place {
            project: match project {
                Some(name) => client.project(name).await.ok(),
                None => client
                    .projects_page(1, None)
                    .await
                    .ok()
                    .and_then(|p| p.items.into_iter().next()),
            },
            ..Place::default()
        };
        let repos = match &place.project {
            Some(p) => client.repositories(Some(&p.id)).await,
            None => client.repositories(None).await,
        }
        .unwrap_or_default();
        let in_project = |r: &&GitRepository| match (project, &r.project) {
            (Some(name), Some(p)) => p.name.eq_ignore_ascii_case(name) || p.id.as_str() == name,
            (Some(_), None) => false,
            (None, _) => true,
        };
        place.repository = match repository {
            Some(name) => repos
                .iter()
                .filter(in_project)
                .find(|r| by_name(r, name))
                .cloned(),
            None => repos.iter().find(in_project).cloned(),
        };
        if place.project.is_none() {
            place.project = place
                .repository
                .as_ref()
                .and_then(|r| r.project.clone())
                .or_else(|| {
                    repos
                        .iter()
                        .find(in_project)
                        .and_then(|r| r.project.clone())
                });
        }
        if needs_pull_request {
            if let (Some(p), Some(r)) = (&place.project, &place.repository) {
                let request = Request::get(format!(
                    "{}/_apis/git/repositories/{}/pullrequests",
                    seg(&p.name),
                    seg(&r.id)
                ))
                .query("searchCriteria.status", "all")
                .query("$top", 1)
                .api_version("7.0");
                place.pull_request = client
                    .get_json::<List<PullRef>>(request)
                    .await
                    .ok()
                    .and_then(|l| l.value.into_iter().next())
                    .map(|p| p.pull_request_id);
            }
        }
        place
    }

    /// The request a verification call sends, with its template filled from `place`; `Err`
    /// names what is missing.
    pub fn call_request(&self, call: &VerifyCall, place: &Place) -> Result<Request, String> {
        let (path, query) = call.path.split_once('?').unwrap_or((&call.path, ""));
        let mut missing = None;
        let fill = |text: &str, encode: bool, missing: &mut Option<String>| {
            let mut out = text.to_string();
            for name in ado_core::product::VERIFY_TEMPLATE_NAMES {
                let key = format!("{{{name}}}");
                if out.contains(&key) {
                    match place.value(name) {
                        Some(v) => out = out.replace(&key, &if encode { seg(&v) } else { v }),
                        None => *missing = Some(name.to_string()),
                    }
                }
            }
            out
        };
        let path = fill(path, true, &mut missing);
        let mut request = Request::get(path);
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            request = request.query(k, fill(v, false, &mut missing));
        }
        match missing {
            Some(name) => Err(match name.as_str() {
                "pull_request_id" => {
                    "Not tried: the repository has no pull request to read.".to_string()
                }
                "repository" | "repository_id" => {
                    "Not tried: the token sees no repository.".to_string()
                }
                _ => "Not tried: the token sees no project.".to_string(),
            }),
            None => Ok(request.api_version(&call.api_version)),
        }
    }

    /// The client for a call on `host` (`vssps`: Azure DevOps Services serves some areas on
    /// their own host; sandboxes and tests serve every area on one).
    pub fn client_on(&self, host: Option<&str>) -> Result<AdoClient, Problem> {
        let Some(prefix) = host else {
            return Ok(self.client.clone());
        };
        let mut base = self.target.api_base();
        if base.host_str() == Some("dev.azure.com") {
            let _ = base.set_host(Some(&format!("{prefix}.dev.azure.com")));
        }
        AdoClient::new(self.options.client_config(base, self.credential.clone()))
            .map_err(|e| self.problem(Probe::Repositories, &e))
    }

    /// Sends `request` and reads what came back.
    pub async fn answer(&self, client: &AdoClient, request: Request) -> Answer {
        match client.send(request).await {
            Ok(response) => {
                let text = String::from_utf8_lossy(&response.body).into_owned();
                let items = serde_json::from_slice::<serde_json::Value>(&response.body)
                    .ok()
                    .and_then(|v| v.get("value").and_then(|l| l.as_array()).map(Vec::len));
                Answer::Ok { items, text }
            }
            Err(error) => {
                let problem = self.problem(Probe::Repositories, &error);
                match error.status() {
                    Some(status) => Answer::Status { status, problem },
                    None => Answer::Failed(problem),
                }
            }
        }
    }

    /// May the identity edit service-hook subscriptions in `project`?
    pub async fn may_edit_hooks(&self, project: &ProjectId) -> (Result<bool, Problem>, Request) {
        let token = service_hooks_token(project);
        let request =
            self.client
                .permission_request(SERVICE_HOOKS_NAMESPACE, &token, EDIT_SUBSCRIPTIONS);
        let answer = self
            .client
            .has_permission(SERVICE_HOOKS_NAMESPACE, &token, EDIT_SUBSCRIPTIONS)
            .await
            .map_err(|e| self.problem(Probe::Repositories, &e));
        (answer, request)
    }

    /// May the identity contribute to pull requests in `repository`?
    pub async fn may_contribute_to_pull_requests(
        &self,
        project: &ProjectId,
        repository: &str,
    ) -> (Result<bool, Problem>, Request) {
        let token = format!("repoV2/{project}/{repository}");
        let request =
            self.client
                .permission_request(GIT_NAMESPACE, &token, PULL_REQUEST_CONTRIBUTE);
        let answer = self
            .client
            .has_permission(GIT_NAMESPACE, &token, PULL_REQUEST_CONTRIBUTE)
            .await
            .map_err(|e| self.problem(Probe::Repositories, &e));
        (answer, request)
    }
}

#[derive(serde::Deserialize)]
struct List<T> {
    value: Vec<T>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct PullRef {
    pull_request_id: u64,
}

pub(super) fn seg(name: &str) -> String {
    percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC).to_string()
}
