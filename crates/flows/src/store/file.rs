//! The profile file on disk, shared by the app and the CLI (two processes may run at once).
//!
//! - A lock: `connections.lock` beside the file, held exclusively (std's `File::lock`: `flock` on
//!   Unix, `LockFileEx` on Windows) for every read-modify-write, so that neither process loses
//!   the other's change (e.g. webhook records).
//! - Atomic replace: a uniquely named temp file (`create_new`), written and fsynced, renamed over
//!   the file, then the directory fsynced so the rename survives a crash.
//! - Private: the directory is created 0700 and files 0600 on Unix (the profile holds no secret,
//!   but it names servers, users and webhook URLs); the hooks journal uses the same helpers.
//!
//! Written by hand because it is a few dozen lines over std; the locking crates (fs4, fd-lock)
//! only wrap the same std calls since Rust 1.89.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// An exclusive lock on a directory's `connections.lock`; released on drop.
#[derive(Debug)]
pub(crate) struct DirLock {
    _file: File,
}

/// Creates `dir` (0700 on Unix) if it does not exist.
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Options that create a file readable by its owner only (on Unix).
pub(crate) fn private_file() -> OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        let mut options = OpenOptions::new();
        options.mode(0o600);
        options
    }
    // Windows: files under the user's profile are private to the user by default.
    #[cfg(not(unix))]
    OpenOptions::new()
}

/// Makes an existing file readable by its owner only (on Unix): files written before they were
/// created 0600 (e.g. a journal from an older version) are tightened when next opened.
pub(crate) fn make_private(file: &File) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

/// Takes the directory's lock, waiting for another process to release it.
pub(crate) fn lock(dir: &Path) -> std::io::Result<DirLock> {
    create_private_dir(dir)?;
    let file = private_file()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(dir.join("connections.lock"))?;
    file.lock()?;
    Ok(DirLock { _file: file })
}

/// Replaces `path` with `bytes` atomically: unique temp file, fsync, rename, fsync the directory.
pub(crate) fn replace(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp: PathBuf = dir.join(format!(
        ".{name}.{}.{:016x}.tmp",
        std::process::id(),
        rand::random::<u64>()
    ));
    let result = (|| {
        let mut file = private_file().write(true).create_new(true).open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result?;
    sync_dir(dir)
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Windows makes a rename durable without a directory handle (and cannot open one this way).
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn directory_is_0700_and_files_0600() {
        use std::os::unix::fs::PermissionsExt as _;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("ado-connect");
        let file = dir.join("connections.json");
        replace(&file, b"{}").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&file), 0o600);
        let _lock = lock(&dir).unwrap();
        assert_eq!(mode(&dir.join("connections.lock")), 0o600);
    }

    #[test]
    fn replace_leaves_no_temp_file_behind() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("connections.json");
        replace(&file, b"one").unwrap();
        replace(&file, b"two").unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(root.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("connections.json")]);
    }

    #[test]
    fn the_lock_is_exclusive_between_handles() {
        let root = tempfile::tempdir().unwrap();
        let held = lock(root.path()).unwrap();
        let other = File::options()
            .read(true)
            .write(true)
            .open(root.path().join("connections.lock"))
            .unwrap();
        assert!(
            matches!(other.try_lock(), Err(std::fs::TryLockError::WouldBlock)),
            "a second handle must wait"
        );
        drop(held);
        other.try_lock().expect("free once released");
    }
}
