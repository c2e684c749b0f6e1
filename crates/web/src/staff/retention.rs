//! What retention (gallring) removes through the end of next month, for the unit manager and
//! the municipal administrator to see coming. Kinds, ids and dates only: the page names no
//! one, so a protected identity is as safe here as anywhere. Removing is the scheduled
//! `anhorigstod retention run`, never a button.

use super::pages::{query_value, render, StaffLayout};
use crate::error::PageError;
use crate::form_errors::FormErrors;
use crate::http::extract::{act, Allowed};
use crate::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, Months, NaiveDate};
use domain::retention::{Due, RecordKind, Rules};

#[derive(Template)]
#[template(path = "staff/retention.html")]
struct RetentionPage<'a> {
    l: StaffLayout<'a>,
    through: NaiveDate,
    /// The date field as typed.
    till: String,
    errors: FormErrors,
    /// How many of each kind, in the order of `RecordKind::ALL`.
    counts: Vec<(RecordKind, usize)>,
    due: Vec<Due>,
    rules_text: String,
}

impl RetentionPage<'_> {
    fn kind(&self, k: &RecordKind) -> String {
        self.l.t.get(&format!("retention-kind-{}", k.as_str()))
    }

    fn rule(&self, code: &str) -> String {
        self.l.t.get(&format!("retention-rule-{code}"))
    }
}

/// The last day of the month after `today`'s.
fn end_of_next_month(today: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(today.year(), today.month(), 1)
        .and_then(|first| first.checked_add_months(Months::new(2)))
        .and_then(|d| d.pred_opt())
        .unwrap_or(today)
}

/// The furthest a manager may look ahead: a plan that far says little about what will be.
const MAX_YEARS_AHEAD: u32 = 10;

/// The plan through the end of next month, or through the day asked for (`till`), which may
/// not lie in the past or more than ten years ahead.
pub async fn show(
    State(state): State<AppState>,
    Allowed { ctx, kommun, .. }: Allowed<act::PlanRetention>,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let t = ctx.texts(&state);
    let today = state.clock.today();
    let till = query_value(&q, "till").trim().to_owned();
    let mut errors = FormErrors::none();
    let asked = match NaiveDate::parse_from_str(&till, "%Y-%m-%d") {
        _ if till.is_empty() => None,
        Ok(d)
            if d >= today
                && today
                    .checked_add_months(Months::new(12 * MAX_YEARS_AHEAD))
                    .is_some_and(|max| d <= max) =>
        {
            Some(d)
        }
        Ok(_) => {
            errors.push("till", String::new(), t.get("retention-error-range"));
            None
        }
        Err(_) => {
            errors.push("till", String::new(), t.get("retention-error-date"));
            None
        }
    };
    let through = asked.unwrap_or_else(|| end_of_next_month(today));
    let rules = Rules::in_force(
        &state.law,
        through,
        state.config.retention_open_support_months,
    )
    .map_err(|e| PageError::internal(e.to_string()))?;
    let plan = store::retention::plan(&state.db, Some(kommun.as_str()), through, &rules).await?;
    let due: Vec<Due> = plan.into_iter().flat_map(|p| p.due).collect();
    // The page shows ids of persons and cases; who looked is logged like any other read.
    let mut e = ctx.origin.event(
        Some(kommun.as_str()),
        "retention.plan.read",
        "retention",
        None,
    );
    e.reason = Some(format!("{} poster t.o.m. {through}", due.len()));
    store::audit::append_now(&state.db, state.clock.now(), &e).await?;
    let counts = RecordKind::ALL
        .iter()
        .map(|&k| (k, due.iter().filter(|d| d.kind == k).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let p = RetentionPage {
        l: StaffLayout::signed_in(t, t.get("retention-title"), &ctx.staff, "retention"),
        through,
        till,
        errors,
        counts,
        due,
        rules_text: t.get_n(
            "retention-rules",
            "months",
            i64::from(rules.open_support.months),
        ),
    };
    render(status, &p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_month_ends_on_its_last_day() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(end_of_next_month(d(2026, 12, 4)), d(2027, 1, 31));
        assert_eq!(end_of_next_month(d(2027, 1, 31)), d(2027, 2, 28));
        assert_eq!(end_of_next_month(d(2028, 1, 15)), d(2028, 2, 29));
    }
}
