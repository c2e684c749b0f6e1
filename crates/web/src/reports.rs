//! Reports on assessed support: the quarterly individual report of decisions not carried out
//! (to IVO), the de-identified statistics for the council, and every officer's deadlines.
//! The rules (three months, the appeal clock, FL 11–12 §§) come from `domain` and the law
//! table; this module only assembles and formats.

use crate::error::PageError;
use crate::AppState;
use chrono::NaiveDate;
use domain::assessed::{overdue, registered_sex, Waiting};
use serde::Serialize;
use store::audit::Origin;

#[derive(Debug, Clone, Serialize)]
pub struct ReportLine {
    pub decision_id: i64,
    pub case_number: String,
    pub insats: String,
    /// sol or lss.
    pub law: String,
    pub decided_on: NaiveDate,
    /// not_started or interrupted.
    pub waiting: String,
    pub since: NaiveDate,
    pub due: NaiveDate,
    pub days_waited: i64,
    pub sex: String,
    /// Skyddade personuppgifter: IVO is told, and nothing more of the person is printed.
    pub protected_identity: bool,
    pub carried_out_on: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    pub reason: String,
    pub consequences: String,
    pub interim_support: String,
    pub offers: Vec<NaiveDate>,
    #[serde(skip)]
    pub person_id: Option<i64>,
}

pub struct NotExecuted {
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub lines: Vec<ReportLine>,
}

/// The individual report for the quarter `first..=last`, logged as one read of the persons
/// it names.
pub async fn not_executed(
    state: &AppState,
    kommunkod: &str,
    first: NaiveDate,
    last: NaiveDate,
    origin: &Origin,
) -> Result<NotExecuted, PageError> {
    let granted = store::assessed::granted_decisions(&state.db, kommunkod, last).await?;
    let mut lines = Vec::new();
    for g in &granted {
        let Some(period) = state.law.period("not-executed", g.decided_on) else {
            continue;
        };
        for o in overdue(&g.facts(), period, first, last) {
            let (reason, consequences, interim) = g.explanation.clone().unwrap_or_default();
            lines.push(ReportLine {
                decision_id: g.decision_id,
                case_number: g.case_number.clone(),
                insats: g.insats.clone(),
                law: if g.track == "assessed_lss" {
                    "lss"
                } else {
                    "sol"
                }
                .into(),
                decided_on: g.decided_on,
                waiting: match o.waiting {
                    Waiting::NotStarted => "not_started",
                    Waiting::Interrupted => "interrupted",
                }
                .into(),
                since: o.since,
                due: o.due,
                days_waited: o.days_waited,
                sex: registered_sex(g.id_number.as_deref()).into(),
                protected_identity: g.protection != "none",
                carried_out_on: o.carried_out_on,
                ended_on: o.ended_on,
                reason,
                consequences,
                interim_support: interim,
                offers: g.offers(),
                person_id: g.person_id,
            });
        }
    }
    let persons: Vec<String> = lines
        .iter()
        .filter_map(|l| l.person_id)
        .map(|p| format!("person:{p}"))
        .collect();
    store::assessed::log_report(
        &state.db,
        kommunkod,
        "report.not_executed",
        persons,
        &format!("{first}..{last}"),
        state.clock.now(),
        origin,
    )
    .await?;
    Ok(NotExecuted { first, last, lines })
}

/// A field of the reports' CSV (semicolon separated, formulas made inert).
pub fn csv_field(s: &str) -> String {
    domain::csv::cell(s, ';')
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// The individual report as CSV with Swedish headings (semicolon separated, as Swedish
/// spreadsheets expect).
pub fn not_executed_csv(state: &AppState, r: &NotExecuted) -> String {
    let t = &state.t;
    let headings = [
        "report-col-case",
        "report-col-insats",
        "report-col-law",
        "report-col-decided",
        "report-col-waiting",
        "report-col-since",
        "report-col-days",
        "report-col-sex",
        "report-col-protected",
        "report-col-carried-out",
        "report-col-ended",
        "report-col-reason",
        "report-col-consequences",
        "report-col-interim",
        "report-col-offers",
    ];
    let mut out = headings
        .iter()
        .map(|h| csv_field(&t.get(h)))
        .collect::<Vec<_>>()
        .join(";");
    out.push_str("\r\n");
    for l in &r.lines {
        let row = [
            l.case_number.clone(),
            l.insats.clone(),
            l.law.to_uppercase(),
            l.decided_on.to_string(),
            t.get(&format!("report-waiting-{}", l.waiting)),
            l.since.to_string(),
            l.days_waited.to_string(),
            t.get(&format!("report-sex-{}", l.sex)),
            t.get(if l.protected_identity {
                "report-yes"
            } else {
                "report-no"
            }),
            date(l.carried_out_on),
            date(l.ended_on),
            l.reason.clone(),
            l.consequences.clone(),
            l.interim_support.clone(),
            l.offers
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        ];
        out.push_str(
            &row.iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(";"),
        );
        out.push_str("\r\n");
    }
    out
}

/// One row of the council's statistics: no person, only counts.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StatisticsRow {
    pub insats: String,
    pub women: usize,
    pub men: usize,
    pub unknown: usize,
    pub total: usize,
    pub max_days: i64,
    pub mean_days: i64,
}

/// The de-identified statistics from the individual report: per insats, women and men, days
/// waited since the decision.
pub fn statistics(r: &NotExecuted) -> Vec<StatisticsRow> {
    let mut rows: Vec<StatisticsRow> = Vec::new();
    let mut sums: Vec<i64> = Vec::new();
    for l in &r.lines {
        let i = match rows.iter().position(|s| s.insats == l.insats) {
            Some(i) => i,
            None => {
                rows.push(StatisticsRow {
                    insats: l.insats.clone(),
                    women: 0,
                    men: 0,
                    unknown: 0,
                    total: 0,
                    max_days: 0,
                    mean_days: 0,
                });
                sums.push(0);
                rows.len() - 1
            }
        };
        let s = &mut rows[i];
        match l.sex.as_str() {
            "woman" => s.women += 1,
            "man" => s.men += 1,
            _ => s.unknown += 1,
        }
        s.total += 1;
        s.max_days = s.max_days.max(l.days_waited);
        sums[i] += l.days_waited;
    }
    for (s, sum) in rows.iter_mut().zip(sums) {
        s.mean_days = if s.total == 0 {
            0
        } else {
            sum / s.total as i64
        };
    }
    rows.sort_by(|a, b| a.insats.cmp(&b.insats));
    rows
}

pub fn statistics_csv(state: &AppState, rows: &[StatisticsRow]) -> String {
    let t = &state.t;
    let mut out = [
        "report-col-insats",
        "report-col-women",
        "report-col-men",
        "report-col-unknown",
        "report-col-total",
        "report-col-max-days",
        "report-col-mean-days",
    ]
    .iter()
    .map(|h| csv_field(&t.get(h)))
    .collect::<Vec<_>>()
    .join(";");
    out.push_str("\r\n");
    for s in rows {
        out.push_str(&format!(
            "{};{};{};{};{};{};{}\r\n",
            csv_field(&s.insats),
            s.women,
            s.men,
            s.unknown,
            s.total,
            s.max_days,
            s.mean_days
        ));
    }
    out
}

/// One line of an officer's deadline watch.
#[derive(Debug, Clone, Serialize)]
pub struct WatchLine {
    pub case_id: i64,
    pub case_number: String,
    pub what: String,
    pub about: String,
    pub since: NaiveDate,
    pub due: Option<NaiveDate>,
    pub late: bool,
    /// The person the case is about, when the viewer may see them named.
    pub person: Option<store::worklist::ListedPerson>,
    pub reference: Option<String>,
    pub holder: Option<String>,
}

/// The deadlines of the cases an officer works on (or, for a manager, of the municipality):
/// cases by age with the delay notice due (FL 11 §), requests for a decision (FL 12 §),
/// kommunicering, notices not recorded, appeals waiting, late appeals to dismiss, follow-ups
/// and granted decisions not started. Logged as one read naming the cases.
pub async fn watch(
    state: &AppState,
    kommunkod: &str,
    viewer: i64,
    only: Option<(i64, Vec<i64>)>,
    origin: &Origin,
) -> Result<Vec<WatchLine>, PageError> {
    let today = state.clock.today();
    let items = store::assessed::watch(&state.db, kommunkod).await?;
    let mut lines = Vec::new();
    for i in items {
        if let Some((me, units)) = &only {
            if !domain::policy::works_on_case(*me, units, i.assigned_to, i.unit_id) {
                continue;
            }
        }
        let Some(w) = domain::watch::classify(&i.facts(), &state.law, today) else {
            continue;
        };
        lines.push(WatchLine {
            case_id: i.case_id,
            case_number: i.case_number,
            what: i.what.as_str().to_owned(),
            about: i.about,
            since: i.since,
            due: w.due,
            late: w.late,
            person: None,
            reference: None,
            holder: None,
        });
    }
    let ids = domain::watch::cases_named(lines.iter().map(|l| l.case_id));
    let labels = store::worklist::labels(&state.db, kommunkod, viewer, &ids).await?;
    for l in &mut lines {
        if let Some(label) = labels.get(&l.case_id) {
            l.person = label.person.clone();
            l.reference = label.reference.clone();
            l.holder = label.holder.clone();
        }
    }
    // What is late first, then by the date it is due.
    lines.sort_by(|a, b| {
        b.late
            .cmp(&a.late)
            .then(a.due.cmp(&b.due))
            .then(a.since.cmp(&b.since))
    });
    // The read names the cases and the persons the lines name.
    let cases: Vec<String> = ids
        .iter()
        .map(|id| format!("case:{id}"))
        .chain(
            domain::watch::cases_named(
                lines
                    .iter()
                    .filter_map(|l| l.person.as_ref().filter(|p| p.name.is_some()).map(|p| p.id)),
            )
            .iter()
            .map(|id| format!("person:{id}")),
        )
        .collect();
    store::assessed::log_report(
        &state.db,
        kommunkod,
        "report.watch",
        cases,
        "deadline watch",
        state.clock.now(),
        origin,
    )
    .await?;
    Ok(lines)
}
