//! `ado-connect-cli check`: the preflight checklist, headless.
//!
//! `--json` prints `{"ok": bool, "checks": [{"code", "status", "capability", "message", "fix", "curl", …}]}`;
//! without it, one line per check. Exit 0 only when no check fails, 1 otherwise, 2 on bad input.

use std::path::PathBuf;
use std::process::ExitCode;

use ado_flows::interface::{
    Capability, Credential, Deployment, Field, RepoUrl, Status, TargetInput,
};
use ado_flows::preflight::{run_preflight, PreflightRequest};
use ado_flows::resolve::resolve_candidates;
use clap::Args;

use crate::args::validate_target;
use crate::{fail, input_problem, read_pat, ConnectionArgs};

#[derive(Args)]
pub struct CheckArgs {
    /// Any Azure DevOps URL (repository, project, organization, clone URL); fills the target.
    #[arg(long, conflicts_with_all = ["organization", "server_url"])]
    url: Option<String>,
    #[command(flatten)]
    connection: ConnectionArgs,
    /// A project to probe in (default: the first the token sees, or the one in --url).
    #[arg(long)]
    project: Option<String>,
    /// What the connection is for: any of repos,pulls,pipelines,boards,webhooks.
    #[arg(long, value_delimiter = ',', default_value = "repos")]
    capabilities: Vec<String>,
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
                    input_problem(
                        None,
                        format!("unknown capability {name:?}"),
                        "Use any of repos, pulls, pipelines, boards, webhooks.",
                    ),
                    2,
                )
            }
        }
    }
    let options = match args.connection.options() {
        Ok(options) => options,
        Err(problem) => return fail(&problem, 2),
    };
    // An OAuth access token (e.g. from `az account get-access-token`) in ADO_TOKEN, else a PAT.
    let credential = match std::env::var("ADO_TOKEN") {
        Ok(token) if !token.trim().is_empty() => {
            Credential::Bearer(secrecy::SecretString::from(token.trim().to_string()))
        }
        _ => match read_pat() {
            Ok(pat) => pat.credential(),
            Err(problem) => return fail(&problem, 2),
        },
    };

    let (input, mut project, repository) = match &args.url {
        Some(url) => {
            let parsed = match RepoUrl::parse(url) {
                Ok(p) => p,
                Err(e) => {
                    return fail(
                        input_problem(Some(Field::Url), e.to_string(), "Pass an Azure DevOps URL."),
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
        None => (args.connection.target_input(), None, None),
    };
    if args.project.is_some() {
        project = args.project.clone();
    }
    let target = match validate_target(&input) {
        Ok(t) => t,
        Err(problem) => return fail(&problem, 2),
    };
    let request = PreflightRequest {
        target,
        credential,
        capabilities,
        project,
        repository,
        ca_file_hint: args.connection.ca_file_hint(),
        options,
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
        println!("{}", crate::terminal::json(&report));
    }
    if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
