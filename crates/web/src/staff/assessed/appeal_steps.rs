//! The steps on one appeal: timeliness, reconsideration, forwarding, the court's outcome.

use crate::error::PageError;
use domain::assessed::{self, AppealException, CourtOutcome, Reconsideration};
use domain::FieldErrors;
use store::assessed::AppealStep;

use super::posted::{choice, date, step, text, Ask, Ctx, StepOutcome};

pub(super) async fn appeal_action(
    c: &Ctx<'_>,
    appeal_id: i64,
    action: &str,
) -> Result<StepOutcome, PageError> {
    let mut e = FieldErrors::new();
    let s = match action {
        "undantag" => {
            let ex = choice(
                &mut e,
                "exception",
                c.get("exception"),
                AppealException::parse,
            );
            let note = text(&mut e, "note", c.get("note"), 5);
            ex.map(|x| AppealStep::Exception(x, note))
        }
        "avvisa" => {
            let on = date(&mut e, "on_date", c.get("on_date"), c.today);
            let reasons = text(&mut e, "reasons", c.get("reasons"), assessed::MIN_REASONS);
            on.map(|d| AppealStep::Dismiss(d, reasons))
        }
        "omprova" => {
            let r = choice(
                &mut e,
                "reconsideration",
                c.get("reconsideration"),
                Reconsideration::parse,
            );
            let on = date(&mut e, "on_date", c.get("on_date"), c.today);
            let note = text(&mut e, "note", c.get("note"), 5);
            match (r, on) {
                (Some(r), Some(on)) => Some(AppealStep::Reconsider(r, on, note)),
                _ => None,
            }
        }
        "overlamna" => date(&mut e, "on_date", c.get("on_date"), c.today).map(AppealStep::Forward),
        "dom" => {
            let o = choice(
                &mut e,
                "court_outcome",
                c.get("court_outcome"),
                CourtOutcome::parse,
            );
            let on = date(&mut e, "on_date", c.get("on_date"), c.today);
            match (o, on) {
                (Some(o), Some(on)) => {
                    Some(AppealStep::Court(o, on, c.get("note").trim().to_owned()))
                }
                _ => None,
            }
        }
        _ => return Err(PageError::NotFound),
    };
    let s = match (s, e.is_empty()) {
        (Some(s), true) => s,
        _ => return Ok(StepOutcome::Invalid(e)),
    };
    if let Some(question) = ask(&s).filter(|_| !c.confirmed()) {
        // Asked only for a step the rules allow now; a refused one says why at once.
        return Ok(
            match store::assessed::appeal_step_refusal(&c.state.db, &c.grant, appeal_id, &s).await?
            {
                Some(r) => step::<()>(Err(r), "beslut"),
                None => StepOutcome::Ask(question),
            },
        );
    }
    Ok(step(
        store::assessed::appeal_step(
            &c.state.db,
            &c.grant,
            appeal_id,
            &s,
            c.by(),
            c.now(),
            &c.origin,
        )
        .await?,
        "beslut",
    ))
}

/// The question a final step asks first: forwarding to the court and dismissing cannot be
/// taken back in the case.
fn ask(s: &AppealStep) -> Option<Ask> {
    match s {
        AppealStep::Forward(on) => Some(Ask {
            step: "forward",
            facts: vec![("confirm-forward-date", on.to_string())],
            anchor: "beslut",
        }),
        AppealStep::Dismiss(on, reasons) => Some(Ask {
            step: "dismiss",
            facts: vec![
                ("confirm-dismiss-date", on.to_string()),
                ("assessed-reasons", reasons.clone()),
            ],
            anchor: "beslut",
        }),
        _ => None,
    }
}
