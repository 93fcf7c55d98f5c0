//! The apply journal: what a run is about to change, written and flushed to disk *before* each
//! change, and what came of it, written after. A crash or a lost network halfway leaves the
//! journal behind; the next run reads it and finishes or rolls back ([`super::recover`],
//! [`super::rollback`]).
//!
//! Format: JSON lines in `{config dir}/hooks-journal-{profile id}.jsonl`, one record per line,
//! each line fsynced before the change it announces:
//!
//! ```text
//! {"type":"begin","version":1,"runId":"…","profileId":"…","baseUrl":"…","startedAt":1763780000,"secretFingerprint":"…"}
//! {"type":"intent","seq":1,"action":"create","spec":{…HookSpec…},"subscriptionId":null,"adopting":false}
//! {"type":"done","seq":1,"subscriptionId":"…"}
//! {"type":"intent","seq":2,"action":"update","spec":{…},"subscriptionId":"…","adopting":true}
//! {"type":"failed","seq":2,"error":"… answered HTTP 500"}
//! {"type":"finished","failed":1}
//! ```
//!
//! Appending is crash-safe: a torn last line (the process died mid-write) is ignored, since the
//! change it announced had not started. The journal never holds a secret, only the spec (which
//! names the keyring key) and fingerprints. It is deleted once every change it announced is
//! done and recorded in the profile; one that ended with failures stays, so the user can retry
//! or roll back. Like the profile, it is private: its directory is created 0700 and the file
//! 0600 on Unix ([`crate::store::file`]; an older one is tightened on reopening), since it
//! names servers, webhook URLs and fingerprints.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ado_core::ids::{ProfileId, SubscriptionId};
use ado_core::webhook::{Action, HookSpec};
use serde::{Deserialize, Serialize};

/// The journal format version.
pub const VERSION: u32 = 1;

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Record {
    /// A run starts.
    #[serde(rename_all = "camelCase")]
    Begin {
        /// [`VERSION`].
        version: u32,
        /// A random id of the run.
        run_id: String,
        /// The connection profile.
        profile_id: ProfileId,
        /// The organization or collection URL.
        base_url: String,
        /// Seconds since the Unix epoch.
        started_at: u64,
        /// The fingerprint of the secret the run writes.
        secret_fingerprint: Option<String>,
    },
    /// About to change something.
    #[serde(rename_all = "camelCase")]
    Intent {
        /// The change's number in this run.
        seq: u32,
        /// Create, update or re-enable.
        action: Action,
        /// For which spec.
        spec: HookSpec,
        /// The subscription changed (`None` for a create).
        subscription_id: Option<SubscriptionId>,
        /// True when the subscription was not recorded as ours before this run.
        adopting: bool,
    },
    /// The change is done.
    #[serde(rename_all = "camelCase")]
    Done {
        /// Which change.
        seq: u32,
        /// The subscription (for a create: the new id).
        subscription_id: SubscriptionId,
    },
    /// The change failed (nothing was changed, or it is unknown whether it was).
    #[serde(rename_all = "camelCase")]
    Failed {
        /// Which change.
        seq: u32,
        /// Why, in one line.
        error: String,
    },
    /// The run ended (not crashed) with this many failures.
    #[serde(rename_all = "camelCase")]
    Finished {
        /// How many changes failed.
        failed: u32,
    },
}

/// What became of one announced change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum Outcome {
    /// Announced, never concluded: the process stopped in between. It may or may not have
    /// reached Azure DevOps.
    Pending,
    /// Done.
    #[serde(rename_all = "camelCase")]
    Done {
        /// The subscription.
        subscription_id: SubscriptionId,
    },
    /// Failed.
    Failed {
        /// Why.
        error: String,
    },
}

/// One announced change and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// Its number.
    pub seq: u32,
    /// Create, update or re-enable.
    pub action: Action,
    /// The spec.
    pub spec: HookSpec,
    /// The subscription it changed, or created.
    pub subscription_id: Option<SubscriptionId>,
    /// Not recorded as ours before the run.
    pub adopting: bool,
    /// What became of it.
    pub outcome: Outcome,
}

/// A journal read back: the run and each change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunState {
    /// The run id.
    pub run_id: String,
    /// The profile.
    pub profile_id: ProfileId,
    /// The organization or collection URL.
    pub base_url: String,
    /// When it started (seconds since the Unix epoch).
    pub started_at: u64,
    /// The fingerprint of the secret it wrote.
    pub secret_fingerprint: Option<String>,
    /// Each announced change, in order.
    pub entries: Vec<Entry>,
    /// False when the process stopped before the end (a crash, a kill, a lost machine).
    pub finished: bool,
}

impl RunState {
    /// True when nothing is left to finish or undo.
    pub fn is_settled(&self) -> bool {
        self.finished
            && self
                .entries
                .iter()
                .all(|e| matches!(e.outcome, Outcome::Done { .. }))
    }
}

/// An open journal; appends are serialized and each is flushed to disk before it returns.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: Mutex<File>,
}

impl Journal {
    /// Where the journal of a profile lives.
    pub fn path_for(dir: &Path, profile_id: &str) -> PathBuf {
        dir.join(format!("hooks-journal-{profile_id}.jsonl"))
    }

    /// Starts a new journal with its `begin` record. Fails if one exists: an earlier run must
    /// be finished or rolled back first.
    pub fn create(path: &Path, begin: &Record) -> io::Result<Journal> {
        if let Some(dir) = path.parent() {
            crate::store::file::create_private_dir(dir)?;
        }
        let file = crate::store::file::private_file()
            .create_new(true)
            .append(true)
            .open(path)?;
        let journal = Journal {
            path: path.to_path_buf(),
            file: Mutex::new(file),
        };
        journal.append(begin)?;
        // The file's directory entry must survive a crash too.
        if let Some(dir) = path.parent() {
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(journal)
    }

    /// Opens an existing journal to append to it (recovery). A torn last line is cut off first,
    /// so that what follows starts on a line of its own.
    pub fn reopen(path: &Path) -> io::Result<Journal> {
        let bytes = std::fs::read(path)?;
        if !bytes.is_empty() && !bytes.ends_with(b"\n") {
            let keep = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
            let f = OpenOptions::new().write(true).open(path)?;
            f.set_len(keep as u64)?;
            f.sync_all()?;
        }
        let file = OpenOptions::new().append(true).open(path)?;
        crate::store::file::make_private(&file)?;
        Ok(Journal {
            path: path.to_path_buf(),
            file: Mutex::new(file),
        })
    }

    /// Appends one record and flushes it to disk.
    pub fn append(&self, record: &Record) -> io::Result<()> {
        self.write(record, true)
    }

    /// Appends one record without waiting for the disk: for conclusions, which the next synced
    /// record (or the end of the run) carries to disk, and whose loss recovery tolerates.
    pub fn append_unsynced(&self, record: &Record) -> io::Result<()> {
        self.write(record, false)
    }

    fn write(&self, record: &Record, sync: bool) -> io::Result<()> {
        let mut line = serde_json::to_vec(record).expect("journal records serialize");
        line.push(b'\n');
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        file.write_all(&line)?;
        if sync {
            file.sync_data()?;
        }
        Ok(())
    }

    /// The journal's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads a journal; `Ok(None)` when there is none. A line that does not parse (a torn
    /// write) is skipped. A journal without a readable `begin` line is an error of kind
    /// [`io::ErrorKind::InvalidData`]: it cannot be recovered or rolled back, only discarded.
    pub fn read(path: &Path) -> io::Result<Option<RunState>> {
        let file = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut state: Option<RunState> = None;
        for line in io::BufReader::new(file).lines() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            let Ok(record) = serde_json::from_str::<Record>(&line) else {
                continue;
            };
            match record {
                Record::Begin {
                    run_id,
                    profile_id,
                    base_url,
                    started_at,
                    secret_fingerprint,
                    ..
                } => {
                    state = Some(RunState {
                        run_id,
                        profile_id,
                        base_url,
                        started_at,
                        secret_fingerprint,
                        entries: Vec::new(),
                        finished: false,
                    })
                }
                other => {
                    let Some(state) = state.as_mut() else {
                        continue;
                    };
                    apply_record(state, other);
                }
            }
        }
        match state {
            Some(state) => Ok(Some(state)),
            None => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "it has no readable `begin` line",
            )),
        }
    }

    /// Deletes a journal; a missing one is fine.
    pub fn remove(path: &Path) -> io::Result<()> {
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

fn apply_record(state: &mut RunState, record: Record) {
    match record {
        Record::Begin { .. } => {}
        Record::Intent {
            seq,
            action,
            spec,
            subscription_id,
            adopting,
        } => {
            // A retry of an earlier change announces it again: it is pending again.
            if let Some(entry) = state.entries.iter_mut().find(|e| e.seq == seq) {
                entry.outcome = Outcome::Pending;
                if subscription_id.is_some() {
                    entry.subscription_id = subscription_id;
                }
            } else {
                state.entries.push(Entry {
                    seq,
                    action,
                    spec,
                    subscription_id,
                    adopting,
                    outcome: Outcome::Pending,
                });
            }
            state.finished = false;
        }
        Record::Done {
            seq,
            subscription_id,
        } => {
            if let Some(entry) = state.entries.iter_mut().find(|e| e.seq == seq) {
                entry.subscription_id = Some(subscription_id.clone());
                entry.outcome = Outcome::Done { subscription_id };
            }
        }
        Record::Failed { seq, error } => {
            if let Some(entry) = state.entries.iter_mut().find(|e| e.seq == seq) {
                entry.outcome = Outcome::Failed { error };
            }
        }
        Record::Finished { .. } => state.finished = true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ado_core::webhook::{EventKind, HookAuth, SecretRef};

    fn spec() -> HookSpec {
        HookSpec {
            event: EventKind::CodePushed,
            project_id: "p".into(),
            repository_id: None,
            branch: None,
            url: "https://h/x".into(),
            auth: HookAuth::SecretHeader {
                header: "X-S".into(),
                secret: SecretRef {
                    key: "hook-secret:p".into(),
                    fingerprint: Some("f".into()),
                },
            },
        }
    }

    fn begin() -> Record {
        Record::Begin {
            version: VERSION,
            run_id: "r".into(),
            profile_id: "p".into(),
            base_url: "http://x/".into(),
            started_at: 1,
            secret_fingerprint: None,
        }
    }

    #[cfg(unix)]
    #[test]
    fn the_journal_is_created_0600_in_a_0700_directory() {
        use std::os::unix::fs::PermissionsExt as _;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("config");
        let path = Journal::path_for(&dir, "p");
        drop(Journal::create(&path, &begin()).unwrap());
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&path), 0o600);
        // One an older version left world-readable is tightened when recovery reopens it.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        drop(Journal::reopen(&path).unwrap());
        assert_eq!(mode(&path), 0o600);
    }

    #[test]
    fn a_torn_last_line_is_ignored_and_outcomes_fold() {
        let dir = tempfile::tempdir().unwrap();
        let path = Journal::path_for(dir.path(), "p");
        let journal = Journal::create(&path, &begin()).unwrap();
        assert!(
            Journal::create(&path, &begin()).is_err(),
            "one run at a time"
        );
        for (seq, action) in [
            (1, Action::Create),
            (2, Action::Create),
            (3, Action::Update),
        ] {
            journal
                .append(&Record::Intent {
                    seq,
                    action,
                    spec: spec(),
                    subscription_id: (action == Action::Update).then(|| "u".into()),
                    adopting: false,
                })
                .unwrap();
        }
        journal
            .append(&Record::Done {
                seq: 1,
                subscription_id: "new-1".into(),
            })
            .unwrap();
        journal
            .append(&Record::Failed {
                seq: 3,
                error: "HTTP 500".into(),
            })
            .unwrap();
        drop(journal);
        // The process died writing the next line.
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(br#"{"type":"done","seq":2,"subscri"#).unwrap();
        drop(f);

        let state = Journal::read(&path).unwrap().unwrap();
        assert!(!state.finished && !state.is_settled());
        let outcomes: Vec<_> = state.entries.iter().map(|e| e.outcome.clone()).collect();
        assert_eq!(
            outcomes,
            vec![
                Outcome::Done {
                    subscription_id: "new-1".into()
                },
                Outcome::Pending,
                Outcome::Failed {
                    error: "HTTP 500".into()
                },
            ]
        );
        // Recovery appends after cutting the torn line off.
        let journal = Journal::reopen(&path).unwrap();
        journal
            .append(&Record::Done {
                seq: 2,
                subscription_id: "new-2".into(),
            })
            .unwrap();
        let state = Journal::read(&path).unwrap().unwrap();
        assert_eq!(
            state.entries[1].outcome,
            Outcome::Done {
                subscription_id: "new-2".into()
            }
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.lines()
                .all(|l| serde_json::from_str::<Record>(l).is_ok()),
            "no torn line is left: {text}"
        );
        Journal::remove(&path).unwrap();
        assert!(Journal::read(&path).unwrap().is_none());
        Journal::remove(&path).unwrap();
    }
}
