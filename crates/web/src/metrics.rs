//! Prometheus text metrics, counted in memory per node.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock};
use std::time::Duration;

const BUCKETS_MS: [f64; 8] = [1.0, 2.5, 5.0, 10.0, 25.0, 100.0, 500.0, 2500.0];

/// Who may read the metrics: with a token configured, whoever sends it as a bearer token; without
/// one, only a client on this machine (a scraper beside the app), since the route names and
/// counts tell outsiders what is used.
pub fn may_read(token: Option<&str>, authorization: Option<&str>, peer: Option<IpAddr>) -> bool {
    match token {
        Some(token) => authorization
            .and_then(|a| a.strip_prefix("Bearer "))
            .is_some_and(|given| crate::staff::auth::same_secret(token, given.trim())),
        None => peer.is_some_and(|ip| ip.is_loopback()),
    }
}

/// Requests counted per route pattern and status. Counting takes a shared lock and one atomic
/// add; only the first request of a new route and status takes the write lock, so the counter
/// neither allocates nor serialises the requests it counts.
type RequestCounts = RwLock<HashMap<String, Vec<(u16, AtomicU64)>>>;

#[derive(Default)]
pub struct Metrics {
    requests: RequestCounts,
    latency_buckets: [AtomicU64; 8],
    latency_count: AtomicU64,
    latency_sum_us: AtomicU64,
    pub contact_requests_created: AtomicU64,
}

impl Metrics {
    pub fn observe(&self, route: &str, status: u16, elapsed: Duration) {
        self.count(route, status);
        let ms = elapsed.as_secs_f64() * 1000.0;
        for (i, b) in BUCKETS_MS.iter().enumerate() {
            if ms <= *b {
                self.latency_buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_us
            .fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
    }

    fn count(&self, route: &str, status: u16) {
        {
            let map = self.requests.read().unwrap_or_else(PoisonError::into_inner);
            if let Some((_, n)) = map
                .get(route)
                .and_then(|by_status| by_status.iter().find(|(s, _)| *s == status))
            {
                n.fetch_add(1, Ordering::Relaxed);
                return;
            }
        }
        let mut map = self
            .requests
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let by_status = map.entry(route.to_owned()).or_default();
        match by_status.iter().find(|(s, _)| *s == status) {
            Some((_, n)) => {
                n.fetch_add(1, Ordering::Relaxed);
            }
            None => by_status.push((status, AtomicU64::new(1))),
        }
    }

    /// The request counts in a stable order, for the text format.
    fn request_counts(&self) -> BTreeMap<(String, u16), u64> {
        let map = self.requests.read().unwrap_or_else(PoisonError::into_inner);
        map.iter()
            .flat_map(|(route, by_status)| {
                by_status
                    .iter()
                    .map(|(s, n)| ((route.clone(), *s), n.load(Ordering::Relaxed)))
            })
            .collect()
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP anhorigstod_http_requests_total HTTP requests by route and status."
        );
        let _ = writeln!(out, "# TYPE anhorigstod_http_requests_total counter");
        for ((route, status), n) in self.request_counts() {
            let route = route.replace('\\', "\\\\").replace('"', "\\\"");
            let _ = writeln!(
                out,
                "anhorigstod_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP anhorigstod_http_request_duration_seconds Time to answer a request."
        );
        let _ = writeln!(
            out,
            "# TYPE anhorigstod_http_request_duration_seconds histogram"
        );
        for (i, b) in BUCKETS_MS.iter().enumerate() {
            let n = self.latency_buckets[i].load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "anhorigstod_http_request_duration_seconds_bucket{{le=\"{}\"}} {n}",
                b / 1000.0
            );
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "anhorigstod_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let sum = self.latency_sum_us.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "anhorigstod_http_request_duration_seconds_sum {sum}");
        let _ = writeln!(
            out,
            "anhorigstod_http_request_duration_seconds_count {count}"
        );
        let _ = writeln!(
            out,
            "# HELP anhorigstod_contact_requests_created_total Contact requests stored."
        );
        let _ = writeln!(
            out,
            "# TYPE anhorigstod_contact_requests_created_total counter"
        );
        let _ = writeln!(
            out,
            "anhorigstod_contact_requests_created_total {}",
            self.contact_requests_created.load(Ordering::Relaxed)
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::{may_read, Metrics};
    use std::net::IpAddr;
    use std::time::Duration;

    #[test]
    fn requests_are_counted_per_route_and_status() {
        let m = Metrics::default();
        for _ in 0..3 {
            m.observe("/kommun/{kommunkod}", 200, Duration::from_millis(1));
        }
        m.observe("/kommun/{kommunkod}", 404, Duration::from_millis(1));
        m.observe("/", 200, Duration::from_millis(1));
        let text = m.render();
        assert!(text.contains(
            "anhorigstod_http_requests_total{route=\"/kommun/{kommunkod}\",status=\"200\"} 3"
        ));
        assert!(text.contains(
            "anhorigstod_http_requests_total{route=\"/kommun/{kommunkod}\",status=\"404\"} 1"
        ));
        assert!(text.contains("anhorigstod_http_requests_total{route=\"/\",status=\"200\"} 1"));
        assert!(text.contains("anhorigstod_http_request_duration_seconds_count 5"));
    }

    #[test]
    fn without_a_token_only_this_machine_reads_the_metrics() {
        let local: IpAddr = "127.0.0.1".parse().unwrap_or(IpAddr::from([127, 0, 0, 1]));
        let outside = IpAddr::from([192, 0, 2, 7]);
        assert!(may_read(None, None, Some(local)));
        assert!(may_read(
            None,
            None,
            Some(IpAddr::from([0, 0, 0, 0, 0, 0, 0, 1]))
        ));
        assert!(!may_read(None, None, Some(outside)));
        assert!(!may_read(None, Some("Bearer x"), Some(outside)));
        assert!(!may_read(None, None, None));
    }

    #[test]
    fn with_a_token_only_its_bearer_reads_them_from_anywhere() {
        let outside = IpAddr::from([192, 0, 2, 7]);
        let t = Some("s3cret-token");
        assert!(may_read(t, Some("Bearer s3cret-token"), Some(outside)));
        assert!(!may_read(t, Some("Bearer wrong"), Some(outside)));
        assert!(!may_read(t, Some("s3cret-token"), Some(outside)));
        assert!(!may_read(t, None, Some(IpAddr::from([127, 0, 0, 1]))));
    }
}
