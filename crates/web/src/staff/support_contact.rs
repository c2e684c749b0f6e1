//! The support contact (`/personal/stodkontakt`): the carers in contact with the municipality
//! who have not yet been offered a named support contact, the offers made and their answers.
//! Every role that meets carers (those who read the inbox) records offers.

use super::auth::Staff;
use super::pages::{
    field, local_time, or_error, posted_for, render, staff_for, staff_origin, StaffLayout,
};
use crate::error::WebError;
use crate::middleware::RequestId;
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use domain::policy::Action;
use std::net::SocketAddr;

type Rid = Option<Extension<RequestId>>;

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
    staff: &Staff,
    kommun: &str,
    notice: String,
    error: String,
    origin: &store::audit::Origin,
    status: StatusCode,
) -> Result<Response, WebError> {
    let t = state.texts(&staff.user.language);
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
        .filter(|u| {
            !u.disabled
                && domain::staff::Role::parse(&u.role).is_some_and(domain::staff::Role::reads_cases)
        })
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
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    rid: Rid,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let r = async {
        let (staff, kommun) = match staff_for(&state, &headers, Action::OfferSupportContact).await?
        {
            Ok(s) => s,
            Err(answer) => return Ok(answer),
        };
        let t = state.texts(&staff.user.language);
        let notice = match crate::portal::query_pairs(&q)
            .iter()
            .find(|(k, _)| k == "klart")
            .map(|(_, v)| v.as_str())
        {
            Some("erbjuden") => t.get("support-contact-notice-offered"),
            Some("svar") => t.get("support-contact-notice-answered"),
            _ => String::new(),
        };
        page(
            &state,
            &staff,
            kommun.as_str(),
            notice,
            String::new(),
            &staff_origin(&staff, &rid, addr),
            StatusCode::OK,
        )
        .await
    }
    .await;
    or_error(&state, r)
}

fn answer_of(s: &str) -> Option<&'static str> {
    match s {
        "accepted" => Some("accepted"),
        "declined" => Some("declined"),
        _ => None,
    }
}

pub async fn offer(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    rid: Rid,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let r = async {
        let (staff, kommun, f) =
            match posted_for(&state, &headers, &body, Action::OfferSupportContact).await? {
                Ok(s) => s,
                Err(answer) => return Ok(answer),
            };
        let t = state.texts(&staff.user.language);
        let origin = staff_origin(&staff, &rid, addr);
        let kind = field(&f, "kind");
        let carer = field(&f, "carer").parse::<i64>().unwrap_or(0);
        let contact = field(&f, "contact").parse::<i64>().unwrap_or(0);
        let colleagues = store::staff::list(&state.db, Some(kommun.as_str())).await?;
        let checked = domain::support_contact::validate_offer(
            kind,
            colleagues.iter().any(|u| u.id == contact && !u.disabled),
            field(&f, "offered_on"),
            state.clock.today(),
        );
        let (error, on) = match checked {
            Ok(on) => (None, Some(on)),
            Err(id) => (Some(id), None),
        };
        if let (None, Some(on)) = (error, on) {
            match store::support_contacts::offer(
                &state.db,
                kommun.as_str(),
                kind,
                carer,
                contact,
                on,
                answer_of(field(&f, "answer")),
                staff.user.id,
                state.clock.now(),
                &origin,
            )
            .await?
            {
                Ok(_) => {
                    return Ok(Redirect::to("/personal/stodkontakt?klart=erbjuden").into_response())
                }
                Err(store::support_contacts::Refusal::AlreadyOffered) => {
                    return page(
                        &state,
                        &staff,
                        kommun.as_str(),
                        String::new(),
                        t.get("error-support-contact-offered"),
                        &origin,
                        StatusCode::UNPROCESSABLE_ENTITY,
                    )
                    .await
                }
                Err(_) => return Err(WebError::NotFound),
            }
        }
        let msg = t.get(error.unwrap_or("error-date-invalid"));
        page(
            &state,
            &staff,
            kommun.as_str(),
            String::new(),
            msg,
            &origin,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await
    }
    .await;
    or_error(&state, r)
}

pub async fn answer(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    rid: Rid,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let r = async {
        let (staff, kommun, f) =
            match posted_for(&state, &headers, &body, Action::OfferSupportContact).await? {
                Ok(s) => s,
                Err(answer) => return Ok(answer),
            };
        let t = state.texts(&staff.user.language);
        let origin = staff_origin(&staff, &rid, addr);
        let id = id.parse::<i64>().map_err(|_| WebError::NotFound)?;
        let Some(a) = answer_of(field(&f, "answer")) else {
            return page(
                &state,
                &staff,
                kommun.as_str(),
                String::new(),
                t.get("error-unknown-choice"),
                &origin,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        };
        match store::support_contacts::answer(
            &state.db,
            kommun.as_str(),
            id,
            a,
            state.clock.today(),
            state.clock.now(),
            &origin,
        )
        .await?
        {
            Ok(()) => Ok(Redirect::to("/personal/stodkontakt?klart=svar").into_response()),
            Err(store::support_contacts::Refusal::AlreadyAnswered) => {
                page(
                    &state,
                    &staff,
                    kommun.as_str(),
                    String::new(),
                    t.get("error-support-contact-answered"),
                    &origin,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            Err(_) => Err(WebError::NotFound),
        }
    }
    .await;
    or_error(&state, r)
}
