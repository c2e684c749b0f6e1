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

/// The database: its pools, the audit writer that group-commits logged reads, the key that
/// signs the audit chain and the key that seals second-factor secrets (both kept outside the
/// database).
#[derive(Clone)]
pub struct Db {
    pub pools: Pools,
    pub(crate) audit: Arc<OnceLock<crate::audit::AuditWriter>>,
    pub(crate) audit_key: Option<Arc<crate::audit::AuditKey>>,
    pub(crate) seal_key: Option<Arc<crate::sealed::SealKey>>,
    read_only: bool,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.pools.fmt(f)
    }
}

/// A write transaction, and the audit key its audit rows are signed with.
pub struct Tx {
    pub conn: Conn,
    pub(crate) audit_key: Option<Arc<crate::audit::AuditKey>>,
}

pub enum Conn {
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
        match &mut $tx.conn {
            $crate::db::Conn::Sqlite(t) => {
                let $conn = &mut **t;
                $body
            }
            $crate::db::Conn::Postgres(t) => {
                let $conn = &mut **t;
                $body
            }
        }
    };
}

/// `sqlite://PATH?…` read as sqlx reads it (`mode=ro|rw|rwc|memory` and its other parameters),
/// or a bare path. Without a `mode` the file and its folder are created when missing; a file
/// this creates is readable by its owner only, since it holds personal data. Also says whether
/// the database is opened read-only.
fn sqlite_options(url: &str) -> Result<(SqliteConnectOptions, bool), StoreError> {
    let (opts, mode) = if url.starts_with("sqlite:") {
        let mode = url
            .split_once('?')
            .map(|(_, q)| q)
            .into_iter()
            .flat_map(|q| q.split('&'))
            .find_map(|kv| kv.strip_prefix("mode="))
            .map(str::to_owned);
        (SqliteConnectOptions::from_str(url)?, mode)
    } else {
        (SqliteConnectOptions::new().filename(url), None)
    };
    let read_only = mode.as_deref() == Some("ro");
    let creates = matches!(mode.as_deref(), None | Some("rwc"));
    let path = opts.get_filename().to_path_buf();
    let in_memory = mode.as_deref() == Some("memory") || path.as_os_str() == ":memory:";
    if creates && !in_memory && !path.exists() {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Config(e.to_string()))?;
        }
        create_owner_only(&path)?;
    }
    Ok((opts.create_if_missing(creates), read_only))
}

#[cfg(unix)]
fn create_owner_only(path: &std::path::Path) -> Result<(), StoreError> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
        .map(drop)
        .map_err(|e| StoreError::Config(format!("{}: {e}", path.display())))
}

#[cfg(not(unix))]
fn create_owner_only(_path: &std::path::Path) -> Result<(), StoreError> {
    Ok(())
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
        let (opts, read_only) = sqlite_options(url)?;
        let opts = opts
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
        let mut db = Db::new(Pools::Sqlite(SqlitePools { read, write }));
        db.read_only = read_only;
        Ok(db)
    }

    fn new(pools: Pools) -> Self {
        Self {
            pools,
            audit: Arc::default(),
            audit_key: None,
            seal_key: None,
            read_only: false,
        }
    }

    /// The same database, its audit rows signed with `key` from now on.
    pub fn with_audit_key(mut self, key: Option<crate::audit::AuditKey>) -> Self {
        self.audit_key = key.map(Arc::new);
        self
    }

    pub fn audit_key(&self) -> Option<&crate::audit::AuditKey> {
        self.audit_key.as_deref()
    }

    /// The same database, second-factor secrets sealed with `key` from now on.
    pub fn with_seal_key(mut self, key: Option<crate::sealed::SealKey>) -> Self {
        self.seal_key = key.map(Arc::new);
        self
    }

    pub fn seal_key(&self) -> Option<&crate::sealed::SealKey> {
        self.seal_key.as_deref()
    }

    /// Opened read-only (`sqlite://…?mode=ro`): nothing is migrated or written.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    pub fn backend(&self) -> Backend {
        match self.pools {
            Pools::Sqlite(_) => Backend::Sqlite,
            Pools::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(Tx {
            conn: self.pools.begin().await?,
            audit_key: self.audit_key.clone(),
        })
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
    pub async fn begin(&self) -> Result<Conn, StoreError> {
        Ok(match self {
            Pools::Sqlite(s) => Conn::Sqlite(s.write.begin().await?),
            Pools::Postgres(p) => Conn::Postgres(p.begin().await?),
        })
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), StoreError> {
        match self.conn {
            Conn::Sqlite(t) => t.commit().await?,
            Conn::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "anh-db-{name}-{}-{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[tokio::test]
    async fn a_sqlite_url_query_is_read_not_made_part_of_the_file_name() {
        let dir = scratch("query");
        let url = format!("sqlite://{}/x.db?mode=rwc", dir.display());
        let db = crate::open(&url).await.unwrap();
        db.close().await;
        assert!(dir.join("x.db").exists());
        assert!(!dir.join("x.db?mode=rwc").exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("x.db"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "personal data: owner only");
        }
        // rw opens only what exists.
        let missing = format!("sqlite://{}/y.db?mode=rw", dir.display());
        assert!(Db::connect(&missing).await.is_err());
        assert!(!dir.join("y.db").exists());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn mode_ro_opens_read_only() {
        let dir = scratch("ro");
        let path = dir.join("z.db");
        crate::open(&format!("sqlite://{}", path.display()))
            .await
            .unwrap()
            .close()
            .await;
        let db = crate::open(&format!("sqlite://{}?mode=ro", path.display()))
            .await
            .unwrap();
        assert!(db.is_read_only());
        let count: i64 = crate::with_pool!(&db, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM municipalities").fetch_one(pool).await.unwrap()
        });
        assert_eq!(count, 290);
        let mut tx = db.begin().await.unwrap();
        let refused = crate::with_tx!(&mut tx, c => {
            sqlx::query("DELETE FROM municipalities").execute(&mut *c).await.is_err()
        });
        assert!(refused, "a read-only database refuses writes");
        drop(tx);
        db.close().await;
        std::fs::remove_dir_all(dir).unwrap();
    }
}
