//! The municipality's own wording of letter blocks, from a date.

use super::*;

/// The municipality's wording of a block valid on a date, if it has one.
pub async fn letter_block(
    db: &Db,
    kommunkod: &str,
    code: &str,
    on: NaiveDate,
) -> Result<Option<String>, StoreError> {
    crate::with_pool!(db, pool => {
        Ok(sqlx::query_scalar(
            "SELECT body FROM letter_blocks WHERE kommunkod = $1 AND code = $2 AND valid_from <= $3 ORDER BY valid_from DESC, id DESC LIMIT 1",
        )
        .bind(kommunkod)
        .bind(code)
        .bind(on)
        .fetch_optional(pool)
        .await?)
    })
}

/// Every wording the municipality stored, newest first: (code, body, valid from).
pub async fn letter_blocks(
    db: &Db,
    kommunkod: &str,
) -> Result<Vec<(String, String, NaiveDate)>, StoreError> {
    crate::with_pool!(db, pool => {
        Ok(sqlx::query_as("SELECT code, body, valid_from FROM letter_blocks WHERE kommunkod = $1 ORDER BY valid_from DESC, id DESC")
            .bind(kommunkod)
            .fetch_all(pool)
            .await?)
    })
}

/// Adds a wording valid from a date; earlier ones stay, for letters already written.
#[allow(clippy::too_many_arguments)]
pub async fn set_letter_block(
    db: &Db,
    kommunkod: &str,
    code: &str,
    body: &str,
    valid_from: NaiveDate,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let id: i64 = crate::with_tx!(&mut tx, c => {
        sqlx::query_scalar("INSERT INTO letter_blocks (kommunkod, code, body, valid_from, by_user, at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
            .bind(kommunkod)
            .bind(code)
            .bind(body)
            .bind(valid_from)
            .bind(by)
            .bind(now)
            .fetch_one(&mut *c)
            .await?
    });
    let e = origin.event(
        Some(kommunkod),
        "letter_block.set",
        "letter_block",
        Some(id.to_string()),
    );
    audit::commit_with(tx, now, &e).await
}
