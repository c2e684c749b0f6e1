//! The investigation: consents, reports of concern, the SIP, and its journal entries.

use super::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConsent {
    pub person_id: Option<i64>,
    pub given_by: String,
    pub scope: ConsentScope,
    pub given_on: NaiveDate,
    pub note: Option<String>,
}

pub async fn add_consent(
    db: &Db,
    grant: &CaseGrant,
    consent: &NewConsent,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Step<i64> {
    grant.require(Action::WriteCase)?;
    let (kommunkod, case_id) = (grant.kommunkod(), grant.id());
    let mut tx = db.begin().await?;
    if case_in(&mut tx, kommunkod, case_id).await?.is_none() {
        return Ok(Err(Refusal::NotFound));
    }
    let id: i64 = crate::with_tx!(&mut tx, c => {
        if let Some(p) = consent.person_id {
            let linked: Option<i64> = sqlx::query_scalar("SELECT person_id FROM case_persons WHERE case_id = $1 AND person_id = $2")
                .bind(case_id)
                .bind(p)
                .fetch_optional(&mut *c)
                .await?;
            if linked.is_none() {
                return Ok(Err(Refusal::NotFound));
            }
        }
        sqlx::query_scalar(
            "INSERT INTO consents (case_id, person_id, given_by, scope, given_on, note, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(case_id)
        .bind(consent.person_id)
        .bind(&consent.given_by)
        .bind(consent.scope.as_str())
        .bind(consent.given_on)
        .bind(&consent.note)
        .bind(by)
        .bind(now)
        .fetch_one(&mut *c)
        .await?
    });
    event(
        &mut tx,
        case_id,
        now,
        Some(by),
        "consent",
        Some(consent.scope.as_str().into()),
    )
    .await?;
    finish(
        tx,
        Touched {
            kommunkod,
            case_id,
            reason: grant.audit_reason(),
        },
        "consent.create",
        "consent",
        id,
        now,
        origin,
    )
    .await?;
    Ok(Ok(id))
}

pub async fn withdraw_consent(
    db: &Db,
    grant: &CaseGrant,
    consent_id: i64,
    on: NaiveDate,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Step<()> {
    grant.require(Action::WriteCase)?;
    let (kommunkod, case_id) = (grant.kommunkod(), grant.id());
    let mut tx = db.begin().await?;
    if case_in(&mut tx, kommunkod, case_id).await?.is_none() {
        return Ok(Err(Refusal::NotFound));
    }
    let n = crate::with_tx!(&mut tx, c => {
        let exists: Option<Option<NaiveDate>> = sqlx::query_scalar("SELECT withdrawn_on FROM consents WHERE id = $1 AND case_id = $2")
            .bind(consent_id)
            .bind(case_id)
            .fetch_optional(&mut *c)
            .await?;
        match exists {
            None => return Ok(Err(Refusal::NotFound)),
            Some(Some(_)) => return Ok(Err(Refusal::AlreadyWithdrawn)),
            Some(None) => {}
        }
        sqlx::query("UPDATE consents SET withdrawn_on = $1, withdrawn_by = $2, withdrawn_at = $3 WHERE id = $4 AND withdrawn_on IS NULL")
            .bind(on)
            .bind(by)
            .bind(now)
            .bind(consent_id)
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    if n == 0 {
        return Ok(Err(Refusal::AlreadyWithdrawn));
    }
    event(&mut tx, case_id, now, Some(by), "consent-withdrawn", None).await?;
    finish(
        tx,
        Touched {
            kommunkod,
            case_id,
            reason: grant.audit_reason(),
        },
        "consent.withdraw",
        "consent",
        consent_id,
        now,
        origin,
    )
    .await?;
    Ok(Ok(()))
}

/// A report of concern (orosanmälan), recorded in one step: who, when, to whom.
pub async fn report_concern(
    db: &Db,
    grant: &CaseGrant,
    reported_to: &str,
    note: &str,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Step<i64> {
    grant.require(Action::WriteCase)?;
    let (kommunkod, case_id) = (grant.kommunkod(), grant.id());
    let mut tx = db.begin().await?;
    if case_in(&mut tx, kommunkod, case_id).await?.is_none() {
        return Ok(Err(Refusal::NotFound));
    }
    let id: i64 = crate::with_tx!(&mut tx, c => {
        sqlx::query_scalar(
            "INSERT INTO concern_reports (case_id, reported_by, reported_at, reported_to, note) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(case_id)
        .bind(by)
        .bind(now)
        .bind(reported_to)
        .bind(note)
        .fetch_one(&mut *c)
        .await?
    });
    event(
        &mut tx,
        case_id,
        now,
        Some(by),
        "concern-report",
        Some(reported_to.to_owned()),
    )
    .await?;
    finish(
        tx,
        Touched {
            kommunkod,
            case_id,
            reason: grant.audit_reason(),
        },
        "concern_report.create",
        "concern_report",
        id,
        now,
        origin,
    )
    .await?;
    Ok(Ok(id))
}

/// Records that a coordinated individual plan (SIP) is planned or held on a date.
pub async fn set_sip(
    db: &Db,
    grant: &CaseGrant,
    on: NaiveDate,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Step<()> {
    grant.require(Action::WriteCase)?;
    let (kommunkod, case_id) = (grant.kommunkod(), grant.id());
    let mut tx = db.begin().await?;
    if case_in(&mut tx, kommunkod, case_id).await?.is_none() {
        return Ok(Err(Refusal::NotFound));
    }
    crate::with_tx!(&mut tx, c => {
        sqlx::query("UPDATE cases SET sip_on = $1 WHERE id = $2")
            .bind(on)
            .bind(case_id)
            .execute(&mut *c)
            .await?;
    });
    event(&mut tx, case_id, now, Some(by), "sip", Some(on.to_string())).await?;
    finish(
        tx,
        Touched {
            kommunkod,
            case_id,
            reason: grant.audit_reason(),
        },
        "case.sip",
        "case",
        case_id,
        now,
        origin,
    )
    .await?;
    Ok(Ok(()))
}

/// An investigation entry: a journal entry with the area it documents.
#[allow(clippy::too_many_arguments)]
pub async fn add_investigation_entry(
    db: &Db,
    grant: &CaseGrant,
    area: domain::assessed::Area,
    text: &str,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Step<i64> {
    grant.require(Action::WriteCase)?;
    let (kommunkod, case_id) = (grant.kommunkod(), grant.id());
    let mut tx = db.begin().await?;
    let Some(facts) = case_in(&mut tx, kommunkod, case_id).await? else {
        return Ok(Err(Refusal::NotFound));
    };
    let id: i64 = crate::with_tx!(&mut tx, c => {
        sqlx::query_scalar(
            "INSERT INTO journal_entries (case_id, kommunkod, at, author, kind, text, area) \
             VALUES ($1, $2, $3, $4, 'investigation', $5, $6) RETURNING id",
        )
        .bind(case_id)
        .bind(kommunkod)
        .bind(now)
        .bind(by)
        .bind(text)
        .bind(area.as_str())
        .fetch_one(&mut *c)
        .await?
    });
    // The first investigation entry starts the investigation.
    if let Some(to) = facts.status.after(Cause::InvestigationEntry) {
        set_case_status(&mut tx, case_id, facts.status, to, by, now).await?;
    }
    finish(
        tx,
        Touched {
            kommunkod,
            case_id,
            reason: grant.audit_reason(),
        },
        "journal.create",
        "journal_entry",
        id,
        now,
        origin,
    )
    .await?;
    Ok(Ok(id))
}
