//! Sessions in the database, so several app nodes share them. The cookie holds a random id;
//! only its SHA-256 is stored, so a copy of the table cannot be used to sign in.

use crate::db::Db;
use crate::StoreError;
use chrono::{DateTime, Duration, Utc};
use domain::staff::signin;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A fresh random token, hex encoded (256 bits).
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

pub fn hash_token(raw: &str) -> String {
    hex::encode(Sha256::digest(raw.as_bytes()))
}

#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Session {
    pub user_id: i64,
    pub csrf_token: String,
    pub mfa_done: bool,
    pub pending_totp: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A session's row with the time it was last used, which decides its idle limit.
#[derive(sqlx::FromRow)]
pub(crate) struct SeenSession {
    #[sqlx(flatten)]
    pub session: Session,
    pub last_seen_at: DateTime<Utc>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Session(user {}, mfa {})", self.user_id, self.mfa_done)
    }
}

/// Starts a session; returns the raw id for the cookie. `absolute` caps its whole life.
pub async fn create(
    db: &Db,
    user_id: i64,
    mfa_done: bool,
    now: DateTime<Utc>,
    absolute: Duration,
    client_addr: Option<&str>,
) -> Result<String, StoreError> {
    let raw = random_token();
    let mut tx = db.begin().await?;
    crate::with_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at, csrf_token, mfa_done, client_addr) \
             VALUES ($1, $2, $3, $3, $4, $5, $6, $7)",
        )
        .bind(hash_token(&raw))
        .bind(user_id)
        .bind(now)
        .bind(now + absolute)
        .bind(random_token())
        .bind(mfa_done)
        .bind(client_addr)
        .execute(&mut *c)
        .await?;
    });
    tx.commit().await?;
    Ok(raw)
}

/// The live session for a cookie: not revoked, not past its absolute end, and used within
/// `idle`. Touches `last_seen_at` at most once a minute, so reads stay reads.
pub async fn lookup(
    db: &Db,
    raw: &str,
    now: DateTime<Utc>,
    idle: Duration,
) -> Result<Option<Session>, StoreError> {
    let hash = hash_token(raw);
    let row: Option<SeenSession> = crate::with_pool!(db, pool => {
        sqlx::query_as(
            "SELECT user_id, csrf_token, mfa_done, pending_totp, created_at, expires_at, last_seen_at FROM sessions \
             WHERE id_hash = $1 AND revoked_at IS NULL",
        )
        .bind(&hash)
        .fetch_optional(pool)
        .await?
    });
    let Some(SeenSession {
        session,
        last_seen_at: last_seen,
    }) = row
    else {
        return Ok(None);
    };
    if now >= session.expires_at || now - last_seen >= idle {
        return Ok(None);
    }
    let session = unseal_pending(db, session)?;
    if now - last_seen >= Duration::seconds(60) {
        let mut tx = db.begin().await?;
        crate::with_tx!(&mut tx, c => {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
                .bind(now)
                .bind(&hash)
                .execute(&mut *c)
                .await?;
        });
        tx.commit().await?;
    }
    Ok(Some(session))
}

/// The session with its pending second-factor secret (during enrolment) unsealed.
pub(crate) fn unseal_pending(db: &Db, mut session: Session) -> Result<Session, StoreError> {
    if let Some(stored) = session.pending_totp.take() {
        session.pending_totp = Some(crate::sealed::unseal(
            db.seal_key(),
            session.user_id,
            &stored,
        )?);
    }
    Ok(session)
}

/// Keeps the secret being enrolled on the session of account `user_id` (sealed like a
/// confirmed one), or clears it.
pub async fn set_pending_totp(
    db: &Db,
    raw: &str,
    user_id: i64,
    secret: Option<&str>,
) -> Result<(), StoreError> {
    let secret = secret
        .map(|s| crate::sealed::seal(db.seal_key(), user_id, s))
        .transpose()?;
    let mut tx = db.begin().await?;
    crate::with_tx!(&mut tx, c => {
        sqlx::query("UPDATE sessions SET pending_totp = $1 WHERE id_hash = $2 AND user_id = $3")
            .bind(secret)
            .bind(hash_token(raw))
            .bind(user_id)
            .execute(&mut *c)
            .await?;
    });
    tx.commit().await
}

/// Replaces a session with a new id (after the second factor), so an id seen before sign-in
/// completed is worth nothing afterwards. Returns the new raw id.
pub async fn rotate(
    db: &Db,
    raw: &str,
    mfa_done: bool,
    now: DateTime<Utc>,
) -> Result<Option<String>, StoreError> {
    let old = hash_token(raw);
    let new_raw = random_token();
    let mut tx = db.begin().await?;
    let n = crate::with_tx!(&mut tx, c => {
        let n = sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at, csrf_token, mfa_done, client_addr) \
             SELECT $1, user_id, created_at, $2, expires_at, $3, $4, client_addr FROM sessions WHERE id_hash = $5 AND revoked_at IS NULL",
        )
        .bind(hash_token(&new_raw))
        .bind(now)
        .bind(random_token())
        .bind(mfa_done)
        .bind(&old)
        .execute(&mut *c)
        .await?
        .rows_affected();
        sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id_hash = $2")
            .bind(now)
            .bind(&old)
            .execute(&mut *c)
            .await?;
        n
    });
    tx.commit().await?;
    Ok((n == 1).then_some(new_raw))
}

pub async fn revoke(db: &Db, raw: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    crate::with_tx!(&mut tx, c => {
        sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id_hash = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(hash_token(raw))
            .execute(&mut *c)
            .await?;
    });
    tx.commit().await
}

/// Signs the user out everywhere. Returns how many sessions ended.
pub async fn revoke_all(db: &Db, user_id: i64, now: DateTime<Utc>) -> Result<u64, StoreError> {
    let mut tx = db.begin().await?;
    let n = crate::with_tx!(&mut tx, c => {
        sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(user_id)
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    tx.commit().await?;
    Ok(n)
}

/// Records a sign-in attempt, and prunes attempts older than the limits ever read.
pub async fn record_attempt(
    db: &Db,
    email: &str,
    client_addr: Option<&str>,
    success: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    crate::with_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO login_attempts (at, email, client_addr, success) VALUES ($1, $2, $3, $4)")
            .bind(now)
            .bind(email.to_lowercase())
            .bind(client_addr)
            .bind(success)
            .execute(&mut *c)
            .await?;
        sqlx::query("DELETE FROM login_attempts WHERE at < $1")
            .bind(now - Duration::hours(signin::KEEP_ATTEMPTS_HOURS))
            .execute(&mut *c)
            .await?;
    });
    tx.commit().await
}

/// Failed attempts since `since`: on the account (after its last success), on the account from
/// this address, and from this address.
pub async fn recent_failures(
    db: &Db,
    email: &str,
    client_addr: Option<&str>,
    since: DateTime<Utc>,
) -> Result<signin::Failures, StoreError> {
    crate::with_pool!(db, pool => {
        let (account, account_from_address): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN client_addr = $3 THEN 1 ELSE 0 END), 0) \
             FROM login_attempts a WHERE email = $1 AND at >= $2 AND success = FALSE \
             AND NOT EXISTS (SELECT 1 FROM login_attempts s WHERE s.email = a.email AND s.success = TRUE AND s.at > a.at)",
        )
        .bind(email.to_lowercase())
        .bind(since)
        .bind(client_addr)
        .fetch_one(pool)
        .await?;
        let address: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM login_attempts WHERE client_addr = $1 AND at >= $2 AND success = FALSE",
        )
        .bind(client_addr)
        .bind(since)
        .fetch_one(pool)
        .await?;
        Ok(signin::Failures {
            // Without an address every failure on the account is "from here".
            account_from_address: if client_addr.is_some() { account_from_address } else { account },
            account,
            address,
        })
    })
}

/// The live session for a cookie with its account and units, in one query; the same limits
/// as `lookup` (revoked, absolute end, idle), touching `last_seen_at` at most once a minute.
pub async fn lookup_user(
    db: &Db,
    raw: &str,
    now: DateTime<Utc>,
    idle: Duration,
) -> Result<Option<(Session, crate::staff::StaffUser, Vec<i64>)>, StoreError> {
    let hash = hash_token(raw);
    let Some((session, last_seen, user, units)) = crate::staff::session_user(db, &hash).await?
    else {
        return Ok(None);
    };
    if now >= session.expires_at || now - last_seen >= idle {
        return Ok(None);
    }
    let session = unseal_pending(db, session)?;
    if now - last_seen >= Duration::seconds(60) {
        let mut tx = db.begin().await?;
        crate::with_tx!(&mut tx, c => {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
                .bind(now)
                .bind(&hash)
                .execute(&mut *c)
                .await?;
        });
        tx.commit().await?;
    }
    Ok(Some((session, user, units)))
}
