//! Open-support statistics in the staff workspace, with every count, and as CSV: the staff's,
//! and the board's with counts under five hidden.

use super::pages::{or_error, render, staff_for, staff_origin, StaffLayout};
use crate::middleware::RequestId;
use crate::stats::{csv, report, view, year_of, StatsView};
use crate::AppState;
use askama::Template;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use domain::policy::Action;
use std::net::SocketAddr;

type Rid = Option<Extension<RequestId>>;

#[derive(Template)]
#[template(path = "staff/stats.html")]
struct Page<'a> {
    l: StaffLayout<'a>,
    kommunkod: String,
    v: StatsView,
}

pub async fn show(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    rid: Rid,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let r = async {
        let (staff, kommun) = match staff_for(&state, &headers, Action::ManageActivities).await? {
            Ok(s) => s,
            Err(answer) => return Ok(answer),
        };
        let t = state.texts(&staff.user.language);
        let year = year_of(&q, state.clock.today());
        let r = report(
            &state,
            kommun.as_str(),
            year,
            &staff_origin(&staff, &rid, addr),
        )
        .await?;
        let p = Page {
            l: StaffLayout::signed_in(
                t,
                t.get1("stats-staff-title", "year", &year.to_string()),
                &staff,
                "stats",
            ),
            kommunkod: kommun.as_str().to_owned(),
            v: view(t, &r, year, false),
        };
        render(StatusCode::OK, &p)
    }
    .await;
    or_error(&state, r)
}

pub async fn download(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    rid: Rid,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let r = async {
        let (staff, kommun) = match staff_for(&state, &headers, Action::ManageActivities).await? {
            Ok(s) => s,
            Err(answer) => return Ok(answer),
        };
        let t = state.texts(&staff.user.language);
        let year = year_of(&q, state.clock.today());
        let board = crate::portal::query_pairs(&q)
            .iter()
            .any(|(k, v)| k == "namnd" && v == "1");
        let r = report(
            &state,
            kommun.as_str(),
            year,
            &staff_origin(&staff, &rid, addr),
        )
        .await?;
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
    .await;
    or_error(&state, r)
}
