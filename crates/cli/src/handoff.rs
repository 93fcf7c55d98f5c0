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

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ado_flows::app::{
    connector_pats, placeholders, App, HandoffRequest, PostRequest, ProductConnection,
};
use ado_flows::preflight::PreflightRequest;
use ado_flows::product::delivery::Consent;
use ado_flows::product::gate::ConnectorPat;
use ado_flows::product::{load_profile, ProductEvent};
use clap::Args;
use secrecy::SecretString;

use crate::{bad_input, input_problem, print_saved, PatOnDemand};

mod output;

/// The app with the profile at `path` open (none: without a product). A broken profile prints
/// every mistake with its line and field, and exits 2.
pub(crate) fn open_product(path: Option<&Path>) -> Result<App, ExitCode> {
    match path.map(load_profile) {
        None => Ok(App::new(None)),
        Some(Ok(loaded)) => Ok(App::new(Some(Ok(loaded)))),
        Some(Err(e)) => Err(output::profile_refused(e)),
    }
}

/// A secret from the environment (blank is absent).
pub(crate) fn env_secret(name: &str) -> Option<SecretString> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .map(SecretString::from)
}

/// The connectors' own PATs given in the environment, dated `expires_on`.
pub(crate) fn given_pats(app: &App, expires_on: Option<&str>) -> Vec<ConnectorPat> {
    app.product()
        .map(|p| connector_pats(&p, expires_on, env_secret))
        .unwrap_or_default()
}

/// `check --profile`: the product's restrictions and exactly its access, per connector.
pub(crate) async fn check(
    app: &App,
    request: PreflightRequest,
    pat_expires: Option<String>,
    json: bool,
) -> ExitCode {
    let pats = given_pats(app, pat_expires.as_deref());
    let product = app.product().map(|p| p.product.name).unwrap_or_default();
    let on_event = |e: &ProductEvent<'_>| output::event(e, &product, json);
    let report = app.check_product_before_saving(request, pats, pat_expires, &on_event);
    crate::finish(report.await, |r| output::product_report(&r, json))
}

/// What `hooks plan|apply --profile` was given.
pub(crate) struct ProfileHooks<'a> {
    /// The flags that name the connection.
    pub connection: &'a crate::args::ConnectionArgs,
    /// `--pat-expires`: the date of the PATs given.
    pub pat_expires: Option<String>,
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

/// `hooks plan|apply --profile`: exactly the product's webhooks, once the connection passed the
/// product's checks (the gate).
pub(crate) async fn hooks(path: &Path, given: ProfileHooks<'_>) -> ExitCode {
    let app = or_exit!(open_product(Some(path)));
    let connection = or_exit!(given.connection(&app).map_err(bad_input));
    let secret = env_secret(given.secret_env.unwrap_or("ADO_HOOK_SECRET"));
    let pat = PatOnDemand::default();
    let done =
        app.product_hooks_for_target(connection, secret, given.apply, || pat.read(), print_saved);
    match done.await {
        Ok(done) => output::product_hooks(&done, given.json),
        Err(e) => pat.fail(e, 1),
    }
}

impl ProfileHooks<'_> {
    fn connection(&self, app: &App) -> Result<ProductConnection, ado_flows::Error> {
        Ok(ProductConnection {
            target: self.connection.target()?,
            options: self.connection.options()?,
            pats: given_pats(app, self.pat_expires.as_deref()),
            pat_expires: self.pat_expires.clone(),
            project: self.project.clone(),
            repository: None,
            placeholders: placeholders(self.set)?,
        })
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

/// `ado-connect-cli handoff`.
pub async fn run(args: HandoffArgs) -> ExitCode {
    let app = or_exit!(open_product(Some(&args.profile)));
    let request = or_exit!(args.request(&app).map_err(bad_input));
    let pat = PatOnDemand::default();
    match app.hand_off(request, || pat.read(), print_saved).await {
        Ok(done) => output::handed_off(&done, args.json),
        Err(e) => pat.fail(e, 1),
    }
}

impl HandoffArgs {
    /// The flags, the files they name and the secrets from the environment, read and parsed.
    fn request(&self, app: &App) -> Result<HandoffRequest, ado_flows::Error> {
        let connection = ProductConnection {
            target: self.connection.target()?,
            options: self.connection.options()?,
            pat_expires: self.pat_expires.clone(),
            project: self.project.clone(),
            repository: self.repository.clone(),
            pats: given_pats(app, self.pat_expires.as_deref()),
            placeholders: placeholders(&self.set)?,
        };
        let trusted_ca_pem = read_file("--product-ca-file", &self.product_ca_file)?;
        let post = match self.post {
            false => None,
            true => Some(PostRequest {
                token: env_secret("ADO_CONNECT_PRODUCT_TOKEN"),
                trusted_ca_pem,
                consent: Consent {
                    host: self.confirm_delivery_to.clone(),
                    allow_local: self.allow_local_destination,
                },
            }),
        };
        Ok(HandoffRequest {
            connection,
            public_url: self.public_url.clone(),
            show_secrets: self.show_secrets,
            export: self.export.clone().map(|p| (p, self.include_secrets)),
            script: self.script.clone(),
            post,
        })
    }
}

fn read_file(flag: &str, path: &Option<PathBuf>) -> Result<Option<String>, ado_flows::Error> {
    path.as_ref()
        .map(|p| {
            std::fs::read_to_string(p).map_err(|e| {
                input_problem(
                    None,
                    format!("cannot read {flag} {}: {e}", p.display()),
                    "Give a readable PEM file.",
                )
                .into()
            })
        })
        .transpose()
}
