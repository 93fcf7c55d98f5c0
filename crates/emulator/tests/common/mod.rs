//! What the emulator's three test binaries (`emulator`, `entra`, `hooks`) share: starting an
//! emulator, a client that follows no redirects (like ADO Connect's), and the reply it reads.
//! Each binary's `support.rs` re-exports these and adds the helpers of its own concern.
//!
//! Not every binary calls every helper here.
#![allow(dead_code)]

use std::collections::HashMap;

use ado_emulator::{Config, Emulator};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::Value;

/// Starts an emulator on a free loopback port.
pub async fn start(config: Config) -> Emulator {
    Emulator::spawn(config).await.expect("the emulator starts")
}

/// A client that, like the ADO Connect client (and a browser driven by a test), never follows
/// redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// What came back.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

/// Reads a whole response.
pub async fn read(response: reqwest::Response) -> Reply {
    Reply {
        status: response.status(),
        headers: response.headers().clone(),
        text: response.text().await.unwrap(),
    }
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    /// `typeKey` of a VSS error body.
    pub fn type_key(&self) -> String {
        self.json()["typeKey"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// `message` of a VSS error body.
    pub fn message(&self) -> String {
        self.json()["message"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The query parameters of the `Location` header.
    pub fn location_params(&self) -> HashMap<String, String> {
        let location = self.header("location").expect("a Location header");
        let url = url::Url::parse(location).expect("an absolute Location");
        url.query_pairs().into_owned().collect()
    }

    /// `error` and the first `error_codes` entry of an OAuth error body.
    pub fn oauth_error(&self) -> (String, u64) {
        let body = self.json();
        (
            body["error"].as_str().unwrap_or_default().to_string(),
            body["error_codes"][0].as_u64().unwrap_or_default(),
        )
    }
}
