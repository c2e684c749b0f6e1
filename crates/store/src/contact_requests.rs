//! Contact requests ("Be om ett samtal"): stored with their audit row in one transaction, so
//! the carer's confirmation is only sent for a request that is on disk.

use crate::audit::{self, AuditEvent};
use crate::db::Db;
use crate::wire::{join, List, Nullable};
use crate::StoreError;
use chrono::{DateTime, NaiveDate, Utc};
use domain::contact::{
    reference_from_bytes, AgeGroup, Condition, ContactRequest, PreferredTime, Relation, Want,
};
use domain::Kommunkod;
use rand::RngCore;
use serde::Serialize;

pub use crate::audit::Origin;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct StoredContactRequest {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kommunkod: Kommunkod,
    pub reference: String,
    pub received_at: DateTime<Utc>,
    pub anonymous: bool,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub personnummer: Option<String>,
    #[sqlx(try_from = "Nullable")]
    pub relation: Option<Relation>,
    #[sqlx(try_from = "Nullable")]
    pub recipient_age_group: Option<AgeGroup>,
    #[sqlx(try_from = "List")]
    pub recipient_conditions: Vec<Condition>,
    pub recipient_is_child: bool,
    #[sqlx(try_from = "Nullable")]
    pub carer_age_group: Option<AgeGroup>,
    pub young_carer: bool,
    pub involves_child: bool,
    #[sqlx(try_from = "List")]
    pub wants: Vec<Want>,
    pub message: Option<String>,
    #[sqlx(try_from = "Nullable")]
    pub preferred_time: Option<PreferredTime>,
    #[sqlx(try_from = "String")]
    pub status: domain::contact::RequestStatus,
    /// Why it was closed without a case.
    pub closed_reason: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub is_demo: bool,
    pub assigned_to: Option<i64>,
    pub assigned_at: Option<DateTime<Utc>>,
}

fn is_unique_violation(e: &StoreError) -> bool {
    matches!(e, StoreError::Db(sqlx::Error::Database(d)) if d.is_unique_violation())
}

/// Stores a valid request and returns its reference, unique in the municipality.
pub async fn create(
    db: &Db,
    kommunkod: &str,
    req: &ContactRequest,
    now: DateTime<Utc>,
    today: NaiveDate,
    origin: &Origin,
    is_demo: bool,
) -> Result<String, StoreError> {
    // A clash of two random references is rare (31^7 values); try again on one.
    let mut attempt = 0;
    loop {
        let mut bytes = [0u8; 7];
        rand::thread_rng().fill_bytes(&mut bytes);
        let reference = reference_from_bytes(bytes);
        match insert(db, kommunkod, req, now, today, origin, is_demo, &reference).await {
            Err(e) if is_unique_violation(&e) && attempt < 5 => attempt += 1,
            other => return other.map(|()| reference),
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn insert(
    db: &Db,
    kommunkod: &str,
    req: &ContactRequest,
    now: DateTime<Utc>,
    today: NaiveDate,
    origin: &Origin,
    is_demo: bool,
    reference: &str,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let id: i64 = crate::with_tx!(&mut tx, c => {
        sqlx::query_scalar(
            "INSERT INTO contact_requests (kommunkod, reference, received_at, anonymous, name, phone, email, personnummer, relation, \
             recipient_age_group, recipient_conditions, recipient_is_child, carer_age_group, young_carer, involves_child, wants, message, \
             preferred_time, consent, is_demo) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) RETURNING id",
        )
        .bind(kommunkod)
        .bind(reference)
        .bind(now)
        .bind(req.anonymous)
        .bind(&req.name)
        .bind(&req.phone)
        .bind(&req.email)
        .bind(req.personnummer.as_ref().map(|p| p.canonical()))
        .bind(req.relation.map(|r| r.as_str()))
        .bind(req.recipient_age_group.map(|a| a.as_str()))
        .bind(join(&req.recipient_conditions))
        .bind(req.recipient_is_child)
        .bind(req.carer_age_group.map(|a| a.as_str()))
        .bind(req.is_young_carer(today))
        .bind(req.involves_child(today))
        .bind(join(&req.wants))
        .bind(&req.message)
        .bind(req.preferred_time.map(|p| p.as_str()))
        .bind(true)
        .bind(is_demo)
        .fetch_one(&mut *c)
        .await?
    });
    audit::append(
        &mut tx,
        now,
        &AuditEvent {
            actor: origin.actor.clone(),
            role: origin.role.clone(),
            kommunkod: Some(kommunkod.to_owned()),
            action: "contact_request.create".into(),
            object_kind: "contact_request".into(),
            object_id: Some(id.to_string()),
            persons: vec![format!("contact_request:{id}")],
            reason: None,
            request_id: origin.request_id.clone(),
            client_addr: origin.client_addr.clone(),
        },
    )
    .await?;
    tx.commit().await
}

/// The municipality's queue, newest first, after `before_id` (keyset paging). The read is
/// logged, naming every request shown, and committed before the rows are returned.
pub async fn queue(
    db: &Db,
    kommunkod: &str,
    before_id: Option<i64>,
    limit: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Vec<StoredContactRequest>, StoreError> {
    let rows: Vec<StoredContactRequest> = crate::with_pool!(db, pool => {
        sqlx::query_as("SELECT * FROM contact_requests WHERE kommunkod = $1 AND id < $2 ORDER BY id DESC LIMIT $3")
            .bind(kommunkod)
            .bind(before_id.unwrap_or(i64::MAX))
            .bind(limit)
            .fetch_all(pool)
            .await?
    });
    audit::append_now(
        db,
        now,
        &AuditEvent {
            actor: origin.actor.clone(),
            role: origin.role.clone(),
            kommunkod: Some(kommunkod.to_owned()),
            action: "contact_request.list".into(),
            object_kind: "contact_request".into(),
            object_id: None,
            persons: rows
                .iter()
                .map(|r| format!("contact_request:{}", r.id))
                .collect(),
            reason: None,
            request_id: origin.request_id.clone(),
            client_addr: origin.client_addr.clone(),
        },
    )
    .await?;
    Ok(rows)
}

/// All references of a municipality, for the durability test and the CLI; no personal data.
pub async fn references(db: &Db, kommunkod: &str) -> Result<Vec<String>, StoreError> {
    crate::with_pool!(db, pool => {
        Ok(sqlx::query_scalar("SELECT reference FROM contact_requests WHERE kommunkod = $1 ORDER BY id")
            .bind(kommunkod)
            .fetch_all(pool)
            .await?)
    })
}

pub async fn count(db: &Db, kommunkod: &str) -> Result<i64, StoreError> {
    crate::with_pool!(db, pool => {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM contact_requests WHERE kommunkod = $1")
            .bind(kommunkod)
            .fetch_one(pool)
            .await?)
    })
}

/// Which items the inbox shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    Anyone,
    Me(i64),
    Nobody,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxQuery {
    pub holder: Holder,
    pub young_carers_only: bool,
    pub oldest_first: bool,
    /// Keyset cursor: the last row of the previous page.
    pub after: Option<(DateTime<Utc>, i64)>,
    pub limit: i64,
    /// Only items held by someone in this unit (requests have no unit of their own).
    pub unit: Option<i64>,
    /// Only items of this kind; contact requests are the only kind stored so far.
    pub kind: Option<domain::case::InboxKind>,
    /// Also the requests that have become cases (handled), which the inbox hides by default.
    pub include_handled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct InboxItem {
    #[sqlx(flatten)]
    pub request: StoredContactRequest,
    pub assignee_name: Option<String>,
    /// The case the request became, for a handled one.
    pub case_id: Option<i64>,
    pub case_number: Option<String>,
}

/// A request with who holds it and the case it became (the first, if pressed twice before
/// the rule that a request becomes a case once).
const INBOX_COLUMNS: &str = "cr.*, u.display_name AS assignee_name, oc.id AS case_id, oc.case_number AS case_number \
     FROM contact_requests cr \
     LEFT JOIN staff_users u ON u.id = cr.assigned_to \
     LEFT JOIN cases oc ON oc.id = (SELECT MIN(x.id) FROM cases x WHERE x.contact_request_id = cr.id)";

/// A page of the municipality's inbox. The read is logged, naming every request shown, and
/// committed before the rows are returned.
pub async fn inbox(
    db: &Db,
    kommunkod: &str,
    q: &InboxQuery,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Vec<InboxItem>, StoreError> {
    let (holder, me) = match q.holder {
        Holder::Anyone => ("anyone", 0),
        Holder::Me(id) => ("me", id),
        Holder::Nobody => ("nobody", 0),
    };
    let (cmp, dir) = if q.oldest_first {
        (">", "ASC")
    } else {
        ("<", "DESC")
    };
    let sql = format!(
        "SELECT {INBOX_COLUMNS} \
         WHERE cr.kommunkod = $1 \
         AND ($2 = 'anyone' OR ($2 = 'me' AND cr.assigned_to = $3) OR ($2 = 'nobody' AND cr.assigned_to IS NULL)) \
         AND ($4 = FALSE OR cr.young_carer = TRUE) \
         AND ($5 = FALSE OR cr.received_at {cmp} $6 OR (cr.received_at = $6 AND cr.id {cmp} $7)) \
         AND ($9 = 0 OR cr.assigned_to IN (SELECT user_id FROM staff_units WHERE unit_id = $9)) \
         AND ($10 = TRUE OR cr.status NOT IN ('case_opened', 'closed')) \
         ORDER BY cr.received_at {dir}, cr.id {dir} LIMIT $8"
    );
    if q.kind
        .is_some_and(|k| k != domain::case::InboxKind::ContactRequest)
    {
        let mut e = origin.event(
            Some(kommunkod),
            "contact_request.list",
            "contact_request",
            None,
        );
        e.reason = Some("no items of that kind".into());
        audit::append_now(db, now, &e).await?;
        return Ok(Vec::new());
    }
    let (has_after, after_at, after_id) = match q.after {
        Some((at, id)) => (true, at, id),
        None => (false, now, 0),
    };
    let items: Vec<InboxItem> = crate::with_pool!(db, pool => {
        sqlx::query_as(&sql)
            .bind(kommunkod)
            .bind(holder)
            .bind(me)
            .bind(q.young_carers_only)
            .bind(has_after)
            .bind(after_at)
            .bind(after_id)
            .bind(q.limit)
            .bind(q.unit.unwrap_or(0))
            .bind(q.include_handled)
            .fetch_all(pool)
            .await?
    });
    let mut e = origin.event(
        Some(kommunkod),
        "contact_request.list",
        "contact_request",
        None,
    );
    e.persons = items
        .iter()
        .map(|i| format!("contact_request:{}", i.request.id))
        .collect();
    audit::append_now(db, now, &e).await?;
    Ok(items)
}

/// One request of the municipality, logged as read. `None` if it is not there (or belongs to
/// another municipality, which is the same to the caller).
pub async fn get(
    db: &Db,
    kommunkod: &str,
    id: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Option<InboxItem>, StoreError> {
    let item: Option<InboxItem> = crate::with_pool!(db, pool => {
        sqlx::query_as(
            &format!("SELECT {INBOX_COLUMNS} WHERE cr.kommunkod = $1 AND cr.id = $2"),
        )
        .bind(kommunkod)
        .bind(id)
        .fetch_optional(pool)
        .await?
    });
    if item.is_some() {
        let mut e = origin.event(
            Some(kommunkod),
            "contact_request.read",
            "contact_request",
            Some(id.to_string()),
        );
        e.persons = vec![format!("contact_request:{id}")];
        audit::append_now(db, now, &e).await?;
    }
    Ok(item)
}

/// Gives a request to a member of staff of the same municipality (or takes it back with
/// `None`). Returns false when the request or the colleague is not in that municipality.
pub async fn assign(
    db: &Db,
    kommunkod: &str,
    id: i64,
    to: Option<i64>,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<bool, StoreError> {
    let mut tx = db.begin().await?;
    let n = crate::with_tx!(&mut tx, c => {
        if let Some(user) = to {
            let same: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM staff_users WHERE id = $1 AND kommunkod = $2 AND disabled = FALSE",
            )
            .bind(user)
            .bind(kommunkod)
            .fetch_optional(&mut *c)
            .await?;
            if same.is_none() {
                return Ok(false);
            }
        }
        let status: Option<String> = sqlx::query_scalar("SELECT status FROM contact_requests WHERE kommunkod = $1 AND id = $2")
            .bind(kommunkod)
            .bind(id)
            .fetch_optional(&mut *c)
            .await?;
        let Some(status) = status.and_then(|s| domain::contact::RequestStatus::parse(&s)) else {
            return Ok(false);
        };
        sqlx::query("UPDATE contact_requests SET assigned_to = $1, assigned_at = $2, status = $3 WHERE kommunkod = $4 AND id = $5")
            .bind(to)
            .bind(to.map(|_| now))
            .bind(status.after_assign(to.is_some()).as_str())
            .bind(kommunkod)
            .bind(id)
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    if n == 0 {
        return Ok(false);
    }
    let mut e = origin.event(
        Some(kommunkod),
        "contact_request.assign",
        "contact_request",
        Some(id.to_string()),
    );
    e.persons = vec![format!("contact_request:{id}")];
    e.reason = Some(match to {
        Some(u) => format!("to staff:{u}"),
        None => "unassigned".into(),
    });
    audit::commit_with(tx, now, &e).await?;
    Ok(true)
}

/// One request by its reference, logged as read (through `get`); `None` if the municipality
/// has no request with that reference.
pub async fn by_reference(
    db: &Db,
    kommunkod: &str,
    reference: &str,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Option<StoredContactRequest>, StoreError> {
    let id: Option<i64> = crate::with_pool!(db, pool => {
        sqlx::query_scalar("SELECT id FROM contact_requests WHERE kommunkod = $1 AND reference = $2")
            .bind(kommunkod)
            .bind(reference)
            .fetch_optional(pool)
            .await?
    });
    match id {
        Some(id) => Ok(get(db, kommunkod, id, now, origin)
            .await?
            .map(|item| item.request)),
        None => Ok(None),
    }
}

/// Closes a request handled without a case, with the officer's reason (kept on the request,
/// not in the audit row). False when there is no such request or it is handled already.
pub async fn close(
    db: &Db,
    kommunkod: &str,
    id: i64,
    reason: &str,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<bool, StoreError> {
    let mut tx = db.begin().await?;
    let n = crate::with_tx!(&mut tx, c => {
        sqlx::query(
            "UPDATE contact_requests SET status = 'closed', closed_reason = $1, closed_at = $2, closed_by = $3 \
             WHERE kommunkod = $4 AND id = $5 AND status IN ('new', 'in_progress')",
        )
        .bind(reason)
        .bind(now)
        .bind(by)
        .bind(kommunkod)
        .bind(id)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    if n == 0 {
        return Ok(false);
    }
    let mut e = origin.event(
        Some(kommunkod),
        "contact_request.close",
        "contact_request",
        Some(id.to_string()),
    );
    e.persons = vec![format!("contact_request:{id}")];
    audit::commit_with(tx, now, &e).await?;
    Ok(true)
}
