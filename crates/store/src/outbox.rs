//! The e-mail outbox. A message is written in the same transaction as the change it tells of,
//! so a confirmation exists exactly when its sign-up does. A worker claims due messages for a
//! while (a lease, so a crashed worker's messages come back), sends them and marks them sent;
//! a failure is recorded and retried later. Nothing is deleted: a message that should no longer
//! go (the reminder of a cancelled sign-up) is marked void.

use crate::db::{Db, Tx};
use crate::StoreError;
use chrono::{DateTime, Utc};
use rand::RngCore;

/// A message to write to the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMail {
    pub kommunkod: Option<String>,
    /// confirmation, waitlisted, promotion, reminder, cancelled, occasion_cancelled, message.
    pub kind: String,
    /// What it is about, e.g. `signup:12`.
    pub about: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Not sent before this moment (reminders).
    pub send_after: DateTime<Utc>,
}

/// A message claimed by a worker, to send now.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Claimed {
    pub id: i64,
    pub message_id: String,
    #[sqlx(rename = "to_addr")]
    pub to: String,
    pub subject: String,
    #[sqlx(rename = "body_text")]
    pub text: String,
    #[sqlx(rename = "body_html")]
    pub html: String,
    pub attempts: i64,
}

/// A message as staff and tests see it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Stored {
    pub id: i64,
    pub message_id: String,
    pub kind: String,
    pub about: String,
    #[sqlx(rename = "to_addr")]
    pub to: String,
    pub subject: String,
    #[sqlx(rename = "body_text")]
    pub text: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
}

/// A fresh Message-ID: random, and the same on every attempt to send it.
fn message_id() -> String {
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    format!("<{}@anhorigstod.invalid>", hex::encode(b))
}

/// Writes a message inside the caller's transaction; it is sent only once that commits.
pub async fn enqueue(tx: &mut Tx, now: DateTime<Utc>, m: &NewMail) -> Result<i64, StoreError> {
    let id = crate::with_tx!(tx, c => {
        sqlx::query_scalar(
            "INSERT INTO outbox (kommunkod, message_id, kind, about, to_addr, subject, body_text, body_html, status, attempts, next_attempt_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, $9, $10) RETURNING id",
        )
        .bind(&m.kommunkod)
        .bind(message_id())
        .bind(&m.kind)
        .bind(&m.about)
        .bind(&m.to)
        .bind(&m.subject)
        .bind(&m.text)
        .bind(&m.html)
        .bind(m.send_after.timestamp())
        .bind(now)
        .fetch_one(&mut *c)
        .await?
    });
    Ok(id)
}

/// Marks the pending messages about `about` of the given kinds void (an empty list: all kinds).
pub async fn void_about(tx: &mut Tx, about: &str, kinds: &[&str]) -> Result<u64, StoreError> {
    let done = crate::with_tx!(tx, c => {
        sqlx::query("UPDATE outbox SET status = 'void' WHERE about = $1 AND status = 'pending' AND ($2 = '' OR (',' || $2 || ',') LIKE ('%,' || kind || ',%'))")
            .bind(about)
            .bind(kinds.join(","))
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    Ok(done)
}

/// Claims up to `limit` due messages for `lease_seconds`. The conditions stand in the outer
/// `WHERE` too, so two workers racing on PostgreSQL re-check them on the locked row and never
/// claim the same message.
pub async fn claim_due(
    db: &Db,
    now: DateTime<Utc>,
    lease_seconds: i64,
    limit: i64,
) -> Result<Vec<Claimed>, StoreError> {
    let at = now.timestamp();
    let mut tx = db.begin().await?;
    let mut out: Vec<Claimed> = crate::with_tx!(&mut tx, c => {
        sqlx::query_as(
            "UPDATE outbox SET claimed_until = $1 \
             WHERE status = 'pending' AND next_attempt_at <= $2 AND (claimed_until IS NULL OR claimed_until <= $2) \
             AND id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $2 \
                        AND (claimed_until IS NULL OR claimed_until <= $2) ORDER BY id LIMIT $3) \
             RETURNING id, message_id, to_addr, subject, body_text, body_html, attempts",
        )
        .bind(at + lease_seconds)
        .bind(at)
        .bind(limit)
        .fetch_all(&mut *c)
        .await?
    });
    tx.commit().await?;
    out.sort_by_key(|m| m.id);
    Ok(out)
}

/// The server accepted the message.
pub async fn mark_sent(db: &Db, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    crate::with_tx!(&mut tx, c => {
        sqlx::query("UPDATE outbox SET status = 'sent', sent_at = $1, attempts = attempts + 1, claimed_until = NULL, last_error = NULL WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&mut *c)
            .await?;
    });
    tx.commit().await
}

/// Sending failed; it is tried again from `retry_at` (Unix seconds).
pub async fn mark_failed(db: &Db, id: i64, error: &str, retry_at: i64) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    crate::with_tx!(&mut tx, c => {
        sqlx::query("UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2, claimed_until = NULL WHERE id = $3 AND status = 'pending'")
            .bind(error.chars().take(500).collect::<String>())
            .bind(retry_at)
            .bind(id)
            .execute(&mut *c)
            .await?;
    });
    tx.commit().await
}

/// Every message about `about` (or all, for an empty `about`), oldest first.
pub async fn list(db: &Db, about: &str) -> Result<Vec<Stored>, StoreError> {
    crate::with_pool!(db, pool => {
        Ok(sqlx::query_as(
            "SELECT id, message_id, kind, about, to_addr, subject, body_text, status, attempts, next_attempt_at, last_error FROM outbox \
             WHERE $1 = '' OR about = $1 ORDER BY id",
        )
        .bind(about)
        .fetch_all(pool)
        .await?)
    })
}
