//! The support contact (stödkontakt): since SoL 2025:400 as amended from 2026-07-01 the board
//! offers every carer in contact with it a named contact for information, guidance and
//! planning, and must be able to show that it did. A carer comes in through a contact request,
//! a sign-up or a named conversation; each gets at most one offer, with its answer.

use crate::audit::{self, Origin};
use crate::db::Db;
use crate::StoreError;
use chrono::{DateTime, NaiveDate, Utc};

/// Where a carer came in; the rule is in domain.
pub use domain::support_contact::CARER_KINDS;

/// A carer not yet offered a support contact.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Waiting {
    pub kind: String,
    pub id: i64,
    pub name: String,
    pub reach: String,
    pub since: DateTime<Utc>,
}

/// An offer and its answer.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Offer {
    pub id: i64,
    #[sqlx(rename = "carer_kind")]
    pub kind: String,
    pub carer_id: i64,
    #[sqlx(rename = "carer_name")]
    pub name: String,
    pub contact_id: i64,
    pub contact_name: String,
    pub offered_on: NaiveDate,
    pub answer: Option<String>,
    pub answered_on: Option<NaiveDate>,
}

/// The carers with a name and no offer: contact requests, live sign-ups, named conversations.
const WAITING: &str = "FROM ( \
        SELECT 'contact_request' AS kind, r.id, r.name, COALESCE(r.phone, r.email, '') AS reach, r.received_at AS since FROM contact_requests r \
          WHERE r.kommunkod = $1 AND r.anonymous = $2 AND r.name IS NOT NULL \
        UNION ALL \
        SELECT 'signup', s.id, s.name, COALESCE(s.email, s.phone, ''), s.created_at FROM signups s \
          WHERE s.kommunkod = $1 AND s.status <> 'cancelled' \
        UNION ALL \
        SELECT 'conversation', c.id, c.name, COALESCE(c.phone, c.email, ''), c.created_at FROM conversations c \
          WHERE c.kommunkod = $1 AND c.name IS NOT NULL AND c.status <> 'cancelled' \
      ) w WHERE NOT EXISTS (SELECT 1 FROM support_contacts o WHERE o.carer_kind = w.kind AND o.carer_id = w.id)";

/// Every carer who gave a name and has no offer yet, longest waiting first. Anonymous contacts
/// cannot be offered one and are not listed. The read is logged, naming each carer shown.
pub async fn waiting(
    db: &Db,
    kommunkod: &str,
    limit: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Vec<Waiting>, StoreError> {
    let sql =
        format!("SELECT kind, id, name, reach, since {WAITING} ORDER BY since, kind, id LIMIT $3");
    let rows: Vec<Waiting> = crate::with_pool!(db, pool => {
        sqlx::query_as(&sql).bind(kommunkod).bind(false).bind(limit).fetch_all(pool).await?
    });
    if !rows.is_empty() {
        let mut e = origin.event(
            Some(kommunkod),
            "support_contact.waiting.read",
            "support_contact",
            None,
        );
        e.persons = rows
            .iter()
            .map(|w| format!("{}:{}", w.kind, w.id))
            .collect();
        audit::append_now(db, now, &e).await?;
    }
    Ok(rows)
}

/// How many carers wait for an offer (the list shows the longest waiting first, a page at a
/// time). Counts only: no personal data is read out.
pub async fn waiting_count(db: &Db, kommunkod: &str) -> Result<i64, StoreError> {
    let sql = format!("SELECT COUNT(*) {WAITING}");
    crate::with_pool!(db, pool => {
        Ok(sqlx::query_scalar(&sql).bind(kommunkod).bind(false).fetch_one(pool).await?)
    })
}

/// Whether the carer exists in the municipality (so an offer cannot point elsewhere). An
/// anonymous request cannot be offered one.
async fn carer_exists(db: &Db, kommunkod: &str, kind: &str, id: i64) -> Result<bool, StoreError> {
    let table = match kind {
        "contact_request" => "contact_requests WHERE anonymous = FALSE AND",
        "signup" => "signups WHERE",
        "conversation" => "conversations WHERE",
        _ => return Ok(false),
    };
    let sql = format!("SELECT COUNT(*) FROM {table} id = $1 AND kommunkod = $2");
    let n: i64 = crate::with_pool!(db, pool => {
        sqlx::query_scalar(&sql).bind(id).bind(kommunkod).fetch_one(pool).await?
    });
    Ok(n > 0)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NotFound,
    AlreadyOffered,
    AlreadyAnswered,
}

/// Records the offer (and the answer, when given at once).
#[allow(clippy::too_many_arguments)]
pub async fn offer(
    db: &Db,
    kommunkod: &str,
    kind: &str,
    carer_id: i64,
    contact_id: i64,
    offered_on: NaiveDate,
    answer: Option<&str>,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Result<i64, Refusal>, StoreError> {
    if !carer_exists(db, kommunkod, kind, carer_id).await? {
        return Ok(Err(Refusal::NotFound));
    }
    let mut tx = db.begin().await?;
    let inserted = crate::with_tx!(&mut tx, c => {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO support_contacts (kommunkod, carer_kind, carer_id, contact_id, offered_on, answer, answered_on, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(kommunkod)
        .bind(kind)
        .bind(carer_id)
        .bind(contact_id)
        .bind(offered_on)
        .bind(answer)
        .bind(answer.map(|_| offered_on))
        .bind(by)
        .bind(now)
        .fetch_one(&mut *c)
        .await
    });
    let id = match inserted {
        Ok(id) => id,
        Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
            return Ok(Err(Refusal::AlreadyOffered))
        }
        Err(e) => return Err(e.into()),
    };
    let mut e = origin.event(
        Some(kommunkod),
        "support_contact.offer",
        "support_contact",
        Some(id.to_string()),
    );
    e.persons = vec![format!("{kind}:{carer_id}")];
    e.reason = answer.map(str::to_owned);
    audit::commit_with(tx, now, &e).await?;
    Ok(Ok(id))
}

/// Records the carer's answer to an offer; an answer is recorded once.
pub async fn answer(
    db: &Db,
    kommunkod: &str,
    offer_id: i64,
    answer: &str,
    on: NaiveDate,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Result<(), Refusal>, StoreError> {
    let mut tx = db.begin().await?;
    let found: Option<(String, i64, Option<String>)> = crate::with_tx!(&mut tx, c => {
        sqlx::query_as("SELECT carer_kind, carer_id, answer FROM support_contacts WHERE id = $1 AND kommunkod = $2")
            .bind(offer_id)
            .bind(kommunkod)
            .fetch_optional(&mut *c)
            .await?
    });
    let Some((kind, carer, previous)) = found else {
        return Ok(Err(Refusal::NotFound));
    };
    if previous.is_some() {
        return Ok(Err(Refusal::AlreadyAnswered));
    }
    crate::with_tx!(&mut tx, c => {
        sqlx::query("UPDATE support_contacts SET answer = $1, answered_on = $2 WHERE id = $3")
            .bind(answer)
            .bind(on)
            .bind(offer_id)
            .execute(&mut *c)
            .await?;
    });
    let mut e = origin.event(
        Some(kommunkod),
        "support_contact.answer",
        "support_contact",
        Some(offer_id.to_string()),
    );
    e.persons = vec![format!("{kind}:{carer}")];
    e.reason = Some(answer.to_owned());
    audit::commit_with(tx, now, &e).await?;
    Ok(Ok(()))
}

const OFFER_SELECT: &str = "SELECT o.*, u.display_name AS contact_name, COALESCE(r.name, s.name, c.name, '') AS carer_name \
    FROM support_contacts o JOIN staff_users u ON u.id = o.contact_id \
    LEFT JOIN contact_requests r ON o.carer_kind = 'contact_request' AND r.id = o.carer_id \
    LEFT JOIN signups s ON o.carer_kind = 'signup' AND s.id = o.carer_id \
    LEFT JOIN conversations c ON o.carer_kind = 'conversation' AND c.id = o.carer_id";

/// The latest offers, with pending answers first (the read is logged).
pub async fn offers(
    db: &Db,
    kommunkod: &str,
    limit: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Vec<Offer>, StoreError> {
    let sql = format!(
        "{OFFER_SELECT} WHERE o.kommunkod = $1 ORDER BY CASE WHEN o.answer IS NULL THEN 0 ELSE 1 END, o.offered_on DESC, o.id DESC LIMIT $2"
    );
    let rows: Vec<Offer> = crate::with_pool!(db, pool => {
        sqlx::query_as(&sql).bind(kommunkod).bind(limit).fetch_all(pool).await?
    });
    if !rows.is_empty() {
        let mut e = origin.event(
            Some(kommunkod),
            "support_contact.list",
            "support_contact",
            None,
        );
        e.persons = rows
            .iter()
            .map(|o| format!("{}:{}", o.kind, o.carer_id))
            .collect();
        audit::append_now(db, now, &e).await?;
    }
    Ok(rows)
}

/// The named contact offered to this carer and not declined, for their confirmations.
pub async fn contact_of(db: &Db, kind: &str, carer_id: i64) -> Result<Option<String>, StoreError> {
    crate::with_pool!(db, pool => {
        Ok(sqlx::query_scalar(
            "SELECT u.display_name FROM support_contacts o JOIN staff_users u ON u.id = o.contact_id \
             WHERE o.carer_kind = $1 AND o.carer_id = $2 AND (o.answer IS NULL OR o.answer = 'accepted')",
        )
        .bind(kind)
        .bind(carer_id)
        .fetch_optional(pool)
        .await?)
    })
}
