//! FL 11 § (the notice that a case is delayed) and FL 12 § (a request for a decision).

use super::*;

/// A delay notice (FL 11 §) or a party's written request for a decision (FL 12 §). A request
/// is allowed once per case and only after the period since the application; it sets the
/// day the board must have decided by.
#[allow(clippy::too_many_arguments)]
pub async fn record_delay(
    db: &Db,
    grant: &CaseGrant,
    request: bool,
    on: NaiveDate,
    note: &str,
    earliest_request: impl Fn(NaiveDate) -> NaiveDate,
    answer_by: impl Fn(NaiveDate) -> NaiveDate,
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
        Touched {
            kommunkod,
            case_id,
            reason: grant.audit_reason(),
        },
        &format!("case.{kind}"),
        "case",
        case_id,
        now,
        origin,
    )
    .await?;
    Ok(Ok(id))
}
