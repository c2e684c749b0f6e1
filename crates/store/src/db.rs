//! The connection: an enum over the two concrete pools, and transactions over either.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// SQLite allows one writer at a time; a pool of one for writes keeps writers queued in the
/// application instead of failing with SQLITE_BUSY, while reads run in parallel (WAL).
#[derive(Clone, Debug)]
pub struct SqlitePools {
    pub read: SqlitePool,
    pub write: SqlitePool,
}

/// The two concrete pools; queries run on either through `with_pool!`.
#[derive(Clone, Debug)]
pub enum Pools {
    Sqlite(SqlitePools),
    Postgres(PgPool),
}

/// The database: its pools, and the audit writer that group-commits logged reads.
#[derive(Clone)]
pub struct Db {
    pub pools: Pools,
    pub(crate) audit: Arc<OnceLock<crate::audit::AuditWriter>>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.pools.fmt(f)
    }
}

pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs the same code against whichever pool is in use. Inside, `$pool` is `&SqlitePool` or
/// `&PgPool`, so queries written with `$1` placeholders serve both.
#[macro_export]
macro_rules! with_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match &$db.pools {
            $crate::db::Pools::Sqlite(s) => {
                let $pool = &s.read;
                $body
            }
            $crate::db::Pools::Postgres(p) => {
                let $pool = p;
                $body
            }
        }
    };
}

/// The same over an open transaction; `$conn` is a `&mut` connection of either kind.
#[macro_export]
macro_rules! with_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(t) => {
                let $conn = &mut **t;
                $body
            }
            $crate::db::Tx::Postgres(t) => {
                let $conn = &mut **t;
                $body
            }
        }
    };
}

/// Where the default SQLite file lives.
pub const DEFAULT_SQLITE_URL: &str = "sqlite://data/anhorigstod.db";

impl Db {
    /// Opens `postgres://…` / `postgresql://…` on PostgreSQL and `sqlite://PATH` (or a bare path)
    /// on SQLite, creating the SQLite file and its folder when missing.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            return Ok(Db::new(Pools::Postgres(pool)));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        if let Some(dir) = std::path::Path::new(path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| StoreError::Config(e.to_string()))?;
            }
        }
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a commit is on disk before we answer, so an acknowledged request survives
            // a crash of the machine, not only of the process.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts.clone())
            .await?;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(opts.read_only(true))
            .await?;
        Ok(Db::new(Pools::Sqlite(SqlitePools { read, write })))
    }

    fn new(pools: Pools) -> Self {
        Self {
            pools,
            audit: Arc::default(),
        }
    }

    pub fn backend(&self) -> Backend {
        match self.pools {
            Pools::Sqlite(_) => Backend::Sqlite,
            Pools::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn begin(&self) -> Result<Tx, StoreError> {
        self.pools.begin().await
    }

    /// A cheap round trip, for /healthz.
    pub async fn ping(&self) -> Result<(), StoreError> {
        with_pool!(self, pool => {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    pub async fn close(&self) {
        match &self.pools {
            Pools::Sqlite(s) => {
                s.read.close().await;
                s.write.close().await;
            }
            Pools::Postgres(p) => p.close().await,
        }
    }
}

impl Pools {
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Pools::Sqlite(s) => Tx::Sqlite(s.write.begin().await?),
            Pools::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}
