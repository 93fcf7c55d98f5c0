//! The service-hooks journal (JSON lines, possibly torn by a crash): `Journal::read` rebuilds
//! the interrupted run from any file content without panicking.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    thread_local! {
        static DIR: std::path::PathBuf = {
            let dir = std::env::temp_dir().join(format!("ado-connect-fuzz-journal-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            dir
        };
    }
    let path = DIR.with(|d| d.join("journal.jsonl"));
    std::fs::write(&path, bytes).unwrap();
    if let Ok(Some(state)) = ado_flows::hooks::journal::Journal::read(&path) {
        let _ = state.is_settled();
    }
});
