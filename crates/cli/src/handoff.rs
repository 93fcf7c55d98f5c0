//! `--profile FILE` and `ado-connect-cli handoff`: onboarding into a product, headless, on the
//! same flows the app calls (`ado_flows::product`).
//!
//! Secrets never come from argv:
//! - the connection's PAT: `ADO_PAT`, else stdin (or `ADO_TOKEN` for an OAuth token in `check`);
//! - a connector's PATs: `ADO_PAT_<CONNECTOR>` and `ADO_PAT_<CONNECTOR>_<n>` for the n-th
//!   (n ≥ 2), e.g. `ADO_PAT_BOARDS`, `ADO_PAT_BOARDS_2`; kept in the keyring by `handoff`;
//! - the product's API token: `ADO_CONNECT_PRODUCT_TOKEN`, kept in the keyring (later runs
//!   find it there);
//! - a webhook secret the product gives: the variable named by `hooks apply --secret-env`,
//!   else `ADO_HOOK_SECRET`.
//!
//! Exit codes as everywhere: 0 success, 1 refused or failed (the JSON says why), 2 bad input.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ado_flows::connect::saved_or_verified;
use ado_flows::hooks::HookRecords;
use ado_flows::interface::{
    AdoClient, CheckCode, ConnectionTarget, Credential, ProductProfile, Reveal, SignInMethod,
    Status,
};
use ado_flows::preflight::PreflightRequest;
use ado_flows::product::delivery::Consent;
use ado_flows::product::gate::{clear_saved, Clear, ConnectorPat, SavedCheck};
use ado_flows::product::handoff::{Handoff, HandoffChoice};
use ado_flows::product::post::PostOptions;
use ado_flows::product::saved::{deliver, rules_for_target, script_of, Delivered};
use ado_flows::product::{
    apply_product_hooks, check_product, credentials_to_check, load_profile, plan_product_hooks,
    LoadError, ProductCheckRequest, ProductCredential, ProductHooksRequest,
};
use ado_flows::Connections;
use clap::Args;
use secrecy::SecretString;
use serde_json::json;

use crate::terminal::plain;
use crate::{fail, input_problem, now_unix, read_pat};

/// Reads a profile; a broken one prints every error with its line and field, and exits 2.
pub(crate) fn load(path: &Path) -> Result<ProductProfile, ExitCode> {
    match load_profile(path) {
        Ok(loaded) => Ok(loaded.profile),
        Err(LoadError::Invalid { path, errors }) => {
            println!(
                "{}",
                json!({ "ok": false, "error": { "code": "invalid_profile", "path": path, "errors": errors } })
            );
            for e in &errors {
                eprintln!(
                    "error[invalid_profile]: {path}:{}:{}: {}: {}",
                    e.line, e.column, e.field, e.message
                );
            }
            Err(ExitCode::from(2))
        }
        Err(e @ LoadError::Io { .. }) => Err(fail(
            input_problem(
                None,
                e.to_string(),
                "Give the path of a product profile (.toml).",
            ),
            2,
        )),
    }
}

fn env_secret(name: &str) -> Option<SecretString> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .map(SecretString::from)
}

/// The connectors' own PATs from the environment, with the expiry date given.
pub(crate) fn given_pats(profile: &ProductProfile, expires_on: Option<&str>) -> Vec<ConnectorPat> {
    connector_pats(profile)
        .into_iter()
        .map(|(connector, index, pat)| ConnectorPat {
            connector,
            index,
            pat,
            expires_on: expires_on.map(str::to_string),
        })
        .collect()
}

/// Refuses, before anything is sent, what the product cannot use on this target (a Server for a
/// Services-only product, a collection under a virtual directory, a sign-in it does not take, a
/// PAT expiry date in the past); a saved connection is judged by how it was saved.
pub(crate) fn refuse_early(
    profile: &ProductProfile,
    target: &ConnectionTarget,
    expires_on: Option<&str>,
) -> Result<(), ExitCode> {
    let connections = crate::connections().map_err(|e| fail(e, 1))?;
    let rules =
        rules_for_target(profile, &connections, target, expires_on).map_err(|p| fail(&p, 1))?;
    match rules.restrictions.iter().find(|r| r.status == Status::Fail) {
        Some(refused) => Err(fail(refused.to_problem(), 1)),
        None => Ok(()),
    }
}

/// `ADO_PAT_BOARDS`, `ADO_PAT_BOARDS_2`, …: the connectors' own PATs.
fn connector_pats(profile: &ProductProfile) -> Vec<(String, usize, SecretString)> {
    let mut out = Vec::new();
    for c in &profile.connectors {
        let var = format!("ADO_PAT_{}", c.id.to_ascii_uppercase().replace('-', "_"));
        for index in 0..16 {
            let name = if index == 0 {
                var.clone()
            } else {
                format!("{var}_{}", index + 1)
            };
            match env_secret(&name) {
                Some(pat) => out.push((c.id.clone(), index, pat)),
                None => break,
            }
        }
    }
    out
}

fn method_of(credential: &Credential) -> SignInMethod {
    match credential {
        Credential::Bearer(_) => SignInMethod::Browser,
        _ => SignInMethod::Pat,
    }
}

/// `check --profile`: the product's restrictions and exactly its access, per connector.
pub(crate) async fn check(
    path: &Path,
    request: PreflightRequest,
    pat_expires: Option<String>,
    json_out: bool,
) -> ExitCode {
    let profile = match load(path) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let product = profile.product.name.clone();
    let main = ProductCredential {
        connector: profile.connectors[0].id.clone(),
        index: 0,
        method: method_of(&request.credential),
        credential: request.credential.clone(),
        expires_on: pat_expires.clone(),
    };
    let own = connector_pats(&profile)
        .into_iter()
        .map(|(connector, index, pat)| ProductCredential {
            connector,
            index,
            credential: Credential::Pat(pat),
            method: SignInMethod::Pat,
            expires_on: pat_expires.clone(),
        })
        .collect();
    let (credentials, hooks_credential) = credentials_to_check(&profile, main, own);
    let product_request = ProductCheckRequest {
        profile,
        target: request.target,
        consent_to_http: request.options.allow_http,
        options: request.options,
        project: request.project,
        repository: request.repository,
        credentials,
        hooks_credential,
    };
    let report = check_product(&product_request, &|event| {
        if json_out {
            return;
        }
        match event {
            ado_flows::product::ProductEvent::Restriction(r) => {
                line(r.status, &r.title, r.code, &r.message, &r.fix, None)
            }
            ado_flows::product::ProductEvent::Check {
                connector,
                index,
                check,
            } => line(
                check.status,
                &format!(
                    "[{connector}#{index}] {}{}",
                    check.title,
                    check
                        .product_code
                        .as_deref()
                        .map(|c| format!(" ({} code: {c})", product))
                        .unwrap_or_default()
                ),
                check.code,
                &check.message,
                &check.fix,
                check.curl.as_deref(),
            ),
        }
    })
    .await;
    if json_out {
        println!("{}", crate::terminal::json(&report));
    }
    if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn line(
    status: Status,
    title: &str,
    code: Option<CheckCode>,
    message: &str,
    fix: &str,
    curl: Option<&str>,
) {
    let mark = match status {
        Status::Pass => "pass",
        Status::Warn => "WARN",
        Status::Fail => "FAIL",
        Status::Skip => "skip",
    };
    let code = code.map(|c| format!(" [{c}]")).unwrap_or_default();
    // Titles and messages quote the profile and the servers: no control character reaches the
    // terminal.
    let (title, message, fix) = (plain(title), plain(message), plain(fix));
    println!("{mark}  {title}{code}: {message}");
    if matches!(status, Status::Fail | Status::Warn) {
        println!("      fix: {fix}");
        if let Some(curl) = curl {
            println!("      reproduce: {curl}");
        }
    }
}

fn placeholders(set: &[String]) -> Result<BTreeMap<String, String>, ExitCode> {
    let mut out = BTreeMap::new();
    for pair in set {
        let Some((k, v)) = pair.split_once('=') else {
            return Err(fail(
                input_problem(
                    None,
                    format!("--set {pair:?} is not NAME=VALUE"),
                    "Write e.g. --set dx_url=https://acme.getdx.net",
                ),
                2,
            ));
        };
        out.insert(k.trim().to_string(), v.trim().to_string());
    }
    Ok(out)
}

/// What `hooks plan|apply --profile` was given.
pub(crate) struct ProfileHooks<'a> {
    /// `--pat-expires`: the date of connector PATs given in the environment.
    pub pat_expires: Option<&'a str>,
    /// `--set NAME=VALUE`.
    pub set: &'a [String],
    /// `--project`: only this one.
    pub project: Option<String>,
    /// `--secret-env`: the variable holding the product's secret.
    pub secret_env: Option<&'a str>,
    /// Apply, or only plan.
    pub apply: bool,
    /// `--json`.
    pub json: bool,
}

/// Loads the profile and refuses what it cannot use before anything is sent (`hooks`, before
/// the session is opened).
pub(crate) fn load_for(
    path: &Path,
    target: &ConnectionTarget,
    expires_on: Option<&str>,
) -> Result<ProductProfile, ExitCode> {
    let profile = load(path)?;
    refuse_early(&profile, target, expires_on)?;
    Ok(profile)
}

/// `hooks plan|apply --profile`: exactly the product's webhooks, once the connection passed the
/// product's checks (the gate).
pub(crate) async fn hooks(
    connections: &Connections,
    id: &ado_flows::ProfileId,
    client: &AdoClient,
    records: &HookRecords,
    profile: ProductProfile,
    given: ProfileHooks<'_>,
) -> ExitCode {
    let ProfileHooks {
        pat_expires,
        set,
        project,
        secret_env,
        apply,
        json: json_out,
        ..
    } = given;
    let placeholders = match placeholders(set) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let settings = match ado_flows::signin::settings() {
        Ok(s) => s,
        Err(e) => return fail(e, 2),
    };
    let pats = given_pats(&profile, pat_expires);
    let cleared = match clear_saved(
        connections,
        &settings,
        SavedCheck {
            profile,
            connection_id: id.clone(),
            project: project.clone(),
            repository: None,
            pats,
        },
        Clear::IfStale,
        crate::now_unix(),
        &|_| {},
    )
    .await
    .and_then(|o| o.cleared())
    {
        Ok(c) => c,
        Err(problem) => return fail(&problem, 1),
    };
    let request = ProductHooksRequest {
        placeholders,
        projects: project.into_iter().collect(),
        repositories: Vec::new(),
        secret: env_secret(secret_env.unwrap_or("ADO_HOOK_SECRET")),
    };
    let value = if apply {
        match apply_product_hooks(&cleared, client, records, &request, &|_| {}).await {
            Ok(report) => {
                if !json_out {
                    for run in &report.runs {
                        let r = &run.report;
                        println!(
                            "{}: {} created, {} adopted, {} updated, {} unchanged, {} failed",
                            run.project,
                            r.created.len(),
                            r.adopted.len(),
                            r.updated.len(),
                            r.unchanged.len(),
                            r.failed.len()
                        );
                    }
                }
                let ok = report.ok;
                (
                    ok,
                    serde_json::to_value(&report).expect("reports serialize"),
                )
            }
            Err(problem) => return fail(&problem, 1),
        }
    } else {
        match plan_product_hooks(&cleared, client, records, &request).await {
            Ok(plan) => {
                if !json_out {
                    for p in &plan.plans {
                        println!("{}: {}", p.project.name, p.plan.summary());
                    }
                }
                (true, serde_json::to_value(&plan).expect("plans serialize"))
            }
            Err(problem) => return fail(&problem, 1),
        }
    };
    if json_out {
        let mut v = value.1;
        v["ok"] = json!(value.0);
        println!("{}", crate::terminal::json(&v));
    }
    if value.0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

#[derive(Args)]
pub struct HandoffArgs {
    /// The product profile (.toml).
    #[arg(long)]
    profile: PathBuf,
    /// Where to connect and how (target, trusted CA, proxy, plain-http consent).
    #[command(flatten)]
    connection: crate::args::ConnectionArgs,
    /// The project the product gets (Datafold's "Project").
    #[arg(long)]
    project: Option<String>,
    /// The repository the product gets.
    #[arg(long)]
    repository: Option<String>,
    /// Server: its public URL, when the product must use another address than the one the
    /// checks found.
    #[arg(long)]
    public_url: Option<String>,
    /// A value the profile asks for, NAME=VALUE (e.g. dx_url=https://acme.getdx.net).
    #[arg(long = "set")]
    set: Vec<String>,
    /// The expiry date (YYYY-MM-DD) of the PATs given, for products that require one.
    #[arg(long)]
    pat_expires: Option<String>,
    /// Print the fields as JSON (secret values only with --show-secrets).
    #[arg(long)]
    json: bool,
    /// Include secret values in what is printed.
    #[arg(long)]
    show_secrets: bool,
    /// Write the export file (JSON, profiles/handoff.schema.json) here.
    #[arg(long)]
    export: Option<PathBuf>,
    /// Put the secrets into the export file too (it is then readable by you only).
    #[arg(long, requires = "export")]
    include_secrets: bool,
    /// Write the script that recreates the webhook subscriptions (curl) here.
    #[arg(long)]
    script: Option<PathBuf>,
    /// Deliver to the product's API (token from ADO_CONNECT_PRODUCT_TOKEN or the keyring).
    #[arg(long)]
    post: bool,
    /// A PEM CA to trust for the product's API (e.g. a company proxy's), besides the system's.
    #[arg(long)]
    product_ca_file: Option<PathBuf>,
    /// With --post: the host you checked and accept to receive the hand-off (the first delivery
    /// to a host is refused, with what it would carry, until you name it here).
    #[arg(long, requires = "post", value_name = "HOST")]
    confirm_delivery_to: Option<String>,
    /// With --post: allow a destination on this machine, a private network or a link-local
    /// address for this delivery (a test double, an on-premises product).
    #[arg(long, requires = "post")]
    allow_local_destination: bool,
}

fn read_file(flag: &str, path: &Option<PathBuf>) -> Result<Option<String>, ExitCode> {
    path.as_ref()
        .map(|p| {
            std::fs::read_to_string(p).map_err(|e| {
                fail(
                    input_problem(
                        None,
                        format!("cannot read {flag} {}: {e}", p.display()),
                        "Give a readable PEM file.",
                    ),
                    2,
                )
            })
        })
        .transpose()
}

/// `ado-connect-cli handoff`.
pub async fn run(args: HandoffArgs) -> ExitCode {
    match handoff(args).await {
        Ok(code) | Err(code) => code,
    }
}

async fn handoff(args: HandoffArgs) -> Result<ExitCode, ExitCode> {
    let profile = load(&args.profile)?;
    let target = args.connection.target().map_err(|p| fail(&p, 2))?;
    refuse_early(&profile, &target, args.pat_expires.as_deref())?;
    let options = args.connection.options().map_err(|p| fail(&p, 2))?;
    let product_ca = read_file("--product-ca-file", &args.product_ca_file)?;
    let placeholders = placeholders(&args.set)?;
    let connections = crate::connections().map_err(|e| fail(e, 1))?;
    let settings = ado_flows::signin::settings().map_err(|e| fail(e, 2))?;
    // First use: verify and save the connection, as the app's Verify does.
    let expires = args.pat_expires.clone();
    let (saved, now) = saved_or_verified(
        &connections,
        &target,
        &options,
        expires,
        read_pat,
        now_unix(),
    )
    .await
    .map_err(|e| fail(&e, crate::exit_code(&e)))?;
    let id = saved.id;
    if now {
        let store = connections.secret_backend().description();
        eprintln!("saved connection profile {id} (secrets in {store})");
    }
    // The gate: the product's checks for these credentials (connector PATs from the environment
    // are kept only if they pass), or a pass recorded within a day.
    let pats = given_pats(&profile, args.pat_expires.as_deref());
    let check = SavedCheck {
        profile: profile.clone(),
        connection_id: id.clone(),
        project: args.project.clone(),
        repository: args.repository.clone(),
        pats,
    };
    let when = if check.pats.is_empty() {
        Clear::IfStale
    } else {
        Clear::Always
    };
    let cleared = clear_saved(
        &connections,
        &settings,
        check,
        when,
        crate::now_unix(),
        &|_| {},
    )
    .await
    .and_then(|o| o.cleared())
    .map_err(|p| fail(&p, 1))?;
    let choice = HandoffChoice {
        project: args.project.clone(),
        repository: args.repository.clone(),
        server_public_url: args.public_url.clone(),
        placeholders,
    };
    // The hand-off of what the gate just cleared (not a second pass through it).
    let handoff = Handoff::from_cleared(&connections, &cleared, choice).map_err(|p| fail(&p, 1))?;
    handoff.require_complete().map_err(|p| fail(&p, 2))?;

    let mut out = json!({ "ok": true });
    let panel = handoff.panel(if args.show_secrets {
        &Reveal::All
    } else {
        &Reveal::Nothing
    });
    if !args.json {
        println!("{}", crate::terminal::plain(&panel.title));
        for f in &panel.fields {
            let value = match (&f.value, f.secret) {
                (Some(v), _) => crate::terminal::plain(v),
                (None, true) => "(secret: --show-secrets to print)".into(),
                (None, false) => "(not needed here)".into(),
            };
            println!("  {}: {value}", crate::terminal::plain(&f.label));
        }
        for (i, step) in panel.guides.iter().enumerate() {
            println!("  {}. {}", i + 1, crate::terminal::plain(step));
        }
    }
    out["handoff"] = serde_json::to_value(&panel).expect("panels serialize");
    if let Some(path) = &args.export {
        let doc = handoff
            .export_to(path, args.include_secrets, crate::now_unix())
            .map_err(|p| fail(&p, 2))?;
        if let Some(w) = &doc.warning {
            eprintln!("warning: {}", crate::terminal::plain(w));
        }
        out["export"] = json!(path.display().to_string());
    }
    if let Some(path) = &args.script {
        let (text, subscriptions) = script_of(&connections, &handoff).map_err(|p| fail(&p, 1))?;
        ado_flows::product::handoff::write_private(path, text.as_bytes())
            .map_err(|p| fail(&p, 2))?;
        out["script"] = json!(path.display().to_string());
        out["subscriptions"] = json!(subscriptions);
    }
    if args.post {
        let options = PostOptions {
            trusted_ca_pem: product_ca,
            ..Default::default()
        };
        let consent = Consent {
            host: args.confirm_delivery_to.clone(),
            allow_local: args.allow_local_destination,
        };
        let token = env_secret("ADO_CONNECT_PRODUCT_TOKEN");
        let delivered = deliver(&connections, &handoff, token, &consent, &options)
            .await
            .map_err(|p| fail(&p, 1))?;
        let report = match delivered {
            Delivered::NeedsConsent { preview, problem } => {
                if !args.json {
                    eprintln!(
                        "would send {} request(s) to {}",
                        preview.requests,
                        crate::terminal::plain(&preview.url)
                    );
                    eprintln!(
                        "  host {} ({})",
                        crate::terminal::plain(&preview.host),
                        preview.addresses.join(", ")
                    );
                    for c in &preview.carries {
                        eprintln!("  carrying: {}", crate::terminal::plain(c));
                    }
                }
                out["ok"] = json!(false);
                out["delivery"] = json!({ "preview": preview });
                if args.json {
                    out["error"] = json!(problem);
                    println!("{}", crate::terminal::json(&out));
                    return Ok(ExitCode::from(1));
                }
                return Err(fail(&problem, 1));
            }
            Delivered::Sent { preview, report } => {
                out["delivery"] = json!({ "preview": preview });
                report
            }
        };
        if !args.json {
            for d in &report.delivered {
                println!(
                    "delivered {} to {} (HTTP {}, {} attempt(s))",
                    d.what,
                    crate::terminal::plain(&report.url),
                    d.status,
                    d.attempts
                );
            }
            if let Some(f) = &report.failed {
                eprintln!(
                    "error[{}]: {} {}",
                    f.problem.code,
                    crate::terminal::plain(&f.problem.message),
                    crate::terminal::plain(&f.problem.fix)
                );
                if let Some(answer) = &f.answer {
                    eprintln!("  the product answered: {}", crate::terminal::plain(answer));
                }
            }
        }
        out["ok"] = json!(report.ok);
        out["post"] = serde_json::to_value(&report).expect("reports serialize");
    }
    if args.json {
        println!("{}", crate::terminal::json(&out));
    }
    Ok(if out["ok"] == json!(true) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
