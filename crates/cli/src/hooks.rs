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

use std::io::BufRead as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use ado_client::{AdoClient, Credential};
use ado_core::checks::Problem;
use ado_core::target::{ConnectionTarget, Deployment, TargetInput};
use ado_core::webhook::EventKind;
use ado_flows::hooks::{
    self, ApplyEvent, ApplyReport, AuthChoice, HookPlan, HookRecords, HookRequest, Phase,
    SecretChoice,
};
use ado_flows::profiles::profile_id;
use ado_flows::verify::client_for;
use ado_flows::{verify_connection, ConnectOptions, Connections, SecretStore};
use clap::{Args, Subcommand};
use secrecy::SecretString;
use serde_json::json;

use crate::{fail, input_problem, read_pat};

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
    /// Undo an interrupted run: delete the subscriptions it created.
    Rollback(TargetArgs),
}

#[derive(Args, Clone)]
pub struct TargetArgs {
    /// Azure DevOps Services: the organization name.
    #[arg(long, conflicts_with = "server_url")]
    organization: Option<String>,
    /// Azure DevOps Services: the host, for sandboxes (default https://dev.azure.com/).
    #[arg(long, requires = "organization", hide = true)]
    services_url: Option<String>,
    /// Azure DevOps Server: the server URL with its virtual directory, e.g. http://tfs:8080/tfs.
    #[arg(long, requires = "collection")]
    server_url: Option<String>,
    /// Azure DevOps Server: the collection name.
    #[arg(long, requires = "server_url")]
    collection: Option<String>,
    /// A PEM file with a CA certificate to trust for this connection only.
    #[arg(long)]
    ca_file: Option<PathBuf>,
    /// An explicit proxy (http://host:port); otherwise HTTPS_PROXY / NO_PROXY apply.
    #[arg(long)]
    proxy: Option<String>,
    /// Print one JSON document instead of lines.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct SelectionArgs {
    /// The project (name or id). With --profile: only this project (default: as the profile says).
    #[arg(long, required_unless_present = "profile")]
    project: Option<String>,
    /// Narrow Git events to this repository (name or id).
    #[arg(long)]
    repository: Option<String>,
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
    /// The header that carries the secret (default X-ADO-Connect-Secret).
    #[arg(long, conflicts_with = "basic_auth_user")]
    secret_header: Option<String>,
    /// Use basic authentication with this user instead of a secret header; the password comes
    /// from ADO_HOOK_PASSWORD, else from stdin (after the PAT, if that is piped too).
    #[arg(long)]
    basic_auth_user: Option<String>,
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
}

#[derive(Args)]
struct IdArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// One subscription id (default: every recorded subscription).
    #[arg(long)]
    id: Option<String>,
}

#[derive(Args)]
struct HistoryArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// The subscription id.
    #[arg(long)]
    id: String,
    /// At most this many deliveries.
    #[arg(long, default_value_t = 20)]
    max: u32,
}

/// What every subcommand needs: the client, the records, and how to print.
struct Session {
    client: AdoClient,
    records: HookRecords,
    json: bool,
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
    }
}

/// `plan|apply --profile`: the product's webhooks (`crate::handoff::hooks`).
async fn with_profile(
    target: &TargetArgs,
    selection: &SelectionArgs,
    secret_env: Option<&str>,
    apply: bool,
) -> ExitCode {
    let s = match session(target, true).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let path = selection.profile.as_deref().expect("checked by the caller");
    let given = crate::handoff::ProfileHooks {
        path,
        set: &selection.set,
        project: selection.project.clone(),
        secret_env,
        apply,
        json: s.json,
    };
    crate::handoff::hooks(&s.client, &s.records, given).await
}

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

fn target_of(args: &TargetArgs) -> Result<ConnectionTarget, ExitCode> {
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
    }
    .validate()
    .map_err(|errors| {
        fail(
            &input_problem(
                Some(errors[0].field),
                errors[0].message.clone(),
                "Give --server-url and --collection, or --organization.",
            ),
            2,
        )
    })
}

/// Builds the session. With `save`, a connection without a saved profile is verified and saved
/// first (the PAT into the keyring, as the app's Verify does): that is where subscriptions are
/// recorded.
async fn session(args: &TargetArgs, save: bool) -> Result<Session, ExitCode> {
    let target = target_of(args)?;
    let trusted_ca_pem = match &args.ca_file {
        Some(path) => Some(std::fs::read_to_string(path).map_err(|e| {
            fail(
                &input_problem(
                    None,
                    format!("cannot read --ca-file {}: {e}", path.display()),
                    "Give a readable PEM file.",
                ),
                2,
            )
        })?),
        None => None,
    };
    let options = ConnectOptions {
        trusted_ca_pem: trusted_ca_pem.clone(),
        proxy: args.proxy.clone(),
    };
    let pat = read_pat().map_err(|p| fail(&p, 2))?;
    let store = SecretStore::detect().map_err(|e| {
        fail(
            &input_problem(
                None,
                e.to_string(),
                "Start a Secret Service (e.g. gnome-keyring) and unlock it.",
            ),
            1,
        )
    })?;
    let connections = Connections::new(Connections::default_dir(), store);
    let id = profile_id(&target);
    let known = connections
        .list()
        .map_err(|e| {
            fail(
                &input_problem(None, e.to_string(), "Check the config directory."),
                1,
            )
        })?
        .iter()
        .any(|p| p.id == id);
    if !known {
        if !save {
            return Err(fail(
                &Problem {
                    code: ado_core::checks::CheckCode::NotFound,
                    field: None,
                    message: format!(
                        "No saved connection {id}: this tool has recorded no webhooks for it."
                    ),
                    fix: "Run `ado-connect-cli hooks apply` first.".into(),
                    server_message: None,
                    support_id: None,
                },
                1,
            ));
        }
        let verified = verify_connection(&target, Credential::Pat(pat.clone()), &options)
            .await
            .map_err(|p| fail(&p, 1))?;
        connections
            .save_pat_connection(&verified, &pat, None, trusted_ca_pem, now_unix())
            .map_err(|e| {
                fail(
                    &input_problem(
                        None,
                        e.to_string(),
                        "Check the keyring and the config directory.",
                    ),
                    1,
                )
            })?;
        eprintln!(
            "saved connection profile {id} (secrets in {})",
            connections.secret_backend().description()
        );
    }
    let client = client_for(&target, Credential::Pat(pat), &options).map_err(|p| fail(&p, 2))?;
    Ok(Session {
        client,
        records: HookRecords::new(connections, id),
        json: args.json,
    })
}

fn request_of(selection: &SelectionArgs, secret: SecretChoice) -> Result<HookRequest, ExitCode> {
    let mut events = Vec::new();
    for name in &selection.events {
        match EventKind::from_cli_name(name) {
            Some(e) => events.push(e),
            None => {
                return Err(fail(
                    &input_problem(
                        None,
                        format!("unknown event {name:?}"),
                        "Use any of pr-created, pr-updated, pr-merged, push, build-completed.",
                    ),
                    2,
                ))
            }
        }
    }
    let auth = match &selection.basic_auth_user {
        Some(user) => AuthChoice::Basic {
            username: user.clone(),
            password: read_hook_password()?,
        },
        None => AuthChoice::SecretHeader {
            header: selection.secret_header.clone(),
            secret,
        },
    };
    Ok(HookRequest {
        project: selection.project.clone().unwrap_or_default(),
        repository: selection.repository.clone(),
        branch: selection.branch.clone(),
        events,
        url: selection.url.clone().unwrap_or_default(),
        auth,
    })
}

/// The basic-auth password: `ADO_HOOK_PASSWORD`, else the next line of stdin.
fn read_hook_password() -> Result<SecretString, ExitCode> {
    if let Ok(value) = std::env::var("ADO_HOOK_PASSWORD") {
        if !value.trim().is_empty() {
            return Ok(SecretString::from(value.trim().to_string()));
        }
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| {
        fail(
            &input_problem(
                None,
                format!("cannot read the password from stdin: {e}"),
                "Set ADO_HOOK_PASSWORD.",
            ),
            2,
        )
    })?;
    let line = line.trim().to_string();
    if line.is_empty() {
        return Err(fail(
            &input_problem(
                None,
                "--basic-auth-user needs a password".into(),
                "Set ADO_HOOK_PASSWORD, or pipe it on stdin.",
            ),
            2,
        ));
    }
    Ok(SecretString::from(line))
}

/// The secret from `--secret-env`.
fn secret_from_env(var: &str) -> Result<SecretString, ExitCode> {
    match std::env::var(var) {
        Ok(v) if !v.trim().is_empty() => Ok(SecretString::from(v.trim().to_string())),
        _ => Err(fail(
            &input_problem(
                None,
                format!("the environment variable {var} named by --secret-env is empty or unset"),
                "Export the secret in that variable.",
            ),
            2,
        )),
    }
}

fn print_json(value: serde_json::Value) {
    println!("{value}");
}

fn print_plan(plan: &HookPlan) {
    let p = &plan.plan;
    println!(
        "plan: {} — receiver {}, project {}{}{}",
        p.summary(),
        plan.url,
        plan.project.name,
        plan.repository
            .as_ref()
            .map(|r| format!(", repository {}", r.name))
            .unwrap_or_default(),
        plan.branch
            .as_ref()
            .map(|b| format!(", branch {b}"))
            .unwrap_or_default(),
    );
    for item in p.items() {
        let id = item
            .subscription_id
            .as_deref()
            .map(|i| format!(" {i}"))
            .unwrap_or_default();
        let adopting = if item.adopting && item.subscription_id.is_some() {
            format!(
                " (adopting{})",
                item.created_by
                    .as_deref()
                    .map(|c| format!(", created by {c}"))
                    .unwrap_or_default()
            )
        } else {
            String::new()
        };
        println!(
            "  {:<9} {}{id}{adopting}",
            item.action.verb(),
            item.spec.event.event_type()
        );
        if let Some(reason) = &item.reason {
            println!("            {reason}");
        }
        for change in &item.changes {
            println!("            - {}", change.describe());
        }
    }
    for d in &p.duplicates {
        println!(
            "  note: {} also matches {} ({}); left alone",
            d.subscription_id,
            d.event.event_type(),
            if d.recorded {
                "recorded by this tool"
            } else {
                "not ours"
            }
        );
    }
    for s in &p.stale {
        println!(
            "  note: {} ({}) is recorded but no longer asked for; `hooks remove` deletes it",
            s.id,
            s.spec.event.event_type()
        );
    }
    for m in &p.missing {
        println!(
            "  note: {} was deleted in Azure DevOps; it will be forgotten",
            m.id
        );
    }
    for w in &plan.warnings {
        println!(
            "warning[{}]: {}",
            serde_json::to_value(w.issue)
                .unwrap()
                .as_str()
                .unwrap_or_default(),
            w.message
        );
    }
    for n in &plan.notes {
        println!("note: {n}");
    }
    if let Some(run) = &plan.interrupted {
        println!(
            "note: an earlier run ({}) did not finish; `hooks apply` finishes it first, `hooks rollback` undoes it",
            run.run_id
        );
    }
}

fn progress_line(e: &ApplyEvent) -> String {
    let id = e.subscription_id.as_deref().unwrap_or("");
    match e.phase {
        Phase::Started => format!(
            "[{}/{}] {} {} …",
            e.seq,
            e.total,
            e.action.verb(),
            e.event.event_type()
        ),
        Phase::Done => format!(
            "[{}/{}] {} {}: done {id}",
            e.seq,
            e.total,
            e.action.verb(),
            e.event.event_type()
        ),
        Phase::Failed => format!(
            "[{}/{}] {} {}: FAILED {}",
            e.seq,
            e.total,
            e.action.verb(),
            e.event.event_type(),
            e.message.as_deref().unwrap_or_default()
        ),
    }
}

fn print_report(report: &ApplyReport) {
    for f in &report.failed {
        println!(
            "FAILED {} {}: [{}] {} {}",
            f.action.verb(),
            f.event.event_type(),
            f.problem.code,
            f.problem.message,
            f.problem.fix
        );
    }
    if let Some(p) = &report.problem {
        println!("FAILED [{}]: {} {}", p.code, p.message, p.fix);
    }
    for note in &report.replanned {
        println!("note: {note}");
    }
    println!(
        "created {}, adopted {}, updated {}, re-enabled {}, unchanged {}, failed {}",
        report.created.len(),
        report.adopted.len(),
        report.updated.len(),
        report.reenabled.len(),
        report.unchanged.len(),
        report.failed.len()
    );
    if report.journal_kept {
        println!("the journal is kept: run `hooks apply` again to retry, or `hooks rollback` to undo this run");
    }
    if let Some(secret) = &report.secret {
        println!();
        println!("Secret — shown once; it is stored in {}:", secret.stored_in);
        println!("  {}: {}", secret.header, secret.value);
        println!("Configure the receiver to accept deliveries only with this header.");
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
    match hooks::apply_plan(&s.client, &s.records, &plan, &progress).await {
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
                        "recovered the interrupted run: created {}, updated {}, re-enabled {}",
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
    let ids: Vec<String> = match &args.id {
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
                        ado_core::webhook::HookOrigin::Created => "created here",
                        ado_core::webhook::HookOrigin::Adopted => "adopted",
                    };
                    println!(
                        "{} {:<24} {status} ({origin}) → {}{last}",
                        h.recorded.id,
                        h.recorded.spec.event.event_type(),
                        h.recorded.spec.url
                    );
                    if let Some(reason) = h.reason.as_deref().filter(|_| {
                        h.status != Some(ado_core::webhook::SubscriptionStatus::Enabled)
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
            } else {
                println!(
                    "deleted {} subscription(s) the interrupted run created; {} update(s) cannot be undone",
                    report.deleted.len(),
                    report.kept.len()
                );
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
