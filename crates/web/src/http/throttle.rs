//! Limits on anonymous writes (contact requests, applications, sign-ups, bookings,
//! cancellations, sign-in): per client address, and for each municipality as a whole, so
//! that one client cannot fill an activity's seats or a municipality's inbox.
//!
//! Each write is counted twice: first by limiters in this process (GCRA, so a flood against
//! one node is turned away without touching the database), then in the database, per key and
//! minute (`store::rate_windows`), which every node shares: a client spreading its writes over
//! several nodes meets the same limit as on one. The shared count is a fixed window, so at a
//! minute's turn a client may get up to twice the limit in a short time; the local limiter
//! still holds each node to its rate.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// How often the limiters forget clients that have been quiet for a full period.
const SWEEP_EVERY: u32 = 4096;

pub struct Limits {
    per_client: Option<DefaultKeyedRateLimiter<IpAddr>>,
    per_municipality: Option<DefaultKeyedRateLimiter<String>>,
    client_per_minute: u32,
    municipality_per_minute: u32,
    checks: AtomicU32,
    clock: DefaultClock,
}

impl Limits {
    /// Writes per minute per client address and per municipality; `0` turns a limit off.
    pub fn per_minute(client: u32, municipality: u32) -> Self {
        Self {
            per_client: keyed(client),
            per_municipality: keyed(municipality),
            client_per_minute: client,
            municipality_per_minute: municipality,
            checks: AtomicU32::new(0),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one anonymous write; `Err` holds how long the client should wait.
    pub fn check(&self, client: Option<IpAddr>, kommunkod: Option<&str>) -> Result<(), Duration> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.sweep();
        }
        if let (Some(limiter), Some(ip)) = (&self.per_client, client) {
            limiter
                .check_key(&ip)
                .map_err(|n| n.wait_time_from(self.clock.now()))?;
        }
        if let (Some(limiter), Some(k)) = (&self.per_municipality, kommunkod) {
            limiter
                .check_key(&k.to_owned())
                .map_err(|n| n.wait_time_from(self.clock.now()))?;
        }
        Ok(())
    }

    /// Counts the write in the database, shared with every node; `Err` holds how long to wait
    /// (until the minute turns). A database that cannot count lets the write through: the
    /// write itself then meets the same database.
    pub async fn check_shared(
        &self,
        db: &store::Db,
        now: chrono::DateTime<chrono::Utc>,
        client: Option<IpAddr>,
        kommunkod: Option<&str>,
    ) -> Result<(), Duration> {
        let client_key = client
            .filter(|_| self.client_per_minute > 0)
            .map(|ip| format!("client:{ip}"));
        let kommun_key = kommunkod
            .filter(|_| self.municipality_per_minute > 0)
            .map(|k| format!("kommun:{k}"));
        let keys: Vec<&str> = client_key
            .iter()
            .chain(&kommun_key)
            .map(String::as_str)
            .collect();
        if keys.is_empty() {
            return Ok(());
        }
        let secs = now.timestamp();
        let counts = match store::rate_windows::hit(db, &keys, store::rate_windows::window_of(secs))
            .await
        {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "rate limit: the shared count failed; counted on this node only");
                return Ok(());
            }
        };
        let over = counts.iter().any(|(key, hits)| {
            let limit = if key.starts_with("client:") {
                self.client_per_minute
            } else {
                self.municipality_per_minute
            };
            *hits > i64::from(limit)
        });
        if over {
            let left = 60 - secs.rem_euclid(60);
            return Err(Duration::from_secs(left.unsigned_abs()));
        }
        Ok(())
    }

    fn sweep(&self) {
        if let Some(l) = &self.per_client {
            l.retain_recent();
            l.shrink_to_fit();
        }
        if let Some(l) = &self.per_municipality {
            l.retain_recent();
        }
    }
}

fn keyed<K: std::hash::Hash + Eq + Clone>(per_minute: u32) -> Option<DefaultKeyedRateLimiter<K>> {
    NonZeroU32::new(per_minute).map(|n| RateLimiter::keyed(Quota::per_minute(n)))
}

/// `Retry-After` in whole seconds, never 0 (a client told 0 would try again at once).
pub fn retry_after_secs(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        s.parse().ok()
    }

    #[test]
    fn a_client_gets_its_quota_then_waits_and_others_are_not_held_up() {
        let limits = Limits::per_minute(3, 0);
        for _ in 0..3 {
            assert!(limits.check(ip("198.51.100.1"), Some("0380")).is_ok());
        }
        let wait = limits.check(ip("198.51.100.1"), Some("0380")).unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
        assert!(limits.check(ip("198.51.100.2"), Some("0380")).is_ok());
    }

    #[test]
    fn a_municipality_has_its_own_limit_over_all_clients() {
        let limits = Limits::per_minute(0, 2);
        assert!(limits.check(ip("198.51.100.1"), Some("0380")).is_ok());
        assert!(limits.check(ip("198.51.100.2"), Some("0380")).is_ok());
        assert!(limits.check(ip("198.51.100.3"), Some("0380")).is_err());
        assert!(limits.check(ip("198.51.100.3"), Some("0180")).is_ok());
    }

    #[test]
    fn zero_turns_the_limits_off() {
        let limits = Limits::per_minute(0, 0);
        for _ in 0..1000 {
            assert!(limits.check(ip("198.51.100.1"), Some("0380")).is_ok());
        }
    }

    #[test]
    fn retry_after_is_whole_seconds_and_never_zero() {
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(2500)), 3);
        assert_eq!(retry_after_secs(Duration::from_secs(3)), 3);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
    }
}

/// The answer to a write over the limit: `429` with `Retry-After`, as a Swedish page on the
/// portal's forms and as `{"error": …}` in the API.
#[derive(Debug)]
pub struct Throttled {
    pub retry_after: u64,
    pub api: bool,
}

impl axum::response::IntoResponse for Throttled {
    fn into_response(self) -> axum::response::Response {
        if self.api {
            crate::error::ApiError::TooManyRequests(self.retry_after).into_response()
        } else {
            crate::error::PageError::TooManyRequests(self.retry_after).into_response()
        }
    }
}

/// Counts an anonymous write of this request against the limits. Staff who call the API with
/// a token (already identified by `Caller`) are not anonymous and are not counted.
pub async fn anonymous_write(
    parts: &mut axum::http::request::Parts,
    state: &crate::AppState,
) -> Result<(), Throttled> {
    use axum::extract::{FromRequestParts, RawPathParams};
    if parts.extensions.get::<crate::http::api::Caller>().is_some() {
        return Ok(());
    }
    let client = parts.extensions.get::<super::ClientAddr>().map(|c| c.0);
    let raw = RawPathParams::from_request_parts(parts, state).await.ok();
    let kommunkod = raw
        .as_ref()
        .and_then(|r| r.iter().find(|(k, _)| *k == "kommunkod").map(|(_, v)| v))
        // Only municipalities we know make a key: a made-up code must not grow the table.
        .filter(|k| state.kommuner.get(k).is_some());
    let throttled = |wait| Throttled {
        retry_after: retry_after_secs(wait),
        api: parts.uri.path().starts_with("/api/"),
    };
    state.limits.check(client, kommunkod).map_err(throttled)?;
    state
        .limits
        .check_shared(&state.db, state.clock.now(), client, kommunkod)
        .await
        .map_err(throttled)
}
