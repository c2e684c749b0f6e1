//! Persons: carers and care recipients. With skyddad folkbokföring the address is stored
//! apart (`protected_addresses`) and no query here ever returns it.

use crate::access::PersonGrant;
use crate::audit::{self, Origin};
use crate::db::{Db, Tx};
use crate::StoreError;
use chrono::{DateTime, NaiveDate, Utc};
use domain::case::{NewPerson, Protection, RelationKind};
use domain::policy::CaseRef;
use domain::Personnummer;
use rand::RngCore;
use serde::Serialize;
use sqlx::Row;

/// What lists and search results show: never an address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PersonSummary {
    pub id: i64,
    pub internal_ref: String,
    pub id_number: Option<String>,
    pub given_name: String,
    pub family_name: String,
    #[sqlx(try_from = "String")]
    pub protection: Protection,
    pub is_demo: bool,
}

/// The person's own record. `address_line` etc. are empty for a protected address; the
/// record only says that one exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PersonRecord {
    #[serde(flatten)]
    #[sqlx(flatten)]
    pub summary: PersonSummary,
    pub id_kind: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address_line: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub has_protected_address: bool,
    pub children_in_household: bool,
    pub created_at: DateTime<Utc>,
    pub birth_date: Option<NaiveDate>,
    /// Set when this record was a duplicate, merged into that one.
    pub merged_into: Option<i64>,
}

const SUMMARY: &str = "id, internal_ref, id_number, given_name, family_name, protection, is_demo";

/// A summary from columns named with a prefix (`a_id`, `a_internal_ref`, ...), for rows that
/// carry two persons. The derive has no prefixes, so this one is by hand.
macro_rules! summary_prefixed {
    ($r:expr, $p:literal) => {
        PersonSummary {
            id: $r.try_get(concat!($p, "id"))?,
            internal_ref: $r.try_get(concat!($p, "internal_ref"))?,
            id_number: $r.try_get(concat!($p, "id_number"))?,
            given_name: $r.try_get(concat!($p, "given_name"))?,
            family_name: $r.try_get(concat!($p, "family_name"))?,
            protection: Protection::try_from($r.try_get::<String, _>(concat!($p, "protection"))?)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            is_demo: $r.try_get(concat!($p, "is_demo"))?,
        }
    };
}

fn internal_ref() -> String {
    let mut b = [0u8; 6];
    rand::thread_rng().fill_bytes(&mut b);
    format!("P-{}", hex::encode(b).to_uppercase())
}

/// Stores a new person; `None` if the number is already registered in the municipality.
pub async fn create(
    db: &Db,
    kommunkod: &str,
    p: &NewPerson,
    created_by: Option<i64>,
    is_demo: bool,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Option<i64>, StoreError> {
    let mut tx = db.begin().await?;
    let Some(id) = insert(&mut tx, kommunkod, p, created_by, is_demo, now).await? else {
        return Ok(None);
    };
    let mut e = origin.event(
        Some(kommunkod),
        "person.create",
        "person",
        Some(id.to_string()),
    );
    e.persons = vec![format!("person:{id}")];
    audit::commit_with(tx, now, &e).await?;
    Ok(Some(id))
}

/// The insert of [`create`] inside a caller's transaction (which writes the audit row).
pub(crate) async fn insert(
    tx: &mut Tx,
    kommunkod: &str,
    p: &NewPerson,
    created_by: Option<i64>,
    is_demo: bool,
    now: DateTime<Utc>,
) -> Result<Option<i64>, StoreError> {
    let hidden = p.protection.hides_address();
    let (line, postal, city) = match (&p.address, hidden) {
        (Some((l, pc, c)), false) => (Some(l.clone()), pc.clone(), c.clone()),
        _ => (None, None, None),
    };
    let id: Option<i64> = crate::with_tx!(tx, c => {
        sqlx::query_scalar(
            "INSERT INTO persons (kommunkod, id_kind, id_number, internal_ref, given_name, family_name, phone, email, \
             address_line, postal_code, city, protection, children_in_household, created_at, created_by, is_demo, birth_date) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
             ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(kommunkod)
        .bind(p.id_number.as_ref().map_or("none", |n| match n.kind() {
            domain::personnummer::IdKind::Personnummer => "personnummer",
            domain::personnummer::IdKind::Samordningsnummer => "samordningsnummer",
        }))
        .bind(p.id_number.as_ref().map(Personnummer::canonical))
        .bind(internal_ref())
        .bind(&p.given_name)
        .bind(&p.family_name)
        .bind(&p.phone)
        .bind(&p.email)
        .bind(line)
        .bind(postal)
        .bind(city)
        .bind(p.protection.as_str())
        .bind(p.children_in_household)
        .bind(now)
        .bind(created_by)
        .bind(is_demo)
        .bind(p.birth_date())
        .fetch_optional(&mut *c)
        .await?
    });
    let Some(id) = id else {
        return Ok(None);
    };
    if let (Some((l, pc, c)), true) = (&p.address, hidden) {
        crate::with_tx!(tx, conn => {
            sqlx::query("INSERT INTO protected_addresses (person_id, address_line, postal_code, city, recorded_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(id)
                .bind(l)
                .bind(pc)
                .bind(c)
                .bind(now)
                .execute(&mut *conn)
                .await?;
        });
    }
    Ok(Some(id))
}

/// The cases a person is linked to, as the policy needs them. Not personal data itself,
/// and so not logged; the read that follows a yes is.
pub async fn case_refs(
    db: &Db,
    kommunkod: &str,
    person_id: i64,
) -> Result<Option<(Vec<CaseRef>, Option<i64>)>, StoreError> {
    let k =
        domain::Kommunkod::parse(kommunkod).map_err(|_| StoreError::Corrupt(kommunkod.into()))?;
    crate::with_pool!(db, pool => {
        // The outer Option: the person exists here; the inner: who registered them.
        let created_by: Option<Option<i64>> = sqlx::query_scalar("SELECT created_by FROM persons WHERE kommunkod = $1 AND id = $2")
            .bind(kommunkod)
            .bind(person_id)
            .fetch_optional(pool)
            .await?;
        let Some(created_by) = created_by else {
            return Ok(None);
        };
        let rows = sqlx::query(
            "SELECT c.unit_id, c.assigned_to FROM case_persons cp JOIN cases c ON c.id = cp.case_id WHERE cp.person_id = $1 AND c.kommunkod = $2",
        )
        .bind(person_id)
        .bind(kommunkod)
        .fetch_all(pool)
        .await?;
        rows.iter()
            .map(|r| Ok(CaseRef { kommunkod: k, unit_id: r.try_get("unit_id")?, assigned_to: r.try_get("assigned_to")? }))
            .collect::<Result<Vec<_>, StoreError>>()
            .map(|cases| Some((cases, created_by)))
    })
}

/// A person's record, logged as read (with the reason when it is emergency access).
pub async fn get(
    db: &Db,
    grant: &PersonGrant,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Option<PersonRecord>, StoreError> {
    let (kommun, id, reason) = (grant.kommun(), grant.id(), grant.audit_reason());
    let kommunkod = kommun.as_str();
    let record: Option<PersonRecord> = crate::with_pool!(db, pool => {
        sqlx::query_as(
            "SELECT p.*, EXISTS (SELECT 1 FROM protected_addresses a WHERE a.person_id = p.id) AS has_protected_address \
             FROM persons p WHERE p.kommunkod = $1 AND p.id = $2",
        )
        .bind(kommunkod)
        .bind(id)
        .fetch_optional(pool)
        .await?
    });
    if record.is_some() {
        let mut e = origin.event(
            Some(kommunkod),
            "person.read",
            "person",
            Some(id.to_string()),
        );
        e.persons = vec![format!("person:{id}")];
        e.reason = reason.map(str::to_owned);
        audit::append_now(db, now, &e).await?;
    }
    Ok(record)
}

/// Finds persons by name or number in one municipality. The log names who was found, not
/// what was typed (the query may itself be a personnummer).
pub async fn search(
    db: &Db,
    kommunkod: &str,
    query: &str,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Vec<PersonSummary>, StoreError> {
    let q = query.trim();
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    let today = domain::clock::stockholm_date(now);
    // Three ways to search: a whole number (exact, indexed), part of a number (a scan of the
    // municipality's numbers), or names (indexed prefix ranges on the lower-cased names).
    let (sql, a, b, c, d, e2, f) = if let Ok(p) = domain::Personnummer::parse(q, today) {
        (
            format!("SELECT {SUMMARY} FROM persons WHERE kommunkod = $1 AND merged_into IS NULL AND id_number = $2 AND $3 = $3 AND $4 = $4 AND $5 = $5 AND $6 = $6 AND $7 = $7 LIMIT 50"),
            p.canonical(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        )
    } else if digits.len() >= 6 {
        (
            format!("SELECT {SUMMARY} FROM persons WHERE kommunkod = $1 AND merged_into IS NULL AND REPLACE(id_number, '-', '') LIKE $2 AND $3 = $3 AND $4 = $4 AND $5 = $5 AND $6 = $6 AND $7 = $7 ORDER BY family_name, given_name, id LIMIT 50"),
            format!("%{digits}%"),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        )
    } else {
        let Some(name) = crate::name_prefix::NamePrefix::new(q) else {
            return Ok(Vec::new());
        };
        let mut v = name.values().map(str::to_owned);
        let mut value = || v.next().unwrap_or_default();
        (
            format!(
                "SELECT {SUMMARY} FROM persons WHERE kommunkod = $1 AND merged_into IS NULL AND {} \
                 ORDER BY family_name, given_name, id LIMIT 50",
                crate::name_prefix::NamePrefix::condition(db.backend(), "persons", 2),
            ),
            value(),
            value(),
            value(),
            value(),
            value(),
            value(),
        )
    };
    let found: Vec<PersonSummary> = crate::with_pool!(db, pool => {
        sqlx::query_as(&sql)
            .bind(kommunkod)
            .bind(&a)
            .bind(&b)
            .bind(&c)
            .bind(&d)
            .bind(&e2)
            .bind(&f)
            .fetch_all(pool)
            .await?
    });
    let mut e = origin.event(Some(kommunkod), "person.search", "person", None);
    e.persons = found.iter().map(|p| format!("person:{}", p.id)).collect();
    audit::append_now(db, now, &e).await?;
    Ok(found)
}

/// The person registered under this number in the municipality, if any; not logged, as it
/// reads nothing but the id (what the caller may do with it is the policy's to say).
pub async fn id_by_number(
    db: &Db,
    kommunkod: &str,
    number: &Personnummer,
) -> Result<Option<i64>, StoreError> {
    crate::with_pool!(db, pool => {
        Ok(sqlx::query_scalar("SELECT id FROM persons WHERE kommunkod = $1 AND id_number = $2")
            .bind(kommunkod)
            .bind(number.canonical())
            .fetch_optional(pool)
            .await?)
    })
}

/// Finds a person by personnummer (any accepted form) or internal reference, for a log
/// review; not logged itself, as the review that uses it is.
pub async fn find_by_number_or_ref(
    db: &Db,
    kommunkod: &str,
    canonical_number: Option<&str>,
    reference: &str,
) -> Result<Option<i64>, StoreError> {
    crate::with_pool!(db, pool => {
        Ok(sqlx::query_scalar("SELECT id FROM persons WHERE kommunkod = $1 AND (id_number = $2 OR internal_ref = $3) LIMIT 1")
            .bind(kommunkod)
            .bind(canonical_number)
            .bind(reference.trim().to_uppercase())
            .fetch_optional(pool)
            .await?)
    })
}

/// A relation as a person's page shows it: the other person and how they are related.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Relation {
    pub carer: PersonSummary,
    pub recipient: PersonSummary,
    pub kind: RelationKind,
    pub lives_together: bool,
}

/// Records that `carer` cares for `recipient`; both must be in the municipality. Returns
/// false if either is not (or the relation exists already).
#[allow(clippy::too_many_arguments)]
pub async fn add_relation(
    db: &Db,
    kommunkod: &str,
    carer: i64,
    recipient: i64,
    kind: RelationKind,
    lives_together: bool,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<bool, StoreError> {
    if carer == recipient {
        return Ok(false);
    }
    let mut tx = db.begin().await?;
    let n = crate::with_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO person_relations (kommunkod, carer_id, recipient_id, kind, lives_together, created_at) \
             SELECT $1, a.id, b.id, $2, $3, $4 FROM persons a, persons b \
             WHERE a.id = $5 AND b.id = $6 AND a.kommunkod = $1 AND b.kommunkod = $1 ON CONFLICT DO NOTHING",
        )
        .bind(kommunkod)
        .bind(kind.as_str())
        .bind(lives_together)
        .bind(now)
        .bind(carer)
        .bind(recipient)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    if n == 0 {
        return Ok(false);
    }
    let mut e = origin.event(
        Some(kommunkod),
        "person.relation_add",
        "person",
        Some(carer.to_string()),
    );
    e.persons = vec![format!("person:{carer}"), format!("person:{recipient}")];
    audit::commit_with(tx, now, &e).await?;
    Ok(true)
}

/// The relations a person is part of, either side. Not logged here: the caller logs the read
/// of the page it belongs to, naming the related persons.
pub async fn relations(db: &Db, kommunkod: &str, person: i64) -> Result<Vec<Relation>, StoreError> {
    crate::with_pool!(db, pool => {
        let rows = sqlx::query(
            "SELECT r.kind, r.lives_together, \
               a.id AS a_id, a.internal_ref AS a_internal_ref, a.id_number AS a_id_number, a.given_name AS a_given_name, a.family_name AS a_family_name, a.protection AS a_protection, a.is_demo AS a_is_demo, \
               b.id AS b_id, b.internal_ref AS b_internal_ref, b.id_number AS b_id_number, b.given_name AS b_given_name, b.family_name AS b_family_name, b.protection AS b_protection, b.is_demo AS b_is_demo \
             FROM person_relations r JOIN persons a ON a.id = r.carer_id JOIN persons b ON b.id = r.recipient_id \
             WHERE r.kommunkod = $1 AND (r.carer_id = $2 OR r.recipient_id = $2) ORDER BY r.id",
        )
        .bind(kommunkod)
        .bind(person)
        .fetch_all(pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Relation {
                    carer: summary_prefixed!(r, "a_"),
                    recipient: summary_prefixed!(r, "b_"),
                    kind: RelationKind::try_from(r.try_get::<String, _>("kind")?)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    lives_together: r.try_get("lives_together")?,
                })
            })
            .collect()
    })
}

#[derive(sqlx::FromRow)]
struct IdentityRow {
    id: i64,
    given_name: String,
    family_name: String,
    id_number: Option<String>,
    birth_date: Option<NaiveDate>,
    #[sqlx(try_from = "String")]
    protection: Protection,
    merged_into: Option<i64>,
}

impl From<&IdentityRow> for domain::duplicates::Identity {
    fn from(r: &IdentityRow) -> Self {
        domain::duplicates::Identity {
            id: r.id,
            given_name: r.given_name.clone(),
            family_name: r.family_name.clone(),
            has_number: r.id_number.is_some(),
            birth_date: r.birth_date,
            protection: r.protection,
            merged: r.merged_into.is_some(),
        }
    }
}

impl From<&PersonRecord> for domain::duplicates::Identity {
    fn from(p: &PersonRecord) -> Self {
        domain::duplicates::Identity {
            id: p.summary.id,
            given_name: p.summary.given_name.clone(),
            family_name: p.summary.family_name.clone(),
            has_number: p.summary.id_number.is_some(),
            birth_date: p.birth_date,
            protection: p.summary.protection,
            merged: p.merged_into.is_some(),
        }
    }
}

const IDENTITY: &str =
    "SELECT id, given_name, family_name, id_number, birth_date, protection, merged_into FROM persons";

/// Other records of the municipality that may be the same person as the grant's (same name,
/// no contradicting birth date; `domain::duplicates::may_be_same`). Protected identities are
/// never offered. Logged as a read naming them, when there are any.
pub async fn possible_duplicates(
    db: &Db,
    grant: &PersonGrant,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Vec<PersonSummary>, StoreError> {
    let kommun = grant.kommun();
    let kommunkod = kommun.as_str();
    let (me, candidates): (Option<IdentityRow>, Vec<IdentityRow>) = crate::with_pool!(db, pool => {
        let me: Option<IdentityRow> = sqlx::query_as(&format!("{IDENTITY} WHERE kommunkod = $1 AND id = $2"))
            .bind(kommunkod)
            .bind(grant.id())
            .fetch_optional(pool)
            .await?;
        let Some(me) = me else {
            return Ok(Vec::new());
        };
        let candidates = sqlx::query_as(&format!(
            "{IDENTITY} WHERE kommunkod = $1 AND lower(family_name) = lower($2) AND lower(given_name) = lower($3) \
             AND id <> $4 AND merged_into IS NULL AND protection = 'none' ORDER BY id LIMIT 20"
        ))
        .bind(kommunkod)
        .bind(me.family_name.trim())
        .bind(me.given_name.trim())
        .bind(me.id)
        .fetch_all(pool)
        .await?;
        (Some(me), candidates)
    });
    let Some(me) = me else {
        return Ok(Vec::new());
    };
    if me.protection != Protection::None {
        return Ok(Vec::new());
    }
    let mine = domain::duplicates::Identity::from(&me);
    let ids: Vec<i64> = candidates
        .iter()
        .filter(|c| domain::duplicates::may_be_same(&mine, &domain::duplicates::Identity::from(*c)))
        .map(|c| c.id)
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {SUMMARY} FROM persons WHERE kommunkod = $1 AND {} ORDER BY id",
        crate::id_list::IdList::contains(db.backend(), "id", "$2")
    );
    let ids = crate::id_list::IdList(ids);
    let found: Vec<PersonSummary> = crate::with_pool!(db, pool => {
        sqlx::query_as(&sql)
        .bind(kommunkod)
        .bind(ids.clone())
        .fetch_all(pool)
        .await?
    });
    let mut e = origin.event(
        Some(kommunkod),
        "person.duplicates_read",
        "person",
        Some(grant.id().to_string()),
    );
    e.persons = std::iter::once(grant.id())
        .chain(found.iter().map(|p| p.id))
        .map(|id| format!("person:{id}"))
        .collect();
    e.reason = grant.audit_reason().map(str::to_owned);
    audit::append_now(db, now, &e).await?;
    Ok(found)
}

/// Merges two records of one person, in one transaction: the plan of
/// `domain::duplicates::merge_plan` says which stays; the other's cases, applications,
/// consents and relations move to it, and the folded record is kept, marked `merged_into`,
/// so both histories stay. Where both were in the same case or relation the folded one's link
/// stays as it was. Returns the kept record's id, or why the two may not be merged.
pub async fn merge(
    db: &Db,
    a: &PersonGrant,
    b: &PersonGrant,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Result<i64, domain::duplicates::MergeRefusal>, StoreError> {
    let kommun = a.kommun();
    let kommunkod = kommun.as_str();
    if b.kommun() != kommun {
        return Ok(Err(domain::duplicates::MergeRefusal::NotTheSame));
    }
    let mut tx = db.begin().await?;
    let rows: Vec<IdentityRow> = crate::with_tx!(&mut tx, c => {
        sqlx::query_as(&format!("{IDENTITY} WHERE kommunkod = $1 AND id IN ($2, $3) ORDER BY id"))
            .bind(kommunkod)
            .bind(a.id())
            .bind(b.id())
            .fetch_all(&mut *c)
            .await?
    });
    let [x, y] = rows.as_slice() else {
        return Ok(Err(domain::duplicates::MergeRefusal::NotTheSame));
    };
    let (x, y) = (
        domain::duplicates::Identity::from(x),
        domain::duplicates::Identity::from(y),
    );
    let (keep, fold) = match domain::duplicates::merge_plan(&x, &y) {
        Ok((k, f)) => (k.id, f.id),
        Err(refusal) => return Ok(Err(refusal)),
    };
    let moves = [
        "UPDATE case_persons SET person_id = $1 WHERE person_id = $2 \
         AND case_id NOT IN (SELECT case_id FROM case_persons WHERE person_id = $1)",
        "UPDATE applications SET applicant_id = $1 WHERE applicant_id = $2",
        "UPDATE consents SET person_id = $1 WHERE person_id = $2",
        "UPDATE person_relations SET carer_id = $1 WHERE carer_id = $2 AND recipient_id <> $1 \
         AND recipient_id NOT IN (SELECT recipient_id FROM person_relations WHERE carer_id = $1)",
        "UPDATE person_relations SET recipient_id = $1 WHERE recipient_id = $2 AND carer_id <> $1 \
         AND carer_id NOT IN (SELECT carer_id FROM person_relations WHERE recipient_id = $1)",
    ];
    for sql in moves {
        crate::with_tx!(&mut tx, c => {
            sqlx::query(sql).bind(keep).bind(fold).execute(&mut *c).await?;
        });
    }
    crate::with_tx!(&mut tx, c => {
        sqlx::query("UPDATE persons SET merged_into = $1, merged_at = $2, merged_by = $3 WHERE id = $4")
            .bind(keep)
            .bind(now)
            .bind(by)
            .bind(fold)
            .execute(&mut *c)
            .await?;
    });
    let mut e = origin.event(
        Some(kommunkod),
        "person.merge",
        "person",
        Some(keep.to_string()),
    );
    e.persons = vec![format!("person:{keep}"), format!("person:{fold}")];
    e.reason = a.audit_reason().or(b.audit_reason()).map(str::to_owned);
    audit::commit_with(tx, now, &e).await?;
    Ok(Ok(keep))
}
