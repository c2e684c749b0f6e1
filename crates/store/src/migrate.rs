//! Migrations, embedded in the binary and applied in order at start. Each is written once, in
//! `migrations/NNNN_name.sql`, and expanded for the dialect in use by [`expand`].

use crate::db::{Backend, Db, Tx};
use crate::StoreError;
use chrono::Utc;

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    /// The source, with `{placeholder}`s (see [`PLACEHOLDERS`]).
    pub sql: &'static str,
}

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sql: include_str!("../migrations/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "staff_auth",
        sql: include_str!("../migrations/0002_staff_auth.sql"),
    },
    Migration {
        version: 3,
        name: "cases",
        sql: include_str!("../migrations/0003_cases.sql"),
    },
    Migration {
        version: 4,
        name: "audit_review",
        sql: include_str!("../migrations/0004_audit_review.sql"),
    },
    Migration {
        version: 5,
        name: "staff_language",
        sql: include_str!("../migrations/0005_staff_language.sql"),
    },
    Migration {
        version: 6,
        name: "person_search",
        sql: include_str!("../migrations/0006_person_search.sql"),
    },
    Migration {
        version: 7,
        name: "assessed",
        sql: include_str!("../migrations/0007_assessed.sql"),
    },
    Migration {
        version: 8,
        name: "open_support",
        sql: include_str!("../migrations/0008_open_support.sql"),
    },
    Migration {
        version: 9,
        name: "conversations_support_contact",
        sql: include_str!("../migrations/0009_conversations_support_contact.sql"),
    },
    Migration {
        version: 10,
        name: "login_attempts_by_email",
        sql: include_str!("../migrations/0010_login_attempts_by_email.sql"),
    },
    Migration {
        version: 11,
        name: "password_links",
        sql: include_str!("../migrations/0011_password_links.sql"),
    },
    Migration {
        version: 12,
        name: "node_changes",
        sql: include_str!("../migrations/0012_node_changes.sql"),
    },
    Migration {
        version: 13,
        name: "token_expiry",
        sql: include_str!("../migrations/0013_token_expiry.sql"),
    },
    Migration {
        version: 14,
        name: "rate_windows",
        sql: include_str!("../migrations/0014_rate_windows.sql"),
    },
    Migration {
        version: 15,
        name: "presumed_receipt",
        sql: include_str!("../migrations/0015_presumed_receipt.sql"),
    },
    Migration {
        version: 16,
        name: "request_closing",
        sql: include_str!("../migrations/0016_request_closing.sql"),
    },
    Migration {
        version: 17,
        name: "person_merge",
        sql: include_str!("../migrations/0017_person_merge.sql"),
    },
    Migration {
        version: 18,
        name: "cases_by_kommun",
        sql: include_str!("../migrations/0018_cases_by_kommun.sql"),
    },
    Migration {
        version: 19,
        name: "cases_by_request",
        sql: include_str!("../migrations/0019_cases_by_request.sql"),
    },
];

/// What each `{placeholder}` of a migration becomes on SQLite and on PostgreSQL. These are the
/// types the per-dialect files this source replaced spelled out, so databases made by them and
/// by the expansion are alike.
pub const PLACEHOLDERS: &[(&str, &str, &str)] = &[
    // A generated key: a rowid alias on SQLite, a sequence on PostgreSQL.
    (
        "id",
        "INTEGER PRIMARY KEY AUTOINCREMENT",
        "BIGSERIAL PRIMARY KEY",
    ),
    ("int", "INTEGER", "BIGINT"),
    ("bool", "INTEGER", "BOOLEAN"),
    ("true", "1", "TRUE"),
    ("false", "0", "FALSE"),
    ("float", "REAL", "DOUBLE PRECISION"),
    // An instant; SQLite keeps RFC 3339 text.
    ("ts", "TEXT", "TIMESTAMPTZ"),
    // A local wall time without zone.
    ("local_ts", "TEXT", "TIMESTAMP"),
    ("date", "TEXT", "DATE"),
    // Byte-wise order for an index expression; SQLite's default (BINARY) already is.
    ("collate_c", "", " COLLATE \"C\""),
];

/// The migration source `sql` with every `{placeholder}` replaced for `backend`. An unknown or
/// unclosed placeholder is an error, so a typo cannot reach a database as SQL.
pub fn expand(sql: &str, backend: Backend) -> Result<String, StoreError> {
    let mut out = String::with_capacity(sql.len() + sql.len() / 8);
    let mut rest = sql;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| StoreError::Config("migration: unclosed `{`".into()))?;
        let name = &after[..close];
        let (_, sqlite, postgres) = PLACEHOLDERS
            .iter()
            .find(|(n, _, _)| *n == name)
            .ok_or_else(|| {
                StoreError::Config(format!("migration: unknown placeholder {{{name}}}"))
            })?;
        out.push_str(match backend {
            Backend::Sqlite => sqlite,
            Backend::Postgres => postgres,
        });
        rest = &after[close + 1..];
    }
    if rest.contains('}') {
        return Err(StoreError::Config("migration: stray `}`".into()));
    }
    out.push_str(rest);
    Ok(out)
}

/// A transaction on the write side; on PostgreSQL it first takes the migration lock, so what
/// it reads of `schema_migrations` stays true until it commits, whatever other nodes do.
async fn begin_locked(db: &Db) -> Result<Tx, StoreError> {
    let mut tx = db.begin().await?;
    if let crate::db::Conn::Postgres(t) = &mut tx.conn {
        sqlx::query("SELECT pg_advisory_xact_lock(72834001)")
            .execute(&mut **t)
            .await?;
    }
    Ok(tx)
}

/// The migrations this database has not had, read without writing anything. A database
/// without the `schema_migrations` table has had none; any other failure to read is an error
/// (a read-only or broken database must not look like a new one).
pub async fn pending(db: &Db) -> Result<Vec<i64>, StoreError> {
    let exists = match db.backend() {
        Backend::Sqlite => {
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
        }
        Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = 'schema_migrations'"
        }
    };
    let done: Vec<i64> = crate::with_pool!(db, pool => {
        let tables: i64 = sqlx::query_scalar(exists).fetch_one(pool).await?;
        if tables == 0 {
            Vec::new()
        } else {
            sqlx::query_scalar("SELECT version FROM schema_migrations")
                .fetch_all(pool)
                .await?
        }
    });
    Ok(MIGRATIONS
        .iter()
        .map(|m| m.version)
        .filter(|v| !done.contains(v))
        .collect())
}

/// Applies what is missing; returns the versions applied now. Each migration runs in its own
/// transaction, so a failed one leaves those before it applied; on PostgreSQL each takes an
/// advisory lock and checks again that it is still missing, so two starting nodes do not race.
pub async fn migrate(db: &Db) -> Result<Vec<i64>, StoreError> {
    let backend = db.backend();
    let create = "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";
    let mut tx = begin_locked(db).await?;
    let done: Vec<i64> = crate::with_tx!(&mut tx, c => {
        sqlx::query(create).execute(&mut *c).await?;
        sqlx::query_scalar("SELECT version FROM schema_migrations")
            .fetch_all(&mut *c)
            .await?
    });
    tx.commit().await?;
    let mut applied = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| !done.contains(&m.version)) {
        let sql = expand(m.sql, backend)?;
        let mut tx = begin_locked(db).await?;
        crate::with_tx!(&mut tx, c => {
            // Another node may have applied it since the list above was read.
            let again: Option<i64> =
                sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = $1")
                    .bind(m.version)
                    .fetch_optional(&mut *c)
                    .await?;
            if again.is_some() {
                continue;
            }
            sqlx::raw_sql(&sql).execute(&mut *c).await?;
            sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                .bind(m.version)
                .bind(m.name)
                .bind(Utc::now().to_rfc3339())
                .execute(&mut *c)
                .await?;
        });
        tx.commit().await?;
        applied.push(m.version);
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_expand_per_dialect() {
        let src = "CREATE TABLE t (id {id}, n {int} NOT NULL DEFAULT 0, b {bool} DEFAULT {true}, \
                   c {bool} DEFAULT {false}, f {float}, at {ts}, wall {local_ts}, on_day {date});\n\
                   CREATE INDEX t_n ON t (lower(x){collate_c});";
        assert_eq!(
            expand(src, Backend::Sqlite).unwrap(),
            "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, n INTEGER NOT NULL DEFAULT 0, \
             b INTEGER DEFAULT 1, c INTEGER DEFAULT 0, f REAL, at TEXT, wall TEXT, on_day TEXT);\n\
             CREATE INDEX t_n ON t (lower(x));"
        );
        assert_eq!(
            expand(src, Backend::Postgres).unwrap(),
            "CREATE TABLE t (id BIGSERIAL PRIMARY KEY, n BIGINT NOT NULL DEFAULT 0, \
             b BOOLEAN DEFAULT TRUE, c BOOLEAN DEFAULT FALSE, f DOUBLE PRECISION, at TIMESTAMPTZ, \
             wall TIMESTAMP, on_day DATE);\n\
             CREATE INDEX t_n ON t (lower(x) COLLATE \"C\");"
        );
    }

    #[test]
    fn text_without_placeholders_is_kept() {
        let src = "-- a comment\nSELECT 'x';\n";
        assert_eq!(expand(src, Backend::Sqlite).unwrap(), src);
        assert_eq!(expand(src, Backend::Postgres).unwrap(), src);
    }

    #[test]
    fn unknown_or_unbalanced_placeholders_are_errors() {
        for bad in ["a {integer} b", "a {int b", "a int} b", "{}"] {
            assert!(expand(bad, Backend::Sqlite).is_err(), "{bad}");
            assert!(expand(bad, Backend::Postgres).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_migration_expands_on_both_dialects() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1, "versions run 1, 2, 3, ...");
            for backend in [Backend::Sqlite, Backend::Postgres] {
                let sql = expand(m.sql, backend).unwrap();
                assert!(!sql.contains(['{', '}']), "{} on {backend:?}", m.name);
            }
        }
    }
}
