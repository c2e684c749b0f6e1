//! Assessed support (bistånd): applications, the investigation's consents and reports of
//! concern, kommunicering, decisions with their notice and appeal clock, appeals, execution
//! and follow-up. Each change runs in one transaction with its case event and its audit row;
//! the rules of the law are in `domain::assessed`, the order of the steps is checked here,
//! inside the transaction, so that two officers cannot race past a rule. One file per part of
//! the procedure; this one holds the pieces every step shares.

// Every step takes the same context (database, municipality, object, input, who, when, from
// where); bundling it would only hide what each step needs.
#![allow(clippy::too_many_arguments)]

use crate::access::CaseGrant;
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
use domain::policy::Action;
use domain::watch::WatchKind;
use rand::Rng;
use serde::Serialize;
use sqlx::Row;

/// Why a step was refused; the rules that refuse are in `domain::assessed::steps`.
pub use domain::assessed::Refusal;

pub type Step<T> = Result<Result<T, Refusal>, StoreError>;

mod appeals;
mod applications;
mod case_view;
mod communication;
mod decisions;
mod delays;
mod execution;
mod investigation;
mod letter_blocks;
mod report;
mod watch;

pub use appeals::*;
pub use applications::*;
pub use case_view::*;
pub use communication::*;
pub use decisions::*;
pub use delays::*;
pub use execution::*;
pub use investigation::*;
pub use letter_blocks::*;
pub use report::*;
pub use watch::*;

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

/// Whether the decision belongs to the granted case, once the grant covers `action`: a step
/// on a decision reaches no further than the case it was granted for.
async fn decision_of(
    db: &Db,
    grant: &CaseGrant,
    action: Action,
    decision_id: i64,
) -> Result<bool, StoreError> {
    grant.require(action)?;
    Ok(decision_case(db, grant.kommunkod(), decision_id).await? == Some(grant.id()))
}

/// As [`decision_of`], for an appeal.
async fn appeal_of(
    db: &Db,
    grant: &CaseGrant,
    action: Action,
    appeal_id: i64,
) -> Result<bool, StoreError> {
    grant.require(action)?;
    Ok(appeal_case(db, grant.kommunkod(), appeal_id).await? == Some(grant.id()))
}

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

/// The case a step read or wrote, and the reason its audit row carries: `emergency: …` when
/// the access rests on an emergency reason, so that the log review sees every such step.
struct Touched<'a> {
    kommunkod: &'a str,
    case_id: i64,
    reason: Option<&'a str>,
}

/// Writes the audit row naming the case's persons and commits.
async fn finish(
    mut tx: Tx,
    on: Touched<'_>,
    action: &str,
    object_kind: &str,
    object_id: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<(), StoreError> {
    let persons: Vec<i64> = crate::with_tx!(&mut tx, c => {
        sqlx::query_scalar("SELECT person_id FROM case_persons WHERE case_id = $1")
            .bind(on.case_id)
            .fetch_all(&mut *c)
            .await?
    });
    let mut e = origin.event(
        Some(on.kommunkod),
        action,
        object_kind,
        Some(object_id.to_string()),
    );
    e.persons = persons.iter().map(|p| format!("person:{p}")).collect();
    e.persons.push(format!("case:{}", on.case_id));
    e.reason = on.reason.map(str::to_owned);
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
