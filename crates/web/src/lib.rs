//! HTTP: the public portal (server-rendered HTML that works without JavaScript) and the JSON
//! API under /api/v1. Handlers parse input into domain types, call one shared function per
//! action, and render; no business rule lives here.

pub mod activities;
pub mod api;
pub mod apply;
pub mod assessed;
pub mod changes;
pub mod contact;
pub mod content;
pub mod conversations;
pub mod documents;
pub mod error;
pub mod form_errors;
pub mod http;
pub mod i18n;
pub mod mails;
mod markdown;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod portal;
pub mod reports;
pub mod staff;
pub mod stats;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use domain::catalogue::Catalogue;
use domain::clock::Clock;
use domain::law::LawTable;
use domain::Municipality;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

/// Which municipalities this deployment serves.
#[derive(Debug, Clone)]
pub enum Served {
    All,
    Only(HashSet<String>),
}

#[derive(Debug, Clone)]
pub struct WebConfig {
    pub served: Served,
    pub access_log: bool,
    pub content_ttl: Duration,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Cookies only over HTTPS. Off only for plain-HTTP local use and tests.
    pub secure_cookies: bool,
    pub hash_cost: staff::auth::HashCost,
    /// Where the public reaches this deployment, for links in e-mails and calendars.
    pub public_url: String,
    /// How long a node keeps a municipality's activities for the public pages.
    pub activities_ttl: Duration,
    /// `/metrics` answers only with `Authorization: Bearer <token>` when set, and only to
    /// loopback clients when not.
    pub metrics_token: Option<String>,
    /// Send `Strict-Transport-Security` (behind HTTPS only).
    pub hsts: bool,
    /// Anonymous writes per client address per minute; `0` turns the limit off.
    pub rate_limit_per_minute: u32,
    /// Anonymous writes per municipality per minute, over all clients; `0` turns it off.
    pub rate_limit_municipality_per_minute: u32,
    /// The reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: http::TrustedProxies,
    /// The municipality's own retention time for the open support, in months (else the
    /// law table's).
    pub retention_open_support_months: Option<u32>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            served: Served::All,
            access_log: true,
            content_ttl: content::DEFAULT_TTL,
            max_body_bytes: 64 * 1024,
            secure_cookies: true,
            hash_cost: staff::auth::HashCost::Standard,
            public_url: "http://127.0.0.1:8080".into(),
            activities_ttl: Duration::from_secs(2),
            metrics_token: None,
            hsts: false,
            rate_limit_per_minute: 20,
            rate_limit_municipality_per_minute: 600,
            trusted_proxies: http::TrustedProxies::default(),
            retention_open_support_months: None,
        }
    }
}

impl WebConfig {
    pub fn serves(&self, kommunkod: &str) -> bool {
        match &self.served {
            Served::All => true,
            Served::Only(set) => set.contains(kommunkod),
        }
    }
}

/// The 290 municipalities, indexed, and the 21 regions in code order.
pub struct Kommuner {
    pub list: Vec<Municipality>,
    by_code: HashMap<String, usize>,
}

impl Kommuner {
    pub fn new(list: Vec<Municipality>) -> Self {
        let by_code = list
            .iter()
            .enumerate()
            .map(|(i, m)| (m.kommunkod.as_str().to_owned(), i))
            .collect();
        Self { list, by_code }
    }

    pub fn get(&self, code: &str) -> Option<&Municipality> {
        self.by_code.get(code).map(|&i| &self.list[i])
    }

    /// (region code, region name, its municipalities by name).
    pub fn by_region(&self) -> Vec<(String, String, Vec<&Municipality>)> {
        let mut out: Vec<(String, String, Vec<&Municipality>)> = Vec::new();
        for m in &self.list {
            match out.iter_mut().find(|(c, _, _)| *c == m.region_code) {
                Some((_, _, v)) => v.push(m),
                None => out.push((m.region_code.clone(), m.region_name.clone(), vec![m])),
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        for (_, _, v) in &mut out {
            v.sort_by(|a, b| a.name.cmp(&b.name));
        }
        out
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: store::Db,
    pub clock: Arc<dyn Clock>,
    pub t: Arc<i18n::I18n>,
    pub t_en: Arc<i18n::I18n>,
    pub config: Arc<WebConfig>,
    pub kommuner: Arc<Kommuner>,
    pub law: Arc<LawTable>,
    pub default_catalogue: Arc<Catalogue>,
    pub national_catalogue: Arc<Catalogue>,
    pub national_index: Arc<content::NationalIndex>,
    pub content: Arc<content::ContentCache>,
    pub activities: Arc<activities::ActivityCache>,
    pub public_stats: Arc<stats::PublicCache>,
    pub metrics: Arc<metrics::Metrics>,
    pub limits: Arc<http::throttle::Limits>,
    /// Answers that never change while the process runs (the start page, the municipality
    /// list), rendered on first use.
    pub fixed: Arc<Fixed>,
}

#[derive(Default)]
pub struct Fixed {
    pub start_page: std::sync::OnceLock<axum::body::Bytes>,
    pub municipalities_json: std::sync::OnceLock<axum::body::Bytes>,
}

impl AppState {
    /// The texts in a language ("en" or, by default, Swedish).
    pub fn texts(&self, lang: &str) -> &i18n::I18n {
        if lang == "en" {
            &self.t_en
        } else {
            &self.t
        }
    }
}

#[derive(Debug)]
pub struct SetupError(pub String);

impl std::fmt::Display for SetupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl AppState {
    /// Builds the state from an open, migrated database.
    pub async fn new(
        db: store::Db,
        clock: Arc<dyn Clock>,
        config: WebConfig,
    ) -> Result<Self, SetupError> {
        let err = |e: &dyn std::fmt::Display| SetupError(e.to_string());
        let list = store::municipalities::list(&db)
            .await
            .map_err(|e| err(&e))?;
        let shipped = domain::catalogue::shipped_municipal().map_err(|e| err(&e))?;
        let national = domain::catalogue::shipped_national().map_err(|e| err(&e))?;
        let t = i18n::I18n::swedish().map_err(|e| err(&e))?;
        let national_index = content::NationalIndex::new(
            &national,
            &shipped,
            &t.get("generic-municipality"),
            &t.get("generic-board"),
        );
        let (content_ttl, activities_ttl) = (config.content_ttl, config.activities_ttl);
        let limits = http::throttle::Limits::per_minute(
            config.rate_limit_per_minute,
            config.rate_limit_municipality_per_minute,
        );
        Ok(Self {
            db,
            clock,
            t: Arc::new(t),
            t_en: Arc::new(i18n::I18n::english().map_err(|e| err(&e))?),
            national_index: Arc::new(national_index),
            config: Arc::new(config),
            kommuner: Arc::new(Kommuner::new(list)),
            law: Arc::new(LawTable::shipped().map_err(|e| err(&e))?),
            default_catalogue: Arc::new(Catalogue::default_for_new_municipality(&shipped)),
            national_catalogue: Arc::new(national),
            content: Arc::new(content::ContentCache::new(content_ttl)),
            activities: Arc::new(activities::ActivityCache::new(activities_ttl)),
            public_stats: Arc::new(stats::PublicCache::new(stats::PUBLIC_TTL)),
            metrics: Arc::new(metrics::Metrics::default()),
            limits: Arc::new(limits),
            fixed: Arc::new(Fixed::default()),
        })
    }
}

/// The whole application: each module brings its own router.
pub fn app(state: AppState) -> Router {
    let limit = state.config.max_body_bytes;
    Router::new()
        .merge(portal::router())
        .merge(apply::router())
        .merge(activities::router())
        .merge(conversations::router())
        .merge(stats::router())
        .merge(api::router())
        .merge(staff::router())
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::observe,
        ))
        .with_state(state)
}
