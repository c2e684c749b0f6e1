//! Extractors for the staff workspace. Each does one job and answers with a [`PageError`]
//! when it cannot: [`StaffCtx`] (the signed-in member of staff and the audit origin),
//! [`StaffForm`] (the CSRF-checked, typed form body), [`Allowed`] (the policy's yes for an
//! action on the municipality), [`CaseAccess`] (the policy's yes for an action on the case in
//! the path) and [`Id`] (a typed id from the path, not found when it is no number).

use crate::error::PageError;
use crate::http::client::ClientAddr;
use crate::http::ids::IdKind;
use crate::http::throttle::{self, Throttled};
use crate::middleware::RequestId;
use crate::staff::auth::{self, Staff};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{
    FromRequest, FromRequestParts, OptionalFromRequestParts, RawPathParams, Request,
};
use axum::http::request::Parts;
use domain::policy::{can, Action, Decision, Resource};
use domain::Kommunkod;
use serde::de::DeserializeOwned;
use std::marker::PhantomData;
use std::sync::{Arc, OnceLock};
use store::access::CaseGrant;
use store::audit::Origin;

/// The signed-in member of staff of this request and the origin their audit rows carry.
#[derive(Debug, Clone)]
pub struct StaffCtx {
    pub staff: Staff,
    pub origin: Origin,
}

impl StaffCtx {
    /// The texts in the member of staff's language.
    pub fn texts<'a>(&self, state: &'a AppState) -> &'a crate::i18n::I18n {
        state.texts(&self.staff.user.language)
    }

    /// The member of staff's municipality; accounts without one see no municipal page.
    pub fn kommun(&self) -> Result<Kommunkod, PageError> {
        self.staff.actor.kommunkod.ok_or(PageError::NotFound)
    }

    pub fn csrf(&self) -> &str {
        &self.staff.session.csrf_token
    }

    /// The extractor's work, callable from other extractors.
    pub async fn of(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        <StaffCtx as FromRequestParts<AppState>>::from_request_parts(parts, state).await
    }
}

/// Set by the outer layer for staff paths, so the session is read once per request (however
/// many extractors ask) and the error page can show the staff frame.
#[derive(Clone, Default)]
pub struct StaffSlot(Arc<OnceLock<StaffCtx>>);

impl StaffSlot {
    pub fn get(&self) -> Option<&StaffCtx> {
        self.0.get()
    }
}

impl FromRequestParts<AppState> for StaffCtx {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let slot = parts.extensions.get::<StaffSlot>().cloned();
        if let Some(ctx) = slot.as_ref().and_then(StaffSlot::get) {
            return Ok(ctx.clone());
        }
        let staff = auth::current(state, &parts.headers)
            .await?
            .ok_or(PageError::SignIn)?;
        let request_id = parts.extensions.get::<RequestId>().map(|r| r.0.as_str());
        let origin = staff.origin(request_id, client_of(parts));
        let ctx = StaffCtx { staff, origin };
        if let Some(slot) = slot {
            let _ = slot.0.set(ctx.clone());
        }
        Ok(ctx)
    }
}

/// `Option<StaffCtx>`: the member of staff when signed in, `None` otherwise.
impl OptionalFromRequestParts<AppState> for StaffCtx {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, PageError> {
        match StaffCtx::of(parts, state).await {
            Ok(ctx) => Ok(Some(ctx)),
            Err(PageError::SignIn) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// A signed-in form post: the CSRF token checked against the session, the body read into `T`
/// (fields left out of the form take their `Default`). The body extractor, so it comes last.
pub struct StaffForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for StaffForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, PageError> {
        let (mut parts, body) = req.into_parts();
        let ctx = StaffCtx::of(&mut parts, state).await?;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| PageError::TooLarge)?;
        let csrf = form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "_csrf")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        if !auth::same_secret(ctx.csrf(), &csrf) {
            return Err(PageError::Csrf);
        }
        serde_urlencoded::from_bytes(&bytes)
            .map(StaffForm)
            .map_err(|_| PageError::BadRequest)
    }
}

/// An action of the policy, named as a type so that an extractor can ask for it.
pub trait PolicyAction {
    const ACTION: Action;
    /// Whether the action changes something (a `read` API token may not take it).
    const WRITES: bool;
}

/// The policy actions as types, one per [`Action`].
pub mod act {
    use super::PolicyAction;
    use domain::policy::Action;

    macro_rules! actions {
        ($($name:ident: $writes:literal),* $(,)?) => {
            $(
                #[derive(Debug)]
                pub struct $name;
                impl PolicyAction for $name {
                    const ACTION: Action = Action::$name;
                    const WRITES: bool = $writes;
                }
            )*
        };
    }

    actions!(
        ReadInbox: false,
        AssignInbox: true,
        OpenCase: true,
        ReadCase: false,
        WriteCase: true,
        MarkJournalWrong: true,
        SearchPersons: false,
        ReadPerson: false,
        EditPerson: true,
        ReviewAudit: false,
        ManageStaff: true,
        ConfigureMunicipality: true,
        Decide: true,
        ReadReports: false,
        ManageActivities: true,
        WatchDeadlines: false,
        OfferSupportContact: true,
        AppointSystemAdmin: true,
        PlanRetention: false,
    );

    /// Marking a journal entry wrong: the case must be readable (the store asks the policy
    /// about the entry itself, whose author matters), and it is a write.
    #[derive(Debug)]
    pub struct MarkEntryWrong;
    impl PolicyAction for MarkEntryWrong {
        const ACTION: Action = Action::ReadCase;
        const WRITES: bool = true;
    }

    /// Listing cases: whoever may open cases may list their own, also with a `read` token.
    #[derive(Debug)]
    pub struct ListCases;
    impl PolicyAction for ListCases {
        const ACTION: Action = Action::OpenCase;
        const WRITES: bool = false;
    }
}

/// The member of staff may take action `A` in their municipality (the policy said so).
pub struct Allowed<A> {
    pub ctx: StaffCtx,
    pub kommun: Kommunkod,
    _action: PhantomData<A>,
}

impl<A: PolicyAction> FromRequestParts<AppState> for Allowed<A> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let ctx = StaffCtx::of(parts, state).await?;
        let kommun = ctx
            .staff
            .actor
            .kommunkod
            .filter(|k| {
                can(&ctx.staff.actor, A::ACTION, &Resource::Municipality(*k)) == Decision::Allow
            })
            .ok_or(PageError::Forbidden)?;
        Ok(Allowed {
            ctx,
            kommun,
            _action: PhantomData,
        })
    }
}

/// As [`Allowed`], but where not allowed and not found must look the same (404), so that
/// nothing reveals what exists.
pub struct Visible<A> {
    pub ctx: StaffCtx,
    pub kommun: Kommunkod,
    _action: PhantomData<A>,
}

impl<A: PolicyAction> FromRequestParts<AppState> for Visible<A> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        match Allowed::<A>::from_request_parts(parts, state).await {
            Ok(Allowed { ctx, kommun, .. }) => Ok(Visible {
                ctx,
                kommun,
                _action: PhantomData,
            }),
            Err(PageError::Forbidden) => Err(PageError::NotFound),
            Err(e) => Err(e),
        }
    }
}

/// A form posted before anyone is signed in (sign-in, second factor): the body read into `T`;
/// the handler checks its own CSRF token, since the answer to a bad one is the form again.
pub struct PlainForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for PlainForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, PageError> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| PageError::TooLarge)?;
        serde_urlencoded::from_bytes(&bytes)
            .map(PlainForm)
            .map_err(|_| PageError::BadRequest)
    }
}

/// The session behind the cookie while the second factor is still to come (or done): the
/// session and its raw id. Without one: to sign-in.
pub struct PendingSession {
    pub session: store::sessions::Session,
    pub raw: String,
}

impl FromRequestParts<AppState> for PendingSession {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let (session, raw) = auth::session_of(state, &parts.headers)
            .await?
            .ok_or(PageError::SignIn)?;
        Ok(PendingSession { session, raw })
    }
}

/// The audit origin of an anonymous request (before sign-in). Only anonymous writes take it,
/// so it also counts the write against the rate limits.
pub struct AnonymousOrigin(pub Origin);

impl FromRequestParts<AppState> for AnonymousOrigin {
    type Rejection = Throttled;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Throttled> {
        throttle::anonymous_write(parts, state).await?;
        Ok(AnonymousOrigin(Origin {
            actor: "anonymous".into(),
            role: String::new(),
            request_id: parts.extensions.get::<RequestId>().map(|r| r.0.clone()),
            client_addr: client_of(parts),
        }))
    }
}

/// The audit origin of a carer using the public portal or API (no account). Only the public's
/// writes (and reads by a private link) take it, so it also counts against the rate limits.
pub struct PublicOrigin(pub Origin);

impl FromRequestParts<AppState> for PublicOrigin {
    type Rejection = Throttled;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Throttled> {
        throttle::anonymous_write(parts, state).await?;
        Ok(PublicOrigin(crate::contact::public_origin(
            parts.extensions.get::<RequestId>(),
            client_of(parts),
        )))
    }
}

/// The client's address as the audit log and the limits see it (see [`ClientAddr`]).
pub fn client_of(parts: &Parts) -> Option<String> {
    parts
        .extensions
        .get::<ClientAddr>()
        .map(|c| c.0.to_string())
}

/// A typed id from the path parameter `{id}`: a number, or not found.
pub struct Id<K> {
    pub value: i64,
    _kind: PhantomData<K>,
}

impl<K> Id<K> {
    pub fn get(&self) -> i64 {
        self.value
    }
}

impl<K: IdKind + Send> FromRequestParts<AppState> for Id<K> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let value = param(parts, state, K::PARAM).await?;
        Ok(Id {
            value,
            _kind: PhantomData,
        })
    }
}

/// The numeric path parameter `name`; a missing or non-numeric one is not found.
pub async fn param(parts: &mut Parts, state: &AppState, name: &str) -> Result<i64, PageError> {
    let raw = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|_| PageError::NotFound)?;
    raw.iter()
        .find(|(k, _)| *k == name)
        .and_then(|(_, v)| v.parse().ok())
        .ok_or(PageError::NotFound)
}

/// The policy allows action `A` on the case named by the path's `{id}`, directly or under an
/// emergency access already running (its reason goes on every audit row of the request). The
/// [`CaseGrant`] is the proof the store's case functions ask for. A case the member of staff
/// may not see is not found; one that needs a reason first sends them to the case page, which
/// asks for it.
pub struct CaseAccess<A> {
    pub ctx: StaffCtx,
    pub id: i64,
    pub grant: CaseGrant,
    _action: PhantomData<A>,
}

impl<A: PolicyAction> FromRequestParts<AppState> for CaseAccess<A> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let ctx = StaffCtx::of(parts, state).await?;
        let id = param(parts, state, "id").await?;
        let access = store::access::case(
            &state.db,
            &ctx.staff.actor,
            A::ACTION,
            id,
            None,
            state.clock.now(),
            &ctx.origin,
        )
        .await?;
        match access {
            store::access::Verdict::Granted(grant) => Ok(CaseAccess {
                ctx,
                id,
                grant,
                _action: PhantomData,
            }),
            store::access::Verdict::NeedsReason => {
                Err(PageError::SeeOther(format!("/personal/arenden/{id}")))
            }
            store::access::Verdict::Hidden => Err(PageError::NotFound),
        }
    }
}
