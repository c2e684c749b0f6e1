//! The inbox: contact requests and applications waiting for someone, filtered and paged by
//! keyset; an item, and giving it to oneself or a colleague. Every read is audited.

use super::pages::{local_time, render, StaffLayout};
use crate::error::PageError;
use crate::form_errors::FormErrors;
use crate::http::extract::act;
use crate::http::{ids, Allowed, Id, StaffCtx, StaffForm, Visible};
use crate::i18n::I18n;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use store::contact_requests::{Holder, InboxItem, InboxQuery};

pub struct Row {
    pub id: i64,
    pub reference: String,
    pub received: String,
    pub age_days: i64,
    pub who: String,
    pub wants: String,
    pub young_carer: bool,
    pub involves_child: bool,
    pub assignee: Option<String>,
    /// Handled requests (a case, or closed) say so when shown.
    pub status: domain::contact::RequestStatus,
    /// The case it became: (id, case number).
    pub case: Option<(i64, String)>,
}

#[derive(Template)]
#[template(path = "staff/inbox.html")]
struct InboxPage<'a> {
    l: StaffLayout<'a>,
    rows: Vec<Row>,
    holder: &'static str,
    young: bool,
    /// Requests that have become cases are shown too.
    handled: bool,
    oldest_first: bool,
    next: Option<String>,
    filters_query: String,
    /// The municipality's units, and the one filtered on.
    units: Vec<(i64, String)>,
    unit: Option<i64>,
    kind: &'static str,
    kinds: Vec<(&'static str, String)>,
    /// Applications nobody has taken yet (assessed support), oldest first.
    applications: Vec<store::assessed::InboxApplication>,
    csrf: String,
}

impl InboxPage<'_> {
    fn is_unit(&self, id: &i64) -> bool {
        self.unit == Some(*id)
    }
}

fn row(t: &I18n, item: &InboxItem, now: DateTime<Utc>) -> Row {
    let r = &item.request;
    Row {
        id: r.id,
        reference: r.reference.clone(),
        received: local_time(r.received_at),
        age_days: (now - r.received_at).num_days(),
        who: r.name.clone().unwrap_or_else(|| {
            t.get(if r.anonymous {
                "inbox-anonymous"
            } else {
                "inbox-no-name"
            })
        }),
        wants: r
            .wants
            .iter()
            .map(|w| t.get(&format!("want-{w}")))
            .collect::<Vec<_>>()
            .join(", "),
        young_carer: r.young_carer,
        involves_child: r.involves_child,
        assignee: item.assignee_name.clone(),
        status: r.status,
        case: item.case_id.zip(item.case_number.clone()),
    }
}

pub const PAGE_SIZE: i64 = 50;

/// The inbox's filters, as the links and the filter form write them.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InboxParams {
    visa: String,
    unga: String,
    ordning: String,
    efter: String,
    enhet: String,
    slag: String,
    hanterade: String,
}

pub async fn inbox(
    State(state): State<AppState>,
    Allowed { ctx, kommun, .. }: Allowed<act::ReadInbox>,
    Query(q): Query<InboxParams>,
) -> Result<Response, PageError> {
    let staff = &ctx.staff;
    let t = ctx.texts(&state);
    let holder_name = match q.visa.as_str() {
        "mina" => "mina",
        "otilldelade" => "otilldelade",
        _ => "alla",
    };
    let holder = match holder_name {
        "mina" => Holder::Me(staff.user.id),
        "otilldelade" => Holder::Nobody,
        _ => Holder::Anyone,
    };
    let young = q.unga == "1";
    let handled = q.hanterade == "1";
    let oldest_first = q.ordning != "nyast";
    let after = q.efter.split_once('_').and_then(|(micros, id)| {
        Some((
            DateTime::<Utc>::from_timestamp_micros(micros.parse().ok()?)?,
            id.parse().ok()?,
        ))
    });
    let units: Vec<(i64, String)> = store::staff::units(&state.db, kommun.as_str())
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let unit = q
        .enhet
        .parse::<i64>()
        .ok()
        .filter(|u| units.iter().any(|(id, _)| id == u));
    let query = InboxQuery {
        holder,
        young_carers_only: young,
        oldest_first,
        after,
        limit: PAGE_SIZE,
        unit,
        kind: domain::case::InboxKind::parse(&q.slag),
        include_handled: handled,
    };
    let now = state.clock.now();
    let items =
        store::contact_requests::inbox(&state.db, kommun.as_str(), &query, now, &ctx.origin)
            .await?;
    // Applications wait for someone to take them; they have no holder to filter on.
    let show_applications = query
        .kind
        .is_none_or(|k| k == domain::case::InboxKind::Application)
        && holder_name != "mina"
        && after.is_none();
    let applications = if show_applications {
        let mut list = store::assessed::inbox(
            &state.db,
            kommun.as_str(),
            PAGE_SIZE,
            state.clock.today(),
            now,
            &ctx.origin,
        )
        .await?;
        list.retain(|a| !young || a.young_carer);
        list
    } else {
        Vec::new()
    };
    let filters_query = format!(
        "visa={holder_name}{}{}{}",
        if young { "&unga=1" } else { "" },
        if handled { "&hanterade=1" } else { "" },
        if oldest_first { "" } else { "&ordning=nyast" }
    ) + &unit.map(|u| format!("&enhet={u}")).unwrap_or_default()
        + &query
            .kind
            .map(|k| format!("&slag={}", k.as_str()))
            .unwrap_or_default();
    let next = (items.len() as i64 == PAGE_SIZE)
        .then(|| {
            items.last().map(|i| {
                format!(
                    "{}_{}",
                    i.request.received_at.timestamp_micros(),
                    i.request.id
                )
            })
        })
        .flatten();
    let p = InboxPage {
        l: StaffLayout::signed_in(t, t.get("inbox-title"), staff, "inbox"),
        rows: items.iter().map(|i| row(t, i, now)).collect(),
        holder: holder_name,
        young,
        handled,
        oldest_first,
        next,
        filters_query,
        units,
        unit,
        kind: query.kind.map(|k| k.as_str()).unwrap_or(""),
        kinds: domain::case::InboxKind::ALL
            .iter()
            .map(|k| (k.as_str(), t.get(&format!("inbox-kind-{}", k.as_str()))))
            .collect(),
        applications,
        csrf: staff.session.csrf_token.clone(),
    };
    render(StatusCode::OK, &p)
}

pub struct Colleague {
    pub id: i64,
    pub name: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "staff/item.html")]
struct ItemPage<'a> {
    l: StaffLayout<'a>,
    item: InboxItem,
    received: String,
    relation: Option<String>,
    recipient_age: Option<String>,
    carer_age: Option<String>,
    conditions: Vec<String>,
    wants: Vec<String>,
    time: Option<String>,
    colleagues: Vec<Colleague>,
    mine: bool,
    request_status: String,
    may_close: bool,
    errors: FormErrors,
    close_reason: String,
}

async fn colleagues(
    state: &AppState,
    kommun: &str,
    selected: Option<i64>,
) -> Result<Vec<Colleague>, PageError> {
    Ok(store::staff::list(&state.db, Some(kommun))
        .await?
        .into_iter()
        .filter(|u| !u.disabled && u.role.reads_cases())
        .map(|u| Colleague {
            id: u.id,
            selected: Some(u.id) == selected,
            name: u.display_name,
        })
        .collect())
}

pub async fn inbox_item(
    State(state): State<AppState>,
    // Not allowed and not found look the same: nothing reveals what exists.
    Visible { ctx, kommun, .. }: Visible<act::ReadInbox>,
    id: Id<ids::InboxItem>,
) -> Result<Response, PageError> {
    item_page(
        &state,
        &ctx,
        kommun.as_str(),
        id.get(),
        FormErrors::none(),
        String::new(),
    )
    .await
}

/// The request's page, with the closing form's errors and text when it comes back.
async fn item_page(
    state: &AppState,
    ctx: &StaffCtx,
    kommun: &str,
    id: i64,
    errors: FormErrors,
    close_reason: String,
) -> Result<Response, PageError> {
    let staff = &ctx.staff;
    let item = store::contact_requests::get(&state.db, kommun, id, state.clock.now(), &ctx.origin)
        .await?
        .ok_or(PageError::NotFound)?;
    let t = state.texts(&staff.user.language);
    let r = &item.request;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let p = ItemPage {
        l: StaffLayout::signed_in(
            t,
            t.get1("item-title", "reference", &r.reference),
            staff,
            "inbox",
        ),
        received: local_time(r.received_at),
        relation: r.relation.as_ref().map(|x| t.get(&format!("relation-{x}"))),
        recipient_age: r
            .recipient_age_group
            .as_ref()
            .map(|x| t.get(&format!("age-{x}"))),
        carer_age: r
            .carer_age_group
            .as_ref()
            .map(|x| t.get(&format!("age-{x}"))),
        conditions: r
            .recipient_conditions
            .iter()
            .map(|x| t.get(&format!("condition-{x}")))
            .collect(),
        wants: r
            .wants
            .iter()
            .map(|x| t.get(&format!("want-{x}")))
            .collect(),
        time: r
            .preferred_time
            .as_ref()
            .map(|x| t.get(&format!("time-{x}"))),
        colleagues: colleagues(state, kommun, r.assigned_to).await?,
        mine: r.assigned_to == Some(staff.user.id),
        request_status: t.get(&format!("request-status-{}", r.status.as_str())),
        may_close: r.status.may_close(),
        errors,
        close_reason,
        item,
    };
    render(status, &p)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CloseForm {
    reason: String,
    /// `yes` once closing was confirmed on its own page.
    #[serde(rename = "_confirmed")]
    confirmed: String,
}

/// Closes a request handled without a case, with a reason (errors at the field otherwise).
pub async fn close(
    State(state): State<AppState>,
    Visible { ctx, kommun, .. }: Visible<act::AssignInbox>,
    id: Id<ids::InboxItem>,
    StaffForm(f): StaffForm<CloseForm>,
) -> Result<Response, PageError> {
    let id = id.get();
    let t = ctx.texts(&state);
    let reason = match domain::case::validate_reason("reason", &f.reason) {
        Ok(r) => r,
        Err(e) => {
            let errors = FormErrors::plain(t, &e, &["reason"]);
            return item_page(&state, &ctx, kommun.as_str(), id, errors, f.reason).await;
        }
    };
    if f.confirmed != "yes" {
        let q = crate::staff::confirm::Question::asking(
            t,
            "close-request",
            vec![(t.get("item-close-reason"), reason.clone())],
            format!("/personal/inkorg/{id}/avsluta"),
            format!("/personal/inkorg/{id}"),
        );
        let pairs = [("reason".to_owned(), f.reason.clone())];
        return crate::staff::confirm::page(&state, &ctx, "inbox", q, &pairs);
    }
    if !store::contact_requests::close(
        &state.db,
        kommun.as_str(),
        id,
        &reason,
        ctx.staff.user.id,
        state.clock.now(),
        &ctx.origin,
    )
    .await?
    {
        // Gone, or handled meanwhile: its page says how it stands.
        return item_page(
            &state,
            &ctx,
            kommun.as_str(),
            id,
            FormErrors::plain(
                t,
                &domain::FieldErrors::one("reason", "error-request-handled"),
                &["reason"],
            ),
            f.reason,
        )
        .await;
    }
    Ok(Redirect::to(&format!("/personal/inkorg/{id}")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AssignForm {
    till: String,
}

pub async fn assign(
    State(state): State<AppState>,
    Visible { ctx, kommun, .. }: Visible<act::AssignInbox>,
    id: Id<ids::InboxItem>,
    StaffForm(f): StaffForm<AssignForm>,
) -> Result<Response, PageError> {
    let staff = &ctx.staff;
    let id = id.get();
    let to = match f.till.as_str() {
        "" => None,
        "me" => Some(staff.user.id),
        other => Some(other.parse::<i64>().map_err(|_| PageError::NotFound)?),
    };
    if !store::contact_requests::assign(
        &state.db,
        kommun.as_str(),
        id,
        to,
        state.clock.now(),
        &ctx.origin,
    )
    .await?
    {
        return Err(PageError::NotFound);
    }
    Ok(Redirect::to(&format!("/personal/inkorg/{id}")).into_response())
}
