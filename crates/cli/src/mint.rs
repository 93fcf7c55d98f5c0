//! `ado-connect-cli mint`: "Create the tokens for me", headless (issue 20). After `login` (a
//! Microsoft sign-in on Azure DevOps Services), creates the PATs a product's profile asks for,
//! one per connector (DX) or the product's one PAT (Kong Konnect, Datafold: connector `default`),
//! org-scoped, with exactly its scopes; checks them with the product's checks and keeps them in
//! the keyring like pasted ones (`handoff` then finds them).
//!
//! When Microsoft wants the user to allow the tokens API's permission first, the refusal is
//! `consent_required` and names the command that asks for it: `login --organization …
//! --allow-minting` (browser, or with `--device-code`); then `mint` again.
//!
//! - `--dry-run`: prints what would be created, creates nothing.
//! - `--renew CONNECTOR`: a new PAT for that connector, checked and kept, the old one revoked.
//! - `--revoke`: revokes exactly the PATs ADO Connect minted for the product (Forget).
//! - `--list`: the minted PATs with their expiry.
//!
//! `--json` output names each PAT's `authorizationId`, never the token itself unless
//! `--show-tokens` asks. Exit codes: 0 done, 1 refused (the JSON says why: `code`, `message`,
//! `fix`, and `offerDays` or `steps` where they apply), 2 bad input.

use std::path::PathBuf;
use std::process::ExitCode;

use ado_flows::app::{MintAction, MintRun};
use clap::Args;

use crate::{bad_input, finish, ConnectionArgs};

/// `mint`'s flags.
#[derive(Args)]
pub struct MintArgs {
    /// The product profile (.toml) whose connectors get a PAT each.
    #[arg(long)]
    pub profile: PathBuf,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// The project the product gets (its checks run there).
    #[arg(long)]
    pub project: Option<String>,
    /// The repository the product gets.
    #[arg(long)]
    pub repository: Option<String>,
    /// The PATs' lifetime in days (default 90).
    #[arg(long)]
    pub days: Option<u32>,
    /// When the organization caps PAT lifetimes lower, use the longest it accepts.
    #[arg(long)]
    pub fit_lifetime: bool,
    /// Print what would be created; create nothing.
    #[arg(long, conflicts_with_all = ["renew", "revoke", "list"])]
    pub dry_run: bool,
    /// Renew one connector's minted PAT (its id, e.g. boards); without a value, the product's
    /// one PAT (Kong Konnect, Datafold).
    #[arg(long, num_args = 0..=1, default_missing_value = "", conflicts_with_all = ["revoke", "list"])]
    pub renew: Option<String>,
    /// Revoke every PAT ADO Connect minted for this product on this connection.
    #[arg(long, conflicts_with = "list")]
    pub revoke: bool,
    /// List the minted PATs with their expiry.
    #[arg(long)]
    pub list: bool,
    /// Also print the token values (they are otherwise only in the keyring).
    #[arg(long)]
    pub show_tokens: bool,
    /// Also print errors as JSON on stdout (the result is always JSON).
    #[arg(long)]
    pub json: bool,
}

/// `ado-connect-cli mint`.
pub async fn run(args: MintArgs) -> ExitCode {
    let app = or_exit!(crate::handoff::open_product(Some(&args.profile)));
    let run = or_exit!(args.run().map_err(bad_input));
    finish(app.mint_for_target(run).await, |done| output::done(&done))
}

impl MintArgs {
    /// What to do, from the flags.
    fn run(&self) -> Result<MintRun, ado_flows::Error> {
        let target = self.connection.target()?;
        self.connection.options()?;
        let action = match (self.dry_run, &self.renew, self.revoke, self.list) {
            (true, ..) => MintAction::DryRun,
            (_, Some(named), ..) => MintAction::Renew(named.clone()),
            (_, _, true, _) => MintAction::Revoke,
            (_, _, _, true) => MintAction::List,
            _ => MintAction::Create,
        };
        Ok(MintRun {
            target,
            action,
            project: self.project.clone(),
            repository: self.repository.clone(),
            days: self.days,
            fit_lifetime: self.fit_lifetime,
            show_tokens: self.show_tokens,
        })
    }
}

mod output {
    use std::process::ExitCode;

    use ado_flows::app::{MintDone, ShownToken};
    use ado_flows::interface::Status;
    use ado_flows::product::mint::{MintRefusal, MintReport};
    use secrecy::ExposeSecret as _;
    use serde_json::{json, Value};

    use crate::terminal;

    pub(super) fn done(done: &MintDone) -> ExitCode {
        let document = match done {
            MintDone::Planned(plan) => json!({ "ok": true, "dryRun": true, "plan": plan }),
            MintDone::Listed(id, minted) => {
                json!({ "ok": true, "connection": id, "minted": minted })
            }
            MintDone::Revoked(id, revoked) => {
                json!({ "ok": true, "connection": id, "revoked": revoked })
            }
            MintDone::Minted(report, tokens) => minted(report, tokens),
            MintDone::Refused(refusal) => return refused(refusal),
        };
        println!("{}", terminal::json(&document));
        ExitCode::SUCCESS
    }

    fn refused(refusal: &MintRefusal) -> ExitCode {
        println!(
            "{}",
            terminal::json(&json!({ "ok": false, "error": refusal }))
        );
        eprintln!(
            "error[{}]: {} {}",
            serde_json::to_value(refusal.code)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            terminal::plain(&refusal.message),
            terminal::plain(&refusal.fix)
        );
        for step in &refusal.steps {
            eprintln!("  - {}", terminal::plain(step));
        }
        ExitCode::from(1)
    }

    /// The report as printed: the plan, each minted PAT by `authorizationId` (its token only
    /// when shown), the revoked ones, and the checks' verdict.
    fn minted(report: &MintReport, tokens: &[ShownToken]) -> Value {
        let mut out = json!({
            "ok": true,
            "connection": report.connection_id,
            "plan": report.plan,
            "minted": report.minted,
            "revoked": report.revoked,
            "checks": {
                "ok": report.report.ok,
                "warnings": report
                    .report
                    .restrictions
                    .iter()
                    .filter(|r| r.status == Status::Warn)
                    .map(|r| r.title.clone())
                    .collect::<Vec<_>>(),
            },
        });
        for entry in out["minted"].as_array_mut().into_iter().flatten() {
            let shown = tokens
                .iter()
                .find(|t| entry["connector"] == t.connector.as_str() && entry["index"] == t.index);
            if let Some(t) = shown {
                entry["token"] = Value::String(t.token.expose_secret().to_string());
            }
        }
        out
    }
}
