//! Microsoft's published on-premises REST specs, as far as the emulator and its users check
//! against them: every operation of the areas the emulator serves (core, git, build, wit,
//! security, hooks) and the members of the objects it renders, for Team Foundation Server 2018
//! (`tfs-4.1`) and Azure DevOps Server 2019 (`azure-devops-server-5.0`), 2020 (`-6.0`) and 2022
//! (`-7.0`). Extracted from `MicrosoftDocs/vsts-rest-api-specs` by
//! `scripts/extract-onprem-spec.py` into `spec/onprem.txt` (its first line names the commit).
//!
//! Two uses:
//! - the emulator renders a Server's objects with the members that release's spec lists
//!   ([`trim`]: Azure DevOps Server 2019 sends no `webUrl` on a repository, 2019 and 2020 no
//!   `isDisabled`, …);
//! - tests check that what a client sent is something that release publishes
//!   ([`PublishedSpec::check`]: the path, the method, and an `api-version` the operation serves).
//!
//! The location service (`OPTIONS _apis`, `_apis/connectionData`, `_apis/ResourceAreas`) has no
//! published spec; it is checked against Microsoft's SDKs instead (see `FIDELITY.md`).

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

use crate::versions::{RequestedVersion, ServerVersion};

const EXTRACT: &str = include_str!("../spec/onprem.txt");

/// One published operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path below the collection, e.g. `{project?}/_apis/git/repositories` (`?`: the
    /// parameter may be left out).
    pub template: String,
    /// The version the spec documents it at, e.g. `5.0` or `5.0-preview.1`.
    pub version: String,
}

impl Operation {
    /// The literal segments matched, or `None` when `segments` is not this operation's path.
    fn fit(&self, segments: &[&str]) -> Option<usize> {
        fn go(template: &[&str], path: &[&str]) -> Option<usize> {
            let Some((first, rest)) = template.split_first() else {
                return path.is_empty().then_some(0);
            };
            if first.starts_with('{') {
                let consumed = path.split_first().and_then(|(_, tail)| go(rest, tail));
                if first.ends_with("?}") {
                    consumed.max(go(rest, path))
                } else {
                    consumed
                }
            } else {
                let (head, tail) = path.split_first()?;
                head.eq_ignore_ascii_case(first)
                    .then(|| go(rest, tail))
                    .flatten()
                    .map(|n| n + 1)
            }
        }
        let template: Vec<&str> = self.template.split('/').filter(|s| !s.is_empty()).collect();
        go(&template, segments)
    }
}

/// The published operations and object members of each release.
#[derive(Debug, Default)]
pub struct PublishedSpec {
    /// The `vsts-rest-api-specs` commit the extract was made from.
    pub source: String,
    operations: HashMap<&'static str, Vec<Operation>>,
    definitions: HashMap<(&'static str, String), Vec<String>>,
}

/// The extract, parsed once.
pub fn published() -> &'static PublishedSpec {
    static SPEC: OnceLock<PublishedSpec> = OnceLock::new();
    SPEC.get_or_init(|| PublishedSpec::parse(EXTRACT))
}

fn release_key(year: &str) -> Option<&'static str> {
    ["2018", "2019", "2020", "2022"]
        .into_iter()
        .find(|y| *y == year)
}

impl PublishedSpec {
    fn parse(text: &str) -> PublishedSpec {
        let mut spec = PublishedSpec::default();
        for line in text.lines() {
            let mut words = line.split_whitespace();
            match words.next() {
                Some("#") => {
                    spec.source = line.trim_start_matches('#').trim().to_string();
                }
                Some("op") => {
                    let (Some(year), Some(method), Some(template), Some(version)) = (
                        words.next().and_then(release_key),
                        words.next(),
                        words.next(),
                        words.next(),
                    ) else {
                        continue;
                    };
                    spec.operations.entry(year).or_default().push(Operation {
                        method: method.to_string(),
                        template: template.to_string(),
                        version: version.to_string(),
                    });
                }
                Some("def") => {
                    let (Some(year), Some(name)) =
                        (words.next().and_then(release_key), words.next())
                    else {
                        continue;
                    };
                    spec.definitions.insert(
                        (year, name.to_string()),
                        words.map(str::to_string).collect(),
                    );
                }
                _ => {}
            }
        }
        spec
    }

    /// The operation `method path` of `server`'s spec (`path` below the collection, without
    /// the query; `%20` and the like may stay encoded), the most specific if several fit.
    pub fn operation(&self, server: ServerVersion, method: &str, path: &str) -> Option<&Operation> {
        let segments: Vec<&str> = path
            .split(['?', '#'])
            .next()
            .unwrap_or_default()
            .split('/')
            .filter(|s| !s.is_empty())
            .collect();
        self.operations
            .get(server.as_str())?
            .iter()
            .filter(|op| op.method.eq_ignore_ascii_case(method))
            .filter_map(|op| op.fit(&segments).map(|n| (n, op)))
            .max_by_key(|(n, _)| *n)
            .map(|(_, op)| op)
    }

    /// Checks a request against `server`'s spec: the operation exists, and `api_version` is
    /// one it serves (not above the operation's version; `-preview` where the operation is a
    /// preview). Names what is wrong.
    pub fn check(
        &self,
        server: ServerVersion,
        method: &str,
        path: &str,
        api_version: Option<&str>,
    ) -> Result<&Operation, String> {
        let op = self.operation(server, method, path).ok_or_else(|| {
            format!(
                "{method} {path} is not in the published spec of Azure DevOps Server {}",
                server.as_str()
            )
        })?;
        let raw = api_version.ok_or_else(|| format!("{method} {path} names no api-version"))?;
        let asked = RequestedVersion::parse(raw)
            .ok_or_else(|| format!("{method} {path}: {raw:?} is not an api-version"))?;
        let documented = RequestedVersion::parse(&op.version)
            .ok_or_else(|| format!("the extract's version {:?} does not parse", op.version))?;
        if asked.version > documented.version {
            return Err(format!(
                "{method} {path} asks api-version {raw}; the {} spec documents it at {}",
                server.as_str(),
                op.version
            ));
        }
        if documented.preview && !asked.preview {
            return Err(format!(
                "{method} {path} asks api-version {raw}; the {} spec has it only as a preview ({})",
                server.as_str(),
                op.version
            ));
        }
        Ok(op)
    }

    /// The members `server`'s spec lists for `definition` (e.g. `GitRepository`).
    pub fn properties(&self, server: ServerVersion, definition: &str) -> Option<&[String]> {
        self.definitions
            .get(&(server.as_str(), definition.to_string()))
            .map(Vec::as_slice)
    }
}

/// Removes the members of an object rendered for `server` that its spec does not list for
/// `definition` (Services and unknown definitions are left as they are).
pub(crate) fn trim(server: Option<ServerVersion>, definition: &str, value: &mut Value) {
    let Some(server) = server else { return };
    let Some(allowed) = published().properties(server, definition) else {
        return;
    };
    if let Value::Object(members) = value {
        members.retain(|name, _| allowed.iter().any(|a| a == name));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extract_has_every_release() {
        let spec = published();
        assert!(
            spec.source.contains("vsts-rest-api-specs"),
            "{}",
            spec.source
        );
        for server in [
            ServerVersion::V2018,
            ServerVersion::V2019,
            ServerVersion::V2020,
            ServerVersion::V2022,
        ] {
            assert!(
                spec.operation(server, "GET", "_apis/projects").is_some(),
                "{server:?}"
            );
            assert!(spec.properties(server, "GitRepository").is_some());
        }
    }

    #[test]
    fn optional_segments_and_versions_are_checked() {
        let spec = published();
        let v2019 = ServerVersion::V2019;
        assert!(spec
            .check(v2019, "GET", "_apis/git/repositories", Some("5.0"))
            .is_ok());
        assert!(spec
            .check(
                v2019,
                "GET",
                "My%20Project/_apis/git/repositories",
                Some("5.0")
            )
            .is_ok());
        let too_new = spec
            .check(v2019, "GET", "_apis/projects", Some("7.0"))
            .unwrap_err();
        assert!(too_new.contains("documents it at 5.0"), "{too_new}");
        assert!(spec
            .check(v2019, "GET", "_apis/nothing/here", Some("5.0"))
            .is_err());
        assert!(spec
            .check(
                ServerVersion::V2020,
                "POST",
                "_apis/hooks/subscriptionsquery",
                Some("6.0")
            )
            .is_ok());
    }

    #[test]
    fn server_2019_repositories_have_no_web_url() {
        let members = published()
            .properties(ServerVersion::V2019, "GitRepository")
            .unwrap();
        assert!(!members.iter().any(|m| m == "webUrl"));
        assert!(members.iter().any(|m| m == "remoteUrl"));
    }
}
