//! The whole assessed part of a case, read for its page.

use super::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplicationRow {
    pub reference: String,
    pub received_on: NaiveDate,
    pub channel: String,
    pub applicant_id: i64,
    pub applicant_role: String,
    pub recipient_name: Option<String>,
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppliedRow {
    pub id: i64,
    pub title: String,
    pub catalogue_slug: Option<String>,
    pub track: String,
    pub legal_ref: Option<String>,
    pub consent_required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsentRow {
    pub id: i64,
    pub person_id: Option<i64>,
    pub given_by: String,
    pub scope: String,
    pub given_on: NaiveDate,
    pub note: Option<String>,
    pub withdrawn_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConcernRow {
    pub reported_by: String,
    pub reported_at: DateTime<Utc>,
    pub reported_to: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommunicationRow {
    pub id: i64,
    pub material: String,
    pub method: String,
    pub sent_on: NaiveDate,
    pub answer_by: NaiveDate,
    pub answered_on: Option<NaiveDate>,
    pub answer: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DelayRow {
    pub kind: String,
    pub on_date: NaiveDate,
    pub answer_by: Option<NaiveDate>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionFull {
    #[serde(flatten)]
    pub decision: DecisionRow,
    pub appeals: Vec<AppealRow>,
    pub execution: Option<ExecutionRow>,
    pub follow_ups: Vec<FollowUpRow>,
    pub delay: Option<(String, String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessed {
    pub received_on: Option<NaiveDate>,
    pub sip_on: Option<NaiveDate>,
    pub application: Option<ApplicationRow>,
    pub applied: Vec<AppliedRow>,
    pub consents: Vec<ConsentRow>,
    pub concerns: Vec<ConcernRow>,
    pub communications: Vec<CommunicationRow>,
    pub decisions: Vec<DecisionFull>,
    pub delays: Vec<DelayRow>,
}

/// The assessed part of a case. Not logged by itself: it is read with the case page, whose
/// read is logged.
pub async fn of_case(db: &Db, grant: &CaseGrant) -> Result<Assessed, StoreError> {
    grant.require(Action::ReadCase)?;
    let (kommunkod, case_id) = (grant.kommunkod(), grant.id());
    let mut out: Assessed = crate::with_pool!(db, pool => {
        let (received_on, sip_on): (Option<NaiveDate>, Option<NaiveDate>) = sqlx::query_as("SELECT received_on, sip_on FROM cases WHERE id = $1 AND kommunkod = $2")
            .bind(case_id)
            .bind(kommunkod)
            .fetch_optional(pool)
            .await?
            .unwrap_or((None, None));
        let application = sqlx::query("SELECT * FROM applications WHERE case_id = $1")
            .bind(case_id)
            .fetch_optional(pool)
            .await?
            .map(|r| Ok::<_, StoreError>(ApplicationRow {
                reference: r.try_get("reference")?,
                received_on: r.try_get("received_on")?,
                channel: r.try_get("channel")?,
                applicant_id: r.try_get("applicant_id")?,
                applicant_role: r.try_get("applicant_role")?,
                recipient_name: r.try_get("recipient_name")?,
                message: r.try_get("message")?,
            }))
            .transpose()?;
        let applied = sqlx::query("SELECT * FROM applied_insatser WHERE case_id = $1 ORDER BY position")
            .bind(case_id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| Ok(AppliedRow {
                id: r.try_get("id")?,
                title: r.try_get("title")?,
                catalogue_slug: r.try_get("catalogue_slug")?,
                track: r.try_get("track")?,
                legal_ref: r.try_get("legal_ref")?,
                consent_required: r.try_get("consent_required")?,
            }))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let consents = sqlx::query("SELECT * FROM consents WHERE case_id = $1 ORDER BY id")
            .bind(case_id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| Ok(ConsentRow {
                id: r.try_get("id")?,
                person_id: r.try_get("person_id")?,
                given_by: r.try_get("given_by")?,
                scope: r.try_get("scope")?,
                given_on: r.try_get("given_on")?,
                note: r.try_get("note")?,
                withdrawn_on: r.try_get("withdrawn_on")?,
            }))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let concerns = sqlx::query("SELECT s.display_name, r.reported_at, r.reported_to, r.note FROM concern_reports r JOIN staff_users s ON s.id = r.reported_by WHERE r.case_id = $1 ORDER BY r.id")
            .bind(case_id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| Ok(ConcernRow {
                reported_by: r.try_get("display_name")?,
                reported_at: r.try_get("reported_at")?,
                reported_to: r.try_get("reported_to")?,
                note: r.try_get("note")?,
            }))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let communications = sqlx::query("SELECT * FROM communications WHERE case_id = $1 ORDER BY id")
            .bind(case_id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| Ok(CommunicationRow {
                id: r.try_get("id")?,
                material: r.try_get("material")?,
                method: r.try_get("method")?,
                sent_on: r.try_get("sent_on")?,
                answer_by: r.try_get("answer_by")?,
                answered_on: r.try_get("answered_on")?,
                answer: r.try_get("answer")?,
            }))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let delays = sqlx::query("SELECT kind, on_date, answer_by, note FROM case_delays WHERE case_id = $1 ORDER BY id")
            .bind(case_id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| Ok(DelayRow {
                kind: r.try_get("kind")?,
                on_date: r.try_get("on_date")?,
                answer_by: r.try_get("answer_by")?,
                note: r.try_get("note")?,
            }))
            .collect::<Result<Vec<_>, StoreError>>()?;
        Assessed { received_on, sip_on, application, applied, consents, concerns, communications, decisions: Vec::new(), delays }
    });
    let decisions = load_decisions(db, kommunkod, "d.case_id", case_id).await?;
    let appeals = load_appeals(db, kommunkod, "case_id", case_id).await?;
    for d in decisions {
        let execution = load_execution(db, d.id).await?;
        let (follow_ups, delay) = crate::with_pool!(db, pool => {
            let f = sqlx::query("SELECT * FROM follow_ups WHERE decision_id = $1 ORDER BY id")
                .bind(d.id)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| Ok(FollowUpRow {
                    held_on: r.try_get("held_on")?,
                    carer_view: r.try_get("carer_view")?,
                    recipient_view: r.try_get("recipient_view")?,
                    still_fits: r.try_get("still_fits")?,
                    note: r.try_get("note")?,
                    next_on: r.try_get("next_on")?,
                }))
                .collect::<Result<Vec<_>, StoreError>>()?;
            let x: Option<(String, String, String)> = sqlx::query_as("SELECT reason, consequences, interim_support FROM delay_explanations WHERE decision_id = $1 ORDER BY id DESC LIMIT 1")
                .bind(d.id)
                .fetch_optional(pool)
                .await?;
            (f, x)
        });
        out.decisions.push(DecisionFull {
            appeals: appeals
                .iter()
                .filter(|a| a.decision_id == d.id)
                .cloned()
                .collect(),
            decision: d,
            execution,
            follow_ups,
            delay,
        });
    }
    Ok(out)
}

/// Each person of a case: (role, id number, children in the household), for the flags a case
/// shows about children. Read with the case page, whose read is logged.
pub async fn household(
    db: &Db,
    grant: &CaseGrant,
) -> Result<Vec<(String, Option<String>, bool)>, StoreError> {
    grant.require(Action::ReadCase)?;
    let case_id = grant.id();
    crate::with_pool!(db, pool => {
        Ok(sqlx::query_as(
            "SELECT cp.role, p.id_number, p.children_in_household FROM case_persons cp JOIN persons p ON p.id = cp.person_id WHERE cp.case_id = $1",
        )
        .bind(case_id)
        .fetch_all(pool)
        .await?)
    })
}
