//! `ado-connect-cli`: ADO Connect, headless, for scripts and CI.
//!
//! Output is one JSON document on stdout; logs go to stderr (`RUST_LOG=debug` for more).
//! Exit codes: 0 success, 1 the check failed (the JSON says why), 2 bad input or usage.
//! Secrets never come from argv: the PAT is read from `ADO_PAT`, else from stdin.

use std::io::{BufRead as _, IsTerminal as _};
use std::path::PathBuf;
use std::process::ExitCode;

use ado_client::Credential;
use ado_core::checks::{CheckCode, Problem};
use ado_core::target::{validate_pat, Deployment, TargetInput};
use ado_flows::ConnectOptions;
use clap::{Args, Parser, Subcommand};
use secrecy::{ExposeSecret as _, SecretString};
use serde_json::json;

mod check;
mod handoff;
mod hooks;
mod login;
mod parse_url;
mod receive;

#[derive(Parser)]
#[command(
    name = "ado-connect-cli",
    version,
    about = "ADO Connect, headless: parse Azure DevOps URLs and verify connections."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Verify a PAT against an organization (Services) or a collection (Server), and list what it reaches.
    ///
    /// The PAT is read from the ADO_PAT environment variable, else from the first line of stdin.
    Verify(VerifyArgs),
    /// Check, before anything changes, whether a connection will work for what it is for.
    ///
    /// The PAT is read from ADO_PAT, else from the first line of stdin. Exits 0 only when no check fails.
    Check(check::CheckArgs),
    /// Sign in to Azure DevOps Services with Microsoft Entra ID (browser, device code or a service
    /// principal) and save the connection; the tokens go to the OS keyring.
    Login(login::LoginArgs),
    /// Remove a saved connection and every secret it stored.
    Logout(login::LogoutArgs),
    /// Service hooks (webhooks): plan, apply, test, list, history, remove, rotate, rollback.
    ///
    /// The PAT is read from ADO_PAT, else from the first line of stdin.
    Hooks(hooks::HooksArgs),
    /// Hand a verified connection over to a product, as its profile asks: the fields (`--json`),
    /// an export file, a POST to the product's API (`--post`), a webhook reproduction script.
    Handoff(handoff::HandoffArgs),
    /// A tiny web-hook receiver on 127.0.0.1 that checks the secret header and prints each delivery.
    Receive(receive::ReceiveArgs),
    /// Parse any Azure DevOps URL into organization or collection, project and repository.
    ParseUrl {
        /// The URL, as copied from a browser or a clone box.
        url: String,
    },
}

#[derive(Args)]
struct VerifyArgs {
    /// Azure DevOps Server: the server URL with its virtual directory, e.g. http://tfs:8080/tfs.
    #[arg(long, requires = "collection", conflicts_with = "organization")]
    server_url: Option<String>,
    /// Azure DevOps Server: the collection name, e.g. DefaultCollection.
    #[arg(long, requires = "server_url")]
    collection: Option<String>,
    /// Azure DevOps Services: the organization name, e.g. fabrikam.
    #[arg(long)]
    organization: Option<String>,
    /// Azure DevOps Services: the host, for sandboxes (default https://dev.azure.com/).
    #[arg(long, requires = "organization", hide = true)]
    services_url: Option<String>,
    /// A PEM file with a CA certificate to trust for this connection only.
    #[arg(long)]
    ca_file: Option<PathBuf>,
    /// An explicit proxy (http://host:port); otherwise HTTPS_PROXY / NO_PROXY apply.
    #[arg(long)]
    proxy: Option<String>,
    /// Refused on purpose: a token on the command line ends up in shell history and `ps`.
    #[arg(long, hide = true)]
    pat: Option<String>,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::ParseUrl { url } => parse_url::run(&url),
        Command::Verify(args) => runtime().block_on(verify(args)),
        Command::Check(args) => runtime().block_on(check::run(args)),
        Command::Login(args) => runtime().block_on(login::login(args)),
        Command::Logout(args) => login::logout(args),
        Command::Hooks(args) => runtime().block_on(hooks::run(args)),
        Command::Receive(args) => runtime().block_on(receive::run(args)),
        Command::Handoff(args) => runtime().block_on(handoff::run(args)),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts")
}

/// Prints the problem as JSON on stdout and one line on stderr; returns the exit code.
pub(crate) fn fail(problem: &Problem, exit: u8) -> ExitCode {
    println!("{}", json!({ "ok": false, "error": problem }));
    let field = problem
        .field
        .map(|f| format!("{}: ", f.label()))
        .unwrap_or_default();
    eprintln!(
        "error[{}]: {field}{} {}",
        problem.code, problem.message, problem.fix
    );
    ExitCode::from(exit)
}

pub(crate) fn input_problem(
    field: Option<ado_core::target::Field>,
    message: String,
    fix: &str,
) -> Problem {
    Problem {
        code: CheckCode::InvalidInput,
        field,
        message,
        fix: fix.into(),
        server_message: None,
        support_id: None,
    }
}

async fn verify(args: VerifyArgs) -> ExitCode {
    if args.pat.is_some() {
        return fail(
            &input_problem(
                Some(ado_core::target::Field::Pat),
                "--pat is not accepted: a token on the command line ends up in shell history and process lists.".into(),
                "Set ADO_PAT in the environment, or pipe the token on stdin.",
            ),
            2,
        );
    }
    let input = TargetInput {
        deployment: Some(if args.organization.is_some() {
            Deployment::Services
        } else {
            Deployment::Server
        }),
        organization: args.organization.unwrap_or_default(),
        services_url: args.services_url.unwrap_or_default(),
        server_url: args.server_url.unwrap_or_default(),
        collection: args.collection.unwrap_or_default(),
    };
    let target = match input.validate() {
        Ok(target) => target,
        Err(errors) => {
            let first = &errors[0];
            return fail(
                &input_problem(
                    Some(first.field),
                    first.message.clone(),
                    "Fix the flag and run again.",
                ),
                2,
            );
        }
    };
    let trusted_ca_pem = match args
        .ca_file
        .map(|p| std::fs::read_to_string(&p).map_err(|e| (p, e)))
        .transpose()
    {
        Ok(pem) => pem,
        Err((path, e)) => {
            return fail(
                &input_problem(
                    None,
                    format!("cannot read --ca-file {}: {e}", path.display()),
                    "Give a readable PEM file.",
                ),
                2,
            )
        }
    };
    let pat = match read_pat() {
        Ok(pat) => pat,
        Err(problem) => return fail(&problem, 2),
    };
    match ado_flows::verify_connection(
        &target,
        Credential::Pat(pat),
        &ConnectOptions {
            trusted_ca_pem,
            proxy: args.proxy,
        },
    )
    .await
    {
        Ok(verified) => {
            let mut value = serde_json::to_value(&verified).expect("Verified serializes");
            value["ok"] = json!(true);
            println!("{value}");
            ExitCode::SUCCESS
        }
        Err(problem) => fail(&problem, 1),
    }
}

/// The PAT from `ADO_PAT`, else the first line of stdin (not a terminal prompt: scripts pipe it).
pub(crate) fn read_pat() -> Result<SecretString, Problem> {
    let raw = match std::env::var("ADO_PAT") {
        Ok(value) if !value.trim().is_empty() => SecretString::from(value),
        _ => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                eprintln!("Paste the PAT and press Enter (it is not echoed to any log):");
            }
            let mut line = String::new();
            stdin.lock().read_line(&mut line).map_err(|e| {
                input_problem(
                    Some(ado_core::target::Field::Pat),
                    format!("cannot read the PAT from stdin: {e}"),
                    "Set ADO_PAT or pipe the token on stdin.",
                )
            })?;
            SecretString::from(line)
        }
    };
    let checked = validate_pat(raw.expose_secret()).map_err(|e| {
        input_problem(
            Some(e.field),
            e.message,
            "Set ADO_PAT to the token, or pipe it on stdin.",
        )
    })?;
    Ok(SecretString::from(checked.to_string()))
}
