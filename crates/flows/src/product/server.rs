//! The server's facts a product may care about: its version (Appcircle needs 2022) and the
//! public URL the product's cloud would call (reachable from outside). One `connectionData` and
//! one projects page, only when the profile asks.

use ado_client::Credential;
use ado_core::preflight::Status;
use ado_core::product::verdicts::{self, PublicUrlFact, Restriction};

use super::check::ProductCheckRequest;
use crate::verify::client_for;

/// What [`server_restrictions`] found.
#[derive(Debug, Default)]
pub(super) struct ServerFacts {
    pub restrictions: Vec<Restriction>,
    pub public_url: Option<String>,
    pub max_api_version: Option<String>,
}

/// Server version and reachability: one `connectionData` and one projects page.
pub(super) async fn server_restrictions(
    request: &ProductCheckRequest,
    credential: &Credential,
) -> ServerFacts {
    let profile = &request.profile;
    let target = &request.target;
    // The version also picks the api-version of the webhook reproduction script.
    let wants_version =
        profile.deployments.min_server_version.is_some() || profile.wizard_registers_hooks();
    let wants_reach = profile.deployments.reachable_from_outside;
    if target.deployment() != ado_core::target::Deployment::Server
        || !(wants_version || wants_reach)
    {
        return ServerFacts::default();
    }
    // Plain http to a remote host without consent: the preflight refuses it; send nothing here.
    if ado_core::preflight::encryption(target, request.consent_to_http).status == Status::Fail {
        return ServerFacts::default();
    }
    let Ok(client) = client_for(target, credential.clone(), &request.options) else {
        return ServerFacts::default();
    };
    let mut out = Vec::new();
    let mut public_url = None;
    let mut max_api_version = None;
    if wants_version {
        let fact: Result<Option<String>, ()> = match client.server_api_version().await {
            Ok(v) if v.major >= 7 => Ok(None),
            Ok(v) => Ok(Some(v.to_string())),
            Err(_) => Err(()),
        };
        max_api_version = fact.clone().ok().flatten();
        out.extend(verdicts::server_version(
            profile,
            target,
            fact.as_ref().map(|v| v.as_deref()).map_err(|_| ()),
        ));
    }
    if wants_reach {
        // The public URL is what the server says it is (its access mappings); the address
        // this machine used may well be internal. Without mappings, the entered URL.
        let mut urls: Vec<String> = match client.connection_data().await {
            Ok(connection) => connection
                .location_service_data
                .map(|l| {
                    l.access_mappings
                        .into_iter()
                        .map(|m| m.access_point)
                        .collect()
                })
                .unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        public_url = urls.first().cloned();
        if urls.is_empty() {
            urls.push(target.host_url().to_string());
        }
        let mut facts = Vec::new();
        for raw in urls {
            let Ok(url) = url::Url::parse(&raw) else {
                continue;
            };
            let (host, addrs) = super::delivery::resolve(&url).await;
            let addresses = addrs.into_iter().map(|a| a.ip()).collect();
            facts.push(PublicUrlFact {
                url: raw,
                host,
                addresses,
            });
        }
        out.extend(verdicts::reachable_from_outside(profile, target, &facts));
    }
    ServerFacts {
        restrictions: out,
        public_url,
        max_api_version,
    }
}
