//! `ado-connect-cli`: ADO Connect, headless, for scripts and CI.
//!
//! Output is one JSON document on stdout; logs go to stderr (`RUST_LOG=debug` for more).
//! Exit codes: 0 success, 1 the check failed (the JSON says why), 2 bad input or usage.
//! Secrets never come from argv: the PAT is read from `ADO_PAT`, else from stdin.

use std::io::{BufRead as _, IsTerminal as _};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use ado_flows::app::{App, SavedConnection, VerifyForm};
use ado_flows::interface::{CheckCode, Problem};
use ado_flows::Pat;
use clap::{Args, Parser, Subcommand};
use secrecy::SecretString;
use serde_json::json;

/// The value, or return the exit code its reading already printed.
macro_rules! or_exit {
    ($result:expr) => {
        match $result {
            Ok(value) => value,
            Err(code) => return code,
        }
    };
}

mod args;
mod check;
mod handoff;
mod hooks;
mod login;
mod mint;
mod parse_url;
mod receive;
mod terminal;

pub(crate) use args::ConnectionArgs;
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
    /// After `login`: create the PATs a product's profile asks for (one per connector, org-scoped,
    /// exactly its scopes), check and keep them; or renew, list or revoke them. `--json` names
    /// each PAT's authorizationId, never the token unless --show-tokens.
    Mint(mint::MintArgs),
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
    #[command(flatten)]
    connection: ConnectionArgs,
    /// Save the connection when it verifies: the profile (with --ca-file, --proxy and
    /// --allow-http) to the config directory, the PAT to the OS keyring.
    #[arg(long)]
    save: bool,
    /// With --save: the PAT's expiry date (YYYY-MM-DD), for reminders.
    #[arg(long, requires = "save")]
    expires_on: Option<String>,
    /// Also print errors as JSON on stdout (the result is always JSON).
    #[arg(long)]
    json: bool,
}

/// Set from argv before anything runs: `--json` anywhere sends error JSON to stdout too.
static JSON_ERRORS: AtomicBool = AtomicBool::new(false);

fn main() -> ExitCode {
    quiet_on_closed_stdout();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .init();
    JSON_ERRORS.store(
        std::env::args_os()
            .skip(1)
            .take_while(|a| a != "--")
            .any(|a| a == "--json"),
        Ordering::Relaxed,
    );
    let cli = Cli::parse();
    match cli.command {
        Command::ParseUrl { url } => parse_url::run(&url),
        Command::Verify(args) => runtime().block_on(verify(args)),
        Command::Check(args) => runtime().block_on(check::run(args)),
        Command::Login(args) => runtime().block_on(login::login(args)),
        Command::Logout(args) => runtime().block_on(login::logout(args)),
        Command::Hooks(args) => runtime().block_on(hooks::run(args)),
        Command::Receive(args) => runtime().block_on(receive::run(args)),
        Command::Handoff(args) => runtime().block_on(handoff::run(args)),
        Command::Mint(args) => runtime().block_on(mint::run(args)),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts")
}

/// A closed stdout (`… | head`) ends the process quietly with status 141, as SIGPIPE ends other
/// Unix tools, instead of a panic and a backtrace: `println!` panics on a broken pipe because
/// Rust ignores SIGPIPE, and restoring the signal would need `unsafe`, which this workspace forbids.
fn quiet_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to stdout") {
            std::process::exit(141);
        }
        default(info)
    }));
}

/// Prints the problem as one line on stderr (the first line of the message: multi-line details
/// such as Entra's trace and correlation ids stay in the JSON), and as JSON on stdout when
/// `--json` was given; returns the exit code.
pub(crate) fn fail(error: impl Into<ado_flows::Error>, exit: u8) -> ExitCode {
    let error = error.into();
    if JSON_ERRORS.load(Ordering::Relaxed) {
        println!("{}", terminal::json(&error_json(&error)));
    }
    eprintln!("{}", error_line(&error));
    ExitCode::from(exit)
}

/// The `--json` error document: the flows' error as it is (the app's commands send the same).
pub(crate) fn error_json(error: &ado_flows::Error) -> serde_json::Value {
    json!({ "ok": false, "error": error })
}

/// The exit code of a failure: 2 for input the user can fix before anything is sent, else 1.
pub(crate) fn exit_code(error: &ado_flows::Error) -> u8 {
    if error.code == CheckCode::InvalidInput {
        2
    } else {
        1
    }
}

/// `error[code]: Field: message fix`, on one line whatever the message holds.
pub(crate) fn error_line(problem: &ado_flows::Error) -> String {
    let field = problem
        .field
        .map(|f| format!("{}: ", f.label()))
        .unwrap_or_default();
    let first_line = |s: &str| {
        s.lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or_default()
            .to_string()
    };
    // Messages quote profiles, products and servers: escape what a terminal would obey.
    format!(
        "error[{}]: {field}{} {}",
        problem.code,
        terminal::plain(&first_line(&problem.message)),
        terminal::plain(&first_line(&problem.fix))
    )
}

pub(crate) fn input_problem(
    field: Option<ado_flows::interface::Field>,
    message: String,
    fix: &str,
) -> Problem {
    Problem::new(CheckCode::InvalidInput, field, message, fix)
}

async fn verify(args: VerifyArgs) -> ExitCode {
    let form = or_exit!(args.form().map_err(bad_input));
    let answer = App::new(None).verify_pat(form).await;
    finish(answer, |a| print_ok(&a))
}

impl VerifyArgs {
    /// The flags, the PAT and the expiry date, read and validated.
    fn form(&self) -> Result<VerifyForm, ado_flows::Error> {
        let options = self.connection.options()?;
        let target = self.connection.target()?;
        let pat = read_pat()?;
        let expires_on = self
            .expires_on
            .as_deref()
            .map(ado_flows::interface::validate_date)
            .transpose()
            .map_err(|e| {
                input_problem(Some(e.field), e.message, "Give --expires-on as YYYY-MM-DD.")
            })?;
        Ok(VerifyForm {
            target,
            options,
            pat,
            save: self.save,
            expires_on,
        })
    }
}

/// Ends a subcommand: what the action answered, printed by `print` (which says how the
/// command exits), or its error (exit 2 for input to fix, else 1).
pub(crate) fn finish<T>(
    result: Result<T, ado_flows::Error>,
    print: impl FnOnce(T) -> ExitCode,
) -> ExitCode {
    result.map_or_else(failed, print)
}

/// Fails with an action's error: exit 2 for input to fix, else 1.
pub(crate) fn failed(error: ado_flows::Error) -> ExitCode {
    let code = exit_code(&error);
    fail(error, code)
}

/// Fails on input read from the flags, the environment, stdin or a file: exit 2.
pub(crate) fn bad_input(error: ado_flows::Error) -> ExitCode {
    fail(error, 2)
}

/// Prints a document with `"ok": true` added; exits 0.
pub(crate) fn print_ok(document: &impl serde::Serialize) -> ExitCode {
    let mut value = serde_json::to_value(document).expect("documents serialize");
    value["ok"] = json!(true);
    println!("{}", terminal::json(&value));
    ExitCode::SUCCESS
}

/// 0 when `ok`, else 1 (the document printed says why).
pub(crate) fn exit_if(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The PAT, read from `ADO_PAT` or stdin only when an action asks for it (a saved connection
/// needs none). Failing to read it is the user's input (exit 2), whatever the action's own
/// failures exit with.
#[derive(Default)]
pub(crate) struct PatOnDemand(std::cell::Cell<bool>);

impl PatOnDemand {
    pub(crate) fn read(&self) -> Result<Pat, ado_flows::Error> {
        read_pat().inspect_err(|_| self.0.set(true))
    }

    /// Fails with `error`: exit 2 when it was reading the PAT, else `otherwise`.
    pub(crate) fn fail(&self, error: ado_flows::Error, otherwise: u8) -> ExitCode {
        fail(error, if self.0.get() { 2 } else { otherwise })
    }
}

/// Says on stderr that the connection was saved now (verified on first use).
pub(crate) fn print_saved(saved: &SavedConnection) {
    if let Some(store) = saved.saved_now {
        eprintln!("saved connection profile {} (secrets in {store})", saved.id);
    }
}

/// The PAT from `ADO_PAT`, else the first line of stdin (not a terminal prompt: scripts pipe it),
/// validated once.
pub(crate) fn read_pat() -> Result<Pat, ado_flows::Error> {
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
                    Some(ado_flows::interface::Field::Pat),
                    format!("cannot read the PAT from stdin: {e}"),
                    "Set ADO_PAT or pipe the token on stdin.",
                )
            })?;
            SecretString::from(line)
        }
    };
    Pat::parse(&raw).map_err(|e| {
        input_problem(
            Some(e.field),
            e.message,
            "Set ADO_PAT to the token, or pipe it on stdin.",
        )
        .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entra_error_is_one_line_on_stderr_and_whole_in_json() {
        let problem = Problem::new(CheckCode::InvalidCredentials, None, "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 1\r\nCorrelation ID: 2\r\nTimestamp: 2026-01-01", "Check the secret.");
        let line = error_line(&problem.clone().into());
        assert_eq!(
            line,
            "error[invalid_credentials]: AADSTS7000215: Invalid client secret provided. Check the secret."
        );
        let json = serde_json::to_string(&problem).unwrap();
        assert!(json.contains("Correlation ID"), "details stay in --json");
    }

    /// Every code the flows have leaves the CLI as it leaves the app (`src-tauri/src/error.rs`):
    /// the same stable name, field and words, in `--json` and on the stderr line.
    #[test]
    fn every_code_leaves_the_cli_as_the_flows_wrote_it() {
        for code in ado_flows::Code::ALL {
            let error = ado_flows::error::example(code);
            let json = error_json(&error);
            assert_eq!(json["ok"], false);
            assert_eq!(
                json["error"],
                serde_json::to_value(&error).unwrap(),
                "{code}"
            );
            assert_eq!(json["error"]["code"], code.as_str());
            let line = error_line(&error);
            assert!(line.starts_with(&format!("error[{code}]: ")), "{line}");
            assert!(
                line.contains(error.message.lines().next().unwrap()),
                "{line}"
            );
        }
    }
}
