//! Counts of anonymous writes per key and minute, shared by every app node on the database,
//! so that a client spreading its writes over the nodes meets the same limit as on one.

use crate::db::Db;
use crate::StoreError;

/// The minute a moment falls in, as whole minutes since 1970.
pub fn window_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(60)
}

/// Counts one write on each key in minute `window`; returns every key with its count so far,
/// this write included.
pub async fn hit(db: &Db, keys: &[&str], window: i64) -> Result<Vec<(String, i64)>, StoreError> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let values: Vec<String> = (0..keys.len())
        .map(|i| format!("(${}, $1, 1)", i + 2))
        .collect();
    let sql = format!(
        "INSERT INTO rate_windows (key, window_start, hits) VALUES {} \
         ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_windows.hits + 1 \
         RETURNING key, hits",
        values.join(", ")
    );
    let mut tx = db.begin().await?;
    let counts: Vec<(String, i64)> = crate::with_tx!(tx, c => {
        let mut q = sqlx::query_as(&sql).bind(window);
        for k in keys {
            q = q.bind(*k);
        }
        q.fetch_all(&mut *c).await?
    });
    tx.commit().await?;
    Ok(counts)
}

/// Forgets the minutes before `window`.
pub async fn prune(db: &Db, window: i64) -> Result<u64, StoreError> {
    let mut tx = db.begin().await?;
    let n = crate::with_tx!(tx, c => {
        sqlx::query("DELETE FROM rate_windows WHERE window_start < $1")
            .bind(window)
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    tx.commit().await?;
    Ok(n)
}
