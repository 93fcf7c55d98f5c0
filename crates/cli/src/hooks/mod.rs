//! `ado-connect-cli hooks plan|apply|test|list|history|remove|rotate|rollback`: the service-hook
//! (webhook) step, headless.
//!
//! The target flags are `check`'s; the PAT comes from `ADO_PAT`, else the first line of stdin;
//! a basic-auth password from `ADO_HOOK_PASSWORD`, else the next line of stdin; never argv.
//! Subscriptions are recorded in the saved connection profile (saved on first use, like the
//! app does after Verify), so `remove` deletes exactly what this tool created or adopted.
//!
//! Without `--json`, one line per item; with it, one JSON document on stdout (progress lines
//! go to stderr). Exit 0 on success, 1 when Azure DevOps refused or something failed (the
//! journal then allows `apply` to finish it or `rollback` to undo it), 2 on bad input.

use std::path::PathBuf;
use std::process::ExitCode;

use ado_flows::hooks::{self, ApplyEvent, SecretChoice, SubscriptionId};
use clap::{Args, Subcommand};
use serde_json::json;

use crate::fail;

mod input;
mod output;
mod session;

use input::{request_of, secret_from_env};
use output::{print_json, print_plan, print_report, progress_line};
use session::session;

#[derive(Args)]
pub struct HooksArgs {
    #[command(subcommand)]
    command: HooksCommand,
}

#[derive(Subcommand)]
enum HooksCommand {
    /// Show what apply would create, adopt, update or re-enable. Changes nothing in Azure DevOps.
    Plan(PlanArgs),
    /// Finish any interrupted run, plan, and apply. Prints a generated secret once.
    Apply(ApplyArgs),
    /// Send a test event through the recorded subscriptions (or one) and show the receiver's answer.
    Test(IdArgs),
    /// The recorded subscriptions, their status and last delivery.
    List(TargetArgs),
    /// Recent deliveries of one subscription.
    History(HistoryArgs),
    /// Delete exactly the subscriptions this tool created or adopted.
    Remove(TargetArgs),
    /// Generate a new secret and put it on every recorded subscription. Prints it once.
    Rotate(TargetArgs),
    /// Discard a journal that cannot be read (it blocks every apply; recover and rollback cannot use it).
    DiscardJournal(TargetArgs),
    /// Undo an interrupted run: delete the subscriptions it created.
    Rollback(TargetArgs),
}

#[derive(Args, Clone)]
pub struct TargetArgs {
    /// Where to connect and how (target, trusted CA, proxy, plain-http consent).
    #[command(flatten)]
    connection: crate::args::ConnectionArgs,
    /// Print one JSON document instead of lines.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub(super) struct SelectionArgs {
    /// The project (name or id); repeat it (or separate with commas) for several: one plan,
    /// one journal for all. With --profile: only this project (default: as the profile says).
    #[arg(long, value_delimiter = ',', required_unless_present_any = ["all_projects", "profile"])]
    project: Vec<String>,
    /// Every project of the organization or collection.
    #[arg(long, conflicts_with = "project")]
    all_projects: bool,
    /// Narrow Git events to this repository (name, id or project/name); repeat it (or separate
    /// with commas) for several repositories, each its own subscriptions.
    #[arg(long, value_delimiter = ',')]
    repository: Vec<String>,
    /// Narrow Git events to this branch (needs --repository).
    #[arg(long)]
    branch: Option<String>,
    /// Which events: any of pr-created,pr-updated,pr-merged,push,build-completed.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "pr-created,pr-updated,pr-merged,push,build-completed"
    )]
    events: Vec<String>,
    /// The receiver URL the product gave you.
    #[arg(long, required_unless_present = "profile")]
    url: Option<String>,
    /// A product profile: exactly its events, receiver, header and secret (see `handoff`).
    #[arg(long)]
    profile: Option<PathBuf>,
    /// With --profile: a value it asks for, NAME=VALUE (e.g. dx_url=https://acme.getdx.net).
    #[arg(long = "set", requires = "profile")]
    set: Vec<String>,
    /// With --profile: the expiry date (YYYY-MM-DD) of the PATs given (ADO_PAT for a connection
    /// saved now, ADO_PAT_<CONNECTOR> for connectors), for products that require one.
    #[arg(long, requires = "profile")]
    pat_expires: Option<String>,
    /// The header that carries the secret (default X-ADO-Connect-Secret).
    #[arg(long, conflicts_with = "basic_auth_user")]
    secret_header: Option<String>,
    /// Use basic authentication with this user instead of a secret header; the password comes
    /// from ADO_HOOK_PASSWORD, else from stdin (after the PAT, if that is piped too).
    #[arg(long)]
    basic_auth_user: Option<String>,
    /// Take over matching subscriptions that are not provably this tool's (another header or
    /// secret): they are adopted and their headers replaced by ours. Without it they are left
    /// alone.
    #[arg(long)]
    take_over: bool,
}

#[derive(Args)]
struct PlanArgs {
    #[command(flatten)]
    target: TargetArgs,
    #[command(flatten)]
    selection: SelectionArgs,
}

#[derive(Args)]
struct ApplyArgs {
    #[command(flatten)]
    target: TargetArgs,
    #[command(flatten)]
    selection: SelectionArgs,
    /// Use the secret in this environment variable instead of generating one.
    #[arg(long, conflicts_with = "basic_auth_user")]
    secret_env: Option<String>,
    /// Generate a new secret even if one is stored (and put it on every subscription planned).
    #[arg(long, conflicts_with = "secret_env")]
    rotate: bool,
    /// Confirm a plan that replaces the secret of subscriptions that deliver already (their
    /// receiver must then get the new one). Without it such a plan is refused.
    #[arg(long)]
    confirm_secret_change: bool,
}

#[derive(Args)]
struct IdArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// One subscription id (default: every recorded subscription).
    #[arg(long)]
    id: Option<SubscriptionId>,
}

#[derive(Args)]
struct HistoryArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// The subscription id.
    #[arg(long)]
    id: SubscriptionId,
    /// At most this many deliveries.
    #[arg(long, default_value_t = 20)]
    max: u32,
}

pub async fn run(args: HooksArgs) -> ExitCode {
    match args.command {
        HooksCommand::Plan(a) if a.selection.profile.is_some() => {
            with_profile(&a.target, &a.selection, None, false).await
        }
        HooksCommand::Apply(a) if a.selection.profile.is_some() => {
            with_profile(&a.target, &a.selection, a.secret_env.as_deref(), true).await
        }
        HooksCommand::Plan(a) => plan(a).await,
        HooksCommand::Apply(a) => apply(a).await,
        HooksCommand::Test(a) => test(a).await,
        HooksCommand::List(a) => list(a).await,
        HooksCommand::History(a) => history(a).await,
        HooksCommand::Remove(a) => remove(a).await,
        HooksCommand::Rotate(a) => rotate(a).await,
        HooksCommand::Rollback(a) => rollback(a).await,
        HooksCommand::DiscardJournal(a) => discard_journal(a).await,
    }
}

async fn plan(args: PlanArgs) -> ExitCode {
    let request = match request_of(&args.selection, SecretChoice::Keep) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let s = match session(&args.target, true).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    match hooks::plan_hooks(&s.client, &s.records, &request).await {
        Ok(plan) => {
            if s.json {
                let mut value = serde_json::to_value(&plan).expect("plans serialize");
                value["ok"] = json!(true);
                print_json(value);
            } else {
                print_plan(&plan);
            }
            ExitCode::SUCCESS
        }
        Err(problem) => fail(&problem, 1),
    }
}

async fn apply(args: ApplyArgs) -> ExitCode {
    let secret = match (&args.secret_env, args.rotate) {
        (Some(var), _) => match secret_from_env(var) {
            Ok(value) => SecretChoice::Provided { value },
            Err(code) => return code,
        },
        (None, true) => SecretChoice::Rotate,
        (None, false) => SecretChoice::Keep,
    };
    let request = match request_of(&args.selection, secret) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let s = match session(&args.target, true).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let json_mode = s.json;
    let progress = |e: &ApplyEvent| {
        if json_mode {
            eprintln!("{}", progress_line(e));
        } else {
            println!("{}", progress_line(e));
        }
    };
    // The next run first recovers: finish what an interrupted run announced.
    let mut recovered = None;
    match s.records.interrupted() {
        Ok(Some(run)) => {
            let line = format!(
                "finishing the interrupted run {} ({} change(s))",
                run.run_id,
                run.entries.len()
            );
            if json_mode {
                eprintln!("{line}");
            } else {
                println!("{line}");
            }
            match hooks::recover(&s.client, &s.records, &progress).await {
                Ok(report) if report.ok => recovered = Some(report),
                Ok(report) => {
                    if json_mode {
                        print_json(json!({"ok": false, "recovered": report}));
                    } else {
                        print_report(&report);
                    }
                    return ExitCode::from(1);
                }
                Err(problem) => return fail(&problem, 1),
            }
        }
        Ok(None) => {}
        Err(problem) => return fail(&problem, 1),
    }
    let plan = match hooks::plan_hooks(&s.client, &s.records, &request).await {
        Ok(plan) => plan,
        Err(problem) => return fail(&problem, 1),
    };
    if !json_mode {
        print_plan(&plan);
    }
    let options = hooks::ApplyOptions {
        confirm_secret_change: args.confirm_secret_change,
        ..hooks::ApplyOptions::default()
    };
    match hooks::apply_plan_with(&s.client, &s.records, &plan, &options, &progress).await {
        Ok(report) => {
            let ok = report.ok;
            if json_mode {
                print_json(json!({
                    "ok": ok,
                    "plan": plan,
                    "recovered": recovered,
                    "report": report,
                }));
            } else {
                if let Some(r) = &recovered {
                    println!(
                        "recovered the interrupted run: {} change(s) it had made recorded; sent now: created {}, updated {}, re-enabled {}",
                        r.recorded_from_interrupted_run.len(),
                        r.created.len(),
                        r.updated.len(),
                        r.reenabled.len()
                    );
                }
                print_report(&report);
            }
            if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(problem) => fail(&problem, 1),
    }
}

async fn test(args: IdArgs) -> ExitCode {
    let s = match session(&args.target, false).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let ids: Vec<SubscriptionId> = match &args.id {
        Some(id) => vec![id.clone()],
        None => match s.records.recorded() {
            Ok(r) => r.into_iter().map(|h| h.id).collect(),
            Err(p) => return fail(&p, 1),
        },
    };
    let mut results = Vec::new();
    let mut all_ok = true;
    for id in ids {
        match hooks::send_test(&s.client, &s.records, &id).await {
            Ok(t) => {
                all_ok &= t.delivered;
                if !s.json {
                    println!(
                        "{} {id}: receiver answered {}{}{}",
                        if t.delivered { "delivered" } else { "FAILED" },
                        t.receiver_status
                            .map(|c| c.to_string())
                            .unwrap_or_else(|| "nothing".into()),
                        t.receiver_reason
                            .as_deref()
                            .map(|r| format!(" {r}"))
                            .unwrap_or_default(),
                        t.error_message
                            .as_deref()
                            .map(|e| format!(" ({e})"))
                            .unwrap_or_default()
                    );
                    if let Some(advice) = &t.advice {
                        println!("  {advice}");
                    }
                    if let Some(body) = &t.response_excerpt {
                        println!("  {}", body.replace('\n', "\n  "));
                    }
                }
                results.push(serde_json::to_value(&t).expect("serializes"));
            }
            Err(problem) => return fail(&problem, 1),
        }
    }
    if s.json {
        print_json(json!({"ok": all_ok, "tests": results}));
    }
    if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

async fn list(args: TargetArgs) -> ExitCode {
    let s = match session(&args, false).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    match hooks::list_hooks(&s.client, &s.records).await {
        Ok(states) => {
            if s.json {
                print_json(json!({"ok": true, "hooks": states}));
            } else {
                if states.is_empty() {
                    println!("no webhooks recorded for this connection");
                }
                if let Ok(Some(run)) = s.records.interrupted() {
                    println!(
                        "note: run {} did not finish ({} change(s)); its subscriptions are recorded once `hooks apply` finishes it, or deleted by `hooks rollback`",
                        run.run_id,
                        run.entries.len()
                    );
                }
                for h in &states {
                    let status = match (h.exists, h.status) {
                        (false, _) => "gone".to_string(),
                        (true, Some(st)) => st.as_str().to_string(),
                        (true, None) => "?".into(),
                    };
                    let last = h
                        .last_delivery
                        .as_ref()
                        .map(|d| {
                            format!(
                                ", last delivery {} {}",
                                d.result.as_deref().unwrap_or("?"),
                                d.receiver_status.map(|c| c.to_string()).unwrap_or_default()
                            )
                        })
                        .unwrap_or_default();
                    let origin = match h.recorded.origin {
                        ado_flows::interface::HookOrigin::Created => "created here",
                        ado_flows::interface::HookOrigin::Adopted => "adopted",
                    };
                    let scope = [
                        h.project.clone(),
                        h.repository.clone(),
                        h.branch.as_ref().map(|b| format!("branch {b}")),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" / ");
                    println!(
                        "{} {:<22} in {scope}: {status} ({origin}) → {}{last}",
                        h.recorded.id, h.event_label, h.url
                    );
                    if let Some(reason) = h.reason.as_deref().filter(|_| {
                        h.status != Some(ado_flows::interface::SubscriptionStatus::Enabled)
                    }) {
                        println!("    {reason}");
                    }
                }
            }
            ExitCode::SUCCESS
        }
        Err(problem) => fail(&problem, 1),
    }
}

async fn history(args: HistoryArgs) -> ExitCode {
    let s = match session(&args.target, false).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    match hooks::history(&s.client, &s.records, &args.id, args.max).await {
        Ok(deliveries) => {
            if s.json {
                print_json(json!({"ok": true, "deliveries": deliveries}));
            } else {
                for d in &deliveries {
                    println!(
                        "#{} {} {} {} {}{}",
                        d.id,
                        d.created_date.as_deref().unwrap_or(""),
                        d.event_type.as_deref().unwrap_or(""),
                        d.result.as_deref().unwrap_or("?"),
                        d.receiver_status.map(|c| c.to_string()).unwrap_or_default(),
                        d.error_message
                            .as_deref()
                            .map(|e| format!(" ({e})"))
                            .unwrap_or_default()
                    );
                    if let Some(advice) = &d.advice {
                        println!("  {advice}");
                    }
                }
            }
            ExitCode::SUCCESS
        }
        Err(problem) => fail(&problem, 1),
    }
}

async fn remove(args: TargetArgs) -> ExitCode {
    let s = match session(&args, false).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    match hooks::remove_hooks(&s.client, &s.records).await {
        Ok(report) => {
            if s.json {
                print_json(serde_json::to_value(&report).expect("serializes"));
            } else {
                if let Some(r) = &report.rolled_back {
                    println!(
                        "rolled back an interrupted run: deleted {}",
                        r.deleted.len()
                    );
                }
                for r in &report.removed {
                    println!(
                        "removed {} {}{}",
                        r.id,
                        r.event.event_type(),
                        if r.already_gone {
                            " (already gone)"
                        } else {
                            ""
                        }
                    );
                }
                for f in &report.failed {
                    println!(
                        "FAILED {}: {} {}",
                        f.subscription_id.as_deref().unwrap_or_default(),
                        f.problem.message,
                        f.problem.fix
                    );
                }
                if report.removed.is_empty() && report.failed.is_empty() {
                    println!("nothing recorded to remove");
                }
            }
            if report.ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(problem) => fail(&problem, 1),
    }
}

async fn rotate(args: TargetArgs) -> ExitCode {
    let s = match session(&args, false).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let json_mode = s.json;
    let progress = |e: &ApplyEvent| {
        if !json_mode {
            println!("{}", progress_line(e));
        }
    };
    match hooks::rotate_secret(&s.client, &s.records, &progress).await {
        Ok(report) => {
            if json_mode {
                print_json(json!({"ok": report.ok, "report": report}));
            } else {
                print_report(&report);
            }
            if report.ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(problem) => fail(&problem, 1),
    }
}

async fn rollback(args: TargetArgs) -> ExitCode {
    let s = match session(&args, false).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    match hooks::rollback(&s.client, &s.records).await {
        Ok(report) => {
            let ok = report.failed.is_empty();
            if s.json {
                print_json(json!({"ok": ok, "rollback": report}));
            } else if let Some(run) = &report.run_id {
                println!(
                    "rolled back run {run}: deleted {} subscription(s) it created; {} update(s) cannot be undone",
                    report.deleted.len(),
                    report.kept.len()
                );
            } else {
                println!("nothing to roll back: no run was interrupted");
            }
            if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(problem) => fail(&problem, 1),
    }
}

async fn discard_journal(args: TargetArgs) -> ExitCode {
    let s = match session(&args, false).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    match hooks::discard_journal(&s.records) {
        Ok(discarded) => {
            if s.json {
                print_json(json!({"ok": true, "discarded": discarded}));
            } else if discarded {
                println!("discarded the unreadable journal; plan again (subscriptions the interrupted run made are found, not duplicated)");
            } else {
                println!("there is no journal to discard");
            }
            ExitCode::SUCCESS
        }
        Err(problem) => fail(&problem, 1),
    }
}

/// `plan|apply --profile`: the product's webhooks (`crate::handoff::hooks`).
async fn with_profile(
    target: &TargetArgs,
    selection: &SelectionArgs,
    secret_env: Option<&str>,
    apply: bool,
) -> ExitCode {
    let Some(path) = selection.profile.as_deref() else {
        unreachable!("run() routes here only with --profile")
    };
    let profile = match target
        .connection
        .target()
        .map_err(|p| crate::fail(&p, 2))
        .and_then(|t| crate::handoff::load_for(path, &t, selection.pat_expires.as_deref()))
    {
        Ok(p) => p,
        Err(code) => return code,
    };
    let s = match session(target, true).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let given = crate::handoff::ProfileHooks {
        set: &selection.set,
        pat_expires: selection.pat_expires.as_deref(),
        project: selection.project.first().cloned(),
        secret_env,
        apply,
        json: s.json,
    };
    crate::handoff::hooks(&s.connections, &s.id, &s.client, &s.records, profile, given).await
}
