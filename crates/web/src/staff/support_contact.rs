//! The support contact (`/personal/stodkontakt`): the carers in contact with the municipality
//! who have not yet been offered a named support contact, the offers made and their answers.
//! Every role that meets carers (those who read the inbox) records offers.

use super::pages::{local_time, render, StaffLayout};
use crate::error::PageError;
use crate::http::extract::act;
use crate::http::ids;
use crate::http::{Allowed, Id, StaffCtx, StaffForm};
use crate::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

pub struct WaitingRow {
    pub kind: String,
    pub kind_label: String,
    pub id: i64,
    pub name: String,
    pub reach: String,
    pub since: String,
}

pub struct OfferRow {
    pub id: i64,
    pub name: String,
    pub kind_label: String,
    pub contact: String,
    pub offered_on: String,
    pub answer: String,
    pub pending: bool,
}

#[derive(Template)]
#[template(path = "staff/support_contact.html")]
struct Page<'a> {
    l: StaffLayout<'a>,
    csrf: String,
    today: String,
    me: i64,
    staff_list: Vec<(i64, String)>,
    waiting: Vec<WaitingRow>,
    offers: Vec<OfferRow>,
    notice: String,
    error: String,
    count: String,
}

async fn page(
    state: &AppState,
    ctx: &StaffCtx,
    notice: String,
    error: String,
    status: StatusCode,
) -> Result<Response, PageError> {
    let (t, staff, origin) = (ctx.texts(state), &ctx.staff, &ctx.origin);
    let kommun = ctx.kommun()?;
    let kommun = kommun.as_str();
    let now = state.clock.now();
    let kind = |k: &str| t.get(&format!("support-contact-kind-{k}"));
    let waiting = store::support_contacts::waiting(&state.db, kommun, 200, now, origin)
        .await?
        .into_iter()
        .map(|w| WaitingRow {
            kind_label: kind(&w.kind),
            kind: w.kind,
            id: w.id,
            name: w.name,
            reach: w.reach,
            since: local_time(w.since),
        })
        .collect::<Vec<WaitingRow>>();
    let offers = store::support_contacts::offers(&state.db, kommun, 100, now, origin)
        .await?
        .into_iter()
        .map(|o| OfferRow {
            id: o.id,
            kind_label: kind(&o.kind),
            name: o.name,
            contact: o.contact_name,
            offered_on: o.offered_on.to_string(),
            pending: o.answer.is_none(),
            answer: o
                .answer
                .map(|a| t.get(&format!("support-contact-answer-{a}")))
                .unwrap_or_else(|| t.get("support-contact-answer-none")),
        })
        .collect();
    let staff_list = store::staff::list(&state.db, Some(kommun))
        .await?
        .into_iter()
        .filter(|u| !u.disabled && u.role.reads_cases())
        .map(|u| (u.id, u.display_name))
        .collect();
    let count = t.get_n(
        "support-contact-waiting",
        "count",
        store::support_contacts::waiting_count(&state.db, kommun).await?,
    );
    let p = Page {
        count,
        l: StaffLayout::signed_in(t, t.get("support-contact-title"), staff, "support-contact"),
        csrf: staff.session.csrf_token.clone(),
        today: state.clock.today().to_string(),
        me: staff.user.id,
        staff_list,
        waiting,
        offers,
        notice,
        error,
    };
    render(status, &p)
}

pub async fn show(
    State(state): State<AppState>,
    Allowed { ctx, .. }: Allowed<act::OfferSupportContact>,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let t = ctx.texts(&state);
    let notice = match crate::portal::query_pairs(&q)
        .iter()
        .find(|(k, _)| k == "klart")
        .map(|(_, v)| v.as_str())
    {
        Some("erbjuden") => t.get("support-contact-notice-offered"),
        Some("svar") => t.get("support-contact-notice-answered"),
        _ => String::new(),
    };
    page(&state, &ctx, notice, String::new(), StatusCode::OK).await
}

fn answer_of(s: &str) -> Option<&'static str> {
    match s {
        "accepted" => Some("accepted"),
        "declined" => Some("declined"),
        _ => None,
    }
}

/// The page again with one error message, as 422.
async fn refused(state: &AppState, ctx: &StaffCtx, error: &str) -> Result<Response, PageError> {
    let error = ctx.texts(state).get(error);
    page(
        state,
        ctx,
        String::new(),
        error,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OfferForm {
    kind: String,
    carer: String,
    contact: String,
    offered_on: String,
    answer: String,
}

pub async fn offer(
    State(state): State<AppState>,
    Allowed { ctx, kommun, .. }: Allowed<act::OfferSupportContact>,
    StaffForm(form): StaffForm<OfferForm>,
) -> Result<Response, PageError> {
    let kind = form.kind.as_str();
    let carer = form.carer.parse::<i64>().unwrap_or(0);
    let contact = form.contact.parse::<i64>().unwrap_or(0);
    let colleagues = store::staff::list(&state.db, Some(kommun.as_str())).await?;
    let on = match domain::support_contact::validate_offer(
        kind,
        colleagues.iter().any(|u| u.id == contact && !u.disabled),
        &form.offered_on,
        state.clock.today(),
    ) {
        Ok(on) => on,
        Err(id) => return refused(&state, &ctx, id).await,
    };
    match store::support_contacts::offer(
        &state.db,
        kommun.as_str(),
        kind,
        carer,
        contact,
        on,
        answer_of(&form.answer),
        ctx.staff.user.id,
        state.clock.now(),
        &ctx.origin,
    )
    .await?
    {
        Ok(_) => Ok(Redirect::to("/personal/stodkontakt?klart=erbjuden").into_response()),
        Err(store::support_contacts::Refusal::AlreadyOffered) => {
            refused(&state, &ctx, "error-support-contact-offered").await
        }
        Err(_) => Err(PageError::NotFound),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AnswerForm {
    answer: String,
}

pub async fn answer(
    State(state): State<AppState>,
    Allowed { ctx, kommun, .. }: Allowed<act::OfferSupportContact>,
    id: Id<ids::Offer>,
    StaffForm(form): StaffForm<AnswerForm>,
) -> Result<Response, PageError> {
    let Some(a) = answer_of(&form.answer) else {
        return refused(&state, &ctx, "error-unknown-choice").await;
    };
    match store::support_contacts::answer(
        &state.db,
        kommun.as_str(),
        id.get(),
        a,
        state.clock.today(),
        state.clock.now(),
        &ctx.origin,
    )
    .await?
    {
        Ok(()) => Ok(Redirect::to("/personal/stodkontakt?klart=svar").into_response()),
        Err(store::support_contacts::Refusal::AlreadyAnswered) => {
            refused(&state, &ctx, "error-support-contact-answered").await
        }
        Err(_) => Err(PageError::NotFound),
    }
}
