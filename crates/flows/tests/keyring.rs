//! The secret store against a real Secret Service (gnome-keyring under `dbus-run-session`, as
//! `make test` runs it). Set `ADO_CONNECT_REQUIRE_KEYRING=1` to fail instead of skipping when none runs.
#![cfg(target_os = "linux")]

use ado_flows::{Backend, EntryLimit, SecretStore};
use secrecy::{ExposeSecret, SecretString};

fn store() -> Option<SecretStore> {
    match SecretStore::probe(Backend::SecretService) {
        Ok(store) => Some(store),
        Err(e) if std::env::var("ADO_CONNECT_REQUIRE_KEYRING").as_deref() == Ok("1") => {
            panic!("a Secret Service is required here: {e}")
        }
        Err(e) => {
            eprintln!("skipping: no Secret Service ({e})");
            None
        }
    }
}

#[test]
fn put_get_delete_round_trip_in_the_real_secret_service() {
    let Some(store) = store() else { return };
    let key = format!("test:{}", std::process::id());
    let secret = SecretString::from("a-pat-that-only-this-test-knows".to_string());
    store.put(&key, &secret).expect("put");
    let read = store.get(&key).expect("get").expect("present");
    assert_eq!(read.expose_secret(), "a-pat-that-only-this-test-knows");
    store.delete(&key).expect("delete");
    assert!(
        store.get(&key).expect("get after delete").is_none(),
        "deleted means gone"
    );
    store.delete(&key).expect("deleting twice is fine");
}

#[test]
fn a_long_refresh_token_fits() {
    let Some(store) = store() else { return };
    let key = format!("test-long:{}", std::process::id());
    let long = "x".repeat(8 * 1024);
    store
        .put(&key, &SecretString::from(long.clone()))
        .expect("8 KiB fits");
    assert_eq!(
        store.get(&key).unwrap().unwrap().expose_secret().len(),
        long.len()
    );
    store.delete(&key).unwrap();
}

/// The raw Secret Service entry under `key`, bypassing the store's splitting (to see what is
/// really stored, and to write today's single-entry format).
fn raw(key: &str) -> keyring::Entry {
    keyring::Entry::new_with_credential(Box::new(
        keyring::secret_service::SsCredential::new_with_target(
            None,
            ado_flows::secrets::SERVICE,
            key,
        )
        .unwrap(),
    ))
}

fn raw_get(key: &str) -> Option<String> {
    match raw(key).get_password() {
        Ok(v) => Some(v),
        Err(keyring::Error::NoEntry) => None,
        Err(e) => panic!("{key}: {e}"),
    }
}

/// A secret of `len` characters, mixed widths, so UTF-16 and UTF-8 sizes differ.
fn token(len: usize, seed: char) -> String {
    [seed, 'é', '€', '😀', 'z']
        .iter()
        .cycle()
        .take(len)
        .collect()
}

#[test]
fn with_windows_limit_a_token_set_is_split_read_back_overwritten_and_deleted_whole() {
    let Some(store) = store() else { return };
    let store = store.with_entry_limit(EntryLimit::WINDOWS);
    let key = format!("test-split:{}", std::process::id());
    // About 4 entries' worth under Windows' 2,560 UTF-16 bytes.
    let big = token(4000, 'a');
    store
        .put(&key, &SecretString::from(big.clone()))
        .expect("put big");
    assert_eq!(store.get(&key).unwrap().unwrap().expose_secret(), &big);
    let parts: Vec<String> = (1..)
        .map_while(|n| raw_get(&format!("{key}#part{n}")))
        .collect();
    assert!(parts.len() >= 3, "split into {} parts", parts.len());
    for part in &parts {
        assert!(
            part.encode_utf16().count() * 2 <= 2560,
            "a part over the Windows limit"
        );
    }
    assert!(raw_get(&key)
        .unwrap()
        .starts_with("ado-connect-chunked:v1:"));

    // Overwrite with a secret needing fewer parts: the extra old parts are gone.
    let smaller = token(1500, 'b');
    store
        .put(&key, &SecretString::from(smaller.clone()))
        .expect("put smaller");
    assert_eq!(store.get(&key).unwrap().unwrap().expose_secret(), &smaller);
    let now: Vec<String> = (1..)
        .map_while(|n| raw_get(&format!("{key}#part{n}")))
        .collect();
    assert!(now.len() < parts.len());
    for n in now.len() + 1..=parts.len() {
        assert_eq!(
            raw_get(&format!("{key}#part{n}")),
            None,
            "stale part {n} left behind"
        );
    }

    // Overwrite with one that fits: stored as one plain entry, no parts left.
    store
        .put(&key, &SecretString::from("short".to_string()))
        .unwrap();
    assert_eq!(raw_get(&key).as_deref(), Some("short"));
    assert_eq!(raw_get(&format!("{key}#part1")), None);

    // Delete removes every part.
    store.put(&key, &SecretString::from(big)).unwrap();
    store.delete(&key).expect("delete");
    assert_eq!(
        store.get(&key).unwrap().map(|s| s.expose_secret().len()),
        None
    );
    for n in 1..=parts.len() + 1 {
        assert_eq!(
            raw_get(&format!("{key}#part{n}")),
            None,
            "part {n} survived delete"
        );
    }
}

#[test]
fn secrets_in_todays_single_entry_format_read_back_and_delete_under_the_windows_limit() {
    let Some(store) = store() else { return };
    let store = store.with_entry_limit(EntryLimit::WINDOWS);
    let key = format!("test-legacy:{}", std::process::id());
    let legacy = token(3000, 'c');
    raw(&key).set_password(&legacy).unwrap();
    assert_eq!(store.get(&key).unwrap().unwrap().expose_secret(), &legacy);
    store.delete(&key).unwrap();
    assert_eq!(raw_get(&key), None);
}

#[test]
fn a_half_finished_overwrite_is_reported_not_read_as_a_wrong_secret() {
    let Some(store) = store() else { return };
    let store = store.with_entry_limit(EntryLimit::WINDOWS);
    let key = format!("test-torn:{}", std::process::id());
    store
        .put(&key, &SecretString::from(token(4000, 'd')))
        .unwrap();
    // As if a later save wrote its first part and stopped before its manifest.
    raw(&format!("{key}#part1")).set_password("zzzz").unwrap();
    let err = store.get(&key).expect_err("a mix of two secrets");
    assert!(err.to_string().contains("incomplete"), "{err}");
    store.delete(&key).unwrap();
    assert_eq!(raw_get(&format!("{key}#part1")), None);
}

#[test]
fn a_secret_that_looks_like_a_manifest_round_trips() {
    let Some(store) = store() else { return };
    let key = format!("test-marker:{}", std::process::id());
    let odd = "ado-connect-chunked:v1:1:0000".to_string();
    store.put(&key, &SecretString::from(odd.clone())).unwrap();
    assert_eq!(store.get(&key).unwrap().unwrap().expose_secret(), &odd);
    store.delete(&key).unwrap();
    assert_eq!(raw_get(&format!("{key}#part1")), None);
}
