//! Staff accounts. Sign-in and roles come with the staff workspace; for now accounts are
//! created (the demo prints its logins) and listed.

use crate::db::Db;
use crate::StoreError;
use chrono::Utc;
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffUser {
    pub id: i64,
    pub kommunkod: Option<String>,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub disabled: bool,
    pub is_demo: bool,
}

/// Creates an account, or does nothing when the e-mail is taken. Returns whether it was created.
pub async fn create(
    db: &Db,
    kommunkod: Option<&str>,
    email: &str,
    display_name: &str,
    role: &str,
    password_hash: &str,
    is_demo: bool,
) -> Result<bool, StoreError> {
    let mut tx = db.begin().await?;
    let n = crate::with_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO staff_users (kommunkod, email, display_name, role, password_hash, is_demo, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (email) DO NOTHING",
        )
        .bind(kommunkod)
        .bind(email)
        .bind(display_name)
        .bind(role)
        .bind(password_hash)
        .bind(is_demo)
        .bind(Utc::now())
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    tx.commit().await?;
    Ok(n == 1)
}

pub async fn list(db: &Db, kommunkod: Option<&str>) -> Result<Vec<StaffUser>, StoreError> {
    crate::with_pool!(db, pool => {
        let rows = sqlx::query(
            "SELECT id, kommunkod, email, display_name, role, disabled, is_demo FROM staff_users \
             WHERE ($1 IS NULL OR kommunkod = $1) ORDER BY id",
        )
        .bind(kommunkod)
        .fetch_all(pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StaffUser {
                    id: r.try_get("id")?,
                    kommunkod: r.try_get("kommunkod")?,
                    email: r.try_get("email")?,
                    display_name: r.try_get("display_name")?,
                    role: r.try_get("role")?,
                    disabled: r.try_get("disabled")?,
                    is_demo: r.try_get("is_demo")?,
                })
            })
            .collect()
    })
}
