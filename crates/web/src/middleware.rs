//! Cross-cutting layers: a request id, security headers, metrics and an access log that holds
//! no personal data (the route pattern, never the path or query).

use crate::error::ErrorPage;
use crate::http::client::ClientAddr;
use crate::http::StaffSlot;
use crate::AppState;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use rand::RngCore;
use std::net::SocketAddr;
use std::time::Instant;

/// The request's id, for logs and audit rows.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

const CSP: &str =
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'";

pub async fn observe(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    // A clone of the matched path shares its text; nothing is copied per request.
    let matched = req.extensions().get::<MatchedPath>().cloned();
    let route = matched.as_ref().map_or("unmatched", MatchedPath::as_str);
    let request_id = format!("{:016x}", rand::thread_rng().next_u64());
    req.extensions_mut().insert(RequestId(request_id.clone()));
    if let Some(peer) = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
    {
        let client = state.config.trusted_proxies.client(peer, req.headers());
        req.extensions_mut().insert(ClientAddr(client));
    }
    let method = req.method().clone();
    let staff = req.uri().path().starts_with("/personal");
    // Whatever answers a signed-in caller may hold personal data: never stored by a cache.
    let private = staff
        || req.headers().contains_key(header::AUTHORIZATION)
        || crate::staff::auth::cookie_value(req.headers(), crate::staff::auth::SESSION_COOKIE)
            .is_some_and(|v| !v.is_empty());
    let slot = staff.then(StaffSlot::default);
    if let Some(slot) = &slot {
        req.extensions_mut().insert(slot.clone());
    }
    let mut res = next.run(req).await;
    if let Some(page) = res.extensions_mut().remove::<ErrorPage>() {
        res = error_page(&state, res.status(), page, slot.as_ref());
    }
    let h = res.headers_mut();
    h.insert("content-security-policy", HeaderValue::from_static(CSP));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    if state.config.hsts {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    );
    if private {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    } else {
        h.entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-cache"));
    }
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("x-request-id", v);
    }
    let elapsed = started.elapsed();
    let status = res.status().as_u16();
    state.metrics.observe(route, status, elapsed);
    if state.config.access_log {
        tracing::info!(%method, %route, status, micros = elapsed.as_micros() as u64, request_id, "request");
    }
    res
}

/// Renders the page of a [`crate::error::PageError`]: in the staff frame under /personal (with
/// the signed-in member of staff, if any), in the portal's frame elsewhere.
fn error_page(
    state: &AppState,
    status: axum::http::StatusCode,
    page: ErrorPage,
    staff: Option<&StaffSlot>,
) -> Response {
    match staff {
        Some(slot) => crate::staff::message(
            state,
            status,
            page.heading,
            page.staff_text,
            slot.get().map(|c| &c.staff),
        ),
        None => crate::portal::error_page(state, status, page.heading, page.text),
    }
}
