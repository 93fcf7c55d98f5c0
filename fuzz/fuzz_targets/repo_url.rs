//! The URL a user pastes: `ado_core::repo_url::RepoUrl::parse` and every accessor of what it
//! returns must answer any string without panicking.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    if let Ok(url) = ado_core::repo_url::RepoUrl::parse(input) {
        let _ = (
            url.deployment(),
            url.organization(),
            url.server_url(),
            url.collection(),
        );
        let _ = (url.project(), url.team());
    }
});
