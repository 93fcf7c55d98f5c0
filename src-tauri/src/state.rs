//! What the app holds while it runs: the flows' [`App`] (the actions and what they keep between
//! them), opened with the product profile named at start; and the one thing only a shell can do
//! for them, opening the system browser.

use ado_flows::app::App;
use tauri::AppHandle;
use tauri_plugin_opener::OpenerExt as _;

/// The app's state: the actions, with the product profile named on the command line, in the
/// environment or next to the executable (see [`crate::product::from_process`]).
pub fn app() -> App {
    App::new(crate::product::from_process())
}

/// Opens `url` in the system browser; not when `ADO_CONNECT_NO_BROWSER` is set (the tests, which
/// open the address themselves), and a browser that fails to start only logs: the page shows the
/// link too.
pub fn open_in_browser(app: &AppHandle, url: &str) {
    if std::env::var_os("ADO_CONNECT_NO_BROWSER").is_some() {
        return;
    }
    if let Err(e) = app.opener().open_url(url, None::<&str>) {
        tracing::warn!(error = %e, "could not open the system browser; the link is shown instead");
    }
}
