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

use ado_flows::hooks::HookRecords;
use ado_flows::interface::{
    AdoClient, CheckCode, Credential, Problem, ProductProfile, Reveal, SignInMethod, Status,
};
use ado_flows::preflight::PreflightRequest;
use ado_flows::product::handoff::{
    post_handoff, product_token, recorded_specs, store_connector_pat, store_product_token, Handoff,
    HandoffChoice, PostOptions,
};
use ado_flows::product::{
    apply_product_hooks, check_product, credentials_to_check, load_profile, plan_product_hooks,
    LoadError, ProductCheckRequest, ProductCredential, ProductHooksRequest,
};
use ado_flows::profiles::profile_id;
use ado_flows::{Connections, SecretStore};
use clap::Args;
use secrecy::SecretString;
use serde_json::json;

use crate::{fail, input_problem, read_pat};

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
            &input_problem(
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
                &format!("[{connector}#{index}] {}", check.title),
                check.code,
                &check.message,
                &check.fix,
                check.curl.as_deref(),
            ),
        }
    })
    .await;
    if json_out {
        println!(
            "{}",
            serde_json::to_string(&report).expect("the report serializes")
        );
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
                &input_problem(
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
    /// The profile file.
    pub path: &'a Path,
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

/// `hooks plan|apply --profile`: exactly the product's webhooks.
pub(crate) async fn hooks(
    client: &AdoClient,
    records: &HookRecords,
    given: ProfileHooks<'_>,
) -> ExitCode {
    let ProfileHooks {
        path,
        set,
        project,
        secret_env,
        apply,
        json: json_out,
    } = given;
    let profile = match load(path) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let placeholders = match placeholders(set) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let request = ProductHooksRequest {
        profile,
        placeholders,
        projects: project.into_iter().collect(),
        repositories: Vec::new(),
        secret: env_secret(secret_env.unwrap_or("ADO_HOOK_SECRET")),
    };
    let value = if apply {
        match apply_product_hooks(client, records, &request, &|_| {}).await {
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
        match plan_product_hooks(client, records, &request).await {
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
        println!("{v}");
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
    /// Server: its public URL, when the product must use another address than --server-url
    /// (`check --profile` reports it as `publicUrl`).
    #[arg(long)]
    public_url: Option<String>,
    /// A value the profile asks for, NAME=VALUE (e.g. dx_url=https://acme.getdx.net).
    #[arg(long = "set")]
    set: Vec<String>,
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
}

fn read_file(flag: &str, path: &Option<PathBuf>) -> Result<Option<String>, ExitCode> {
    path.as_ref()
        .map(|p| {
            std::fs::read_to_string(p).map_err(|e| {
                fail(
                    &input_problem(
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

fn store_problem(e: impl std::fmt::Display) -> Problem {
    input_problem(
        None,
        e.to_string(),
        "Start a Secret Service (e.g. gnome-keyring) and unlock it.",
    )
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
    let options = args.connection.options().map_err(|p| fail(&p, 2))?;
    let product_ca = read_file("--product-ca-file", &args.product_ca_file)?;
    let placeholders = placeholders(&args.set)?;
    let store = SecretStore::detect().map_err(|e| fail(&store_problem(e), 1))?;
    let connections = Connections::new(Connections::default_dir(), store);
    let id = profile_id(&target);
    let known = connections
        .list()
        .map_err(|e| fail(&store_problem(e), 1))?
        .iter()
        .any(|p| p.id == id);
    if !known {
        // First use: verify and save the connection, as the app's Verify does.
        let pat = read_pat().map_err(|p| fail(&p, 2))?;
        ado_flows::verify_and_save_pat(
            &connections,
            &target,
            &pat,
            None,
            &options,
            crate::now_unix(),
        )
        .await
        .map_err(|e| match e {
            ado_flows::ConnectError::Problem(p) => fail(&p, 1),
            other => fail(&store_problem(other), 1),
        })?;
        eprintln!(
            "saved connection profile {id} (secrets in {})",
            connections.secret_backend().description()
        );
    }
    for (connector, index, pat) in connector_pats(&profile) {
        store_connector_pat(
            &connections,
            &id,
            &profile.product.id,
            &connector,
            index,
            &pat,
        )
        .map_err(|p| fail(&p, 1))?;
    }
    if let Some(token) = env_secret("ADO_CONNECT_PRODUCT_TOKEN") {
        store_product_token(&connections, &id, &profile.product.id, &token)
            .map_err(|p| fail(&p, 1))?;
    }
    let product_id = profile.product.id.clone();
    let choice = HandoffChoice {
        project: args.project.clone(),
        repository: args.repository.clone(),
        repository_url: None,
        server_public_url: args.public_url.clone(),
        placeholders,
    };
    let handoff =
        Handoff::from_connection(&connections, &id, profile, choice).map_err(|p| fail(&p, 1))?;

    let mut out = json!({ "ok": true });
    let panel = handoff.panel(if args.show_secrets {
        &Reveal::All
    } else {
        &Reveal::Nothing
    });
    if !args.json {
        println!("{}", panel.title);
        for f in &panel.fields {
            let value = match (&f.value, f.secret) {
                (Some(v), _) => v.clone(),
                (None, true) => "(secret: --show-secrets to print)".into(),
                (None, false) => "(not known: pass it, e.g. --project)".into(),
            };
            println!("  {}: {value}", f.label);
        }
    }
    out["handoff"] = serde_json::to_value(&panel).expect("panels serialize");
    if let Some(path) = &args.export {
        let doc = handoff
            .export_to(path, args.include_secrets, crate::now_unix())
            .map_err(|e| {
                fail(
                    &input_problem(
                        None,
                        format!("cannot write {}: {e}", path.display()),
                        "Choose a writable path.",
                    ),
                    2,
                )
            })?;
        if let Some(w) = &doc.warning {
            eprintln!("warning: {w}");
        }
        out["export"] = json!(path.display().to_string());
    }
    if let Some(path) = &args.script {
        let specs = recorded_specs(&connections, &id).map_err(|p| fail(&p, 1))?;
        std::fs::write(path, handoff.reproduction_script(&specs)).map_err(|e| {
            fail(
                &input_problem(
                    None,
                    format!("cannot write {}: {e}", path.display()),
                    "Choose a writable path.",
                ),
                2,
            )
        })?;
        out["script"] = json!(path.display().to_string());
        out["subscriptions"] = json!(specs.len());
    }
    if args.post {
        let token = product_token(&connections, &id, &product_id).map_err(|p| fail(&p, 1))?.ok_or_else(|| {
            fail(&input_problem(None, "No product API token: set ADO_CONNECT_PRODUCT_TOKEN (it is then kept in the keyring).".into(), "Create an API token in the product and export it."), 2)
        })?;
        let options = PostOptions {
            trusted_ca_pem: product_ca,
            ..Default::default()
        };
        let report = post_handoff(&handoff, &token, &options)
            .await
            .map_err(|p| fail(&p, 1))?;
        if !args.json {
            for d in &report.delivered {
                println!(
                    "delivered {} to {} (HTTP {}, {} attempt(s))",
                    d.what, report.url, d.status, d.attempts
                );
            }
            if let Some(f) = &report.failed {
                eprintln!(
                    "error[{}]: {} {}",
                    f.problem.code, f.problem.message, f.problem.fix
                );
                if let Some(answer) = &f.answer {
                    eprintln!("  the product answered: {answer}");
                }
            }
        }
        out["ok"] = json!(report.ok);
        out["post"] = serde_json::to_value(&report).expect("reports serialize");
    }
    if args.json {
        println!("{out}");
    }
    Ok(if out["ok"] == json!(true) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
