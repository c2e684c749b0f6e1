//! API bearer tokens: random, shown once, stored hashed, with scopes and an end date,
//! revocable one by one.

use crate::audit::{self, Origin};
use crate::db::Db;
use crate::sessions::{hash_token, random_token};
use crate::StoreError;
use chrono::{DateTime, Duration, Utc};
use domain::api_token::{self, Scope, TokenState};

/// The prefix makes a leaked token easy to recognise (secret scanners, logs).
pub const TOKEN_PREFIX: &str = "anh_";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenOwner {
    pub token_id: i64,
    pub user_id: i64,
    pub scopes: Vec<Scope>,
}

/// A token as `token list` shows it: never the secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenSummary {
    pub id: i64,
    pub scopes: Vec<Scope>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub state: TokenState,
}

/// A token's row; `scopes` is the space-separated list as stored.
#[derive(sqlx::FromRow)]
struct TokenRow {
    id: i64,
    user_id: i64,
    scopes: String,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
}

impl TokenRow {
    /// Names written before scopes were checked (`cases:write`) grant nothing beyond reading,
    /// as they did then.
    fn scopes(&self) -> Vec<Scope> {
        self.scopes
            .split_whitespace()
            .filter_map(Scope::parse)
            .collect()
    }

    fn state(&self, now: DateTime<Utc>) -> TokenState {
        api_token::state(self.created_at, self.expires_at, self.revoked_at, now)
    }
}

const COLUMNS: &str =
    "t.id, t.user_id, t.scopes, t.created_at, t.expires_at, t.revoked_at, t.last_used_at";

/// Creates a token with the default lifetime and returns it; only its hash is kept.
pub async fn create(
    db: &Db,
    user_id: i64,
    scopes: &[Scope],
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<String, StoreError> {
    let lifetime = Duration::days(api_token::DEFAULT_LIFETIME_DAYS);
    create_with_lifetime(db, user_id, scopes, lifetime, now, origin).await
}

/// Creates a token that ends `lifetime` from now and returns it; only its hash is kept.
pub async fn create_with_lifetime(
    db: &Db,
    user_id: i64,
    scopes: &[Scope],
    lifetime: Duration,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<String, StoreError> {
    let raw = format!("{TOKEN_PREFIX}{}", random_token());
    let names: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
    let mut tx = db.begin().await?;
    let (id, kommunkod): (i64, Option<String>) = crate::with_tx!(&mut tx, c => {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, token_hash, scopes, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(user_id)
        .bind(hash_token(&raw))
        .bind(names.join(" "))
        .bind(now)
        .bind(now + lifetime)
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

/// The owner of a live token (not revoked, not expired, its account enabled). Touches
/// `last_used_at` at most once a minute.
pub async fn lookup(
    db: &Db,
    raw: &str,
    now: DateTime<Utc>,
) -> Result<Option<TokenOwner>, StoreError> {
    let hash = hash_token(raw);
    let sql = format!(
        "SELECT {COLUMNS} FROM api_tokens t JOIN staff_users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled = FALSE"
    );
    let row: Option<TokenRow> = crate::with_pool!(db, pool => {
        sqlx::query_as(&sql).bind(&hash).fetch_optional(pool).await?
    });
    let Some(row) = row.filter(|r| r.state(now) == TokenState::Live) else {
        return Ok(None);
    };
    let last = row.last_used_at;
    let owner = TokenOwner {
        token_id: row.id,
        user_id: row.user_id,
        scopes: row.scopes(),
    };
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

/// An account's tokens, newest first, with where each stands at `now`.
pub async fn list(
    db: &Db,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<TokenSummary>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM api_tokens t WHERE t.user_id = $1 ORDER BY t.id DESC");
    let rows: Vec<TokenRow> = crate::with_pool!(db, pool => {
        sqlx::query_as(&sql).bind(user_id).fetch_all(pool).await?
    });
    Ok(rows
        .into_iter()
        .map(|r| TokenSummary {
            id: r.id,
            scopes: r.scopes(),
            created_at: r.created_at,
            expires_at: api_token::expiry(r.created_at, r.expires_at),
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
            state: r.state(now),
        })
        .collect())
}

/// Revokes one token by its id, logged; false if there is no such token or it was already
/// revoked.
pub async fn revoke_id(
    db: &Db,
    id: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<bool, StoreError> {
    let mut tx = db.begin().await?;
    let owner: Option<(i64, Option<String>)> = crate::with_tx!(&mut tx, c => {
        let n = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(&mut *c)
            .await?
            .rows_affected();
        if n == 0 {
            None
        } else {
            Some(sqlx::query_as(
                "SELECT u.id, u.kommunkod FROM api_tokens t JOIN staff_users u ON u.id = t.user_id WHERE t.id = $1",
            )
            .bind(id)
            .fetch_one(&mut *c)
            .await?)
        }
    });
    let Some((user_id, kommunkod)) = owner else {
        return Ok(false);
    };
    let mut e = origin.event(
        kommunkod.as_deref(),
        "token.revoke",
        "api_token",
        Some(id.to_string()),
    );
    e.persons = vec![format!("staff:{user_id}")];
    audit::commit_with(tx, now, &e).await?;
    Ok(true)
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
