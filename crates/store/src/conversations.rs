//! Individual conversations: times the officers publish, bookings by carers without an
//! account (rebook or cancel by token), and conversations staff register after a call. What a
//! conversation keeps follows the municipality's recording mode (`domain::conversation`).
//!
//! Booking starts by updating the slot's row, which locks it (PostgreSQL) or takes the write
//! lock (SQLite); the unique index on live bookings per slot backs that up.

use crate::audit::{self, Origin};
use crate::db::{Db, Tx};
use crate::outbox::{self, NewMail};
use crate::StoreError;
use chrono::{DateTime, NaiveDateTime, Utc};
use domain::conversation::{Booking, ConversationStatus, Held, RecordingMode, Slot};
use rand::RngCore;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SlotRow {
    pub id: i64,
    pub kommunkod: String,
    pub officer_id: i64,
    pub officer_name: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub mode: String,
    pub place: Option<String>,
    pub status: String,
    /// A live booking holds it.
    pub booked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ConversationRow {
    pub id: i64,
    pub kommunkod: String,
    pub slot_id: Option<i64>,
    pub officer_id: Option<i64>,
    pub officer_name: Option<String>,
    pub token: Option<String>,
    pub starts_at: NaiveDateTime,
    pub mode: String,
    pub place: Option<String>,
    pub channel: String,
    pub recording: String,
    pub name: Option<String>,
    pub pseudonym: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub age_group: Option<String>,
    pub gender: Option<String>,
    pub young_carer: bool,
    pub topic: Option<String>,
    pub status: String,
    pub created_at: DateTime<Utc>,
}

impl ConversationRow {
    /// How staff see who it is: the name, the pseudonym, or nothing.
    pub fn who(&self) -> Option<&str> {
        self.name.as_deref().or(self.pseudonym.as_deref())
    }
}

/// What a booking message tells of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingMail {
    Booked,
    Rebooked,
    Cancelled,
    /// The officer cancelled the time.
    SlotCancelled,
}

impl BookingMail {
    pub const ALL: [BookingMail; 4] = [
        BookingMail::Booked,
        BookingMail::Rebooked,
        BookingMail::Cancelled,
        BookingMail::SlotCancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BookingMail::Booked => "booking",
            BookingMail::Rebooked => "rebooking",
            BookingMail::Cancelled => "booking_cancelled",
            BookingMail::SlotCancelled => "slot_cancelled",
        }
    }
}

/// The wording of booking messages, supplied by the web layer.
pub trait ComposeBooking: Send + Sync {
    fn compose_booking(
        &self,
        kind: BookingMail,
        c: &ConversationRow,
    ) -> Result<crate::activities::Written, String>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NotFound,
    /// Taken, cancelled or already begun.
    SlotUnavailable,
    /// The booking lacks the contact the new time needs (a phone number for a call, an
    /// e-mail address for video).
    NeedsContact,
    AlreadyCancelled,
}

const SLOT_SELECT: &str = "SELECT s.*, u.display_name AS officer_name, \
    EXISTS (SELECT 1 FROM conversations c WHERE c.slot_id = s.id AND c.status IN ('booked', 'held')) AS booked \
    FROM conversation_slots s JOIN staff_users u ON u.id = s.officer_id";

const CONVERSATION_SELECT: &str = "SELECT c.*, u.display_name AS officer_name, s.place AS place \
    FROM conversations c LEFT JOIN staff_users u ON u.id = c.officer_id \
    LEFT JOIN conversation_slots s ON s.id = c.slot_id";

fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// "Anhörig 7F3K": what staff call a carer who is recorded under a pseudonym.
fn pseudonym() -> String {
    let mut b = [0u8; 4];
    rand::thread_rng().fill_bytes(&mut b);
    let code: String = b
        .iter()
        .map(|x| {
            char::from(
                domain::contact::REFERENCE_ALPHABET
                    [*x as usize % domain::contact::REFERENCE_ALPHABET.len()],
            )
        })
        .collect();
    format!("Anhörig {code}")
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// The municipality's recording mode; named until the board chooses otherwise.
pub async fn recording_mode(db: &Db, kommunkod: &str) -> Result<RecordingMode, StoreError> {
    let mode: Option<String> = crate::with_pool!(db, pool => {
        sqlx::query_scalar("SELECT recording_mode FROM open_support_settings WHERE kommunkod = $1")
            .bind(kommunkod)
            .fetch_optional(pool)
            .await?
    });
    Ok(mode
        .as_deref()
        .and_then(RecordingMode::parse)
        .unwrap_or(RecordingMode::Named))
}

pub async fn set_recording_mode(
    db: &Db,
    kommunkod: &str,
    mode: RecordingMode,
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    crate::with_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO open_support_settings (kommunkod, recording_mode, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (kommunkod) DO UPDATE SET recording_mode = excluded.recording_mode, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(kommunkod)
        .bind(mode.as_str())
        .bind(now)
        .bind(by)
        .execute(&mut *c)
        .await?;
    });
    let mut e = origin.event(
        Some(kommunkod),
        "open_support.recording_mode",
        "municipality",
        Some(kommunkod.to_owned()),
    );
    e.reason = Some(mode.as_str().to_owned());
    audit::commit_with(tx, now, &e).await
}

pub async fn publish_slot(
    db: &Db,
    kommunkod: &str,
    officer_id: i64,
    s: &Slot,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<i64, StoreError> {
    let mut tx = db.begin().await?;
    let id: i64 = crate::with_tx!(&mut tx, c => {
        sqlx::query_scalar(
            "INSERT INTO conversation_slots (kommunkod, officer_id, starts_at, ends_at, mode, place, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'open', $7) RETURNING id",
        )
        .bind(kommunkod)
        .bind(officer_id)
        .bind(s.starts_at)
        .bind(s.ends_at)
        .bind(s.mode.as_str())
        .bind(&s.place)
        .bind(now)
        .fetch_one(&mut *c)
        .await?
    });
    audit::commit_with(
        tx,
        now,
        &origin.event(
            Some(kommunkod),
            "conversation.slot.publish",
            "conversation_slot",
            Some(id.to_string()),
        ),
    )
    .await?;
    Ok(id)
}

/// The times a carer can book now: open, still to come, not taken. No personal data.
pub async fn open_slots(
    db: &Db,
    kommunkod: &str,
    local_now: NaiveDateTime,
) -> Result<Vec<SlotRow>, StoreError> {
    let sql = format!("{SLOT_SELECT} WHERE s.kommunkod = $1 AND s.status = 'open' AND s.starts_at > $2 ORDER BY s.starts_at, s.id");
    crate::with_pool!(db, pool => {
        let all: Vec<SlotRow> = sqlx::query_as(&sql).bind(kommunkod).bind(local_now).fetch_all(pool).await?;
        Ok(all.into_iter().filter(|s| !s.booked).collect())
    })
}

pub async fn slot(db: &Db, kommunkod: &str, id: i64) -> Result<Option<SlotRow>, StoreError> {
    let sql = format!("{SLOT_SELECT} WHERE s.kommunkod = $1 AND s.id = $2");
    crate::with_pool!(db, pool => {
        Ok(sqlx::query_as(&sql).bind(kommunkod).bind(id).fetch_optional(pool).await?)
    })
}

/// The municipality's slots from `from` on with their live bookings, for staff. The read of
/// the bookings is logged, naming each conversation shown.
pub async fn schedule(
    db: &Db,
    kommunkod: &str,
    from: NaiveDateTime,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Vec<(SlotRow, Option<ConversationRow>)>, StoreError> {
    let slots_sql = format!(
        "{SLOT_SELECT} WHERE s.kommunkod = $1 AND s.ends_at >= $2 ORDER BY s.starts_at, s.id"
    );
    let conv_sql = format!(
        "{CONVERSATION_SELECT} WHERE c.kommunkod = $1 AND c.slot_id IS NOT NULL AND c.status IN ('booked', 'held', 'not_held') AND c.starts_at >= $2"
    );
    let (slots, convs): (Vec<SlotRow>, Vec<ConversationRow>) = crate::with_pool!(db, pool => {
        let s = sqlx::query_as(&slots_sql).bind(kommunkod).bind(from).fetch_all(pool).await?;
        let c = sqlx::query_as(&conv_sql).bind(kommunkod).bind(from).fetch_all(pool).await?;
        (s, c)
    });
    if !convs.is_empty() {
        let mut e = origin.event(Some(kommunkod), "conversation.list", "conversation", None);
        e.persons = convs
            .iter()
            .map(|c| format!("conversation:{}", c.id))
            .collect();
        audit::append_now(db, now, &e).await?;
    }
    Ok(slots
        .into_iter()
        .map(|s| {
            let c = convs.iter().find(|c| c.slot_id == Some(s.id)).cloned();
            (s, c)
        })
        .collect())
}

/// Locks a slot for the transaction and checks it can be booked.
async fn lock_free_slot(
    tx: &mut Tx,
    kommunkod: &str,
    slot_id: i64,
    local_now: NaiveDateTime,
) -> Result<Option<SlotRow>, StoreError> {
    let locked = crate::with_tx!(tx, c => {
        sqlx::query("UPDATE conversation_slots SET status = status WHERE id = $1 AND kommunkod = $2")
            .bind(slot_id)
            .bind(kommunkod)
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    if locked == 0 {
        return Ok(None);
    }
    let sql = format!("{SLOT_SELECT} WHERE s.id = $1");
    let s: SlotRow = crate::with_tx!(tx, c => {
        sqlx::query_as(&sql).bind(slot_id).fetch_one(&mut *c).await?
    });
    Ok((s.status == "open" && !s.booked && s.starts_at > local_now).then_some(s))
}

async fn conversation_in_tx(tx: &mut Tx, id: i64) -> Result<ConversationRow, StoreError> {
    let sql = format!("{CONVERSATION_SELECT} WHERE c.id = $1");
    crate::with_tx!(tx, c => {
        Ok(sqlx::query_as(&sql).bind(id).fetch_one(&mut *c).await?)
    })
}

async fn mail(
    tx: &mut Tx,
    compose: &dyn ComposeBooking,
    kind: BookingMail,
    c: &ConversationRow,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let Some(to) = c.email.clone() else {
        return Ok(());
    };
    let w = compose
        .compose_booking(kind, c)
        .map_err(StoreError::Corrupt)?;
    outbox::enqueue(
        tx,
        now,
        &NewMail {
            kommunkod: Some(c.kommunkod.clone()),
            kind: kind.as_str().to_owned(),
            about: format!("conversation:{}", c.id),
            to,
            subject: w.subject,
            text: w.text,
            html: w.html,
            send_after: now,
        },
    )
    .await?;
    Ok(())
}

fn event(origin: &Origin, kommunkod: &str, action: &str, id: i64) -> crate::audit::AuditEvent {
    let mut e = origin.event(
        Some(kommunkod),
        action,
        "conversation",
        Some(id.to_string()),
    );
    e.persons = vec![format!("conversation:{id}")];
    e
}

/// Books a time for a carer. Returns the conversation's id and the carer's token.
#[allow(clippy::too_many_arguments)]
pub async fn book(
    db: &Db,
    kommunkod: &str,
    slot_id: i64,
    b: &Booking,
    recording: RecordingMode,
    compose: &dyn ComposeBooking,
    now: DateTime<Utc>,
    local_now: NaiveDateTime,
    origin: &Origin,
) -> Result<Result<(i64, String), Refusal>, StoreError> {
    let mut tx = db.begin().await?;
    let Some(slot) = lock_free_slot(&mut tx, kommunkod, slot_id, local_now).await? else {
        return Ok(Err(Refusal::SlotUnavailable));
    };
    let token = random_hex(16);
    let pseudonym = (recording == RecordingMode::Pseudonymous).then(pseudonym);
    let inserted = crate::with_tx!(&mut tx, c => {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO conversations (kommunkod, slot_id, officer_id, token, starts_at, mode, channel, recording, name, pseudonym, email, phone, \
             age_group, gender, young_carer, topic, status, created_at, status_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'online', $7, $8, $9, $10, $11, $12, $13, $14, $15, 'booked', $16, $16) RETURNING id",
        )
        .bind(kommunkod)
        .bind(slot.id)
        .bind(slot.officer_id)
        .bind(&token)
        .bind(slot.starts_at)
        .bind(&slot.mode)
        .bind(recording.as_str())
        .bind(&b.name)
        .bind(&pseudonym)
        .bind(&b.email)
        .bind(&b.phone)
        .bind(b.age_group.map(|a| a.as_str()))
        .bind(b.gender.map(|g| g.as_str()))
        .bind(b.young_carer())
        .bind(&b.topic)
        .bind(now)
        .fetch_one(&mut *c)
        .await
    });
    let id = match inserted {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => return Ok(Err(Refusal::SlotUnavailable)),
        Err(e) => return Err(e.into()),
    };
    let row = conversation_in_tx(&mut tx, id).await?;
    mail(&mut tx, compose, BookingMail::Booked, &row, now).await?;
    audit::commit_with(tx, now, &event(origin, kommunkod, "conversation.book", id)).await?;
    Ok(Ok((id, token)))
}

/// The carer's booking by its token; the read is logged.
pub async fn by_token(
    db: &Db,
    token: &str,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Option<ConversationRow>, StoreError> {
    if !crate::activities::well_formed_token(token) {
        return Ok(None);
    }
    let sql = format!("{CONVERSATION_SELECT} WHERE c.token = $1");
    let row: Option<ConversationRow> = crate::with_pool!(db, pool => {
        sqlx::query_as(&sql).bind(token).fetch_optional(pool).await?
    });
    if let Some(c) = &row {
        audit::append_now(
            db,
            now,
            &event(origin, &c.kommunkod, "conversation.read", c.id),
        )
        .await?;
    }
    Ok(row)
}

async fn by_token_in_tx(tx: &mut Tx, token: &str) -> Result<Option<ConversationRow>, StoreError> {
    let id: Option<i64> = crate::with_tx!(tx, c => {
        sqlx::query_scalar("SELECT id FROM conversations WHERE token = $1")
            .bind(token)
            .fetch_optional(&mut *c)
            .await?
    });
    match id {
        Some(id) => Ok(Some(conversation_in_tx(tx, id).await?)),
        None => Ok(None),
    }
}

async fn set_status(
    tx: &mut Tx,
    id: i64,
    status: ConversationStatus,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    crate::with_tx!(tx, c => {
        sqlx::query("UPDATE conversations SET status = $1, status_at = $2 WHERE id = $3")
            .bind(status.as_str())
            .bind(now)
            .bind(id)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// A transaction on the live booking a carer's token names.
async fn open_booking(
    db: &Db,
    kommunkod: &str,
    token: &str,
) -> Result<Result<(Tx, ConversationRow), Refusal>, StoreError> {
    if !crate::activities::well_formed_token(token) {
        return Ok(Err(Refusal::NotFound));
    }
    let mut tx = db.begin().await?;
    // A link works only under its own municipality's address.
    let Some(c) = by_token_in_tx(&mut tx, token)
        .await?
        .filter(|c| c.kommunkod == kommunkod)
    else {
        return Ok(Err(Refusal::NotFound));
    };
    if c.status != ConversationStatus::Booked.as_str() {
        return Ok(Err(Refusal::AlreadyCancelled));
    }
    Ok(Ok((tx, c)))
}

/// The carer cancels by their link; the time opens for others.
pub async fn cancel_booking(
    db: &Db,
    kommunkod: &str,
    token: &str,
    compose: &dyn ComposeBooking,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Result<ConversationRow, Refusal>, StoreError> {
    let (mut tx, c) = match open_booking(db, kommunkod, token).await? {
        Ok(open) => open,
        Err(r) => return Ok(Err(r)),
    };
    set_status(&mut tx, c.id, ConversationStatus::Cancelled, now).await?;
    let after = conversation_in_tx(&mut tx, c.id).await?;
    mail(&mut tx, compose, BookingMail::Cancelled, &after, now).await?;
    audit::commit_with(
        tx,
        now,
        &event(origin, &c.kommunkod, "conversation.cancel", c.id),
    )
    .await?;
    Ok(Ok(after))
}

/// Moves a booking to another free time of the same municipality, in one transaction.
#[allow(clippy::too_many_arguments)]
pub async fn rebook(
    db: &Db,
    kommunkod: &str,
    token: &str,
    slot_id: i64,
    compose: &dyn ComposeBooking,
    now: DateTime<Utc>,
    local_now: NaiveDateTime,
    origin: &Origin,
) -> Result<Result<ConversationRow, Refusal>, StoreError> {
    let (mut tx, c) = match open_booking(db, kommunkod, token).await? {
        Ok(open) => open,
        Err(r) => return Ok(Err(r)),
    };
    let Some(slot) = lock_free_slot(&mut tx, &c.kommunkod, slot_id, local_now).await? else {
        return Ok(Err(Refusal::SlotUnavailable));
    };
    let mode = domain::conversation::ConversationMode::parse(&slot.mode);
    if !mode.is_some_and(|m| m.reachable(c.email.is_some(), c.phone.is_some())) {
        return Ok(Err(Refusal::NeedsContact));
    }
    let moved = crate::with_tx!(&mut tx, x => {
        sqlx::query("UPDATE conversations SET slot_id = $1, officer_id = $2, starts_at = $3, mode = $4, status_at = $5 WHERE id = $6")
            .bind(slot.id)
            .bind(slot.officer_id)
            .bind(slot.starts_at)
            .bind(&slot.mode)
            .bind(now)
            .bind(c.id)
            .execute(&mut *x)
            .await
            .map(|r| r.rows_affected())
    });
    match moved {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => return Ok(Err(Refusal::SlotUnavailable)),
        Err(e) => return Err(e.into()),
    }
    let after = conversation_in_tx(&mut tx, c.id).await?;
    mail(&mut tx, compose, BookingMail::Rebooked, &after, now).await?;
    let mut e = event(origin, &c.kommunkod, "conversation.rebook", c.id);
    e.reason = c.slot_id.map(|from| format!("slot {from} -> {slot_id}"));
    audit::commit_with(tx, now, &e).await?;
    Ok(Ok(after))
}

/// The officer cancels a time; a carer who had booked it is told.
pub async fn cancel_slot(
    db: &Db,
    kommunkod: &str,
    slot_id: i64,
    compose: &dyn ComposeBooking,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Result<(), Refusal>, StoreError> {
    let mut tx = db.begin().await?;
    let done = crate::with_tx!(&mut tx, c => {
        sqlx::query("UPDATE conversation_slots SET status = 'cancelled' WHERE id = $1 AND kommunkod = $2 AND status = 'open'")
            .bind(slot_id)
            .bind(kommunkod)
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    if done == 0 {
        return Ok(Err(Refusal::SlotUnavailable));
    }
    let booked: Option<i64> = crate::with_tx!(&mut tx, c => {
        sqlx::query_scalar("SELECT id FROM conversations WHERE slot_id = $1 AND status = 'booked'")
            .bind(slot_id)
            .fetch_optional(&mut *c)
            .await?
    });
    let mut e = origin.event(
        Some(kommunkod),
        "conversation.slot.cancel",
        "conversation_slot",
        Some(slot_id.to_string()),
    );
    if let Some(id) = booked {
        set_status(&mut tx, id, ConversationStatus::Cancelled, now).await?;
        let row = conversation_in_tx(&mut tx, id).await?;
        mail(&mut tx, compose, BookingMail::SlotCancelled, &row, now).await?;
        e.persons = vec![format!("conversation:{id}")];
    }
    audit::commit_with(tx, now, &e).await?;
    Ok(Ok(()))
}

/// Staff record whether a booked conversation took place, once its time has come.
pub async fn mark(
    db: &Db,
    kommunkod: &str,
    id: i64,
    status: ConversationStatus,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Result<(), Refusal>, StoreError> {
    let mut tx = db.begin().await?;
    let done = crate::with_tx!(&mut tx, c => {
        sqlx::query("UPDATE conversations SET status = $1, status_at = $2 WHERE id = $3 AND kommunkod = $4 AND status = 'booked' AND starts_at <= $5")
            .bind(status.as_str())
            .bind(now)
            .bind(id)
            .bind(kommunkod)
            .bind(domain::clock::stockholm_local(now))
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    if done == 0 {
        return Ok(Err(Refusal::NotFound));
    }
    let mut e = event(origin, kommunkod, "conversation.mark", id);
    e.reason = Some(status.as_str().to_owned());
    audit::commit_with(tx, now, &e).await?;
    Ok(Ok(()))
}

/// A conversation staff held without a booking (a call), recorded in the municipality's mode.
pub async fn register_held(
    db: &Db,
    kommunkod: &str,
    officer_id: i64,
    h: &Held,
    recording: RecordingMode,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<i64, StoreError> {
    let mut tx = db.begin().await?;
    let pseudonym = (recording == RecordingMode::Pseudonymous).then(pseudonym);
    let id: i64 = crate::with_tx!(&mut tx, c => {
        sqlx::query_scalar(
            "INSERT INTO conversations (kommunkod, officer_id, starts_at, mode, channel, recording, name, pseudonym, phone, age_group, gender, \
             young_carer, topic, status, created_at, status_at, created_by) \
             VALUES ($1, $2, $3, $4, 'staff', $5, $6, $7, $8, $9, $10, $11, $12, 'held', $13, $13, $2) RETURNING id",
        )
        .bind(kommunkod)
        .bind(officer_id)
        .bind(h.at)
        .bind(h.mode.as_str())
        .bind(recording.as_str())
        .bind(&h.name)
        .bind(&pseudonym)
        .bind(&h.phone)
        .bind(h.age_group.map(|a| a.as_str()))
        .bind(h.gender.map(|g| g.as_str()))
        .bind(h.age_group == Some(domain::contact::AgeGroup::Under18))
        .bind(&h.topic)
        .bind(now)
        .fetch_one(&mut *c)
        .await?
    });
    audit::commit_with(
        tx,
        now,
        &event(origin, kommunkod, "conversation.register", id),
    )
    .await?;
    Ok(id)
}

/// Conversations registered or held, newest first, for staff (the read is logged).
pub async fn recent(
    db: &Db,
    kommunkod: &str,
    limit: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Vec<ConversationRow>, StoreError> {
    let sql = format!(
        "{CONVERSATION_SELECT} WHERE c.kommunkod = $1 AND c.status IN ('held', 'not_held') ORDER BY c.starts_at DESC, c.id DESC LIMIT $2"
    );
    let rows: Vec<ConversationRow> = crate::with_pool!(db, pool => {
        sqlx::query_as(&sql).bind(kommunkod).bind(limit).fetch_all(pool).await?
    });
    if !rows.is_empty() {
        let mut e = origin.event(Some(kommunkod), "conversation.list", "conversation", None);
        e.persons = rows
            .iter()
            .map(|c| format!("conversation:{}", c.id))
            .collect();
        audit::append_now(db, now, &e).await?;
    }
    Ok(rows)
}
