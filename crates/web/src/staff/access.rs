//! One place that turns the policy's answer into access to a case or a person, for the
//! staff pages and the API alike: allowed, allowed under emergency access with its reason,
//! or as if it did not exist.

use crate::error::PageError;
use crate::AppState;
use domain::policy::{can, Action, CaseRef, Decision, Resource};
use domain::staff::Actor;
use store::audit::Origin;

pub enum Access {
    /// Go ahead; the reason (emergency access) goes on every audit row of the read.
    Granted(Option<String>),
    /// Allowed only with a stated reason, which was not given.
    NeedsReason,
    /// Not there, or not for this caller: the same answer either way.
    Hidden,
}

/// Decides access to a case for an action. A reason given here starts an emergency access
/// (logged and flagged); an earlier one still running is reused.
pub async fn case(
    state: &AppState,
    actor: &Actor,
    action: Action,
    case_id: i64,
    reason: Option<&str>,
    origin: &Origin,
) -> Result<(Access, Option<CaseRef>), PageError> {
    let Some(kommun) = actor.kommunkod else {
        return Ok((Access::Hidden, None));
    };
    let Some(case) = store::cases::case_ref(&state.db, kommun.as_str(), case_id).await? else {
        return Ok((Access::Hidden, None));
    };
    let access = match can(actor, action, &Resource::Case(case.clone())) {
        Decision::Allow => Access::Granted(None),
        Decision::Deny => Access::Hidden,
        Decision::EmergencyOnly => {
            emergency(state, actor, kommun.as_str(), case_id, reason, origin).await?
        }
    };
    Ok((access, Some(case)))
}

pub async fn emergency(
    state: &AppState,
    actor: &Actor,
    kommun: &str,
    case_id: i64,
    reason: Option<&str>,
    origin: &Origin,
) -> Result<Access, PageError> {
    let now = state.clock.now();
    if let Some(r) = store::cases::emergency_reason(&state.db, actor.user_id, case_id, now).await? {
        return Ok(Access::Granted(Some(format!("emergency: {r}"))));
    }
    let Some(reason) = reason else {
        return Ok(Access::NeedsReason);
    };
    let Ok(reason) = domain::case::validate_reason("reason", reason) else {
        return Ok(Access::NeedsReason);
    };
    let until = now + chrono::Duration::minutes(domain::policy::EMERGENCY_ACCESS_MINUTES);
    store::cases::grant_emergency(
        &state.db,
        kommun,
        actor.user_id,
        case_id,
        &reason,
        now,
        until,
        origin,
    )
    .await?;
    Ok(Access::Granted(Some(format!("emergency: {reason}"))))
}

/// Access to a person: through a case the actor works on, or emergency access.
pub async fn person(
    state: &AppState,
    actor: &Actor,
    person_id: i64,
    reason: Option<&str>,
) -> Result<Access, PageError> {
    let Some(kommun) = actor.kommunkod else {
        return Ok(Access::Hidden);
    };
    let Some((cases, created_by)) =
        store::persons::case_refs(&state.db, kommun.as_str(), person_id).await?
    else {
        return Ok(Access::Hidden);
    };
    Ok(
        match can(
            actor,
            Action::ReadPerson,
            &Resource::Person {
                kommunkod: kommun,
                cases,
                created_by,
            },
        ) {
            Decision::Allow => Access::Granted(None),
            Decision::Deny => Access::Hidden,
            Decision::EmergencyOnly => {
                match reason.map(|r| domain::case::validate_reason("reason", r)) {
                    Some(Ok(r)) => Access::Granted(Some(format!("emergency: {r}"))),
                    _ => Access::NeedsReason,
                }
            }
        },
    )
}
