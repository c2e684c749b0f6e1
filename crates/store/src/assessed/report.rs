//! What the report of decisions not carried out (IVO) needs.

use super::*;

/// A granted decision with its execution history and the person it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GrantedFacts {
    pub decision_id: i64,
    pub case_id: i64,
    pub case_number: String,
    pub insats: String,
    pub track: String,
    pub decided_on: NaiveDate,
    pub person_id: Option<i64>,
    pub id_number: Option<String>,
    pub protection: String,
    /// (kind, date) in date order.
    pub events: Vec<(String, NaiveDate)>,
    /// The newest explanation: reason, consequences, interim support.
    pub explanation: Option<(String, String, String)>,
}

impl GrantedFacts {
    pub fn facts(&self) -> domain::assessed::ExecutionFacts {
        let mut f = domain::assessed::ExecutionFacts {
            decided_on: Some(self.decided_on),
            ..Default::default()
        };
        for (kind, on) in &self.events {
            match kind.as_str() {
                "started" if f.started_on.is_none() => f.started_on = Some(*on),
                "interrupted" => f.interruptions.push((*on, None)),
                "resumed" => {
                    if let Some(last) = f.interruptions.last_mut() {
                        if last.1.is_none() {
                            last.1 = Some(*on);
                        }
                    }
                }
                "ended" if f.ended_on.is_none() => f.ended_on = Some(*on),
                _ => {}
            }
        }
        f
    }

    pub fn offers(&self) -> Vec<NaiveDate> {
        self.events
            .iter()
            .filter(|(k, _)| k == "offered")
            .map(|(_, d)| *d)
            .collect()
    }
}

/// Every granted SoL or LSS decision of the municipality decided on or before `up_to`, with
/// what the report needs. The caller logs the report it builds from them.
pub async fn granted_decisions(
    db: &Db,
    kommunkod: &str,
    up_to: NaiveDate,
) -> Result<Vec<GrantedFacts>, StoreError> {
    crate::with_pool!(db, pool => {
        let rows = sqlx::query(
            "SELECT d.id, d.case_id, c.case_number, d.insats, d.track, d.decided_on, p.id AS person_id, p.id_number, p.protection \
             FROM decisions d JOIN cases c ON c.id = d.case_id \
             LEFT JOIN applications a ON a.case_id = d.case_id \
             LEFT JOIN persons p ON p.id = a.applicant_id \
             WHERE d.kommunkod = $1 AND d.outcome IN ('granted', 'partly_granted') AND d.decided_on <= $2 \
             AND d.track IN ('assessed_sol', 'assessed_lss', 'free') \
             ORDER BY d.decided_on, d.id",
        )
        .bind(kommunkod)
        .bind(up_to)
        .fetch_all(pool)
        .await?;
        let events: Vec<(i64, String, NaiveDate)> = sqlx::query_as(
            "SELECT e.decision_id, e.kind, e.on_date FROM execution_events e JOIN decisions d ON d.id = e.decision_id \
             WHERE d.kommunkod = $1 ORDER BY e.on_date, e.id",
        )
        .bind(kommunkod)
        .fetch_all(pool)
        .await?;
        let explanations: Vec<(i64, String, String, String)> = sqlx::query_as(
            "SELECT x.decision_id, x.reason, x.consequences, x.interim_support FROM delay_explanations x \
             JOIN decisions d ON d.id = x.decision_id WHERE d.kommunkod = $1 ORDER BY x.id",
        )
        .bind(kommunkod)
        .fetch_all(pool)
        .await?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get("id")?;
                Ok(GrantedFacts {
                    decision_id: id,
                    case_id: r.try_get("case_id")?,
                    case_number: r.try_get("case_number")?,
                    insats: r.try_get("insats")?,
                    track: r.try_get("track")?,
                    decided_on: r.try_get("decided_on")?,
                    person_id: r.try_get("person_id")?,
                    id_number: r.try_get("id_number")?,
                    protection: r.try_get::<Option<String>, _>("protection")?.unwrap_or_else(|| "none".into()),
                    events: events.iter().filter(|e| e.0 == id).map(|e| (e.1.clone(), e.2)).collect(),
                    explanation: explanations
                        .iter()
                        .rev()
                        .find(|x| x.0 == id)
                        .map(|x| (x.1.clone(), x.2.clone(), x.3.clone())),
                })
            })
            .collect()
    })
}

/// Logs a report that names persons or cases (`person:1`, `case:2`) as one read.
pub async fn log_report(
    db: &Db,
    kommunkod: &str,
    action: &str,
    subjects: Vec<String>,
    reason: &str,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<(), StoreError> {
    let mut e = origin.event(Some(kommunkod), action, "report", None);
    e.persons = subjects;
    e.reason = Some(reason.to_owned());
    audit::append_now(db, now, &e).await?;
    Ok(())
}
