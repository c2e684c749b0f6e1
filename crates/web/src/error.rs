//! Errors of the web layer, one enum, each with its status and its answer in HTML or JSON.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::json;

#[derive(Debug)]
pub enum WebError {
    /// No such page, municipality or entry.
    NotFound,
    /// Something failed on our side; the detail goes to the log, never to the visitor.
    Internal(String),
}

impl From<store::StoreError> for WebError {
    fn from(e: store::StoreError) -> Self {
        WebError::Internal(e.to_string())
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> Self {
        WebError::Internal(e.to_string())
    }
}

/// An HTML page for an error, rendered with the portal's layout.
pub struct HtmlError {
    pub status: StatusCode,
    pub body: String,
}

impl IntoResponse for HtmlError {
    fn into_response(self) -> Response {
        (self.status, Html(self.body)).into_response()
    }
}

/// The JSON API's errors: `{"error": "..."}` with a status, or 422 with field errors.
#[derive(Debug)]
pub enum ApiError {
    /// No valid token or session.
    Unauthorized(String),
    /// Signed in, but the token's scopes do not allow this.
    Forbidden(String),
    NotFound(String),
    /// The request clashes with the resource's state (a link already used).
    Conflict(String),
    UnsupportedMediaType(String),
    PayloadTooLarge(String),
    BadRequest(String),
    Validation(std::collections::BTreeMap<String, Vec<String>>),
    Internal(String),
}

impl From<WebError> for ApiError {
    fn from(e: WebError) -> Self {
        match e {
            WebError::NotFound => ApiError::NotFound(crate::i18n::swedish("api-not-found")),
            WebError::Internal(m) => ApiError::Internal(m),
        }
    }
}

impl From<store::StoreError> for ApiError {
    fn from(e: store::StoreError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            ApiError::Unauthorized(m) => {
                let mut r = (StatusCode::UNAUTHORIZED, Json(json!({ "error": m }))).into_response();
                r.headers_mut().insert(
                    axum::http::header::WWW_AUTHENTICATE,
                    axum::http::HeaderValue::from_static("Bearer realm=\"anhorigstod\""),
                );
                return r;
            }
            ApiError::Forbidden(m) => (StatusCode::FORBIDDEN, json!({ "error": m })),
            ApiError::NotFound(m) => (StatusCode::NOT_FOUND, json!({ "error": m })),
            ApiError::Conflict(m) => (StatusCode::CONFLICT, json!({ "error": m })),
            ApiError::UnsupportedMediaType(m) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, json!({ "error": m }))
            }
            ApiError::PayloadTooLarge(m) => (StatusCode::PAYLOAD_TOO_LARGE, json!({ "error": m })),
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, json!({ "error": m })),
            ApiError::Validation(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({ "errors": errors }),
            ),
            ApiError::Internal(detail) => {
                tracing::error!(error = %detail, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    json!({ "error": crate::i18n::swedish("api-internal") }),
                )
            }
        };
        (status, Json(body)).into_response()
    }
}
