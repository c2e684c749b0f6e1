//! The page itself: the case's investigation, decisions and appeals, with every step's form
//! (and the form that came back with errors, filled in again).

use crate::error::PageError;
use crate::form_errors::FormErrors;
use crate::http::extract::act;
use crate::http::{CaseAccess, StaffCtx};
use crate::staff::pages::{field, render, StaffLayout};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use domain::assessed::{
    AppealException, Area, CommunicationMethod, ConsentScope, CourtOutcome, ExecutionEvent,
    NoticeMethod, Outcome, Reconsideration,
};
use domain::policy::Action;
use store::access::CaseGrant;
use store::assessed::Assessed;

use super::tabs::Tab;

/// One investigation entry as listed under its area: when, by whom, what.
type AreaLine = (String, String, String);

/// What was posted when it came back with errors: the form's name, its values, the errors.
#[derive(Default)]
pub struct Draft {
    pub(super) form: String,
    pub(super) values: Vec<(String, String)>,
    pub(super) errors: FormErrors,
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
    /// The part shown (`?del=`), and every part: (address, label, shown).
    tab: &'static str,
    tabs: Vec<(&'static str, String, bool)>,
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

    /// The heading of the part shown.
    fn part_title(&self) -> String {
        self.tabs
            .iter()
            .find(|(_, _, shown)| *shown)
            .map(|(_, label, _)| label.clone())
            .unwrap_or_default()
    }

    fn opt_date(&self, d: &Option<NaiveDate>) -> String {
        d.map(|d| d.to_string()).unwrap_or_else(|| "–".into())
    }
}

/// The page of the granted case.
pub(super) async fn page(
    state: &AppState,
    ctx: &StaffCtx,
    grant: &CaseGrant,
    draft: Draft,
    tab: Tab,
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
            crate::staff::pages::local_time(e.at),
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
        tab: tab.slug(),
        tabs: Tab::ALL
            .iter()
            .map(|x| (x.slug(), x.label(t), *x == tab))
            .collect(),
    };
    render(status, &p)
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct PartQuery {
    del: String,
}

pub async fn show(
    State(state): State<AppState>,
    CaseAccess { ctx, grant, .. }: CaseAccess<act::ReadCase>,
    Query(q): Query<PartQuery>,
) -> Result<Response, PageError> {
    let tab = Tab::from_query(&q.del);
    page(&state, &ctx, &grant, Draft::default(), tab, StatusCode::OK).await
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
