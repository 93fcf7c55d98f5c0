//! Item 6 of issue 19: the product's answer is read with a cap. A collector streams hundreds of
//! MiB (chunked, no length announced) after a refusal or an acceptance: the report keeps a few
//! KiB, says the answer was cut, and the delivery ends in seconds, the collector having been
//! able to send only a sliver of it.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use ado_core::product::handoff::{HandoffFacts, SecretKey};
use ado_core::product::SignInMethod;
use ado_core::target::{Deployment, TargetInput};
use ado_flows::product::handoff::Handoff;
use ado_flows::product::post::{post_handoff, PostOptions, MAX_ANSWER_BYTES};
use secrecy::SecretString;

use crate::collector::{Answer, Collector};
use crate::support::profile;

const HUGE: u64 = 400 * 1024 * 1024;

/// DX's hand-off of one Repositories PAT, its API at `api_url` (nothing else is contacted).
fn dx_handoff(api_url: &str) -> Handoff {
    let facts = HandoffFacts {
        target: TargetInput {
            deployment: Some(Deployment::Services),
            organization: "fabrikam".into(),
            ..Default::default()
        }
        .validate()
        .unwrap(),
        method: SignInMethod::Pat,
        server_public_url: None,
        project: None,
        repository: None,
        repository_url: None,
        tenant_id: None,
        client_id: None,
        credentials: Vec::new(),
        placeholders: BTreeMap::from([
            ("dx_api_url".to_string(), api_url.to_string()),
            ("dx_connection_id".to_string(), "456".to_string()),
        ]),
    };
    Handoff::new(profile("dx"), facts).with_secret(
        SecretKey::Pat {
            connector: "repos".into(),
            index: 0,
        },
        SecretString::from("a-repos-pat".to_string()),
    )
}

#[tokio::test]
async fn an_endless_answer_is_cut_at_the_cap_and_said_so() {
    for status in [400u16, 200] {
        let collector = Collector::start(
            Ipv4Addr::LOCALHOST,
            Answer::Endless {
                status,
                bytes: HUGE,
                for_at_most: Duration::from_secs(60),
            },
        )
        .await;
        let options = PostOptions {
            trusted_ca_pem: Some(collector.ca_pem.clone()),
            max_attempts: 1,
            ..Default::default()
        };
        let started = Instant::now();
        let report = post_handoff(
            &dx_handoff(&collector.url),
            &SecretString::from("a-dx-api-token".to_string()),
            &options,
        )
        .await
        .expect("the POST is made");
        let took = started.elapsed();
        let answer = if status == 200 {
            assert!(report.ok, "{report:#?}");
            report.delivered[0].answer.clone()
        } else {
            let failed = report.failed.expect("a 400 is a refusal");
            assert_eq!(failed.status, Some(400));
            failed.answer.expect("the answer is kept")
        };
        assert!(
            answer.len() <= 4 * 1024,
            "HTTP {status}: {} bytes kept",
            answer.len()
        );
        assert!(answer.starts_with("xxxx"), "{answer}");
        assert!(
            answer.contains("cut") && answer.contains(&format!("{} KiB", MAX_ANSWER_BYTES / 1024)),
            "HTTP {status}: the cut is said: {answer}"
        );
        assert!(
            took < Duration::from_secs(10),
            "HTTP {status}: took {took:?}"
        );
        assert_eq!(collector.received().len(), 1);
        // The collector stops once the client hangs up; give it a moment to notice.
        let stopped = Instant::now();
        let mut sent = collector.bytes_sent();
        while stopped.elapsed() < Duration::from_secs(2) {
            tokio::time::sleep(Duration::from_millis(100)).await;
            sent = collector.bytes_sent();
        }
        assert!(
            sent < 32 * 1024 * 1024,
            "HTTP {status}: the client took {sent} bytes of {HUGE}"
        );
    }
}
