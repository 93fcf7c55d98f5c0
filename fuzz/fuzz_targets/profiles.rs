//! The connections file (`connections.json`): its profiles decode, or fail, without panicking.
//! The file's wrapper type is private to ado-flows, so this mirrors it around the public
//! `Profile` (the part with all the fields).
#![no_main]
use libfuzzer_sys::fuzz_target;

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct ProfilesFile {
    version: u32,
    connections: Vec<ado_flows::Profile>,
}

fuzz_target!(|bytes: &[u8]| {
    if let Ok(file) = serde_json::from_slice::<ProfilesFile>(bytes) {
        let _ = ado_flows::profiles::expiry_reminders(&file.connections, 1_800_000_000);
    }
});
