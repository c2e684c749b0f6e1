//! The change feed between app nodes on one database. A node that changes something other
//! nodes keep in a cache (an activity's seats, a municipality's content) records a topic; each
//! node reads the topics after the last one it saw and drops what it cached. One mechanism for
//! both backends: a table read by its sequence, so a node that was away misses nothing.

use crate::db::{Db, Tx};
use crate::StoreError;
use chrono::{DateTime, Duration, Utc};

/// How long topics are kept; a node away for longer drops everything it cached.
pub const KEEP_MINUTES: i64 = 60;

/// The topic for a change to a municipality's activities.
pub fn activities_topic(kommunkod: &str) -> String {
    format!("activities:{kommunkod}")
}

/// The topic for a change to a catalogue (`national` touches every municipality).
pub fn content_topic(owner: &str) -> String {
    format!("content:{owner}")
}

/// Records `topic` in the change's own transaction.
pub async fn record_in(tx: &mut Tx, topic: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    crate::with_tx!(tx, c => {
        sqlx::query("INSERT INTO node_changes (at, topic) VALUES ($1, $2)")
            .bind(now)
            .bind(topic)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// Records `topic` after a change that committed on its own.
pub async fn record(db: &Db, topic: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    record_in(&mut tx, topic, now).await?;
    tx.commit().await
}

/// The newest sequence number: where a starting node begins to read.
pub async fn head(db: &Db) -> Result<i64, StoreError> {
    crate::with_pool!(db, pool => {
        let seq: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM node_changes")
            .fetch_one(pool)
            .await?;
        Ok(seq.unwrap_or(0))
    })
}

/// Topics recorded after `after`, oldest first, and the oldest sequence still kept (to see
/// whether rows were pruned in between).
pub async fn since(db: &Db, after: i64) -> Result<(Vec<(i64, String)>, i64), StoreError> {
    crate::with_pool!(db, pool => {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT seq, topic FROM node_changes WHERE seq > $1 ORDER BY seq LIMIT 1000",
        )
        .bind(after)
        .fetch_all(pool)
        .await?;
        let oldest: Option<i64> = sqlx::query_scalar("SELECT MIN(seq) FROM node_changes")
            .fetch_one(pool)
            .await?;
        Ok((rows, oldest.unwrap_or(0)))
    })
}

/// Removes topics older than the keeping time.
pub async fn prune(db: &Db, now: DateTime<Utc>) -> Result<u64, StoreError> {
    let mut tx = db.begin().await?;
    let n = crate::with_tx!(&mut tx, c => {
        sqlx::query("DELETE FROM node_changes WHERE at < $1")
            .bind(now - Duration::minutes(KEEP_MINUTES))
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    tx.commit().await?;
    Ok(n)
}
