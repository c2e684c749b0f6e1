//! The deadline watch (`/personal/bevakning`) for officers and managers, and the reports on
//! assessed support (`/personal/rapporter`) for managers: decisions not carried out (IVO)
//! and the council's statistics, as tables, CSV and PDF.

use super::auth::Staff;
use super::pages::{render, StaffLayout};
use crate::error::PageError;
use crate::http::extract::act;
use crate::http::paths::FilePath;
use crate::http::pdf_response;
use crate::http::Allowed;
use crate::reports::{NotExecuted, StatisticsRow, WatchLine};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::policy::{can, Action, Decision, Resource};
use domain::Kommunkod;

#[derive(Template)]
#[template(path = "staff/watch.html")]
struct WatchPage<'a> {
    l: StaffLayout<'a>,
    lines: Vec<WatchLine>,
    everyone: bool,
    may_see_all: bool,
}

impl WatchPage<'_> {
    fn what(&self, w: &str) -> String {
        self.l.t.get(&format!("watch-what-{w}"))
    }
}

/// The first value of `key` in the query string, or empty.
fn query_value(q: &Option<String>, key: &str) -> String {
    crate::portal::query_pairs(q)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
        .unwrap_or_default()
}

fn reports_allowed(staff: &Staff) -> bool {
    staff.actor.kommunkod.is_some_and(|k| {
        can(
            &staff.actor,
            Action::ReadReports,
            &Resource::Municipality(k),
        ) == Decision::Allow
    })
}

pub async fn watch(
    State(state): State<AppState>,
    Allowed { ctx, kommun, .. }: Allowed<act::WatchDeadlines>,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let staff = &ctx.staff;
    let t = ctx.texts(&state);
    let may_see_all = reports_allowed(staff);
    let everyone = may_see_all && query_value(&q, "visa") == "alla";
    let only = (!everyone).then(|| (staff.user.id, staff.actor.units.clone()));
    let lines =
        crate::reports::watch(&state, kommun.as_str(), staff.user.id, only, &ctx.origin).await?;
    let p = WatchPage {
        l: StaffLayout::signed_in(t, t.get("watch-title"), staff, "watch"),
        lines,
        everyone,
        may_see_all,
    };
    render(StatusCode::OK, &p)
}

#[derive(Template)]
#[template(path = "staff/reports.html")]
struct ReportsPage<'a> {
    l: StaffLayout<'a>,
    quarter: String,
    /// The quarters to choose from: (value, label), newest first.
    quarters: Vec<(String, String)>,
    report: NotExecuted,
    stats: Vec<StatisticsRow>,
    error: Option<String>,
}

impl ReportsPage<'_> {
    fn label(&self, prefix: &str, v: &str) -> String {
        self.l.t.get(&format!("{prefix}-{v}"))
    }
}

/// The last eight quarters, newest first, for the chooser.
fn recent_quarters(today: chrono::NaiveDate) -> Vec<String> {
    let mut out = Vec::new();
    let mut d = today;
    for _ in 0..8 {
        let q = domain::calendar::quarter_of(d);
        if let Some((first, _)) = domain::calendar::quarter(&q) {
            d = first - chrono::Duration::days(1);
        }
        out.push(q);
    }
    out
}

/// The report for the quarter asked for (the last full quarter by default), or why not.
async fn report_for(
    state: &AppState,
    kommun: Kommunkod,
    q: &Option<String>,
    origin: &store::audit::Origin,
) -> Result<Result<(String, NotExecuted, Vec<StatisticsRow>), String>, PageError> {
    let today = state.clock.today();
    let asked = query_value(q, "kvartal").trim().to_uppercase();
    let quarter = if asked.is_empty() {
        recent_quarters(today).get(1).cloned().unwrap_or_default()
    } else {
        asked
    };
    let Some((first, last)) = domain::calendar::quarter(&quarter) else {
        return Ok(Err(quarter));
    };
    let report = crate::reports::not_executed(state, kommun.as_str(), first, last, origin).await?;
    let stats = crate::reports::statistics(&report);
    Ok(Ok((quarter, report, stats)))
}

pub async fn reports(
    State(state): State<AppState>,
    Allowed { ctx, kommun, .. }: Allowed<act::ReadReports>,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let t = ctx.texts(&state);
    let today = state.clock.today();
    let current = domain::calendar::quarter_of(today);
    let label = |q: &str| {
        let (year, n) = q.split_once('Q').unwrap_or((q, ""));
        let id = if q == current {
            "reports-quarter-current"
        } else {
            "reports-quarter-option"
        };
        t.get2(id, ("year", year), ("n", n))
    };
    let (status, quarter, report, stats, error) =
        match report_for(&state, kommun, &q, &ctx.origin).await? {
            Ok((quarter, report, stats)) => (StatusCode::OK, quarter, report, stats, None),
            Err(bad) => {
                let d = state.clock.today();
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    bad,
                    NotExecuted {
                        first: d,
                        last: d,
                        lines: Vec::new(),
                    },
                    Vec::new(),
                    Some(t.get("error-quarter")),
                )
            }
        };
    // An older quarter asked for by its address is offered too, so the choice shows it.
    let mut values = recent_quarters(today);
    if error.is_none() && !values.contains(&quarter) {
        values.push(quarter.clone());
    }
    let quarters = values.iter().map(|q| (q.clone(), label(q))).collect();
    let p = ReportsPage {
        l: StaffLayout::signed_in(t, t.get("reports-title"), &ctx.staff, "reports"),
        quarter,
        quarters,
        report,
        stats,
        error,
    };
    render(status, &p)
}

/// `/personal/rapporter/{file}`: the report as CSV or PDF.
pub async fn download(
    State(state): State<AppState>,
    Allowed { ctx, kommun, .. }: Allowed<act::ReadReports>,
    Path(FilePath { file }): Path<FilePath>,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let Ok((quarter, report, stats)) = report_for(&state, kommun, &q, &ctx.origin).await? else {
        return Err(PageError::NotFound);
    };
    let csv = |body: String, name: &str| {
        (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (header::CACHE_CONTROL, "no-store".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
            ],
            body,
        )
            .into_response()
    };
    Ok(match file.as_str() {
        "ej-verkstallda.csv" => csv(
            crate::reports::not_executed_csv(&state, &report),
            &format!("ej-verkstallda-{quarter}.csv"),
        ),
        "statistik.csv" => csv(
            crate::reports::statistics_csv(&state, &stats),
            &format!("statistik-{quarter}.csv"),
        ),
        "ej-verkstallda.pdf" => {
            let doc =
                crate::documents::not_executed_report(&state, kommun.as_str(), &report, &stats)
                    .await?;
            pdf_response(
                crate::documents::pdf(&doc)?,
                &format!("ej-verkstallda-{quarter}.pdf"),
            )
        }
        _ => return Err(PageError::NotFound),
    })
}
