//! Per-dialect migrations, embedded in the binary and applied in order at start.

use crate::db::{Db, Tx};
use crate::StoreError;
use chrono::Utc;

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sqlite: include_str!("../migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("../migrations/postgres/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "staff_auth",
        sqlite: include_str!("../migrations/sqlite/0002_staff_auth.sql"),
        postgres: include_str!("../migrations/postgres/0002_staff_auth.sql"),
    },
    Migration {
        version: 3,
        name: "cases",
        sqlite: include_str!("../migrations/sqlite/0003_cases.sql"),
        postgres: include_str!("../migrations/postgres/0003_cases.sql"),
    },
    Migration {
        version: 4,
        name: "audit_review",
        sqlite: include_str!("../migrations/sqlite/0004_audit_review.sql"),
        postgres: include_str!("../migrations/postgres/0004_audit_review.sql"),
    },
    Migration {
        version: 5,
        name: "staff_language",
        sqlite: include_str!("../migrations/sqlite/0005_staff_language.sql"),
        postgres: include_str!("../migrations/postgres/0005_staff_language.sql"),
    },
    Migration {
        version: 6,
        name: "person_search",
        sqlite: include_str!("../migrations/sqlite/0006_person_search.sql"),
        postgres: include_str!("../migrations/postgres/0006_person_search.sql"),
    },
    Migration {
        version: 7,
        name: "assessed",
        sqlite: include_str!("../migrations/sqlite/0007_assessed.sql"),
        postgres: include_str!("../migrations/postgres/0007_assessed.sql"),
    },
    Migration {
        version: 8,
        name: "open_support",
        sqlite: include_str!("../migrations/sqlite/0008_open_support.sql"),
        postgres: include_str!("../migrations/postgres/0008_open_support.sql"),
    },
    Migration {
        version: 9,
        name: "conversations_support_contact",
        sqlite: include_str!("../migrations/sqlite/0009_conversations_support_contact.sql"),
        postgres: include_str!("../migrations/postgres/0009_conversations_support_contact.sql"),
    },
];

/// Applies what is missing; returns the versions applied now. Each migration runs in its own
/// transaction, and on PostgreSQL an advisory lock keeps two starting nodes from racing.
pub async fn migrate(db: &Db) -> Result<Vec<i64>, StoreError> {
    let create = "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";
    let mut tx = db.begin().await?;
    crate::with_tx!(&mut tx, c => {
        sqlx::query(create).execute(&mut *c).await?;
    });
    if let Tx::Postgres(t) = &mut tx {
        sqlx::query("SELECT pg_advisory_xact_lock(72834001)")
            .execute(&mut **t)
            .await?;
    }
    let done: Vec<i64> = crate::with_tx!(&mut tx, c => {
        sqlx::query_scalar("SELECT version FROM schema_migrations")
            .fetch_all(&mut *c)
            .await?
    });
    let mut applied = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| !done.contains(&m.version)) {
        let sql = match &tx {
            Tx::Sqlite(_) => m.sqlite,
            Tx::Postgres(_) => m.postgres,
        };
        crate::with_tx!(&mut tx, c => {
            sqlx::raw_sql(sql).execute(&mut *c).await?;
            sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                .bind(m.version)
                .bind(m.name)
                .bind(Utc::now().to_rfc3339())
                .execute(&mut *c)
                .await?;
        });
        applied.push(m.version);
    }
    tx.commit().await?;
    Ok(applied)
}
