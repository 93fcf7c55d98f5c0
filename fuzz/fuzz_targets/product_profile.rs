//! Product profiles (TOML from someone else): any text parses or fails with errors, never a
//! panic; and what is accepted carries no control character in any string and no logo path that
//! could leave the profile's folder on any OS. The corpus feeds the five shipped profiles with
//! control characters, line breaks and path tricks (UNC shares, drives, `..`, links' names).
#![no_main]
use libfuzzer_sys::fuzz_target;

fn strings<'a>(value: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match value {
        serde_json::Value::String(s) => out.push(s),
        serde_json::Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
        serde_json::Value::Object(o) => o.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    match ado_core::product::parse_profile(text) {
        Ok(profile) => {
            let value = serde_json::to_value(&profile).expect("a profile serializes");
            let mut all = Vec::new();
            strings(&value, &mut all);
            for s in all {
                assert!(!s.chars().any(char::is_control), "control character accepted: {s:?}");
            }
            if let Some(logo) = &profile.product.logo {
                assert!(
                    logo.starts_with("data:image/") || ado_core::product::is_plain_relative_path(logo),
                    "logo path accepted: {logo:?}"
                );
            }
        }
        Err(errors) => assert!(!errors.0.is_empty(), "a refusal names at least one mistake"),
    }
});
