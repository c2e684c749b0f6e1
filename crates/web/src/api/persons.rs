//! The staff JSON API of persons: search (logged), registration, a person, relations. As for
//! cases, a person the caller may not reach answers 404.

use super::{not_found, str_field};
use crate::error::ApiError;
use crate::http::api::{ApiAllowed, ApiId, Caller, EmergencyReason, JsonObject};
use crate::http::extract::act;
use crate::http::ids::Person;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::case::RawPerson;
use serde::Deserialize;
use serde_json::{json, Value};

use store::access::{PersonGrant, Verdict};

// Each route with its OpenAPI operation in openapi/persons.json (a missing one does not
// compile); the document served at /api/v1/openapi.json is built from them.
crate::api_routes! {
    docs = include_str!("openapi/persons.json");
    get "/api/v1/persons" => search_persons;
    post "/api/v1/persons" => create_person;
    get "/api/v1/persons/{id}" => get_person;
    post "/api/v1/persons/{id}/relations" => add_relation;
}

/// The policy's answer on the person: a grant, 403 asking for the emergency header, or 404.
async fn person_access(
    state: &AppState,
    c: &Caller,
    id: i64,
    reason: Option<&str>,
) -> Result<PersonGrant, ApiError> {
    match store::access::person(&state.db, &c.actor, id, reason).await? {
        Verdict::Granted(grant) => Ok(grant),
        Verdict::NeedsReason => Err(ApiError::Forbidden(state.t.get("api-emergency-reason"))),
        Verdict::Hidden => Err(not_found(state)),
    }
}

async fn get_person(
    State(state): State<AppState>,
    c: Caller,
    EmergencyReason(reason): EmergencyReason,
    ApiId { value: id, .. }: ApiId<Person>,
) -> Result<Json<Value>, ApiError> {
    let grant = person_access(&state, &c, id, reason.as_deref()).await?;
    let p = store::persons::get(&state.db, &grant, state.clock.now(), &c.origin)
        .await?
        .ok_or_else(|| not_found(&state))?;
    Ok(Json(json!(p)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SearchQuery {
    q: String,
}

async fn search_persons(
    State(state): State<AppState>,
    ApiAllowed { caller: c, .. }: ApiAllowed<act::SearchPersons>,
    Query(SearchQuery { q: query }): Query<SearchQuery>,
) -> Result<Json<Value>, ApiError> {
    if query.trim().chars().count() < 2 {
        return Err(ApiError::Validation(domain::FieldErrors::one(
            "q",
            "error-query-short",
        )));
    }
    let found =
        store::persons::search(&state.db, &c.kommun, &query, state.clock.now(), &c.origin).await?;
    Ok(Json(json!({ "persons": found })))
}

async fn create_person(
    State(state): State<AppState>,
    ApiAllowed { caller: c, .. }: ApiAllowed<act::OpenCase>,
    JsonObject(m): JsonObject,
) -> Result<Response, ApiError> {
    let mut type_errors = domain::FieldErrors::new();
    let mut get = |k: &'static str| {
        str_field(&m, k).unwrap_or_else(|e| {
            type_errors.add(k, e);
            String::new()
        })
    };
    let raw = RawPerson {
        id_number: get("personnummer"),
        given_name: get("given_name"),
        family_name: get("family_name"),
        phone: get("phone"),
        email: get("email"),
        address_line: get("address_line"),
        postal_code: get("postal_code"),
        city: get("city"),
        protection: get("protection"),
        children_in_household: m
            .get("children_in_household")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    };
    if !type_errors.is_empty() {
        return Err(ApiError::Validation(type_errors));
    }
    let new =
        domain::case::validate_person(&raw, state.clock.today()).map_err(ApiError::Validation)?;
    let id = store::persons::create(
        &state.db,
        &c.kommun,
        &new,
        Some(c.actor.user_id),
        false,
        state.clock.now(),
        &c.origin,
    )
    .await?
    .ok_or_else(|| {
        ApiError::Validation(domain::FieldErrors::one(
            "personnummer",
            "error-person-exists",
        ))
    })?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}

/// Records that the person in the path cares for `recipient` (both in the caller's
/// municipality, the person reachable for the caller).
async fn add_relation(
    State(state): State<AppState>,
    c: Caller,
    EmergencyReason(reason): EmergencyReason,
    ApiId { value: id, .. }: ApiId<Person>,
    JsonObject(m): JsonObject,
) -> Result<Response, ApiError> {
    c.need_write(&state)?;
    person_access(&state, &c, id, reason.as_deref()).await?;
    let mut errors = domain::FieldErrors::new();
    let recipient = m.get("recipient").and_then(Value::as_i64);
    if recipient.is_none() {
        errors.add("recipient", "error-unknown-person");
    }
    let kind = m
        .get("kind")
        .and_then(Value::as_str)
        .and_then(domain::case::RelationKind::parse);
    if kind.is_none() {
        errors.add("kind", "error-unknown-choice");
    }
    let lives_together = m
        .get("lives_together")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let (Some(recipient), Some(kind)) = (recipient, kind) else {
        return Err(ApiError::Validation(errors));
    };
    if !store::persons::add_relation(
        &state.db,
        &c.kommun,
        id,
        recipient,
        kind,
        lives_together,
        state.clock.now(),
        &c.origin,
    )
    .await?
    {
        return Err(ApiError::Validation(domain::FieldErrors::one(
            "recipient",
            "error-unknown-person",
        )));
    }
    Ok((
        StatusCode::CREATED,
        Json(json!({ "carer": id, "recipient": recipient })),
    )
        .into_response())
}
