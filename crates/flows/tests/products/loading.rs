//! Loading a profile: a logo file next to it becomes a size-limited data URL; a wrong one is
//! reported with its line and field.

use std::path::Path;

use ado_flows::product::{load_profile, load_profile_text, LoadError};

use crate::support::profile_path;

/// Datafold's profile with a `logo` line, written to `dir`; returns its path and the line.
fn with_logo(dir: &Path, logo: &str) -> (std::path::PathBuf, usize) {
    let text = std::fs::read_to_string(profile_path("datafold"))
        .unwrap()
        .replace(
            "name = \"Datafold\"",
            &format!("name = \"Datafold\"\nlogo = \"{logo}\""),
        );
    let line = text
        .lines()
        .position(|l| l.starts_with("logo = "))
        .expect("the logo line")
        + 1;
    let path = dir.join("datafold.toml");
    std::fs::write(&path, &text).unwrap();
    (path, line)
}

fn logo_error(path: &Path) -> (usize, String, String) {
    match load_profile(path) {
        Err(LoadError::Invalid { errors, .. }) => (
            errors[0].line,
            errors[0].field.clone(),
            errors[0].message.clone(),
        ),
        other => panic!("the logo is refused: {other:?}"),
    }
}

#[test]
fn a_file_logo_becomes_a_data_url_and_a_wrong_one_is_refused_naming_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let (path, line) = with_logo(dir.path(), "logo.png");
    std::fs::write(dir.path().join("logo.png"), b"\x89PNG\r\n\x1a\n").unwrap();
    let loaded = load_profile(&path).unwrap();
    assert_eq!(
        loaded.logo_data_url.as_deref(),
        Some("data:image/png;base64,iVBORw0KGgo=")
    );
    assert_eq!(loaded.profile.product.name, "Datafold");

    std::fs::write(dir.path().join("logo.png"), vec![0u8; 65 * 1024]).unwrap();
    let (at, field, message) = logo_error(&path);
    assert_eq!((at, field.as_str()), (line, "product.logo"));
    assert!(message.contains("64 KiB"), "{message}");

    std::fs::remove_file(dir.path().join("logo.png")).unwrap();
    let (at, _, message) = logo_error(&path);
    assert_eq!(at, line);
    assert!(message.contains("cannot read"), "{message}");

    let (path, _) = with_logo(dir.path(), "logo.svg");
    std::fs::write(dir.path().join("logo.svg"), b"<svg/>").unwrap();
    assert!(load_profile(&path)
        .unwrap()
        .logo_data_url
        .unwrap()
        .starts_with("data:image/svg+xml;base64,"));
}

#[test]
fn a_profile_read_as_text_keeps_a_data_logo_and_leaves_a_file_logo_out() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = with_logo(dir.path(), "logo.png");
    let text = std::fs::read_to_string(&path).unwrap();
    let loaded = load_profile_text("datafold.toml", &text).unwrap();
    assert_eq!(loaded.logo_data_url, None, "no file to read it from");

    let data = "data:image/png;base64,iVBORw0KGgo=";
    let loaded = load_profile_text(
        "datafold.toml",
        &text.replace("logo = \"logo.png\"", &format!("logo = \"{data}\"")),
    )
    .unwrap();
    assert_eq!(loaded.logo_data_url.as_deref(), Some(data));

    match load_profile_text("big.toml", &"#".repeat(1024 * 1024 + 1)) {
        Err(LoadError::Invalid { errors, .. }) => {
            assert!(errors[0].message.contains("over 1 MiB"), "{errors:?}")
        }
        other => panic!("a huge file is refused: {other:?}"),
    }
}
