//! Open-support statistics as people read them: tables of carers reached, and a bar chart by
//! month as SVG that carries the same numbers as its table. The staff workspace shows every
//! count; the public page (for the board, the council, anyone) hides counts under five.

use crate::error::PageError;
use crate::http::cache::TtlCache;
use crate::http::paths::KommunPath;
use crate::i18n::I18n;
use crate::portal::{municipality, query_pairs, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::Datelike;
use domain::stats::{suppressed, Report};
use std::sync::Arc;
use std::time::Duration;

pub fn router() -> Router<AppState> {
    Router::new().route("/kommun/{kommunkod}/statistik", get(public))
}

/// A count as shown: the number, or "färre än 5" where it is hidden.
pub fn shown(t: &I18n, n: i64, suppress: bool) -> String {
    match (suppress, suppressed(n)) {
        (true, None) => t.get("stats-suppressed"),
        _ => n.to_string(),
    }
}

pub struct Bar {
    pub label: String,
    pub value: String,
    pub x: i64,
    pub y: i64,
    pub height: i64,
}

pub struct StatsView {
    pub year: i32,
    pub total: String,
    pub anonymous: String,
    pub young: String,
    pub channels: Vec<(String, String)>,
    pub ages: Vec<(String, String)>,
    pub genders: Vec<(String, String)>,
    pub months: Vec<(String, String)>,
    pub bars: Vec<Bar>,
    pub suppress: bool,
}

const CHART_HEIGHT: i64 = 160;

pub fn view(t: &I18n, r: &Report, year: i32, suppress: bool) -> StatsView {
    let label = |prefix: &str, k: &str| {
        let id = format!("{prefix}{k}");
        if t.has(&id) {
            t.get(&id)
        } else {
            t.get("stats-unknown")
        }
    };
    let pairs = |m: &std::collections::BTreeMap<String, i64>, prefix: &str| {
        m.iter()
            .map(|(k, v)| (label(prefix, k), shown(t, *v, suppress)))
            .collect::<Vec<_>>()
    };
    let max = r.by_month.iter().copied().max().unwrap_or(0).max(1);
    let bars = r
        .by_month
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            // A hidden count is drawn as no bar, so the chart says no more than the table.
            let drawn = if suppress && suppressed(n).is_none() {
                0
            } else {
                n
            };
            let height = drawn * CHART_HEIGHT / max;
            Bar {
                label: t.get(&format!("month-short-{}", i + 1)),
                value: shown(t, n, suppress),
                x: 10 + i as i64 * 40,
                y: 10 + CHART_HEIGHT - height,
                height,
            }
        })
        .collect();
    StatsView {
        year,
        total: shown(t, r.total, suppress),
        anonymous: shown(t, r.anonymous, suppress),
        young: shown(t, r.young_carers, suppress),
        channels: pairs(&r.by_channel, "stats-channel-"),
        ages: pairs(&r.by_age, "age-"),
        genders: pairs(&r.by_gender, "gender-"),
        months: r
            .by_month
            .iter()
            .enumerate()
            .map(|(i, n)| (t.get(&format!("month-{}", i + 1)), shown(t, *n, suppress)))
            .collect(),
        bars,
        suppress,
    }
}

/// The year asked for (`?ar=2026`), else this year.
pub fn year_of(q: &Option<String>, today: chrono::NaiveDate) -> i32 {
    query_pairs(q)
        .iter()
        .find(|(k, _)| k == "ar")
        .and_then(|(_, v)| v.parse::<i32>().ok())
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or(today.year())
}

/// The report for a year; the read behind it is logged by the store.
pub async fn report(
    state: &AppState,
    kommunkod: &str,
    year: i32,
    origin: &store::audit::Origin,
) -> Result<Report, PageError> {
    let contacts =
        store::stats::contacts(&state.db, kommunkod, year, state.clock.now(), origin).await?;
    Ok(domain::stats::aggregate(&contacts))
}

/// The same numbers as CSV: one row per figure.
pub fn csv(t: &I18n, v: &StatsView) -> String {
    let mut out = format!("{}\n", t.get("stats-csv-header"));
    let esc = |s: &str| domain::csv::cell(s, ';');
    let mut row = |part: &str, group: &str, n: &str| {
        out.push_str(&format!("{};{};{}\n", esc(part), esc(group), esc(n)));
    };
    row(&t.get("stats-total"), "", &v.total);
    row(&t.get("stats-anonymous"), "", &v.anonymous);
    row(&t.get("stats-young"), "", &v.young);
    for (k, n) in &v.channels {
        row(&t.get("stats-by-channel"), k, n);
    }
    for (k, n) in &v.ages {
        row(&t.get("stats-by-age"), k, n);
    }
    for (k, n) in &v.genders {
        row(&t.get("stats-by-gender"), k, n);
    }
    for (k, n) in &v.months {
        row(&t.get("stats-by-month"), k, n);
    }
    out
}

/// How long a node keeps a public report: the page is open to anyone, and each report reads a
/// year of contacts (and logs that read), so it is computed at most this often.
pub const PUBLIC_TTL: Duration = Duration::from_secs(600);

/// A municipality's report of a year, kept [`PUBLIC_TTL`] per node.
pub type PublicCache = TtlCache<(String, i32), Report>;

async fn public_report(
    state: &AppState,
    kommunkod: &str,
    year: i32,
) -> Result<Arc<Report>, PageError> {
    let origin = crate::contact::public_origin(None, None);
    state
        .public_stats
        .get_or_try_insert(
            (kommunkod.to_owned(), year),
            report(state, kommunkod, year, &origin),
        )
        .await
}

#[derive(Template)]
#[template(path = "stats.html")]
struct PublicPage<'a> {
    l: Layout<'a>,
    kommunkod: String,
    v: StatsView,
}

async fn public(
    State(state): State<AppState>,
    Path(KommunPath { kommunkod }): Path<KommunPath>,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let c = municipality(&state, &kommunkod).await?;
    let t = &state.t;
    // No report of years still to come.
    let year = domain::stats::public_year(year_of(&q, state.clock.today()), state.clock.today());
    let r = public_report(&state, &kommunkod, year).await?;
    let p = PublicPage {
        l: Layout::new(
            t,
            t.get1("stats-public-title", "year", &year.to_string()),
            Some(&c.municipality),
        )
        .crumb(
            t.get("stats-title"),
            format!("/kommun/{kommunkod}/statistik"),
        ),
        kommunkod,
        v: view(t, &r, year, true),
    };
    Ok(Html(p.render()?).into_response())
}
