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

use ado_flows::product::mint::{
    mint_tokens, minted_tokens, plan_mint, renew_token, revoke_minted, MintRefusal, MintReport,
    MintRequest,
};
use ado_flows::product::{connector_secret_name, secrets_key};
use ado_flows::profiles::profile_id;
use clap::Args;
use secrecy::ExposeSecret as _;
use serde_json::{json, Value};

use crate::handoff::load;
use crate::{fail, input_problem, terminal, ConnectionArgs};

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

/// `ado-connect-cli mint`.
pub async fn run(args: MintArgs) -> ExitCode {
    match mint(args).await {
        Ok(code) | Err(code) => code,
    }
}

async fn mint(args: MintArgs) -> Result<ExitCode, ExitCode> {
    let profile = load(&args.profile)?;
    let target = args.connection.target().map_err(|p| fail(&p, 2))?;
    args.connection.options().map_err(|p| fail(&p, 2))?;
    if args.dry_run {
        let plan = plan_mint(&profile, target.scope_name(), args.days, crate::now_unix());
        println!(
            "{}",
            terminal::json(&json!({ "ok": true, "dryRun": true, "plan": plan }))
        );
        return Ok(ExitCode::SUCCESS);
    }
    let connections = crate::connections().map_err(|e| fail(e, 1))?;
    let settings = ado_flows::signin::settings().map_err(|e| fail(e, 2))?;
    let id = profile_id(&target);
    if connections.get(&id).map_err(|e| fail(e, 1))?.is_none() {
        return Err(fail(
            input_problem(
                None,
                format!("There is no saved connection for {}.", target.scope_name()),
                "Run `ado-connect-cli login` for this organization first (browser or --device-code).",
            ),
            2,
        ));
    }
    if args.list {
        let minted = minted_tokens(&connections, &id, &profile).map_err(|p| fail(&p, 1))?;
        println!(
            "{}",
            terminal::json(&json!({ "ok": true, "connection": id, "minted": minted }))
        );
        return Ok(ExitCode::SUCCESS);
    }
    if args.revoke {
        let revoked = revoke_minted(&connections, &settings, &id, &profile)
            .await
            .map_err(|r| refused(&r))?;
        println!(
            "{}",
            terminal::json(&json!({ "ok": true, "connection": id, "revoked": revoked }))
        );
        return Ok(ExitCode::SUCCESS);
    }
    let renew = match args.renew.as_deref() {
        Some(named) => Some(renewed_connector(&profile, named)?),
        None => None,
    };
    let request = MintRequest {
        profile: profile.clone(),
        connection_id: id.clone(),
        project: args.project.clone(),
        repository: args.repository.clone(),
        lifetime_days: args.days,
        fit_lifetime: args.fit_lifetime,
    };
    let quiet = |_: &ado_flows::product::ProductEvent<'_>| {};
    let report = match &renew {
        Some(connector) => {
            renew_token(
                &connections,
                &settings,
                request,
                connector,
                crate::now_unix(),
                &quiet,
            )
            .await
        }
        None => mint_tokens(&connections, &settings, request, crate::now_unix(), &quiet).await,
    }
    .map_err(|r| refused(&r))?;
    let mut out = output(&report);
    if args.show_tokens {
        let saved = connections.get(&id).ok().flatten();
        let key = secrets_key(&profile);
        for entry in out["minted"].as_array_mut().into_iter().flatten() {
            let connector = entry["connector"].as_str().unwrap_or_default().to_string();
            let index = entry["index"].as_u64().unwrap_or(0) as usize;
            let token = saved.as_ref().and_then(|s| {
                connections
                    .extra_secret(s, &connector_secret_name(&key, &connector, index))
                    .ok()
                    .flatten()
            });
            if let Some(token) = token {
                entry["token"] = Value::String(token.expose_secret().to_string());
            }
        }
    }
    println!("{}", terminal::json(&out));
    Ok(ExitCode::SUCCESS)
}

/// The connector `--renew` names: the product's one credential when none is named; a name that
/// is not one of the product's connectors is refused (exit 2) with the names it has.
fn renewed_connector(
    profile: &ado_flows::interface::ProductProfile,
    named: &str,
) -> Result<String, ExitCode> {
    let ids: Vec<&str> = profile.connectors.iter().map(|c| c.id.as_str()).collect();
    match (named.trim(), ids.as_slice()) {
        ("", [only]) => Ok(only.to_string()),
        (name, _) if ids.contains(&name) => Ok(name.to_string()),
        ("", _) => Err(fail(
            input_problem(
                None,
                format!(
                    "{} has several connectors; --renew needs one.",
                    profile.product.name
                ),
                &format!("Name it: --renew {}.", ids.join(" | --renew ")),
            ),
            2,
        )),
        (name, _) => Err(fail(
            input_problem(
                None,
                format!(
                    "--renew {name}: {} has no connector {name:?}.",
                    profile.product.name
                ),
                &format!("Use one of: {}.", ids.join(", ")),
            ),
            2,
        )),
    }
}

/// The report as printed: the plan, each minted PAT by `authorizationId` (no token), the
/// revoked ones, and the checks' verdict.
fn output(report: &MintReport) -> Value {
    json!({
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
                .filter(|r| r.status == ado_flows::interface::Status::Warn)
                .map(|r| r.title.clone())
                .collect::<Vec<_>>(),
        },
    })
}
