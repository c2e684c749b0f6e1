//! Appeals: registered, checked for timeliness, reconsidered, forwarded and decided.

use super::*;

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

pub(super) async fn load_appeals(
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
    grant: &CaseGrant,
    id: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Option<AppealRow>, StoreError> {
    if !appeal_of(db, grant, Action::ReadCase, id).await? {
        return Ok(None);
    }
    let kommunkod = grant.kommunkod();
    let Some(a) = load_appeals(db, kommunkod, "id", id)
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
            case_id: a.case_id,
            reason: grant.audit_reason(),
        },
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
    grant: &CaseGrant,
    decision_id: i64,
    received_on: NaiveDate,
    note: Option<&str>,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Step<AppealRow> {
    if !decision_of(db, grant, Action::WriteCase, decision_id).await? {
        return Ok(Err(Refusal::NotFound));
    }
    let kommunkod = grant.kommunkod();
    let mut tx = db.begin().await?;
    type Notice = (
        i64,
        Option<NaiveDate>,
        Option<NaiveDate>,
        bool,
        Option<NaiveDate>,
    );
    let found: Option<Notice> = crate::with_tx!(&mut tx, c => {
        sqlx::query_as(
            "SELECT case_id, notice_received_on, appeal_deadline, notice_received_presumed, notice_sent_on \
             FROM decisions WHERE id = $1 AND kommunkod = $2",
        )
        .bind(decision_id)
        .bind(kommunkod)
        .fetch_optional(&mut *c)
        .await?
    });
    let (case_id, earliest, deadline) = match found {
        None => return Ok(Err(Refusal::NotFound)),
        Some((c, Some(r), Some(d), presumed, sent)) => (
            c,
            domain::assessed::earliest_appeal_day(r, presumed, sent),
            d,
        ),
        Some(_) => return Ok(Err(Refusal::NoNotice)),
    };
    if received_on < earliest {
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
        Touched {
            kommunkod,
            case_id,
            reason: grant.audit_reason(),
        },
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
/// What the rules say of the step on the appeal as it stands: the lifecycle
/// (`AppealFacts::may`), and that the board's dates are not before the appeal arrived.
fn refusal_of(a: &AppealRow, step: &AppealStep, action: AppealAction) -> Option<Refusal> {
    if let Err(r) = a.facts().may(action) {
        return Some(r);
    }
    let on = match step {
        AppealStep::Exception(..) => None,
        AppealStep::Dismiss(d, _)
        | AppealStep::Reconsider(_, d, _)
        | AppealStep::Forward(d)
        | AppealStep::Court(_, d, _) => Some(*d),
    };
    on.filter(|d| *d < a.received_on)
        .map(|_| Refusal::BeforeDecision)
}

fn action_of(step: &AppealStep) -> AppealAction {
    match step {
        AppealStep::Exception(..) => AppealAction::Exception,
        AppealStep::Dismiss(..) => AppealAction::Dismiss,
        AppealStep::Reconsider(..) => AppealAction::Reconsider,
        AppealStep::Forward(..) => AppealAction::Forward,
        AppealStep::Court(..) => AppealAction::Court,
    }
}

/// Whether the step would be refused now, without taking it: a final step's confirmation is
/// asked only for a step the rules allow. The step itself checks again in its transaction.
pub async fn appeal_step_refusal(
    db: &Db,
    grant: &CaseGrant,
    appeal_id: i64,
    step: &AppealStep,
) -> Result<Option<Refusal>, StoreError> {
    if !appeal_of(db, grant, Action::WriteCase, appeal_id).await? {
        return Ok(Some(Refusal::NotFound));
    }
    let a: Option<AppealRow> = crate::with_pool!(db, pool => {
        let r = sqlx::query("SELECT * FROM appeals WHERE kommunkod = $1 AND id = $2")
            .bind(grant.kommunkod())
            .bind(appeal_id)
            .fetch_optional(pool)
            .await?;
        match r {
            Some(r) => Some(appeal_from!(r)),
            None => None,
        }
    });
    Ok(match a {
        None => Some(Refusal::NotFound),
        Some(a) => refusal_of(&a, step, action_of(step)),
    })
}

pub async fn appeal_step(
    db: &Db,
    grant: &CaseGrant,
    appeal_id: i64,
    step: &AppealStep,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Step<()> {
    if !appeal_of(db, grant, Action::WriteCase, appeal_id).await? {
        return Ok(Err(Refusal::NotFound));
    }
    let kommunkod = grant.kommunkod();
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
    let (sql, kind) = match step {
        AppealStep::Exception(..) => (
            "UPDATE appeals SET exception = $1, exception_note = $2 WHERE id = $3 AND exception IS NULL AND dismissed_on IS NULL",
            "appeal-exception",
        ),
        AppealStep::Dismiss(..) => (
            "UPDATE appeals SET dismissed_on = $1, dismissal_reasons = $2 WHERE id = $3 AND dismissed_on IS NULL",
            "appeal-dismissed",
        ),
        AppealStep::Reconsider(..) => (
            "UPDATE appeals SET reconsideration = $1, reconsidered_on = $2, reconsideration_note = $3 WHERE id = $4 AND reconsideration IS NULL",
            "appeal-reconsidered",
        ),
        AppealStep::Forward(..) => (
            "UPDATE appeals SET forwarded_on = $1 WHERE id = $2 AND forwarded_on IS NULL",
            "appeal-forwarded",
        ),
        AppealStep::Court(..) => (
            "UPDATE appeals SET court_outcome = $1, court_outcome_on = $2, court_note = $3 WHERE id = $4 AND court_outcome IS NULL",
            "appeal-court",
        ),
    };
    if let Some(r) = refusal_of(&a, step, action_of(step)) {
        return Ok(Err(r));
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
        Touched {
            kommunkod,
            case_id: a.case_id,
            reason: grant.audit_reason(),
        },
        &format!("appeal.{}", kind.trim_start_matches("appeal-")),
        "appeal",
        appeal_id,
        now,
        origin,
    )
    .await?;
    Ok(Ok(()))
}
