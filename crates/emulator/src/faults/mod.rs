//! Injected faults: latency, rate limiting (429 + `Retry-After`), server failures, and
//! per-request-kind [rules](rules) (any status, sign-in pages, resets, truncated or huge
//! bodies, hangs, refused connections).
//!
//! Global counting: the Nth Azure DevOps request the emulator receives (any path, any host) is
//! the one that fails, so a test can predict exactly which call will be hit. A server failure
//! happens before authentication (as at a front door); a rate limit after it, since Azure
//! DevOps limits per identity (docs `integrate/concepts/rate-limits.md`). Rules are checked
//! first, in order, each counting its own matches; the global faults never touch the Entra
//! endpoints, a rule does when it names them (a kind such as `token`, or a path).
//!
//! This module decides (which fault, for which request) and keeps the request log; the routes
//! answer a decision (`routes/fault_answers.rs`), and the server refuses connections
//! (`Listening`).

pub mod rules;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

pub use self::rules::{Fault, FaultRule, RequestKind, HUGE_BODY_BYTES};

/// Which faults to inject. Zero means off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Faults {
    /// Delay before every response, in milliseconds.
    pub latency_ms: u64,
    /// Every Nth request gets `429` with `TF400733`.
    pub rate_limit_every: u64,
    /// `Retry-After` seconds on a `429`. Default 1.
    pub retry_after_secs: u64,
    /// Every Nth request gets [`Faults::fail_status`] with a VSS body.
    pub fail_every: u64,
    /// `500` or `503` (default).
    pub fail_status: u16,
    /// Per-request rules, checked in order before the counters above; the first that hits wins.
    pub rules: Vec<FaultRule>,
    /// Seed of the rules' `percent` choices (default 0).
    pub seed: u64,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            latency_ms: 0,
            rate_limit_every: 0,
            retry_after_secs: 1,
            fail_every: 0,
            fail_status: 503,
            rules: Vec::new(),
            seed: 0,
        }
    }
}

impl Faults {
    /// No faults at all.
    pub fn none() -> Self {
        Faults::default()
    }

    /// Only these rules, no global faults.
    pub fn rules(rules: impl IntoIterator<Item = FaultRule>) -> Self {
        Faults {
            rules: rules.into_iter().collect(),
            ..Faults::default()
        }
    }

    /// Checks every rule (statuses in range, sizes); the message names the rule.
    pub fn validate(&self) -> Result<(), String> {
        for (i, rule) in self.rules.iter().enumerate() {
            rule.validate().map_err(|e| format!("rules[{i}]: {e}"))?;
        }
        Ok(())
    }
}

/// One request as the fault layer saw it ([`crate::Emulator::requests`],
/// `GET /_emulator/requests`), oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestRecord {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// Its kind.
    pub kind: RequestKind,
    /// The injected fault's name (`status 429`, `reset`, `globalFail 503`, …), if any.
    pub fault: Option<String>,
    /// The `api-version` the request named (query, else `Accept`), exactly as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
}

/// Whether the listener accepts connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Listening {
    /// Accepting.
    Open,
    /// Closed (connections refused) until this instant, or until changed.
    Refusing(Option<Instant>),
}

impl Listening {
    /// Whether connections are refused at this moment.
    pub fn refuses_now(self) -> bool {
        match self {
            Listening::Open => false,
            Listening::Refusing(None) => true,
            Listening::Refusing(Some(until)) => until > Instant::now(),
        }
    }
}

/// A number in 0..100 from the seed, the rule's position and the match's number (SplitMix64:
/// a few lines, no dependency, the same on every platform).
fn chance(seed: u64, rule: u64, seen: u64) -> u64 {
    let mut z = seed ^ rule.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ seen.rotate_left(32);
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    (z ^ (z >> 31)) % 100
}

/// How many requests the log keeps (the oldest are dropped).
const LOG_LIMIT: usize = 100_000;

/// What to do with request number `n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    Pass,
    Fail(u16),
    RateLimit(u64),
    /// A rule hit.
    Rule(Fault),
}

/// The live fault settings and the request counter.
#[derive(Debug)]
pub(crate) struct FaultState {
    faults: RwLock<Faults>,
    counter: AtomicU64,
    /// Matching requests seen per rule (same order as `faults.rules`).
    rule_hits: Mutex<Vec<u64>>,
    log: Mutex<Vec<RequestRecord>>,
    listening: watch::Sender<Listening>,
}

impl FaultState {
    pub fn new(faults: Faults) -> Self {
        let hits = vec![0; faults.rules.len()];
        FaultState {
            faults: RwLock::new(faults),
            counter: AtomicU64::new(0),
            rule_hits: Mutex::new(hits),
            log: Mutex::new(Vec::new()),
            listening: watch::Sender::new(Listening::Open),
        }
    }

    pub fn set(&self, faults: Faults) {
        let hits = vec![0; faults.rules.len()];
        *self.faults.write().unwrap_or_else(|e| e.into_inner()) = faults;
        *self.rule_hits.lock().unwrap_or_else(|e| e.into_inner()) = hits;
        // Restart counting so "every Nth" means "every Nth from now".
        self.counter.store(0, Ordering::SeqCst);
        self.listening.send_replace(Listening::Open);
    }

    /// Stops (or resumes) accepting connections.
    pub fn set_listening(&self, listening: Listening) {
        self.listening.send_replace(listening);
    }

    /// The listener's state, watched by the accept loop.
    pub fn listening(&self) -> watch::Receiver<Listening> {
        self.listening.subscribe()
    }

    /// Every request so far, oldest first.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Forgets the request log.
    pub fn clear_requests(&self) {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// Decides the fate of one request: the first rule that hits, else (Azure DevOps requests
    /// only) the global counters. Also returns the latency to apply and logs the request.
    /// The request is logged with the `api-version` it named.
    pub fn decide(
        &self,
        method: &str,
        path: &str,
        api_version: Option<String>,
    ) -> (Decision, Duration) {
        let kind = RequestKind::classify(method, path);
        let faults = self.get();
        let mut decision = None;
        {
            let mut hits = self.rule_hits.lock().unwrap_or_else(|e| e.into_inner());
            for (i, rule) in faults.rules.iter().enumerate() {
                if (kind.is_entra() && !rule.names_entra()) || !rule.matches(kind, method, path) {
                    continue;
                }
                let Some(seen) = hits.get_mut(i) else {
                    continue;
                };
                *seen += 1;
                let within = *seen > rule.skip
                    && rule.times.is_none_or(|times| *seen <= rule.skip + times)
                    && rule
                        .percent
                        .is_none_or(|p| chance(faults.seed, i as u64, *seen) < u64::from(p));
                if within {
                    decision = Some(Decision::Rule(rule.fault.clone()));
                    break;
                }
            }
        }
        let (decision, latency) = match decision {
            Some(decision) => (decision, Duration::from_millis(faults.latency_ms)),
            None if kind.is_entra() => (Decision::Pass, Duration::ZERO),
            None => self.next(),
        };
        let fault = match &decision {
            Decision::Pass => None,
            Decision::Fail(status) => Some(format!("globalFail {status}")),
            Decision::RateLimit(_) => Some("globalRateLimit 429".to_string()),
            Decision::Rule(fault) => Some(fault.name()),
        };
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        if log.len() >= LOG_LIMIT {
            log.drain(..LOG_LIMIT / 10);
        }
        log.push(RequestRecord {
            method: method.to_string(),
            path: path.to_string(),
            kind,
            fault,
            api_version,
        });
        (decision, latency)
    }

    pub fn get(&self) -> Faults {
        self.faults
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Counts a request and decides its fate; also returns the latency to apply.
    pub fn next(&self) -> (Decision, Duration) {
        let faults = self.get();
        let n = self.counter.fetch_add(1, Ordering::SeqCst) + 1;
        let decision = if faults.fail_every > 0 && n % faults.fail_every == 0 {
            Decision::Fail(faults.fail_status)
        } else if faults.rate_limit_every > 0 && n % faults.rate_limit_every == 0 {
            Decision::RateLimit(faults.retry_after_secs)
        } else {
            Decision::Pass
        };
        (decision, Duration::from_millis(faults.latency_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_third_request_is_rate_limited() {
        let state = FaultState::new(Faults {
            rate_limit_every: 3,
            retry_after_secs: 7,
            ..Faults::none()
        });
        let decisions: Vec<Decision> = (0..6).map(|_| state.next().0).collect();
        assert_eq!(
            decisions,
            [
                Decision::Pass,
                Decision::Pass,
                Decision::RateLimit(7),
                Decision::Pass,
                Decision::Pass,
                Decision::RateLimit(7)
            ]
        );
    }

    #[test]
    fn percentages_are_seeded_and_close_to_asked() {
        let rule = FaultRule::on(
            RequestKind::HooksCreate,
            Fault::Status {
                status: 429,
                retry_after_secs: Some(1),
            },
        )
        .percent(5);
        let hits = |seed: u64| {
            let state = FaultState::new(Faults {
                seed,
                ..Faults::rules([rule.clone()])
            });
            (0..2000)
                .map(|_| state.decide("POST", "/o/_apis/hooks/subscriptions", None).0)
                .map(|d| d != Decision::Pass)
                .collect::<Vec<bool>>()
        };
        let first = hits(7);
        assert_eq!(first, hits(7), "the same seed hits the same requests");
        assert_ne!(first, hits(8), "another seed hits others");
        let count = first.iter().filter(|h| **h).count();
        assert!(
            (60..=140).contains(&count),
            "{count} of 2000 is not about 5%"
        );
    }

    #[test]
    fn failure_wins_when_both_hit() {
        let state = FaultState::new(Faults {
            rate_limit_every: 2,
            fail_every: 2,
            fail_status: 500,
            ..Faults::none()
        });
        state.next();
        assert_eq!(state.next().0, Decision::Fail(500));
    }
}
