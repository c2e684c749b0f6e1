//! The JSON API of the open support's activities: the list with seats left, signing up
//! without an account, a sign-up's status by its token, cancelling it, and the calendar.
//! The same functions as the portal's forms (`crate::activities`).

use super::not_found;
use crate::error::ApiError;
use crate::http::api::{ApiId, ApiMunicipality, JsonObject, PublicOrigin};
use crate::http::ids::Activity;
use crate::http::paths::{KommunPath, TokenPath};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::activity::RawSignup;
use domain::FieldErrors;
use serde_json::{json, Map, Value};
use store::activities::Refusal;

// Each route with its OpenAPI operation in openapi/activities.json (a missing one does not
// compile); the document served at /api/v1/openapi.json is built from them.
crate::api_routes! {
    docs = include_str!("openapi/activities.json");
    get "/api/v1/municipalities/{kommunkod}/activities" => list_activities;
    get "/api/v1/municipalities/{kommunkod}/activities.ics" => calendar;
    post "/api/v1/activities/{id}/signups" => create_signup;
    get "/api/v1/signups/{token}" => get_signup;
    delete "/api/v1/signups/{token}" => delete_signup;
}

async fn list_activities(
    State(state): State<AppState>,
    municipality: ApiMunicipality,
) -> Result<Response, ApiError> {
    let list = crate::activities::listing(&state, municipality.kommunkod()).await?;
    // The same for every caller: serialised once per listing.
    let body = list
        .rendered
        .get_or_render("api", || {
            serde_json::to_vec(&activities_json(&state, &list.activities)).map(Bytes::from)
        })
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// The activities still to come, with seats left and occasions.
fn activities_json(
    state: &AppState,
    list: &[(
        store::activities::Activity,
        Vec<store::activities::Occasion>,
    )],
) -> Value {
    let now = domain::clock::stockholm_local(state.clock.now());
    let out: Vec<Value> = list
        .iter()
        .filter(|(a, o)| !a.cancelled() && o.iter().any(|o| !o.cancelled && o.ends_at >= now))
        .map(|(a, occasions)| {
            json!({
                "id": a.id,
                "title": a.title,
                "kind": a.kind,
                "theme": a.theme,
                "description": a.description,
                "for_young_carers": a.for_young_carers,
                "capacity": a.capacity,
                "seats_left": a.seats_left(),
                "waitlisted": a.waitlisted,
                "signup_deadline": a.signup_deadline,
                "cost": a.cost,
                "place": { "name": a.place_name, "address": a.place_address, "step_free": a.step_free, "hearing_loop": a.hearing_loop, "digital": a.digital },
                "occasions": occasions.iter().map(|o| json!({
                    "id": o.id,
                    "starts_at": o.starts_at.format("%Y-%m-%dT%H:%M:%S").to_string(),
                    "ends_at": o.ends_at.format("%Y-%m-%dT%H:%M:%S").to_string(),
                    "cancelled": o.cancelled,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Value::Array(out)
}

async fn calendar(
    State(state): State<AppState>,
    Path(KommunPath { kommunkod }): Path<KommunPath>,
) -> Result<Response, ApiError> {
    match crate::activities::municipality_calendar(&state, &kommunkod).await? {
        Some(body) => Ok(crate::activities::calendar_response(body)),
        None => Err(ApiError::NotFound(state.t.get("api-unknown-municipality"))),
    }
}

/// Reads the body field by field, so a value of the wrong type is named by its field.
fn raw_from_json(m: &Map<String, Value>) -> Result<RawSignup, FieldErrors> {
    let mut e = FieldErrors::new();
    let mut text = |k: &'static str| match m.get(k) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            e.add(k, "error-type-string");
            String::new()
        }
    };
    let mut r = RawSignup {
        name: text("name"),
        email: text("email"),
        phone: text("phone"),
        interpreter_language: text("interpreter_language"),
        needs_note: text("needs_note"),
        age_group: text("age_group"),
        gender: text("gender"),
        ..RawSignup::default()
    };
    match m.get("needs") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => {
            r.needs = items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
        }
        Some(_) => e.add("needs", "error-type-list"),
    }
    match m.get("consent") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(b)) => r.consent = *b,
        Some(_) => e.add("consent", "error-type-bool"),
    }
    if e.is_empty() {
        Ok(r)
    } else {
        Err(e)
    }
}

/// A non-numeric id is 404 before anything about the body.
async fn create_signup(
    State(state): State<AppState>,
    ApiId { value: id, .. }: ApiId<Activity>,
    PublicOrigin(origin): PublicOrigin,
    JsonObject(m): JsonObject,
) -> Result<Response, ApiError> {
    let raw = raw_from_json(&m).map_err(ApiError::Validation)?;
    match crate::activities::sign_up(&state, None, id, &raw, &origin).await? {
        Ok(s) => Ok((
            StatusCode::CREATED,
            Json(json!({ "id": s.id, "status": s.status.as_str(), "token": s.token })),
        )
            .into_response()),
        Err(e) if e.messages("activity").contains(&"error-activity-not-found") => {
            Err(not_found(&state))
        }
        Err(e) => Err(ApiError::Validation(e)),
    }
}

async fn get_signup(
    State(state): State<AppState>,
    Path(TokenPath { token }): Path<TokenPath>,
    PublicOrigin(origin): PublicOrigin,
) -> Result<Json<Value>, ApiError> {
    let s = store::activities::by_token(&state.db, &token, state.clock.now(), &origin)
        .await?
        .ok_or_else(|| not_found(&state))?;
    let a = store::activities::get(&state.db, None, s.activity_id).await?;
    Ok(Json(json!({
        "status": s.status,
        "activity_id": s.activity_id,
        "activity_title": a.map(|(a, _)| a.title),
        "kommunkod": s.kommunkod,
    })))
}

async fn delete_signup(
    State(state): State<AppState>,
    Path(TokenPath { token }): Path<TokenPath>,
    PublicOrigin(origin): PublicOrigin,
) -> Result<Json<Value>, ApiError> {
    match crate::activities::cancel(&state, &token, &origin).await? {
        Ok(s) => Ok(Json(json!({ "status": s.status }))),
        Err(Refusal::AlreadyCancelled) => Err(ApiError::Conflict(
            state.t.get("error-signup-already-cancelled"),
        )),
        Err(_) => Err(not_found(&state)),
    }
}
