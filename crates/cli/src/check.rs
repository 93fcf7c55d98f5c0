//! `ado-connect-cli check`: the preflight checklist, headless.
//!
//! `--json` prints `{"ok": bool, "checks": [{"code", "status", "capability", "message", "fix", "curl", …}]}`;
//! without it, one line per check. Exit 0 only when no check fails, 1 otherwise, 2 on bad input.

use std::path::PathBuf;
use std::process::ExitCode;

use ado_flows::app::{CheckForm, CheckPlace};
use ado_flows::interface::{Capability, Credential, Field, RepoUrl};
use clap::Args;

use crate::{bad_input, input_problem, read_pat, ConnectionArgs};

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
    let app = or_exit!(crate::handoff::open_product(args.profile.as_deref()));
    let form = or_exit!(args.form().map_err(bad_input));
    let request = or_exit!(app.preflight_request(form).await.map_err(bad_input));
    if args.profile.is_some() {
        return crate::handoff::check(&app, request, args.pat_expires, args.json).await;
    }
    let on_check = |c: &_| output::check_line(c, args.json);
    output::report(&app.check(&request, &on_check).await, args.json)
}

impl CheckArgs {
    /// The flags, the credential and the URL, read and parsed.
    fn form(&self) -> Result<CheckForm, ado_flows::Error> {
        let capabilities = self
            .capabilities
            .iter()
            .map(|name| {
                Capability::from_cli_name(name).ok_or_else(|| {
                    input_problem(
                        None,
                        format!("unknown capability {name:?}"),
                        "Use any of repos, pulls, pipelines, boards, webhooks.",
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let options = self.connection.options()?;
        let credential = credential()?;
        let place = match &self.url {
            Some(url) => CheckPlace::Url(RepoUrl::parse(url).map_err(|e| {
                input_problem(Some(Field::Url), e.to_string(), "Pass an Azure DevOps URL.")
            })?),
            None => CheckPlace::Target(self.connection.target_input()),
        };
        Ok(CheckForm {
            place,
            project: self.project.clone(),
            credential,
            capabilities,
            options,
            ca_file_hint: self.connection.ca_file_hint(),
        })
    }
}

/// An OAuth access token (e.g. from `az account get-access-token`) in ADO_TOKEN, else a PAT.
fn credential() -> Result<Credential, ado_flows::Error> {
    match std::env::var("ADO_TOKEN") {
        Ok(token) if !token.trim().is_empty() => Ok(Credential::Bearer(
            secrecy::SecretString::from(token.trim().to_string()),
        )),
        _ => Ok(read_pat()?.credential()),
    }
}

mod output {
    use std::process::ExitCode;

    use ado_flows::interface::{Check, Status};
    use ado_flows::preflight::PreflightReport;

    /// One check as lines (nothing with `--json`: the report is printed whole).
    pub(super) fn check_line(check: &Check, json: bool) {
        if json {
            return;
        }
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

    /// The report with `--json`; exits 0 only when no check failed.
    pub(super) fn report(report: &PreflightReport, json: bool) -> ExitCode {
        if json {
            println!("{}", crate::terminal::json(report));
        }
        crate::exit_if(report.ok)
    }
}
