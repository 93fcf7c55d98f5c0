//! Resources: how the world looks on the wire. Each module renders one kind of Azure DevOps
//! resource from world state as JSON (`serde_json::json!`, key order as the service writes
//! it): `TeamProject`s, `GitRepository`s, `GitPullRequest`s, `GitCommitRef`s, `Build`s,
//! `IdentityRef`s, `ConnectionData`, and the HTML pages browsers get.
//!
//! Renderers parse nothing and decide nothing: the routes (`routes/`) read the request, find
//! what it asks for and call them; the hooks engine (`hooks/events/`) calls the same ones to
//! describe an event's resource, so a pull request in a webhook and in `GET …/pullrequests`
//! cannot drift apart. This layer depends only on the world (`world/`, `activity.rs`,
//! `history.rs`).

pub(crate) mod builds;
pub(crate) mod commits;
pub(crate) mod connection_data;
pub(crate) mod identities;
pub(crate) mod projects;
pub(crate) mod pull_requests;
pub(crate) mod repositories;
pub(crate) mod signin;

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use time::format_description::well_known::Rfc3339;

use crate::world::{HostRef, Organization, Server, World};

/// Characters escaped in URL path segments the emulator writes (`Fabrikam Fiber` →
/// `Fabrikam%20Fiber`, as in real `remoteUrl`s).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// Percent-encodes one path segment.
pub(crate) fn encode_segment(segment: &str) -> String {
    utf8_percent_encode(segment, SEGMENT).to_string()
}

/// `/tfs` for a server with virtual directory `tfs`, empty without one.
pub(crate) fn vdir_prefix(server: &Server) -> String {
    server
        .virtual_directory
        .as_ref()
        .map(|v| format!("/{}", encode_segment(v)))
        .unwrap_or_default()
}

/// A time as Azure DevOps writes it (RFC 3339, UTC).
pub(crate) fn format_time(t: time::OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// A host as seen by one request: where it is and how it spells its URLs.
pub(crate) struct Site<'w> {
    pub world: &'w World,
    pub host: HostRef,
    /// `scheme://authority` of the request.
    pub origin: String,
}

impl<'w> Site<'w> {
    pub fn organization(&self) -> Option<&'w Organization> {
        match self.host {
            HostRef::Organization(o) => Some(&self.world.organizations[o]),
            HostRef::Collection(..) => None,
        }
    }

    pub fn server(&self) -> Option<&'w Server> {
        match self.host {
            HostRef::Organization(_) => None,
            HostRef::Collection(s, _) => Some(&self.world.servers[s]),
        }
    }

    /// The Server release answering (`None` on Services): it shapes the answers.
    pub fn server_version(&self) -> Option<crate::versions::ServerVersion> {
        self.server().map(|s| s.version)
    }

    /// `value` with the members `definition` has in this host's published spec
    /// ([`crate::spec::trim`]); Services' answers are left whole.
    pub fn shaped(&self, definition: &str, mut value: serde_json::Value) -> serde_json::Value {
        crate::spec::trim(self.server_version(), definition, &mut value);
        value
    }

    /// The root response bodies build URLs on: Services echo the request's scheme and authority;
    /// Servers use their configured public URL (which may be wrong, e.g. `localhost`).
    pub fn access_point(&self) -> String {
        match self.server() {
            None => self.origin.clone(),
            Some(server) => server
                .public_url
                .clone()
                .unwrap_or_else(|| format!("{}{}", self.origin, vdir_prefix(server))),
        }
    }

    /// The organization or collection URL used in response bodies (no trailing slash).
    pub fn base(&self) -> String {
        format!(
            "{}/{}",
            self.access_point(),
            encode_segment(self.world.host_name(self.host))
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_encoded_like_azure_devops() {
        assert_eq!(encode_segment("Fabrikam Fiber"), "Fabrikam%20Fiber");
        assert_eq!(encode_segment("a/b?c"), "a%2Fb%3Fc");
    }
}
