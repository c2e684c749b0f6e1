//! The public JSON API: the municipalities, a municipality with its catalogue, contact
//! requests, and the OpenAPI document itself.

use crate::contact::{submit, Submitted};
use crate::error::ApiError;
use crate::http::api::{ApiMunicipality, ContactJson, PublicOrigin};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::contact::RawContactRequest;
use domain::FieldErrors;
use serde_json::{json, Map, Value};

// Each route with its OpenAPI operation in openapi/public.json (a missing one does not
// compile); the document served at /api/v1/openapi.json is built from them.
crate::api_routes! {
    docs = include_str!("openapi/public.json");
    get "/api/v1/municipalities" => list_municipalities;
    get "/api/v1/municipalities/{kommunkod}" => get_municipality;
    get "/api/v1/municipalities/{kommunkod}/catalogue" => get_catalogue;
    post "/api/v1/municipalities/{kommunkod}/contact-requests" => create_contact_request;
    get "/api/v1/openapi.json" => openapi;
}

async fn list_municipalities(State(state): State<AppState>) -> Response {
    let body = state.fixed.municipalities_json.get_or_init(|| {
        let list: Vec<Value> = state
            .kommuner
            .list
            .iter()
            .map(|m| {
                json!({
                    "kommunkod": m.kommunkod.as_str(),
                    "name": m.name,
                    "region_code": m.region_code,
                    "region_name": m.region_name,
                    "served": state.config.serves(m.kommunkod.as_str()),
                })
            })
            .collect();
        Bytes::from(Value::Array(list).to_string())
    });
    ([(header::CONTENT_TYPE, "application/json")], body.clone()).into_response()
}

async fn get_municipality(ApiMunicipality(c): ApiMunicipality) -> Json<Value> {
    let m = &c.municipality;
    Json(json!({
        "kommunkod": m.kommunkod.as_str(),
        "name": m.name,
        "region_code": m.region_code,
        "region_name": m.region_name,
        "settings": c.settings,
        "contacts": c.contacts,
    }))
}

async fn get_catalogue(ApiMunicipality(c): ApiMunicipality) -> Json<Value> {
    let entries: Vec<_> = c.entries.iter().map(|e| &e.item).collect();
    let pages: Vec<_> = c.pages.iter().map(|p| &p.item).collect();
    Json(json!({
        "kommunkod": c.municipality.kommunkod.as_str(),
        "default_catalogue": c.default_catalogue,
        "entries": entries,
        "pages": pages,
    }))
}

/// Reads the body field by field, so every type mistake is named by its field.
pub fn raw_from_json(obj: &Map<String, Value>) -> Result<RawContactRequest, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut text = |field: &'static str| -> String {
        match obj.get(field) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(_) => {
                errors.add(field, "error-type-string");
                String::new()
            }
        }
    };
    let name = text("name");
    let phone = text("phone");
    let email = text("email");
    let personnummer = text("personnummer");
    let relation = text("relation");
    let recipient_age_group = text("recipient_age_group");
    let carer_age_group = text("carer_age_group");
    let message = text("message");
    let preferred_time = text("preferred_time");
    let mut flag = |field: &'static str| -> bool {
        match obj.get(field) {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                errors.add(field, "error-type-bool");
                false
            }
        }
    };
    let anonymous = flag("anonymous");
    let recipient_is_child = flag("recipient_is_child");
    let consent = flag("consent");
    let mut list = |field: &'static str| -> Vec<String> {
        match obj.get(field) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            Some(_) => {
                errors.add(field, "error-type-list");
                Vec::new()
            }
        }
    };
    let recipient_conditions = list("recipient_conditions");
    let wants = list("wants");
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(RawContactRequest {
        anonymous,
        name,
        phone,
        email,
        personnummer,
        relation,
        recipient_age_group,
        recipient_conditions,
        recipient_is_child,
        carer_age_group,
        wants,
        message,
        preferred_time,
        consent,
    })
}

/// The unknown municipality answers 404 before anything about the body.
async fn create_contact_request(
    State(state): State<AppState>,
    municipality: ApiMunicipality,
    PublicOrigin(origin): PublicOrigin,
    ContactJson(obj): ContactJson,
) -> Result<Response, ApiError> {
    let kommunkod = municipality.kommunkod();
    let raw = raw_from_json(&obj).map_err(ApiError::Validation)?;
    match submit(&state, kommunkod, &raw, &origin).await? {
        Submitted::Stored { reference, young_carer } => Ok((
            StatusCode::CREATED,
            Json(json!({ "reference": reference, "kommunkod": kommunkod, "young_carer": young_carer })),
        )
            .into_response()),
        Submitted::Invalid(errors) => Err(ApiError::Validation(errors)),
    }
}

async fn openapi() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::openapi::json(),
    )
}
