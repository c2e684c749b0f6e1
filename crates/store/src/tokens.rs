//! API bearer tokens: random, shown once, stored hashed, revocable, with scopes.

use crate::audit::{self, Origin};
use crate::db::Db;
use crate::sessions::{hash_token, random_token};
use crate::StoreError;
use chrono::{DateTime, Duration, Utc};

/// The prefix makes a leaked token easy to recognise (secret scanners, logs).
pub const TOKEN_PREFIX: &str = "anh_";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenOwner {
    pub token_id: i64,
    pub user_id: i64,
    pub scopes: Vec<String>,
}

/// A live token's row; `scopes` is the space-separated list as stored.
#[derive(sqlx::FromRow)]
struct TokenRow {
    id: i64,
    user_id: i64,
    scopes: String,
    last_used_at: Option<DateTime<Utc>>,
}

impl From<TokenRow> for TokenOwner {
    fn from(r: TokenRow) -> Self {
        Self {
            token_id: r.id,
            user_id: r.user_id,
            scopes: r.scopes.split_whitespace().map(str::to_owned).collect(),
        }
    }
}

/// Creates a token and returns it; only its hash is kept.
pub async fn create(
    db: &Db,
    user_id: i64,
    scopes: &[String],
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<String, StoreError> {
    let raw = format!("{TOKEN_PREFIX}{}", random_token());
    let mut tx = db.begin().await?;
    let (id, kommunkod): (i64, Option<String>) = crate::with_tx!(&mut tx, c => {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, token_hash, scopes, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(user_id)
        .bind(hash_token(&raw))
        .bind(scopes.join(" "))
        .bind(now)
        .fetch_one(&mut *c)
        .await?;
        let k: Option<String> = sqlx::query_scalar("SELECT kommunkod FROM staff_users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&mut *c)
            .await?;
        (id, k)
    });
    let mut e = origin.event(
        kommunkod.as_deref(),
        "token.create",
        "api_token",
        Some(id.to_string()),
    );
    e.persons = vec![format!("staff:{user_id}")];
    audit::commit_with(tx, now, &e).await?;
    Ok(raw)
}

/// The owner of a live token. Touches `last_used_at` at most once a minute.
pub async fn lookup(
    db: &Db,
    raw: &str,
    now: DateTime<Utc>,
) -> Result<Option<TokenOwner>, StoreError> {
    let hash = hash_token(raw);
    let row: Option<TokenRow> = crate::with_pool!(db, pool => {
        sqlx::query_as(
            "SELECT t.id, t.user_id, t.scopes, t.last_used_at FROM api_tokens t JOIN staff_users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled = FALSE",
        )
        .bind(&hash)
        .fetch_optional(pool)
        .await?
    });
    let Some(row) = row else {
        return Ok(None);
    };
    let last = row.last_used_at;
    let owner = TokenOwner::from(row);
    if last.is_none_or(|l| now - l >= Duration::seconds(60)) {
        let mut tx = db.begin().await?;
        crate::with_tx!(&mut tx, c => {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(owner.token_id)
                .execute(&mut *c)
                .await?;
        });
        tx.commit().await?;
    }
    Ok(Some(owner))
}

pub async fn revoke_all(db: &Db, user_id: i64, now: DateTime<Utc>) -> Result<u64, StoreError> {
    let mut tx = db.begin().await?;
    let n = crate::with_tx!(&mut tx, c => {
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(user_id)
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    tx.commit().await?;
    Ok(n)
}

/// Revokes one token by its raw value; true if it was live.
pub async fn revoke(db: &Db, raw: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let mut tx = db.begin().await?;
    let n = crate::with_tx!(&mut tx, c => {
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(hash_token(raw))
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    tx.commit().await?;
    Ok(n == 1)
}
