//! Taking an application from the inbox.

use crate::error::PageError;
use crate::http::ids;
use crate::http::{Id, StaffCtx, StaffForm};
use crate::staff::cases::{emergency_page, EmergencyAsk, ReasonForm};
use crate::staff::pages::render;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::FieldErrors;
use store::assessed::Taken;

/// Takes an application from the inbox: it becomes the officer's case. When that would make
/// its applicant readable to an officer who may not read them (they are in a colleague's
/// case), the page asks for an emergency reason first, and the reason is logged.
pub async fn take(
    State(state): State<AppState>,
    ctx: StaffCtx,
    id: Id<ids::Case>,
    StaffForm(form): StaffForm<ReasonForm>,
) -> Result<Response, PageError> {
    let id = id.get();
    let reason = Some(form.reason.trim()).filter(|r| !r.is_empty());
    let taken = store::assessed::take(
        &state.db,
        &ctx.staff.actor,
        id,
        reason,
        state.clock.now(),
        &ctx.origin,
    )
    .await?;
    match taken {
        Taken::Taken => {
            Ok(Redirect::to(&format!("/personal/arenden/{id}/bistand")).into_response())
        }
        // Someone else was quicker: back to the inbox, which no longer lists it.
        Taken::Gone => Ok(Redirect::to("/personal/inkorg?kind=ansokan").into_response()),
        // Not allowed and not found look the same here.
        Taken::Denied => Err(PageError::NotFound),
        Taken::NeedsReason => ask_reason(&state, &ctx, id, reason.is_some()),
    }
}

/// The page that asks for the reason to take application `id` (with an error when the one
/// given was too short). The application waits in the inbox meanwhile.
pub(crate) fn ask_reason(
    state: &AppState,
    ctx: &StaffCtx,
    id: i64,
    too_short: bool,
) -> Result<Response, PageError> {
    let ask = EmergencyAsk {
        action: format!("/personal/ansokningar/{id}/ta"),
        lead: "take-emergency-lead",
        button: "take-emergency-button",
    };
    let (status, errors) = if too_short {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::one("reason", "error-reason-short"),
        )
    } else {
        (StatusCode::OK, FieldErrors::new())
    };
    render(status, &emergency_page(ctx.texts(state), ctx, ask, errors))
}
