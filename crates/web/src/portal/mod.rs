//! The public portal: server-rendered Swedish pages that work with JavaScript off.
//!
//! One file per part of the portal: the start page and the national view, search, a
//! municipality's pages, the contact request form, and the operations endpoints.

mod contact_form;
mod municipality_pages;
mod national;
mod operations;
mod search;

pub use contact_form::{raw_from_form, Choice};
pub use municipality_pages::{kronor, RuleView, TrackGroup};
pub use search::HitView;

use contact_form::{form, form_done, form_submit};
use municipality_pages::{contact, economic, entry, overview, page, support_list};
use national::{choose, general_page, national, national_entry, start};
use operations::{css, healthz, metrics};
use search::search;

use crate::content::{self, MunicipalityContent};
use crate::error::PageError;
use crate::i18n::I18n;
use crate::AppState;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use domain::Municipality;
use std::sync::Arc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(start))
        .route("/valj", get(choose))
        .route("/sok", get(search))
        .route("/nationellt", get(national))
        .route("/nationellt/stod/{slug}", get(national_entry))
        .route("/om/{slug}", get(general_page))
        .route("/kommun/{kommunkod}", get(overview))
        .route("/kommun/{kommunkod}/stod", get(support_list))
        .route("/kommun/{kommunkod}/stod/{slug}", get(entry))
        .route("/kommun/{kommunkod}/ekonomiskt-stod", get(economic))
        .route("/kommun/{kommunkod}/kontakt", get(contact))
        .route("/kommun/{kommunkod}/sida/{slug}", get(page))
        .route(
            "/kommun/{kommunkod}/be-om-samtal",
            get(form).post(form_submit),
        )
        .route(
            "/kommun/{kommunkod}/be-om-samtal/skickad/{reference}",
            get(form_done),
        )
        .route("/static/app.css", get(css))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .fallback(fallback)
}

/// What every page's frame needs.
pub struct Layout<'a> {
    pub t: &'a I18n,
    pub title: String,
    pub kommun: Option<&'a Municipality>,
    /// Breadcrumbs after the start page: (label, link).
    pub crumbs: Vec<(String, String)>,
}

impl<'a> Layout<'a> {
    pub(crate) fn new(t: &'a I18n, title: String, kommun: Option<&'a Municipality>) -> Self {
        let mut crumbs = Vec::new();
        if let Some(m) = kommun {
            crumbs.push((m.name.clone(), format!("/kommun/{}", m.kommunkod)));
        }
        Self {
            t,
            title,
            kommun,
            crumbs,
        }
    }

    pub(crate) fn crumb(mut self, label: String, href: String) -> Self {
        self.crumbs.push((label, href));
        self
    }

    /// A `tel:` link target: the digits and a leading plus.
    pub fn tel(&self, phone: &str) -> String {
        phone
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect()
    }

    pub fn base(&self) -> String {
        self.kommun
            .map_or_else(String::new, |m| format!("/kommun/{}", m.kommunkod))
    }
}

pub(super) fn render(t: &impl Template) -> Result<Response, PageError> {
    Ok(Html(t.render()?).into_response())
}

/// A page that depends only on the municipality's content and on `key`: rendered once per
/// load of the content and kept with it.
pub(super) fn render_once<T: Template>(
    c: &MunicipalityContent,
    key: &str,
    page: impl FnOnce() -> T,
) -> Result<Response, PageError> {
    let body = c
        .rendered
        .get_or_render(key, || page().render().map(axum::body::Bytes::from))?;
    Ok(Html(body).into_response())
}

/// A public error page, in the portal's frame.
pub(crate) fn error_page(
    state: &AppState,
    status: StatusCode,
    heading: &str,
    text: &str,
) -> Response {
    let t = &state.t;
    let body = ErrorPage {
        l: Layout::new(t, t.get(heading), None),
        heading: t.get(heading),
        text: t.get(text),
    }
    .render();
    match body {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "error page");
            status.into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    l: Layout<'a>,
    heading: String,
    text: String,
}

async fn fallback() -> PageError {
    PageError::NotFound
}

pub(crate) async fn municipality(
    state: &AppState,
    kommunkod: &str,
) -> Result<Arc<MunicipalityContent>, PageError> {
    content::load(state, kommunkod)
        .await?
        .ok_or(PageError::NotFound)
}

/// Query pairs, repeated keys kept (`del=a&del=b`).
pub(crate) fn query_pairs(q: &Option<String>) -> Vec<(String, String)> {
    q.as_deref()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default()
}

pub(super) fn query_value(pairs: &[(String, String)], key: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default()
}
