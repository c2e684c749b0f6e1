//! One error type per surface, each rendering itself: [`PageError`] for HTML pages (staff and
//! public) and [`ApiError`] for the JSON API.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde_json::json;

/// The cause of an internal error, kept for the log and never shown.
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

/// Why a page could not be shown. It renders itself: the response carries an [`ErrorPage`]
/// tag that the outermost layer (`middleware::observe`) turns into the localised page of the
/// surface it was asked on, with the staff frame when someone is signed in.
#[derive(Debug)]
pub enum PageError {
    /// No such page, municipality or entry, or not for this member of staff (the same answer).
    NotFound,
    /// Signed in, but the policy does not allow it.
    Forbidden,
    /// Forbidden, with a text (a Fluent id) that says why.
    ForbiddenBecause(&'static str),
    /// Not signed in (or the session ended): to the sign-in page.
    SignIn,
    /// The form's CSRF token does not match the session's.
    Csrf,
    /// The request body is larger than the configured limit.
    TooLarge,
    /// A form that no page of ours sends (a field twice, a value of the wrong kind).
    BadRequest,
    /// A link that no longer works (used, expired or never made): 410 with a text (a Fluent
    /// id) that says what to do instead.
    Gone(&'static str),
    /// Too many anonymous writes from this client or to this municipality: wait this many
    /// seconds.
    TooManyRequests(u64),
    /// A write that needs emergency access first: back to the page that asks for the reason.
    SeeOther(String),
    /// Something failed on our side; the cause goes to the log, never to the visitor.
    Internal(Cause),
}

impl PageError {
    pub fn internal(detail: impl Into<String>) -> Self {
        PageError::Internal(detail.into().into())
    }
}

/// The page to render for a failed request: its heading and text as Fluent ids.
#[derive(Debug, Clone, Copy)]
pub struct ErrorPage {
    pub heading: &'static str,
    pub text: &'static str,
    /// The staff text for this error differs from the public one.
    pub staff_text: &'static str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, page) = match self {
            PageError::SignIn => return Redirect::to("/personal/logga-in").into_response(),
            PageError::SeeOther(to) => return Redirect::to(&to).into_response(),
            PageError::NotFound => (
                StatusCode::NOT_FOUND,
                ErrorPage {
                    heading: "error-not-found-title",
                    text: "error-not-found-text",
                    staff_text: "error-not-found-text",
                },
            ),
            PageError::Forbidden => (
                StatusCode::FORBIDDEN,
                ErrorPage {
                    heading: "forbidden-title",
                    text: "forbidden-text",
                    staff_text: "forbidden-text",
                },
            ),
            PageError::ForbiddenBecause(text) => (
                StatusCode::FORBIDDEN,
                ErrorPage {
                    heading: "forbidden-title",
                    text,
                    staff_text: text,
                },
            ),
            PageError::Csrf => (
                StatusCode::FORBIDDEN,
                ErrorPage {
                    heading: "error-csrf-title",
                    text: "error-csrf",
                    staff_text: "error-csrf",
                },
            ),
            PageError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorPage {
                    heading: "error-internal-title",
                    text: "error-form-too-large",
                    staff_text: "error-form-too-large",
                },
            ),
            PageError::Gone(text) => (
                StatusCode::GONE,
                ErrorPage {
                    heading: "error-gone-title",
                    text,
                    staff_text: text,
                },
            ),
            PageError::TooManyRequests(secs) => {
                let mut r = PageError::page(
                    StatusCode::TOO_MANY_REQUESTS,
                    ErrorPage {
                        heading: "error-too-many-title",
                        text: "error-too-many-text",
                        staff_text: "error-too-many-text",
                    },
                );
                r.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
                return r;
            }
            PageError::BadRequest => (
                StatusCode::BAD_REQUEST,
                ErrorPage {
                    heading: "error-bad-request-title",
                    text: "error-bad-request-text",
                    staff_text: "error-bad-request-text",
                },
            ),
            PageError::Internal(cause) => {
                tracing::error!(error = %cause, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorPage {
                        heading: "error-internal-title",
                        text: "error-internal-text",
                        staff_text: "staff-error-internal-text",
                    },
                )
            }
        };
        PageError::page(status, page)
    }
}

impl PageError {
    fn page(status: StatusCode, page: ErrorPage) -> Response {
        let mut r = status.into_response();
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        r.extensions_mut().insert(page);
        r
    }
}

impl From<store::StoreError> for PageError {
    fn from(e: store::StoreError) -> Self {
        match e {
            store::StoreError::Denied(_) => PageError::Forbidden,
            e => PageError::Internal(Box::new(e)),
        }
    }
}

impl From<askama::Error> for PageError {
    fn from(e: askama::Error) -> Self {
        PageError::Internal(Box::new(e))
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
    /// 429: too many anonymous writes; wait this many seconds.
    TooManyRequests(u64),
    PayloadTooLarge(String),
    BadRequest(String),
    /// 422 with `{"errors": {field: [message, …]}}`, the messages in Swedish.
    Validation(domain::FieldErrors),
    Internal(String),
}

impl From<PageError> for ApiError {
    fn from(e: PageError) -> Self {
        match e {
            PageError::Internal(cause) => ApiError::Internal(cause.to_string()),
            PageError::Forbidden => ApiError::Forbidden(crate::i18n::swedish("forbidden-text")),
            PageError::ForbiddenBecause(text) => ApiError::Forbidden(crate::i18n::swedish(text)),
            PageError::SignIn => ApiError::Unauthorized(crate::i18n::swedish("api-unauthorized")),
            PageError::TooLarge => ApiError::PayloadTooLarge(crate::i18n::swedish("api-too-large")),
            PageError::BadRequest => ApiError::BadRequest(crate::i18n::swedish("api-bad-body")),
            PageError::TooManyRequests(secs) => ApiError::TooManyRequests(secs),
            PageError::Csrf | PageError::NotFound | PageError::SeeOther(_) | PageError::Gone(_) => {
                ApiError::NotFound(crate::i18n::swedish("api-not-found"))
            }
        }
    }
}

impl From<store::StoreError> for ApiError {
    fn from(e: store::StoreError) -> Self {
        match e {
            store::StoreError::Denied(_) => {
                ApiError::Forbidden(crate::i18n::swedish("forbidden-text"))
            }
            e => ApiError::Internal(e.to_string()),
        }
    }
}

/// Field name to its messages, by field name (the body's order before there was one type).
fn validation_body(errors: &domain::FieldErrors) -> serde_json::Map<String, serde_json::Value> {
    errors
        .iter()
        .map(|(field, ids)| {
            let messages = ids
                .iter()
                .map(|id| serde_json::Value::String(crate::i18n::swedish(id)))
                .collect();
            (field.to_owned(), serde_json::Value::Array(messages))
        })
        .collect()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            ApiError::Unauthorized(m) => {
                let mut r = (StatusCode::UNAUTHORIZED, Json(json!({ "error": m }))).into_response();
                r.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"anhorigstod\""),
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
            ApiError::TooManyRequests(secs) => {
                let body = json!({
                    "error": crate::i18n::swedish("api-too-many"),
                    "retry_after": secs,
                });
                let mut r = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
                r.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
                return r;
            }
            ApiError::Validation(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({ "errors": validation_body(&errors) }),
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
