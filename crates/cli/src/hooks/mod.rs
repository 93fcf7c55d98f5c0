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

use ado_flows::app::App;
use ado_flows::hooks::{ApplyEvent, HookRequest, SecretChoice, SubscriptionId};
use clap::{Args, Subcommand};

use crate::{failed, finish};

mod input;
mod output;
mod session;

use input::{request_of, secret_from_env};
use session::connection;

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
    let request = or_exit!(request_of(&args.selection, SecretChoice::Keep));
    let app = App::new(None);
    let id = or_exit!(connection(&app, &args.target, true).await.map_err(failed));
    let planned = app.plan_hooks(id, &request).await;
    finish(planned, |plan| output::planned(&plan, args.target.json))
}

async fn apply(args: ApplyArgs) -> ExitCode {
    let request = or_exit!(args.request());
    let (app, json, confirm) = (App::new(None), args.target.json, args.confirm_secret_change);
    let id = or_exit!(connection(&app, &args.target, true).await.map_err(failed));
    let (on_run, on_plan) = (output::interrupted(json), output::plan_before_apply(json));
    let progress = |e: &ApplyEvent| output::progress(e, json);
    let applied = app.apply_hooks_now(&id, &request, confirm, on_run, on_plan, &progress);
    finish(applied.await, |a| output::applied(&a, json))
}

impl ApplyArgs {
    /// The selection, with the secret `--secret-env` names or a new one (`--rotate`).
    fn request(&self) -> Result<HookRequest, ExitCode> {
        let secret = match (&self.secret_env, self.rotate) {
            (Some(var), _) => SecretChoice::Provided {
                value: secret_from_env(var)?,
            },
            (None, true) => SecretChoice::Rotate,
            (None, false) => SecretChoice::Keep,
        };
        request_of(&self.selection, secret)
    }
}

async fn test(args: IdArgs) -> ExitCode {
    let app = App::new(None);
    let id = or_exit!(connection(&app, &args.target, false).await.map_err(failed));
    let tested = app.test_hooks(&id, args.id.clone()).await;
    finish(tested, |tests| output::tests(&tests, args.target.json))
}

async fn list(args: TargetArgs) -> ExitCode {
    let app = App::new(None);
    let id = or_exit!(connection(&app, &args, false).await.map_err(failed));
    finish(app.recorded_hooks(&id).await, |h| {
        output::list(&h, args.json)
    })
}

async fn history(args: HistoryArgs) -> ExitCode {
    let app = App::new(None);
    let id = or_exit!(connection(&app, &args.target, false).await.map_err(failed));
    let deliveries = app.hook_deliveries(&id, &args.id, args.max).await;
    finish(deliveries, |d| output::history(&d, args.target.json))
}

async fn remove(args: TargetArgs) -> ExitCode {
    let app = App::new(None);
    let id = or_exit!(connection(&app, &args, false).await.map_err(failed));
    finish(app.remove_hooks(&id).await, |r| {
        output::removed(&r, args.json)
    })
}

async fn rotate(args: TargetArgs) -> ExitCode {
    let (app, json) = (App::new(None), args.json);
    let id = or_exit!(connection(&app, &args, false).await.map_err(failed));
    let progress = |e: &ApplyEvent| output::progress_unless_json(e, json);
    let rotated = app.rotate_hook_secret(&id, &progress).await;
    finish(rotated, |report| output::rotated(&report, json))
}

async fn rollback(args: TargetArgs) -> ExitCode {
    let app = App::new(None);
    let id = or_exit!(connection(&app, &args, false).await.map_err(failed));
    finish(app.rollback_hooks(&id).await, |r| {
        output::rolled_back(&r, args.json)
    })
}

async fn discard_journal(args: TargetArgs) -> ExitCode {
    let app = App::new(None);
    let id = or_exit!(connection(&app, &args, false).await.map_err(failed));
    finish(app.discard_hook_journal(&id).await, |d| {
        output::discarded(d, args.json)
    })
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
    let given = crate::handoff::ProfileHooks {
        connection: &target.connection,
        set: &selection.set,
        pat_expires: selection.pat_expires.clone(),
        project: selection.project.first().cloned(),
        secret_env,
        apply,
        json: target.json,
    };
    crate::handoff::hooks(path, given).await
}
