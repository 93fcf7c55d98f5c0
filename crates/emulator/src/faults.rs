//! Injected faults: latency, rate limiting (429 + `Retry-After`) and server failures.
//!
//! Counting is global: the Nth request the emulator receives (any path, any host) is the one
//! that fails, so a test can predict exactly which call will be hit. A server failure happens
//! before authentication (as at a front door); a rate limit after it, since Azure DevOps limits
//! per identity (docs `integrate/concepts/rate-limits.md`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;
use std::time::Duration;

use serde::{Deserialize, Serialize};

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
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            latency_ms: 0,
            rate_limit_every: 0,
            retry_after_secs: 1,
            fail_every: 0,
            fail_status: 503,
        }
    }
}

impl Faults {
    /// No faults at all.
    pub fn none() -> Self {
        Faults::default()
    }
}

/// What to do with request number `n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    Pass,
    Fail(u16),
    RateLimit(u64),
}

/// The live fault settings and the request counter.
#[derive(Debug)]
pub(crate) struct FaultState {
    faults: RwLock<Faults>,
    counter: AtomicU64,
}

impl FaultState {
    pub fn new(faults: Faults) -> Self {
        FaultState {
            faults: RwLock::new(faults),
            counter: AtomicU64::new(0),
        }
    }

    pub fn set(&self, faults: Faults) {
        *self.faults.write().unwrap_or_else(|e| e.into_inner()) = faults;
        // Restart counting so "every Nth" means "every Nth from now".
        self.counter.store(0, Ordering::SeqCst);
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
