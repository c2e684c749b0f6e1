//! Cases (ärenden), their persons and status timeline, and the append-only journal with its
//! corrections. Every read and change writes an audit row naming the persons touched.

use crate::access::{CaseGrant, PersonGrant};
use crate::audit::{self, Origin};
use crate::db::Db;
use crate::persons::PersonSummary;
use crate::StoreError;
use chrono::{DateTime, Datelike, Utc};
use domain::case::{CaseKind, CaseStatus, JournalKind, PersonRole};
use domain::policy::{Action, CaseRef};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CaseRow {
    pub id: i64,
    pub case_number: String,
    #[sqlx(try_from = "String")]
    pub kind: CaseKind,
    #[sqlx(try_from = "String")]
    pub status: CaseStatus,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub assigned_to: Option<i64>,
    pub assignee_name: Option<String>,
    pub contact_request_id: Option<i64>,
    pub opened_at: DateTime<Utc>,
    pub is_demo: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CasePerson {
    #[serde(flatten)]
    #[sqlx(flatten)]
    pub person: PersonSummary,
    #[sqlx(try_from = "String")]
    pub role: PersonRole,
}

/// One step of a case's timeline. `kind` is "opened", "status" or one of the assessed
/// support's steps, with `detail` saying more (the new status, for instance).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CaseEvent {
    pub at: DateTime<Utc>,
    pub by_name: Option<String>,
    pub kind: String,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseView {
    #[serde(flatten)]
    pub case: CaseRow,
    pub persons: Vec<CasePerson>,
    pub events: Vec<CaseEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mark {
    pub at: DateTime<Utc>,
    pub by_name: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct JournalEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub author: i64,
    pub author_name: String,
    pub kind: String,
    pub text: String,
    /// The investigation area an entry documents (assessed support), if any.
    pub area: Option<String>,
    /// Felmarkeringar: the entry stays, marked wrong.
    #[sqlx(skip)]
    pub marks: Vec<Mark>,
}

/// An entry with one of its marks, if any: the journal query's row.
#[derive(sqlx::FromRow)]
struct JournalRow {
    #[sqlx(flatten)]
    entry: JournalEntry,
    mark_at: Option<DateTime<Utc>>,
    mark_by: Option<String>,
    mark_reason: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewCase {
    pub kind: CaseKind,
    pub unit_id: Option<i64>,
    pub assigned_to: Option<i64>,
    pub contact_request_reference: Option<String>,
    /// Who is linked, each with the policy's yes to joining them to the opener's work
    /// (`access::link`): opening a case reaches no person the opener may not read.
    pub persons: Vec<(PersonGrant, PersonRole)>,
    /// The case's first journal entry, written with it: what the contact request said and
    /// how to reach the carer, so nothing has to be copied by hand.
    pub first_entry: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenError {
    UnknownContactRequest,
    /// The contact request became a case already: this one.
    AlreadyOpened {
        case_id: i64,
        case_number: String,
    },
    UnknownPerson(i64),
    UnknownUnit,
    UnknownAssignee,
}

const CASE_COLUMNS: &str = "c.id, c.case_number, c.kind, c.status, c.unit_id, u.name AS unit_name, c.assigned_to, \
     s.display_name AS assignee_name, c.contact_request_id, c.opened_at, c.is_demo \
     FROM cases c LEFT JOIN units u ON u.id = c.unit_id LEFT JOIN staff_users s ON s.id = c.assigned_to";

pub(crate) fn is_unique_violation(e: &StoreError) -> bool {
    matches!(e, StoreError::Db(sqlx::Error::Database(d)) if d.is_unique_violation())
}

/// Opens a case; everything it names must belong to the same municipality.
pub async fn open(
    db: &Db,
    kommunkod: &str,
    new: &NewCase,
    by: i64,
    is_demo: bool,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Result<(i64, String), OpenError>, StoreError> {
    let mut attempt = 0;
    loop {
        match try_open(db, kommunkod, new, by, is_demo, now, origin).await {
            Err(e) if is_unique_violation(&e) && attempt < 5 => attempt += 1,
            other => return other,
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn try_open(
    db: &Db,
    kommunkod: &str,
    new: &NewCase,
    by: i64,
    is_demo: bool,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Result<(i64, String), OpenError>, StoreError> {
    let mut tx = db.begin().await?;
    let opened: Result<Option<i64>, OpenError> = crate::with_tx!(&mut tx, c => {
        let request_id: Option<i64> = match &new.contact_request_reference {
            None => None,
            Some(reference) => {
                let id: Option<i64> = sqlx::query_scalar("SELECT id FROM contact_requests WHERE kommunkod = $1 AND reference = $2")
                    .bind(kommunkod)
                    .bind(reference)
                    .fetch_optional(&mut *c)
                    .await?;
                let Some(id) = id else {
                    return Ok(Err(OpenError::UnknownContactRequest));
                };
                // A request becomes a case once. The status moves first, so that of two
                // officers pressing at once the second finds it moved and the case there.
                let moved = sqlx::query("UPDATE contact_requests SET status = 'case_opened' WHERE id = $1 AND status <> 'case_opened'")
                    .bind(id)
                    .execute(&mut *c)
                    .await?
                    .rows_affected();
                let existing: Option<(i64, String)> = sqlx::query_as("SELECT id, case_number FROM cases WHERE contact_request_id = $1 AND kommunkod = $2 ORDER BY id LIMIT 1")
                    .bind(id)
                    .bind(kommunkod)
                    .fetch_optional(&mut *c)
                    .await?;
                match (moved, existing) {
                    (_, Some((case_id, case_number))) => {
                        return Ok(Err(OpenError::AlreadyOpened { case_id, case_number }))
                    }
                    // Moved by a transaction that has not committed its case yet.
                    (0, None) => return Ok(Err(OpenError::UnknownContactRequest)),
                    _ => Some(id),
                }
            }
        };
        if let Some(unit) = new.unit_id {
            let ok: Option<i64> = sqlx::query_scalar("SELECT id FROM units WHERE id = $1 AND kommunkod = $2")
                .bind(unit)
                .bind(kommunkod)
                .fetch_optional(&mut *c)
                .await?;
            if ok.is_none() {
                return Ok(Err(OpenError::UnknownUnit));
            }
        }
        if let Some(user) = new.assigned_to {
            let ok: Option<i64> = sqlx::query_scalar("SELECT id FROM staff_users WHERE id = $1 AND kommunkod = $2 AND disabled = FALSE")
                .bind(user)
                .bind(kommunkod)
                .fetch_optional(&mut *c)
                .await?;
            if ok.is_none() {
                return Ok(Err(OpenError::UnknownAssignee));
            }
        }
        for (grant, _) in &new.persons {
            if grant.kommun().as_str() != kommunkod {
                return Ok(Err(OpenError::UnknownPerson(grant.id())));
            }
        }
        Ok(request_id)
    });
    let request_id = match opened {
        Ok(x) => x,
        Err(e) => return Ok(Err(e)),
    };
    let fresh = FreshCase {
        kind: new.kind,
        unit_id: new.unit_id,
        assigned_to: new.assigned_to,
        contact_request_id: request_id,
        received_on: None,
    };
    let (id, number) = insert_case(&mut tx, kommunkod, &fresh, Some(by), is_demo, now).await?;
    crate::with_tx!(&mut tx, c => {
        for (grant, role) in &new.persons {
            sqlx::query("INSERT INTO case_persons (case_id, person_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(id)
                .bind(grant.id())
                .bind(role.as_str())
                .execute(&mut *c)
                .await?;
        }
        if let Some(text) = &new.first_entry {
            sqlx::query("INSERT INTO journal_entries (case_id, kommunkod, at, author, kind, text) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(id)
                .bind(kommunkod)
                .bind(now)
                .bind(by)
                .bind(JournalKind::Note.as_str())
                .bind(text)
                .execute(&mut *c)
                .await?;
        }
    });
    let mut e = origin.event(Some(kommunkod), "case.open", "case", Some(id.to_string()));
    e.persons = new
        .persons
        .iter()
        .map(|(p, _)| format!("person:{}", p.id()))
        .collect();
    if let Some(r) = &new.contact_request_reference {
        e.reason = Some(format!("from contact request {r}"));
    }
    // The persons joined only through an emergency reason are flagged for the log review.
    let mut flagged: Vec<i64> = new
        .persons
        .iter()
        .filter(|(g, _)| g.emergency().is_some())
        .map(|(g, _)| g.id())
        .collect();
    flagged.sort_unstable();
    flagged.dedup();
    let reason = new
        .persons
        .iter()
        .find_map(|(g, _)| g.emergency().and(g.audit_reason()));
    if let (false, Some(reason)) = (flagged.is_empty(), reason) {
        let flag = crate::access::emergency_join_event(origin, kommunkod, id, &flagged, reason);
        audit::append(&mut tx, now, &flag).await?;
    }
    audit::commit_with(tx, now, &e).await?;
    Ok(Ok((id, number)))
}

/// The case a contact request became, if it did.
pub async fn for_request(
    db: &Db,
    kommunkod: &str,
    request_id: i64,
) -> Result<Option<i64>, StoreError> {
    Ok(crate::with_pool!(db, pool => {
        sqlx::query_scalar("SELECT id FROM cases WHERE kommunkod = $1 AND contact_request_id = $2 ORDER BY id LIMIT 1")
            .bind(kommunkod)
            .bind(request_id)
            .fetch_optional(pool)
            .await?
    }))
}

/// What a new case row holds besides its number.
pub(crate) struct FreshCase {
    pub kind: CaseKind,
    pub unit_id: Option<i64>,
    pub assigned_to: Option<i64>,
    pub contact_request_id: Option<i64>,
    pub received_on: Option<chrono::NaiveDate>,
}

/// Inserts a case with the next number of the year and its 'opened' event, inside the
/// caller's transaction. A number taken by a concurrent insert fails the unique constraint;
/// callers retry the whole transaction.
pub(crate) async fn insert_case(
    tx: &mut crate::Tx,
    kommunkod: &str,
    fresh: &FreshCase,
    by: Option<i64>,
    is_demo: bool,
    now: DateTime<Utc>,
) -> Result<(i64, String), StoreError> {
    crate::with_tx!(tx, c => {
        let year = now.year();
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE kommunkod = $1 AND case_number LIKE $2")
            .bind(kommunkod)
            .bind(format!("{year}-%"))
            .fetch_one(&mut *c)
            .await?;
        let number = format!("{year}-{:05}", count + 1);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO cases (kommunkod, case_number, kind, status, unit_id, assigned_to, contact_request_id, opened_at, opened_by, is_demo, received_on) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(kommunkod)
        .bind(&number)
        .bind(fresh.kind.as_str())
        .bind(CaseStatus::Open.as_str())
        .bind(fresh.unit_id)
        .bind(fresh.assigned_to)
        .bind(fresh.contact_request_id)
        .bind(now)
        .bind(by)
        .bind(is_demo)
        .bind(fresh.received_on)
        .fetch_one(&mut *c)
        .await?;
        sqlx::query("INSERT INTO case_events (case_id, at, by_user, kind, detail) VALUES ($1, $2, $3, 'opened', $4)")
            .bind(id)
            .bind(now)
            .bind(by)
            .bind(fresh.kind.as_str())
            .execute(&mut *c)
            .await?;
        Ok((id, number))
    })
}

/// What the policy needs to know about a case; `None` if it is not in the municipality.
pub async fn case_ref(db: &Db, kommunkod: &str, id: i64) -> Result<Option<CaseRef>, StoreError> {
    let k =
        domain::Kommunkod::parse(kommunkod).map_err(|_| StoreError::Corrupt(kommunkod.into()))?;
    crate::with_pool!(db, pool => {
        let r: Option<(Option<i64>, Option<i64>)> =
            sqlx::query_as("SELECT unit_id, assigned_to FROM cases WHERE kommunkod = $1 AND id = $2")
                .bind(kommunkod)
                .bind(id)
                .fetch_optional(pool)
                .await?;
        Ok(r.map(|(unit_id, assigned_to)| CaseRef { kommunkod: k, unit_id, assigned_to }))
    })
}

/// A case with its persons and timeline, logged as read.
async fn load_case(db: &Db, kommunkod: &str, id: i64) -> Result<Option<CaseView>, StoreError> {
    let view: Option<CaseView> = crate::with_pool!(db, pool => {
        let case: Option<CaseRow> = sqlx::query_as(&format!("SELECT {CASE_COLUMNS} WHERE c.kommunkod = $1 AND c.id = $2"))
            .bind(kommunkod)
            .bind(id)
            .fetch_optional(pool)
            .await?;
        match case {
            None => None,
            Some(case) => {
                let persons = sqlx::query_as(
                    "SELECT p.id, p.internal_ref, p.id_number, p.given_name, p.family_name, p.protection, p.is_demo, cp.role \
                     FROM case_persons cp JOIN persons p ON p.id = cp.person_id WHERE cp.case_id = $1 ORDER BY p.family_name, p.id",
                )
                .bind(id)
                .fetch_all(pool)
                .await?;
                let events = sqlx::query_as(
                    "SELECT e.at, s.display_name AS by_name, e.kind, e.detail FROM case_events e LEFT JOIN staff_users s ON s.id = e.by_user \
                     WHERE e.case_id = $1 ORDER BY e.id",
                )
                .bind(id)
                .fetch_all(pool)
                .await?;
                Some(CaseView { case, persons, events })
            }
        }
    });
    Ok(view)
}

/// Logs one read of a case (by `action`), naming its persons.
#[allow(clippy::too_many_arguments)]
async fn log_read(
    db: &Db,
    kommunkod: &str,
    id: i64,
    action: &str,
    persons: &[i64],
    reason: Option<&str>,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<(), StoreError> {
    let mut e = origin.event(Some(kommunkod), action, "case", Some(id.to_string()));
    e.persons = persons.iter().map(|p| format!("person:{p}")).collect();
    e.reason = reason.map(str::to_owned);
    audit::append_now(db, now, &e).await?;
    Ok(())
}

/// A case with its persons and timeline, logged as read.
pub async fn get(
    db: &Db,
    grant: &CaseGrant,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Option<CaseView>, StoreError> {
    grant.require(Action::ReadCase)?;
    let (kommun, id, reason) = (grant.kommun(), grant.id(), grant.audit_reason());
    let kommunkod = kommun.as_str();
    let view = load_case(db, kommunkod, id).await?;
    if let Some(v) = &view {
        let persons: Vec<i64> = v.persons.iter().map(|p| p.person.id).collect();
        log_read(
            db,
            kommunkod,
            id,
            "case.read",
            &persons,
            reason,
            now,
            origin,
        )
        .await?;
    }
    Ok(view)
}

/// The case page's whole read (the case and its journal) as one logged read.
pub async fn page(
    db: &Db,
    grant: &CaseGrant,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Option<(CaseView, Vec<JournalEntry>)>, StoreError> {
    grant.require(Action::ReadCase)?;
    let (kommun, id, reason) = (grant.kommun(), grant.id(), grant.audit_reason());
    let kommunkod = kommun.as_str();
    let Some(view) = load_case(db, kommunkod, id).await? else {
        return Ok(None);
    };
    let (entries, _) = load_journal(db, kommunkod, id, false).await?;
    let persons: Vec<i64> = view.persons.iter().map(|p| p.person.id).collect();
    log_read(
        db,
        kommunkod,
        id,
        "case.read",
        &persons,
        reason,
        now,
        origin,
    )
    .await?;
    Ok(Some((view, entries)))
}

/// The journal of a case, oldest first, with its corrections; logged as read.
pub async fn journal(
    db: &Db,
    grant: &CaseGrant,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Vec<JournalEntry>, StoreError> {
    grant.require(Action::ReadCase)?;
    let (kommun, case_id, reason) = (grant.kommun(), grant.id(), grant.audit_reason());
    let kommunkod = kommun.as_str();
    let (entries, persons) = load_journal(db, kommunkod, case_id, true).await?;
    log_read(
        db,
        kommunkod,
        case_id,
        "journal.read",
        &persons,
        reason,
        now,
        origin,
    )
    .await?;
    Ok(entries)
}

async fn load_journal(
    db: &Db,
    kommunkod: &str,
    case_id: i64,
    with_persons: bool,
) -> Result<(Vec<JournalEntry>, Vec<i64>), StoreError> {
    let (entries, persons): (Vec<JournalEntry>, Vec<i64>) = crate::with_pool!(db, pool => {
        // Entries with their corrections in one query: one row per (entry, mark), in order.
        let rows: Vec<JournalRow> = sqlx::query_as(
            "SELECT j.id, j.at, j.author, s.display_name AS author_name, j.kind, j.text, j.area, \
                    m.at AS mark_at, ms.display_name AS mark_by, m.reason AS mark_reason \
             FROM journal_entries j JOIN staff_users s ON s.id = j.author \
             LEFT JOIN journal_marks m ON m.entry_id = j.id LEFT JOIN staff_users ms ON ms.id = m.by_user \
             WHERE j.kommunkod = $1 AND j.case_id = $2 ORDER BY j.id, m.id",
        )
        .bind(kommunkod)
        .bind(case_id)
        .fetch_all(pool)
        .await?;
        let mut entries: Vec<JournalEntry> = Vec::new();
        for r in rows {
            if entries.last().is_none_or(|e| e.id != r.entry.id) {
                entries.push(r.entry);
            }
            if let (Some(at), Some(entry)) = (r.mark_at, entries.last_mut()) {
                entry.marks.push(Mark {
                    at,
                    by_name: r.mark_by.unwrap_or_default(),
                    reason: r.mark_reason.unwrap_or_default(),
                });
            }
        }
        let persons: Vec<i64> = if with_persons {
            sqlx::query_scalar("SELECT person_id FROM case_persons WHERE case_id = $1")
                .bind(case_id)
                .fetch_all(pool)
                .await?
        } else {
            Vec::new()
        };
        (entries, persons)
    });
    Ok((entries, persons))
}

/// The cases the person of `grant` is in (listed, or applicant), newest first: the person's
/// page shows them so that one person's support is seen as one thread. Logged as read, with
/// the grant's reason.
pub async fn of_person(
    db: &Db,
    grant: &crate::access::PersonGrant,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Vec<CaseRow>, StoreError> {
    let kommun = grant.kommun();
    let kommunkod = kommun.as_str();
    let rows: Vec<CaseRow> = crate::with_pool!(db, pool => {
        sqlx::query_as(&format!(
            "SELECT {CASE_COLUMNS} WHERE c.kommunkod = $1 AND c.id IN ( \
               SELECT case_id FROM case_persons WHERE person_id = $2 \
               UNION SELECT case_id FROM applications WHERE applicant_id = $2) \
             ORDER BY c.id DESC"
        ))
        .bind(kommunkod)
        .bind(grant.id())
        .fetch_all(pool)
        .await?
    });
    if !rows.is_empty() {
        let mut e = origin.event(
            Some(kommunkod),
            "person.cases_read",
            "person",
            Some(grant.id().to_string()),
        );
        e.persons = std::iter::once(format!("person:{}", grant.id()))
            .chain(rows.iter().map(|c| format!("case:{}", c.id)))
            .collect();
        e.reason = grant.audit_reason().map(str::to_owned);
        audit::append_now(db, now, &e).await?;
    }
    Ok(rows)
}

/// Appends a journal entry by the grant's actor; `None` if the case is gone. Under emergency
/// access the audit row carries its reason.
pub async fn add_entry(
    db: &Db,
    grant: &CaseGrant,
    kind: JournalKind,
    text: &str,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Option<i64>, StoreError> {
    grant.require(Action::WriteCase)?;
    let (kommun, case_id, author) = (grant.kommun(), grant.id(), grant.actor().user_id);
    let kommunkod = kommun.as_str();
    let mut tx = db.begin().await?;
    let inserted: Option<(i64, Vec<i64>)> = crate::with_tx!(&mut tx, c => {
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO journal_entries (case_id, kommunkod, at, author, kind, text) \
             SELECT id, kommunkod, $1, $2, $3, $4 FROM cases WHERE id = $5 AND kommunkod = $6 RETURNING id",
        )
        .bind(now)
        .bind(author)
        .bind(kind.as_str())
        .bind(text)
        .bind(case_id)
        .bind(kommunkod)
        .fetch_optional(&mut *c)
        .await?;
        match id {
            None => None,
            Some(id) => {
                let persons: Vec<i64> = sqlx::query_scalar("SELECT person_id FROM case_persons WHERE case_id = $1")
                    .bind(case_id)
                    .fetch_all(&mut *c)
                    .await?;
                Some((id, persons))
            }
        }
    });
    let Some((id, persons)) = inserted else {
        return Ok(None);
    };
    let mut e = origin.event(
        Some(kommunkod),
        "journal.create",
        "journal_entry",
        Some(id.to_string()),
    );
    e.persons = persons.iter().map(|p| format!("person:{p}")).collect();
    e.reason = grant.audit_reason().map(str::to_owned);
    audit::commit_with(tx, now, &e).await?;
    Ok(Some(id))
}

/// Whether the grant's actor may mark this entry wrong: only its author or a unit manager
/// (the policy on the entry), inside the case the grant is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkWrong {
    Allowed,
    NoSuchEntry,
    NotTheirs,
}

/// Asks the policy about one entry of the granted case, for the form to answer before it
/// validates the reason; [`mark_wrong`] asks again in its transaction.
pub async fn may_mark_wrong(
    db: &Db,
    grant: &CaseGrant,
    entry_id: i64,
) -> Result<MarkWrong, StoreError> {
    let author: Option<i64> = crate::with_pool!(db, pool => {
        sqlx::query_scalar(ENTRY_AUTHOR)
            .bind(entry_id)
            .bind(grant.id())
            .bind(grant.kommun().as_str())
            .fetch_optional(pool)
            .await?
    });
    Ok(judge_mark(grant, author))
}

const ENTRY_AUTHOR: &str =
    "SELECT author FROM journal_entries WHERE id = $1 AND case_id = $2 AND kommunkod = $3";

fn judge_mark(grant: &CaseGrant, author: Option<i64>) -> MarkWrong {
    match author {
        None => MarkWrong::NoSuchEntry,
        Some(author) if grant.permits_entry(author) => MarkWrong::Allowed,
        Some(_) => MarkWrong::NotTheirs,
    }
}

/// Marks an entry wrong (felmarkering) in the actor's name; the entry itself is not touched.
pub async fn mark_wrong(
    db: &Db,
    grant: &CaseGrant,
    entry_id: i64,
    reason: &str,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<MarkWrong, StoreError> {
    let (kommun, case_id, by) = (grant.kommun(), grant.id(), grant.actor().user_id);
    let kommunkod = kommun.as_str();
    let mut tx = db.begin().await?;
    let verdict = crate::with_tx!(&mut tx, c => {
        let author: Option<i64> = sqlx::query_scalar(ENTRY_AUTHOR)
            .bind(entry_id)
            .bind(case_id)
            .bind(kommunkod)
            .fetch_optional(&mut *c)
            .await?;
        let verdict = judge_mark(grant, author);
        if verdict == MarkWrong::Allowed {
            sqlx::query("INSERT INTO journal_marks (entry_id, at, by_user, reason) VALUES ($1, $2, $3, $4)")
                .bind(entry_id)
                .bind(now)
                .bind(by)
                .bind(reason)
                .execute(&mut *c)
                .await?;
        }
        verdict
    });
    if verdict != MarkWrong::Allowed {
        return Ok(verdict);
    }
    let mut e = origin.event(
        Some(kommunkod),
        "journal.mark_wrong",
        "journal_entry",
        Some(entry_id.to_string()),
    );
    e.reason = Some(reason.to_owned());
    audit::commit_with(tx, now, &e).await?;
    Ok(MarkWrong::Allowed)
}

/// Records emergency access to a case with its reason, flagged in the audit log.
#[allow(clippy::too_many_arguments)]
pub async fn grant_emergency(
    db: &Db,
    kommunkod: &str,
    user_id: i64,
    case_id: i64,
    reason: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
    origin: &Origin,
) -> Result<bool, StoreError> {
    let mut tx = db.begin().await?;
    let n = crate::with_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO emergency_access (user_id, case_id, reason, granted_at, expires_at) \
             SELECT $1, id, $2, $3, $4 FROM cases WHERE id = $5 AND kommunkod = $6",
        )
        .bind(user_id)
        .bind(reason)
        .bind(now)
        .bind(until)
        .bind(case_id)
        .bind(kommunkod)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    if n == 0 {
        return Ok(false);
    }
    let mut e = origin.event(
        Some(kommunkod),
        "case.emergency_access",
        "case",
        Some(case_id.to_string()),
    );
    e.reason = Some(format!("emergency: {reason}"));
    audit::commit_with(tx, now, &e).await?;
    Ok(true)
}

/// The reason of a live emergency access of this user to this case, if any.
pub async fn emergency_reason(
    db: &Db,
    user_id: i64,
    case_id: i64,
    now: DateTime<Utc>,
) -> Result<Option<String>, StoreError> {
    crate::with_pool!(db, pool => {
        Ok(sqlx::query_scalar(
            "SELECT reason FROM emergency_access WHERE user_id = $1 AND case_id = $2 AND expires_at > $3 ORDER BY id DESC LIMIT 1",
        )
        .bind(user_id)
        .bind(case_id)
        .bind(now)
        .fetch_optional(pool)
        .await?)
    })
}

/// Moves a case to a new status if the move is allowed; the timeline and the log record it.
/// Returns false when the case is not in the municipality or the move is not allowed.
pub async fn set_status(
    db: &Db,
    grant: &CaseGrant,
    to: CaseStatus,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<bool, StoreError> {
    grant.require(Action::WriteCase)?;
    let (kommun, case_id, by) = (grant.kommun(), grant.id(), grant.actor().user_id);
    let kommunkod = kommun.as_str();
    let mut tx = db.begin().await?;
    let moved: Option<(String, Vec<i64>)> = crate::with_tx!(&mut tx, c => {
        let from: Option<String> = sqlx::query_scalar("SELECT status FROM cases WHERE id = $1 AND kommunkod = $2")
            .bind(case_id)
            .bind(kommunkod)
            .fetch_optional(&mut *c)
            .await?;
        match from.as_deref().and_then(CaseStatus::parse) {
            Some(f) if f.may_move_to(to) => {
                sqlx::query("UPDATE cases SET status = $1 WHERE id = $2")
                    .bind(to.as_str())
                    .bind(case_id)
                    .execute(&mut *c)
                    .await?;
                sqlx::query("INSERT INTO case_events (case_id, at, by_user, kind, detail) VALUES ($1, $2, $3, 'status', $4)")
                    .bind(case_id)
                    .bind(now)
                    .bind(by)
                    .bind(format!("{} -> {}", f.as_str(), to.as_str()))
                    .execute(&mut *c)
                    .await?;
                let persons: Vec<i64> = sqlx::query_scalar("SELECT person_id FROM case_persons WHERE case_id = $1")
                    .bind(case_id)
                    .fetch_all(&mut *c)
                    .await?;
                Some((f.as_str().to_owned(), persons))
            }
            _ => None,
        }
    });
    let Some((from, persons)) = moved else {
        return Ok(false);
    };
    let mut e = origin.event(
        Some(kommunkod),
        "case.status",
        "case",
        Some(case_id.to_string()),
    );
    e.persons = persons.iter().map(|p| format!("person:{p}")).collect();
    e.reason = Some(format!("{from} -> {}", to.as_str()));
    audit::commit_with(tx, now, &e).await?;
    Ok(true)
}
