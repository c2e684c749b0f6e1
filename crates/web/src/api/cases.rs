//! The staff JSON API of cases and their journal, with `Authorization: Bearer <token>` (or a
//! signed-in session). Nothing answers without one but 401; what the caller may not see
//! answers 404, as if it did not exist.

use super::{not_found, str_field};
use crate::error::ApiError;
use crate::http::api::{ApiAllowed, ApiCase, EmergencyReason, EntryId, JsonObject};
use crate::http::extract::act;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::case::{CaseKind, PersonRole};
use domain::contact::RequestStatus;
use serde::Deserialize;
use serde_json::{json, Value};
use store::access::Verdict;

use store::cases::{MarkWrong, NewCase, OpenError};

// Each route with its OpenAPI operation in openapi/cases.json (a missing one does not
// compile); the document served at /api/v1/openapi.json is built from them.
crate::api_routes! {
    docs = include_str!("openapi/cases.json");
    get "/api/v1/cases" => list_cases;
    post "/api/v1/cases" => open_case;
    get "/api/v1/cases/{id}" => get_case;
    get "/api/v1/cases/{id}/journal" => get_journal;
    post "/api/v1/cases/{id}/journal" => add_entry;
    post "/api/v1/cases/{id}/journal/{entry}/mark-wrong" => mark_wrong;
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CasesQuery {
    q: String,
    status: String,
    holder: String,
    unit: String,
    sort: String,
    /// The cursor when newest first (the default): `next_before` of the page before.
    before: String,
    /// The cursor when oldest first: `next_after` of the page before.
    after: String,
}

/// The caller's cases (held by them or their units), searched by reference, case number,
/// personnummer or name and filtered; a search is logged as one, naming what was found.
async fn list_cases(
    State(state): State<AppState>,
    ApiAllowed { caller: c, .. }: ApiAllowed<act::ListCases>,
    Query(q): Query<CasesQuery>,
) -> Result<Json<Value>, ApiError> {
    let oldest = q.sort == "oldest";
    let raw = domain::worklist::RawCaseListQuery {
        q: q.q,
        status: q.status,
        holder: q.holder,
        unit: q.unit,
        sort: q.sort,
        before: q.before,
        after: q.after,
    };
    let query = domain::worklist::parse_query(&raw, PAGE, state.clock.today())
        .map_err(ApiError::Validation)?;
    let rows = store::worklist::page(
        &state.db,
        &c.kommun,
        c.actor.user_id,
        &query,
        &state.law,
        state.clock.now(),
        &c.origin,
    )
    .await?;
    let next = (rows.len() as i64 == PAGE)
        .then(|| rows.last().map(|r| r.case.id))
        .flatten();
    let cursor = if oldest { "next_after" } else { "next_before" };
    Ok(Json(json!({ "cases": rows, cursor: next })))
}

/// Cases per page of the list.
const PAGE: i64 = 100;

async fn open_case(
    State(state): State<AppState>,
    ApiAllowed { caller: c, .. }: ApiAllowed<act::OpenCase>,
    EmergencyReason(reason): EmergencyReason,
    JsonObject(m): JsonObject,
) -> Result<Response, ApiError> {
    let mut errors = domain::FieldErrors::new();
    let kind = match str_field(&m, "kind") {
        Ok(k) => CaseKind::parse(&k).or_else(|| {
            errors.add(
                "kind",
                if k.is_empty() {
                    "error-required"
                } else {
                    "error-unknown-choice"
                },
            );
            None
        }),
        Err(e) => {
            errors.add("kind", e);
            None
        }
    };
    let reference = match str_field(&m, "contact_request") {
        Ok(r) if r.is_empty() => None,
        Ok(r) => Some(r),
        Err(e) => {
            errors.add("contact_request", e);
            None
        }
    };
    let mut persons = Vec::new();
    match m.get("persons") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for item in items {
                let parsed = match item {
                    Value::Number(n) => n.as_i64().map(|id| (id, PersonRole::Other)),
                    Value::Object(o) => o.get("id").and_then(Value::as_i64).map(|id| {
                        let role = o
                            .get("role")
                            .and_then(Value::as_str)
                            .and_then(PersonRole::parse)
                            .unwrap_or(PersonRole::Other);
                        (id, role)
                    }),
                    _ => None,
                };
                match parsed {
                    Some(p) => persons.push(p),
                    None => errors.add("persons", "error-persons"),
                }
            }
        }
        Some(_) => errors.add("persons", "error-persons"),
    }
    let (Some(kind), true) = (kind, errors.is_empty()) else {
        return Err(ApiError::Validation(errors));
    };
    // Opening a case for someone makes them readable: only whom the caller may already read,
    // or with the emergency header (flagged in the log review).
    let mut linked = Vec::with_capacity(persons.len());
    for (id, role) in persons {
        match store::access::link(&state.db, &c.actor, id, reason.as_deref()).await? {
            Verdict::Granted(grant) => linked.push((grant, role)),
            Verdict::NeedsReason => {
                return Err(ApiError::Forbidden(state.t.get("api-emergency-person")))
            }
            Verdict::Hidden => {
                return Err(ApiError::Validation(domain::FieldErrors::one(
                    "persons",
                    "error-unknown-person",
                )))
            }
        }
    }
    let persons = linked;
    // What the request said goes into the case's first entry (the read is logged).
    let first_entry = match &reference {
        Some(r) => store::contact_requests::by_reference(
            &state.db,
            &c.kommun,
            r,
            state.clock.now(),
            &c.origin,
        )
        .await?
        .filter(|req| req.status != RequestStatus::CaseOpened)
        .map(|req| crate::contact::case_opening_entry(&state.t, &req)),
        None => None,
    };
    let new = NewCase {
        kind,
        unit_id: c.actor.units.first().copied(),
        assigned_to: Some(c.actor.user_id),
        contact_request_reference: reference,
        persons,
        first_entry,
    };
    let now = state.clock.now();
    match store::cases::open(
        &state.db,
        &c.kommun,
        &new,
        c.actor.user_id,
        false,
        now,
        &c.origin,
    )
    .await?
    {
        Ok((id, number)) => Ok((
            StatusCode::CREATED,
            Json(json!({ "id": id, "case_number": number })),
        )
            .into_response()),
        Err(OpenError::AlreadyOpened {
            case_id,
            case_number,
        }) => Ok((
            StatusCode::CONFLICT,
            Json(json!({
                "error": crate::i18n::swedish("error-request-has-case"),
                "case_id": case_id,
                "case_number": case_number,
            })),
        )
            .into_response()),
        Err(e) => {
            let (field, id) = match e {
                OpenError::AlreadyOpened { .. } => ("contact_request", "error-request-has-case"),
                OpenError::UnknownContactRequest => {
                    ("contact_request", "error-unknown-contact-request")
                }
                OpenError::UnknownPerson(_) => ("persons", "error-unknown-person"),
                OpenError::UnknownUnit | OpenError::UnknownAssignee => {
                    ("kind", "error-unknown-choice")
                }
            };
            Err(ApiError::Validation(domain::FieldErrors::one(field, id)))
        }
    }
}

async fn get_case(
    State(state): State<AppState>,
    ApiCase {
        caller: c, grant, ..
    }: ApiCase<act::ReadCase>,
) -> Result<Json<Value>, ApiError> {
    let view = store::cases::get(&state.db, &grant, state.clock.now(), &c.origin)
        .await?
        .ok_or_else(|| not_found(&state))?;
    Ok(Json(json!(view)))
}

async fn get_journal(
    State(state): State<AppState>,
    ApiCase {
        caller: c, grant, ..
    }: ApiCase<act::ReadCase>,
) -> Result<Json<Value>, ApiError> {
    let entries = store::cases::journal(&state.db, &grant, state.clock.now(), &c.origin).await?;
    Ok(Json(json!({ "entries": entries })))
}

async fn add_entry(
    State(state): State<AppState>,
    ApiCase {
        caller: c, grant, ..
    }: ApiCase<act::WriteCase>,
    JsonObject(m): JsonObject,
) -> Result<Response, ApiError> {
    let (kind, text) = match (str_field(&m, "kind"), str_field(&m, "text")) {
        (Ok(k), Ok(t)) => (k, t),
        (k, t) => {
            let mut e = domain::FieldErrors::new();
            if let Err(x) = k {
                e.add("kind", x);
            }
            if let Err(x) = t {
                e.add("text", x);
            }
            return Err(ApiError::Validation(e));
        }
    };
    let (kind, text) =
        domain::case::validate_journal(&kind, &text).map_err(ApiError::Validation)?;
    let entry =
        store::cases::add_entry(&state.db, &grant, kind, &text, state.clock.now(), &c.origin)
            .await?
            .ok_or_else(|| not_found(&state))?;
    Ok((StatusCode::CREATED, Json(json!({ "id": entry }))).into_response())
}

async fn mark_wrong(
    State(state): State<AppState>,
    ApiCase {
        caller: c, grant, ..
    }: ApiCase<act::MarkEntryWrong>,
    EntryId(entry): EntryId,
    JsonObject(m): JsonObject,
) -> Result<Response, ApiError> {
    match store::cases::may_mark_wrong(&state.db, &grant, entry).await? {
        MarkWrong::Allowed => {}
        MarkWrong::NoSuchEntry => return Err(not_found(&state)),
        MarkWrong::NotTheirs => return Err(ApiError::Forbidden(state.t.get("api-mark-own"))),
    }
    let reason = str_field(&m, "reason")
        .map_err(|e| ApiError::Validation(domain::FieldErrors::one("reason", e)))?;
    let reason = domain::case::validate_reason("reason", &reason).map_err(ApiError::Validation)?;
    match store::cases::mark_wrong(
        &state.db,
        &grant,
        entry,
        &reason,
        state.clock.now(),
        &c.origin,
    )
    .await?
    {
        MarkWrong::Allowed => {}
        MarkWrong::NoSuchEntry => return Err(not_found(&state)),
        MarkWrong::NotTheirs => return Err(ApiError::Forbidden(state.t.get("api-mark-own"))),
    }
    Ok((
        StatusCode::CREATED,
        Json(json!({ "entry": entry, "marked_wrong": true })),
    )
        .into_response())
}
