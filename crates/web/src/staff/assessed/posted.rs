//! One post of the page: which object and step, the access that step needs, and the answer
//! (back to the page at the step's anchor, or the page again with the form's errors).

use crate::error::PageError;
use crate::form_errors::FormErrors;
use crate::http::ids;
use crate::http::{Id, StaffCtx, StaffForm};
use crate::staff::auth::Staff;
use crate::staff::pages::field;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use domain::assessed::{self};
use domain::policy::Action;
use domain::FieldErrors;
use serde::Deserialize;
use store::access::CaseGrant;
use store::audit::Origin;

use super::appeal_steps::appeal_action;
use super::case_steps::case_action;
use super::decision_steps::decision_action;
use super::page::{page, Draft};
use super::tabs::{field_label, Tab};
use super::{granted, municipality};
/// The `{action}` of a post, the form's step.
#[derive(Deserialize)]
pub struct Step {
    action: String,
}

/// A posted value that must be one of a closed set.
pub(super) fn choice<T>(
    errors: &mut FieldErrors,
    field_name: &'static str,
    raw: &str,
    parse: fn(&str) -> Option<T>,
) -> Option<T> {
    let v = parse(raw.trim());
    if v.is_none() {
        errors.add(field_name, "error-choose-one");
    }
    v
}

pub(super) fn date(
    errors: &mut FieldErrors,
    name: &'static str,
    raw: &str,
    today: NaiveDate,
) -> Option<NaiveDate> {
    match assessed::validate_past_date(name, raw, today) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.merge(e);
            None
        }
    }
}

pub(super) fn text(errors: &mut FieldErrors, name: &'static str, raw: &str, min: usize) -> String {
    match assessed::validate_text(name, raw, min) {
        Ok(t) => t,
        Err(e) => {
            errors.merge(e);
            String::new()
        }
    }
}

pub(super) fn optional(raw: &str) -> Option<String> {
    Some(raw.trim().to_owned()).filter(|s| !s.is_empty())
}

/// Every action's outcome: done (back to the page), errors for the form, or (for a final
/// step not yet confirmed) the question to ask first.
pub(super) enum StepOutcome {
    Done(&'static str),
    Invalid(FieldErrors),
    Ask(Ask),
}

/// A final step's confirmation: the step's name (its words are `confirm-{step}-*`) and the
/// facts it records.
pub(super) struct Ask {
    pub(super) step: &'static str,
    /// (label's message id, value)
    pub(super) facts: Vec<(&'static str, String)>,
    /// The anchor of the page to go back to.
    pub(super) anchor: &'static str,
}

/// What an action needs: who, where, what was posted.
pub(super) struct Ctx<'a> {
    pub(super) state: &'a AppState,
    pub(super) staff: &'a Staff,
    /// The policy's yes for this step on the case (`Decide` for a decision).
    pub(super) grant: CaseGrant,
    pub(super) origin: Origin,
    pub(super) f: Vec<(String, String)>,
    pub(super) today: NaiveDate,
}

impl Ctx<'_> {
    pub(super) fn get(&self, k: &str) -> &str {
        field(&self.f, k)
    }
    /// Whether a final step was confirmed on its own page.
    pub(super) fn confirmed(&self) -> bool {
        crate::staff::confirm::given(&self.f)
    }
    pub(super) fn by(&self) -> i64 {
        self.staff.user.id
    }
    pub(super) fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.state.clock.now()
    }
}

fn refused(r: store::assessed::Refusal) -> StepOutcome {
    StepOutcome::Invalid(crate::assessed::refusal(r))
}

pub(super) fn step<T>(r: Result<T, store::assessed::Refusal>, anchor: &'static str) -> StepOutcome {
    match r {
        Ok(_) => StepOutcome::Done(anchor),
        Err(e) => refused(e),
    }
}

/// Which object a post is about.
enum Target {
    Case(i64),
    Decision(i64),
    Appeal(i64),
}

async fn handle(
    state: &AppState,
    ctx: &StaffCtx,
    f: Vec<(String, String)>,
    target: Target,
    action: String,
) -> Result<Response, PageError> {
    let (staff, origin) = (&ctx.staff, &ctx.origin);
    let kommun = municipality(staff)?;
    let case_id = match target {
        Target::Case(id) => id,
        Target::Decision(id) => store::assessed::decision_case(&state.db, &kommun, id)
            .await?
            .ok_or(PageError::NotFound)?,
        Target::Appeal(id) => store::assessed::appeal_case(&state.db, &kommun, id)
            .await?
            .ok_or(PageError::NotFound)?,
    };
    // Deciding needs delegation; every other step is writing to the case.
    let needed = if action == "beslut" {
        Action::Decide
    } else {
        Action::WriteCase
    };
    let grant = granted(state, ctx, needed, case_id).await?;
    let c = Ctx {
        state,
        staff,
        grant,
        origin: origin.clone(),
        f,
        today: state.clock.today(),
    };
    let tab = match target {
        Target::Case(_) => Tab::of_step("case", &action),
        Target::Decision(_) => Tab::of_step("decision", &action),
        Target::Appeal(_) => Tab::of_step("appeal", &action),
    };
    let part = tab.slug();
    let path = match target {
        Target::Case(id) => format!("/personal/arenden/{id}/bistand/{action}"),
        Target::Decision(id) => format!("/personal/beslut/{id}/{action}"),
        Target::Appeal(id) => format!("/personal/overklaganden/{id}/{action}"),
    };
    let outcome = match target {
        Target::Case(_) => case_action(&c, &action).await?,
        Target::Decision(id) => decision_action(&c, id, &action).await?,
        Target::Appeal(id) => appeal_action(&c, id, &action).await?,
    };
    match outcome {
        StepOutcome::Done(anchor) => Ok(Redirect::to(&format!(
            "/personal/arenden/{case_id}/bistand?del={part}#{anchor}"
        ))
        .into_response()),
        StepOutcome::Ask(ask) => {
            let t = ctx.texts(state);
            let facts = ask
                .facts
                .into_iter()
                .map(|(label, value)| (t.get(label), value))
                .collect();
            let back = format!(
                "/personal/arenden/{case_id}/bistand?del={part}#{}",
                ask.anchor
            );
            let q = crate::staff::confirm::Question::asking(t, ask.step, facts, path, back);
            crate::staff::confirm::page(state, ctx, "cases", q, &c.f)
        }
        StepOutcome::Invalid(errors) => {
            let t = state.texts(&staff.user.language);
            let form = field(&c.f, "_form").to_owned();
            // The summary names each field as its label does.
            let draft = Draft {
                errors: FormErrors::new(t, &errors, &[], |f| field_label(t, f)),
                values: c.f.clone(),
                form,
            };
            let grant = granted(state, ctx, Action::ReadCase, case_id).await?;
            page(
                state,
                ctx,
                &grant,
                draft,
                tab,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

// The forms of this page post to one action each and come back with their values when they
// have errors, so the body stays the posted pairs (read by name in `case_action` and the
// others, and shown again in the draft).

pub async fn post_case(
    State(state): State<AppState>,
    id: Id<ids::Case>,
    Path(Step { action }): Path<Step>,
    ctx: StaffCtx,
    StaffForm(f): StaffForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    handle(&state, &ctx, f, Target::Case(id.get()), action).await
}

pub async fn post_decision(
    State(state): State<AppState>,
    id: Id<ids::Decision>,
    Path(Step { action }): Path<Step>,
    ctx: StaffCtx,
    StaffForm(f): StaffForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    handle(&state, &ctx, f, Target::Decision(id.get()), action).await
}

pub async fn post_appeal(
    State(state): State<AppState>,
    id: Id<ids::Appeal>,
    Path(Step { action }): Path<Step>,
    ctx: StaffCtx,
    StaffForm(f): StaffForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    handle(&state, &ctx, f, Target::Appeal(id.get()), action).await
}
