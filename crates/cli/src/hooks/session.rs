//! The connection a hooks command works on: the saved connection the flags name (verified and
//! saved on first use, as the app's Verify does), opened by the action the one way every shell
//! opens it (the profile's proxy, CA and plain-http consent, the secret from the keyring).

use ado_flows::app::App;
use ado_flows::ProfileId;

use super::TargetArgs;
use crate::read_pat;

/// The saved connection the flags name. With `save`, a connection without a saved profile is
/// verified and saved first (the PAT from `ADO_PAT` or stdin into the keyring, the flags'
/// options into the profile): that is where subscriptions are recorded.
pub(super) async fn connection(
    app: &App,
    args: &TargetArgs,
    save: bool,
) -> Result<ProfileId, ado_flows::Error> {
    let target = args.connection.target()?;
    let options = args.connection.options()?;
    if !save {
        return app.saved_connection(&target);
    }
    let saved = app
        .connection_for(&target, &options, None, read_pat)
        .await?;
    crate::print_saved(&saved);
    Ok(saved.id)
}
