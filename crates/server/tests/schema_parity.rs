#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The migrations give SQLite and PostgreSQL the same schema, up to the names of types: the same
//! tables, columns (order, kind of type, nullability, default), indexes and constraints. Both
//! backends are migrated in every run, whatever `ANHORIGSTOD_TEST_DATABASE` says.

use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};
use store::{Db, Pools};
use testkit::TestBackend;

#[derive(Debug, PartialEq, Eq)]
struct Column {
    name: String,
    /// `integer`, `text` or `real`: what the dialects' type names have in common.
    kind: String,
    nullable: bool,
    default: ColumnDefault,
}

#[derive(Debug, PartialEq, Eq)]
enum ColumnDefault {
    None,
    /// A key the database fills (AUTOINCREMENT, a sequence).
    Generated,
    Value(String),
}

#[derive(Debug, PartialEq, Eq)]
struct Index {
    /// Column names, or the expression as written (`lower(family_name)`).
    columns: Vec<String>,
    unique: bool,
    partial: bool,
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct ForeignKey {
    columns: Vec<String>,
    table: String,
    references: Vec<String>,
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Table {
    columns: Vec<Column>,
    primary_key: Vec<String>,
    unique: BTreeSet<Vec<String>>,
    foreign_keys: BTreeSet<ForeignKey>,
    /// Indexes made by CREATE INDEX, by name (not those behind a key or UNIQUE constraint,
    /// which the dialects name differently).
    indexes: BTreeMap<String, Index>,
}

type Schema = BTreeMap<String, Table>;

fn kind(type_name: &str) -> String {
    match type_name.to_ascii_lowercase().as_str() {
        "integer" | "bigint" | "boolean" => "integer",
        "text" | "date" | "timestamp with time zone" | "timestamp without time zone" => "text",
        "real" | "double precision" => "real",
        other => return format!("unknown type {other}"),
    }
    .into()
}

/// A default as both dialects can spell it: no cast, booleans as 0 and 1.
fn default_value(raw: &str) -> ColumnDefault {
    if raw.starts_with("nextval(") {
        return ColumnDefault::Generated;
    }
    let value = match raw.rsplit_once("::") {
        Some((value, _cast)) => value,
        None => raw,
    };
    ColumnDefault::Value(match value {
        "false" => "0".into(),
        "true" => "1".into(),
        v => v.into(),
    })
}

/// The indexed columns of `CREATE [UNIQUE] INDEX name ON table (a, lower(b)) [WHERE ...]`.
fn sqlite_index_columns(sql: &str) -> Vec<String> {
    let on = sql.find(" ON ").expect("ON in index");
    let start = on + sql[on..].find('(').expect("column list") + 1;
    let (mut depth, mut from, mut out) = (0, start, Vec::new());
    for (i, ch) in sql[start..].char_indices() {
        match ch {
            '(' => depth += 1,
            ')' if depth == 0 => {
                out.push(sql[from..start + i].trim().to_owned());
                break;
            }
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(sql[from..start + i].trim().to_owned());
                from = start + i + 1;
            }
            _ => {}
        }
    }
    out
}

async fn sqlite_schema(pool: &sqlx::SqlitePool) -> Schema {
    let mut schema = Schema::new();
    let tables = sqlx::query(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for t in tables {
        let name: String = t.get("name");
        let autoincrement = t.get::<String, _>("sql").contains("AUTOINCREMENT");
        let mut table = Table::default();
        let mut pk = Vec::new();
        for c in sqlx::query(
            "SELECT name, type, \"notnull\" AS nn, dflt_value, pk FROM pragma_table_info($1) ORDER BY cid",
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .unwrap()
        {
            let column: String = c.get("name");
            let type_name: String = c.get("type");
            let pk_pos: i64 = c.get("pk");
            let generated = pk_pos > 0 && autoincrement && type_name == "INTEGER";
            if pk_pos > 0 {
                pk.push((pk_pos, column.clone()));
            }
            table.columns.push(Column {
                name: column,
                kind: kind(&type_name),
                // A key is never null on PostgreSQL; SQLite lets a non-integer key be, by an old
                // mistake it keeps, but the application never stores one.
                nullable: c.get::<i64, _>("nn") == 0 && pk_pos == 0,
                default: match c.get::<Option<String>, _>("dflt_value") {
                    _ if generated => ColumnDefault::Generated,
                    Some(v) => default_value(&v),
                    None => ColumnDefault::None,
                },
            });
        }
        pk.sort();
        table.primary_key = pk.into_iter().map(|(_, c)| c).collect();
        for fk in sqlx::query(
            "SELECT id, \"table\" AS parent, \"from\" AS col, \"to\" AS ref FROM pragma_foreign_key_list($1) ORDER BY id, seq",
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .unwrap()
        .chunk_by(|a, b| a.get::<i64, _>("id") == b.get::<i64, _>("id"))
        {
            table.foreign_keys.insert(ForeignKey {
                columns: fk.iter().map(|r| r.get("col")).collect(),
                table: fk[0].get("parent"),
                references: fk
                    .iter()
                    .map(|r| r.get::<Option<String>, _>("ref").expect("REFERENCES names its columns"))
                    .collect(),
            });
        }
        for i in sqlx::query(
            "SELECT l.name, l.\"unique\" AS uniq, l.origin, l.partial, m.sql FROM pragma_index_list($1) l LEFT JOIN sqlite_master m ON m.type = 'index' AND m.name = l.name",
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .unwrap()
        {
            let index: String = i.get("name");
            match i.get::<String, _>("origin").as_str() {
                "pk" => {}
                "u" => {
                    let columns = sqlx::query_scalar(
                        "SELECT name FROM pragma_index_info($1) ORDER BY seqno",
                    )
                    .bind(&index)
                    .fetch_all(pool)
                    .await
                    .unwrap();
                    table.unique.insert(columns);
                }
                _ => {
                    table.indexes.insert(
                        index,
                        Index {
                            columns: sqlite_index_columns(&i.get::<String, _>("sql")),
                            unique: i.get::<i64, _>("uniq") == 1,
                            partial: i.get::<i64, _>("partial") == 1,
                        },
                    );
                }
            }
        }
        schema.insert(name, table);
    }
    schema
}

/// PostgreSQL quotes a column named by a keyword (`"position"`); SQLite's list is as written.
fn unquoted(column: &str) -> String {
    match column.strip_prefix('"').and_then(|c| c.strip_suffix('"')) {
        Some(inner) if !inner.contains('"') => inner.into(),
        _ => column.into(),
    }
}

/// What differs between one table on the two backends, part by part.
fn differences(name: &str, s: &Table, p: &Table) -> Vec<String> {
    let mut out = Vec::new();
    let (sc, pc) = (&s.columns, &p.columns);
    for i in 0..sc.len().max(pc.len()) {
        if sc.get(i) != pc.get(i) {
            out.push(format!(
                "{name} column {i}: SQLite {:?}, PostgreSQL {:?}",
                sc.get(i),
                pc.get(i)
            ));
        }
    }
    let mut part = |what: &str, a: String, b: String| {
        if a != b {
            out.push(format!("{name} {what}: SQLite {a}, PostgreSQL {b}"));
        }
    };
    part(
        "primary key",
        format!("{:?}", s.primary_key),
        format!("{:?}", p.primary_key),
    );
    part(
        "unique",
        format!("{:?}", s.unique),
        format!("{:?}", p.unique),
    );
    part(
        "foreign keys",
        format!("{:?}", s.foreign_keys),
        format!("{:?}", p.foreign_keys),
    );
    part(
        "indexes",
        format!("{:?}", s.indexes),
        format!("{:?}", p.indexes),
    );
    out
}

async fn postgres_schema(pool: &sqlx::PgPool) -> Schema {
    let mut schema = Schema::new();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for name in tables {
        let mut table = Table::default();
        for c in sqlx::query(
            "SELECT column_name::text AS name, data_type::text AS type, is_nullable::text AS nullable, column_default::text AS dflt
             FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .unwrap()
        {
            table.columns.push(Column {
                name: c.get("name"),
                kind: kind(&c.get::<String, _>("type")),
                nullable: c.get::<String, _>("nullable") == "YES",
                default: match c.get::<Option<String>, _>("dflt") {
                    Some(v) => default_value(&v),
                    None => ColumnDefault::None,
                },
            });
        }
        // Each constraint's columns in key order, and for a foreign key the parent's.
        for k in sqlx::query(
            "SELECT c.contype::text AS kind, p.relname::text AS parent,
                    ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, o)
                          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o) AS cols,
                    ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, o)
                          JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o) AS refs
             FROM pg_constraint c LEFT JOIN pg_class p ON p.oid = c.confrelid
             WHERE c.conrelid = $1::regclass AND c.contype IN ('p', 'u', 'f')",
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .unwrap()
        {
            let cols: Vec<String> = k.get("cols");
            match k.get::<String, _>("kind").as_str() {
                "p" => table.primary_key = cols,
                "u" => {
                    table.unique.insert(cols);
                }
                _ => {
                    table.foreign_keys.insert(ForeignKey {
                        columns: cols,
                        table: k.get("parent"),
                        references: k.get("refs"),
                    });
                }
            }
        }
        for i in sqlx::query(
            "SELECT c.relname::text AS name, i.indisunique AS uniq, i.indpred IS NOT NULL AS partial,
                    ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnatts) k ORDER BY k) AS cols
             FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
             WHERE i.indrelid = $1::regclass
               AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)",
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .unwrap()
        {
            let columns: Vec<String> = i.get("cols");
            table.indexes.insert(
                i.get("name"),
                Index {
                    // The byte-wise collation is PostgreSQL's only; see below that it is there.
                    columns: columns.iter().map(|c| unquoted(&c.replace(" COLLATE \"C\"", ""))).collect(),
                    unique: i.get("uniq"),
                    partial: i.get("partial"),
                },
            );
        }
        schema.insert(name, table);
    }
    schema
}

async fn migrated(backend: TestBackend) -> (testkit::TestDb, Db) {
    let database = testkit::fresh_database_on(backend).await;
    let db = Db::connect(&database.url).await.unwrap();
    let applied = store::migrate::migrate(&db).await.unwrap();
    assert_eq!(applied.len(), store::migrate::MIGRATIONS.len());
    (database, db)
}

#[tokio::test]
async fn sqlite_and_postgres_get_the_same_schema() {
    let (_sqlite_db, sqlite) = migrated(TestBackend::Sqlite).await;
    let (_postgres_db, postgres) = migrated(TestBackend::Postgres).await;
    let on_sqlite = match &sqlite.pools {
        Pools::Sqlite(s) => sqlite_schema(&s.read).await,
        Pools::Postgres(_) => unreachable!(),
    };
    let pg = match &postgres.pools {
        Pools::Postgres(p) => p.clone(),
        Pools::Sqlite(_) => unreachable!(),
    };
    let on_postgres = postgres_schema(&pg).await;

    // The comparison is only worth something if the readers see the schema at all.
    assert!(on_sqlite.len() >= 40, "{} tables", on_sqlite.len());
    let persons = &on_sqlite["persons"];
    assert!(!persons.columns.is_empty() && !persons.foreign_keys.is_empty());
    assert!(!persons.indexes.is_empty() && !persons.unique.is_empty());

    let names = |s: &Schema| s.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&on_sqlite), names(&on_postgres), "tables");
    let mut differ = Vec::new();
    for (name, table) in &on_sqlite {
        differ.extend(differences(name, table, &on_postgres[name]));
    }
    assert!(
        differ.is_empty(),
        "the schemas differ:\n{}",
        differ.join("\n")
    );
    assert_eq!(on_sqlite, on_postgres);

    // Name search needs byte-wise order on PostgreSQL (a prefix is then a range).
    let collated: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c WHERE pg_get_indexdef(c.oid) LIKE '%COLLATE \"C\"%' ORDER BY 1",
    )
    .fetch_all(&pg)
    .await
    .unwrap();
    assert_eq!(collated, ["persons_family_lower", "persons_given_lower"]);

    // Bulk loads name their columns by hand; each must exist.
    for t in store::bulk::TABLES {
        let table = on_sqlite
            .get(t.name)
            .unwrap_or_else(|| panic!("bulk table {} is not in the schema", t.name));
        for column in t.columns {
            assert!(
                table.columns.iter().any(|c| c.name == *column),
                "bulk column {}.{column} is not in the schema",
                t.name
            );
        }
    }
}

/// Two nodes starting at once on one PostgreSQL database apply each migration once between them.
#[tokio::test]
async fn concurrent_starts_on_postgres_apply_each_migration_once() {
    let database = testkit::fresh_database_on(TestBackend::Postgres).await;
    let a = Db::connect(&database.url).await.unwrap();
    let b = Db::connect(&database.url).await.unwrap();
    let (from_a, from_b) = tokio::join!(store::migrate::migrate(&a), store::migrate::migrate(&b));
    let mut all = from_a.unwrap();
    all.extend(from_b.unwrap());
    all.sort();
    let expected: Vec<i64> = store::migrate::MIGRATIONS
        .iter()
        .map(|m| m.version)
        .collect();
    assert_eq!(all, expected);
    assert!(store::migrate::migrate(&a).await.unwrap().is_empty());
}
