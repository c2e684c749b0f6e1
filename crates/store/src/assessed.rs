//! Assessed support (bistånd): applications, the investigation's consents and reports of
//! concern, kommunicering, decisions with their notice and appeal clock, appeals, execution
//! and follow-up. Each change runs in one transaction with its case event and its audit row;
//! the rules of the law are in `domain::assessed`, the order of the steps is checked here,
//! inside the transaction, so that two officers cannot race past a rule.

// Every step takes the same context (database, municipality, object, input, who, when, from
// where); bundling it would only hide what each step needs.
#![allow(clippy::too_many_arguments)]

use crate::audit::{self, Origin};
use crate::cases::{insert_case, is_unique_violation, FreshCase};
use crate::db::{Db, Tx};
use crate::StoreError;
use chrono::{DateTime, NaiveDate, Utc};
use domain::assessed::appeal::{AppealAction, AppealFacts, AppealStatus};
use domain::assessed::steps::{
    self, Applied, AppliedInsats, DecisionAsk, DecisionEffects, DecisionFacts,
};
use domain::assessed::{
    AppealException, ApplicantRole, Channel, CommunicationMethod, ConsentScope, CourtOutcome,
    ExecutionEvent, NewDecision, NewNotice, Outcome, Reconsideration,
};
use domain::case::{CaseKind, CaseStatus, Cause, NewPerson, PersonRole};
use domain::watch::WatchKind;
use rand::Rng;
use serde::Serialize;
use sqlx::Row;

/// Why a step was refused; the rules that refuse are in `domain::assessed::steps`.
pub use domain::assessed::Refusal;

pub type Step<T> = Result<Result<T, Refusal>, StoreError>;

// ---- Small pieces every step shares, each inside the caller's transaction ----

struct CaseFacts {
    status: CaseStatus,
    received_on: Option<NaiveDate>,
}

async fn case_in(
    tx: &mut Tx,
    kommunkod: &str,
    case_id: i64,
) -> Result<Option<CaseFacts>, StoreError> {
    crate::with_tx!(tx, c => {
        let r = sqlx::query("SELECT status, received_on FROM cases WHERE id = $1 AND kommunkod = $2")
            .bind(case_id)
            .bind(kommunkod)
            .fetch_optional(&mut *c)
            .await?;
        r.map(|r| {
            let status: String = r.try_get("status")?;
            let status = CaseStatus::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("case status {status}")))?;
            Ok(CaseFacts { status, received_on: r.try_get("received_on")? })
        })
        .transpose()
    })
}

async fn event(
    tx: &mut Tx,
    case_id: i64,
    now: DateTime<Utc>,
    by: Option<i64>,
    kind: &str,
    detail: Option<String>,
) -> Result<(), StoreError> {
    crate::with_tx!(tx, c => {
        sqlx::query("INSERT INTO case_events (case_id, at, by_user, kind, detail) VALUES ($1, $2, $3, $4, $5)")
            .bind(case_id)
            .bind(now)
            .bind(by)
            .bind(kind)
            .bind(detail)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// Writes the audit row naming the case's persons and commits.
#[allow(clippy::too_many_arguments)]
/// Moves the case's status as a step allows (`CaseStatus::may_move`), with its case event.
async fn set_case_status(
    tx: &mut Tx,
    case_id: i64,
    from: CaseStatus,
    to: CaseStatus,
    by: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    crate::with_tx!(&mut *tx, c => {
        sqlx::query("UPDATE cases SET status = $1 WHERE id = $2")
            .bind(to.as_str())
            .bind(case_id)
            .execute(&mut *c)
            .await?;
    });
    event(
        tx,
        case_id,
        now,
        Some(by),
        "status",
        Some(format!("{} -> {}", from.as_str(), to.as_str())),
    )
    .await
}

async fn finish(
    mut tx: Tx,
    kommunkod: &str,
    case_id: i64,
    action: &str,
    object_kind: &str,
    object_id: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<(), StoreError> {
    let persons: Vec<i64> = crate::with_tx!(&mut tx, c => {
        sqlx::query_scalar("SELECT person_id FROM case_persons WHERE case_id = $1")
            .bind(case_id)
            .fetch_all(&mut *c)
            .await?
    });
    let mut e = origin.event(
        Some(kommunkod),
        action,
        object_kind,
        Some(object_id.to_string()),
    );
    e.persons = persons.iter().map(|p| format!("person:{p}")).collect();
    e.persons.push(format!("case:{case_id}"));
    audit::commit_with(tx, now, &e).await
}

fn reference() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let code: String = (0..8)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect();
    format!("ANS-{}-{}", &code[..4], &code[4..])
}

// ---- Applications ----

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
        kommunkod,
        case_id,
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

/// Takes an application from the inbox: the case becomes the officer's (and their unit's).
/// `false` if someone else took it first.
pub async fn take(
    db: &Db,
    kommunkod: &str,
    case_id: i64,
    user: i64,
    unit: Option<i64>,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<bool, StoreError> {
    let mut tx = db.begin().await?;
    let taken = crate::with_tx!(&mut tx, c => {
        sqlx::query(
            "UPDATE cases SET assigned_to = $1, unit_id = $2 \
             WHERE id = $3 AND kommunkod = $4 AND assigned_to IS NULL AND unit_id IS NULL AND kind = 'application'",
        )
        .bind(user)
        .bind(unit)
        .bind(case_id)
        .bind(kommunkod)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    if taken == 0 {
        return Ok(false);
    }
    event(&mut tx, case_id, now, Some(user), "assigned", None).await?;
    finish(
        tx,
        kommunkod,
        case_id,
        "application.take",
        "case",
        case_id,
        now,
        origin,
    )
    .await?;
    Ok(true)
}

// ---- Investigation: consents, reports of concern, SIP ----

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
    kommunkod: &str,
    case_id: i64,
    consent: &NewConsent,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Step<i64> {
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
        kommunkod,
        case_id,
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
    kommunkod: &str,
    case_id: i64,
    consent_id: i64,
    on: NaiveDate,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Step<()> {
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
        kommunkod,
        case_id,
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
    kommunkod: &str,
    case_id: i64,
    reported_to: &str,
    note: &str,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Step<i64> {
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
        kommunkod,
        case_id,
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
    kommunkod: &str,
    case_id: i64,
    on: NaiveDate,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Step<()> {
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
        tx, kommunkod, case_id, "case.sip", "case", case_id, now, origin,
    )
    .await?;
    Ok(Ok(()))
}

/// An investigation entry: a journal entry with the area it documents.
#[allow(clippy::too_many_arguments)]
pub async fn add_investigation_entry(
    db: &Db,
    kommunkod: &str,
    case_id: i64,
    area: domain::assessed::Area,
    text: &str,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Step<i64> {
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
        kommunkod,
        case_id,
        "journal.create",
        "journal_entry",
        id,
        now,
        origin,
    )
    .await?;
    Ok(Ok(id))
}

// ---- Kommunicering (FL 25 §) ----

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCommunication {
    pub material: String,
    pub method: CommunicationMethod,
    pub sent_on: NaiveDate,
    pub answer_by: NaiveDate,
}

pub async fn add_communication(
    db: &Db,
    kommunkod: &str,
    case_id: i64,
    new: &NewCommunication,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Step<i64> {
    let mut tx = db.begin().await?;
    if case_in(&mut tx, kommunkod, case_id).await?.is_none() {
        return Ok(Err(Refusal::NotFound));
    }
    let id: i64 = crate::with_tx!(&mut tx, c => {
        sqlx::query_scalar(
            "INSERT INTO communications (case_id, material, method, sent_on, answer_by, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(case_id)
        .bind(&new.material)
        .bind(new.method.as_str())
        .bind(new.sent_on)
        .bind(new.answer_by)
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
        "communication",
        Some(new.answer_by.to_string()),
    )
    .await?;
    finish(
        tx,
        kommunkod,
        case_id,
        "communication.create",
        "communication",
        id,
        now,
        origin,
    )
    .await?;
    Ok(Ok(id))
}

#[allow(clippy::too_many_arguments)]
pub async fn answer_communication(
    db: &Db,
    kommunkod: &str,
    case_id: i64,
    communication_id: i64,
    answered_on: NaiveDate,
    answer: &str,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Step<()> {
    let mut tx = db.begin().await?;
    if case_in(&mut tx, kommunkod, case_id).await?.is_none() {
        return Ok(Err(Refusal::NotFound));
    }
    let n = crate::with_tx!(&mut tx, c => {
        let found: Option<(Option<NaiveDate>, NaiveDate)> = sqlx::query_as("SELECT answered_on, sent_on FROM communications WHERE id = $1 AND case_id = $2")
            .bind(communication_id)
            .bind(case_id)
            .fetch_optional(&mut *c)
            .await?;
        match found {
            None => return Ok(Err(Refusal::NotFound)),
            Some((Some(_), _)) => return Ok(Err(Refusal::AlreadyAnswered)),
            Some((None, sent)) if answered_on < sent => return Ok(Err(Refusal::BeforeDecision)),
            Some(_) => {}
        }
        sqlx::query(
            "UPDATE communications SET answered_on = $1, answer = $2, answer_recorded_by = $3, answer_recorded_at = $4 \
             WHERE id = $5 AND answered_on IS NULL",
        )
        .bind(answered_on)
        .bind(answer)
        .bind(by)
        .bind(now)
        .bind(communication_id)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    if n == 0 {
        return Ok(Err(Refusal::AlreadyAnswered));
    }
    event(
        &mut tx,
        case_id,
        now,
        Some(by),
        "communication-answered",
        None,
    )
    .await?;
    finish(
        tx,
        kommunkod,
        case_id,
        "communication.answer",
        "communication",
        communication_id,
        now,
        origin,
    )
    .await?;
    Ok(Ok(()))
}

// ---- Decisions ----

/// A decision to register, with what the law table and the catalogue gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionInput {
    /// The applied insats this decides, by id in the case.
    pub applied_id: Option<i64>,
    /// Free-text insats when not one applied for (or to override the title).
    pub insats: Option<String>,
    pub decision: NewDecision,
    /// The law-table code; defaults to the applied insats' own.
    pub legal_ref: Option<String>,
    pub communication_waiver: Option<String>,
}

/// Looks up the applied insats and the legal basis for a decision.
pub struct Resolved {
    pub title: String,
    pub slug: Option<String>,
    pub track: String,
    pub legal_ref: String,
}

/// Registers a decision. One that is not fully favourable needs kommunicering answered or
/// past its deadline, or a recorded reason why it was not needed. `cite` gives the legal
/// basis' citation on the decision date (from the law table), `None` for an unknown code.
#[allow(clippy::too_many_arguments)]
pub async fn decide(
    db: &Db,
    kommunkod: &str,
    case_id: i64,
    input: &DecisionInput,
    cite: impl Fn(&str, NaiveDate) -> Option<String>,
    follow_up_on: Option<NaiveDate>,
    by: i64,
    is_demo: bool,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Step<i64> {
    let mut tx = db.begin().await?;
    let Some(case) = case_in(&mut tx, kommunkod, case_id).await? else {
        return Ok(Err(Refusal::NotFound));
    };
    let d = &input.decision;
    // The facts the rules need, read inside this transaction so no race passes them.
    let applied = match input.applied_id {
        None => Applied::NotNamed,
        Some(a) => {
            // (title, catalogue slug, track, legal reference, consent required)
            #[allow(clippy::type_complexity)]
            let row: Option<(String, Option<String>, String, Option<String>, bool)> = crate::with_tx!(&mut tx, c => {
                sqlx::query_as("SELECT title, catalogue_slug, track, legal_ref, consent_required FROM applied_insatser WHERE id = $1 AND case_id = $2")
                    .bind(a)
                    .bind(case_id)
                    .fetch_optional(&mut *c)
                    .await?
            });
            match row {
                None => Applied::Unknown,
                Some((title, catalogue_slug, track, legal_ref, consent_required)) => {
                    Applied::Found(AppliedInsats {
                        title,
                        catalogue_slug,
                        track,
                        legal_ref,
                        consent_required,
                    })
                }
            }
        }
    };
    let (respite_consents, communications_open, communications_done): (i64, i64, i64) = crate::with_tx!(&mut tx, c => {
        sqlx::query_as(
            "SELECT \
             (SELECT COUNT(*) FROM consents WHERE case_id = $1 AND scope = 'respite' AND given_on <= $2 AND withdrawn_on IS NULL), \
             (SELECT COUNT(*) FROM communications WHERE case_id = $1 AND answered_on IS NULL AND answer_by >= $2), \
             (SELECT COUNT(*) FROM communications WHERE case_id = $1 AND (answered_on IS NOT NULL OR answer_by < $2))",
        )
        .bind(case_id)
        .bind(d.decided_on)
        .fetch_one(&mut *c)
        .await?
    });
    let facts = DecisionFacts {
        status: case.status,
        received_on: case.received_on,
        applied,
        respite_consents,
        communications_open,
        communications_done,
    };
    let ask = DecisionAsk {
        decision: d,
        insats: input.insats.as_deref(),
        legal_ref: input.legal_ref.as_deref(),
        communication_waived: input.communication_waiver.is_some(),
        follow_up_on,
    };
    let effects = match steps::may_decide(&facts, &ask, cite) {
        Ok(e) => e,
        Err(r) => return Ok(Err(r)),
    };
    let DecisionEffects {
        title,
        catalogue_slug: slug,
        track,
        legal_ref,
        citation,
        follow_up_on,
        status_move,
    } = effects;
    let id: i64 = crate::with_tx!(&mut tx, c => {
        sqlx::query_scalar(
            "INSERT INTO decisions (case_id, kommunkod, applied_id, insats, catalogue_slug, track, outcome, hours_per_month, \
             days_per_week, scope_text, period_from, period_to, legal_ref, legal_citation, reasons, decided_on, decided_by, \
             created_at, communication_waiver, follow_up_on, is_demo) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) RETURNING id",
        )
        .bind(case_id)
        .bind(kommunkod)
        .bind(input.applied_id)
        .bind(&title)
        .bind(&slug)
        .bind(&track)
        .bind(d.outcome.as_str())
        .bind(d.scope.hours_per_month)
        .bind(d.scope.days_per_week)
        .bind(&d.scope.text)
        .bind(d.scope.period_from)
        .bind(d.scope.period_to)
        .bind(&legal_ref)
        .bind(&citation)
        .bind(&d.reasons)
        .bind(d.decided_on)
        .bind(by)
        .bind(now)
        .bind(&input.communication_waiver)
        .bind(follow_up_on)
        .bind(is_demo)
        .fetch_one(&mut *c)
        .await?
    });
    if let Some((from, to)) = status_move {
        set_case_status(&mut tx, case_id, from, to, by, now).await?;
    }
    event(
        &mut tx,
        case_id,
        now,
        Some(by),
        "decision",
        Some(format!("{title}: {}", d.outcome.as_str())),
    )
    .await?;
    finish(
        tx,
        kommunkod,
        case_id,
        "decision.create",
        "decision",
        id,
        now,
        origin,
    )
    .await?;
    Ok(Ok(id))
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionRow {
    pub id: i64,
    pub case_id: i64,
    pub case_number: String,
    pub applied_id: Option<i64>,
    pub insats: String,
    pub catalogue_slug: Option<String>,
    pub track: String,
    pub outcome: String,
    pub hours_per_month: Option<f64>,
    pub days_per_week: Option<f64>,
    pub scope_text: String,
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    pub legal_basis: String,
    pub legal_citation: String,
    pub reasons: String,
    pub decided_on: NaiveDate,
    pub decided_by: i64,
    pub decided_by_name: String,
    pub communication_waiver: Option<String>,
    pub follow_up_on: Option<NaiveDate>,
    pub notice_method: Option<String>,
    pub sent_on: Option<NaiveDate>,
    pub received_on: Option<NaiveDate>,
    pub appeal_deadline: Option<NaiveDate>,
    pub is_demo: bool,
}

const DECISION_COLUMNS: &str = "d.id, d.case_id, c.case_number, d.applied_id, d.insats, d.catalogue_slug, d.track, d.outcome, \
     d.hours_per_month, d.days_per_week, d.scope_text, d.period_from, d.period_to, d.legal_ref, d.legal_citation, d.reasons, \
     d.decided_on, d.decided_by, s.display_name, d.communication_waiver, d.follow_up_on, d.notice_method, d.notice_sent_on, \
     d.notice_received_on, d.appeal_deadline, d.is_demo \
     FROM decisions d JOIN cases c ON c.id = d.case_id JOIN staff_users s ON s.id = d.decided_by";

macro_rules! decision_from {
    ($r:expr) => {
        DecisionRow {
            id: $r.try_get("id")?,
            case_id: $r.try_get("case_id")?,
            case_number: $r.try_get("case_number")?,
            applied_id: $r.try_get("applied_id")?,
            insats: $r.try_get("insats")?,
            catalogue_slug: $r.try_get("catalogue_slug")?,
            track: $r.try_get("track")?,
            outcome: $r.try_get("outcome")?,
            hours_per_month: $r.try_get("hours_per_month")?,
            days_per_week: $r.try_get("days_per_week")?,
            scope_text: $r.try_get("scope_text")?,
            period_from: $r.try_get("period_from")?,
            period_to: $r.try_get("period_to")?,
            legal_basis: $r.try_get("legal_ref")?,
            legal_citation: $r.try_get("legal_citation")?,
            reasons: $r.try_get("reasons")?,
            decided_on: $r.try_get("decided_on")?,
            decided_by: $r.try_get("decided_by")?,
            decided_by_name: $r.try_get("display_name")?,
            communication_waiver: $r.try_get("communication_waiver")?,
            follow_up_on: $r.try_get("follow_up_on")?,
            notice_method: $r.try_get("notice_method")?,
            sent_on: $r.try_get("notice_sent_on")?,
            received_on: $r.try_get("notice_received_on")?,
            appeal_deadline: $r.try_get("appeal_deadline")?,
            is_demo: $r.try_get("is_demo")?,
        }
    };
}

/// The case a decision belongs to, for the access check; `None` outside the municipality.
pub async fn decision_case(
    db: &Db,
    kommunkod: &str,
    decision_id: i64,
) -> Result<Option<i64>, StoreError> {
    crate::with_pool!(db, pool => {
        Ok(sqlx::query_scalar("SELECT case_id FROM decisions WHERE id = $1 AND kommunkod = $2")
            .bind(decision_id)
            .bind(kommunkod)
            .fetch_optional(pool)
            .await?)
    })
}

/// The case an appeal belongs to, for the access check.
pub async fn appeal_case(
    db: &Db,
    kommunkod: &str,
    appeal_id: i64,
) -> Result<Option<i64>, StoreError> {
    crate::with_pool!(db, pool => {
        Ok(sqlx::query_scalar("SELECT case_id FROM appeals WHERE id = $1 AND kommunkod = $2")
            .bind(appeal_id)
            .bind(kommunkod)
            .fetch_optional(pool)
            .await?)
    })
}

async fn load_decisions(
    db: &Db,
    kommunkod: &str,
    filter: &str,
    id: i64,
) -> Result<Vec<DecisionRow>, StoreError> {
    let sql =
        format!("SELECT {DECISION_COLUMNS} WHERE d.kommunkod = $1 AND {filter} = $2 ORDER BY d.id");
    crate::with_pool!(db, pool => {
        sqlx::query(&sql)
            .bind(kommunkod)
            .bind(id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| Ok(decision_from!(r)))
            .collect()
    })
}

async fn log_read(
    db: &Db,
    kommunkod: &str,
    case_id: i64,
    action: &str,
    kind: &str,
    id: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<(), StoreError> {
    let persons: Vec<i64> = crate::with_pool!(db, pool => {
        sqlx::query_scalar("SELECT person_id FROM case_persons WHERE case_id = $1")
            .bind(case_id)
            .fetch_all(pool)
            .await?
    });
    let mut e = origin.event(Some(kommunkod), action, kind, Some(id.to_string()));
    e.persons = persons.iter().map(|p| format!("person:{p}")).collect();
    e.persons.push(format!("case:{case_id}"));
    audit::append_now(db, now, &e).await?;
    Ok(())
}

/// One decision, logged as read.
pub async fn decision(
    db: &Db,
    kommunkod: &str,
    id: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Option<DecisionRow>, StoreError> {
    let Some(d) = load_decisions(db, kommunkod, "d.id", id)
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    log_read(
        db,
        kommunkod,
        d.case_id,
        "decision.read",
        "decision",
        id,
        now,
        origin,
    )
    .await?;
    Ok(Some(d))
}

/// Records the notice of a decision once: how, when sent, when received, and the appeal
/// deadline computed from the receipt.
#[allow(clippy::too_many_arguments)]
pub async fn record_notice(
    db: &Db,
    kommunkod: &str,
    decision_id: i64,
    notice: &NewNotice,
    appeal_deadline: NaiveDate,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Step<()> {
    let mut tx = db.begin().await?;
    let found: Option<(i64, Option<NaiveDate>)> = crate::with_tx!(&mut tx, c => {
        sqlx::query_as("SELECT case_id, notice_received_on FROM decisions WHERE id = $1 AND kommunkod = $2")
            .bind(decision_id)
            .bind(kommunkod)
            .fetch_optional(&mut *c)
            .await?
    });
    let case_id = match found {
        None => return Ok(Err(Refusal::NotFound)),
        Some((_, Some(_))) => return Ok(Err(Refusal::NoticeAlreadyRecorded)),
        Some((case_id, None)) => case_id,
    };
    let n = crate::with_tx!(&mut tx, c => {
        sqlx::query(
            "UPDATE decisions SET notice_method = $1, notice_sent_on = $2, notice_received_on = $3, appeal_deadline = $4, \
             notice_recorded_by = $5, notice_recorded_at = $6 WHERE id = $7 AND notice_received_on IS NULL",
        )
        .bind(notice.method.as_str())
        .bind(notice.sent_on)
        .bind(notice.received_on)
        .bind(appeal_deadline)
        .bind(by)
        .bind(now)
        .bind(decision_id)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    if n == 0 {
        return Ok(Err(Refusal::NoticeAlreadyRecorded));
    }
    event(
        &mut tx,
        case_id,
        now,
        Some(by),
        "notice",
        Some(format!("{} {}", notice.method.as_str(), notice.received_on)),
    )
    .await?;
    finish(
        tx,
        kommunkod,
        case_id,
        "decision.notice",
        "decision",
        decision_id,
        now,
        origin,
    )
    .await?;
    Ok(Ok(()))
}

// ---- Appeals ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppealRow {
    pub id: i64,
    pub decision_id: i64,
    pub case_id: i64,
    pub received_on: NaiveDate,
    pub deadline: NaiveDate,
    pub timely: bool,
    pub note: Option<String>,
    pub exception: Option<String>,
    pub exception_note: Option<String>,
    pub dismissed_on: Option<NaiveDate>,
    pub dismissal_reasons: Option<String>,
    pub reconsideration: Option<String>,
    pub reconsidered_on: Option<NaiveDate>,
    pub reconsideration_note: Option<String>,
    pub forwarded_on: Option<NaiveDate>,
    pub court_outcome: Option<String>,
    pub court_outcome_on: Option<NaiveDate>,
    pub court_note: Option<String>,
    /// Where the appeal stands, derived by `AppealFacts::status`.
    pub status: AppealStatus,
}

impl AppealRow {
    /// What the state machine in `domain::assessed::appeal` needs to know.
    pub fn facts(&self) -> AppealFacts {
        AppealFacts {
            timely: self.timely,
            excepted: self.exception.is_some(),
            dismissed: self.dismissed_on.is_some(),
            reconsideration: self
                .reconsideration
                .as_deref()
                .and_then(Reconsideration::parse),
            forwarded: self.forwarded_on.is_some(),
            settled: self.court_outcome.is_some(),
        }
    }

    /// Whether the board must still examine it: timely (or excused).
    pub fn admissible(&self) -> bool {
        self.facts().admissible()
    }

    /// Whether a step is offered now (`AppealFacts::next_steps`).
    pub fn offers(&self, step: AppealAction) -> bool {
        self.facts().next_steps().contains(&step)
    }

    // One per step, for the templates.
    pub fn offers_exception(&self) -> bool {
        self.offers(AppealAction::Exception)
    }
    pub fn offers_dismissal(&self) -> bool {
        self.offers(AppealAction::Dismiss)
    }
    pub fn offers_reconsideration(&self) -> bool {
        self.offers(AppealAction::Reconsider)
    }
    pub fn offers_forwarding(&self) -> bool {
        self.offers(AppealAction::Forward)
    }
    pub fn offers_court_outcome(&self) -> bool {
        self.offers(AppealAction::Court)
    }
}

macro_rules! appeal_from {
    ($r:expr) => {{
        let mut a = AppealRow {
            id: $r.try_get("id")?,
            decision_id: $r.try_get("decision_id")?,
            case_id: $r.try_get("case_id")?,
            received_on: $r.try_get("received_on")?,
            deadline: $r.try_get("deadline")?,
            timely: $r.try_get("timely")?,
            note: $r.try_get("note")?,
            exception: $r.try_get("exception")?,
            exception_note: $r.try_get("exception_note")?,
            dismissed_on: $r.try_get("dismissed_on")?,
            dismissal_reasons: $r.try_get("dismissal_reasons")?,
            reconsideration: $r.try_get("reconsideration")?,
            reconsidered_on: $r.try_get("reconsidered_on")?,
            reconsideration_note: $r.try_get("reconsideration_note")?,
            forwarded_on: $r.try_get("forwarded_on")?,
            court_outcome: $r.try_get("court_outcome")?,
            court_outcome_on: $r.try_get("court_outcome_on")?,
            court_note: $r.try_get("court_note")?,
            status: AppealStatus::Waiting,
        };
        a.status = a.facts().status();
        a
    }};
}

async fn load_appeals(
    db: &Db,
    kommunkod: &str,
    filter: &str,
    id: i64,
) -> Result<Vec<AppealRow>, StoreError> {
    let sql = format!("SELECT * FROM appeals WHERE kommunkod = $1 AND {filter} = $2 ORDER BY id");
    crate::with_pool!(db, pool => {
        let rows = sqlx::query(&sql).bind(kommunkod).bind(id).fetch_all(pool).await?;
        rows.iter().map(|r| Ok(appeal_from!(r))).collect::<Result<Vec<_>, StoreError>>()
    })
}

/// One appeal, logged as read.
pub async fn appeal(
    db: &Db,
    kommunkod: &str,
    id: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Option<AppealRow>, StoreError> {
    let Some(a) = load_appeals(db, kommunkod, "id", id)
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    log_read(
        db,
        kommunkod,
        a.case_id,
        "appeal.read",
        "appeal",
        id,
        now,
        origin,
    )
    .await?;
    Ok(Some(a))
}

/// Registers an appeal with the day it reached the board; its timeliness is measured against
/// the deadline the notice set (FL 45 §).
#[allow(clippy::too_many_arguments)]
pub async fn register_appeal(
    db: &Db,
    kommunkod: &str,
    decision_id: i64,
    received_on: NaiveDate,
    note: Option<&str>,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Step<AppealRow> {
    let mut tx = db.begin().await?;
    let found: Option<(i64, Option<NaiveDate>, Option<NaiveDate>)> = crate::with_tx!(&mut tx, c => {
        sqlx::query_as("SELECT case_id, notice_received_on, appeal_deadline FROM decisions WHERE id = $1 AND kommunkod = $2")
            .bind(decision_id)
            .bind(kommunkod)
            .fetch_optional(&mut *c)
            .await?
    });
    let (case_id, notice_received, deadline) = match found {
        None => return Ok(Err(Refusal::NotFound)),
        Some((c, Some(r), Some(d))) => (c, r, d),
        Some(_) => return Ok(Err(Refusal::NoNotice)),
    };
    if received_on < notice_received {
        return Ok(Err(Refusal::AppealBeforeNotice));
    }
    let timely = domain::assessed::appeal_timely(received_on, deadline);
    let id: i64 = crate::with_tx!(&mut tx, c => {
        sqlx::query_scalar(
            "INSERT INTO appeals (decision_id, case_id, kommunkod, received_on, deadline, timely, note, registered_by, registered_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(decision_id)
        .bind(case_id)
        .bind(kommunkod)
        .bind(received_on)
        .bind(deadline)
        .bind(timely)
        .bind(note)
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
        "appeal",
        Some(if timely { "timely" } else { "late" }.into()),
    )
    .await?;
    finish(
        tx,
        kommunkod,
        case_id,
        "appeal.create",
        "appeal",
        id,
        now,
        origin,
    )
    .await?;
    let row = AppealRow {
        id,
        decision_id,
        case_id,
        received_on,
        deadline,
        timely,
        note: note.map(str::to_owned),
        exception: None,
        exception_note: None,
        dismissed_on: None,
        dismissal_reasons: None,
        reconsideration: None,
        reconsidered_on: None,
        reconsideration_note: None,
        forwarded_on: None,
        court_outcome: None,
        court_outcome_on: None,
        court_note: None,
        status: AppealStatus::Waiting,
    };
    Ok(Ok(row))
}

/// A step in an appeal's handling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppealStep {
    /// A late appeal is examined anyway.
    Exception(AppealException, String),
    /// A late appeal is dismissed by a separate decision.
    Dismiss(NaiveDate, String),
    Reconsider(Reconsideration, NaiveDate, String),
    Forward(NaiveDate),
    Court(CourtOutcome, NaiveDate, String),
}

/// Applies a step in the order the law sets: a late appeal is excused or dismissed; an
/// admissible one is reconsidered, then (unless changed fully) forwarded, then the court's
/// outcome recorded. Each column is set once.
#[allow(clippy::too_many_arguments)]
pub async fn appeal_step(
    db: &Db,
    kommunkod: &str,
    appeal_id: i64,
    step: &AppealStep,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Step<()> {
    // The appeal is read inside the step's transaction, as the rules ask (ADR 10).
    let mut tx = db.begin().await?;
    let a: Option<AppealRow> = crate::with_tx!(&mut tx, c => {
        let r = sqlx::query("SELECT * FROM appeals WHERE kommunkod = $1 AND id = $2")
            .bind(kommunkod)
            .bind(appeal_id)
            .fetch_optional(&mut *c)
            .await?;
        match r {
            Some(r) => Some(appeal_from!(r)),
            None => None,
        }
    });
    let Some(a) = a else {
        return Ok(Err(Refusal::NotFound));
    };
    let (sql, kind, action) = match step {
        AppealStep::Exception(..) => (
            "UPDATE appeals SET exception = $1, exception_note = $2 WHERE id = $3 AND exception IS NULL AND dismissed_on IS NULL",
            "appeal-exception",
            AppealAction::Exception,
        ),
        AppealStep::Dismiss(..) => (
            "UPDATE appeals SET dismissed_on = $1, dismissal_reasons = $2 WHERE id = $3 AND dismissed_on IS NULL",
            "appeal-dismissed",
            AppealAction::Dismiss,
        ),
        AppealStep::Reconsider(..) => (
            "UPDATE appeals SET reconsideration = $1, reconsidered_on = $2, reconsideration_note = $3 WHERE id = $4 AND reconsideration IS NULL",
            "appeal-reconsidered",
            AppealAction::Reconsider,
        ),
        AppealStep::Forward(..) => (
            "UPDATE appeals SET forwarded_on = $1 WHERE id = $2 AND forwarded_on IS NULL",
            "appeal-forwarded",
            AppealAction::Forward,
        ),
        AppealStep::Court(..) => (
            "UPDATE appeals SET court_outcome = $1, court_outcome_on = $2, court_note = $3 WHERE id = $4 AND court_outcome IS NULL",
            "appeal-court",
            AppealAction::Court,
        ),
    };
    if let Err(r) = a.facts().may(action) {
        return Ok(Err(r));
    }
    // Dates of the board's steps are not before the appeal arrived.
    let on = match step {
        AppealStep::Exception(..) => None,
        AppealStep::Dismiss(d, _)
        | AppealStep::Reconsider(_, d, _)
        | AppealStep::Forward(d)
        | AppealStep::Court(_, d, _) => Some(*d),
    };
    if on.is_some_and(|d| d < a.received_on) {
        return Ok(Err(Refusal::BeforeDecision));
    }
    let n = crate::with_tx!(&mut tx, c => {
        let q = sqlx::query(sql);
        let q = match step {
            AppealStep::Exception(e, note) => q.bind(e.as_str()).bind(note.clone()),
            AppealStep::Dismiss(d, reasons) => q.bind(*d).bind(reasons.clone()),
            AppealStep::Reconsider(r, d, note) => q.bind(r.as_str()).bind(*d).bind(note.clone()),
            AppealStep::Forward(d) => q.bind(*d),
            AppealStep::Court(o, d, note) => q.bind(o.as_str()).bind(*d).bind(note.clone()),
        };
        q.bind(appeal_id).execute(&mut *c).await?.rows_affected()
    });
    if n == 0 {
        return Ok(Err(Refusal::AppealClosed));
    }
    event(&mut tx, a.case_id, now, Some(by), kind, None).await?;
    finish(
        tx,
        kommunkod,
        a.case_id,
        &format!("appeal.{}", kind.trim_start_matches("appeal-")),
        "appeal",
        appeal_id,
        now,
        origin,
    )
    .await?;
    Ok(Ok(()))
}

// ---- Execution and follow-up ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExecutionRow {
    pub provider: String,
    pub in_house: bool,
    pub planned_start: Option<NaiveDate>,
    pub events: Vec<(String, NaiveDate, Option<String>)>,
}

impl ExecutionRow {
    /// Where the execution stands after its events: ordered, running, interrupted, ended.
    pub fn state(&self) -> &'static str {
        let mut state = "ordered";
        for (kind, _, _) in &self.events {
            state = match kind.as_str() {
                "started" | "resumed" => "running",
                "interrupted" => "interrupted",
                "ended" => "ended",
                _ => state,
            };
        }
        state
    }
}

pub async fn order_execution(
    db: &Db,
    kommunkod: &str,
    decision_id: i64,
    provider: &str,
    in_house: bool,
    planned_start: Option<NaiveDate>,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Step<()> {
    let mut tx = db.begin().await?;
    let found: Option<(i64, String, Option<i64>)> = crate::with_tx!(&mut tx, c => {
        sqlx::query_as("SELECT d.case_id, d.outcome, x.id FROM decisions d LEFT JOIN executions x ON x.decision_id = d.id WHERE d.id = $1 AND d.kommunkod = $2")
            .bind(decision_id)
            .bind(kommunkod)
            .fetch_optional(&mut *c)
            .await?
    });
    let case_id = match found {
        None => return Ok(Err(Refusal::NotFound)),
        Some((_, _, Some(_))) => return Ok(Err(Refusal::AlreadyOrdered)),
        Some((_, outcome, None)) if !Outcome::parse(&outcome).is_some_and(Outcome::grants) => {
            return Ok(Err(Refusal::NotGranted))
        }
        Some((case_id, _, None)) => case_id,
    };
    crate::with_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO executions (decision_id, provider, in_house, planned_start, ordered_by, ordered_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(decision_id)
            .bind(provider)
            .bind(in_house)
            .bind(planned_start)
            .bind(by)
            .bind(now)
            .execute(&mut *c)
            .await?;
    });
    event(
        &mut tx,
        case_id,
        now,
        Some(by),
        "execution-ordered",
        Some(provider.to_owned()),
    )
    .await?;
    finish(
        tx,
        kommunkod,
        case_id,
        "execution.order",
        "decision",
        decision_id,
        now,
        origin,
    )
    .await?;
    Ok(Ok(()))
}

async fn load_execution(db: &Db, decision_id: i64) -> Result<Option<ExecutionRow>, StoreError> {
    crate::with_pool!(db, pool => {
        let head: Option<(String, bool, Option<NaiveDate>)> = sqlx::query_as("SELECT provider, in_house, planned_start FROM executions WHERE decision_id = $1")
            .bind(decision_id)
            .fetch_optional(pool)
            .await?;
        let Some((provider, in_house, planned_start)) = head else {
            return Ok(None);
        };
        let events: Vec<(String, NaiveDate, Option<String>)> = sqlx::query_as("SELECT kind, on_date, note FROM execution_events WHERE decision_id = $1 ORDER BY on_date, id")
            .bind(decision_id)
            .fetch_all(pool)
            .await?;
        Ok(Some(ExecutionRow { provider, in_house, planned_start, events }))
    })
}

/// Records a start, interruption, resumption, end or offer, in an order that makes sense.
#[allow(clippy::too_many_arguments)]
pub async fn execution_event(
    db: &Db,
    kommunkod: &str,
    decision_id: i64,
    kind: ExecutionEvent,
    on: NaiveDate,
    note: Option<&str>,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Step<()> {
    let Some(case_id) = decision_case(db, kommunkod, decision_id).await? else {
        return Ok(Err(Refusal::NotFound));
    };
    let decided_on: NaiveDate = crate::with_pool!(db, pool => {
        sqlx::query_scalar("SELECT decided_on FROM decisions WHERE id = $1").bind(decision_id).fetch_one(pool).await?
    });
    if on < decided_on {
        return Ok(Err(Refusal::BeforeDecision));
    }
    let execution = match load_execution(db, decision_id).await? {
        Some(x) => x,
        None if kind == ExecutionEvent::Offered => ExecutionRow {
            provider: String::new(),
            in_house: true,
            planned_start: None,
            events: Vec::new(),
        },
        None => return Ok(Err(Refusal::NotOrdered)),
    };
    let state = execution.state();
    let last = execution
        .events
        .iter()
        .filter(|(k, _, _)| k != "offered")
        .map(|(_, d, _)| *d)
        .max();
    if kind != ExecutionEvent::Offered && last.is_some_and(|l| on < l) {
        return Ok(Err(Refusal::BeforeDecision));
    }
    let refusal = match (kind, state) {
        (_, "ended") => Some(Refusal::AlreadyEnded),
        (ExecutionEvent::Started, "ordered") => None,
        (ExecutionEvent::Started, _) => Some(Refusal::AlreadyStarted),
        (ExecutionEvent::Interrupted, "running") => None,
        (ExecutionEvent::Interrupted, _) => Some(Refusal::NotRunning),
        (ExecutionEvent::Resumed, "interrupted") => None,
        (ExecutionEvent::Resumed, _) => Some(Refusal::NotInterrupted),
        (ExecutionEvent::Ended | ExecutionEvent::Offered, _) => None,
    };
    if let Some(r) = refusal {
        return Ok(Err(r));
    }
    let mut tx = db.begin().await?;
    crate::with_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO execution_events (decision_id, kind, on_date, note, by_user, at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(decision_id)
            .bind(kind.as_str())
            .bind(on)
            .bind(note)
            .bind(by)
            .bind(now)
            .execute(&mut *c)
            .await?;
    });
    event(
        &mut tx,
        case_id,
        now,
        Some(by),
        &format!("execution-{}", kind.as_str()),
        Some(on.to_string()),
    )
    .await?;
    finish(
        tx,
        kommunkod,
        case_id,
        "execution.event",
        "decision",
        decision_id,
        now,
        origin,
    )
    .await?;
    Ok(Ok(()))
}

/// What the IVO report says about a wait: the newest explanation counts.
#[allow(clippy::too_many_arguments)]
pub async fn explain_delay(
    db: &Db,
    kommunkod: &str,
    decision_id: i64,
    reason: &str,
    consequences: &str,
    interim_support: &str,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Step<()> {
    let Some(case_id) = decision_case(db, kommunkod, decision_id).await? else {
        return Ok(Err(Refusal::NotFound));
    };
    let mut tx = db.begin().await?;
    crate::with_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO delay_explanations (decision_id, reason, consequences, interim_support, by_user, at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(decision_id)
            .bind(reason)
            .bind(consequences)
            .bind(interim_support)
            .bind(by)
            .bind(now)
            .execute(&mut *c)
            .await?;
    });
    event(&mut tx, case_id, now, Some(by), "delay-explained", None).await?;
    finish(
        tx,
        kommunkod,
        case_id,
        "execution.explain",
        "decision",
        decision_id,
        now,
        origin,
    )
    .await?;
    Ok(Ok(()))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFollowUp {
    pub held_on: NaiveDate,
    pub carer_view: String,
    pub recipient_view: String,
    pub still_fits: bool,
    pub note: Option<String>,
    pub next_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUpRow {
    pub held_on: NaiveDate,
    pub carer_view: String,
    pub recipient_view: String,
    pub still_fits: bool,
    pub note: Option<String>,
    pub next_on: Option<NaiveDate>,
}

pub async fn follow_up(
    db: &Db,
    kommunkod: &str,
    decision_id: i64,
    f: &NewFollowUp,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Step<()> {
    let Some(case_id) = decision_case(db, kommunkod, decision_id).await? else {
        return Ok(Err(Refusal::NotFound));
    };
    let mut tx = db.begin().await?;
    crate::with_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO follow_ups (decision_id, held_on, carer_view, recipient_view, still_fits, note, next_on, by_user, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(decision_id)
        .bind(f.held_on)
        .bind(&f.carer_view)
        .bind(&f.recipient_view)
        .bind(f.still_fits)
        .bind(&f.note)
        .bind(f.next_on)
        .bind(by)
        .bind(now)
        .execute(&mut *c)
        .await?;
        sqlx::query("UPDATE decisions SET follow_up_on = $1 WHERE id = $2")
            .bind(f.next_on)
            .bind(decision_id)
            .execute(&mut *c)
            .await?;
    });
    event(
        &mut tx,
        case_id,
        now,
        Some(by),
        "follow-up",
        Some(f.held_on.to_string()),
    )
    .await?;
    finish(
        tx,
        kommunkod,
        case_id,
        "follow_up.create",
        "decision",
        decision_id,
        now,
        origin,
    )
    .await?;
    Ok(Ok(()))
}

// ---- FL 11 § and 12 § ----

/// A delay notice (FL 11 §) or a party's written request for a decision (FL 12 §). A request
/// is allowed once per case and only after the period since the application; it sets the
/// day the board must have decided by.
#[allow(clippy::too_many_arguments)]
pub async fn record_delay(
    db: &Db,
    kommunkod: &str,
    case_id: i64,
    request: bool,
    on: NaiveDate,
    note: &str,
    earliest_request: impl Fn(NaiveDate) -> NaiveDate,
    answer_by: impl Fn(NaiveDate) -> NaiveDate,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Step<i64> {
    let mut tx = db.begin().await?;
    let Some(facts) = case_in(&mut tx, kommunkod, case_id).await? else {
        return Ok(Err(Refusal::NotFound));
    };
    let kind = if request {
        "decision_request"
    } else {
        "delay_notice"
    };
    let deadline = if request {
        let before: i64 = crate::with_tx!(&mut tx, c => {
            sqlx::query_scalar("SELECT COUNT(*) FROM case_delays WHERE case_id = $1 AND kind = 'decision_request'")
                .bind(case_id)
                .fetch_one(&mut *c)
                .await?
        });
        if before > 0 {
            return Ok(Err(Refusal::DecisionRequestAgain));
        }
        if facts.received_on.is_none_or(|r| on < earliest_request(r)) {
            return Ok(Err(Refusal::DecisionRequestTooEarly));
        }
        Some(answer_by(on))
    } else {
        None
    };
    let id: i64 = crate::with_tx!(&mut tx, c => {
        sqlx::query_scalar(
            "INSERT INTO case_delays (case_id, kind, on_date, answer_by, note, by_user, at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(case_id)
        .bind(kind)
        .bind(on)
        .bind(deadline)
        .bind(note)
        .bind(by)
        .bind(now)
        .fetch_one(&mut *c)
        .await?
    });
    event(&mut tx, case_id, now, Some(by), kind, Some(on.to_string())).await?;
    finish(
        tx,
        kommunkod,
        case_id,
        &format!("case.{kind}"),
        "case",
        case_id,
        now,
        origin,
    )
    .await?;
    Ok(Ok(id))
}

// ---- The whole assessed part of a case, for its page ----

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
pub async fn of_case(db: &Db, kommunkod: &str, case_id: i64) -> Result<Assessed, StoreError> {
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

// ---- What the report of decisions not carried out needs ----

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

// ---- The deadline watch ----

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

/// Everything with a clock in the municipality's open assessed cases, oldest first. The
/// caller narrows it to the cases an officer works on and computes what is late.
pub async fn watch(db: &Db, kommunkod: &str) -> Result<Vec<WatchItem>, StoreError> {
    let queries: [(WatchKind, &str); 7] = [
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
            sqlx::query(sql)
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
        sqlx::query(
            "SELECT c.id, c.case_number, c.unit_id, c.assigned_to, d.insats AS about, d.decided_on AS since \
             FROM decisions d JOIN cases c ON c.id = d.case_id \
             WHERE d.kommunkod = $1 AND d.outcome IN ('granted', 'partly_granted') \
             AND NOT EXISTS (SELECT 1 FROM execution_events e WHERE e.decision_id = d.id AND e.kind IN ('started', 'ended'))",
        )
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

/// Each person of a case: (role, id number, children in the household), for the flags a case
/// shows about children. Read with the case page, whose read is logged.
pub async fn household(
    db: &Db,
    case_id: i64,
) -> Result<Vec<(String, Option<String>, bool)>, StoreError> {
    crate::with_pool!(db, pool => {
        Ok(sqlx::query_as(
            "SELECT cp.role, p.id_number, p.children_in_household FROM case_persons cp JOIN persons p ON p.id = cp.person_id WHERE cp.case_id = $1",
        )
        .bind(case_id)
        .fetch_all(pool)
        .await?)
    })
}

// ---- The municipality's own wording of letter blocks ----

/// The municipality's wording of a block valid on a date, if it has one.
pub async fn letter_block(
    db: &Db,
    kommunkod: &str,
    code: &str,
    on: NaiveDate,
) -> Result<Option<String>, StoreError> {
    crate::with_pool!(db, pool => {
        Ok(sqlx::query_scalar(
            "SELECT body FROM letter_blocks WHERE kommunkod = $1 AND code = $2 AND valid_from <= $3 ORDER BY valid_from DESC, id DESC LIMIT 1",
        )
        .bind(kommunkod)
        .bind(code)
        .bind(on)
        .fetch_optional(pool)
        .await?)
    })
}

/// Every wording the municipality stored, newest first: (code, body, valid from).
pub async fn letter_blocks(
    db: &Db,
    kommunkod: &str,
) -> Result<Vec<(String, String, NaiveDate)>, StoreError> {
    crate::with_pool!(db, pool => {
        Ok(sqlx::query_as("SELECT code, body, valid_from FROM letter_blocks WHERE kommunkod = $1 ORDER BY valid_from DESC, id DESC")
            .bind(kommunkod)
            .fetch_all(pool)
            .await?)
    })
}

/// Adds a wording valid from a date; earlier ones stay, for letters already written.
#[allow(clippy::too_many_arguments)]
pub async fn set_letter_block(
    db: &Db,
    kommunkod: &str,
    code: &str,
    body: &str,
    valid_from: NaiveDate,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let id: i64 = crate::with_tx!(&mut tx, c => {
        sqlx::query_scalar("INSERT INTO letter_blocks (kommunkod, code, body, valid_from, by_user, at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
            .bind(kommunkod)
            .bind(code)
            .bind(body)
            .bind(valid_from)
            .bind(by)
            .bind(now)
            .fetch_one(&mut *c)
            .await?
    });
    let e = origin.event(
        Some(kommunkod),
        "letter_block.set",
        "letter_block",
        Some(id.to_string()),
    );
    audit::commit_with(tx, now, &e).await
}
