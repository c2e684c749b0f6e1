//! The facts the deadline watch classifies.

use super::*;
use crate::id_list::IdList;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WatchItem {
    pub case_id: i64,
    pub case_number: String,
    pub unit_id: Option<i64>,
    pub assigned_to: Option<i64>,
    /// What is due.
    pub what: WatchKind,
    /// What it concerns (an insats, the material communicated), for the list.
    pub about: String,
    /// The date the clock runs from.
    pub since: NaiveDate,
    /// The date by which something must be done, if the law or practice sets one; for
    /// `case-age`, the day the last delay notice was sent, if one was.
    pub due: Option<NaiveDate>,
}

impl WatchItem {
    /// The clock as the watch's rules (`domain::watch::classify`) read it.
    pub fn facts(&self) -> domain::watch::WatchFacts {
        domain::watch::WatchFacts {
            kind: self.what,
            since: self.since,
            due: self.due,
        }
    }
}

/// Everything with a clock in the municipality's open assessed cases, oldest first. The
/// caller narrows it to the cases an officer works on and computes what is late.
pub async fn watch(db: &Db, kommunkod: &str) -> Result<Vec<WatchItem>, StoreError> {
    clocks(db, kommunkod, None).await
}

/// The same clocks for some cases only (a page of the case list, for its next deadlines).
pub async fn watch_of(
    db: &Db,
    kommunkod: &str,
    cases: &[i64],
) -> Result<Vec<WatchItem>, StoreError> {
    if cases.is_empty() {
        return Ok(Vec::new());
    }
    clocks(db, kommunkod, Some(IdList(cases.to_vec()))).await
}

/// Each clock as one branch of a `UNION ALL`: its kind, then the same columns. Every branch
/// ends in its WHERE clause, so a condition on `c.id` can be added to each.
const CLOCKS: [(WatchKind, &str); 9] = [
    (
        WatchKind::CaseAge,
        "SELECT c.id, c.case_number, c.unit_id, c.assigned_to, '' AS about, c.received_on AS since, \
         (SELECT MAX(on_date) FROM case_delays x WHERE x.case_id = c.id AND x.kind = 'delay_notice') AS due \
         FROM cases c WHERE c.kommunkod = $1 AND c.kind = 'application' AND c.status IN ('open', 'investigating') AND c.received_on IS NOT NULL",
    ),
    (
        WatchKind::DecisionRequest,
        "SELECT c.id, c.case_number, c.unit_id, c.assigned_to, x.note AS about, x.on_date AS since, x.answer_by AS due \
         FROM case_delays x JOIN cases c ON c.id = x.case_id \
         WHERE c.kommunkod = $1 AND x.kind = 'decision_request' AND c.status IN ('open', 'investigating')",
    ),
    (
        WatchKind::Communication,
        "SELECT c.id, c.case_number, c.unit_id, c.assigned_to, m.material AS about, m.sent_on AS since, m.answer_by AS due \
         FROM communications m JOIN cases c ON c.id = m.case_id \
         WHERE c.kommunkod = $1 AND m.answered_on IS NULL AND c.status IN ('open', 'investigating')",
    ),
    (
        WatchKind::Notice,
        "SELECT c.id, c.case_number, c.unit_id, c.assigned_to, d.insats AS about, d.decided_on AS since, CAST(NULL AS DATE) AS due \
         FROM decisions d JOIN cases c ON c.id = d.case_id WHERE d.kommunkod = $1 AND d.notice_received_on IS NULL",
    ),
    (
        WatchKind::ReceiptPresumed,
        "SELECT c.id, c.case_number, c.unit_id, c.assigned_to, d.insats AS about, d.notice_sent_on AS since, d.notice_received_on AS due \
         FROM decisions d JOIN cases c ON c.id = d.case_id WHERE d.kommunkod = $1 AND d.notice_received_presumed = TRUE",
    ),
    (
        WatchKind::AppealWaiting,
        "SELECT c.id, c.case_number, c.unit_id, c.assigned_to, d.insats AS about, a.received_on AS since, CAST(NULL AS DATE) AS due \
         FROM appeals a JOIN decisions d ON d.id = a.decision_id JOIN cases c ON c.id = a.case_id \
         WHERE a.kommunkod = $1 AND a.forwarded_on IS NULL AND a.dismissed_on IS NULL \
         AND (a.timely = TRUE OR a.exception IS NOT NULL) AND (a.reconsideration IS NULL OR a.reconsideration <> 'changed_fully')",
    ),
    (
        WatchKind::AppealLate,
        "SELECT c.id, c.case_number, c.unit_id, c.assigned_to, d.insats AS about, a.received_on AS since, a.deadline AS due \
         FROM appeals a JOIN decisions d ON d.id = a.decision_id JOIN cases c ON c.id = a.case_id \
         WHERE a.kommunkod = $1 AND a.timely = FALSE AND a.exception IS NULL AND a.dismissed_on IS NULL",
    ),
    (
        WatchKind::FollowUp,
        "SELECT c.id, c.case_number, c.unit_id, c.assigned_to, d.insats AS about, d.decided_on AS since, d.follow_up_on AS due \
         FROM decisions d JOIN cases c ON c.id = d.case_id \
         WHERE d.kommunkod = $1 AND d.follow_up_on IS NOT NULL AND c.status <> 'closed'",
    ),
    // Granted decisions ordered or not, never started and not ended.
    (
        WatchKind::NotStarted,
        "SELECT c.id, c.case_number, c.unit_id, c.assigned_to, d.insats AS about, d.decided_on AS since, CAST(NULL AS DATE) AS due \
         FROM decisions d JOIN cases c ON c.id = d.case_id \
         WHERE d.kommunkod = $1 AND d.outcome IN ('granted', 'partly_granted') \
         AND NOT EXISTS (SELECT 1 FROM execution_events e WHERE e.decision_id = d.id AND e.kind IN ('started', 'ended'))",
    ),
];

#[derive(sqlx::FromRow)]
struct ClockRow {
    what: String,
    id: i64,
    case_number: String,
    unit_id: Option<i64>,
    assigned_to: Option<i64>,
    about: String,
    since: NaiveDate,
    due: Option<NaiveDate>,
}

/// Every clock in one statement (one round trip, one plan), for the municipality or, with
/// `only`, for those cases.
async fn clocks(
    db: &Db,
    kommunkod: &str,
    only: Option<IdList>,
) -> Result<Vec<WatchItem>, StoreError> {
    let narrow = match only {
        Some(_) => format!(" AND {}", IdList::contains(db.backend(), "c.id", "$2")),
        None => String::new(),
    };
    let sql = CLOCKS
        .iter()
        .map(|(what, branch)| {
            format!(
                "SELECT '{}' AS what, q.* FROM ({branch}{narrow}) q",
                what.as_str()
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let rows: Vec<ClockRow> = crate::with_pool!(db, pool => {
        let query = sqlx::query_as(&sql).bind(kommunkod);
        match &only {
            Some(ids) => query.bind(ids.clone()).fetch_all(pool).await?,
            None => query.fetch_all(pool).await?,
        }
    });
    let mut out = rows
        .into_iter()
        .map(|r| {
            Ok(WatchItem {
                what: WatchKind::try_from(r.what)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                case_id: r.id,
                case_number: r.case_number,
                unit_id: r.unit_id,
                assigned_to: r.assigned_to,
                about: r.about,
                since: r.since,
                due: r.due,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    out.sort_by(|a, b| a.since.cmp(&b.since).then(a.case_id.cmp(&b.case_id)));
    Ok(out)
}
