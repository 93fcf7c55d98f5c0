//! "Not found" for a Server collection names the collections that do exist: the server lists
//! them (`GET {server}/_apis/projectCollections`, asked with the same credential), and the
//! nearest name is offered as "Did you mean …?".

use ado_client::{AdoClient, Credential};
use ado_core::checks::{CheckCode, Problem};
use ado_core::target::{ConnectionTarget, Deployment, Field};

use super::ConnectOptions;

/// `problem` (the collection was not found) with the collections the server lists added: to
/// its message (which exist) and its fix (the nearest one). Left as it is for anything else, or
/// when the server does not say (no credential works there, an older server, a network error).
pub(crate) async fn with_existing_collections(
    target: &ConnectionTarget,
    credential: Credential,
    options: &ConnectOptions,
    mut problem: Problem,
) -> Problem {
    if problem.code != CheckCode::NotFound
        || problem.field != Some(Field::Collection)
        || target.deployment() != Deployment::Server
    {
        return problem;
    }
    let mut config = options.client_config(target.host_url().clone(), credential);
    config.timeout = std::time::Duration::from_secs(5);
    let Ok(client) = AdoClient::new(config) else {
        return problem;
    };
    let names: Vec<String> = match client.project_collections().await {
        Ok(list) => list.into_iter().map(|c| c.name).collect(),
        Err(error) => {
            tracing::info!(%error, "the server's collections could not be listed");
            return problem;
        }
    };
    if let Some((message, fix)) = suggestion(target.scope_name(), &names) {
        problem.message = format!("{} {message}", problem.message);
        problem.fix = fix;
    }
    problem
}

/// What to add for `asked` when the server has `existing`: which collections exist, and the
/// fix ("Did you mean X?" for a near one). `None` when the server lists none.
fn suggestion(asked: &str, existing: &[String]) -> Option<(String, String)> {
    if existing.is_empty() {
        return None;
    }
    let listed = existing.join(", ");
    let message = match existing.len() {
        1 => format!("The server has one collection: {listed}."),
        n => format!("The server has {n} collections: {listed}."),
    };
    let nearest = nearest(asked, existing).or(existing.first().filter(|_| existing.len() == 1));
    let fix = match nearest {
        Some(name) => {
            format!("Did you mean {name}? Enter it in the Collection field and verify again.")
        }
        None => format!("Enter one of them ({listed}) in the Collection field and verify again."),
    };
    Some((message, fix))
}

/// The name of `existing` nearest to `asked` (ignoring case), when it is near enough to be what
/// was meant: "Did you mean …?" for collections, projects and repositories alike.
pub(crate) fn nearest<'a>(asked: &str, existing: &'a [String]) -> Option<&'a String> {
    let wanted = asked.trim().to_lowercase();
    existing
        .iter()
        .map(|name| {
            let score = strsim::normalized_damerau_levenshtein(&wanted, &name.to_lowercase());
            (score, name)
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .filter(|(score, _)| *score >= 0.5)
        .map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_near_name_is_offered_and_every_collection_named() {
        let existing = [
            "Big".to_string(),
            "DefaultCollection".into(),
            "Empty".into(),
        ];
        let (message, fix) = suggestion("DefaultColection", &existing).unwrap();
        assert_eq!(
            message,
            "The server has 3 collections: Big, DefaultCollection, Empty."
        );
        assert!(fix.starts_with("Did you mean DefaultCollection?"), "{fix}");
        let (_, far) = suggestion("Zzzzzzzzzzzz", &existing).unwrap();
        assert!(
            far.contains("Enter one of them (Big, DefaultCollection, Empty)"),
            "{far}"
        );
        let (one, only) = suggestion("Nope", &["DefaultCollection".to_string()]).unwrap();
        assert_eq!(one, "The server has one collection: DefaultCollection.");
        assert!(
            only.starts_with("Did you mean DefaultCollection?"),
            "{only}"
        );
        assert_eq!(suggestion("x", &[]), None);
    }
}
