//! Persistence on SQLite (embedded default) and PostgreSQL (production) from one codebase.
//! Queries use `$1` placeholders, which both accept; `with_pool!`/`with_tx!` run the same code
//! on either pool. Every change to personal data writes its audit row in the same transaction.

pub mod access;
pub mod activities;
pub mod assessed;
pub mod audit;
pub mod bulk;
pub mod cases;
pub mod catalogue;
pub mod changes;
pub mod contact_requests;
pub mod conversations;
pub mod db;
pub mod id_list;
pub mod keys;
pub mod migrate;
pub mod municipalities;
pub mod name_prefix;
pub mod outbox;
pub mod password_links;
pub mod persons;
pub mod rate_windows;
pub mod retention;
pub mod sealed;
pub mod sessions;
pub mod staff;
pub mod stats;
pub mod support_contacts;
pub mod tokens;
pub mod wire;
pub mod worklist;

pub use db::{Backend, Db, Pools, Tx};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("stored data is not as expected: {0}")]
    Corrupt(String),
    #[error("configuration: {0}")]
    Config(String),
    #[error("audit log: {0}")]
    Audit(String),
    /// A grant was used for a step the policy does not allow it (a handler asked for the
    /// wrong action): refused, never carried out.
    #[error("access to the case does not cover {0:?}")]
    Denied(domain::policy::Action),
}

/// Opens the database and brings its schema and reference data up to date.
pub async fn open(url: &str) -> Result<Db, StoreError> {
    let db = Db::connect(url).await?;
    if db.is_read_only() {
        // Nothing may be written: the schema must already be current.
        let missing = migrate::pending(&db).await?;
        if !missing.is_empty() {
            return Err(StoreError::Config(format!(
                "the read-only database lacks migrations {missing:?}"
            )));
        }
        return Ok(db);
    }
    migrate::migrate(&db).await?;
    let all =
        domain::kommun::all_municipalities().map_err(|e| StoreError::Corrupt(e.to_string()))?;
    municipalities::sync_all(&db, &all).await?;
    Ok(db)
}
