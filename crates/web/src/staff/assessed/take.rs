//! Taking an application from the inbox.

use crate::error::PageError;
use crate::http::ids;
use crate::http::{Id, StaffCtx, StaffForm};
use crate::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use domain::policy::{can, Action, Decision, Resource};

use serde::de::IgnoredAny;

/// A form post whose only field that matters is the CSRF token.
type NoFields = IgnoredAny;

/// Takes an application from the inbox: it becomes the officer's case.
pub async fn take(
    State(state): State<AppState>,
    ctx: StaffCtx,
    id: Id<ids::Case>,
    StaffForm(_): StaffForm<NoFields>,
) -> Result<Response, PageError> {
    let (staff, origin) = (&ctx.staff, &ctx.origin);
    let id = id.get();
    let k = ctx.kommun()?;
    // Not allowed and not found look the same here.
    if can(
        &staff.actor,
        Action::AssignInbox,
        &Resource::Municipality(k),
    ) != Decision::Allow
    {
        return Err(PageError::NotFound);
    }
    let taken = store::assessed::take(
        &state.db,
        k.as_str(),
        id,
        staff.user.id,
        staff.actor.units.first().copied(),
        state.clock.now(),
        origin,
    )
    .await?;
    Ok(if taken {
        Redirect::to(&format!("/personal/arenden/{id}/bistand")).into_response()
    } else {
        // Someone else was quicker: back to the inbox, which no longer lists it.
        Redirect::to("/personal/inkorg?kind=ansokan").into_response()
    })
}
