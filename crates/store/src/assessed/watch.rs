//! The facts the deadline watch classifies.

use super::*;

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
    clocks(db, kommunkod, "").await
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
    // Ids are numbers, so writing them into the statement cannot inject anything.
    let ids: Vec<String> = cases.iter().map(i64::to_string).collect();
    clocks(db, kommunkod, &format!(" AND c.id IN ({})", ids.join(","))).await
}

/// Every query below ends in its WHERE clause, so `only` (an `AND ...`) narrows each.
async fn clocks(db: &Db, kommunkod: &str, only: &str) -> Result<Vec<WatchItem>, StoreError> {
    let queries: [(WatchKind, &str); 8] = [
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
    ];
    let mut out = Vec::new();
    for (what, sql) in queries {
        let items: Vec<WatchItem> = crate::with_pool!(db, pool => {
            sqlx::query(&format!("{sql}{only}"))
                .bind(kommunkod)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| Ok(WatchItem {
                    case_id: r.try_get("id")?,
                    case_number: r.try_get("case_number")?,
                    unit_id: r.try_get("unit_id")?,
                    assigned_to: r.try_get("assigned_to")?,
                    what,
                    about: r.try_get("about")?,
                    since: r.try_get("since")?,
                    due: r.try_get("due")?,
                }))
                .collect::<Result<Vec<_>, StoreError>>()?
        });
        out.extend(items);
    }
    // Granted decisions ordered or not, never started and not ended.
    let not_started: Vec<WatchItem> = crate::with_pool!(db, pool => {
        sqlx::query(&format!(
            "SELECT c.id, c.case_number, c.unit_id, c.assigned_to, d.insats AS about, d.decided_on AS since \
             FROM decisions d JOIN cases c ON c.id = d.case_id \
             WHERE d.kommunkod = $1 AND d.outcome IN ('granted', 'partly_granted') \
             AND NOT EXISTS (SELECT 1 FROM execution_events e WHERE e.decision_id = d.id AND e.kind IN ('started', 'ended')){only}",
        ))
        .bind(kommunkod)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| Ok(WatchItem {
            case_id: r.try_get("id")?,
            case_number: r.try_get("case_number")?,
            unit_id: r.try_get("unit_id")?,
            assigned_to: r.try_get("assigned_to")?,
            what: WatchKind::NotStarted,
            about: r.try_get("about")?,
            since: r.try_get("since")?,
            due: None,
        }))
        .collect::<Result<Vec<_>, StoreError>>()?
    });
    out.extend(not_started);
    out.sort_by(|a, b| a.since.cmp(&b.since).then(a.case_id.cmp(&b.case_id)));
    Ok(out)
}
