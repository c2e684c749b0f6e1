//! The investigation and decision page of an application (`/personal/arenden/{id}/bistand`):
//! the investigation by area, consents, children, kommunicering, decisions with their letter,
//! notice and appeal clock, appeals, execution and follow-up, and the FL 11–12 §§ delay
//! steps. Each form posts to one action; the rules are in `domain::assessed` and the store,
//! shared with the API through `crate::assessed`.

use super::auth::Staff;
use super::pages::{field, render, StaffLayout};
use crate::error::PageError;
use crate::form_errors::FormErrors;
use crate::http::extract::act;
use crate::http::ids;
use crate::http::{CaseAccess, Id, StaffCtx, StaffForm};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use domain::assessed::{
    self, AppealException, Area, CommunicationMethod, ConsentScope, CourtOutcome, ExecutionEvent,
    NoticeMethod, Outcome, Reconsideration,
};
use domain::policy::{can, Action, Decision, Resource};
use domain::FieldErrors;
use serde::de::IgnoredAny;
use serde::Deserialize;
use store::access::{CaseGrant, Verdict};
use store::assessed::{AppealStep, Assessed};
use store::audit::Origin;

/// The `{action}` of a post, the form's step.
#[derive(Deserialize)]
pub struct Step {
    action: String,
}

/// A form post whose only field that matters is the CSRF token.
type NoFields = IgnoredAny;

/// One investigation entry as listed under its area: when, by whom, what.
type AreaLine = (String, String, String);

/// What was posted when it came back with errors: the form's name, its values, the errors.
#[derive(Default)]
pub struct Draft {
    form: String,
    values: Vec<(String, String)>,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "staff/assessed.html")]
struct AssessedPage<'a> {
    l: StaffLayout<'a>,
    csrf: String,
    case_id: i64,
    case_number: String,
    status: String,
    a: Assessed,
    /// Days since the application arrived, and the day a delay notice is due (FL 11 §).
    age_days: i64,
    delay_warning_on: Option<NaiveDate>,
    decision_request_from: Option<NaiveDate>,
    children: bool,
    young_carer: bool,
    may_decide: bool,
    today: NaiveDate,
    areas: Vec<(&'static str, String, String)>,
    entries_by_area: Vec<(String, Vec<AreaLine>)>,
    decisions: Vec<DecisionView>,
    legal_refs: Vec<(String, String)>,
    /// The first applied insats not yet decided, chosen in the decision form.
    next_applied: String,
    draft: Draft,
}

struct DecisionView {
    d: store::assessed::DecisionFull,
    outcome: String,
    scope: String,
    overdue_notice: bool,
    execution_state: String,
    appeals: Vec<AppealView>,
}

struct AppealView {
    a: store::assessed::AppealRow,
    /// Days a timely appeal has waited unforwarded, and whether that is past the warning.
    waiting_days: i64,
    forward_warning: bool,
}

impl AssessedPage<'_> {
    /// The posted value of a field when this form came back with errors, else `default`.
    fn val(&self, form: &str, name: &str, default: &str) -> String {
        if self.draft.form == form {
            field(&self.draft.values, name).to_owned()
        } else {
            default.to_owned()
        }
    }

    fn err(&self, form: &str, name: &str) -> String {
        if self.draft.form != form {
            return String::new();
        }
        self.draft.errors.message(name)
    }

    fn label(&self, prefix: &str, value: &str) -> String {
        self.l.t.get(&format!("{prefix}-{value}"))
    }

    fn opt_date(&self, d: &Option<NaiveDate>) -> String {
        d.map(|d| d.to_string()).unwrap_or_else(|| "–".into())
    }
}

fn municipality(staff: &Staff) -> Result<String, PageError> {
    staff
        .user
        .kommunkod
        .map(String::from)
        .ok_or(PageError::NotFound)
}

/// Access to the case for `action` (under an emergency access already running, whose reason
/// comes back), or the answer instead: not found, or the case page, which asks for a reason.
async fn granted(
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

/// The page of the granted case.
async fn page(
    state: &AppState,
    ctx: &StaffCtx,
    grant: &CaseGrant,
    draft: Draft,
    status: StatusCode,
) -> Result<Response, PageError> {
    let id = grant.id();
    let (staff, origin) = (&ctx.staff, &ctx.origin);
    let t = state.texts(&staff.user.language);
    let now = state.clock.now();
    let today = state.clock.today();
    // One logged read of the case; the assessed part is read with it.
    let (v, journal) = store::cases::page(&state.db, grant, now, origin)
        .await?
        .ok_or(PageError::NotFound)?;
    let a = store::assessed::of_case(&state.db, grant).await?;
    let household = store::assessed::household(&state.db, grant).await?;
    let children = household.iter().any(|(_, _, c)| *c);
    let young_carer = household.iter().any(|(role, number, _)| {
        role == "carer"
            && number
                .as_deref()
                .and_then(|n| domain::Personnummer::parse(n, today).ok())
                .is_some_and(|p| p.is_minor_on(today))
    });
    let may_decide = grant.permits(Action::Decide);
    let received = a.received_on;
    let age_days = received.map_or(0, |r| (today - r).num_days());
    // The clocks of FL 11-12 §§ run only while the case waits for a decision.
    let undecided = v.case.status.awaits_decision();
    let clock = |code: &str| match (
        received.filter(|_| undecided),
        state.law.period(code, today),
    ) {
        (Some(r), Some(p)) => Some(domain::calendar::add_period(r, p)),
        _ => None,
    };
    let delay_warning_on = clock("delay-warning");
    let decision_request_from = clock("decision-request-after");
    let areas: Vec<(&'static str, String, String)> = Area::ALL
        .iter()
        .map(|x| {
            (
                x.as_str(),
                t.get(&format!("area-{}", x.as_str())),
                t.get(&format!("area-group-{}", x.group())),
            )
        })
        .collect();
    let mut entries_by_area: Vec<(String, Vec<AreaLine>)> = Vec::new();
    for e in journal.iter().filter(|e| e.kind == "investigation") {
        let area = e.area.clone().unwrap_or_default();
        let label = t.get(&format!("area-{area}"));
        let line = (
            super::pages::local_time(e.at),
            e.author_name.clone(),
            if e.marks.is_empty() {
                e.text.clone()
            } else {
                format!("{} ({})", e.text, t.get("journal-marked-wrong"))
            },
        );
        match entries_by_area.iter_mut().find(|(l, _)| *l == label) {
            Some((_, v)) => v.push(line),
            None => entries_by_area.push((label, vec![line])),
        }
    }
    let decisions = a
        .decisions
        .iter()
        .map(|d| DecisionView {
            outcome: t.get(&format!("outcome-{}", d.decision.outcome)),
            scope: crate::assessed::scope_text(t, &d.decision),
            overdue_notice: d.decision.received_on.is_none(),
            execution_state: d
                .execution
                .as_ref()
                .map(|x| t.get(&format!("execution-state-{}", x.state())))
                .unwrap_or_default(),
            appeals: d
                .appeals
                .iter()
                .map(|ap| {
                    let overdue = ap
                        .facts()
                        .forward_overdue(ap.received_on, &state.law, today);
                    AppealView {
                        forward_warning: overdue.is_some(),
                        waiting_days: (today - ap.received_on).num_days(),
                        a: ap.clone(),
                    }
                })
                .collect(),
            d: d.clone(),
        })
        .collect();
    let legal_refs = state
        .law
        .decision_references(today)
        .into_iter()
        .map(|r| (r.code.clone(), format!("{} – {}", r.title, r.citation)))
        .collect();
    let next_applied = a
        .applied
        .iter()
        .find(|x| {
            !a.decisions
                .iter()
                .any(|d| d.decision.applied_id == Some(x.id))
        })
        .map(|x| x.id.to_string())
        .unwrap_or_default();
    let p = AssessedPage {
        l: StaffLayout::signed_in(
            t,
            t.get1("assessed-title", "number", &v.case.case_number),
            staff,
            "cases",
        ),
        csrf: staff.session.csrf_token.clone(),
        case_id: id,
        case_number: v.case.case_number.clone(),
        status: t.get(&format!("case-status-{}", v.case.status)),
        a,
        age_days,
        delay_warning_on,
        decision_request_from,
        children,
        young_carer,
        may_decide,
        today,
        areas,
        entries_by_area,
        decisions,
        legal_refs,
        next_applied,
        draft,
    };
    render(status, &p)
}

pub async fn show(
    State(state): State<AppState>,
    CaseAccess { ctx, grant, .. }: CaseAccess<act::ReadCase>,
) -> Result<Response, PageError> {
    page(&state, &ctx, &grant, Draft::default(), StatusCode::OK).await
}

/// A posted value that must be one of a closed set.
fn choice<T>(
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

fn date(
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

fn text(errors: &mut FieldErrors, name: &'static str, raw: &str, min: usize) -> String {
    match assessed::validate_text(name, raw, min) {
        Ok(t) => t,
        Err(e) => {
            errors.merge(e);
            String::new()
        }
    }
}

fn optional(raw: &str) -> Option<String> {
    Some(raw.trim().to_owned()).filter(|s| !s.is_empty())
}

/// Every action's outcome: done (back to the page), or errors for the form.
enum Outcome2 {
    Done(&'static str),
    Invalid(FieldErrors),
}

/// What an action needs: who, where, what was posted.
struct Ctx<'a> {
    state: &'a AppState,
    staff: &'a Staff,
    /// The policy's yes for this step on the case (`Decide` for a decision).
    grant: CaseGrant,
    origin: Origin,
    f: Vec<(String, String)>,
    today: NaiveDate,
}

impl Ctx<'_> {
    fn get(&self, k: &str) -> &str {
        field(&self.f, k)
    }
    fn by(&self) -> i64 {
        self.staff.user.id
    }
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.state.clock.now()
    }
}

fn refused(r: store::assessed::Refusal) -> Outcome2 {
    Outcome2::Invalid(crate::assessed::refusal(r))
}

fn step<T>(r: Result<T, store::assessed::Refusal>, anchor: &'static str) -> Outcome2 {
    match r {
        Ok(_) => Outcome2::Done(anchor),
        Err(e) => refused(e),
    }
}

async fn case_action(c: &Ctx<'_>, action: &str) -> Result<Outcome2, PageError> {
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
                _ => Outcome2::Invalid(e),
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
                _ => Outcome2::Invalid(e),
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
                _ => Outcome2::Invalid(e),
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
                Outcome2::Invalid(e)
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
                _ => Outcome2::Invalid(errors),
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
                _ => Outcome2::Invalid(e),
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
                _ => Outcome2::Invalid(e),
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
                Ok(_) => Outcome2::Done("beslut"),
                Err(e) => Outcome2::Invalid(e),
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
                _ => Outcome2::Invalid(e),
            }
        }
        _ => return Err(PageError::NotFound),
    })
}

async fn decision_action(
    c: &Ctx<'_>,
    decision_id: i64,
    action: &str,
) -> Result<Outcome2, PageError> {
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
            Ok(_) => Outcome2::Done("beslut"),
            Err(e) => Outcome2::Invalid(e),
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
                Ok(_) => Outcome2::Done("beslut"),
                Err(e) => Outcome2::Invalid(e),
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
                Outcome2::Invalid(e)
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
                _ => Outcome2::Invalid(e),
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
                Outcome2::Invalid(e)
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
                _ => Outcome2::Invalid(e),
            }
        }
        _ => return Err(PageError::NotFound),
    })
}

async fn appeal_action(c: &Ctx<'_>, appeal_id: i64, action: &str) -> Result<Outcome2, PageError> {
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
        _ => Ok(Outcome2::Invalid(e)),
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
    let outcome = match target {
        Target::Case(_) => case_action(&c, &action).await?,
        Target::Decision(id) => decision_action(&c, id, &action).await?,
        Target::Appeal(id) => appeal_action(&c, id, &action).await?,
    };
    match outcome {
        Outcome2::Done(anchor) => Ok(Redirect::to(&format!(
            "/personal/arenden/{case_id}/bistand#{anchor}"
        ))
        .into_response()),
        Outcome2::Invalid(errors) => {
            let t = state.texts(&staff.user.language);
            let form = field(&c.f, "_form").to_owned();
            let draft = Draft {
                errors: FormErrors::plain(t, &errors, &[]),
                values: c.f.clone(),
                form,
            };
            let grant = granted(state, ctx, Action::ReadCase, case_id).await?;
            page(state, ctx, &grant, draft, StatusCode::UNPROCESSABLE_ENTITY).await
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

/// The choices the template offers, with their labels.
impl AssessedPage<'_> {
    fn outcomes(&self) -> Vec<(&'static str, String)> {
        Outcome::ALL
            .iter()
            .map(|o| (o.as_str(), self.label("outcome", o.as_str())))
            .collect()
    }
    fn notice_methods(&self) -> Vec<(&'static str, String)> {
        NoticeMethod::ALL
            .iter()
            .map(|o| (o.as_str(), self.label("notice-method", o.as_str())))
            .collect()
    }
    fn communication_methods(&self) -> Vec<(&'static str, String)> {
        CommunicationMethod::ALL
            .iter()
            .map(|o| (o.as_str(), self.label("communication-method", o.as_str())))
            .collect()
    }
    fn consent_scopes(&self) -> Vec<(&'static str, String)> {
        ConsentScope::ALL
            .iter()
            .map(|o| (o.as_str(), self.label("consent-scope", o.as_str())))
            .collect()
    }
    fn execution_events(&self) -> Vec<(&'static str, String)> {
        ExecutionEvent::ALL
            .iter()
            .map(|o| (o.as_str(), self.label("execution-event", o.as_str())))
            .collect()
    }
    fn exceptions(&self) -> Vec<(&'static str, String)> {
        AppealException::ALL
            .iter()
            .map(|o| (o.as_str(), self.label("appeal-exception", o.as_str())))
            .collect()
    }
    fn reconsiderations(&self) -> Vec<(&'static str, String)> {
        Reconsideration::ALL
            .iter()
            .map(|o| (o.as_str(), self.label("reconsideration", o.as_str())))
            .collect()
    }
    fn delay_kinds(&self) -> Vec<(&'static str, String)> {
        ["delay_notice", "decision_request"]
            .into_iter()
            .map(|k| (k, self.label("delay-kind", k)))
            .collect()
    }
    fn yes_no(&self) -> Vec<(&'static str, String)> {
        vec![
            ("yes", self.l.t.get("assessed-still-fits-yes")),
            ("no", self.l.t.get("assessed-still-fits-no")),
        ]
    }
    /// The name of a form about one decision or appeal: its kind and the object's id.
    fn fname(&self, kind: &str, id: &i64) -> String {
        format!("{kind}-{id}")
    }
    fn court_outcomes(&self) -> Vec<(&'static str, String)> {
        CourtOutcome::ALL
            .iter()
            .map(|o| (o.as_str(), self.label("court-outcome", o.as_str())))
            .collect()
    }
}

/// A PDF answer: never cached, shown in the browser, with a file name.
pub(super) fn pdf_response(bytes: Vec<u8>, file_name: &str) -> Response {
    use axum::http::header;
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{file_name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

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
