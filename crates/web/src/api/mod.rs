//! The JSON API under /api/v1: the public part (municipalities, catalogues, contact requests,
//! activities and sign-ups, applications) and the staff part (cases, persons, assessed
//! support), which answers only with `Authorization: Bearer <token>` or a signed-in session.
//! Each part registers its routes with their OpenAPI documentation (`crate::api_routes!`);
//! here they are joined, with the helpers they share.

pub mod activities;
pub mod assessed;
pub mod cases;
pub mod persons;
pub mod public;

use crate::error::ApiError;
use crate::AppState;
use axum::body::Bytes;
use axum::http::{header, HeaderMap};
use serde_json::{Map, Value};

/// Every API route.
pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .merge(activities::router())
        .merge(public::router())
        .merge(cases::router())
        .merge(persons::router())
        .merge(assessed::router())
}

/// Every API operation with its documentation, for the OpenAPI document.
pub fn operations() -> Vec<crate::openapi::Operation> {
    [
        public::operations(),
        cases::operations(),
        persons::operations(),
        assessed::operations(),
        activities::operations(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Header carrying the reason for emergency access to a case outside one's own.
pub const EMERGENCY_HEADER: &str = "anhorigstod-emergency-reason";

pub(crate) fn not_found(state: &AppState) -> ApiError {
    ApiError::NotFound(state.t.get("api-not-found"))
}

/// A JSON object body, with the same errors as the public API.
pub(crate) fn json_body(
    state: &AppState,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Map<String, Value>, ApiError> {
    let t = &state.t;
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
        });
    if !is_json {
        return Err(ApiError::UnsupportedMediaType(t.get("api-content-type")));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::BadRequest(t.get("api-not-object"))),
        Err(e) => Err(ApiError::BadRequest(t.get1(
            "api-malformed-json",
            "detail",
            &e.to_string(),
        ))),
    }
}

pub(crate) fn str_field(m: &Map<String, Value>, k: &str) -> Result<String, &'static str> {
    match m.get(k) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err("error-type-string"),
    }
}
