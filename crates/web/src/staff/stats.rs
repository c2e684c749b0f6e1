//! Open-support statistics in the staff workspace, with every count, and as CSV: the staff's,
//! and the board's with counts under five hidden.

use super::pages::{render, StaffLayout};
use crate::error::PageError;
use crate::http::extract::act;
use crate::http::Allowed;
use crate::stats::{csv, report, view, year_of, StatsView};
use crate::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

#[derive(Template)]
#[template(path = "staff/stats.html")]
struct Page<'a> {
    l: StaffLayout<'a>,
    kommunkod: String,
    v: StatsView,
}

pub async fn show(
    State(state): State<AppState>,
    Allowed { ctx, kommun, .. }: Allowed<act::ManageActivities>,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let t = ctx.texts(&state);
    let year = year_of(&q, state.clock.today());
    let r = report(&state, kommun.as_str(), year, &ctx.origin).await?;
    let p = Page {
        l: StaffLayout::signed_in(
            t,
            t.get1("stats-staff-title", "year", &year.to_string()),
            &ctx.staff,
            "stats",
        ),
        kommunkod: kommun.as_str().to_owned(),
        v: view(t, &r, year, false),
    };
    render(StatusCode::OK, &p)
}

pub async fn download(
    State(state): State<AppState>,
    Allowed { ctx, kommun, .. }: Allowed<act::ManageActivities>,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let t = ctx.texts(&state);
    let year = year_of(&q, state.clock.today());
    let board = crate::portal::query_pairs(&q)
        .iter()
        .any(|(k, v)| k == "namnd" && v == "1");
    let r = report(&state, kommun.as_str(), year, &ctx.origin).await?;
    let body = csv(t, &view(t, &r, year, board));
    let name = format!(
        "attachment; filename=\"oppet-stod-{}-{year}{}.csv\"",
        kommun.as_str(),
        if board { "-namnd" } else { "" }
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, name),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}
