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
    post "/api/v1/persons/{id}/merge" => merge_person;
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
    let duplicates =
        store::persons::possible_duplicates(&state.db, &grant, state.clock.now(), &c.origin)
            .await?;
    let mut body = json!(p);
    body["possible_duplicates"] = json!(duplicates);
    Ok(Json(body))
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
        birth_date: get("birth_date"),
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
    let created = store::persons::create(
        &state.db,
        &c.kommun,
        &new,
        Some(c.actor.user_id),
        false,
        state.clock.now(),
        &c.origin,
    )
    .await?;
    if let Some(id) = created {
        return Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response());
    }
    // Registered already: the caller learns the record's id, and no more; reading it is up to
    // the policy, as for any id.
    let existing = match new.id_number.as_ref() {
        Some(n) => store::persons::id_by_number(&state.db, &c.kommun, n).await?,
        None => None,
    };
    match existing {
        Some(id) => Ok((
            StatusCode::CONFLICT,
            Json(json!({
                "error": crate::i18n::swedish("error-person-exists"),
                "existing_id": id,
            })),
        )
            .into_response()),
        None => Err(ApiError::Validation(domain::FieldErrors::one(
            "personnummer",
            "error-person-exists",
        ))),
    }
}

/// Merges the duplicate named in the body with the person in the path (both reachable for
/// the caller); which record stays is the rule's (`domain::duplicates::merge_plan`).
async fn merge_person(
    State(state): State<AppState>,
    ApiAllowed { caller: c, .. }: ApiAllowed<act::OpenCase>,
    EmergencyReason(reason): EmergencyReason,
    ApiId { value: id, .. }: ApiId<Person>,
    JsonObject(m): JsonObject,
) -> Result<Json<Value>, ApiError> {
    c.need_write(&state)?;
    let a = person_access(&state, &c, id, reason.as_deref()).await?;
    let Some(other) = m.get("duplicate").and_then(Value::as_i64) else {
        return Err(ApiError::Validation(domain::FieldErrors::one(
            "duplicate",
            "error-unknown-person",
        )));
    };
    let b = match person_access(&state, &c, other, reason.as_deref()).await {
        Ok(b) => b,
        Err(ApiError::NotFound(_)) => {
            return Err(ApiError::Validation(domain::FieldErrors::one(
                "duplicate",
                "error-unknown-person",
            )))
        }
        Err(e) => return Err(e),
    };
    let kept = store::persons::merge(
        &state.db,
        &a,
        &b,
        c.actor.user_id,
        state.clock.now(),
        &c.origin,
    )
    .await?
    .map_err(|r| ApiError::Validation(domain::FieldErrors::one("duplicate", r.message_id())))?;
    let merged = if kept == id { other } else { id };
    Ok(Json(json!({ "kept": kept, "merged": merged })))
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
