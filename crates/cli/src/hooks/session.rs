//! The session of a hooks command: the saved connection (verified and saved on first use, as the
//! app's Verify does), opened the one way every shell opens it (`ado_flows::hooks::open_session`:
//! the profile's proxy, CA and plain-http consent, the secret from the keyring).

use std::process::ExitCode;

use ado_flows::hooks::{self, HookRecords};
use ado_flows::interface::{AdoClient, CheckCode, Problem};
use ado_flows::profiles::profile_id;
use ado_flows::{signin, Connections, SecretStore};

use super::TargetArgs;
use crate::{fail, input_problem, now_unix, read_pat};

/// What every subcommand needs: the client, the records, and how to print.
pub(super) struct Session {
    pub(super) client: AdoClient,
    pub(super) records: HookRecords,
    pub(super) json: bool,
    /// The connection store and the saved connection's id (the product gate needs them).
    pub(super) connections: Connections,
    pub(super) id: ado_flows::ProfileId,
}

/// Builds the session. With `save`, a connection without a saved profile is verified and saved
/// first (the PAT from `ADO_PAT` or stdin into the keyring, the flags' options into the profile):
/// that is where subscriptions are recorded. A saved connection is opened as saved.
pub(super) async fn session(args: &TargetArgs, save: bool) -> Result<Session, ExitCode> {
    let target = args.connection.target().map_err(|p| fail(&p, 2))?;
    let options = args.connection.options().map_err(|p| fail(&p, 2))?;
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
                &Problem::new(
                    CheckCode::NotFound,
                    None,
                    format!("No saved connection {id}: this tool has recorded no webhooks for it."),
                    "Run `ado-connect-cli hooks apply` first.",
                ),
                1,
            ));
        }
        let pat = read_pat().map_err(|p| fail(&p, 2))?;
        ado_flows::verify_and_save_pat(&connections, &target, &pat, None, &options, now_unix())
            .await
            .map_err(|e| match e {
                ado_flows::ConnectError::Problem(p) => fail(&p, 1),
                other => fail(
                    &input_problem(
                        None,
                        other.to_string(),
                        "Check the keyring and the config directory.",
                    ),
                    1,
                ),
            })?;
        eprintln!(
            "saved connection profile {id} (secrets in {})",
            connections.secret_backend().description()
        );
    }
    let settings = signin::settings().map_err(|e| {
        fail(
            &input_problem(
                None,
                e.to_string(),
                "Check ADO_CONNECT_AUTHORITY and ADO_CONNECT_CLIENT_ID.",
            ),
            2,
        )
    })?;
    let hooks::Session { client, records } = hooks::open_session(&connections, &id, &settings)
        .await
        .map_err(|p| fail(&p, 1))?;
    Ok(Session {
        client,
        records,
        json: args.json,
        connections,
        id,
    })
}
