//! Bodies from Azure DevOps, decoded the way the client decodes them: `Response::json` (serde
//! with the path of the first mismatch) into connectionData, a service-hook subscription, the
//! subscriptions list and a project list, and the VSS error body `classify` reads.
#![no_main]
use ado_client::{ConnectionData, Response, Subscription, TeamProjectReference, VssError};
use libfuzzer_sys::fuzz_target;

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct List<T> {
    value: Vec<T>,
}

fuzz_target!(|body: &[u8]| {
    let response = Response {
        url: url::Url::parse("https://dev.azure.com/fuzz/_apis/connectionData").unwrap(),
        status: reqwest::StatusCode::OK,
        headers: reqwest::header::HeaderMap::new(),
        body: body.to_vec(),
    };
    let _ = response.json::<ConnectionData>();
    let _ = response.json::<Subscription>();
    let _ = response.json::<List<Subscription>>();
    let _ = response.json::<List<TeamProjectReference>>();
    let _ = serde_json::from_slice::<VssError>(body);
});
