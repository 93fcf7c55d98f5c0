//! The session of a hooks command: the saved connection (verified and saved on first use, as the
//! app's Verify does), opened the one way every shell opens it (`ado_flows::hooks::open_session`:
//! the profile's proxy, CA and plain-http consent, the secret from the keyring).

use std::process::ExitCode;

use ado_flows::connect::saved_or_verified;
use ado_flows::hooks::{self, HookRecords};
use ado_flows::interface::AdoClient;
use ado_flows::profiles::profile_id;
use ado_flows::{signin, Connections};

use super::TargetArgs;
use crate::{fail, now_unix, read_pat};

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
    let connections = crate::connections().map_err(|e| fail(e, 1))?;
    let id = if save {
        let (saved, now) =
            saved_or_verified(&connections, &target, &options, None, read_pat, now_unix())
                .await
                .map_err(|e| fail(&e, crate::exit_code(&e)))?;
        if now {
            let store = connections.secret_backend().description();
            eprintln!("saved connection profile {} (secrets in {store})", saved.id);
        }
        saved.id
    } else {
        connections
            .saved(&profile_id(&target))
            .map_err(|e| fail(e, 1))?
            .id
    };
    let settings = signin::settings().map_err(|e| fail(e, 2))?;
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
