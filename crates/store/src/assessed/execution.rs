//! Carrying a decision out (verkställighet), explaining a delay, and the follow-up.

use super::*;

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
    grant: &CaseGrant,
    decision_id: i64,
    provider: &str,
    in_house: bool,
    planned_start: Option<NaiveDate>,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Step<()> {
    if !decision_of(db, grant, Action::WriteCase, decision_id).await? {
        return Ok(Err(Refusal::NotFound));
    }
    let kommunkod = grant.kommunkod();
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
        Touched {
            kommunkod,
            case_id,
            reason: grant.audit_reason(),
        },
        "execution.order",
        "decision",
        decision_id,
        now,
        origin,
    )
    .await?;
    Ok(Ok(()))
}

pub(super) async fn load_execution(
    db: &Db,
    decision_id: i64,
) -> Result<Option<ExecutionRow>, StoreError> {
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
    grant: &CaseGrant,
    decision_id: i64,
    kind: ExecutionEvent,
    on: NaiveDate,
    note: Option<&str>,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Step<()> {
    if !decision_of(db, grant, Action::WriteCase, decision_id).await? {
        return Ok(Err(Refusal::NotFound));
    }
    let kommunkod = grant.kommunkod();
    // The decision is the granted case's (checked above).
    let case_id = grant.id();
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
        Touched {
            kommunkod,
            case_id,
            reason: grant.audit_reason(),
        },
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
    grant: &CaseGrant,
    decision_id: i64,
    reason: &str,
    consequences: &str,
    interim_support: &str,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Step<()> {
    if !decision_of(db, grant, Action::WriteCase, decision_id).await? {
        return Ok(Err(Refusal::NotFound));
    }
    let kommunkod = grant.kommunkod();
    // The decision is the granted case's (checked above).
    let case_id = grant.id();
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
        Touched {
            kommunkod,
            case_id,
            reason: grant.audit_reason(),
        },
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
    grant: &CaseGrant,
    decision_id: i64,
    f: &NewFollowUp,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Step<()> {
    if !decision_of(db, grant, Action::WriteCase, decision_id).await? {
        return Ok(Err(Refusal::NotFound));
    }
    let kommunkod = grant.kommunkod();
    // The decision is the granted case's (checked above).
    let case_id = grant.id();
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
        Touched {
            kommunkod,
            case_id,
            reason: grant.audit_reason(),
        },
        "follow_up.create",
        "decision",
        decision_id,
        now,
        origin,
    )
    .await?;
    Ok(Ok(()))
}
