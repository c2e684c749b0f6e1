//! Extractors for the JSON API, answering with an [`ApiError`]: [`Caller`] (a bearer token or
//! a signed-in session), [`ApiId`] (a numeric path id, else 404), [`ApiCase`] (the policy's
//! yes for an action on the case in the path, with emergency access by header) and
//! [`JsonObject`] (a JSON object body, with 413/415/400 as the public API gives them). For the
//! public endpoints: [`ApiMunicipality`] (a served municipality's content, else 404),
//! [`PublicOrigin`] (the audit origin of an anonymous caller) and [`ContactJson`].

use crate::api::EMERGENCY_HEADER;
use crate::content::MunicipalityContent;
use crate::error::ApiError;
use crate::http::extract::PolicyAction;
use crate::http::ids::IdKind;
use crate::middleware::RequestId;
use crate::staff::auth;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Extension;
use domain::staff::Actor;
use serde_json::{Map, Value};
use std::convert::Infallible;
use std::marker::PhantomData;
use std::sync::Arc;
use store::access::CaseGrant;
use store::audit::Origin;

/// Who calls the staff API: the account behind a bearer token or a signed-in session.
#[derive(Clone)]
pub struct Caller {
    pub actor: Actor,
    pub kommun: String,
    pub can_write: bool,
    pub origin: Origin,
}

pub(crate) async fn caller(
    state: &AppState,
    headers: &HeaderMap,
    request_id: &Option<Extension<RequestId>>,
    client: Option<String>,
) -> Result<Caller, ApiError> {
    let t = &state.t;
    let unauthorized = || ApiError::Unauthorized(t.get("api-unauthorized"));
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let (user, units, can_write) = match bearer {
        Some(token) => {
            let owner = store::tokens::lookup(&state.db, token, state.clock.now())
                .await?
                .ok_or_else(unauthorized)?;
            let (user, units) = store::staff::with_units(&state.db, owner.user_id)
                .await?
                .ok_or_else(unauthorized)?;
            let write = owner.scopes.contains(&domain::api_token::Scope::Write);
            (user, units, write)
        }
        None => {
            let staff = auth::current(state, headers)
                .await
                .map_err(ApiError::from)?
                .ok_or_else(unauthorized)?;
            (staff.user, staff.actor.units, true)
        }
    };
    if user.disabled {
        return Err(unauthorized());
    }
    let actor = auth::actor_of(&user, units);
    let origin = Origin {
        actor: format!("staff:{}", user.id),
        role: user.role.as_str().to_owned(),
        request_id: request_id.as_ref().map(|r| r.0 .0.clone()),
        client_addr: client,
    };
    // Accounts without a municipality (system administrators) read no case.
    let kommun = user
        .kommunkod
        .map(String::from)
        .ok_or_else(|| ApiError::NotFound(t.get("api-not-found")))?;
    Ok(Caller {
        actor,
        kommun,
        can_write,
        origin,
    })
}

impl Caller {
    /// A `read` token may not change anything.
    pub fn need_write(&self, state: &AppState) -> Result<(), ApiError> {
        if self.can_write {
            Ok(())
        } else {
            Err(ApiError::Forbidden(state.t.get("api-scope-write")))
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(c) = parts.extensions.get::<Caller>() {
            return Ok(c.clone());
        }
        let rid = parts.extensions.get::<RequestId>().cloned().map(Extension);
        let client = crate::http::extract::client_of(parts);
        let c = caller(state, &parts.headers, &rid, client).await?;
        parts.extensions.insert(c.clone());
        Ok(c)
    }
}

/// The staff caller when the request carries a bearer token or a signed-in session; `None`
/// for the public (a stale cookie alone counts as the public).
pub struct OptionalCaller(pub Option<Caller>);

impl FromRequestParts<AppState> for OptionalCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let has_credentials = parts.headers.contains_key(header::AUTHORIZATION)
            || parts.headers.contains_key(header::COOKIE)
                && crate::staff::auth::current(state, &parts.headers)
                    .await
                    .map_err(ApiError::from)?
                    .is_some();
        if has_credentials {
            Ok(OptionalCaller(Some(
                Caller::from_request_parts(parts, state).await?,
            )))
        } else {
            Ok(OptionalCaller(None))
        }
    }
}

/// The numeric path parameter `name`; anything else answers 404.
pub async fn api_param(parts: &mut Parts, state: &AppState, name: &str) -> Result<i64, ApiError> {
    let not_found = || ApiError::NotFound(state.t.get("api-not-found"));
    let raw = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|_| not_found())?;
    raw.iter()
        .find(|(k, _)| *k == name)
        .and_then(|(_, v)| v.parse().ok())
        .ok_or_else(not_found)
}

/// A typed id from the path parameter `{id}`.
pub struct ApiId<K> {
    pub value: i64,
    _kind: PhantomData<K>,
}

impl<K> ApiId<K> {
    pub fn get(&self) -> i64 {
        self.value
    }
}

impl<K: IdKind + Send> FromRequestParts<AppState> for ApiId<K> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(ApiId {
            value: api_param(parts, state, K::PARAM).await?,
            _kind: PhantomData,
        })
    }
}

/// The reason for emergency access, as UTF-8 (Swedish reasons have å, ä, ö).
pub fn emergency_reason(headers: &HeaderMap) -> Option<String> {
    headers
        .get(EMERGENCY_HEADER)
        .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
        .map(str::to_owned)
}

/// The emergency-access reason the request gives, if any.
pub struct EmergencyReason(pub Option<String>);

impl FromRequestParts<AppState> for EmergencyReason {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Infallible> {
        Ok(EmergencyReason(emergency_reason(&parts.headers)))
    }
}

/// The caller may take action `A` on the case `{id}`: a write needs a `write` token (403), a
/// hidden case answers 404, one outside the caller's own needs the emergency header (403). The
/// grant is the proof the store's case functions ask for.
pub struct ApiCase<A> {
    pub caller: Caller,
    pub id: i64,
    pub grant: CaseGrant,
    _action: PhantomData<A>,
}

impl<A: PolicyAction> FromRequestParts<AppState> for ApiCase<A> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        if A::WRITES {
            caller.need_write(state)?;
        }
        let id = api_param(parts, state, "id").await?;
        let reason = emergency_reason(&parts.headers);
        let grant = case_access(state, &caller, A::ACTION, id, reason.as_deref()).await?;
        Ok(ApiCase {
            caller,
            id,
            grant,
            _action: PhantomData,
        })
    }
}

/// Resolves access to a case or answers 404 (or 403 asking for a reason, for emergency access);
/// `reason` is the emergency header's, if any.
pub async fn case_access(
    state: &AppState,
    c: &Caller,
    action: domain::policy::Action,
    id: i64,
    reason: Option<&str>,
) -> Result<CaseGrant, ApiError> {
    let access = store::access::case(
        &state.db,
        &c.actor,
        action,
        id,
        reason,
        state.clock.now(),
        &c.origin,
    )
    .await?;
    match access {
        store::access::Verdict::Granted(grant) => Ok(grant),
        store::access::Verdict::NeedsReason => {
            Err(ApiError::Forbidden(state.t.get("api-emergency-reason")))
        }
        store::access::Verdict::Hidden => Err(ApiError::NotFound(state.t.get("api-not-found"))),
    }
}

/// A JSON object body: 413 over the size limit, 415 when not `application/json`, 400 when
/// not a JSON object.
pub struct JsonObject(pub Map<String, Value>);

impl FromRequest<AppState> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let t = &state.t;
        let headers = req.headers().clone();
        let body = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge(t.get("api-too-large"))
            } else {
                ApiError::BadRequest(t.get("api-bad-body"))
            }
        })?;
        crate::api::json_body(state, &headers, &body).map(JsonObject)
    }
}

/// The contact-request body, with that endpoint's rules kept as they were published: any
/// `application/json` or `application/*+json` type, checked before the body is read (so a
/// large body of the wrong type is 415, not 413), then 413/400 as for [`JsonObject`].
pub struct ContactJson(pub Map<String, Value>);

impl FromRequest<AppState> for ContactJson {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let t = &state.t;
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|m| {
                let m = m.trim().to_ascii_lowercase();
                m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
            });
        if !is_json {
            return Err(ApiError::UnsupportedMediaType(t.get("api-content-type")));
        }
        let body = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge(t.get("api-too-large"))
            } else {
                ApiError::BadRequest(t.get("api-bad-body"))
            }
        })?;
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(m)) => Ok(ContactJson(m)),
            Ok(_) => Err(ApiError::BadRequest(t.get("api-not-object"))),
            Err(e) => Err(ApiError::BadRequest(t.get1(
                "api-malformed-json",
                "detail",
                &e.to_string(),
            ))),
        }
    }
}

/// The municipality `{kommunkod}` of the path, when this deployment serves it: its public
/// content. Any other code answers 404.
pub struct ApiMunicipality(pub Arc<MunicipalityContent>);

impl ApiMunicipality {
    pub fn kommunkod(&self) -> &str {
        self.0.municipality.kommunkod.as_str()
    }
}

impl FromRequestParts<AppState> for ApiMunicipality {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let unknown = || ApiError::NotFound(state.t.get("api-unknown-municipality"));
        let raw = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| unknown())?;
        let code = raw
            .iter()
            .find(|(k, _)| *k == "kommunkod")
            .map(|(_, v)| v)
            .ok_or_else(unknown)?;
        let content = crate::content::load(state, code)
            .await?
            .ok_or_else(unknown)?;
        Ok(ApiMunicipality(content))
    }
}

pub use crate::http::extract::PublicOrigin;

/// The caller may take action `A` in their municipality: a write needs a `write` token (403),
/// an account without a municipality finds nothing (404), the policy's no is 403.
pub struct ApiAllowed<A> {
    pub caller: Caller,
    pub kommun: domain::Kommunkod,
    _action: PhantomData<A>,
}

impl<A: PolicyAction> FromRequestParts<AppState> for ApiAllowed<A> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        use domain::policy::{can, Decision, Resource};
        let caller = Caller::from_request_parts(parts, state).await?;
        if A::WRITES {
            caller.need_write(state)?;
        }
        let kommun = caller
            .actor
            .kommunkod
            .ok_or_else(|| ApiError::NotFound(state.t.get("api-not-found")))?;
        if can(&caller.actor, A::ACTION, &Resource::Municipality(kommun)) != Decision::Allow {
            return Err(ApiError::Forbidden(state.t.get("forbidden-text")));
        }
        Ok(ApiAllowed {
            caller,
            kommun,
            _action: PhantomData,
        })
    }
}

/// The journal entry `{entry}` of a path.
pub struct EntryId(pub i64);

impl FromRequestParts<AppState> for EntryId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(EntryId(api_param(parts, state, "entry").await?))
    }
}
