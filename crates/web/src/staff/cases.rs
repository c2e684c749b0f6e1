//! Staff pages for cases, their journal and persons. The same access rules as the API
//! (`access`), the same store functions, the same audit rows.

use super::access::{self, Access};
use super::auth::{self, Staff};
use super::pages::{
    field, local_time, message, municipality_of, or_error, posted, render, staff_origin,
    to_sign_in, StaffLayout,
};
use crate::error::PageError;
use crate::http::extract::act;
use crate::http::{Allowed, CaseAccess, StaffForm};
use crate::middleware::RequestId;
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use domain::case::{CaseKind, JournalKind, PersonRole, RawPerson};
use domain::policy::{can, Action, Decision, Resource};
use serde::Deserialize;
use std::net::SocketAddr;
use store::cases::{CaseRow, CaseView, JournalEntry, NewCase};

type Rid = Option<Extension<RequestId>>;

/// Whether the member of staff may write to the case: `None` to go ahead, or the answer to
/// give (back to the case page to state a reason); a case they may not see is not found.
async fn may_write(
    state: &AppState,
    staff: &Staff,
    id: i64,
    origin: &store::audit::Origin,
) -> Result<Option<Response>, PageError> {
    match access::case(state, &staff.actor, Action::WriteCase, id, None, origin)
        .await?
        .0
    {
        Access::Granted(_) => Ok(None),
        Access::Hidden => Err(PageError::NotFound),
        Access::NeedsReason => Ok(Some(
            Redirect::to(&format!("/personal/arenden/{id}")).into_response(),
        )),
    }
}

async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<Option<Staff>, PageError> {
    auth::current(state, headers).await
}

fn id_of(s: &str) -> Result<i64, PageError> {
    s.parse().map_err(|_| PageError::NotFound)
}

// ---- The list of my cases ----

#[derive(Template)]
#[template(path = "staff/cases.html")]
struct CasesPage<'a> {
    l: StaffLayout<'a>,
    rows: Vec<(CaseRow, String, String)>,
}

pub async fn list(
    State(state): State<AppState>,
    Allowed { ctx, kommun, .. }: Allowed<act::OpenCase>,
) -> Result<Response, PageError> {
    let t = ctx.texts(&state);
    let rows = store::cases::list_for(
        &state.db,
        kommun.as_str(),
        ctx.staff.user.id,
        None,
        100,
        state.clock.now(),
        &ctx.origin,
    )
    .await?;
    let rows = rows
        .into_iter()
        .map(|c| {
            let kind = t.get(&format!("case-kind-{}", c.kind));
            let status = t.get(&format!("case-status-{}", c.status));
            (c, kind, status)
        })
        .collect();
    render(
        StatusCode::OK,
        &CasesPage {
            l: StaffLayout::signed_in(t, t.get("cases-title"), &ctx.staff, "cases"),
            rows,
        },
    )
}

// ---- Opening a case ----

#[derive(Template)]
#[template(path = "staff/case_new.html")]
struct NewCasePage<'a> {
    l: StaffLayout<'a>,
    csrf: String,
    kinds: Vec<(&'static str, String)>,
    reference: String,
    errors: Vec<(&'static str, String)>,
}

fn new_page<'a>(
    state: &'a AppState,
    staff: &Staff,
    reference: String,
    errors: Vec<(&'static str, String)>,
) -> NewCasePage<'a> {
    let t = state.texts(&staff.user.language);
    NewCasePage {
        l: StaffLayout::signed_in(t, t.get("case-new-title"), staff, "cases"),
        csrf: staff.session.csrf_token.clone(),
        kinds: CaseKind::ALL
            .iter()
            .map(|k| (k.as_str(), t.get(&format!("case-kind-{}", k.as_str()))))
            .collect(),
        reference,
        errors,
    }
}

pub async fn new_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let r = async {
        let Some(staff) = signed_in(&state, &headers).await? else {
            return Ok(to_sign_in());
        };
        let reference = q
            .as_deref()
            .and_then(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .find(|(k, _)| k == "fran")
                    .map(|(_, v)| v.into_owned())
            })
            .unwrap_or_default();
        render(
            StatusCode::OK,
            &new_page(&state, &staff, reference, Vec::new()),
        )
    }
    .await;
    or_error(&state, r)
}

/// A person for the carer named in a contact request, if it named one.
async fn person_from_request(
    state: &AppState,
    staff: &Staff,
    kommun: &str,
    reference: &str,
    origin: &store::audit::Origin,
) -> Result<Option<i64>, PageError> {
    // Only the named request is read (and logged), not the municipality's whole queue.
    let Some(req) = store::contact_requests::by_reference(
        &state.db,
        kommun,
        reference,
        state.clock.now(),
        origin,
    )
    .await?
    else {
        return Ok(None);
    };
    let Some(name) = req.name.filter(|_| !req.anonymous) else {
        return Ok(None);
    };
    let (given, family) = match name.trim().rsplit_once(' ') {
        Some((g, f)) => (g.to_owned(), f.to_owned()),
        None => (name.clone(), "–".to_owned()),
    };
    let raw = RawPerson {
        id_number: req.personnummer.clone().unwrap_or_default(),
        given_name: given,
        family_name: family,
        phone: req.phone.clone().unwrap_or_default(),
        email: req.email.clone().unwrap_or_default(),
        ..RawPerson::default()
    };
    let Ok(new) = domain::case::validate_person(&raw, state.clock.today()) else {
        return Ok(None);
    };
    if let Some(id) = store::persons::create(
        &state.db,
        kommun,
        &new,
        Some(staff.user.id),
        req.is_demo,
        state.clock.now(),
        origin,
    )
    .await?
    {
        return Ok(Some(id));
    }
    // Already registered under that number: link the existing person.
    let number = new.id_number.unwrap_or_default();
    Ok(
        store::persons::search(&state.db, kommun, &number, state.clock.now(), origin)
            .await?
            .first()
            .map(|p| p.id),
    )
}

pub async fn create(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    rid: Rid,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let r = async {
        let (staff, f) = match posted(&state, &headers, &body).await? {
            Ok(posted) => posted,
            Err(answer) => return Ok(answer),
        };
        let kommun = municipality_of(&staff)?;
        if can(
            &staff.actor,
            Action::OpenCase,
            &Resource::Municipality(kommun),
        ) != Decision::Allow
        {
            return Ok(message(
                &state,
                StatusCode::FORBIDDEN,
                "forbidden-title",
                "forbidden-text",
                Some(&staff),
            ));
        }
        let t = state.texts(&staff.user.language);
        let reference = field(&f, "contact_request").trim().to_owned();
        let Some(kind) = CaseKind::parse(field(&f, "kind")) else {
            let page = new_page(
                &state,
                &staff,
                reference,
                vec![("kind", t.get("error-unknown-choice"))],
            );
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        };
        let origin = staff_origin(&staff, &rid, addr);
        let persons = if reference.is_empty() {
            Vec::new()
        } else {
            person_from_request(&state, &staff, kommun.as_str(), &reference, &origin)
                .await?
                .map(|p| vec![(p, PersonRole::Carer)])
                .unwrap_or_default()
        };
        let new = NewCase {
            kind,
            unit_id: staff.actor.units.first().copied(),
            assigned_to: Some(staff.user.id),
            contact_request_reference: (!reference.is_empty()).then_some(reference.clone()),
            persons,
        };
        match store::cases::open(
            &state.db,
            kommun.as_str(),
            &new,
            staff.user.id,
            false,
            state.clock.now(),
            &origin,
        )
        .await?
        {
            Ok((id, _)) => Ok(Redirect::to(&format!("/personal/arenden/{id}")).into_response()),
            Err(_) => {
                let page = new_page(
                    &state,
                    &staff,
                    reference,
                    vec![("contact_request", t.get("error-unknown-contact-request"))],
                );
                render(StatusCode::UNPROCESSABLE_ENTITY, &page)
            }
        }
    }
    .await;
    or_error(&state, r)
}

// ---- The case page ----

pub struct EntryView {
    pub e: JournalEntry,
    pub at: String,
    pub kind: String,
    pub can_mark: bool,
    pub marks: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "staff/case.html")]
struct CasePage<'a> {
    l: StaffLayout<'a>,
    csrf: String,
    v: CaseView,
    kind: String,
    status: String,
    opened: String,
    emergency: Option<String>,
    persons: Vec<(i64, String, String, String, bool)>,
    events: Vec<(String, String, String)>,
    entries: Vec<EntryView>,
    journal_kinds: Vec<(&'static str, String)>,
    entry_kind: String,
    entry_text: String,
    errors: Vec<(String, String)>,
    open_entry: Option<i64>,
    /// The statuses the case may move to now.
    moves: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "staff/case_emergency.html")]
struct EmergencyPage<'a> {
    l: StaffLayout<'a>,
    csrf: String,
    id: i64,
    errors: Vec<(&'static str, String)>,
}

struct Draft {
    kind: String,
    text: String,
    /// (field id, message): the field id is what the error summary links to.
    errors: Vec<(String, String)>,
    /// The entry whose correction form comes back open (with its error).
    open_entry: Option<i64>,
}

impl Draft {
    /// A fresh page: an empty new-entry form, no errors.
    fn empty() -> Self {
        Self {
            kind: "note".into(),
            text: String::new(),
            errors: Vec::new(),
            open_entry: None,
        }
    }

    /// The page again with one error, linked to its field.
    fn error(field: String, message: String, open_entry: Option<i64>) -> Self {
        Self {
            errors: vec![(field, message)],
            open_entry,
            ..Self::empty()
        }
    }
}

async fn case_page(
    state: &AppState,
    staff: &Staff,
    id: i64,
    origin: &store::audit::Origin,
    draft: Draft,
    status_code: StatusCode,
) -> Result<Response, PageError> {
    let t = state.texts(&staff.user.language);
    let kommun = municipality_of(staff)?;
    let (access, case_ref) =
        access::case(state, &staff.actor, Action::ReadCase, id, None, origin).await?;
    let reason = match access {
        Access::Granted(r) => r,
        Access::Hidden => return Err(PageError::NotFound),
        Access::NeedsReason => {
            let p = EmergencyPage {
                l: StaffLayout::signed_in(t, t.get("emergency-title"), staff, "cases"),
                csrf: staff.session.csrf_token.clone(),
                id,
                errors: Vec::new(),
            };
            return render(StatusCode::FORBIDDEN, &p);
        }
    };
    let now = state.clock.now();
    // One read, one audit row: the case and its journal together.
    let (v, journal) = store::cases::page(
        &state.db,
        kommun.as_str(),
        id,
        reason.as_deref(),
        now,
        origin,
    )
    .await?
    .ok_or(PageError::NotFound)?;
    let case_ref = case_ref.ok_or(PageError::NotFound)?;
    let entries = journal
        .into_iter()
        .map(|e| {
            let can_mark = can(
                &staff.actor,
                Action::MarkJournalWrong,
                &Resource::JournalEntry {
                    case: case_ref.clone(),
                    author: e.author,
                },
            ) != Decision::Deny;
            EntryView {
                at: local_time(e.at),
                kind: t.get(&format!("journal-kind-{}", e.kind)),
                marks: e
                    .marks
                    .iter()
                    .map(|m| (local_time(m.at), m.by_name.clone(), m.reason.clone()))
                    .collect(),
                can_mark,
                e,
            }
        })
        .collect();
    let persons = v
        .persons
        .iter()
        .map(|p| {
            let name = format!("{} {}", p.person.given_name, p.person.family_name);
            let role = t.get(&format!("person-role-{}", p.role));
            let protection = t.get(&format!("protection-{}", p.person.protection));
            (
                p.person.id,
                name,
                role,
                protection,
                p.person.protection != "none",
            )
        })
        .collect();
    let events = v
        .events
        .iter()
        .map(|e| {
            (
                local_time(e.at),
                e.by_name.clone().unwrap_or_default(),
                t.get(&format!("case-event-{}", e.kind)),
            )
        })
        .collect();
    let p = CasePage {
        l: StaffLayout::signed_in(
            t,
            t.get1("case-title", "number", &v.case.case_number),
            staff,
            "cases",
        ),
        csrf: staff.session.csrf_token.clone(),
        kind: t.get(&format!("case-kind-{}", v.case.kind)),
        status: t.get(&format!("case-status-{}", v.case.status)),
        opened: local_time(v.case.opened_at),
        emergency: reason
            .as_deref()
            .map(|r| r.trim_start_matches("emergency: ").to_owned()),
        persons,
        events,
        entries,
        moves: domain::case::CaseStatus::parse(&v.case.status)
            .map(|from| {
                domain::case::CaseStatus::ALL
                    .iter()
                    .filter(|to| from.may_move_to(**to))
                    .map(|to| (to.as_str(), t.get(&format!("case-status-{}", to.as_str()))))
                    .collect()
            })
            .unwrap_or_default(),
        journal_kinds: JournalKind::ALL
            .iter()
            .map(|k| (k.as_str(), t.get(&format!("journal-kind-{}", k.as_str()))))
            .collect(),
        entry_kind: draft.kind,
        entry_text: draft.text,
        errors: draft.errors,
        open_entry: draft.open_entry,
        v,
    };
    render(status_code, &p)
}

pub async fn show(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    rid: Rid,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let r = async {
        let Some(staff) = signed_in(&state, &headers).await? else {
            return Ok(to_sign_in());
        };
        let draft = Draft::empty();
        case_page(
            &state,
            &staff,
            id_of(&id)?,
            &staff_origin(&staff, &rid, addr),
            draft,
            StatusCode::OK,
        )
        .await
    }
    .await;
    or_error(&state, r)
}

pub async fn emergency(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    rid: Rid,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let r = async {
        let (staff, f) = match posted(&state, &headers, &body).await? {
            Ok(posted) => posted,
            Err(answer) => return Ok(answer),
        };
        let id = id_of(&id)?;
        let origin = staff_origin(&staff, &rid, addr);
        let (access, _) = access::case(
            &state,
            &staff.actor,
            Action::ReadCase,
            id,
            Some(field(&f, "reason")),
            &origin,
        )
        .await?;
        match access {
            Access::Granted(_) => {
                Ok(Redirect::to(&format!("/personal/arenden/{id}")).into_response())
            }
            Access::Hidden => Err(PageError::NotFound),
            Access::NeedsReason => {
                let t = state.texts(&staff.user.language);
                let p = EmergencyPage {
                    l: StaffLayout::signed_in(
                        t,
                        t.get1("form-title-with-errors", "title", &t.get("emergency-title")),
                        &staff,
                        "cases",
                    ),
                    csrf: staff.session.csrf_token.clone(),
                    id,
                    errors: vec![("reason", t.get("error-reason-short"))],
                };
                render(StatusCode::UNPROCESSABLE_ENTITY, &p)
            }
        }
    }
    .await;
    or_error(&state, r)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct JournalForm {
    kind: String,
    text: String,
}

pub async fn add_entry(
    State(state): State<AppState>,
    case: CaseAccess<act::WriteCase>,
    StaffForm(form): StaffForm<JournalForm>,
) -> Result<Response, PageError> {
    let CaseAccess { ctx, id, .. } = case;
    match domain::case::validate_journal(&form.kind, &form.text) {
        Ok((kind, text)) => {
            store::cases::add_entry(
                &state.db,
                ctx.kommun()?.as_str(),
                id,
                ctx.staff.user.id,
                kind,
                &text,
                state.clock.now(),
                &ctx.origin,
            )
            .await?
            .ok_or(PageError::NotFound)?;
            Ok(Redirect::to(&format!("/personal/arenden/{id}#journal")).into_response())
        }
        Err(errors) => {
            let t = ctx.texts(&state);
            let draft = Draft {
                kind: form.kind,
                text: form.text,
                errors: errors
                    .into_iter()
                    .flat_map(|(k, ids)| ids.into_iter().map(move |i| (k, i)))
                    .map(|(k, i)| (k.to_owned(), t.get(i)))
                    .collect(),
                open_entry: None,
            };
            case_page(
                &state,
                &ctx.staff,
                id,
                &ctx.origin,
                draft,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

pub async fn mark_wrong(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    rid: Rid,
    headers: HeaderMap,
    Path((id, entry)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let r = async {
        let (staff, f) = match posted(&state, &headers, &body).await? {
            Ok(posted) => posted,
            Err(answer) => return Ok(answer),
        };
        let (id, entry) = (id_of(&id)?, id_of(&entry)?);
        let kommun = municipality_of(&staff)?;
        let origin = staff_origin(&staff, &rid, addr);
        let case = store::cases::case_ref(&state.db, kommun.as_str(), id)
            .await?
            .ok_or(PageError::NotFound)?;
        let case_for_read = case.clone();
        let author = store::cases::entry_author(&state.db, kommun.as_str(), id, entry)
            .await?
            .ok_or(PageError::NotFound)?;
        match can(
            &staff.actor,
            Action::MarkJournalWrong,
            &Resource::JournalEntry { case, author },
        ) {
            Decision::Allow => {}
            Decision::EmergencyOnly => {
                if let Access::NeedsReason =
                    access::emergency(&state, &staff.actor, kommun.as_str(), id, None, &origin)
                        .await?
                {
                    return Ok(Redirect::to(&format!("/personal/arenden/{id}")).into_response());
                }
            }
            Decision::Deny
                if can(
                    &staff.actor,
                    Action::ReadCase,
                    &Resource::Case(case_for_read.clone()),
                ) == Decision::Deny =>
            {
                return Err(PageError::NotFound)
            }
            Decision::Deny => {
                return Ok(message(
                    &state,
                    StatusCode::FORBIDDEN,
                    "forbidden-title",
                    "api-mark-own",
                    Some(&staff),
                ))
            }
        }
        match domain::case::validate_reason("reason", field(&f, "reason")) {
            Ok(reason) => {
                store::cases::mark_wrong(
                    &state.db,
                    kommun.as_str(),
                    id,
                    entry,
                    staff.user.id,
                    &reason,
                    state.clock.now(),
                    &origin,
                )
                .await?;
                Ok(Redirect::to(&format!("/personal/arenden/{id}#post-{entry}")).into_response())
            }
            Err(_) => {
                let t = state.texts(&staff.user.language);
                let draft = Draft::error(
                    format!("reason-{entry}"),
                    t.get("error-mark-reason"),
                    Some(entry),
                );
                case_page(
                    &state,
                    &staff,
                    id,
                    &origin,
                    draft,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
        }
    }
    .await;
    or_error(&state, r)
}

#[derive(Template)]
#[template(path = "staff/extract.html")]
struct ExtractPage<'a> {
    l: StaffLayout<'a>,
    v: CaseView,
    kind: String,
    opened: String,
    printed: String,
    persons: Vec<(String, String)>,
    entries: Vec<EntryView>,
}

/// The whole case for the party (partsinsyn, FL 10 §): every entry, corrections included.
pub async fn extract(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    rid: Rid,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let r = async {
        let Some(staff) = signed_in(&state, &headers).await? else {
            return Ok(to_sign_in());
        };
        let id = id_of(&id)?;
        let origin = staff_origin(&staff, &rid, addr);
        let reason = match access::case(&state, &staff.actor, Action::ReadCase, id, None, &origin)
            .await?
            .0
        {
            Access::Granted(r) => r,
            Access::Hidden => return Err(PageError::NotFound),
            Access::NeedsReason => {
                return Ok(Redirect::to(&format!("/personal/arenden/{id}")).into_response())
            }
        };
        let kommun = municipality_of(&staff)?;
        let now = state.clock.now();
        // One read, one audit row: the case and its journal together.
        let (v, journal) = store::cases::page(
            &state.db,
            kommun.as_str(),
            id,
            reason.as_deref(),
            now,
            &origin,
        )
        .await?
        .ok_or(PageError::NotFound)?;
        let t = state.texts(&staff.user.language);
        let p = ExtractPage {
            l: StaffLayout::signed_in(
                t,
                t.get1("extract-title", "number", &v.case.case_number),
                &staff,
                "cases",
            ),
            kind: t.get(&format!("case-kind-{}", v.case.kind)),
            opened: local_time(v.case.opened_at),
            printed: local_time(now),
            persons: v
                .persons
                .iter()
                .map(|p| {
                    (
                        format!("{} {}", p.person.given_name, p.person.family_name),
                        t.get(&format!("person-role-{}", p.role)),
                    )
                })
                .collect(),
            entries: journal
                .into_iter()
                .map(|e| EntryView {
                    at: local_time(e.at),
                    kind: t.get(&format!("journal-kind-{}", e.kind)),
                    marks: e
                        .marks
                        .iter()
                        .map(|m| (local_time(m.at), m.by_name.clone(), m.reason.clone()))
                        .collect(),
                    can_mark: false,
                    e,
                })
                .collect(),
            v,
        };
        render(StatusCode::OK, &p)
    }
    .await;
    or_error(&state, r)
}

// ---- Persons ----

#[derive(Template)]
#[template(path = "staff/persons.html")]
struct PersonsPage<'a> {
    l: StaffLayout<'a>,
    query: String,
    searched: bool,
    hits: Vec<(i64, String, String, String)>,
    errors: Vec<(&'static str, String)>,
}

pub async fn persons(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    rid: Rid,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let r = async {
        let Some(staff) = signed_in(&state, &headers).await? else {
            return Ok(to_sign_in());
        };
        let kommun = municipality_of(&staff)?;
        if can(
            &staff.actor,
            Action::SearchPersons,
            &Resource::Municipality(kommun),
        ) != Decision::Allow
        {
            return Ok(message(
                &state,
                StatusCode::FORBIDDEN,
                "forbidden-title",
                "forbidden-text",
                Some(&staff),
            ));
        }
        let t = state.texts(&staff.user.language);
        let query: String = q
            .as_deref()
            .and_then(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .find(|(k, _)| k == "q")
                    .map(|(_, v)| v.into_owned())
            })
            .unwrap_or_default()
            .chars()
            .take(100)
            .collect();
        let mut errors = Vec::new();
        let mut hits = Vec::new();
        let searched = !query.trim().is_empty();
        if searched && query.trim().chars().count() < 2 {
            errors.push(("q", t.get("error-query-short")));
        } else if searched {
            hits = store::persons::search(
                &state.db,
                kommun.as_str(),
                &query,
                state.clock.now(),
                &staff_origin(&staff, &rid, addr),
            )
            .await?
            .into_iter()
            .map(|p| {
                // Lists show the birth date part of the number only.
                let number = p
                    .id_number
                    .as_deref()
                    .map(|n| n.chars().take(8).collect::<String>())
                    .unwrap_or_else(|| p.internal_ref.clone());
                (
                    p.id,
                    format!("{} {}", p.given_name, p.family_name),
                    number,
                    t.get(&format!("protection-{}", p.protection)),
                )
            })
            .collect();
        }
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        render(
            status,
            &PersonsPage {
                l: StaffLayout::signed_in(t, t.get("persons-title"), &staff, "persons"),
                query,
                searched,
                hits,
                errors,
            },
        )
    }
    .await;
    or_error(&state, r)
}

#[derive(Template)]
#[template(path = "staff/person.html")]
struct PersonPage<'a> {
    l: StaffLayout<'a>,
    p: store::persons::PersonRecord,
    protection: String,
    emergency: Option<String>,
    csrf: String,
    /// (other person's id, name, how related, lives together)
    relations: Vec<(i64, String, String, bool)>,
    relation_kinds: Vec<(&'static str, String)>,
}

pub async fn person(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    rid: Rid,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let r = async {
        let Some(staff) = signed_in(&state, &headers).await? else {
            return Ok(to_sign_in());
        };
        let id = id_of(&id)?;
        let kommun = municipality_of(&staff)?;
        let reason = match access::person(&state, &staff.actor, id, None).await? {
            Access::Granted(r) => r,
            Access::Hidden => return Err(PageError::NotFound),
            Access::NeedsReason => {
                return Ok(message(
                    &state,
                    StatusCode::FORBIDDEN,
                    "forbidden-title",
                    "person-not-yours",
                    Some(&staff),
                ))
            }
        };
        let p = store::persons::get(
            &state.db,
            kommun.as_str(),
            id,
            reason.as_deref(),
            state.clock.now(),
            &staff_origin(&staff, &rid, addr),
        )
        .await?
        .ok_or(PageError::NotFound)?;
        let t = state.texts(&staff.user.language);
        let rels = store::persons::relations(&state.db, kommun.as_str(), id).await?;
        if !rels.is_empty() {
            // The related persons are read too: one row names them.
            let mut e = staff_origin(&staff, &rid, addr).event(
                Some(kommun.as_str()),
                "person.relations_read",
                "person",
                Some(id.to_string()),
            );
            e.persons = rels
                .iter()
                .flat_map(|r| {
                    [
                        format!("person:{}", r.carer.id),
                        format!("person:{}", r.recipient.id),
                    ]
                })
                .collect();
            e.persons.dedup();
            e.reason.clone_from(&reason);
            store::audit::append_now(&state.db, state.clock.now(), &e).await?;
        }
        let relations = rels
            .iter()
            .map(|r| {
                let (other, how) = if r.carer.id == id {
                    (
                        &r.recipient,
                        t.get1(
                            "relation-cares-for",
                            "kind",
                            &t.get(&format!("relation-{}", r.kind)),
                        ),
                    )
                } else {
                    (
                        &r.carer,
                        t.get1(
                            "relation-cared-for-by",
                            "kind",
                            &t.get(&format!("relation-{}", r.kind)),
                        ),
                    )
                };
                (
                    other.id,
                    format!("{} {}", other.given_name, other.family_name),
                    how,
                    r.lives_together,
                )
            })
            .collect();
        let page = PersonPage {
            csrf: staff.session.csrf_token.clone(),
            relations,
            relation_kinds: domain::case::RelationKind::ALL
                .iter()
                .map(|k| (k.as_str(), t.get(&format!("relation-{}", k.as_str()))))
                .collect(),
            l: StaffLayout::signed_in(
                t,
                format!("{} {}", p.summary.given_name, p.summary.family_name),
                &staff,
                "persons",
            ),
            protection: t.get(&format!("protection-{}", p.summary.protection)),
            emergency: reason
                .as_deref()
                .map(|r| r.trim_start_matches("emergency: ").to_owned()),
            p,
        };
        render(StatusCode::OK, &page)
    }
    .await;
    or_error(&state, r)
}

pub async fn set_status(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    rid: Rid,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let r = async {
        let (staff, f) = match posted(&state, &headers, &body).await? {
            Ok(posted) => posted,
            Err(answer) => return Ok(answer),
        };
        let id = id_of(&id)?;
        let origin = staff_origin(&staff, &rid, addr);
        if let Some(answer) = may_write(&state, &staff, id, &origin).await? {
            return Ok(answer);
        }
        let kommun = municipality_of(&staff)?;
        let t = state.texts(&staff.user.language);
        let moved = match domain::case::CaseStatus::parse(field(&f, "status")) {
            Some(to) => {
                store::cases::set_status(
                    &state.db,
                    kommun.as_str(),
                    id,
                    to,
                    staff.user.id,
                    state.clock.now(),
                    &origin,
                )
                .await?
            }
            None => false,
        };
        if moved {
            return Ok(Redirect::to(&format!("/personal/arenden/{id}#handelser")).into_response());
        }
        let draft = Draft::error("status".to_owned(), t.get("case-status-error"), None);
        case_page(
            &state,
            &staff,
            id,
            &origin,
            draft,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await
    }
    .await;
    or_error(&state, r)
}

pub async fn add_relation(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    rid: Rid,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let r = async {
        let (staff, f) = match posted(&state, &headers, &body).await? {
            Ok(posted) => posted,
            Err(answer) => return Ok(answer),
        };
        let id = id_of(&id)?;
        let kommun = municipality_of(&staff)?;
        match access::person(&state, &staff.actor, id, None).await? {
            Access::Granted(_) => {}
            Access::Hidden => return Err(PageError::NotFound),
            Access::NeedsReason => {
                return Ok(message(
                    &state,
                    StatusCode::FORBIDDEN,
                    "forbidden-title",
                    "person-not-yours",
                    Some(&staff),
                ))
            }
        }
        let today = state.clock.today();
        let other_text = field(&f, "other");
        let number = domain::Personnummer::parse(other_text, today)
            .ok()
            .map(|p| p.canonical());
        let other = store::persons::find_by_number_or_ref(
            &state.db,
            kommun.as_str(),
            number.as_deref(),
            other_text,
        )
        .await?;
        let kind = domain::case::RelationKind::parse(field(&f, "kind"));
        let origin = staff_origin(&staff, &rid, addr);
        let added = match (other, kind) {
            (Some(other), Some(kind)) => {
                let (carer, recipient) = if field(&f, "direction") == "cared-for-by" {
                    (other, id)
                } else {
                    (id, other)
                };
                store::persons::add_relation(
                    &state.db,
                    kommun.as_str(),
                    carer,
                    recipient,
                    kind,
                    field(&f, "lives_together") == "yes",
                    state.clock.now(),
                    &origin,
                )
                .await?
            }
            _ => false,
        };
        if added {
            return Ok(Redirect::to(&format!("/personal/personer/{id}")).into_response());
        }
        Ok(message(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            "relation-error-title",
            "relation-error",
            Some(&staff),
        ))
    }
    .await;
    or_error(&state, r)
}

#[derive(Template)]
#[template(path = "staff/person_new.html")]
struct NewPersonPage<'a> {
    l: StaffLayout<'a>,
    csrf: String,
    v: RawPerson,
    protections: Vec<(&'static str, String)>,
    errors: Vec<(&'static str, String)>,
}

fn new_person_page<'a>(
    state: &'a AppState,
    staff: &Staff,
    v: RawPerson,
    errors: Vec<(&'static str, String)>,
) -> NewPersonPage<'a> {
    let t = state.texts(&staff.user.language);
    let title = if errors.is_empty() {
        t.get("person-new-title")
    } else {
        t.get1(
            "form-title-with-errors",
            "title",
            &t.get("person-new-title"),
        )
    };
    NewPersonPage {
        l: StaffLayout::signed_in(t, title, staff, "persons"),
        csrf: staff.session.csrf_token.clone(),
        protections: domain::case::Protection::ALL
            .iter()
            .map(|p| (p.as_str(), t.get(&format!("protection-{}", p.as_str()))))
            .collect(),
        v,
        errors,
    }
}

fn may_register(staff: &Staff) -> Result<bool, PageError> {
    let kommun = municipality_of(staff)?;
    Ok(can(
        &staff.actor,
        Action::OpenCase,
        &Resource::Municipality(kommun),
    ) == Decision::Allow)
}

pub async fn new_person_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let r = async {
        let Some(staff) = signed_in(&state, &headers).await? else {
            return Ok(to_sign_in());
        };
        if !may_register(&staff)? {
            return Ok(message(
                &state,
                StatusCode::FORBIDDEN,
                "forbidden-title",
                "forbidden-text",
                Some(&staff),
            ));
        }
        render(
            StatusCode::OK,
            &new_person_page(&state, &staff, RawPerson::default(), Vec::new()),
        )
    }
    .await;
    or_error(&state, r)
}

pub async fn create_person(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    rid: Rid,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let r = async {
        let (staff, f) = match posted(&state, &headers, &body).await? {
            Ok(posted) => posted,
            Err(answer) => return Ok(answer),
        };
        if !may_register(&staff)? {
            return Ok(message(
                &state,
                StatusCode::FORBIDDEN,
                "forbidden-title",
                "forbidden-text",
                Some(&staff),
            ));
        }
        let raw = RawPerson {
            id_number: field(&f, "id_number").to_owned(),
            given_name: field(&f, "given_name").to_owned(),
            family_name: field(&f, "family_name").to_owned(),
            phone: field(&f, "phone").to_owned(),
            email: field(&f, "email").to_owned(),
            address_line: field(&f, "address_line").to_owned(),
            postal_code: field(&f, "postal_code").to_owned(),
            city: field(&f, "city").to_owned(),
            protection: field(&f, "protection").to_owned(),
            children_in_household: field(&f, "children_in_household") == "yes",
        };
        let t = state.texts(&staff.user.language);
        let errors_of = |e: domain::case::Errors| -> Vec<(&'static str, String)> {
            e.into_iter()
                .flat_map(|(k, ids)| ids.into_iter().map(move |i| (k, i)))
                .map(|(k, i)| (k, t.get(i)))
                .collect()
        };
        let new = match domain::case::validate_person(&raw, state.clock.today()) {
            Ok(n) => n,
            Err(e) => {
                return render(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &new_person_page(&state, &staff, raw, errors_of(e)),
                )
            }
        };
        let kommun = municipality_of(&staff)?;
        let origin = staff_origin(&staff, &rid, addr);
        match store::persons::create(
            &state.db,
            kommun.as_str(),
            &new,
            Some(staff.user.id),
            false,
            state.clock.now(),
            &origin,
        )
        .await?
        {
            Some(id) => Ok(Redirect::to(&format!("/personal/personer/{id}")).into_response()),
            None => {
                let errors = vec![("id_number", t.get("error-person-exists"))];
                render(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &new_person_page(&state, &staff, raw, errors),
                )
            }
        }
    }
    .await;
    or_error(&state, r)
}
