//! Settles an ambiguous URL: when the path alone cannot tell a virtual directory from a collection
//! (`https://host/a/b/…`), ask `_apis/connectionData` at each candidate collection URL. The one
//! that exists answers 200 (or 401/203/302 when it wants credentials); the others answer 404.

use ado_client::{AdoClient, Credential, Error};
use ado_core::checks::{self, Probe, Problem};
use ado_core::repo_url::RepoUrl;
use ado_core::target::{ConnectionTarget, Deployment, TargetInput};
use serde::Serialize;
use url::Url;

use crate::failure::probe_failure;
use crate::verify::ConnectOptions;

/// What one candidate's probe said.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum CandidateStatus {
    /// The collection exists (it answered, or asked for credentials).
    Exists,
    /// 404: no collection there.
    Missing,
    /// The probe could not tell (unreachable, TLS, 5xx).
    Unknown {
        /// Why.
        problem: Box<Problem>,
    },
}

/// The outcome of probing every candidate.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Resolution {
    /// The index of the first candidate that exists, if any.
    pub chosen: Option<usize>,
    /// One status per candidate, in the parse's order.
    pub statuses: Vec<CandidateStatus>,
}

impl Resolution {
    /// The URL narrowed to the confirmed candidate.
    pub fn resolved(&self, parsed: &RepoUrl) -> Option<RepoUrl> {
        parsed.choose_candidate(self.chosen?)
    }
}

/// Probes each candidate collection URL of `parsed`, in order, with `credential` (anonymous works
/// where the server answers 404 for unknown collections before asking for credentials).
pub async fn resolve_candidates(
    parsed: &RepoUrl,
    credential: Credential,
    options: &ConnectOptions,
) -> Resolution {
    let mut statuses = Vec::with_capacity(parsed.candidates().len());
    for candidate in parsed.candidates() {
        statuses
            .push(probe_candidate(&candidate.collection_url(), credential.clone(), options).await);
    }
    let chosen = statuses
        .iter()
        .position(|s| matches!(s, CandidateStatus::Exists));
    Resolution { chosen, statuses }
}

async fn probe_candidate(
    collection_url: &str,
    credential: Credential,
    options: &ConnectOptions,
) -> CandidateStatus {
    let Ok(url) = Url::parse(collection_url) else {
        return CandidateStatus::Missing;
    };
    // A short timeout and no rate-limit waiting: this runs as the user types.
    let mut config = options.client_config(url.clone(), credential);
    config.timeout = std::time::Duration::from_secs(3);
    config.max_retry_wait = std::time::Duration::ZERO;
    let client = match AdoClient::new(config) {
        Ok(client) => client,
        Err(e) => return unknown(&url, Probe::ConnectionData, e),
    };
    match client.connection_data().await {
        Ok(_) => CandidateStatus::Exists,
        Err(e) if e.is_auth_failure() => CandidateStatus::Exists,
        Err(e) if e.status() == Some(404) => CandidateStatus::Missing,
        Err(e) => unknown(&url, Probe::ConnectionData, e),
    }
}

fn unknown(url: &Url, probe: Probe, error: Error) -> CandidateStatus {
    // Describe the failure against a target made from the candidate URL, for the same wording
    // as everywhere else.
    let mut server = url.clone();
    let encoded = server
        .path_segments()
        .and_then(|mut s| s.rfind(|s| !s.is_empty()).map(str::to_string))
        .unwrap_or_default();
    let path = server
        .path()
        .trim_end_matches('/')
        .trim_end_matches(&encoded)
        .to_string();
    let collection = percent_encoding::percent_decode_str(&encoded)
        .decode_utf8_lossy()
        .into_owned();
    server.set_path(&path);
    let target = TargetInput {
        deployment: Some(Deployment::Server),
        server_url: server.to_string(),
        collection,
        ..Default::default()
    }
    .validate()
    .unwrap_or(ConnectionTarget::Server {
        server_url: url.clone(),
        collection: String::new(),
    });
    CandidateStatus::Unknown {
        problem: Box::new(checks::diagnose(&target, &probe_failure(probe, &error))),
    }
}

/// A pasted URL as the wizard shows it: the parse, narrowed by probing when it was ambiguous.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Understood {
    /// The fields to fill (the CLI's `parse-url` contract).
    pub summary: ado_core::repo_url::RepoUrlSummary,
    /// One line for people: "Azure DevOps Server · … · collection … · project …".
    pub description: String,
    /// True when the path is ambiguous and no probe settled it: the UI says so.
    pub still_ambiguous: bool,
    /// What the probes said, when there were any.
    pub resolution: Option<Resolution>,
}

/// [`understand_url`] with its error as the [`Problem`] the shells show (`invalid_input` on
/// the paste box).
pub async fn understand_url_or_problem(
    input: &str,
    options: &ConnectOptions,
) -> Result<Understood, Problem> {
    understand_url(input, options).await.map_err(|e| {
        Problem::new(
            checks::CheckCode::InvalidInput,
            Some(ado_core::target::Field::Url),
            e.to_string(),
            "Paste the address of an Azure DevOps repository, project or organization.",
        )
    })
}

/// Parses `input`; when the path is ambiguous, settles it by probing each candidate anonymously
/// (a short timeout: this runs as the user types).
pub async fn understand_url(
    input: &str,
    options: &ConnectOptions,
) -> Result<Understood, ado_core::repo_url::RepoUrlError> {
    let parsed = RepoUrl::parse(input)?;
    if !parsed.is_ambiguous() {
        return Ok(Understood {
            summary: parsed.summary(),
            description: parsed.describe(),
            still_ambiguous: false,
            resolution: None,
        });
    }
    let resolution = resolve_candidates(&parsed, Credential::Anonymous, options).await;
    let best = resolution.resolved(&parsed);
    Ok(Understood {
        summary: best.as_ref().unwrap_or(&parsed).summary(),
        description: best.as_ref().unwrap_or(&parsed).describe(),
        still_ambiguous: best.is_none(),
        resolution: Some(resolution),
    })
}
