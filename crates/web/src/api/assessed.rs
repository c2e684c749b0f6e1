//! The JSON API of assessed support: applications, decisions, their notice, appeals, and the
//! report of decisions not carried out. The same functions and rules as the staff pages
//! (`crate::assessed`); the same access answers as the case API (`api::cases`).

use super::not_found;
use crate::error::ApiError;
use crate::http::api::{
    api_param, case_access, emergency_reason, ApiCase, ApiId, ApiMunicipality, Caller,
    EmergencyReason, JsonObject, OptionalCaller, PublicOrigin,
};
use crate::http::extract::{act, PolicyAction};
use crate::http::ids::Appeal;
use crate::http::paths::KommunPath;
use crate::AppState;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::assessed::{RawApplication, RawDecision};
use domain::policy::{can, Action, Decision, Resource};
use domain::FieldErrors;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::marker::PhantomData;
use store::access::CaseGrant;
use store::assessed::Taken;

// Each route with its OpenAPI operation in openapi/assessed.json (a missing one does not
// compile); the document served at /api/v1/openapi.json is built from them.
crate::api_routes! {
    docs = include_str!("openapi/assessed.json");
    post "/api/v1/municipalities/{kommunkod}/applications" => create_application;
    post "/api/v1/cases/{id}/decisions" => create_decision;
    get "/api/v1/decisions/{id}" => get_decision;
    get "/api/v1/decisions/{id}/letter.pdf" => decision_letter_pdf;
    post "/api/v1/decisions/{id}/notice" => record_notice;
    post "/api/v1/decisions/{id}/appeals" => create_appeal;
    get "/api/v1/appeals/{id}" => get_appeal;
    post "/api/v1/appeals/{id}/reconsideration" => reconsider_appeal;
    post "/api/v1/appeals/{id}/forward" => forward_appeal;
    get "/api/v1/municipalities/{kommunkod}/reports/not-executed" => not_executed;
}

fn text_of(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn type_error(field: &'static str) -> ApiError {
    ApiError::Validation(FieldErrors::one(field, "error-type-string"))
}

/// A bad token is 401 first; then an unknown municipality is 404 before anything about the
/// body (the extractors run in this order).
async fn create_application(
    State(state): State<AppState>,
    OptionalCaller(staff): OptionalCaller,
    municipality: ApiMunicipality,
    PublicOrigin(public): PublicOrigin,
    EmergencyReason(reason): EmergencyReason,
    JsonObject(m): JsonObject,
) -> Result<Response, ApiError> {
    let t = &state.t;
    let kommunkod = municipality.kommunkod();
    if let Some(c) = &staff {
        c.need_write(&state)?;
        // Staff register applications for their own municipality only.
        if c.kommun != kommunkod {
            return Err(ApiError::NotFound(t.get("api-unknown-municipality")));
        }
    }
    let person = match m.get("applicant") {
        Some(Value::Object(a)) => a.clone(),
        None | Some(Value::Null) => Map::new(),
        Some(_) => return Err(type_error("applicant")),
    };
    let requested = match m.get("requested") {
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                Value::Object(o) => Ok(text_of(o.get("entry").or(o.get("text")))),
                _ => Err(type_error("requested")),
            })
            .collect::<Result<Vec<_>, _>>()?,
        None | Some(Value::Null) => Vec::new(),
        Some(_) => return Err(type_error("requested")),
    };
    let channel = match &staff {
        None => "online".to_owned(),
        Some(_) => Some(text_of(m.get("channel")))
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| "api".into()),
    };
    let raw = RawApplication {
        name: text_of(person.get("name")),
        personnummer: text_of(person.get("personnummer")),
        phone: text_of(person.get("phone")),
        email: text_of(person.get("email")),
        role: text_of(person.get("role")),
        recipient_name: text_of(m.get("recipient_name")),
        requested,
        free_text: String::new(),
        received_on: text_of(m.get("received_on")),
        channel,
        message: text_of(m.get("message")),
        consent: m.get("consent") == Some(&Value::Bool(true)),
    };
    let (origin, by) = match &staff {
        Some(c) => (c.origin.clone(), Some(c.actor.user_id)),
        None => (public, None),
    };
    match crate::assessed::submit_application(&state, kommunkod, &raw, by, &origin).await? {
        Ok(s) => {
            // Staff who take the call may take the case at once, as long as that reaches no
            // one they may not read (an applicant already in a colleague's case): otherwise
            // it waits in the inbox, or is taken with the emergency header.
            let mut assigned = false;
            if let (Some(c), Some(Value::Bool(true))) = (&staff, m.get("assign_to_me")) {
                assigned = store::assessed::take(
                    &state.db,
                    &c.actor,
                    s.case_id,
                    reason.as_deref(),
                    state.clock.now(),
                    &c.origin,
                )
                .await?
                    == Taken::Taken;
            }
            Ok((
                StatusCode::CREATED,
                Json(json!({
                    "case_id": s.case_id,
                    "case_number": s.case_number,
                    "reference": s.reference,
                    "assigned_to_me": assigned,
                })),
            )
                .into_response())
        }
        Err(e) => Err(ApiError::Validation(e)),
    }
}

/// The caller may take action `A` on the case of the decision `{id}` (404 otherwise); a
/// write then needs a `write` token.
struct DecisionAccess<A> {
    caller: Caller,
    id: i64,
    grant: CaseGrant,
    _action: PhantomData<A>,
}

impl<A: PolicyAction> FromRequestParts<AppState> for DecisionAccess<A> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let id = api_param(parts, state, "id").await?;
        let case_id = store::assessed::decision_case(&state.db, &caller.kommun, id)
            .await?
            .ok_or_else(|| not_found(state))?;
        let reason = emergency_reason(&parts.headers);
        let grant = case_access(state, &caller, A::ACTION, case_id, reason.as_deref()).await?;
        if A::WRITES {
            caller.need_write(state)?;
        }
        Ok(DecisionAccess {
            caller,
            id,
            grant,
            _action: PhantomData,
        })
    }
}

async fn create_decision(
    State(state): State<AppState>,
    ApiCase {
        caller: c, grant, ..
    }: ApiCase<act::ReadCase>,
    JsonObject(m): JsonObject,
) -> Result<Response, ApiError> {
    c.need_write(&state)?;
    // A role without delegation learns that it may not decide, not that the case is hidden.
    if !grant.permits(Action::Decide) {
        return Err(ApiError::Forbidden(state.t.get("api-no-delegation")));
    }
    let scope = match m.get("scope") {
        Some(Value::Object(s)) => s.clone(),
        Some(Value::String(s)) => {
            let mut o = Map::new();
            o.insert("text".into(), Value::String(s.clone()));
            o
        }
        None | Some(Value::Null) => Map::new(),
        Some(_) => return Err(type_error("scope")),
    };
    let mut form = crate::assessed::DecisionForm {
        raw: RawDecision {
            outcome: text_of(m.get("outcome")),
            hours_per_month: text_of(scope.get("hours_per_month")),
            days_per_week: text_of(scope.get("days_per_week")),
            scope_text: text_of(scope.get("text")),
            period_from: text_of(scope.get("from")),
            period_to: text_of(scope.get("to")),
            reasons: text_of(m.get("reasons")),
            decided_on: text_of(m.get("decided_on")),
        },
        legal_basis: text_of(m.get("legal_basis")),
        communication_waiver: text_of(m.get("communication_waiver")),
        ..Default::default()
    };
    // The insats: an applied insats by id, by catalogue entry id or title, or a free text.
    let applied = store::assessed::of_case(&state.db, &grant).await?.applied;
    match m.get("insats") {
        Some(Value::Number(n)) => match applied.iter().find(|a| Some(a.id) == n.as_i64()) {
            Some(a) => form.applied_id = Some(a.id),
            None => {
                let mut e = FieldErrors::new();
                e.add("insats", "refusal-unknown-insats");
                return Err(ApiError::Validation(e));
            }
        },
        Some(Value::String(s)) => {
            match applied
                .iter()
                .find(|a| a.catalogue_slug.as_deref() == Some(s.as_str()) || a.title == *s)
            {
                Some(a) => form.applied_id = Some(a.id),
                None => form.insats = s.clone(),
            }
        }
        None | Some(Value::Null) => {}
        Some(_) => return Err(type_error("insats")),
    }
    match crate::assessed::decide(&state, &grant, &form, c.actor.user_id, &c.origin).await? {
        Ok(id) => Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response()),
        Err(e) => Err(ApiError::Validation(e)),
    }
}

async fn decision_json(
    state: &AppState,
    c: &Caller,
    grant: &CaseGrant,
    decision_id: i64,
) -> Result<Value, ApiError> {
    let now = state.clock.now();
    let d = store::assessed::decision(&state.db, grant, decision_id, now, &c.origin)
        .await?
        .ok_or_else(|| not_found(state))?;
    let full = store::assessed::of_case(&state.db, grant).await?;
    let appeals: Vec<&store::assessed::AppealRow> = full
        .decisions
        .iter()
        .filter(|f| f.decision.id == decision_id)
        .flat_map(|f| f.appeals.iter())
        .collect();
    let mut v = serde_json::to_value(&d).map_err(|e| ApiError::Internal(e.to_string()))?;
    if let Value::Object(o) = &mut v {
        o.insert("appeals".into(), json!(appeals));
    }
    Ok(v)
}

async fn get_decision(
    State(state): State<AppState>,
    DecisionAccess {
        caller: c,
        id,
        grant,
        ..
    }: DecisionAccess<act::ReadCase>,
) -> Result<Response, ApiError> {
    Ok(Json(decision_json(&state, &c, &grant, id).await?).into_response())
}

/// The decision letter as PDF/A, the same document the staff page gives (the read is logged).
async fn decision_letter_pdf(
    State(state): State<AppState>,
    DecisionAccess {
        caller: c,
        id,
        grant,
        ..
    }: DecisionAccess<act::ReadCase>,
) -> Result<Response, ApiError> {
    let d = store::assessed::decision(&state.db, &grant, id, state.clock.now(), &c.origin)
        .await?
        .ok_or_else(|| not_found(&state))?;
    let doc = crate::documents::decision_letter(&state, &grant, &d, &c.origin).await?;
    let bytes = crate::documents::pdf(&doc)?;
    Ok(crate::http::pdf_response(
        bytes,
        &format!("beslut-{}-{id}.pdf", d.case_number),
    ))
}

async fn record_notice(
    State(state): State<AppState>,
    DecisionAccess {
        caller: c,
        id,
        grant,
        ..
    }: DecisionAccess<act::WriteCase>,
    JsonObject(m): JsonObject,
) -> Result<Response, ApiError> {
    match crate::assessed::record_notice(
        &state,
        &grant,
        id,
        &text_of(m.get("method")),
        &text_of(m.get("sent_on")),
        &text_of(m.get("received_on")),
        c.actor.user_id,
        &c.origin,
    )
    .await?
    {
        Ok(_) => Ok(Json(decision_json(&state, &c, &grant, id).await?).into_response()),
        Err(e) => Err(ApiError::Validation(e)),
    }
}

async fn create_appeal(
    State(state): State<AppState>,
    DecisionAccess {
        caller: c,
        id,
        grant,
        ..
    }: DecisionAccess<act::WriteCase>,
    JsonObject(m): JsonObject,
) -> Result<Response, ApiError> {
    match crate::assessed::register_appeal(
        &state,
        &grant,
        id,
        &text_of(m.get("received_on")),
        &text_of(m.get("note")),
        c.actor.user_id,
        &c.origin,
    )
    .await?
    {
        Ok(a) => Ok((StatusCode::CREATED, Json(a)).into_response()),
        Err(e) => Err(ApiError::Validation(e)),
    }
}

async fn get_appeal(
    State(state): State<AppState>,
    c: Caller,
    EmergencyReason(reason): EmergencyReason,
    ApiId { value: id, .. }: ApiId<Appeal>,
) -> Result<Response, ApiError> {
    let case_id = store::assessed::appeal_case(&state.db, &c.kommun, id)
        .await?
        .ok_or_else(|| not_found(&state))?;
    let grant = case_access(&state, &c, Action::ReadCase, case_id, reason.as_deref()).await?;
    let a = store::assessed::appeal(&state.db, &grant, id, state.clock.now(), &c.origin)
        .await?
        .ok_or_else(|| not_found(&state))?;
    Ok(Json(a).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReportQuery {
    quarter: String,
    format: String,
}

async fn not_executed(
    State(state): State<AppState>,
    c: Caller,
    Path(KommunPath { kommunkod }): Path<KommunPath>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let Ok(k) = domain::Kommunkod::parse(&kommunkod) else {
        return Err(not_found(&state));
    };
    if c.kommun != kommunkod {
        return Err(not_found(&state));
    }
    if can(&c.actor, Action::ReadReports, &Resource::Municipality(k)) != Decision::Allow {
        return Err(ApiError::Forbidden(state.t.get("api-no-reports")));
    }
    let Some((first, last)) = domain::calendar::quarter(&q.quarter) else {
        let mut e = FieldErrors::new();
        e.add("quarter", "error-quarter");
        return Err(ApiError::Validation(e));
    };
    let report = crate::reports::not_executed(&state, &c.kommun, first, last, &c.origin).await?;
    if q.format == "csv" {
        return Ok((
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            crate::reports::not_executed_csv(&state, &report),
        )
            .into_response());
    }
    Ok(Json(json!({
        "quarter": q.quarter.to_uppercase(),
        "from": first,
        "to": last,
        "lines": report.lines,
    }))
    .into_response())
}

/// A write on the appeal `{id}`: the caller may write in its case (404 otherwise) with a
/// `write` token.
struct AppealWrite {
    caller: Caller,
    id: i64,
    grant: CaseGrant,
}

impl FromRequestParts<AppState> for AppealWrite {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let id = api_param(parts, state, "id").await?;
        let case_id = store::assessed::appeal_case(&state.db, &caller.kommun, id)
            .await?
            .ok_or_else(|| not_found(state))?;
        let reason = emergency_reason(&parts.headers);
        let grant = case_access(
            state,
            &caller,
            Action::WriteCase,
            case_id,
            reason.as_deref(),
        )
        .await?;
        caller.need_write(state)?;
        Ok(AppealWrite { caller, id, grant })
    }
}

/// A date field of an appeal step: required, and not in the future (the rule the pages use).
fn step_date(
    e: &mut FieldErrors,
    field: &'static str,
    raw: &str,
    state: &AppState,
) -> Option<chrono::NaiveDate> {
    domain::assessed::validate_past_date(field, raw, state.clock.today())
        .map_err(|x| e.merge(x))
        .ok()
}

/// Takes the appeal step and answers with the appeal as it now stands.
async fn appeal_step(
    state: &AppState,
    w: &AppealWrite,
    step: store::assessed::AppealStep,
) -> Result<Response, ApiError> {
    let now = state.clock.now();
    match store::assessed::appeal_step(
        &state.db,
        &w.grant,
        w.id,
        &step,
        w.caller.actor.user_id,
        now,
        &w.caller.origin,
    )
    .await?
    {
        Ok(()) => {
            let a = store::assessed::appeal(&state.db, &w.grant, w.id, now, &w.caller.origin)
                .await?
                .ok_or_else(|| not_found(state))?;
            Ok(Json(a).into_response())
        }
        Err(r) => Err(ApiError::Validation(crate::assessed::refusal(r))),
    }
}

async fn reconsider_appeal(
    State(state): State<AppState>,
    w: AppealWrite,
    JsonObject(m): JsonObject,
) -> Result<Response, ApiError> {
    let mut e = FieldErrors::new();
    let outcome = domain::assessed::Reconsideration::parse(text_of(m.get("outcome")).trim());
    if outcome.is_none() {
        e.add("outcome", "error-choose-one");
    }
    let on = step_date(&mut e, "decided_on", &text_of(m.get("decided_on")), &state);
    let note = text_of(m.get("note")).trim().to_owned();
    match (outcome, on, e.is_empty()) {
        (Some(o), Some(on), true) => {
            appeal_step(
                &state,
                &w,
                store::assessed::AppealStep::Reconsider(o, on, note),
            )
            .await
        }
        _ => Err(ApiError::Validation(e)),
    }
}

async fn forward_appeal(
    State(state): State<AppState>,
    w: AppealWrite,
    JsonObject(m): JsonObject,
) -> Result<Response, ApiError> {
    let mut e = FieldErrors::new();
    match step_date(&mut e, "sent_on", &text_of(m.get("sent_on")), &state) {
        Some(on) => appeal_step(&state, &w, store::assessed::AppealStep::Forward(on)).await,
        None => Err(ApiError::Validation(e)),
    }
}
