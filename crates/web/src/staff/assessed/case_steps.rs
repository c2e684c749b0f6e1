//! The steps on the case itself: investigation, consents, kommunicering, delay notices.

use crate::error::PageError;
use domain::assessed::{self, Area, CommunicationMethod, ConsentScope};
use domain::FieldErrors;

use super::posted::{choice, date, optional, step, text, Ctx, StepOutcome};

pub(super) async fn case_action(c: &Ctx<'_>, action: &str) -> Result<StepOutcome, PageError> {
    let state = c.state;
    let mut e = FieldErrors::new();
    Ok(match action {
        "utredning" => {
            let area = choice(&mut e, "area", c.get("area"), Area::parse);
            let t = text(&mut e, "text", c.get("text"), 2);
            match (area, e.is_empty()) {
                (Some(area), true) => step(
                    store::assessed::add_investigation_entry(
                        &state.db,
                        &c.grant,
                        area,
                        &t,
                        c.by(),
                        c.now(),
                        &c.origin,
                    )
                    .await?,
                    "utredning",
                ),
                _ => StepOutcome::Invalid(e),
            }
        }
        "samtycke" => {
            let scope = choice(&mut e, "scope", c.get("scope"), ConsentScope::parse);
            let given_by = text(&mut e, "given_by", c.get("given_by"), 2);
            let given_on = date(&mut e, "given_on", c.get("given_on"), c.today);
            match (scope, given_on, e.is_empty()) {
                (Some(scope), Some(given_on), true) => step(
                    store::assessed::add_consent(
                        &state.db,
                        &c.grant,
                        &store::assessed::NewConsent {
                            person_id: None,
                            given_by,
                            scope,
                            given_on,
                            note: optional(c.get("note")),
                        },
                        c.by(),
                        c.now(),
                        &c.origin,
                    )
                    .await?,
                    "samtycken",
                ),
                _ => StepOutcome::Invalid(e),
            }
        }
        "aterkalla" => {
            let on = date(&mut e, "withdrawn_on", c.get("withdrawn_on"), c.today);
            let consent: i64 = c
                .get("consent_id")
                .parse()
                .map_err(|_| PageError::NotFound)?;
            match (on, e.is_empty()) {
                (Some(on), true) => step(
                    store::assessed::withdraw_consent(
                        &state.db,
                        &c.grant,
                        consent,
                        on,
                        c.by(),
                        c.now(),
                        &c.origin,
                    )
                    .await?,
                    "samtycken",
                ),
                _ => StepOutcome::Invalid(e),
            }
        }
        "orosanmalan" => {
            let to = text(&mut e, "reported_to", c.get("reported_to"), 2);
            let note = text(&mut e, "note", c.get("note"), assessed::MIN_REASONS);
            if e.is_empty() {
                step(
                    store::assessed::report_concern(
                        &state.db,
                        &c.grant,
                        &to,
                        &note,
                        c.by(),
                        c.now(),
                        &c.origin,
                    )
                    .await?,
                    "barn",
                )
            } else {
                StepOutcome::Invalid(e)
            }
        }
        "sip" => {
            let mut errors = FieldErrors::new();
            let on = assessed::parse_date(&mut errors, "sip_on", c.get("sip_on"), true);
            match (on, errors.is_empty()) {
                (Some(on), true) => step(
                    store::assessed::set_sip(&state.db, &c.grant, on, c.by(), c.now(), &c.origin)
                        .await?,
                    "samordning",
                ),
                _ => StepOutcome::Invalid(errors),
            }
        }
        "kommunicering" => {
            let material = text(&mut e, "material", c.get("material"), 5);
            let method = choice(
                &mut e,
                "method",
                c.get("method"),
                CommunicationMethod::parse,
            );
            let sent_on = date(&mut e, "sent_on", c.get("sent_on"), c.today);
            let answer_by = assessed::parse_date(&mut e, "answer_by", c.get("answer_by"), false);
            let answer_by = match (answer_by, sent_on) {
                (Some(a), Some(s)) if a < s => {
                    e.add("answer_by", "error-period-order");
                    None
                }
                (Some(a), _) => Some(a),
                (None, Some(s)) => state
                    .law
                    .period("kommunicering-answer", s)
                    .map(|p| domain::calendar::add_period(s, p)),
                (None, None) => None,
            };
            match (method, sent_on, answer_by, e.is_empty()) {
                (Some(method), Some(sent_on), Some(answer_by), true) => step(
                    store::assessed::add_communication(
                        &state.db,
                        &c.grant,
                        &store::assessed::NewCommunication {
                            material,
                            method,
                            sent_on,
                            answer_by,
                        },
                        c.by(),
                        c.now(),
                        &c.origin,
                    )
                    .await?,
                    "kommunicering",
                ),
                _ => StepOutcome::Invalid(e),
            }
        }
        "svar" => {
            let id: i64 = c
                .get("communication_id")
                .parse()
                .map_err(|_| PageError::NotFound)?;
            let on = date(&mut e, "answered_on", c.get("answered_on"), c.today);
            let answer = text(&mut e, "answer", c.get("answer"), 2);
            match (on, e.is_empty()) {
                (Some(on), true) => step(
                    store::assessed::answer_communication(
                        &state.db,
                        &c.grant,
                        id,
                        on,
                        &answer,
                        c.by(),
                        c.now(),
                        &c.origin,
                    )
                    .await?,
                    "kommunicering",
                ),
                _ => StepOutcome::Invalid(e),
            }
        }
        "beslut" => {
            let form = crate::assessed::DecisionForm {
                applied_id: c.get("applied_id").parse().ok(),
                insats: c.get("insats").to_owned(),
                raw: assessed::RawDecision {
                    outcome: c.get("outcome").to_owned(),
                    hours_per_month: c.get("hours_per_month").to_owned(),
                    days_per_week: c.get("days_per_week").to_owned(),
                    scope_text: c.get("scope_text").to_owned(),
                    period_from: c.get("period_from").to_owned(),
                    period_to: c.get("period_to").to_owned(),
                    reasons: c.get("reasons").to_owned(),
                    decided_on: c.get("decided_on").to_owned(),
                },
                legal_basis: c.get("legal_basis").to_owned(),
                communication_waiver: c.get("communication_waiver").to_owned(),
            };
            match crate::assessed::decide(state, &c.grant, &form, c.by(), &c.origin).await? {
                Ok(_) => StepOutcome::Done("beslut"),
                Err(e) => StepOutcome::Invalid(e),
            }
        }
        "drojsmal" => {
            let request = c.get("kind") == "decision_request";
            let on = date(&mut e, "on_date", c.get("on_date"), c.today);
            let note = text(&mut e, "note", c.get("note"), 5);
            let (after, answer) = (
                state.law.period("decision-request-after", c.today).cloned(),
                state
                    .law
                    .period("decision-request-answer", c.today)
                    .cloned(),
            );
            match (on, after, answer, e.is_empty()) {
                (Some(on), Some(after), Some(answer), true) => step(
                    store::assessed::record_delay(
                        &state.db,
                        &c.grant,
                        request,
                        on,
                        &note,
                        |r| domain::calendar::add_period(r, &after),
                        |d| domain::calendar::add_period(d, &answer),
                        c.by(),
                        c.now(),
                        &c.origin,
                    )
                    .await?,
                    "tider",
                ),
                _ => StepOutcome::Invalid(e),
            }
        }
        _ => return Err(PageError::NotFound),
    })
}
