//! Applications for assessed support: submitted by the public or registered by staff, the inbox of them, and taking one.

use super::*;
use crate::access::Joining;
use domain::policy::{can, Action, Decision, Resource};
use domain::staff::Actor;

/// One thing applied for, resolved against the catalogue (or free text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requested {
    pub catalogue_slug: Option<String>,
    pub title: String,
    /// assessed_sol, assessed_lss, or free.
    pub track: String,
    pub legal_ref: Option<String>,
    pub consent_required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApplication {
    pub applicant: NewPerson,
    pub applicant_role: ApplicantRole,
    pub recipient_name: Option<String>,
    pub requested: Vec<Requested>,
    pub received_on: NaiveDate,
    pub channel: Channel,
    pub message: Option<String>,
    pub consent: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Submitted {
    pub case_id: i64,
    pub case_number: String,
    pub reference: String,
}

/// Stores an application as a new case in the inbox: the applicant (found by number, or
/// registered), what is applied for, and the date received, which starts the case's clocks.
pub async fn submit(
    db: &Db,
    kommunkod: &str,
    app: &NewApplication,
    by: Option<i64>,
    is_demo: bool,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Submitted, StoreError> {
    let mut attempt = 0;
    loop {
        match try_submit(db, kommunkod, app, by, is_demo, now, origin).await {
            Err(e) if is_unique_violation(&e) && attempt < 5 => attempt += 1,
            other => return other,
        }
    }
}

async fn try_submit(
    db: &Db,
    kommunkod: &str,
    app: &NewApplication,
    by: Option<i64>,
    is_demo: bool,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Submitted, StoreError> {
    let mut tx = db.begin().await?;
    let existing: Option<i64> = match &app.applicant.id_number {
        None => None,
        Some(n) => crate::with_tx!(&mut tx, c => {
            sqlx::query_scalar("SELECT id FROM persons WHERE kommunkod = $1 AND id_number = $2")
                .bind(kommunkod)
                .bind(n.canonical())
                .fetch_optional(&mut *c)
                .await?
        }),
    };
    let applicant = match existing {
        Some(id) => id,
        None => crate::persons::insert(&mut tx, kommunkod, &app.applicant, by, is_demo, now)
            .await?
            .ok_or_else(|| StoreError::Corrupt("applicant number taken".into()))?,
    };
    let fresh = FreshCase {
        kind: CaseKind::Application,
        unit_id: None,
        assigned_to: None,
        contact_request_id: None,
        received_on: Some(app.received_on),
    };
    let (case_id, case_number) = insert_case(&mut tx, kommunkod, &fresh, by, is_demo, now).await?;
    let role = match app.applicant_role {
        ApplicantRole::Carer => PersonRole::Carer,
        ApplicantRole::CareRecipient => PersonRole::CareRecipient,
        ApplicantRole::Guardian => PersonRole::Other,
    };
    let reference = reference();
    crate::with_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO case_persons (case_id, person_id, role) VALUES ($1, $2, $3)")
            .bind(case_id)
            .bind(applicant)
            .bind(role.as_str())
            .execute(&mut *c)
            .await?;
        sqlx::query(
            "INSERT INTO applications (case_id, kommunkod, reference, received_on, channel, applicant_id, applicant_role, \
             recipient_name, message, consent, created_at, created_by, is_demo) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(case_id)
        .bind(kommunkod)
        .bind(&reference)
        .bind(app.received_on)
        .bind(app.channel.as_str())
        .bind(applicant)
        .bind(app.applicant_role.as_str())
        .bind(&app.recipient_name)
        .bind(&app.message)
        .bind(app.consent)
        .bind(now)
        .bind(by)
        .bind(is_demo)
        .execute(&mut *c)
        .await?;
        for (i, r) in app.requested.iter().enumerate() {
            sqlx::query(
                "INSERT INTO applied_insatser (case_id, position, catalogue_slug, title, track, legal_ref, consent_required) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(case_id)
            .bind(i as i64)
            .bind(&r.catalogue_slug)
            .bind(&r.title)
            .bind(&r.track)
            .bind(&r.legal_ref)
            .bind(r.consent_required)
            .execute(&mut *c)
            .await?;
        }
    });
    event(
        &mut tx,
        case_id,
        now,
        by,
        "application",
        Some(app.channel.as_str().to_owned()),
    )
    .await?;
    finish(
        tx,
        Touched {
            kommunkod,
            case_id,
            reason: None,
        },
        "application.create",
        "case",
        case_id,
        now,
        origin,
    )
    .await?;
    Ok(Submitted {
        case_id,
        case_number,
        reference,
    })
}

/// An application waiting in the inbox for an officer to take it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InboxApplication {
    pub case_id: i64,
    pub case_number: String,
    pub reference: String,
    pub received_on: NaiveDate,
    pub channel: String,
    pub applicant_name: String,
    pub applicant_role: String,
    pub requested: Vec<String>,
    pub young_carer: bool,
}

/// Applications nobody has taken yet, oldest first; logged as a read of their applicants.
pub async fn inbox(
    db: &Db,
    kommunkod: &str,
    limit: i64,
    today: NaiveDate,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Vec<InboxApplication>, StoreError> {
    let items: Vec<(InboxApplication, i64)> = crate::with_pool!(db, pool => {
        let rows = sqlx::query(
            "SELECT a.case_id, c.case_number, a.reference, a.received_on, a.channel, a.applicant_role, a.applicant_id, \
             p.given_name, p.family_name, p.id_number \
             FROM applications a JOIN cases c ON c.id = a.case_id JOIN persons p ON p.id = a.applicant_id \
             WHERE a.kommunkod = $1 AND c.assigned_to IS NULL AND c.unit_id IS NULL AND c.status = 'open' \
             ORDER BY a.received_on, a.case_id LIMIT $2",
        )
        .bind(kommunkod)
        .bind(limit)
        .fetch_all(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let case_id: i64 = r.try_get("case_id")?;
            let requested: Vec<String> = sqlx::query_scalar("SELECT title FROM applied_insatser WHERE case_id = $1 ORDER BY position")
                .bind(case_id)
                .fetch_all(pool)
                .await?;
            let number: Option<String> = r.try_get("id_number")?;
            let young_carer = number
                .as_deref()
                .and_then(|n| domain::Personnummer::parse(n, today).ok())
                .is_some_and(|p| p.is_minor_on(today));
            let given: String = r.try_get("given_name")?;
            let family: String = r.try_get("family_name")?;
            out.push((
                InboxApplication {
                    case_id,
                    case_number: r.try_get("case_number")?,
                    reference: r.try_get("reference")?,
                    received_on: r.try_get("received_on")?,
                    channel: r.try_get("channel")?,
                    applicant_name: format!("{given} {family}"),
                    applicant_role: r.try_get("applicant_role")?,
                    requested,
                    young_carer,
                },
                r.try_get("applicant_id")?,
            ));
        }
        out
    });
    // An empty list read nobody's data: no row, and the busy inbox page stays one write.
    if !items.is_empty() {
        let mut e = origin.event(Some(kommunkod), "application.list", "case", None);
        e.persons = items.iter().map(|(_, p)| format!("person:{p}")).collect();
        audit::append_now(db, now, &e).await?;
    }
    Ok(items.into_iter().map(|(a, _)| a).collect())
}

/// What came of taking an application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    Taken,
    /// Someone else was quicker, or it is not an application in the inbox.
    Gone,
    /// Taking it would make a person readable whom the officer may not read: only with an
    /// emergency reason.
    NeedsReason,
    /// Not for this officer at all.
    Denied,
}

/// Takes an application from the inbox: the officer (and their first unit) is assigned. Its
/// persons become readable to them, so the same rule as opening a case holds
/// (`access::joining`), inside the transaction that assigns it.
pub async fn take(
    db: &Db,
    actor: &Actor,
    case_id: i64,
    reason: Option<&str>,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Taken, StoreError> {
    let Some(kommun) = actor.kommunkod else {
        return Ok(Taken::Denied);
    };
    if can(actor, Action::AssignInbox, &Resource::Municipality(kommun)) != Decision::Allow {
        return Ok(Taken::Denied);
    }
    let kommunkod = kommun.as_str();
    let mut tx = db.begin().await?;
    let waiting: Option<i64> = crate::with_tx!(&mut tx, c => {
        sqlx::query_scalar(
            "SELECT id FROM cases WHERE id = $1 AND kommunkod = $2 AND assigned_to IS NULL AND unit_id IS NULL AND kind = 'application'",
        )
        .bind(case_id)
        .bind(kommunkod)
        .fetch_optional(&mut *c)
        .await?
    });
    if waiting.is_none() {
        return Ok(Taken::Gone);
    }
    let flagged = match crate::access::joining(&mut tx, actor, kommun, case_id, reason).await? {
        Joining::Allowed { emergency, reason } => reason.map(|r| (emergency, r)),
        Joining::NeedsReason => return Ok(Taken::NeedsReason),
        Joining::Denied => return Ok(Taken::Denied),
    };
    let taken = crate::with_tx!(&mut tx, c => {
        sqlx::query(
            "UPDATE cases SET assigned_to = $1, unit_id = $2 \
             WHERE id = $3 AND kommunkod = $4 AND assigned_to IS NULL AND unit_id IS NULL AND kind = 'application'",
        )
        .bind(actor.user_id)
        .bind(actor.units.first().copied())
        .bind(case_id)
        .bind(kommunkod)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    if taken == 0 {
        return Ok(Taken::Gone);
    }
    event(&mut tx, case_id, now, Some(actor.user_id), "assigned", None).await?;
    if let Some((persons, reason)) = flagged {
        let flag =
            crate::access::emergency_join_event(origin, kommunkod, case_id, &persons, &reason);
        audit::append(&mut tx, now, &flag).await?;
    }
    finish(
        tx,
        Touched {
            kommunkod,
            case_id,
            reason: None,
        },
        "application.take",
        "case",
        case_id,
        now,
        origin,
    )
    .await?;
    Ok(Taken::Taken)
}
