//! `ado-connect-cli check`: the preflight checklist, headless.
//!
//! `--json` prints `{"ok": bool, "checks": [{"code", "status", "capability", "message", "fix", "curl", …}]}`;
//! without it, one line per check. Exit 0 only when no check fails, 1 otherwise, 2 on bad input.

use std::path::PathBuf;
use std::process::ExitCode;

use ado_client::Credential;
use ado_core::capabilities::Capability;
use ado_core::preflight::Status;
use ado_core::repo_url::RepoUrl;
use ado_core::target::{Deployment, Field, TargetInput};
use ado_flows::preflight::{run_preflight, PreflightRequest};
use ado_flows::resolve::resolve_candidates;
use ado_flows::ConnectOptions;
use clap::Args;

use crate::{fail, input_problem, read_pat};

#[derive(Args)]
pub struct CheckArgs {
    /// Any Azure DevOps URL (repository, project, organization, clone URL); fills the target.
    #[arg(long, conflicts_with_all = ["organization", "server_url"])]
    url: Option<String>,
    /// Azure DevOps Services: the organization name.
    #[arg(long, conflicts_with = "server_url")]
    organization: Option<String>,
    /// Azure DevOps Services: the host, for sandboxes (default https://dev.azure.com/).
    #[arg(long, requires = "organization", hide = true)]
    services_url: Option<String>,
    /// Azure DevOps Server: the server URL with its virtual directory.
    #[arg(long, requires = "collection")]
    server_url: Option<String>,
    /// Azure DevOps Server: the collection name.
    #[arg(long, requires = "server_url")]
    collection: Option<String>,
    /// A project to probe in (default: the first the token sees, or the one in --url).
    #[arg(long)]
    project: Option<String>,
    /// What the connection is for: any of repos,pulls,pipelines,boards,webhooks.
    #[arg(long, value_delimiter = ',', default_value = "repos")]
    capabilities: Vec<String>,
    /// A PEM file with a CA certificate to trust for this connection only.
    #[arg(long)]
    ca_file: Option<PathBuf>,
    /// An explicit proxy (http://host:port); otherwise HTTPS_PROXY / NO_PROXY apply.
    #[arg(long)]
    proxy: Option<String>,
    /// Accept sending the token over plain http:// to a non-loopback server.
    #[arg(long)]
    allow_http: bool,
    /// Print JSON instead of lines.
    #[arg(long)]
    json: bool,
    /// A product profile: check its restrictions and exactly the access it needs (per connector:
    /// ADO_PAT_<CONNECTOR> for connectors' own PATs); --capabilities is then ignored.
    #[arg(long)]
    profile: Option<PathBuf>,
    /// The PAT's expiry date (YYYY-MM-DD), for products that require one.
    #[arg(long)]
    pat_expires: Option<String>,
}

pub async fn run(args: CheckArgs) -> ExitCode {
    let mut capabilities = Vec::new();
    for name in &args.capabilities {
        match Capability::from_cli_name(name) {
            Some(c) => capabilities.push(c),
            None => {
                return fail(
                    &input_problem(
                        None,
                        format!("unknown capability {name:?}"),
                        "Use any of repos, pulls, pipelines, boards, webhooks.",
                    ),
                    2,
                )
            }
        }
    }
    let trusted_ca_pem = match &args.ca_file {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(pem) => Some(pem),
            Err(e) => {
                return fail(
                    &input_problem(
                        None,
                        format!("cannot read --ca-file {}: {e}", path.display()),
                        "Give a readable PEM file.",
                    ),
                    2,
                )
            }
        },
        None => None,
    };
    let options = ConnectOptions {
        trusted_ca_pem,
        proxy: args.proxy.clone(),
    };
    // An OAuth access token (e.g. from `az account get-access-token`) in ADO_TOKEN, else a PAT.
    let credential = match std::env::var("ADO_TOKEN") {
        Ok(token) if !token.trim().is_empty() => {
            Credential::Bearer(secrecy::SecretString::from(token.trim().to_string()))
        }
        _ => match read_pat() {
            Ok(pat) => Credential::Pat(pat),
            Err(problem) => return fail(&problem, 2),
        },
    };

    let (input, mut project, repository) = match &args.url {
        Some(url) => {
            let parsed = match RepoUrl::parse(url) {
                Ok(p) => p,
                Err(e) => {
                    return fail(
                        &input_problem(
                            Some(Field::Url),
                            e.to_string(),
                            "Pass an Azure DevOps URL.",
                        ),
                        2,
                    )
                }
            };
            let parsed = if parsed.is_ambiguous() {
                let resolution = resolve_candidates(&parsed, credential.clone(), &options).await;
                resolution.resolved(&parsed).unwrap_or(parsed)
            } else {
                parsed
            };
            let input = match parsed.deployment() {
                Deployment::Services => TargetInput {
                    deployment: Some(Deployment::Services),
                    organization: parsed.organization().unwrap_or_default().to_string(),
                    ..Default::default()
                },
                Deployment::Server => TargetInput {
                    deployment: Some(Deployment::Server),
                    server_url: parsed.server_url().unwrap_or_default().to_string(),
                    collection: parsed.collection().unwrap_or_default().to_string(),
                    ..Default::default()
                },
            };
            (
                input,
                parsed.project().map(str::to_string),
                parsed.repository().map(str::to_string),
            )
        }
        None => (
            TargetInput {
                deployment: Some(if args.organization.is_some() {
                    Deployment::Services
                } else {
                    Deployment::Server
                }),
                organization: args.organization.clone().unwrap_or_default(),
                services_url: args.services_url.clone().unwrap_or_default(),
                server_url: args.server_url.clone().unwrap_or_default(),
                collection: args.collection.clone().unwrap_or_default(),
            },
            None,
            None,
        ),
    };
    if args.project.is_some() {
        project = args.project.clone();
    }
    let target = match input.validate() {
        Ok(t) => t,
        Err(errors) => {
            return fail(
                &input_problem(
                    Some(errors[0].field),
                    errors[0].message.clone(),
                    "Fix the flag and run again.",
                ),
                2,
            )
        }
    };
    let request = PreflightRequest {
        target,
        credential,
        capabilities,
        project,
        repository,
        options,
        consent_to_http: args.allow_http,
        ca_file_hint: args.ca_file.as_ref().map(|p| p.display().to_string()),
    };
    if let Some(path) = &args.profile {
        return crate::handoff::check(path, request, args.pat_expires.clone(), args.json).await;
    }
    let json = args.json;
    let report = run_preflight(&request, &|check| {
        if !json {
            let mark = match check.status {
                Status::Pass => "pass",
                Status::Warn => "WARN",
                Status::Fail => "FAIL",
                Status::Skip => "skip",
            };
            let code = check.code.map(|c| format!(" [{c}]")).unwrap_or_default();
            println!("{mark}  {}{code}: {}", check.title, check.message);
            if check.status == Status::Fail || check.status == Status::Warn {
                println!("      fix: {}", check.fix);
                if let Some(curl) = &check.curl {
                    println!("      reproduce: {curl}");
                }
            }
        }
    })
    .await;
    if json {
        println!(
            "{}",
            serde_json::to_string(&report).expect("the report serializes")
        );
    }
    if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
