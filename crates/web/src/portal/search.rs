//! Search over the national and municipal texts.

use super::{query_pairs, query_value, render, Layout};
use crate::content::{self, HitKind};
use crate::error::PageError;
use crate::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;

// ---- Search ----

pub struct HitView {
    pub href: String,
    pub title: String,
    pub summary: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage<'a> {
    l: Layout<'a>,
    query: String,
    query_encoded: String,
    hits: Vec<HitView>,
    searched: bool,
}

pub(super) async fn search(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let pairs = query_pairs(&q);
    let query: String = query_value(&pairs, "q").chars().take(200).collect();
    let code = query_value(&pairs, "kommun");
    let t = &state.t;
    let c = if code.is_empty() {
        None
    } else {
        content::load(&state, &code).await?
    };
    let hits = match &c {
        Some(c) => content::search(c, &query)
            .into_iter()
            .map(|h| HitView {
                href: match h.kind {
                    HitKind::Entry => format!("/kommun/{code}/stod/{}", h.slug),
                    HitKind::Page => special_page_href(&code, h.slug),
                },
                title: h.title.to_owned(),
                summary: h.summary.to_owned(),
            })
            .collect(),
        // No municipality chosen: municipalities by name, then national content.
        None => {
            let terms = content::terms(&query);
            let places = state
                .kommuner
                .list
                .iter()
                .filter(|m| state.config.serves(m.kommunkod.as_str()))
                .filter(|m| {
                    let name = content::fold(&m.name);
                    terms
                        .iter()
                        .any(|t| name.split_whitespace().any(|w| w.starts_with(t.as_str())))
                })
                .map(|m| HitView {
                    href: format!("/kommun/{}", m.kommunkod),
                    title: t.get1("search-hit-municipality", "kommun", &m.name),
                    summary: t.get1("search-hit-municipality-summary", "region", &m.region_name),
                });
            let national = content::search_in(
                &state.national_index.entries,
                &state.national_index.pages,
                &query,
            )
            .into_iter()
            .map(|h| HitView {
                href: match h.kind {
                    HitKind::Entry => format!("/nationellt/stod/{}", h.slug),
                    HitKind::Page => format!("/om/{}", h.slug),
                },
                title: h.title.to_owned(),
                summary: h.summary.to_owned(),
            });
            places.chain(national).collect()
        }
    };
    let kommun = c.as_ref().map(|c| &c.municipality);
    let title = if query.is_empty() {
        t.get("search-title")
    } else {
        t.get1("search-title-for", "query", &query)
    };
    let p = SearchPage {
        l: Layout::new(t, title, kommun).crumb(t.get("search-title"), "/sok".into()),
        searched: !query.is_empty() && (c.is_some() || code.is_empty()),
        query_encoded: form_urlencoded::byte_serialize(query.as_bytes()).collect(),
        query,
        hits,
    };
    render(&p)
}

/// Pages with a page of their own link there; the rest to the generic page view.
pub(super) fn special_page_href(code: &str, slug: &str) -> String {
    match slug {
        "ekonomiskt-stod-inledning" => format!("/kommun/{code}/ekonomiskt-stod"),
        "kontakt-inledning" => format!("/kommun/{code}/kontakt"),
        _ => format!("/kommun/{code}/sida/{slug}"),
    }
}
