//! The decision letter and the court package as PDF.

use crate::error::PageError;
use crate::http::ids;
use crate::http::{Id, StaffCtx};
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use domain::policy::Action;
use store::access::CaseGrant;

use super::{granted, municipality};
use crate::http::pdf_response;

/// Checks that the caller may read the case of a decision or appeal (`None`: there is none).
async fn readable(
    state: &AppState,
    ctx: &StaffCtx,
    case_id: Option<i64>,
) -> Result<CaseGrant, PageError> {
    let case_id = case_id.ok_or(PageError::NotFound)?;
    granted(state, ctx, Action::ReadCase, case_id).await
}

/// The decision letter as PDF/A.
pub async fn letter(
    State(state): State<AppState>,
    ctx: StaffCtx,
    id: Id<ids::Decision>,
) -> Result<Response, PageError> {
    let (staff, origin) = (&ctx.staff, &ctx.origin);
    let id = id.get();
    let kommun = municipality(staff)?;
    let case_id = store::assessed::decision_case(&state.db, &kommun, id).await?;
    let grant = readable(&state, &ctx, case_id).await?;
    let d = store::assessed::decision(&state.db, &grant, id, state.clock.now(), origin)
        .await?
        .ok_or(PageError::NotFound)?;
    let doc = crate::documents::decision_letter(&state, &grant, &d, origin).await?;
    let bytes = crate::documents::pdf(&doc)?;
    Ok(pdf_response(
        bytes,
        &format!("beslut-{}-{id}.pdf", d.case_number),
    ))
}

/// The package for the administrative court as PDF/A.
pub async fn package(
    State(state): State<AppState>,
    ctx: StaffCtx,
    id: Id<ids::Appeal>,
) -> Result<Response, PageError> {
    let (staff, origin) = (&ctx.staff, &ctx.origin);
    let id = id.get();
    let kommun = municipality(staff)?;
    let case_id = store::assessed::appeal_case(&state.db, &kommun, id).await?;
    let grant = readable(&state, &ctx, case_id).await?;
    let now = state.clock.now();
    let a = store::assessed::appeal(&state.db, &grant, id, now, origin)
        .await?
        .ok_or(PageError::NotFound)?;
    let d = store::assessed::decision(&state.db, &grant, a.decision_id, now, origin)
        .await?
        .ok_or(PageError::NotFound)?;
    let doc = crate::documents::appeal_package(&state, &grant, &a, &d, origin).await?;
    let bytes = crate::documents::pdf(&doc)?;
    Ok(pdf_response(
        bytes,
        &format!("overklagande-{}-{id}.pdf", d.case_number),
    ))
}
