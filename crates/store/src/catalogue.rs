//! Catalogues, stored whole as JSON in append-only versions: an import adds a version, and the
//! newest one is current. Earlier versions stay for the record.

use crate::db::Db;
use crate::StoreError;
use chrono::Utc;
use domain::catalogue::Catalogue;
use sqlx::Row;

/// The owner of the national entries shown in every municipality.
pub const NATIONAL: &str = "national";

/// Stores a new version and returns its number.
pub async fn save(
    db: &Db,
    owner: &str,
    catalogue: &Catalogue,
    by: &str,
) -> Result<i64, StoreError> {
    let data = serde_json::to_string(catalogue).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mut tx = db.begin().await?;
    let version = crate::with_tx!(&mut tx, c => {
        let current: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM catalogue_versions WHERE owner = $1")
            .bind(owner)
            .fetch_one(&mut *c)
            .await?;
        let version = current.unwrap_or(0) + 1;
        sqlx::query("INSERT INTO catalogue_versions (owner, version, data, created_at, created_by) VALUES ($1, $2, $3, $4, $5)")
            .bind(owner)
            .bind(version)
            .bind(&data)
            .bind(Utc::now())
            .bind(by)
            .execute(&mut *c)
            .await?;
        version
    });
    // Every node drops its cached content of this owner (all of them for the national entries).
    crate::changes::record_in(&mut tx, &crate::changes::content_topic(owner), Utc::now()).await?;
    tx.commit().await?;
    Ok(version)
}

/// The current version's number, if any: cheap, for cache checks.
pub async fn current_version(db: &Db, owner: &str) -> Result<Option<i64>, StoreError> {
    crate::with_pool!(db, pool => {
        Ok(sqlx::query_scalar("SELECT MAX(version) FROM catalogue_versions WHERE owner = $1")
            .bind(owner)
            .fetch_one(pool)
            .await?)
    })
}

/// The current catalogue and its version.
pub async fn current(db: &Db, owner: &str) -> Result<Option<(i64, Catalogue)>, StoreError> {
    let row = crate::with_pool!(db, pool => {
        let r = sqlx::query("SELECT version, data FROM catalogue_versions WHERE owner = $1 ORDER BY version DESC LIMIT 1")
            .bind(owner)
            .fetch_optional(pool)
            .await?;
        match r {
            Some(r) => Some((r.try_get::<i64, _>("version")?, r.try_get::<String, _>("data")?)),
            None => None,
        }
    });
    row.map(|(v, data)| {
        serde_json::from_str(&data)
            .map(|c| (v, c))
            .map_err(|e| StoreError::Corrupt(format!("catalogue {owner} v{v}: {e}")))
    })
    .transpose()
}
