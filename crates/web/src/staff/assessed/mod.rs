//! The investigation and decision page of an application (`/personal/arenden/{id}/bistand`):
//! the investigation by area, consents, children, kommunicering, decisions with their letter,
//! notice and appeal clock, appeals, execution and follow-up, and the FL 11–12 §§ delay
//! steps. Each form posts to one action; the rules are in `domain::assessed` and the store,
//! shared with the API through `crate::assessed`.

mod appeal_steps;
mod case_steps;
mod decision_steps;
mod documents;
mod page;
mod posted;
mod tabs;
mod take;

pub use documents::{letter, package};
pub use page::show;
pub use posted::{post_appeal, post_case, post_decision};
pub(crate) use take::ask_reason;
pub use take::take;

use crate::error::PageError;
use crate::http::StaffCtx;
use crate::staff::auth::Staff;
use crate::AppState;
use domain::policy::Action;
use store::access::{CaseGrant, Verdict};

pub(super) fn municipality(staff: &Staff) -> Result<String, PageError> {
    staff
        .user
        .kommunkod
        .map(String::from)
        .ok_or(PageError::NotFound)
}

/// Access to the case for `action` (under an emergency access already running, whose reason
/// comes back), or the answer instead: not found, or the case page, which asks for a reason.
pub(super) async fn granted(
    state: &AppState,
    ctx: &StaffCtx,
    action: Action,
    case_id: i64,
) -> Result<CaseGrant, PageError> {
    let now = state.clock.now();
    match store::access::case(
        &state.db,
        &ctx.staff.actor,
        action,
        case_id,
        None,
        now,
        &ctx.origin,
    )
    .await?
    {
        Verdict::Granted(grant) => Ok(grant),
        Verdict::NeedsReason => Err(PageError::SeeOther(format!("/personal/arenden/{case_id}"))),
        Verdict::Hidden => Err(PageError::NotFound),
    }
}
