//! Municipalities, their settings and their contacts.

use crate::db::Db;
use crate::StoreError;
use chrono::Utc;
use domain::{Kommunkod, Municipality};
use serde::{Deserialize, Serialize};

/// Kinds of contact a municipality lists.
pub const CONTACT_KINDS: &[&str] = &[
    "carer_support_officer",
    "case_officer_intake",
    "administration",
    "board_politicians",
    "elderly_ombudsman",
    "patient_ombudsman",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Settings {
    pub switchboard_phone: Option<String>,
    pub email: Option<String>,
    pub visiting_address: Option<String>,
    pub opening_hours: Option<String>,
    pub board_name: String,
    pub website: Option<String>,
    #[serde(default)]
    pub is_demo: bool,
    /// Staff who read cases must use a second factor.
    #[serde(default = "yes")]
    pub require_mfa: bool,
}

fn yes() -> bool {
    true
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            switchboard_phone: None,
            email: None,
            visiting_address: None,
            opening_hours: None,
            board_name: String::new(),
            website: None,
            is_demo: false,
            require_mfa: true,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Contact {
    pub kind: String,
    pub name: String,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub note: Option<String>,
}

/// A row of `municipalities`; `Municipality` lives in `domain`, which knows nothing of sqlx.
#[derive(sqlx::FromRow)]
struct MunicipalityRow {
    #[sqlx(try_from = "String")]
    kommunkod: Kommunkod,
    name: String,
    region_code: String,
    region_name: String,
}

impl From<MunicipalityRow> for Municipality {
    fn from(r: MunicipalityRow) -> Self {
        Self {
            kommunkod: r.kommunkod,
            name: r.name,
            region_code: r.region_code,
            region_name: r.region_name,
        }
    }
}

/// Loads the shipped list into the table (idempotent: inserts the missing, renames the changed).
pub async fn sync_all(db: &Db, all: &[Municipality]) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    crate::with_tx!(&mut tx, c => {
        for m in all {
            sqlx::query(
                "INSERT INTO municipalities (kommunkod, name, region_code, region_name) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (kommunkod) DO UPDATE SET name = excluded.name, region_code = excluded.region_code, region_name = excluded.region_name",
            )
            .bind(m.kommunkod.as_str())
            .bind(&m.name)
            .bind(&m.region_code)
            .bind(&m.region_name)
            .execute(&mut *c)
            .await?;
        }
    });
    tx.commit().await
}

/// The day the municipality began using the system: when its first staff account was made.
/// `None` while it has none.
pub async fn joined_on(db: &Db, kommunkod: &str) -> Result<Option<chrono::NaiveDate>, StoreError> {
    let first: Option<chrono::DateTime<Utc>> = crate::with_pool!(db, pool => {
        sqlx::query_scalar(
            "SELECT created_at FROM staff_users WHERE kommunkod = $1 ORDER BY created_at LIMIT 1",
        )
        .bind(kommunkod)
        .fetch_optional(pool)
        .await?
    });
    Ok(first.map(|t| t.date_naive()))
}

pub async fn list(db: &Db) -> Result<Vec<Municipality>, StoreError> {
    let rows: Vec<MunicipalityRow> = crate::with_pool!(db, pool => {
        sqlx::query_as("SELECT kommunkod, name, region_code, region_name FROM municipalities ORDER BY kommunkod")
            .fetch_all(pool)
            .await?
    });
    Ok(rows.into_iter().map(Municipality::from).collect())
}

pub async fn settings(db: &Db, kommunkod: &str) -> Result<Option<Settings>, StoreError> {
    crate::with_pool!(db, pool => {
        Ok(sqlx::query_as("SELECT * FROM municipality_settings WHERE kommunkod = $1")
            .bind(kommunkod)
            .fetch_optional(pool)
            .await?)
    })
}

/// Replaces the settings and the contact list in one transaction.
pub async fn save_settings(
    db: &Db,
    kommunkod: &str,
    s: &Settings,
    contacts: &[Contact],
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    crate::with_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO municipality_settings (kommunkod, switchboard_phone, email, visiting_address, opening_hours, board_name, website, is_demo, updated_at, require_mfa) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (kommunkod) DO UPDATE SET switchboard_phone = excluded.switchboard_phone, email = excluded.email, \
             visiting_address = excluded.visiting_address, opening_hours = excluded.opening_hours, board_name = excluded.board_name, \
             website = excluded.website, is_demo = excluded.is_demo, updated_at = excluded.updated_at, require_mfa = excluded.require_mfa",
        )
        .bind(kommunkod)
        .bind(&s.switchboard_phone)
        .bind(&s.email)
        .bind(&s.visiting_address)
        .bind(&s.opening_hours)
        .bind(&s.board_name)
        .bind(&s.website)
        .bind(s.is_demo)
        .bind(Utc::now())
        .bind(s.require_mfa)
        .execute(&mut *c)
        .await?;
        // Contacts are public directory data, not personal case data: the list is replaced whole.
        sqlx::query("DELETE FROM municipality_contacts WHERE kommunkod = $1")
            .bind(kommunkod)
            .execute(&mut *c)
            .await?;
        for (i, k) in contacts.iter().enumerate() {
            sqlx::query(
                "INSERT INTO municipality_contacts (kommunkod, kind, name, title, phone, email, note, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(kommunkod)
            .bind(&k.kind)
            .bind(&k.name)
            .bind(&k.title)
            .bind(&k.phone)
            .bind(&k.email)
            .bind(&k.note)
            .bind(i as i64)
            .execute(&mut *c)
            .await?;
        }
    });
    tx.commit().await
}

pub async fn contacts(db: &Db, kommunkod: &str) -> Result<Vec<Contact>, StoreError> {
    crate::with_pool!(db, pool => {
        Ok(sqlx::query_as("SELECT kind, name, title, phone, email, note FROM municipality_contacts WHERE kommunkod = $1 ORDER BY position")
            .bind(kommunkod)
            .fetch_all(pool)
            .await?)
    })
}
