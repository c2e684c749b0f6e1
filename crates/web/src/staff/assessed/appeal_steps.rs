//! The steps on one appeal: timeliness, reconsideration, forwarding, the court's outcome.

use crate::error::PageError;
use domain::assessed::{self, AppealException, CourtOutcome, Reconsideration};
use domain::FieldErrors;
use store::assessed::AppealStep;

use super::posted::{choice, date, step, text, Ctx, StepOutcome};

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
    match (s, e.is_empty()) {
        (Some(s), true) => Ok(step(
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
        )),
        _ => Ok(StepOutcome::Invalid(e)),
    }
}
