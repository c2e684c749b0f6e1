//! One-time links to set a password. A new account gets one instead of a password; an
//! administrator's reset makes the old password unusable, ends the account's sessions and
//! tokens, and sends the holder a link by e-mail, all in one transaction. The administrator
//! never sees a password or the link.

use crate::audit::{self, Origin};
use crate::db::{Db, Tx};
use crate::outbox::{self, NewMail};
use crate::sessions::{hash_token, random_token};
use crate::StoreError;
use chrono::{DateTime, Duration, Utc};

/// How long a reset link works.
pub const VALID_HOURS: i64 = 24;

/// How long a new account's first link works (a weekend and a day).
pub const INVITATION_VALID_HOURS: i64 = 72;

/// Stored in place of a hash: no password verifies against it.
const UNUSABLE: &str = "!reset";

/// Whom a live link is for.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LinkHolder {
    pub user_id: i64,
    pub email: String,
}

/// Ends the account's sessions and API tokens inside `tx`.
pub(crate) async fn end_access(
    tx: &mut Tx,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    crate::with_tx!(tx, c => {
        for sql in [
            "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        ] {
            sqlx::query(sql).bind(now).bind(user_id).execute(&mut *c).await?;
        }
    });
    Ok(())
}

/// A new link token; the mail that carries it is written before [`reset`] stores it.
pub fn new_token() -> String {
    random_token()
}

/// Resets the account's password: the old one stops working, its sessions and tokens end, and
/// `mail` (which carries the link with `raw`) is queued to the holder. Returns false when there
/// is no such account.
pub async fn reset(
    db: &Db,
    user_id: i64,
    raw: &str,
    mail: &NewMail,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<bool, StoreError> {
    let mut tx = db.begin().await?;
    let account: Option<Option<String>> = crate::with_tx!(&mut tx, c => {
        sqlx::query_scalar("SELECT kommunkod FROM staff_users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *c)
            .await?
    });
    let Some(kommunkod) = account else {
        return Ok(false);
    };
    crate::with_tx!(&mut tx, c => {
        // An earlier link stops working when a new one is sent.
        sqlx::query("UPDATE password_links SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
            .bind(now)
            .bind(user_id)
            .execute(&mut *c)
            .await?;
        sqlx::query("INSERT INTO password_links (user_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(user_id)
            .bind(hash_token(raw))
            .bind(now)
            .bind(now + Duration::hours(VALID_HOURS))
            .execute(&mut *c)
            .await?;
        sqlx::query("UPDATE staff_users SET password_hash = $1, failed_logins = 0 WHERE id = $2")
            .bind(UNUSABLE)
            .bind(user_id)
            .execute(&mut *c)
            .await?;
    });
    end_access(&mut tx, user_id, now).await?;
    outbox::enqueue(&mut tx, now, mail).await?;
    let mut e = origin.event(
        kommunkod.as_deref(),
        "staff.password_reset",
        "staff_user",
        Some(user_id.to_string()),
    );
    e.persons = vec![format!("staff:{user_id}")];
    audit::commit_with(tx, now, &e).await?;
    Ok(true)
}

/// Creates an account without a usable password and queues `mail` (which carries the link with
/// `raw`) to it, in one transaction; `mail.about` is set to the new account. `None` when the
/// e-mail address is taken.
pub async fn invite(
    db: &Db,
    account: &crate::staff::NewAccount<'_>,
    raw: &str,
    mut mail: NewMail,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Option<i64>, StoreError> {
    let mut tx = db.begin().await?;
    let Some(id) = crate::staff::insert(&mut tx, account, UNUSABLE, now).await? else {
        return Ok(None);
    };
    crate::with_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO password_links (user_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(hash_token(raw))
            .bind(now)
            .bind(now + Duration::hours(INVITATION_VALID_HOURS))
            .execute(&mut *c)
            .await?;
    });
    mail.about = format!("staff:{id}");
    outbox::enqueue(&mut tx, now, &mail).await?;
    let e = crate::staff::created_event(origin, account.kommunkod, id);
    audit::commit_with(tx, now, &e).await?;
    Ok(Some(id))
}

/// The account a live (unused, unexpired) link is for.
pub async fn holder(
    db: &Db,
    raw: &str,
    now: DateTime<Utc>,
) -> Result<Option<LinkHolder>, StoreError> {
    crate::with_pool!(db, pool => {
        Ok(sqlx::query_as(
            "SELECT l.user_id, u.email FROM password_links l JOIN staff_users u ON u.id = l.user_id \
             WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2 AND u.disabled = FALSE",
        )
        .bind(hash_token(raw))
        .bind(now)
        .fetch_optional(pool)
        .await?)
    })
}

/// Sets the password through a live link and uses the link up; `None` when the link is
/// unknown, used or expired (also when two tabs race: only one wins).
pub async fn redeem(
    db: &Db,
    raw: &str,
    password_hash: &str,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Option<i64>, StoreError> {
    let mut tx = db.begin().await?;
    let used: Option<(i64, Option<String>)> = crate::with_tx!(&mut tx, c => {
        let user_id: Option<i64> = sqlx::query_scalar(
            "UPDATE password_links SET used_at = $1 \
             WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id",
        )
        .bind(now)
        .bind(hash_token(raw))
        .fetch_optional(&mut *c)
        .await?;
        match user_id {
            None => None,
            Some(id) => {
                sqlx::query("UPDATE staff_users SET password_hash = $1, failed_logins = 0, password_changed_at = $2 WHERE id = $3")
                    .bind(password_hash)
                    .bind(now)
                    .bind(id)
                    .execute(&mut *c)
                    .await?;
                let k: Option<String> = sqlx::query_scalar("SELECT kommunkod FROM staff_users WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *c)
                    .await?;
                Some((id, k))
            }
        }
    });
    let Some((user_id, kommunkod)) = used else {
        return Ok(None);
    };
    end_access(&mut tx, user_id, now).await?;
    let mut o = origin.clone();
    o.actor = format!("staff:{user_id}");
    let mut e = o.event(
        kommunkod.as_deref(),
        "staff.password_set_by_link",
        "staff_user",
        Some(user_id.to_string()),
    );
    e.persons = vec![format!("staff:{user_id}")];
    audit::commit_with(tx, now, &e).await?;
    Ok(Some(user_id))
}

/// An operator sets the password given on the command line: in one transaction the hash is
/// stored, links still open end, and the account's sessions and tokens end. Returns false when
/// there is no such account.
pub async fn set_by_operator(
    db: &Db,
    user_id: i64,
    password_hash: &str,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<bool, StoreError> {
    let mut tx = db.begin().await?;
    let account: Option<Option<String>> = crate::with_tx!(&mut tx, c => {
        let account = sqlx::query_scalar("SELECT kommunkod FROM staff_users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *c)
            .await?;
        sqlx::query("UPDATE staff_users SET password_hash = $1, failed_logins = 0, password_changed_at = $2 WHERE id = $3")
            .bind(password_hash)
            .bind(now)
            .bind(user_id)
            .execute(&mut *c)
            .await?;
        sqlx::query("UPDATE password_links SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
            .bind(now)
            .bind(user_id)
            .execute(&mut *c)
            .await?;
        account
    });
    let Some(kommunkod) = account else {
        return Ok(false);
    };
    end_access(&mut tx, user_id, now).await?;
    let mut e = origin.event(
        kommunkod.as_deref(),
        "staff.password_reset",
        "staff_user",
        Some(user_id.to_string()),
    );
    e.persons = vec![format!("staff:{user_id}")];
    audit::commit_with(tx, now, &e).await?;
    Ok(true)
}

/// The holder changes their own password, knowing the current one (checked by the caller);
/// their other sessions (all but the raw session `keep_session`) and their tokens end.
pub async fn change_own(
    db: &Db,
    user_id: i64,
    password_hash: &str,
    keep_session: &str,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let kommunkod: Option<String> = crate::with_tx!(&mut tx, c => {
        sqlx::query("UPDATE staff_users SET password_hash = $1, failed_logins = 0, password_changed_at = $2 WHERE id = $3")
            .bind(password_hash)
            .bind(now)
            .bind(user_id)
            .execute(&mut *c)
            .await?;
        sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL AND id_hash <> $3")
            .bind(now)
            .bind(user_id)
            .bind(hash_token(keep_session))
            .execute(&mut *c)
            .await?;
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(user_id)
            .execute(&mut *c)
            .await?;
        sqlx::query_scalar("SELECT kommunkod FROM staff_users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&mut *c)
            .await?
    });
    let mut e = origin.event(
        kommunkod.as_deref(),
        "staff.password_changed",
        "staff_user",
        Some(user_id.to_string()),
    );
    e.persons = vec![format!("staff:{user_id}")];
    audit::commit_with(tx, now, &e).await?;
    Ok(())
}
