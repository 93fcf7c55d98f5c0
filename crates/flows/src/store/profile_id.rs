//! Profile ids: readable, and unique per exact target (see [`profile_id`]).

use ado_core::ids::ProfileId;
use ado_core::target::ConnectionTarget;
use sha2::Digest as _;

/// A readable id unique per exact target: `{deployment}-{scheme}-{host}-{port}-{path}-{scope}`
/// folded to lowercase alphanumerics and `-` for reading, then 12 hex digits of the SHA-256 of
/// the exact target (deployment, URL with scheme, host, port and path, and the collection or
/// organization as entered), which tells apart what the folding merges (`Team A`/`Team_A`,
/// `a.b`/`a-b`, `http`/`https`). Safe in file names and keyring keys.
pub fn profile_id(target: &ConnectionTarget) -> ProfileId {
    let url = target.host_url();
    let deployment = match target.deployment() {
        ado_core::target::Deployment::Services => "services",
        ado_core::target::Deployment::Server => "server",
    };
    let raw = format!(
        "{deployment}-{}-{}-{}-{}-{}",
        url.scheme(),
        url.host_str().unwrap_or_default(),
        url.port().map(|p| p.to_string()).unwrap_or_default(),
        url.path(),
        target.scope_name()
    );
    let mut id = String::new();
    for c in raw.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    let exact = format!("{deployment}\n{}\n{}", url.as_str(), target.scope_name());
    let digest = sha2::Sha256::digest(exact.as_bytes());
    let hash: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    ProfileId::new(format!("{}-{hash}", id.trim_matches('-')))
}

/// `http://tfs:8080/tfs` collection `Team A`, for messages.
pub(crate) fn describe(target: &ConnectionTarget) -> String {
    format!("{} {}", target.host_url(), target.scope_name())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ado_core::target::{Deployment, TargetInput};

    fn server(url: &str, collection: &str) -> ConnectionTarget {
        TargetInput {
            deployment: Some(Deployment::Server),
            server_url: url.into(),
            collection: collection.into(),
            ..Default::default()
        }
        .validate()
        .unwrap()
    }

    #[test]
    fn ids_are_readable_and_stable() {
        let target = server("http://TFS:8080/tfs", "Default Collection");
        let id = profile_id(&target);
        assert!(
            id.starts_with("server-http-tfs-8080-tfs-default-collection-"),
            "{id}"
        );
        assert_eq!(id, profile_id(&target.clone()), "stable");
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    }

    #[test]
    fn ids_are_unique_per_exact_target() {
        let targets = [
            server("http://tfs:8080/tfs", "Team A"),
            server("https://tfs:8080/tfs", "Team A"),
            server("http://tfs:8080/tfs", "Team_A"),
            server("http://tfs:8080/tfs", "Team.A"),
            server("http://tfs:8080/tfs", "Team-A"),
            server("http://a.b:8080/tfs", "Team A"),
            server("http://a-b:8080/tfs", "Team A"),
            server("http://tfs:8081/tfs", "Team A"),
            server("http://tfs:8080/", "Team A"),
        ];
        let ids: std::collections::BTreeSet<ProfileId> = targets.iter().map(profile_id).collect();
        assert_eq!(ids.len(), targets.len(), "{ids:#?}");
    }
}
