//! Kommunicering (FL 25 §): what was sent to the party for comment, and the answer.

use super::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCommunication {
    pub material: String,
    pub method: CommunicationMethod,
    pub sent_on: NaiveDate,
    pub answer_by: NaiveDate,
}

pub async fn add_communication(
    db: &Db,
    grant: &CaseGrant,
    new: &NewCommunication,
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
        Touched {
            kommunkod,
            case_id,
            reason: grant.audit_reason(),
        },
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
    grant: &CaseGrant,
    communication_id: i64,
    answered_on: NaiveDate,
    answer: &str,
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
        Touched {
            kommunkod,
            case_id,
            reason: grant.audit_reason(),
        },
        "communication.answer",
        "communication",
        communication_id,
        now,
        origin,
    )
    .await?;
    Ok(Ok(()))
}
