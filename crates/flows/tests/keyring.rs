//! The secret store against a real Secret Service (gnome-keyring under `dbus-run-session`, as
//! `make test` runs it). Set `ADO_CONNECT_REQUIRE_KEYRING=1` to fail instead of skipping when none runs.

use ado_flows::{Backend, SecretStore};
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
