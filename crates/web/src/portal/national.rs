//! The start page, the choice of municipality, the national view and the general pages.

use super::municipality_pages::{entry_page, ContentPageView};
use super::{query_pairs, query_value, render, Layout};
use crate::content::{self};
use crate::error::PageError;
use crate::http::paths::SlugPath;
use crate::markdown;
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use domain::catalogue::{CatalogueEntry, Track};
use domain::Municipality;
use pulldown_cmark::HeadingLevel;

// ---- Start, choice of municipality, national view ----

#[derive(Template)]
#[template(path = "start.html")]
struct StartPage<'a> {
    l: Layout<'a>,
    regions: Vec<(String, String, Vec<&'a Municipality>)>,
}

pub(super) async fn start(State(state): State<AppState>) -> Response {
    if let Some(html) = state.fixed.start_page.get() {
        return html_bytes(html.clone());
    }
    let t = &state.t;
    let regions = state
        .kommuner
        .by_region()
        .into_iter()
        .map(|(c, n, ms)| {
            let served = ms
                .into_iter()
                .filter(|m| state.config.serves(m.kommunkod.as_str()));
            (c, n, served.collect::<Vec<_>>())
        })
        .filter(|(_, _, ms)| !ms.is_empty())
        .collect();
    let p = StartPage {
        l: Layout::new(t, t.get("start-title"), None),
        regions,
    };
    match p.render() {
        // The page depends only on configuration: render it once.
        Ok(html) => html_bytes(
            state
                .fixed
                .start_page
                .get_or_init(|| Bytes::from(html))
                .clone(),
        ),
        Err(e) => PageError::from(e).into_response(),
    }
}

fn html_bytes(body: Bytes) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

pub(super) async fn choose(State(state): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let code = query_value(&query_pairs(&q), "kommun");
    if state.kommuner.get(&code).is_some() && state.config.serves(&code) {
        Redirect::to(&format!("/kommun/{code}")).into_response()
    } else {
        Redirect::to("/#valj-kommun").into_response()
    }
}

#[derive(Template)]
#[template(path = "national.html")]
struct NationalPage<'a> {
    l: Layout<'a>,
    benefits: Vec<&'a CatalogueEntry>,
    organisations: Vec<&'a CatalogueEntry>,
}

pub(super) async fn national(State(state): State<AppState>) -> Result<Response, PageError> {
    let t = &state.t;
    let all = content::national_entries(&state.national_catalogue);
    let p = NationalPage {
        l: Layout::new(t, t.get("national-title"), None)
            .crumb(t.get("national-title"), "/nationellt".into()),
        benefits: all
            .iter()
            .copied()
            .filter(|e| e.track == Track::National)
            .collect(),
        organisations: all
            .iter()
            .copied()
            .filter(|e| e.track == Track::Organisation)
            .collect(),
    };
    render(&p)
}

pub(super) async fn national_entry(
    State(state): State<AppState>,
    Path(SlugPath { slug }): Path<SlugPath>,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let e = state
        .national_catalogue
        .entries
        .iter()
        .find(|e| e.slug == slug)
        .ok_or(PageError::NotFound)?;
    let t = &state.t;
    let l = Layout::new(t, e.title.clone(), None)
        .crumb(t.get("national-title"), "/nationellt".into())
        .crumb(e.title.clone(), format!("/nationellt/stod/{}", e.slug));
    render(&entry_page(&state, l, e, &q))
}

/// Pages that hold for every municipality (privacy, accessibility), from the shipped texts.
pub(super) async fn general_page(
    State(state): State<AppState>,
    Path(SlugPath { slug }): Path<SlugPath>,
) -> Result<Response, PageError> {
    let t = &state.t;
    let p = state
        .default_catalogue
        .pages
        .iter()
        .find(|p| p.slug == slug && content::GENERAL_PAGES.contains(&p.slug.as_str()))
        .ok_or(PageError::NotFound)?;
    let mut p = p.clone();
    let (kommun, board) = (t.get("generic-municipality"), t.get("generic-board"));
    p.title = domain::catalogue::fill_placeholders(&p.title, &kommun, &board);
    p.body = domain::catalogue::fill_placeholders(&p.body, &kommun, &board);
    let l = Layout::new(t, p.title.clone(), None).crumb(p.title.clone(), format!("/om/{}", p.slug));
    render(&ContentPageView {
        body_html: markdown::to_html(&p.body, HeadingLevel::H2),
        page: &p,
        l,
        c: None,
    })
}
