//! Items 3 and 4 of issue 19: an export with secrets is a new owner-only file renamed into
//! place (never a file someone else can already read, never through a symbolic link); a logo
//! is a plain relative name in the profile's folder, opened without following a link and read
//! with a bound.

use std::fs::OpenOptions;
use std::io::Read as _;
use std::os::unix::fs::{MetadataExt as _, OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ado_emulator::scenario::DEMO_FULL_ACCESS_PAT;
use ado_flows::product::handoff::HandoffChoice;
use ado_flows::product::{load_profile, load_profile_text, LoadError};

use crate::support::*;

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path).unwrap().mode() & 0o777
}

fn inode(path: &Path) -> u64 {
    std::fs::symlink_metadata(path).unwrap().ino()
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut all: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    all.sort();
    all
}

#[tokio::test]
async fn an_export_with_secrets_is_a_new_owner_only_file_and_never_goes_through_a_link() {
    let emu = emulator_with(|_| {}).await;
    let fx = saved(
        services(&emu, "fabrikam"),
        DEMO_FULL_ACCESS_PAT,
        Some(LATER),
    )
    .await;
    let konnect = profile("kong-konnect");
    fx.clear_now(konnect.clone(), Vec::new())
        .await
        .cleared()
        .unwrap_or_else(|p| panic!("a full-access PAT passes: {p:?}"));
    let handoff = fx
        .handoff_now(konnect, HandoffChoice::default())
        .await
        .expect("cleared");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ado-connect-kong-konnect-handoff.json");

    // A file already at the path, readable by everyone (an earlier export, another tool's).
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o644)
        .open(&path)
        .unwrap();
    chmod(&path, 0o644);
    let first = inode(&path);
    let mut reader = std::fs::File::open(&path).unwrap();

    handoff.export_to(&path, false, now()).expect("exported");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("fabrikam") && !text.contains(DEMO_FULL_ACCESS_PAT));
    assert_ne!(inode(&path), first, "a new file");
    // The export without secrets is made readable to others again (as an older version, or
    // the user, may have left it): the export with secrets must not reuse it.
    chmod(&path, 0o644);
    let second = inode(&path);
    let mut second_reader = std::fs::File::open(&path).unwrap();

    let doc = handoff.export_to(&path, true, now()).expect("exported");
    assert!(doc.warning.is_some(), "secrets inside are said");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(DEMO_FULL_ACCESS_PAT),
        "the PAT is in the export"
    );
    assert_eq!(mode(&path), 0o600, "readable by the owner only");
    let last = inode(&path);
    assert!(
        last != first && last != second,
        "a new inode, renamed into place"
    );
    // Whoever held the older files open reads no secret through them.
    for held in [&mut reader, &mut second_reader] {
        let mut seen = String::new();
        held.read_to_string(&mut seen).unwrap();
        assert!(!seen.contains(DEMO_FULL_ACCESS_PAT), "{seen}");
    }
    assert_eq!(
        names(dir.path()),
        ["ado-connect-kong-konnect-handoff.json"],
        "no temporary file left behind"
    );

    // A symbolic link at the destination, to an existing file and to one that does not exist
    // yet: refused, never followed; neither target is touched or created.
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("bashrc");
    std::fs::write(&target, "untouched\n").unwrap();
    chmod(&target, 0o644);
    let missing = elsewhere.path().join("created-through-the-link");
    for (link, to) in [("existing.json", &target), ("dangling.json", &missing)] {
        let link = dir.path().join(link);
        std::os::unix::fs::symlink(to, &link).unwrap();
        let problem = handoff
            .export_to(&link, true, now())
            .expect_err("a link is refused");
        assert!(problem.message.contains("symbolic link"), "{problem:?}");
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
    }
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "untouched\n");
    assert_eq!(mode(&target), 0o644);
    assert!(!missing.exists(), "nothing created through the link");
    for name in names(dir.path()) {
        let p = dir.path().join(&name);
        if !std::fs::symlink_metadata(&p)
            .unwrap()
            .file_type()
            .is_symlink()
        {
            assert_eq!(name, "ado-connect-kong-konnect-handoff.json");
        }
    }
}

/// Datafold's profile with a `logo` line (a TOML literal string: backslashes as written),
/// written to `dir`; returns its path and the logo's line.
fn with_logo(dir: &Path, logo: &str) -> (PathBuf, String, usize) {
    let text = std::fs::read_to_string(profile_path("datafold"))
        .unwrap()
        .replace(
            "name = \"Datafold\"",
            &format!("name = \"Datafold\"\nlogo = '{logo}'"),
        );
    let line = text
        .lines()
        .position(|l| l.starts_with("logo = "))
        .expect("the logo line")
        + 1;
    let path = dir.join("datafold.toml");
    std::fs::write(&path, &text).unwrap();
    (path, text, line)
}

/// Loads with a deadline (a load that follows a link to `/dev/zero` or a FIFO would never
/// return): the refusal's line and message, and how long it took.
fn refused_logo(path: &Path) -> (usize, String, Duration) {
    let (tx, rx) = std::sync::mpsc::channel();
    let path = path.to_path_buf();
    let started = Instant::now();
    std::thread::spawn(move || {
        let _ = tx.send(load_profile(&path));
    });
    let loaded = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the load returns");
    let took = started.elapsed();
    match loaded {
        Err(LoadError::Invalid { errors, .. }) => {
            assert_eq!(errors.len(), 1, "{errors:#?}");
            assert_eq!(errors[0].field, "product.logo", "{errors:#?}");
            (errors[0].line, errors[0].message.clone(), took)
        }
        other => panic!("the logo is refused: {other:?}"),
    }
}

#[test]
fn a_logo_is_a_plain_name_in_the_profiles_folder_never_a_link_and_read_with_a_bound() {
    let dir = tempfile::tempdir().unwrap();
    // Paths that leave the folder, on Windows (a UNC share leaks the NTLM hash; a drive) or
    // anywhere: refused when the profile is read, before any file is touched.
    for logo in [
        r"\\host\share\x.png",
        r"\\?\UNC\host\share\x.png",
        r"C:\x.png",
        "C:/x.png",
        r"..\x.png",
        "../x.png",
        "img/../../x.png",
        "/etc/x.png",
        "file:///etc/x.png",
    ] {
        let (path, text, line) = with_logo(dir.path(), logo);
        for loaded in [
            load_profile(&path),
            load_profile_text("datafold.toml", &text),
        ] {
            let Err(LoadError::Invalid { errors, .. }) = loaded else {
                panic!("{logo} is refused: {loaded:?}")
            };
            assert_eq!(errors.len(), 1, "{logo}: {errors:#?}");
            assert_eq!(
                (errors[0].field.as_str(), errors[0].line),
                ("product.logo", line),
                "{logo}"
            );
        }
    }

    // A link next to the profile, to /dev/zero: refused without reading it.
    let (path, _, line) = with_logo(dir.path(), "logo.png");
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("logo.png")).unwrap();
    let (at, message, took) = refused_logo(&path);
    assert_eq!(at, line);
    assert!(
        message.contains("logo.png") && message.contains("link"),
        "{message}"
    );
    assert!(took < Duration::from_secs(2), "took {took:?}");

    // A folder on the way that is a link (to a real, small logo): refused too.
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("logo.png"), b"\x89PNG\r\n\x1a\n").unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("img")).unwrap();
    let (path, _, _) = with_logo(dir.path(), "img/logo.png");
    let (_, message, _) = refused_logo(&path);
    assert!(
        message.contains("img") && message.contains("link"),
        "{message}"
    );

    // A FIFO (a read would wait for a writer forever): refused at once.
    std::fs::remove_file(dir.path().join("logo.png")).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(dir.path().join("logo.png"))
        .status()
        .unwrap();
    assert!(made.success());
    let (path, _, _) = with_logo(dir.path(), "logo.png");
    let (_, message, took) = refused_logo(&path);
    assert!(message.contains("not a regular file"), "{message}");
    assert!(took < Duration::from_secs(2), "took {took:?}");

    // A 10 MiB file: refused by its size.
    std::fs::remove_file(dir.path().join("logo.png")).unwrap();
    std::fs::write(dir.path().join("logo.png"), vec![0u8; 10 * 1024 * 1024]).unwrap();
    let (at, message, took) = refused_logo(&path);
    assert_eq!(at, line);
    assert!(message.contains("larger than 64 KiB"), "{message}");
    assert!(took < Duration::from_secs(2), "took {took:?}");
}
