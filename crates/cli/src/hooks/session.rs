//! The session of a hooks command: the saved connection (verified and saved on first use), its
//! client and its hook records.

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use ado_client::{AdoClient, Credential};
use ado_core::checks::Problem;
use ado_core::target::{ConnectionTarget, Deployment, TargetInput};
use ado_flows::hooks::HookRecords;
use ado_flows::profiles::profile_id;
use ado_flows::verify::client_for;
use ado_flows::{verify_connection, ConnectOptions, Connections, SecretStore};

use super::TargetArgs;
use crate::{fail, input_problem, read_pat};

/// What every subcommand needs: the client, the records, and how to print.
pub(super) struct Session {
    pub(super) client: AdoClient,
    pub(super) records: HookRecords,
    pub(super) json: bool,
}

pub(super) fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

pub(super) fn target_of(args: &TargetArgs) -> Result<ConnectionTarget, ExitCode> {
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
pub(super) async fn session(args: &TargetArgs, save: bool) -> Result<Session, ExitCode> {
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
