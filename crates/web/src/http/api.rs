//! Extractors for the JSON API, answering with an [`ApiError`]: [`Caller`] (a bearer token or
//! a signed-in session), [`ApiId`] (a numeric path id, else 404), [`ApiCase`] (the policy's
//! yes for an action on the case in the path, with emergency access by header) and
//! [`JsonObject`] (a JSON object body, with 413/415/400 as the public API gives them).

use crate::api_staff::EMERGENCY_HEADER;
use crate::error::ApiError;
use crate::http::extract::PolicyAction;
use crate::http::ids::IdKind;
use crate::middleware::RequestId;
use crate::staff::access::{self, Access};
use crate::staff::auth;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Extension;
use domain::staff::Actor;
use serde_json::{Map, Value};
use std::marker::PhantomData;
use std::net::SocketAddr;
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
    addr: SocketAddr,
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
            let write = owner.scopes.iter().any(|s| s == "write");
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
    let actor = auth::actor_of(&user, units).ok_or_else(unauthorized)?;
    let origin = Origin {
        actor: format!("staff:{}", user.id),
        role: user.role.clone(),
        request_id: request_id.as_ref().map(|r| r.0 .0.clone()),
        client_addr: Some(addr.ip().to_string()),
    };
    // Accounts without a municipality (system administrators) read no case.
    let kommun = user
        .kommunkod
        .clone()
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
        let addr = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0)
            .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0)));
        let c = caller(state, &parts.headers, &rid, addr).await?;
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

/// The caller may take action `A` on the case `{id}`: a write needs a `write` token (403), a
/// hidden case answers 404, one outside the caller's own needs the emergency header (403).
pub struct ApiCase<A> {
    pub caller: Caller,
    pub id: i64,
    pub case: domain::policy::CaseRef,
    /// `emergency: …` when allowed only as emergency access.
    pub reason: Option<String>,
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
        let (reason, case) = case_access_ref(state, &caller, A::ACTION, id, &parts.headers).await?;
        Ok(ApiCase {
            caller,
            id,
            case,
            reason,
            _action: PhantomData,
        })
    }
}

/// Resolves access to a case or answers 404 (or 403 asking for a reason, for emergency access).
pub async fn case_access(
    state: &AppState,
    c: &Caller,
    action: domain::policy::Action,
    id: i64,
    headers: &HeaderMap,
) -> Result<Option<String>, ApiError> {
    Ok(case_access_ref(state, c, action, id, headers).await?.0)
}

/// As [`case_access`], with the case as the policy saw it.
async fn case_access_ref(
    state: &AppState,
    c: &Caller,
    action: domain::policy::Action,
    id: i64,
    headers: &HeaderMap,
) -> Result<(Option<String>, domain::policy::CaseRef), ApiError> {
    let reason = emergency_reason(headers);
    match access::case(state, &c.actor, action, id, reason.as_deref(), &c.origin).await? {
        (Access::Granted(r), Some(case)) => Ok((r, case)),
        (Access::NeedsReason, _) => Err(ApiError::Forbidden(state.t.get("api-emergency-reason"))),
        _ => Err(ApiError::NotFound(state.t.get("api-not-found"))),
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
        crate::api_staff::json_body(state, &headers, &body).map(JsonObject)
    }
}

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
