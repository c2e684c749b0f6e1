//! Log review for unit managers: who read a person's data, what a user read in a period, and
//! unusual patterns (emergency access, many persons in a short time); CSV export. The review
//! is itself logged.

use super::pages::permitted;
use super::pages::{local_time, render, StaffLayout};
use crate::error::PageError;
use crate::form_errors::FormErrors;
use crate::http::StaffCtx;
use crate::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::policy::Action;
use domain::staff::review::{MANY_PERSONS_PER_HOUR, MAX_SPAN_DAYS};
use std::collections::HashMap;
use store::audit::{AuditRow, ReviewQuery};

pub struct RowView {
    pub at: String,
    pub who: String,
    pub role: String,
    pub action: String,
    pub object: String,
    pub persons: usize,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "staff/review.html")]
struct ReviewPage<'a> {
    l: StaffLayout<'a>,
    view: String,
    person: String,
    user: String,
    from: String,
    to: String,
    staff: Vec<(String, String)>,
    rows: Vec<RowView>,
    heavy: Vec<(String, String, usize)>,
    searched: bool,
    csv_link: Option<String>,
    errors: FormErrors,
    threshold: usize,
}

fn day_start(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or_default()
}

/// The review page. An account without a municipality finds no such page (not found), as
/// before; one the policy does not let review is forbidden.
pub async fn review(
    State(state): State<AppState>,
    ctx: StaffCtx,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let kommun = permitted(&ctx, Action::ReviewAudit)?;
    let t = ctx.texts(&state);
    let pairs: Vec<(String, String)> = q
        .as_deref()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(x, _)| x == k)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let today = state.clock.today();
    let view = get("vy");
    let from_s = match get("fran") {
        s if s.is_empty() => (today - Duration::days(30)).to_string(),
        s => s,
    };
    let to_s = match get("till") {
        s if s.is_empty() => today.to_string(),
        s => s,
    };
    let mut errors = FormErrors::none();
    // Each form has its own date fields; errors link to the ones of the form used.
    let suffix = match view.as_str() {
        "person" => "p",
        "anvandare" => "u",
        _ => "m",
    };
    let (fran_id, till_id) = (format!("fran-{suffix}"), format!("till-{suffix}"));
    let from = NaiveDate::parse_from_str(&from_s, "%Y-%m-%d")
        .map_err(|_| errors.push(&fran_id, String::new(), t.get("review-error-date")))
        .ok();
    let to = NaiveDate::parse_from_str(&to_s, "%Y-%m-%d")
        .map_err(|_| errors.push(&till_id, String::new(), t.get("review-error-date")))
        .ok();
    if let (Some(f), Some(u)) = (from, to) {
        if u < f || (u - f).num_days() > MAX_SPAN_DAYS {
            errors.push(&till_id, String::new(), t.get("review-error-span"));
        }
    }
    let colleagues = store::staff::list(&state.db, Some(kommun.as_str())).await?;
    let names: HashMap<String, String> = colleagues
        .iter()
        .map(|u| (format!("staff:{}", u.id), u.display_name.clone()))
        .collect();
    let person = get("person");
    let user = get("anvandare");
    let origin = &ctx.origin;
    let mut rows: Vec<AuditRow> = Vec::new();
    let mut heavy = Vec::new();
    let searched = !view.is_empty() && errors.is_empty();
    if searched {
        let (from, to) = (
            day_start(from.unwrap_or(today)),
            day_start(to.unwrap_or(today)) + Duration::days(1),
        );
        let mut query = ReviewQuery {
            kommunkod: kommun.as_str().to_owned(),
            person: None,
            actor: None,
            actions: None,
            from,
            to,
            limit: 5_000,
        };
        let mut review_event =
            origin.event(Some(kommun.as_str()), "audit.review", "audit_log", None);
        review_event.reason = Some(format!("view {view}, {from_s} to {to_s}"));
        match view.as_str() {
            "person" => {
                let number = domain::Personnummer::parse(&person, today)
                    .ok()
                    .map(|p| p.canonical());
                match store::persons::find_by_number_or_ref(
                    &state.db,
                    kommun.as_str(),
                    number.as_deref(),
                    &person,
                )
                .await?
                {
                    Some(id) => {
                        query.person = Some(format!("person:{id}"));
                        review_event.persons = vec![format!("person:{id}")];
                    }
                    None => errors.push("person", String::new(), t.get("review-error-person")),
                }
            }
            "anvandare" => match user
                .parse::<i64>()
                .ok()
                .filter(|id| names.contains_key(&format!("staff:{id}")))
            {
                Some(id) => query.actor = Some(format!("staff:{id}")),
                None => errors.push("anvandare", String::new(), t.get("review-error-user")),
            },
            _ => {
                query.actions = Some(vec![
                    "case.emergency_access".into(),
                    store::access::EMERGENCY_JOIN.into(),
                ]);
                heavy = store::audit::heavy_readers(
                    &state.db,
                    kommun.as_str(),
                    from,
                    to,
                    MANY_PERSONS_PER_HOUR,
                )
                .await?
                .into_iter()
                .map(|h| {
                    (
                        names.get(&h.actor).cloned().unwrap_or(h.actor),
                        local_time(h.hour),
                        h.persons,
                    )
                })
                .collect();
            }
        }
        if errors.is_empty() {
            store::audit::append_now(&state.db, state.clock.now(), &review_event).await?;
            rows = store::audit::review(&state.db, &query).await?;
            if get("format") == "csv" {
                let csv =
                    store::audit::to_csv(&rows, |a| names.get(a).cloned().unwrap_or_default());
                let mut r = (StatusCode::OK, csv).into_response();
                let h = r.headers_mut();
                h.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/csv; charset=utf-8"),
                );
                h.insert(
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_static("attachment; filename=\"logg.csv\""),
                );
                h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                return Ok(r);
            }
        }
    }
    let csv_link = (searched && errors.is_empty()).then(|| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        s.append_pair("vy", &view)
            .append_pair("person", &person)
            .append_pair("anvandare", &user)
            .append_pair("fran", &from_s)
            .append_pair("till", &to_s)
            .append_pair("format", "csv");
        format!("/personal/logg?{}", s.finish())
    });
    let p = ReviewPage {
        l: StaffLayout::signed_in(t, t.get("review-title"), &ctx.staff, "log"),
        rows: rows
            .iter()
            .map(|r| RowView {
                at: local_time(r.at),
                who: names
                    .get(&r.event.actor)
                    .cloned()
                    .unwrap_or_else(|| r.event.actor.clone()),
                role: r.event.role.clone(),
                action: r.event.action.clone(),
                object: format!(
                    "{} {}",
                    r.event.object_kind,
                    r.event.object_id.clone().unwrap_or_default()
                ),
                persons: r.event.persons.len(),
                reason: r.event.reason.clone().unwrap_or_default(),
            })
            .collect(),
        staff: colleagues
            .iter()
            .map(|u| (u.id.to_string(), u.display_name.clone()))
            .collect(),
        searched: searched && errors.is_empty(),
        view,
        person,
        user,
        from: from_s,
        to: to_s,
        heavy,
        csv_link,
        threshold: MANY_PERSONS_PER_HOUR,
        errors,
    };
    let status = if p.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(status, &p)
}
