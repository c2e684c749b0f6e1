//! The request path every handler shares: extractors for the request context (who is
//! signed in, the CSRF-checked form, the policy's answer, typed ids), a small TTL cache, and
//! the PDF answer both the decision documents and the reports send.
//! A handler body is then "extract, call, render".

pub mod api;
pub mod cache;
pub mod client;
pub mod extract;
pub mod ids;
pub(crate) mod paths;
pub mod throttle;

use axum::http::header;
use axum::response::{IntoResponse, Response};

pub use client::{ClientAddr, TrustedProxies};
pub use extract::{
    Allowed, AnonymousOrigin, CaseAccess, Id, PendingSession, PlainForm, PublicOrigin, StaffCtx,
    StaffForm, StaffSlot, Visible,
};

/// A PDF answer: never cached, shown in the browser, with a file name.
pub fn pdf_response(bytes: Vec<u8>, file_name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{file_name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}
