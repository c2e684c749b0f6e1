//! The steps on one decision: its notice, execution and follow-up.

use crate::error::PageError;
use domain::assessed::{self, ExecutionEvent};
use domain::FieldErrors;

use super::posted::{choice, date, optional, step, text, Ctx, StepOutcome};

pub(super) async fn decision_action(
    c: &Ctx<'_>,
    decision_id: i64,
    action: &str,
) -> Result<StepOutcome, PageError> {
    let state = c.state;
    let mut e = FieldErrors::new();
    Ok(match action {
        "delgivning" => match crate::assessed::record_notice(
            state,
            &c.grant,
            decision_id,
            c.get("method"),
            c.get("sent_on"),
            c.get("received_on"),
            c.by(),
            &c.origin,
        )
        .await?
        {
            Ok(_) => StepOutcome::Done("beslut"),
            Err(e) => StepOutcome::Invalid(e),
        },
        "mottagning" => match crate::assessed::confirm_receipt(
            state,
            &c.grant,
            decision_id,
            c.get("received_on"),
            c.by(),
            &c.origin,
        )
        .await?
        {
            Ok(_) => StepOutcome::Done("beslut"),
            Err(e) => StepOutcome::Invalid(e),
        },
        "overklagande" => {
            match crate::assessed::register_appeal(
                state,
                &c.grant,
                decision_id,
                c.get("received_on"),
                c.get("note"),
                c.by(),
                &c.origin,
            )
            .await?
            {
                Ok(_) => StepOutcome::Done("beslut"),
                Err(e) => StepOutcome::Invalid(e),
            }
        }
        "bestall" => {
            let provider = text(&mut e, "provider", c.get("provider"), 2);
            let planned =
                assessed::parse_date(&mut e, "planned_start", c.get("planned_start"), false);
            if e.is_empty() {
                step(
                    store::assessed::order_execution(
                        &state.db,
                        &c.grant,
                        decision_id,
                        &provider,
                        c.get("in_house") == "yes",
                        planned,
                        c.by(),
                        c.now(),
                        &c.origin,
                    )
                    .await?,
                    "beslut",
                )
            } else {
                StepOutcome::Invalid(e)
            }
        }
        "verkstallighet" => {
            let kind = choice(&mut e, "kind", c.get("kind"), ExecutionEvent::parse);
            let on = date(&mut e, "on_date", c.get("on_date"), c.today);
            match (kind, on, e.is_empty()) {
                (Some(kind), Some(on), true) => step(
                    store::assessed::execution_event(
                        &state.db,
                        &c.grant,
                        decision_id,
                        kind,
                        on,
                        optional(c.get("note")).as_deref(),
                        c.by(),
                        c.now(),
                        &c.origin,
                    )
                    .await?,
                    "beslut",
                ),
                _ => StepOutcome::Invalid(e),
            }
        }
        "drojsmal" => {
            let reason = text(&mut e, "reason", c.get("reason"), 5);
            let consequences = text(&mut e, "consequences", c.get("consequences"), 5);
            let interim = text(&mut e, "interim_support", c.get("interim_support"), 2);
            if e.is_empty() {
                step(
                    store::assessed::explain_delay(
                        &state.db,
                        &c.grant,
                        decision_id,
                        &reason,
                        &consequences,
                        &interim,
                        c.by(),
                        c.now(),
                        &c.origin,
                    )
                    .await?,
                    "beslut",
                )
            } else {
                StepOutcome::Invalid(e)
            }
        }
        "uppfoljning" => {
            let held_on = date(&mut e, "held_on", c.get("held_on"), c.today);
            let carer_view = text(&mut e, "carer_view", c.get("carer_view"), 2);
            let recipient_view = text(&mut e, "recipient_view", c.get("recipient_view"), 2);
            let fits = match c.get("still_fits") {
                "yes" => Some(true),
                "no" => Some(false),
                _ => {
                    e.add("still_fits", "error-choose-one");
                    None
                }
            };
            let next_on = assessed::parse_date(&mut e, "next_on", c.get("next_on"), false);
            match (held_on, fits, e.is_empty()) {
                (Some(held_on), Some(still_fits), true) => step(
                    store::assessed::follow_up(
                        &state.db,
                        &c.grant,
                        decision_id,
                        &store::assessed::NewFollowUp {
                            held_on,
                            carer_view,
                            recipient_view,
                            still_fits,
                            note: optional(c.get("note")),
                            next_on,
                        },
                        c.by(),
                        c.now(),
                        &c.origin,
                    )
                    .await?,
                    "beslut",
                ),
                _ => StepOutcome::Invalid(e),
            }
        }
        _ => return Err(PageError::NotFound),
    })
}
