//! Bulk loading, for generated (fake) data at national size.
//!
//! Rows are built in memory in chunks and written with one transaction per chunk: PostgreSQL
//! gets `COPY ... FROM STDIN` in text format, SQLite multi-row `INSERT`s within its limit of
//! 32 766 bound parameters per statement, on the write pool. Rows carry explicit ids (taken
//! after [`max_id`]), so the caller fills foreign keys without round trips; [`finish`] then
//! moves PostgreSQL's sequences past them (SQLite's AUTOINCREMENT follows by itself) and
//! refreshes the planner's statistics.
//!
//! Nothing here writes audit rows: a data load is not access to personal data, and the caller
//! logs the whole load once (`audit::append_now`).

use crate::db::{Backend, Db, Pools};
use crate::StoreError;
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use sqlx::Row;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// A table and the columns a bulk load fills, in the order values are given.
#[derive(Debug, PartialEq, Eq)]
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [&'static str],
}

impl Table {
    /// Whether the table has a generated `id` (and, on PostgreSQL, a sequence behind it).
    pub fn has_id(&self) -> bool {
        self.columns.first() == Some(&"id")
    }
}

pub const UNITS: Table = Table {
    name: "units",
    columns: &["id", "kommunkod", "name"],
};

pub const STAFF_USERS: Table = Table {
    name: "staff_users",
    columns: &[
        "id",
        "kommunkod",
        "email",
        "display_name",
        "role",
        "password_hash",
        "disabled",
        "is_demo",
        "created_at",
        "totp_secret",
        "password_changed_at",
    ],
};

pub const STAFF_UNITS: Table = Table {
    name: "staff_units",
    columns: &["user_id", "unit_id"],
};

pub const PERSONS: Table = Table {
    name: "persons",
    columns: &[
        "id",
        "kommunkod",
        "id_kind",
        "id_number",
        "internal_ref",
        "given_name",
        "family_name",
        "phone",
        "email",
        "address_line",
        "postal_code",
        "city",
        "protection",
        "children_in_household",
        "created_at",
        "created_by",
        "is_demo",
    ],
};

pub const PROTECTED_ADDRESSES: Table = Table {
    name: "protected_addresses",
    columns: &[
        "person_id",
        "address_line",
        "postal_code",
        "city",
        "recorded_at",
    ],
};

pub const PERSON_RELATIONS: Table = Table {
    name: "person_relations",
    columns: &[
        "id",
        "kommunkod",
        "carer_id",
        "recipient_id",
        "kind",
        "lives_together",
        "created_at",
    ],
};

pub const CONTACT_REQUESTS: Table = Table {
    name: "contact_requests",
    columns: &[
        "id",
        "kommunkod",
        "reference",
        "received_at",
        "anonymous",
        "name",
        "phone",
        "email",
        "personnummer",
        "relation",
        "recipient_age_group",
        "recipient_conditions",
        "recipient_is_child",
        "carer_age_group",
        "young_carer",
        "involves_child",
        "wants",
        "message",
        "preferred_time",
        "consent",
        "status",
        "is_demo",
        "assigned_to",
        "assigned_at",
    ],
};

pub const CASES: Table = Table {
    name: "cases",
    columns: &[
        "id",
        "kommunkod",
        "case_number",
        "kind",
        "status",
        "unit_id",
        "assigned_to",
        "contact_request_id",
        "opened_at",
        "opened_by",
        "is_demo",
    ],
};

pub const CASE_PERSONS: Table = Table {
    name: "case_persons",
    columns: &["case_id", "person_id", "role"],
};

pub const CASE_EVENTS: Table = Table {
    name: "case_events",
    columns: &["id", "case_id", "at", "by_user", "kind", "detail"],
};

pub const JOURNAL_ENTRIES: Table = Table {
    name: "journal_entries",
    columns: &["id", "case_id", "kommunkod", "at", "author", "kind", "text"],
};

pub const JOURNAL_MARKS: Table = Table {
    name: "journal_marks",
    columns: &["id", "entry_id", "at", "by_user", "reason"],
};

/// Every table a bulk load fills, parents before children.
pub const TABLES: &[&Table] = &[
    &UNITS,
    &STAFF_USERS,
    &STAFF_UNITS,
    &PERSONS,
    &PROTECTED_ADDRESSES,
    &PERSON_RELATIONS,
    &CONTACT_REQUESTS,
    &CASES,
    &CASE_PERSONS,
    &CASE_EVENTS,
    &JOURNAL_ENTRIES,
    &JOURNAL_MARKS,
];

/// SQLite's limit on bound parameters in one statement.
const SQLITE_MAX_PARAMETERS: usize = 32_766;

/// One value for SQLite, bound as the application binds it (times as RFC 3339 text).
#[derive(Debug, Clone)]
enum Value {
    Null,
    Int(i64),
    Text(String),
    Bool(bool),
    Time(DateTime<Utc>),
}

/// A chunk of rows for one table, encoded for the backend as they are added: COPY text for
/// PostgreSQL, values to bind for SQLite. Give each row's values in the table's column order
/// and end it with [`Rows::end_row`].
#[derive(Debug)]
pub struct Rows {
    table: &'static Table,
    backend: Backend,
    copy: String,
    values: Vec<Value>,
    rows: usize,
    col: usize,
    /// The first row that did not have one value per column; reported by [`write`].
    misshapen: Option<usize>,
}

impl Rows {
    pub fn new(table: &'static Table, backend: Backend) -> Self {
        Self {
            table,
            backend,
            copy: String::new(),
            values: Vec::new(),
            rows: 0,
            col: 0,
            misshapen: None,
        }
    }

    pub fn table(&self) -> &'static Table {
        self.table
    }

    /// Finished rows.
    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Roughly how many bytes the chunk holds, for sizing chunks.
    pub fn bytes(&self) -> usize {
        self.copy.len() + self.values.len() * std::mem::size_of::<Value>()
    }

    fn next_field(&mut self) {
        if self.backend == Backend::Postgres && self.col > 0 {
            self.copy.push('\t');
        }
        self.col += 1;
    }

    pub fn int(&mut self, v: i64) -> &mut Self {
        self.next_field();
        match self.backend {
            Backend::Postgres => {
                let _ = write!(self.copy, "{v}");
            }
            Backend::Sqlite => self.values.push(Value::Int(v)),
        }
        self
    }

    pub fn opt_int(&mut self, v: Option<i64>) -> &mut Self {
        match v {
            Some(v) => self.int(v),
            None => self.null(),
        }
    }

    pub fn text(&mut self, v: &str) -> &mut Self {
        self.next_field();
        match self.backend {
            Backend::Postgres => {
                // COPY text format: backslash, tab, newline and carriage return are escaped.
                for c in v.chars() {
                    match c {
                        '\\' => self.copy.push_str("\\\\"),
                        '\t' => self.copy.push_str("\\t"),
                        '\n' => self.copy.push_str("\\n"),
                        '\r' => self.copy.push_str("\\r"),
                        c => self.copy.push(c),
                    }
                }
            }
            Backend::Sqlite => self.values.push(Value::Text(v.to_owned())),
        }
        self
    }

    pub fn opt_text(&mut self, v: Option<&str>) -> &mut Self {
        match v {
            Some(v) => self.text(v),
            None => self.null(),
        }
    }

    pub fn bool(&mut self, v: bool) -> &mut Self {
        self.next_field();
        match self.backend {
            Backend::Postgres => self.copy.push(if v { 't' } else { 'f' }),
            Backend::Sqlite => self.values.push(Value::Bool(v)),
        }
        self
    }

    /// A timestamp, stored as the application stores it on each backend.
    pub fn time(&mut self, v: DateTime<Utc>) -> &mut Self {
        self.next_field();
        match self.backend {
            Backend::Postgres => {
                let t = v.naive_utc();
                let _ = write!(
                    self.copy,
                    "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}+00",
                    t.year(),
                    t.month(),
                    t.day(),
                    t.hour(),
                    t.minute(),
                    t.second(),
                    t.nanosecond() / 1_000
                );
            }
            Backend::Sqlite => self.values.push(Value::Time(v)),
        }
        self
    }

    pub fn opt_time(&mut self, v: Option<DateTime<Utc>>) -> &mut Self {
        match v {
            Some(v) => self.time(v),
            None => self.null(),
        }
    }

    pub fn null(&mut self) -> &mut Self {
        self.next_field();
        match self.backend {
            Backend::Postgres => self.copy.push_str("\\N"),
            Backend::Sqlite => self.values.push(Value::Null),
        }
        self
    }

    /// Ends the current row.
    pub fn end_row(&mut self) {
        if self.col != self.table.columns.len() && self.misshapen.is_none() {
            self.misshapen = Some(self.rows);
        }
        if self.backend == Backend::Postgres {
            self.copy.push('\n');
        }
        self.rows += 1;
        self.col = 0;
    }
}

fn insert_sql(table: &Table, rows: usize) -> String {
    let one = format!("({})", vec!["?"; table.columns.len()].join(","));
    let mut sql = format!(
        "INSERT INTO {} ({}) VALUES ",
        table.name,
        table.columns.join(", ")
    );
    sql.reserve(rows * (one.len() + 1));
    for i in 0..rows {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&one);
    }
    sql
}

/// Writes a chunk in one transaction (one COPY on PostgreSQL); returns the rows written.
/// Every constraint is checked as for any insert: a chunk that breaks one is not written.
pub async fn write(db: &Db, rows: Rows) -> Result<u64, StoreError> {
    let table = rows.table;
    if let Some(at) = rows.misshapen {
        return Err(StoreError::Corrupt(format!(
            "bulk rows for {}: row {at} does not have {} values",
            table.name,
            table.columns.len()
        )));
    }
    if rows.rows == 0 {
        return Ok(0);
    }
    let n = rows.rows;
    match &db.pools {
        Pools::Postgres(pool) => {
            let mut conn = pool.acquire().await?;
            let statement = format!(
                "COPY {} ({}) FROM STDIN",
                table.name,
                table.columns.join(", ")
            );
            let mut copy = conn.copy_in_raw(&statement).await?;
            copy.send(rows.copy.into_bytes()).await?;
            copy.finish().await?;
        }
        Pools::Sqlite(pools) => {
            let width = table.columns.len().max(1);
            let per_statement = (SQLITE_MAX_PARAMETERS / width).max(1);
            let full_sql = insert_sql(table, per_statement.min(n));
            let mut values = rows.values.into_iter();
            let mut left = n;
            let mut tx = pools.write.begin().await?;
            while left > 0 {
                let take = left.min(per_statement);
                let partial_sql;
                let sql = if take == per_statement.min(n) {
                    &full_sql
                } else {
                    partial_sql = insert_sql(table, take);
                    &partial_sql
                };
                let mut q = sqlx::query(sql);
                for v in values.by_ref().take(take * width) {
                    q = match v {
                        Value::Null => q.bind(None::<i64>),
                        Value::Int(i) => q.bind(i),
                        Value::Text(s) => q.bind(s),
                        Value::Bool(b) => q.bind(b),
                        Value::Time(t) => q.bind(t),
                    };
                }
                q.execute(&mut *tx).await?;
                left -= take;
            }
            tx.commit().await?;
        }
    }
    Ok(n as u64)
}

/// The highest id in a table (0 when empty): generated rows take ids after it.
pub async fn max_id(db: &Db, table: &Table) -> Result<i64, StoreError> {
    let sql = format!("SELECT MAX(id) FROM {}", table.name);
    let max: Option<i64> = crate::with_pool!(db, pool => {
        sqlx::query_scalar(&sql).fetch_one(pool).await?
    });
    Ok(max.unwrap_or(0))
}

/// The municipalities that already hold persons or cases, or units named like `unit_names`,
/// or staff accounts whose e-mail matches the SQL pattern `staff_email_like`: a generator
/// that fills empty municipalities must leave these alone.
pub async fn occupied(
    db: &Db,
    unit_names: &[&str],
    staff_email_like: &str,
) -> Result<BTreeSet<String>, StoreError> {
    let mut found = BTreeSet::new();
    crate::with_pool!(db, pool => {
        for sql in [
            "SELECT DISTINCT kommunkod FROM persons",
            "SELECT DISTINCT kommunkod FROM cases",
        ] {
            let ks: Vec<String> = sqlx::query_scalar(sql).fetch_all(pool).await?;
            found.extend(ks);
        }
        for name in unit_names {
            let ks: Vec<String> = sqlx::query_scalar("SELECT kommunkod FROM units WHERE name = $1")
                .bind(*name)
                .fetch_all(pool)
                .await?;
            found.extend(ks);
        }
        let ks: Vec<Option<String>> = sqlx::query_scalar("SELECT kommunkod FROM staff_users WHERE email LIKE $1")
            .bind(staff_email_like)
            .fetch_all(pool)
            .await?;
        found.extend(ks.into_iter().flatten());
    });
    Ok(found)
}

/// After a load: moves PostgreSQL's id sequences past the highest id of every table given
/// (SQLite's AUTOINCREMENT already follows explicit ids), then refreshes the statistics
/// the query planner uses: `VACUUM (ANALYZE)` of those tables on PostgreSQL, `ANALYZE`
/// on SQLite.
pub async fn finish(db: &Db, tables: &[&Table]) -> Result<(), StoreError> {
    match &db.pools {
        Pools::Postgres(pool) => {
            for t in tables.iter().filter(|t| t.has_id()) {
                sqlx::query(&format!(
                    "SELECT setval(pg_get_serial_sequence('{0}', 'id'), MAX(id)) FROM {0}",
                    t.name
                ))
                .execute(pool)
                .await?;
            }
            if !tables.is_empty() {
                // VACUUM too: it sets the visibility map and hint bits now, so the first
                // reads after a load do not write, and autovacuum has nothing left to do.
                let names: Vec<&str> = tables.iter().map(|t| t.name).collect();
                sqlx::query(&format!("VACUUM (ANALYZE) {}", names.join(", ")))
                    .execute(pool)
                    .await?;
            }
        }
        Pools::Sqlite(pools) => {
            sqlx::query("ANALYZE").execute(&pools.write).await?;
        }
    }
    Ok(())
}

/// Rows in every table a bulk load fills, in [`TABLES`] order.
pub async fn counts(db: &Db) -> Result<Vec<(&'static str, i64)>, StoreError> {
    let mut out = Vec::with_capacity(TABLES.len());
    for t in TABLES {
        let sql = format!("SELECT COUNT(*) FROM {}", t.name);
        let n: i64 = crate::with_pool!(db, pool => {
            sqlx::query_scalar(&sql).fetch_one(pool).await?
        });
        out.push((t.name, n));
    }
    Ok(out)
}

/// What [`check`] found: each field counts the rows that break one rule (0 is right).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Consistency {
    /// Persons looked at.
    pub persons: i64,
    /// A number that does not parse as a personnummer or samordningsnummer on `today`, is
    /// not in its canonical form, or does not match `id_kind`.
    pub bad_numbers: i64,
    /// Persons, cases, contact requests and staff accounts not marked as demo data.
    pub not_demo: i64,
    /// Skyddad folkbokföring with an address in `persons`.
    pub protected_with_address: i64,
    /// Journal entries whose `kommunkod` is not their case's.
    pub journal_other_kommun: i64,
    /// Journal entries or marks written by staff of another municipality.
    pub author_other_kommun: i64,
    /// Persons linked to a case, or relations, across municipalities.
    pub person_other_kommun: i64,
    /// Cases whose unit, assignee or opener, or staff whose unit, is of another municipality.
    pub staff_other_kommun: i64,
}

impl Consistency {
    /// The rules broken, as text; empty when every rule holds.
    pub fn problems(&self) -> Vec<String> {
        [
            ("invalid or non-canonical id numbers", self.bad_numbers),
            ("rows not marked demo", self.not_demo),
            (
                "skyddad folkbokföring with a visible address",
                self.protected_with_address,
            ),
            (
                "journal entries in another municipality than their case",
                self.journal_other_kommun,
            ),
            (
                "journal rows by staff of another municipality",
                self.author_other_kommun,
            ),
            (
                "persons linked across municipalities",
                self.person_other_kommun,
            ),
            (
                "staff, units and cases across municipalities",
                self.staff_other_kommun,
            ),
        ]
        .into_iter()
        .filter(|(_, n)| *n != 0)
        .map(|(what, n)| format!("{n} {what}"))
        .collect()
    }
}

/// Checks generated data against the rules a load must keep. It reads id numbers to check
/// them but returns only counts; for tests and for operators after a load.
pub async fn check(db: &Db, today: NaiveDate) -> Result<Consistency, StoreError> {
    let count = |sql: &'static str| async move {
        let n: i64 = crate::with_pool!(db, pool => {
            sqlx::query_scalar(sql).fetch_one(pool).await?
        });
        Ok::<i64, StoreError>(n)
    };
    let mut c = Consistency {
        not_demo: count(
            "SELECT (SELECT COUNT(*) FROM persons WHERE is_demo = FALSE) \
             + (SELECT COUNT(*) FROM cases WHERE is_demo = FALSE) \
             + (SELECT COUNT(*) FROM contact_requests WHERE is_demo = FALSE) \
             + (SELECT COUNT(*) FROM staff_users WHERE is_demo = FALSE)",
        )
        .await?,
        protected_with_address: count(
            "SELECT COUNT(*) FROM persons WHERE protection = 'skyddad_folkbokforing' \
             AND (address_line IS NOT NULL OR postal_code IS NOT NULL OR city IS NOT NULL)",
        )
        .await?,
        journal_other_kommun: count(
            "SELECT COUNT(*) FROM journal_entries j JOIN cases c ON c.id = j.case_id \
             WHERE j.kommunkod <> c.kommunkod",
        )
        .await?,
        author_other_kommun: count(
            "SELECT (SELECT COUNT(*) FROM journal_entries j JOIN staff_users s ON s.id = j.author \
               WHERE s.kommunkod IS NULL OR s.kommunkod <> j.kommunkod) \
             + (SELECT COUNT(*) FROM journal_marks m JOIN journal_entries j ON j.id = m.entry_id \
               JOIN staff_users s ON s.id = m.by_user WHERE s.kommunkod IS NULL OR s.kommunkod <> j.kommunkod)",
        )
        .await?,
        person_other_kommun: count(
            "SELECT (SELECT COUNT(*) FROM case_persons cp JOIN cases c ON c.id = cp.case_id \
               JOIN persons p ON p.id = cp.person_id WHERE p.kommunkod <> c.kommunkod) \
             + (SELECT COUNT(*) FROM person_relations r JOIN persons a ON a.id = r.carer_id \
               JOIN persons b ON b.id = r.recipient_id \
               WHERE a.kommunkod <> r.kommunkod OR b.kommunkod <> r.kommunkod)",
        )
        .await?,
        staff_other_kommun: count(
            "SELECT (SELECT COUNT(*) FROM cases c JOIN units u ON u.id = c.unit_id WHERE u.kommunkod <> c.kommunkod) \
             + (SELECT COUNT(*) FROM cases c JOIN staff_users s ON s.id = c.assigned_to \
               WHERE s.kommunkod IS NULL OR s.kommunkod <> c.kommunkod) \
             + (SELECT COUNT(*) FROM cases c JOIN staff_users s ON s.id = c.opened_by \
               WHERE s.kommunkod IS NULL OR s.kommunkod <> c.kommunkod) \
             + (SELECT COUNT(*) FROM staff_units su JOIN staff_users s ON s.id = su.user_id \
               JOIN units u ON u.id = su.unit_id WHERE s.kommunkod IS NULL OR s.kommunkod <> u.kommunkod)",
        )
        .await?,
        ..Consistency::default()
    };
    // Id numbers, page by page.
    let mut after = 0i64;
    loop {
        let page: Vec<(i64, String, Option<String>)> = crate::with_pool!(db, pool => {
            sqlx::query("SELECT id, id_kind, id_number FROM persons WHERE id > $1 ORDER BY id LIMIT 20000")
                .bind(after)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| Ok((r.try_get("id")?, r.try_get("id_kind")?, r.try_get("id_number")?)))
                .collect::<Result<_, StoreError>>()?
        });
        let Some((last, _, _)) = page.last() else {
            break;
        };
        after = *last;
        for (_, kind, number) in page {
            c.persons += 1;
            let ok = match (kind.as_str(), number) {
                ("none", None) => true,
                (kind, Some(n)) => domain::Personnummer::parse(&n, today).is_ok_and(|p| {
                    p.canonical() == n
                        && kind
                            == match p.kind() {
                                domain::personnummer::IdKind::Personnummer => "personnummer",
                                domain::personnummer::IdKind::Samordningsnummer => {
                                    "samordningsnummer"
                                }
                            }
                }),
                _ => false,
            };
            if !ok {
                c.bad_numbers += 1;
            }
        }
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_is_escaped_and_shaped() {
        let mut rows = Rows::new(&UNITS, Backend::Postgres);
        rows.int(7).text("0180").text("a\tb\\c\nd");
        rows.end_row();
        rows.int(8).null().bool(true);
        rows.end_row();
        assert_eq!(rows.copy, "7\t0180\ta\\tb\\\\c\\nd\n8\t\\N\tt\n");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows.misshapen, None);
        rows.int(9);
        rows.end_row();
        assert_eq!(rows.misshapen, Some(2));
    }

    #[test]
    fn copy_times_are_utc_with_microseconds() {
        let mut rows = Rows::new(&JOURNAL_MARKS, Backend::Postgres);
        let t = DateTime::from_timestamp_micros(1_764_072_000_123_456).unwrap_or_default();
        rows.time(t);
        assert_eq!(rows.copy, "2025-11-25 12:00:00.123456+00");
    }

    #[test]
    fn sqlite_statements_have_one_placeholder_per_value() {
        let sql = insert_sql(&STAFF_UNITS, 3);
        assert_eq!(
            sql,
            "INSERT INTO staff_units (user_id, unit_id) VALUES (?,?),(?,?),(?,?)"
        );
    }
}
