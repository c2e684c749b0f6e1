//! The staff workspace (HTML under /personal): sign-in, the inbox, and the items in it.
//! Every page checks the session, then the policy (`domain::policy::can`), then reads through
//! the store, which logs the read.

mod account;
mod activities;
mod admin;
mod assessed;
pub mod auth;
mod cases;
mod confirm;
mod conversations;
mod inbox;
mod pages;
mod persons;
mod registration;
mod reports;
mod retention;
mod review;
mod signin;
mod stats;
mod support_contact;

pub(crate) use pages::message;

use crate::AppState;
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/personal", get(signin::home))
        .route(
            "/personal/logga-in",
            get(signin::sign_in_form).post(signin::sign_in),
        )
        .route(
            "/personal/tvastegs",
            get(signin::code_form).post(signin::code),
        )
        .route(
            "/personal/tvastegs/aktivera",
            get(signin::enrol_form).post(signin::enrol),
        )
        .route("/personal/logga-ut", post(signin::sign_out))
        .route(
            "/personal/konto",
            get(account::account).post(account::change_password),
        )
        .route(
            "/personal/nytt-losenord/{token}",
            get(account::link_form).post(account::set_by_link),
        )
        .route("/personal/sprak", post(signin::set_language))
        .route("/personal/inkorg", get(inbox::inbox))
        .route("/personal/inkorg/{id}", get(inbox::inbox_item))
        .route("/personal/inkorg/{id}/tilldela", post(inbox::assign))
        .route("/personal/inkorg/{id}/avsluta", post(inbox::close))
        .route("/personal/arenden", get(cases::list).post(cases::create))
        .route("/personal/arenden/nytt", get(cases::new_form))
        .route("/personal/arenden/{id}", get(cases::show))
        .route("/personal/arenden/{id}/nodatkomst", post(cases::emergency))
        .route(
            "/personal/arenden/{id}/anteckningar",
            post(cases::add_entry),
        )
        .route(
            "/personal/arenden/{id}/anteckningar/{entry}/felmarkera",
            post(cases::mark_wrong),
        )
        .route("/personal/arenden/{id}/utdrag", get(cases::extract))
        .route("/personal/arenden/{id}/bistand", get(assessed::show))
        .route(
            "/personal/arenden/{id}/bistand/{action}",
            post(assessed::post_case),
        )
        .route(
            "/personal/beslut/{id}/{action}",
            post(assessed::post_decision),
        )
        .route(
            "/personal/overklaganden/{id}/{action}",
            post(assessed::post_appeal),
        )
        .route("/personal/ansokningar/{id}/ta", post(assessed::take))
        .route(
            "/personal/ansokningar/ny",
            get(registration::new_application).post(registration::register_application),
        )
        .route(
            "/personal/admin/brevtexter",
            get(registration::letter_blocks).post(registration::save_letter_block),
        )
        .route(
            "/personal/aktiviteter",
            get(activities::list).post(activities::create),
        )
        .route("/personal/aktiviteter/ny", get(activities::new_form))
        .route("/personal/aktiviteter/{id}", get(activities::show))
        .route(
            "/personal/aktiviteter/{id}/andra",
            get(activities::edit_form),
        )
        .route(
            "/personal/aktiviteter/{id}/{action}",
            post(activities::post),
        )
        .route("/personal/samtal", get(conversations::show))
        .route("/personal/samtal/{action}", post(conversations::post))
        .route(
            "/personal/admin/oppet-stod",
            get(conversations::settings).post(conversations::save_settings),
        )
        .route("/personal/stodkontakt", get(support_contact::show))
        .route("/personal/stodkontakt/erbjud", post(support_contact::offer))
        .route(
            "/personal/stodkontakt/{id}/svar",
            post(support_contact::answer),
        )
        .route("/personal/oppet-stod/statistik", get(stats::show))
        .route("/personal/oppet-stod/statistik.csv", get(stats::download))
        .route("/personal/bevakning", get(reports::watch))
        .route("/personal/rapporter", get(reports::reports))
        .route("/personal/rapporter/{file}", get(reports::download))
        .route("/personal/beslut/{id}/beslut.pdf", get(assessed::letter))
        .route(
            "/personal/overklaganden/{id}/akt.pdf",
            get(assessed::package),
        )
        .route("/personal/arenden/{id}/status", post(cases::set_status))
        .route(
            "/personal/personer/{id}/relationer",
            post(persons::add_relation),
        )
        .route("/personal/personer", get(persons::search))
        .route(
            "/personal/personer/ny",
            get(persons::new_person_form).post(persons::create_person),
        )
        .route("/personal/personer/{id}", get(persons::person))
        .route(
            "/personal/personer/{id}/sammanfoga/{other}",
            get(persons::merge_form),
        )
        .route("/personal/personer/{id}/sammanfoga", post(persons::merge))
        .route("/personal/logg", get(review::review))
        .route("/personal/gallring", get(retention::show))
        .route(
            "/personal/admin/anvandare",
            get(admin::list).post(admin::add),
        )
        .route("/personal/admin/anvandare/{id}/{what}", post(admin::change))
}
