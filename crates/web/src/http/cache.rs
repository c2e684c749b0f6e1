//! A small per-node cache of shared values that go stale after a fixed time: the public
//! content, the activity listings and the public statistics. A node's own changes drop their
//! entry at once (`forget`); other nodes see them after the time to live. [`Rendered`] keeps
//! the bodies rendered from one such value, and goes with it.

use axum::body::Bytes;
use std::borrow::Borrow;
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

pub struct TtlCache<K, V> {
    ttl: Duration,
    entries: RwLock<HashMap<K, (Instant, Arc<V>)>>,
}

impl<K: Eq + Hash, V> TtlCache<K, V> {
    /// A cache whose entries are fresh for `ttl`; zero keeps nothing.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: RwLock::new(HashMap::new()),
        }
    }

    /// The value for `key` if it was stored less than the time to live ago.
    pub fn get<Q>(&self, key: &Q) -> Option<Arc<V>>
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        self.get_at(key, Instant::now())
    }

    fn get_at<Q>(&self, key: &Q, now: Instant) -> Option<Arc<V>>
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        // A panic elsewhere leaves the map as it was: keep using it.
        let map = self.entries.read().unwrap_or_else(PoisonError::into_inner);
        map.get(key)
            .filter(|(at, _)| now.saturating_duration_since(*at) < self.ttl)
            .map(|(_, v)| v.clone())
    }

    /// Stores `value` for `key` from now on, and returns it shared.
    pub fn insert(&self, key: K, value: V) -> Arc<V> {
        self.insert_at(key, value, Instant::now())
    }

    fn insert_at(&self, key: K, value: V, now: Instant) -> Arc<V> {
        let value = Arc::new(value);
        let mut map = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        // Expired entries go on every insert, so keys asked for once do not pile up.
        map.retain(|_, (at, _)| now.saturating_duration_since(*at) < self.ttl);
        map.insert(key, (now, value.clone()));
        value
    }

    /// The fresh value for `key`, or the one `load` gives, stored. An error stores nothing.
    /// Two requests that miss at once both load (no single flight: loads are cheap reads).
    pub async fn get_or_try_insert<E>(
        &self,
        key: K,
        load: impl Future<Output = Result<V, E>>,
    ) -> Result<Arc<V>, E> {
        if let Some(v) = self.get(&key) {
            return Ok(v);
        }
        Ok(self.insert(key, load.await?))
    }

    /// Drops the entry for `key`, so that the next read loads it afresh.
    pub fn forget<Q>(&self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        let mut map = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        map.remove(key);
    }

    /// Drops every entry.
    pub fn clear(&self) {
        let mut map = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        map.clear();
    }
}

/// Response bodies rendered from one cached value, by what else they depend on (a query, an
/// id). Held inside that value, they are dropped with it: they can be no staler than it is.
/// The keys come from visitors, so only the first [`Rendered::MAX`] are kept; the rest are
/// rendered on each request.
#[derive(Default)]
pub struct Rendered {
    bodies: RwLock<HashMap<String, Bytes>>,
}

impl Rendered {
    pub const MAX: usize = 64;

    /// The body kept for `key`, or the one `render` gives, kept. An error keeps nothing.
    pub fn get_or_render<E>(
        &self,
        key: &str,
        render: impl FnOnce() -> Result<Bytes, E>,
    ) -> Result<Bytes, E> {
        {
            let bodies = self.bodies.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(body) = bodies.get(key) {
                return Ok(body.clone());
            }
        }
        let body = render()?;
        let mut bodies = self.bodies.write().unwrap_or_else(PoisonError::into_inner);
        if bodies.len() < Self::MAX {
            bodies.insert(key.to_owned(), body.clone());
        }
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const TTL: Duration = Duration::from_secs(5);

    #[test]
    fn an_entry_is_fresh_for_the_time_to_live_and_not_after() {
        let c: TtlCache<String, u32> = TtlCache::new(TTL);
        let t0 = Instant::now();
        c.insert_at("0180".into(), 7, t0);
        assert_eq!(c.get_at("0180", t0).as_deref(), Some(&7));
        let just_before = t0 + TTL - Duration::from_millis(1);
        assert_eq!(c.get_at("0180", just_before).as_deref(), Some(&7));
        assert_eq!(c.get_at("0180", t0 + TTL), None);
        assert_eq!(c.get_at("0380", t0), None);
    }

    #[test]
    fn a_zero_time_to_live_keeps_nothing() {
        let c: TtlCache<&str, u32> = TtlCache::new(Duration::ZERO);
        let t0 = Instant::now();
        c.insert_at("a", 1, t0);
        assert_eq!(c.get_at("a", t0), None);
    }

    #[test]
    fn forget_drops_one_entry_and_clear_all() {
        let c: TtlCache<(String, i32), u32> = TtlCache::new(TTL);
        c.insert(("0180".into(), 2026), 1);
        c.insert(("0380".into(), 2026), 2);
        c.forget(&("0180".to_owned(), 2026));
        assert_eq!(c.get(&("0180".to_owned(), 2026)), None);
        assert_eq!(c.get(&("0380".to_owned(), 2026)).as_deref(), Some(&2));
        c.clear();
        assert_eq!(c.get(&("0380".to_owned(), 2026)), None);
    }

    #[test]
    fn an_insert_drops_expired_entries() {
        let c: TtlCache<&str, u32> = TtlCache::new(TTL);
        let t0 = Instant::now();
        c.insert_at("old", 1, t0);
        c.insert_at("new", 2, t0 + TTL);
        let map = c.entries.read().unwrap();
        assert!(!map.contains_key("old"));
        assert!(map.contains_key("new"));
    }

    #[tokio::test]
    async fn a_miss_loads_once_and_a_hit_does_not_load() {
        let c: TtlCache<&str, u32> = TtlCache::new(TTL);
        let v = c.get_or_try_insert("a", async { Ok::<_, ()>(1) }).await;
        assert_eq!(v.as_deref(), Ok(&1));
        let v = c.get_or_try_insert("a", async { Ok::<_, ()>(2) }).await;
        assert_eq!(v.as_deref(), Ok(&1), "a fresh entry is not loaded again");
        let e = c
            .get_or_try_insert("b", async { Err::<u32, _>("down") })
            .await;
        assert_eq!(e, Err("down"));
        assert_eq!(c.get("b"), None, "an error stores nothing");
    }

    #[test]
    fn a_rendered_body_is_kept_per_key_and_only_so_many_keys_are_kept() {
        let r = Rendered::default();
        let renders = std::cell::Cell::new(0);
        let get = |key: &str| {
            r.get_or_render(key, || {
                renders.set(renders.get() + 1);
                Ok::<_, ()>(Bytes::from(format!("body of {key}")))
            })
            .unwrap()
        };
        assert_eq!(get("a"), Bytes::from("body of a"));
        assert_eq!(get("a"), Bytes::from("body of a"));
        assert_eq!(get("b"), Bytes::from("body of b"));
        for i in 0..2 * Rendered::MAX {
            get(&format!("q{i}"));
        }
        let before = renders.get();
        get("a");
        get("q0");
        assert_eq!(renders.get(), before, "the first keys stay");
        get(&format!("q{}", 2 * Rendered::MAX - 1));
        assert_eq!(
            renders.get(),
            before + 1,
            "a key past the bound is rendered each time"
        );
    }

    #[test]
    fn a_failed_render_keeps_nothing() {
        let r = Rendered::default();
        assert_eq!(
            r.get_or_render("a", || Err::<Bytes, _>("broken")),
            Err("broken")
        );
        assert_eq!(
            r.get_or_render("a", || Ok::<_, &str>(Bytes::from("fine"))),
            Ok(Bytes::from("fine"))
        );
    }
}
