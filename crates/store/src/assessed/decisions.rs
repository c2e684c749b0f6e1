//! Decisions with their notice (FL 32–33 §§) and appeal clock, and reading them.

use super::*;

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
    grant: &CaseGrant,
    input: &DecisionInput,
    cite: impl Fn(&str, NaiveDate) -> Option<String>,
    follow_up_on: Option<NaiveDate>,
    by: i64,
    is_demo: bool,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Step<i64> {
    grant.require(Action::Decide)?;
    let (kommunkod, case_id) = (grant.kommunkod(), grant.id());
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
        Touched {
            kommunkod,
            case_id,
            reason: grant.audit_reason(),
        },
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
    /// The day of receipt is presumed (notice by post, the real day not yet known).
    pub received_presumed: bool,
    pub appeal_deadline: Option<NaiveDate>,
    pub is_demo: bool,
}

const DECISION_COLUMNS: &str = "d.id, d.case_id, c.case_number, d.applied_id, d.insats, d.catalogue_slug, d.track, d.outcome, \
     d.hours_per_month, d.days_per_week, d.scope_text, d.period_from, d.period_to, d.legal_ref, d.legal_citation, d.reasons, \
     d.decided_on, d.decided_by, s.display_name, d.communication_waiver, d.follow_up_on, d.notice_method, d.notice_sent_on, \
     d.notice_received_on, d.notice_received_presumed, d.appeal_deadline, d.is_demo \
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
            received_presumed: $r.try_get("notice_received_presumed")?,
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

pub(super) async fn load_decisions(
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

pub(super) async fn log_read(
    db: &Db,
    on: Touched<'_>,
    action: &str,
    kind: &str,
    id: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<(), StoreError> {
    let persons: Vec<i64> = crate::with_pool!(db, pool => {
        sqlx::query_scalar("SELECT person_id FROM case_persons WHERE case_id = $1")
            .bind(on.case_id)
            .fetch_all(pool)
            .await?
    });
    let mut e = origin.event(Some(on.kommunkod), action, kind, Some(id.to_string()));
    e.persons = persons.iter().map(|p| format!("person:{p}")).collect();
    e.persons.push(format!("case:{}", on.case_id));
    e.reason = on.reason.map(str::to_owned);
    audit::append_now(db, now, &e).await?;
    Ok(())
}

/// One decision, logged as read.
pub async fn decision(
    db: &Db,
    grant: &CaseGrant,
    id: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Option<DecisionRow>, StoreError> {
    if !decision_of(db, grant, Action::ReadCase, id).await? {
        return Ok(None);
    }
    let kommunkod = grant.kommunkod();
    let Some(d) = load_decisions(db, kommunkod, "d.id", id)
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    log_read(
        db,
        Touched {
            kommunkod,
            case_id: d.case_id,
            reason: grant.audit_reason(),
        },
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
    grant: &CaseGrant,
    decision_id: i64,
    notice: &NewNotice,
    appeal_deadline: NaiveDate,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Step<()> {
    if !decision_of(db, grant, Action::WriteCase, decision_id).await? {
        return Ok(Err(Refusal::NotFound));
    }
    let kommunkod = grant.kommunkod();
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
             notice_recorded_by = $5, notice_recorded_at = $6, notice_received_presumed = $7 WHERE id = $8 AND notice_received_on IS NULL",
        )
        .bind(notice.method.as_str())
        .bind(notice.sent_on)
        .bind(notice.received_on)
        .bind(appeal_deadline)
        .bind(by)
        .bind(now)
        .bind(notice.presumed)
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
        Some(format!(
            "{} {}{}",
            notice.method.as_str(),
            notice.received_on,
            if notice.presumed { " (presumed)" } else { "" }
        )),
    )
    .await?;
    finish(
        tx,
        Touched {
            kommunkod,
            case_id,
            reason: grant.audit_reason(),
        },
        "decision.notice",
        "decision",
        decision_id,
        now,
        origin,
    )
    .await?;
    Ok(Ok(()))
}

/// Confirms the real day a decision sent by post reached the party, replacing the presumed
/// one, and moves the appeal deadline with it. Refused unless the day is still presumed.
#[allow(clippy::too_many_arguments)]
pub async fn confirm_receipt(
    db: &Db,
    grant: &CaseGrant,
    decision_id: i64,
    received_on: NaiveDate,
    appeal_deadline: NaiveDate,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Step<()> {
    if !decision_of(db, grant, Action::WriteCase, decision_id).await? {
        return Ok(Err(Refusal::NotFound));
    }
    let kommunkod = grant.kommunkod();
    let mut tx = db.begin().await?;
    let case_id: Option<i64> = crate::with_tx!(&mut tx, c => {
        sqlx::query_scalar(
            "UPDATE decisions SET notice_received_on = $1, appeal_deadline = $2, notice_received_presumed = $3 \
             WHERE id = $4 AND kommunkod = $5 AND notice_received_presumed = $6 RETURNING case_id",
        )
        .bind(received_on)
        .bind(appeal_deadline)
        .bind(false)
        .bind(decision_id)
        .bind(kommunkod)
        .bind(true)
        .fetch_optional(&mut *c)
        .await?
    });
    let Some(case_id) = case_id else {
        return Ok(Err(Refusal::NoticeAlreadyRecorded));
    };
    event(
        &mut tx,
        case_id,
        now,
        Some(by),
        "notice-confirmed",
        Some(received_on.to_string()),
    )
    .await?;
    finish(
        tx,
        Touched {
            kommunkod,
            case_id,
            reason: grant.audit_reason(),
        },
        "decision.receipt_confirmed",
        "decision",
        decision_id,
        now,
        origin,
    )
    .await?;
    Ok(Ok(()))
}
