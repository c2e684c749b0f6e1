//! Staff accounts and units. Every change is audited in its own transaction.

use crate::audit::{self, AuditEvent, Origin};
use crate::db::{Db, Tx};
use crate::wire::Nullable;
use crate::StoreError;
use chrono::{DateTime, Utc};
use domain::staff::Role;
use domain::Kommunkod;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct StaffUser {
    pub id: i64,
    #[sqlx(try_from = "Nullable")]
    pub kommunkod: Option<Kommunkod>,
    pub email: String,
    pub display_name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub disabled: bool,
    pub is_demo: bool,
    pub has_totp: bool,
    /// The workspace language: "sv" or "en".
    pub language: String,
}

/// What sign-in needs to know about an account.
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Credentials {
    #[sqlx(flatten)]
    pub user: StaffUser,
    pub password_hash: String,
    pub totp_secret: Option<String>,
    pub totp_last_step: Option<i64>,
}

// The hash and the secret stay out of logs.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({})", self.user.id)
    }
}

/// The columns of `StaffUser` (and `Credentials`), from the table or alias `t`.
fn user_columns(t: &str) -> String {
    format!(
        "{t}.id, {t}.kommunkod, {t}.email, {t}.display_name, {t}.role, {t}.disabled, {t}.is_demo, \
         {t}.totp_secret IS NOT NULL AS has_totp, {t}.totp_secret, {t}.totp_last_step, {t}.password_hash, {t}.language"
    )
}

/// Creates an account; `None` when the e-mail address is taken.
#[allow(clippy::too_many_arguments)]
pub async fn create(
    db: &Db,
    kommunkod: Option<&str>,
    email: &str,
    display_name: &str,
    role: &str,
    password_hash: &str,
    is_demo: bool,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Option<i64>, StoreError> {
    let account = NewAccount {
        kommunkod,
        email,
        display_name,
        role,
        unit: None,
        is_demo,
    };
    create_account(db, &account, password_hash, now, origin).await
}

/// Creates an account with a password the holder gave (and its unit); `None` when the e-mail
/// address is taken.
pub async fn create_account(
    db: &Db,
    account: &NewAccount<'_>,
    password_hash: &str,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Option<i64>, StoreError> {
    let mut tx = db.begin().await?;
    let Some(id) = insert(&mut tx, account, password_hash, now).await? else {
        return Ok(None);
    };
    audit::commit_with(tx, now, &created_event(origin, account.kommunkod, id)).await?;
    Ok(Some(id))
}

/// A staff account to be made.
#[derive(Debug, Clone, Copy)]
pub struct NewAccount<'a> {
    pub kommunkod: Option<&'a str>,
    pub email: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    /// A unit of the municipality to put the account in (made when missing).
    pub unit: Option<&'a str>,
    pub is_demo: bool,
}

/// Inserts the account (and its unit) inside `tx`; `None` when the e-mail address is taken.
pub(crate) async fn insert(
    tx: &mut Tx,
    a: &NewAccount<'_>,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<i64>, StoreError> {
    let id: Option<i64> = crate::with_tx!(tx, c => {
        sqlx::query_scalar(
            "INSERT INTO staff_users (kommunkod, email, display_name, role, password_hash, is_demo, created_at, password_changed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (email) DO NOTHING RETURNING id",
        )
        .bind(a.kommunkod)
        .bind(a.email)
        .bind(a.display_name)
        .bind(a.role)
        .bind(password_hash)
        .bind(a.is_demo)
        .bind(now)
        .fetch_optional(&mut *c)
        .await?
    });
    let (Some(id), Some(unit), Some(k)) = (id, a.unit, a.kommunkod) else {
        return Ok(id);
    };
    crate::with_tx!(tx, c => {
        sqlx::query("INSERT INTO units (kommunkod, name) VALUES ($1, $2) ON CONFLICT (kommunkod, name) DO NOTHING")
            .bind(k)
            .bind(unit)
            .execute(&mut *c)
            .await?;
        sqlx::query("INSERT INTO staff_units (user_id, unit_id) SELECT $1, id FROM units WHERE kommunkod = $2 AND name = $3")
            .bind(id)
            .bind(k)
            .bind(unit)
            .execute(&mut *c)
            .await?;
    });
    Ok(Some(id))
}

pub(crate) fn created_event(origin: &Origin, kommunkod: Option<&str>, id: i64) -> AuditEvent {
    let mut e = origin.event(
        kommunkod,
        "staff.create",
        "staff_user",
        Some(id.to_string()),
    );
    e.persons = vec![format!("staff:{id}")];
    e
}

pub async fn list(db: &Db, kommunkod: Option<&str>) -> Result<Vec<StaffUser>, StoreError> {
    crate::with_pool!(db, pool => {
        Ok(sqlx::query_as(&format!(
            "SELECT {} FROM staff_users WHERE ($1 IS NULL OR kommunkod = $1) ORDER BY id",
            user_columns("staff_users")
        ))
        .bind(kommunkod)
        .fetch_all(pool)
        .await?)
    })
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<StaffUser>, StoreError> {
    crate::with_pool!(db, pool => {
        Ok(sqlx::query_as(&format!("SELECT {} FROM staff_users WHERE id = $1", user_columns("staff_users")))
            .bind(id)
            .fetch_optional(pool)
            .await?)
    })
}

/// The account's credentials, its second-factor secret unsealed.
pub async fn credentials(db: &Db, email: &str) -> Result<Option<Credentials>, StoreError> {
    let found: Option<Credentials> = crate::with_pool!(db, pool => {
        sqlx::query_as(&format!(
            "SELECT {} FROM staff_users WHERE lower(email) = lower($1)",
            user_columns("staff_users")
        ))
        .bind(email)
        .fetch_optional(pool)
        .await?
    });
    let Some(mut c) = found else {
        return Ok(None);
    };
    if let Some(stored) = c.totp_secret.take() {
        c.totp_secret = Some(crate::sealed::unseal(db.seal_key(), c.user.id, &stored)?);
    }
    Ok(Some(c))
}

pub async fn credentials_by_id(db: &Db, id: i64) -> Result<Option<Credentials>, StoreError> {
    let email = by_id(db, id).await?.map(|u| u.email);
    match email {
        Some(e) => credentials(db, &e).await,
        None => Ok(None),
    }
}

/// One audited update of a user's row.
async fn update(
    db: &Db,
    user_id: i64,
    sql: &str,
    value: Option<String>,
    action: &str,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<bool, StoreError> {
    let mut tx = db.begin().await?;
    let (n, kommunkod): (u64, Option<String>) = crate::with_tx!(&mut tx, c => {
        let n = sqlx::query(sql).bind(value).bind(user_id).execute(&mut *c).await?.rows_affected();
        let k: Option<Option<String>> = sqlx::query_scalar("SELECT kommunkod FROM staff_users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *c)
            .await?;
        (n, k.flatten())
    });
    if n == 0 {
        return Ok(false);
    }
    let mut e = origin.event(
        kommunkod.as_deref(),
        action,
        "staff_user",
        Some(user_id.to_string()),
    );
    e.persons = vec![format!("staff:{user_id}")];
    audit::commit_with(tx, now, &e).await?;
    Ok(true)
}

pub async fn set_password(
    db: &Db,
    user_id: i64,
    hash: &str,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<bool, StoreError> {
    update(
        db,
        user_id,
        "UPDATE staff_users SET password_hash = $1, failed_logins = 0 WHERE id = $2",
        Some(hash.to_owned()),
        "staff.password_reset",
        now,
        origin,
    )
    .await
}

pub async fn set_disabled(
    db: &Db,
    user_id: i64,
    disabled: bool,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<bool, StoreError> {
    let action = if disabled {
        "staff.disable"
    } else {
        "staff.enable"
    };
    let changed = update(
        db,
        user_id,
        "UPDATE staff_users SET disabled = ($1 = 'yes') WHERE id = $2",
        Some(if disabled { "yes" } else { "no" }.to_owned()),
        action,
        now,
        origin,
    )
    .await?;
    if changed && disabled {
        crate::sessions::revoke_all(db, user_id, now).await?;
        crate::tokens::revoke_all(db, user_id, now).await?;
    }
    Ok(changed)
}

/// Stores a confirmed second-factor secret (or removes it with `None`).
pub async fn set_totp(
    db: &Db,
    user_id: i64,
    secret: Option<&str>,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<bool, StoreError> {
    let action = if secret.is_some() {
        "staff.totp_enrolled"
    } else {
        "staff.totp_removed"
    };
    update(
        db,
        user_id,
        "UPDATE staff_users SET totp_secret = $1, totp_last_step = NULL WHERE id = $2",
        secret
            .map(|s| crate::sealed::seal(db.seal_key(), user_id, s))
            .transpose()?,
        action,
        now,
        origin,
    )
    .await
}

/// An administrator's reset of another account's second factor: the secret and the unused
/// recovery codes stop working, and so do the account's sessions and API tokens, since whoever
/// held the old factor may hold them too. One transaction, logged.
pub async fn reset_second_factor(
    db: &Db,
    user_id: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<bool, StoreError> {
    let mut tx = db.begin().await?;
    let found: Option<Option<String>> = crate::with_tx!(&mut tx, c => {
        let k: Option<Option<String>> = sqlx::query_scalar("SELECT kommunkod FROM staff_users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *c)
            .await?;
        if k.is_some() {
            sqlx::query("UPDATE staff_users SET totp_secret = NULL, totp_last_step = NULL WHERE id = $1")
                .bind(user_id)
                .execute(&mut *c)
                .await?;
            sqlx::query("UPDATE staff_recovery_codes SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
                .bind(now)
                .bind(user_id)
                .execute(&mut *c)
                .await?;
        }
        k
    });
    let Some(kommunkod) = found else {
        return Ok(false);
    };
    crate::password_links::end_access(&mut tx, user_id, now).await?;
    let mut e = origin.event(
        kommunkod.as_deref(),
        "staff.totp_removed",
        "staff_user",
        Some(user_id.to_string()),
    );
    e.persons = vec![format!("staff:{user_id}")];
    audit::commit_with(tx, now, &e).await?;
    Ok(true)
}

/// Records the last time step used, so a code cannot be replayed. Returns false if a later
/// or equal step was recorded meanwhile (a concurrent use of the same code).
pub async fn use_totp_step(db: &Db, user_id: i64, step: i64) -> Result<bool, StoreError> {
    let mut tx = db.begin().await?;
    let n = crate::with_tx!(&mut tx, c => {
        sqlx::query("UPDATE staff_users SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)")
            .bind(step)
            .bind(user_id)
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    tx.commit().await?;
    Ok(n == 1)
}

/// Replaces the user's recovery codes with new ones (given as hashes).
pub async fn replace_recovery_codes(
    db: &Db,
    user_id: i64,
    hashes: &[String],
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    crate::with_tx!(&mut tx, c => {
        // Old codes stop working; their rows stay, marked used.
        sqlx::query("UPDATE staff_recovery_codes SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
            .bind(Utc::now())
            .bind(user_id)
            .execute(&mut *c)
            .await?;
        for h in hashes {
            sqlx::query("INSERT INTO staff_recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .bind(user_id)
                .bind(h)
                .execute(&mut *c)
                .await?;
        }
    });
    tx.commit().await
}

/// Uses a recovery code once; true when it was valid and unused.
pub async fn use_recovery_code(
    db: &Db,
    user_id: i64,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let mut tx = db.begin().await?;
    let n = crate::with_tx!(&mut tx, c => {
        sqlx::query("UPDATE staff_recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL")
            .bind(now)
            .bind(user_id)
            .bind(hash)
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    tx.commit().await?;
    Ok(n == 1)
}

/// Creates a unit, or returns the existing one with that name.
pub async fn ensure_unit(db: &Db, kommunkod: &str, name: &str) -> Result<i64, StoreError> {
    let mut tx = db.begin().await?;
    let id: i64 = crate::with_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO units (kommunkod, name) VALUES ($1, $2) ON CONFLICT (kommunkod, name) DO NOTHING")
            .bind(kommunkod)
            .bind(name)
            .execute(&mut *c)
            .await?;
        sqlx::query_scalar("SELECT id FROM units WHERE kommunkod = $1 AND name = $2")
            .bind(kommunkod)
            .bind(name)
            .fetch_one(&mut *c)
            .await?
    });
    tx.commit().await?;
    Ok(id)
}

pub async fn add_to_unit(db: &Db, user_id: i64, unit_id: i64) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    crate::with_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO staff_units (user_id, unit_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(user_id)
            .bind(unit_id)
            .execute(&mut *c)
            .await?;
    });
    tx.commit().await
}

pub async fn units_of(db: &Db, user_id: i64) -> Result<Vec<i64>, StoreError> {
    crate::with_pool!(db, pool => {
        Ok(sqlx::query_scalar("SELECT unit_id FROM staff_units WHERE user_id = $1 ORDER BY unit_id")
            .bind(user_id)
            .fetch_all(pool)
            .await?)
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Unit {
    pub id: i64,
    pub name: String,
}

pub async fn units(db: &Db, kommunkod: &str) -> Result<Vec<Unit>, StoreError> {
    crate::with_pool!(db, pool => {
        Ok(sqlx::query_as("SELECT id, name FROM units WHERE kommunkod = $1 ORDER BY name")
            .bind(kommunkod)
            .fetch_all(pool)
            .await?)
    })
}

/// Sets the workspace language of an account ("sv" or "en").
pub async fn set_language(db: &Db, user_id: i64, language: &str) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    crate::with_tx!(&mut tx, c => {
        sqlx::query("UPDATE staff_users SET language = $1 WHERE id = $2")
            .bind(language)
            .bind(user_id)
            .execute(&mut *c)
            .await?;
    });
    tx.commit().await
}

/// The units of an account as one comma list, in the dialect's own words.
fn units_sql(db: &Db, user_id_column: &str) -> String {
    match db.backend() {
        crate::Backend::Sqlite => format!("(SELECT group_concat(unit_id) FROM staff_units WHERE user_id = {user_id_column})"),
        crate::Backend::Postgres => format!("(SELECT string_agg(unit_id::text, ',') FROM staff_units WHERE user_id = {user_id_column})"),
    }
}

fn parse_units(list: Option<String>) -> Vec<i64> {
    let mut units: Vec<i64> = list
        .unwrap_or_default()
        .split(',')
        .filter_map(|u| u.parse().ok())
        .collect();
    units.sort_unstable();
    units
}

/// An account with its units, as one comma list from `units_sql`.
#[derive(sqlx::FromRow)]
struct UserWithUnits {
    #[sqlx(flatten)]
    user: StaffUser,
    units: Option<String>,
}

/// An account and its units in one round trip, for every request with a token.
pub async fn with_units(db: &Db, id: i64) -> Result<Option<(StaffUser, Vec<i64>)>, StoreError> {
    let sql = format!(
        "SELECT {}, {} AS units FROM staff_users WHERE id = $1",
        user_columns("staff_users"),
        units_sql(db, "staff_users.id")
    );
    let row: Option<UserWithUnits> = crate::with_pool!(db, pool => {
        sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
    });
    Ok(row.map(|r| (r.user, parse_units(r.units))))
}

/// A session's row with its account and units.
#[derive(sqlx::FromRow)]
struct SessionUser {
    #[sqlx(flatten)]
    seen: crate::sessions::SeenSession,
    #[sqlx(flatten)]
    user: UserWithUnits,
}

/// A live session's row with its account and units, in one round trip: what every signed-in
/// page needs first. The caller checks the session's time limits.
pub async fn session_user(
    db: &Db,
    id_hash: &str,
) -> Result<Option<(crate::sessions::Session, DateTime<Utc>, StaffUser, Vec<i64>)>, StoreError> {
    let sql = format!(
        "SELECT s.user_id, s.csrf_token, s.mfa_done, s.pending_totp, s.created_at, s.expires_at, s.last_seen_at, {}, {} AS units \
         FROM sessions s JOIN staff_users u ON u.id = s.user_id WHERE s.id_hash = $1 AND s.revoked_at IS NULL",
        user_columns("u"),
        units_sql(db, "u.id")
    );
    let row: Option<SessionUser> = crate::with_pool!(db, pool => {
        sqlx::query_as(&sql).bind(id_hash).fetch_optional(pool).await?
    });
    let Some(r) = row else {
        return Ok(None);
    };
    let session = crate::sessions::unseal_pending(db, r.seen.session)?;
    Ok(Some((
        session,
        r.seen.last_seen_at,
        r.user.user,
        parse_units(r.user.units),
    )))
}
