//! The staff workspace (HTML under /personal): sign-in, the inbox, and the items in it.
//! Every page checks the session, then the policy (`domain::policy::can`), then reads through
//! the store, which logs the read.

pub mod auth;
mod pages;

use crate::AppState;
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/personal", get(pages::home))
        .route(
            "/personal/logga-in",
            get(pages::sign_in_form).post(pages::sign_in),
        )
        .route(
            "/personal/tvastegs",
            get(pages::code_form).post(pages::code),
        )
        .route(
            "/personal/tvastegs/aktivera",
            get(pages::enrol_form).post(pages::enrol),
        )
        .route("/personal/logga-ut", post(pages::sign_out))
        .route("/personal/inkorg", get(pages::inbox))
        .route("/personal/inkorg/{id}", get(pages::inbox_item))
        .route("/personal/inkorg/{id}/tilldela", post(pages::assign))
}
