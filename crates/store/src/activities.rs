//! Activities of the open support, their occasions, sign-ups with a waitlist, attendance, and
//! the e-mails each change sends (written to the outbox in the change's transaction).
//!
//! Every change that touches seats starts by updating the activity's row: on PostgreSQL that
//! locks it, on SQLite it takes the one write lock, so two sign-ups racing for the last seat
//! are counted one after the other and never both confirmed.

use crate::audit::{self, AuditEvent, Origin};
use crate::db::{Db, Tx};
use crate::outbox::{self, NewMail};
use crate::StoreError;
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use domain::activity::{open_for_signup, seat_for, ActivityInput, Closed, Signup, SignupStatus};
use domain::clock::from_stockholm;
use rand::RngCore;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Activity {
    pub id: i64,
    pub kommunkod: String,
    pub kind: String,
    pub theme: String,
    pub title: String,
    pub description: String,
    pub audience: String,
    pub for_young_carers: bool,
    pub place_name: String,
    pub place_address: Option<String>,
    pub step_free: bool,
    pub hearing_loop: bool,
    pub digital: bool,
    pub meeting_link: Option<String>,
    pub capacity: i64,
    pub cost: String,
    pub signup_deadline: Option<NaiveDate>,
    pub reminder_days: i64,
    pub responsible_id: Option<i64>,
    pub responsible_name: Option<String>,
    pub status: String,
    pub cancel_reason: Option<String>,
    pub updated_at: DateTime<Utc>,
    pub is_demo: bool,
    pub confirmed: i64,
    pub waitlisted: i64,
}

impl Activity {
    pub fn cancelled(&self) -> bool {
        self.status == "cancelled"
    }
    pub fn seats_left(&self) -> i64 {
        (self.capacity - self.confirmed).max(0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Occasion {
    pub id: i64,
    pub activity_id: i64,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub cancelled: bool,
    pub cancel_reason: Option<String>,
    pub sequence: i64,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignupRow {
    pub id: i64,
    pub kommunkod: String,
    pub activity_id: i64,
    pub token: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub needs: Vec<String>,
    pub interpreter_language: Option<String>,
    pub needs_note: Option<String>,
    pub age_group: Option<String>,
    pub gender: Option<String>,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub status_at: DateTime<Utc>,
    pub cancelled_by: Option<String>,
    pub is_demo: bool,
}

/// What a message tells of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    Confirmed,
    Waitlisted,
    Promoted,
    Cancelled,
    OccasionCancelled,
    ActivityCancelled,
    Reminder,
    Message,
}

impl MailKind {
    pub const ALL: [MailKind; 8] = [
        MailKind::Confirmed,
        MailKind::Waitlisted,
        MailKind::Promoted,
        MailKind::Cancelled,
        MailKind::OccasionCancelled,
        MailKind::ActivityCancelled,
        MailKind::Reminder,
        MailKind::Message,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Confirmed => "confirmation",
            MailKind::Waitlisted => "waitlisted",
            MailKind::Promoted => "promotion",
            MailKind::Cancelled => "cancelled",
            MailKind::OccasionCancelled => "occasion_cancelled",
            MailKind::ActivityCancelled => "activity_cancelled",
            MailKind::Reminder => "reminder",
            MailKind::Message => "message",
        }
    }
}

/// Everything a message may say.
pub struct MailContext<'a> {
    pub kind: MailKind,
    pub activity: &'a Activity,
    /// The activity's occasions not cancelled, in order.
    pub occasions: &'a [Occasion],
    /// The occasion a reminder or a cancellation is about.
    pub occasion: Option<&'a Occasion>,
    pub signup: &'a SignupRow,
    /// Subject and text of a message from staff.
    pub message: Option<(&'a str, &'a str)>,
}

/// A written message: subject, plain text, HTML.
pub struct Written {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The wording of messages, supplied by the web layer (templates and Fluent texts); the store
/// decides who gets which message, inside the transaction of the change.
pub trait Compose: Send + Sync {
    fn compose(&self, c: &MailContext<'_>) -> Result<Written, String>;
}

/// Why a change was not made; nothing was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NotFound,
    Closed(Closed),
    /// The same person (e-mail or phone) already has a live sign-up.
    Duplicate,
    /// The sign-up was already cancelled (a used link).
    AlreadyCancelled,
    /// Capacity below the number confirmed.
    CapacityBelowConfirmed,
    /// The occasion was already cancelled, or belongs to another activity.
    OccasionClosed,
}

fn token() -> String {
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

fn split(s: String) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

const ACTIVITY_COLUMNS: &str = "a.*, u.display_name AS responsible_name, \
    (SELECT COUNT(*) FROM signups s WHERE s.activity_id = a.id AND s.status = 'confirmed') AS confirmed, \
    (SELECT COUNT(*) FROM signups s WHERE s.activity_id = a.id AND s.status = 'waitlisted') AS waitlisted";

/// A row of `signups` as stored; `needs` is the comma list `SignupRow` splits.
#[derive(sqlx::FromRow)]
struct SignupRecord {
    id: i64,
    kommunkod: String,
    activity_id: i64,
    token: String,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    needs: String,
    interpreter_language: Option<String>,
    needs_note: Option<String>,
    age_group: Option<String>,
    gender: Option<String>,
    status: String,
    created_at: DateTime<Utc>,
    status_at: DateTime<Utc>,
    cancelled_by: Option<String>,
    is_demo: bool,
}

impl From<SignupRecord> for SignupRow {
    fn from(r: SignupRecord) -> Self {
        Self {
            id: r.id,
            kommunkod: r.kommunkod,
            activity_id: r.activity_id,
            token: r.token,
            name: r.name,
            email: r.email,
            phone: r.phone,
            needs: split(r.needs),
            interpreter_language: r.interpreter_language,
            needs_note: r.needs_note,
            age_group: r.age_group,
            gender: r.gender,
            status: r.status,
            created_at: r.created_at,
            status_at: r.status_at,
            cancelled_by: r.cancelled_by,
            is_demo: r.is_demo,
        }
    }
}

fn signup_rows(rows: Vec<SignupRecord>) -> Vec<SignupRow> {
    rows.into_iter().map(SignupRow::from).collect()
}

// ---- public reads (no personal data) ----

/// The municipality's activities, cancelled ones too, newest first.
pub async fn list(db: &Db, kommunkod: &str) -> Result<Vec<(Activity, Vec<Occasion>)>, StoreError> {
    let sql = format!(
        "SELECT {ACTIVITY_COLUMNS} FROM activities a LEFT JOIN staff_users u ON u.id = a.responsible_id \
         WHERE a.kommunkod = $1 ORDER BY a.id DESC"
    );
    let (activities, occasions): (Vec<Activity>, Vec<Occasion>) = crate::with_pool!(db, pool => {
        let a = sqlx::query_as(&sql).bind(kommunkod).fetch_all(pool).await?;
        let o = sqlx::query_as(
            "SELECT o.* FROM activity_occasions o JOIN activities a ON a.id = o.activity_id \
             WHERE a.kommunkod = $1 ORDER BY o.starts_at, o.id",
        )
        .bind(kommunkod)
        .fetch_all(pool)
        .await?;
        (a, o)
    });
    Ok(activities
        .into_iter()
        .map(|a| {
            let mine = occasions
                .iter()
                .filter(|o| o.activity_id == a.id)
                .cloned()
                .collect();
            (a, mine)
        })
        .collect())
}

/// One activity of the municipality with all its occasions.
pub async fn get(
    db: &Db,
    kommunkod: Option<&str>,
    id: i64,
) -> Result<Option<(Activity, Vec<Occasion>)>, StoreError> {
    let sql = format!(
        "SELECT {ACTIVITY_COLUMNS} FROM activities a LEFT JOIN staff_users u ON u.id = a.responsible_id \
         WHERE a.id = $1 AND ($2 = '' OR a.kommunkod = $2)"
    );
    crate::with_pool!(db, pool => {
        let Some(a) = sqlx::query_as(&sql).bind(id).bind(kommunkod.unwrap_or("")).fetch_optional(pool).await? else {
            return Ok(None);
        };
        let o = sqlx::query_as("SELECT * FROM activity_occasions WHERE activity_id = $1 ORDER BY starts_at, id")
            .bind(id)
            .fetch_all(pool)
            .await?;
        Ok(Some((a, o)))
    })
}

// ---- inside a transaction ----

/// Locks the activity for the rest of the transaction (see the module comment) and reads it.
async fn lock(tx: &mut Tx, id: i64) -> Result<Option<(Activity, Vec<Occasion>)>, StoreError> {
    let locked = crate::with_tx!(tx, c => {
        sqlx::query("UPDATE activities SET capacity = capacity WHERE id = $1")
            .bind(id)
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    if locked == 0 {
        return Ok(None);
    }
    let sql = format!(
        "SELECT {ACTIVITY_COLUMNS} FROM activities a LEFT JOIN staff_users u ON u.id = a.responsible_id WHERE a.id = $1"
    );
    crate::with_tx!(tx, c => {
        let a = sqlx::query_as(&sql).bind(id).fetch_one(&mut *c).await?;
        let o = sqlx::query_as("SELECT * FROM activity_occasions WHERE activity_id = $1 ORDER BY starts_at, id")
            .bind(id)
            .fetch_all(&mut *c)
            .await?;
        Ok(Some((a, o)))
    })
}

async fn signup_in_tx(tx: &mut Tx, id: i64) -> Result<SignupRow, StoreError> {
    let r: SignupRecord = crate::with_tx!(tx, c => {
        sqlx::query_as("SELECT * FROM signups WHERE id = $1").bind(id).fetch_one(&mut *c).await?
    });
    Ok(r.into())
}

async fn set_status(
    tx: &mut Tx,
    id: i64,
    status: SignupStatus,
    by: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    crate::with_tx!(tx, c => {
        sqlx::query("UPDATE signups SET status = $1, status_at = $2, cancelled_by = $3 WHERE id = $4")
            .bind(status.as_str())
            .bind(now)
            .bind(by)
            .bind(id)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// Writes one message to the outbox when the participant gave an e-mail address.
#[allow(clippy::too_many_arguments)]
async fn mail(
    tx: &mut Tx,
    compose: &dyn Compose,
    kind: MailKind,
    activity: &Activity,
    occasions: &[Occasion],
    occasion: Option<&Occasion>,
    signup: &SignupRow,
    message: Option<(&str, &str)>,
    send_after: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let Some(to) = signup.email.clone() else {
        return Ok(());
    };
    let live: Vec<Occasion> = occasions.iter().filter(|o| !o.cancelled).cloned().collect();
    let w = compose
        .compose(&MailContext {
            kind,
            activity,
            occasions: &live,
            occasion,
            signup,
            message,
        })
        .map_err(StoreError::Corrupt)?;
    let about = match (kind, occasion) {
        (MailKind::Reminder, Some(o)) => reminder_about(o.id, signup.id),
        _ => format!("signup:{}", signup.id),
    };
    outbox::enqueue(
        tx,
        now,
        &NewMail {
            kommunkod: Some(signup.kommunkod.clone()),
            kind: kind.as_str().to_owned(),
            about,
            to,
            subject: w.subject,
            text: w.text,
            html: w.html,
            send_after,
        },
    )
    .await?;
    Ok(())
}

fn reminder_about(occasion: i64, signup: i64) -> String {
    format!("occasion:{occasion}:signup:{signup}")
}

/// Reminders for a confirmed participant: one per coming occasion, `reminder_days` before it,
/// unless that moment has passed.
async fn schedule_reminders(
    tx: &mut Tx,
    compose: &dyn Compose,
    activity: &Activity,
    occasions: &[Occasion],
    signup: &SignupRow,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if activity.reminder_days <= 0 {
        return Ok(());
    }
    for o in occasions.iter().filter(|o| !o.cancelled) {
        let at = from_stockholm(o.starts_at) - Duration::days(activity.reminder_days);
        if at > now {
            mail(
                tx,
                compose,
                MailKind::Reminder,
                activity,
                occasions,
                Some(o),
                signup,
                None,
                at,
                now,
            )
            .await?;
        }
    }
    Ok(())
}

async fn void_reminders(
    tx: &mut Tx,
    occasions: &[Occasion],
    signup_id: i64,
) -> Result<(), StoreError> {
    for o in occasions {
        outbox::void_about(tx, &reminder_about(o.id, signup_id), &[]).await?;
    }
    Ok(())
}

/// Fills free seats from the waitlist in order. Returns the ids promoted.
async fn promote(
    tx: &mut Tx,
    compose: &dyn Compose,
    activity: &Activity,
    occasions: &[Occasion],
    now: DateTime<Utc>,
) -> Result<Vec<i64>, StoreError> {
    let (confirmed, waiting): (i64, Vec<i64>) = crate::with_tx!(tx, c => {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM signups WHERE activity_id = $1 AND status = 'confirmed'")
            .bind(activity.id)
            .fetch_one(&mut *c)
            .await?;
        let w: Vec<i64> = sqlx::query_scalar("SELECT id FROM signups WHERE activity_id = $1 AND status = 'waitlisted' ORDER BY id")
            .bind(activity.id)
            .fetch_all(&mut *c)
            .await?;
        (n, w)
    });
    let free = (activity.capacity - confirmed).max(0) as usize;
    let promoted: Vec<i64> = waiting.into_iter().take(free).collect();
    for &id in &promoted {
        set_status(tx, id, SignupStatus::Confirmed, None, now).await?;
        let s = signup_in_tx(tx, id).await?;
        mail(
            tx,
            compose,
            MailKind::Promoted,
            activity,
            occasions,
            None,
            &s,
            None,
            now,
            now,
        )
        .await?;
        schedule_reminders(tx, compose, activity, occasions, &s, now).await?;
    }
    Ok(promoted)
}

fn event(origin: &Origin, kommunkod: &str, action: &str, kind: &str, id: i64) -> AuditEvent {
    origin.event(Some(kommunkod), action, kind, Some(id.to_string()))
}

// ---- changes ----

/// Binds an activity's fields in their column order (kind … responsible_id: $1 to $17).
macro_rules! bind_input {
    ($q:expr, $a:expr, $responsible:expr) => {
        $q.bind($a.kind.as_str())
            .bind($a.theme.as_str())
            .bind(&$a.title)
            .bind(&$a.description)
            .bind(&$a.audience)
            .bind($a.for_young_carers)
            .bind(&$a.place_name)
            .bind(&$a.place_address)
            .bind($a.step_free)
            .bind($a.hearing_loop)
            .bind($a.digital)
            .bind(&$a.meeting_link)
            .bind($a.capacity)
            .bind(&$a.cost)
            .bind($a.signup_deadline)
            .bind($a.reminder_days)
            .bind($responsible)
    };
}

/// Creates an activity with no occasions yet.
#[allow(clippy::too_many_arguments)]
pub async fn create(
    db: &Db,
    kommunkod: &str,
    a: &ActivityInput,
    responsible: Option<i64>,
    now: DateTime<Utc>,
    origin: &Origin,
    created_by: Option<i64>,
    is_demo: bool,
) -> Result<i64, StoreError> {
    let mut tx = db.begin().await?;
    let id: i64 = crate::with_tx!(&mut tx, c => {
        let q = sqlx::query_scalar(
            "INSERT INTO activities (kind, theme, title, description, audience, for_young_carers, place_name, place_address, \
             step_free, hearing_loop, digital, meeting_link, capacity, cost, signup_deadline, reminder_days, responsible_id, \
             kommunkod, status, created_at, created_by, updated_at, is_demo) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 'open', $19, $20, $19, $21) RETURNING id",
        );
        bind_input!(q, a, responsible)
        .bind(kommunkod)
        .bind(now)
        .bind(created_by)
        .bind(is_demo)
        .fetch_one(&mut *c)
        .await?
    });
    audit::commit_with(
        tx,
        now,
        &event(origin, kommunkod, "activity.create", "activity", id),
    )
    .await?;
    Ok(id)
}

/// Changes an activity. A larger capacity fills seats from the waitlist at once; a capacity
/// below the confirmed count is refused.
#[allow(clippy::too_many_arguments)]
pub async fn update(
    db: &Db,
    kommunkod: &str,
    id: i64,
    a: &ActivityInput,
    responsible: Option<i64>,
    compose: &dyn Compose,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Result<(), Refusal>, StoreError> {
    let mut tx = db.begin().await?;
    let Some((current, occasions)) = lock(&mut tx, id)
        .await?
        .filter(|(x, _)| x.kommunkod == kommunkod)
    else {
        return Ok(Err(Refusal::NotFound));
    };
    if a.capacity < current.confirmed {
        return Ok(Err(Refusal::CapacityBelowConfirmed));
    }
    crate::with_tx!(&mut tx, c => {
        let q = sqlx::query(
            "UPDATE activities SET kind = $1, theme = $2, title = $3, description = $4, audience = $5, for_young_carers = $6, \
             place_name = $7, place_address = $8, step_free = $9, hearing_loop = $10, digital = $11, meeting_link = $12, capacity = $13, \
             cost = $14, signup_deadline = $15, reminder_days = $16, responsible_id = $17, updated_at = $18 WHERE id = $19",
        );
        bind_input!(q, a, responsible)
        .bind(now)
        .bind(id)
        .execute(&mut *c)
        .await?;
        // Subscribers' calendars show the new title or place.
        sqlx::query("UPDATE activity_occasions SET sequence = sequence + 1, updated_at = $1 WHERE activity_id = $2")
            .bind(now)
            .bind(id)
            .execute(&mut *c)
            .await?;
    });
    let Some((updated, _)) = lock(&mut tx, id).await? else {
        return Ok(Err(Refusal::NotFound));
    };
    let promoted = promote(&mut tx, compose, &updated, &occasions, now).await?;
    let mut e = event(origin, kommunkod, "activity.update", "activity", id);
    e.persons = promoted.iter().map(|p| format!("signup:{p}")).collect();
    audit::commit_with(tx, now, &e).await?;
    Ok(Ok(()))
}

/// Adds an occasion; confirmed participants get a reminder for it.
#[allow(clippy::too_many_arguments)]
pub async fn add_occasion(
    db: &Db,
    kommunkod: &str,
    activity_id: i64,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    compose: &dyn Compose,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Result<i64, Refusal>, StoreError> {
    let mut tx = db.begin().await?;
    let Some((a, _)) = lock(&mut tx, activity_id)
        .await?
        .filter(|(x, _)| x.kommunkod == kommunkod)
    else {
        return Ok(Err(Refusal::NotFound));
    };
    if a.cancelled() {
        return Ok(Err(Refusal::Closed(Closed::Cancelled)));
    }
    let id: i64 = crate::with_tx!(&mut tx, c => {
        sqlx::query_scalar(
            "INSERT INTO activity_occasions (activity_id, starts_at, ends_at, cancelled, sequence, updated_at) VALUES ($1, $2, $3, $4, 0, $5) RETURNING id",
        )
        .bind(activity_id)
        .bind(starts_at)
        .bind(ends_at)
        .bind(false)
        .bind(now)
        .fetch_one(&mut *c)
        .await?
    });
    let Some((a, occasions)) = lock(&mut tx, activity_id).await? else {
        return Ok(Err(Refusal::NotFound));
    };
    let new: Vec<Occasion> = occasions.iter().filter(|o| o.id == id).cloned().collect();
    let confirmed = live_signups(&mut tx, activity_id, Some(SignupStatus::Confirmed)).await?;
    for s in &confirmed {
        schedule_reminders(&mut tx, compose, &a, &new, s, now).await?;
    }
    audit::commit_with(
        tx,
        now,
        &event(
            origin,
            kommunkod,
            "activity.occasion.add",
            "activity",
            activity_id,
        ),
    )
    .await?;
    Ok(Ok(id))
}

async fn live_signups(
    tx: &mut Tx,
    activity_id: i64,
    only: Option<SignupStatus>,
) -> Result<Vec<SignupRow>, StoreError> {
    let rows = crate::with_tx!(tx, c => {
        sqlx::query_as(
            "SELECT * FROM signups WHERE activity_id = $1 AND status <> 'cancelled' AND ($2 = '' OR status = $2) ORDER BY id",
        )
        .bind(activity_id)
        .bind(only.map_or("", SignupStatus::as_str))
        .fetch_all(&mut *c)
        .await?
    });
    Ok(signup_rows(rows))
}

/// Cancels one occasion: everyone signed up hears of it, and its reminders are not sent.
#[allow(clippy::too_many_arguments)]
pub async fn cancel_occasion(
    db: &Db,
    kommunkod: &str,
    activity_id: i64,
    occasion_id: i64,
    reason: &str,
    compose: &dyn Compose,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Result<(), Refusal>, StoreError> {
    let mut tx = db.begin().await?;
    let Some((a, occasions)) = lock(&mut tx, activity_id)
        .await?
        .filter(|(x, _)| x.kommunkod == kommunkod)
    else {
        return Ok(Err(Refusal::NotFound));
    };
    let Some(o) = occasions
        .iter()
        .find(|o| o.id == occasion_id && !o.cancelled)
        .cloned()
    else {
        return Ok(Err(Refusal::OccasionClosed));
    };
    crate::with_tx!(&mut tx, c => {
        sqlx::query("UPDATE activity_occasions SET cancelled = $1, cancel_reason = $2, sequence = sequence + 1, updated_at = $3 WHERE id = $4")
            .bind(true)
            .bind(reason)
            .bind(now)
            .bind(occasion_id)
            .execute(&mut *c)
            .await?;
    });
    let after: Vec<Occasion> = occasions
        .iter()
        .map(|x| Occasion {
            cancelled: x.cancelled || x.id == occasion_id,
            ..x.clone()
        })
        .collect();
    let people = live_signups(&mut tx, activity_id, None).await?;
    for s in &people {
        outbox::void_about(&mut tx, &reminder_about(occasion_id, s.id), &[]).await?;
        mail(
            &mut tx,
            compose,
            MailKind::OccasionCancelled,
            &a,
            &after,
            Some(&o),
            s,
            None,
            now,
            now,
        )
        .await?;
    }
    let mut e = event(
        origin,
        kommunkod,
        "activity.occasion.cancel",
        "activity",
        activity_id,
    );
    e.persons = people.iter().map(|s| format!("signup:{}", s.id)).collect();
    e.reason = Some(reason.to_owned());
    audit::commit_with(tx, now, &e).await?;
    Ok(Ok(()))
}

/// Cancels the whole activity: its occasions and every sign-up, with a message to each.
pub async fn cancel_activity(
    db: &Db,
    kommunkod: &str,
    activity_id: i64,
    reason: &str,
    compose: &dyn Compose,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Result<(), Refusal>, StoreError> {
    let mut tx = db.begin().await?;
    let Some((a, occasions)) = lock(&mut tx, activity_id)
        .await?
        .filter(|(x, _)| x.kommunkod == kommunkod)
    else {
        return Ok(Err(Refusal::NotFound));
    };
    if a.cancelled() {
        return Ok(Err(Refusal::Closed(Closed::Cancelled)));
    }
    crate::with_tx!(&mut tx, c => {
        sqlx::query("UPDATE activities SET status = 'cancelled', cancel_reason = $1, updated_at = $2 WHERE id = $3")
            .bind(reason)
            .bind(now)
            .bind(activity_id)
            .execute(&mut *c)
            .await?;
        sqlx::query("UPDATE activity_occasions SET cancelled = $1, cancel_reason = COALESCE(cancel_reason, $2), sequence = sequence + 1, updated_at = $3 WHERE activity_id = $4 AND cancelled = $5")
            .bind(true)
            .bind(reason)
            .bind(now)
            .bind(activity_id)
            .bind(false)
            .execute(&mut *c)
            .await?;
    });
    let a = Activity {
        status: "cancelled".into(),
        cancel_reason: Some(reason.to_owned()),
        ..a
    };
    let people = live_signups(&mut tx, activity_id, None).await?;
    for s in &people {
        set_status(
            &mut tx,
            s.id,
            SignupStatus::Cancelled,
            Some("activity"),
            now,
        )
        .await?;
        void_reminders(&mut tx, &occasions, s.id).await?;
        mail(
            &mut tx,
            compose,
            MailKind::ActivityCancelled,
            &a,
            &occasions,
            None,
            s,
            None,
            now,
            now,
        )
        .await?;
    }
    let mut e = event(
        origin,
        kommunkod,
        "activity.cancel",
        "activity",
        activity_id,
    );
    e.persons = people.iter().map(|s| format!("signup:{}", s.id)).collect();
    e.reason = Some(reason.to_owned());
    audit::commit_with(tx, now, &e).await?;
    Ok(Ok(()))
}

/// A new sign-up.
pub struct Signed {
    pub id: i64,
    pub token: String,
    pub status: SignupStatus,
}

/// Signs a person up: confirmed while seats are left, else waitlisted; the confirmation (and
/// the reminders) are written to the outbox in the same transaction.
#[allow(clippy::too_many_arguments)]
pub async fn sign_up(
    db: &Db,
    kommunkod: Option<&str>,
    activity_id: i64,
    s: &Signup,
    compose: &dyn Compose,
    now: DateTime<Utc>,
    local_now: NaiveDateTime,
    origin: &Origin,
    is_demo: bool,
) -> Result<Result<Signed, Refusal>, StoreError> {
    let mut tx = db.begin().await?;
    let Some((a, occasions)) = lock(&mut tx, activity_id)
        .await?
        .filter(|(x, _)| kommunkod.is_none_or(|k| x.kommunkod == k))
    else {
        return Ok(Err(Refusal::NotFound));
    };
    let upcoming = occasions
        .iter()
        .filter(|o| !o.cancelled && o.starts_at > local_now)
        .count();
    if let Err(closed) = open_for_signup(a.cancelled(), a.signup_deadline, upcoming, local_now) {
        return Ok(Err(Refusal::Closed(closed)));
    }
    let status = seat_for(a.confirmed, a.capacity);
    let token = token();
    let needs: Vec<&str> = s.needs.iter().map(|n| n.as_str()).collect();
    let inserted = crate::with_tx!(&mut tx, c => {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO signups (kommunkod, activity_id, token, name, email, phone, contact_key, needs, interpreter_language, needs_note, \
             age_group, gender, consent, status, created_at, status_at, is_demo) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16) RETURNING id",
        )
        .bind(&a.kommunkod)
        .bind(activity_id)
        .bind(&token)
        .bind(&s.name)
        .bind(&s.email)
        .bind(&s.phone)
        .bind(&s.contact_key)
        .bind(needs.join(","))
        .bind(&s.interpreter_language)
        .bind(&s.needs_note)
        .bind(s.age_group.map(|g| g.as_str()))
        .bind(s.gender.map(|g| g.as_str()))
        .bind(true)
        .bind(status.as_str())
        .bind(now)
        .bind(is_demo)
        .fetch_one(&mut *c)
        .await
    });
    let id = match inserted {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => return Ok(Err(Refusal::Duplicate)),
        Err(e) => return Err(e.into()),
    };
    let row = signup_in_tx(&mut tx, id).await?;
    let kind = if status == SignupStatus::Confirmed {
        MailKind::Confirmed
    } else {
        MailKind::Waitlisted
    };
    mail(
        &mut tx, compose, kind, &a, &occasions, None, &row, None, now, now,
    )
    .await?;
    if status == SignupStatus::Confirmed {
        schedule_reminders(&mut tx, compose, &a, &occasions, &row, now).await?;
    }
    let mut e = event(origin, &a.kommunkod, "signup.create", "signup", id);
    e.persons = vec![format!("signup:{id}")];
    audit::commit_with(tx, now, &e).await?;
    Ok(Ok(Signed { id, token, status }))
}

/// Looks a sign-up up by its token, for the carer's own page; the read is logged.
pub async fn by_token(
    db: &Db,
    token: &str,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Option<SignupRow>, StoreError> {
    if !well_formed_token(token) {
        return Ok(None);
    }
    let row: Option<SignupRow> = crate::with_pool!(db, pool => {
        sqlx::query_as::<_, SignupRecord>("SELECT * FROM signups WHERE token = $1")
            .bind(token)
            .fetch_optional(pool)
            .await?
    })
    .map(SignupRow::from);
    if let Some(s) = &row {
        let mut e = event(origin, &s.kommunkod, "signup.read", "signup", s.id);
        e.persons = vec![format!("signup:{}", s.id)];
        audit::append_now(db, now, &e).await?;
    }
    Ok(row)
}

/// Who cancels: the carer by their link, or staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelledBy {
    Carer,
    Staff,
}

/// Cancels a sign-up by its token (the carer) or id (staff); a freed seat goes to the first on
/// the waitlist, who is told at once.
#[allow(clippy::too_many_arguments)]
pub async fn cancel_signup(
    db: &Db,
    token_or_id: SignupKey<'_>,
    by: CancelledBy,
    compose: &dyn Compose,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Result<SignupRow, Refusal>, StoreError> {
    let mut tx = db.begin().await?;
    let found: Option<(i64, i64)> = crate::with_tx!(&mut tx, c => {
        match token_or_id {
            SignupKey::Token(t) => sqlx::query_as("SELECT id, activity_id FROM signups WHERE token = $1").bind(t).fetch_optional(&mut *c).await?,
            SignupKey::Id { kommunkod, activity_id, id } => sqlx::query_as("SELECT id, activity_id FROM signups WHERE id = $1 AND kommunkod = $2 AND activity_id = $3")
                .bind(id)
                .bind(kommunkod)
                .bind(activity_id)
                .fetch_optional(&mut *c)
                .await?,
        }
    });
    let Some((id, activity_id)) = found else {
        return Ok(Err(Refusal::NotFound));
    };
    let Some((a, occasions)) = lock(&mut tx, activity_id).await? else {
        return Ok(Err(Refusal::NotFound));
    };
    let before = signup_in_tx(&mut tx, id).await?;
    if before.status == SignupStatus::Cancelled.as_str() {
        return Ok(Err(Refusal::AlreadyCancelled));
    }
    let who = match by {
        CancelledBy::Carer => "carer",
        CancelledBy::Staff => "staff",
    };
    set_status(&mut tx, id, SignupStatus::Cancelled, Some(who), now).await?;
    void_reminders(&mut tx, &occasions, id).await?;
    let after = signup_in_tx(&mut tx, id).await?;
    mail(
        &mut tx,
        compose,
        MailKind::Cancelled,
        &a,
        &occasions,
        None,
        &after,
        None,
        now,
        now,
    )
    .await?;
    let promoted = if before.status == SignupStatus::Confirmed.as_str() {
        let a = Activity {
            confirmed: a.confirmed - 1,
            ..a
        };
        promote(&mut tx, compose, &a, &occasions, now).await?
    } else {
        Vec::new()
    };
    let mut e = event(origin, &after.kommunkod, "signup.cancel", "signup", id);
    e.persons = std::iter::once(id)
        .chain(promoted.iter().copied())
        .map(|p| format!("signup:{p}"))
        .collect();
    audit::commit_with(tx, now, &e).await?;
    Ok(Ok(after))
}

/// How a sign-up is named: by the carer's token, or by staff with its id in an activity of
/// their municipality.
#[derive(Debug, Clone, Copy)]
pub enum SignupKey<'a> {
    Token(&'a str),
    Id {
        kommunkod: &'a str,
        activity_id: i64,
        id: i64,
    },
}

/// A participant with their attendance per occasion (occasion id, attended).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub signup: SignupRow,
    pub attendance: Vec<(i64, bool)>,
}

/// Everyone signed up to an activity (cancelled ones last), for its responsible staff. The
/// read is logged naming every participant shown.
pub async fn participants(
    db: &Db,
    kommunkod: &str,
    activity_id: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Vec<Participant>, StoreError> {
    let (signups, marks): (Vec<SignupRow>, Vec<(i64, i64, bool)>) = crate::with_pool!(db, pool => {
        let rows: Vec<SignupRecord> = sqlx::query_as(
            "SELECT * FROM signups WHERE activity_id = $1 AND kommunkod = $2 \
             ORDER BY CASE status WHEN 'confirmed' THEN 0 WHEN 'waitlisted' THEN 1 ELSE 2 END, id",
        )
        .bind(activity_id)
        .bind(kommunkod)
        .fetch_all(pool)
        .await?;
        let m = sqlx::query_as(
            "SELECT t.signup_id, t.occasion_id, t.attended FROM attendance t JOIN signups s ON s.id = t.signup_id WHERE s.activity_id = $1",
        )
        .bind(activity_id)
        .fetch_all(pool)
        .await?;
        (signup_rows(rows), m)
    });
    if !signups.is_empty() {
        let mut e = event(
            origin,
            kommunkod,
            "activity.participants.read",
            "activity",
            activity_id,
        );
        e.persons = signups.iter().map(|s| format!("signup:{}", s.id)).collect();
        audit::append_now(db, now, &e).await?;
    }
    Ok(signups
        .into_iter()
        .map(|s| {
            let attendance = marks
                .iter()
                .filter(|(sid, _, _)| *sid == s.id)
                .map(|(_, o, a)| (*o, *a))
                .collect();
            Participant {
                signup: s,
                attendance,
            }
        })
        .collect())
}

/// Records who came to an occasion: those named attended, the other confirmed did not.
#[allow(clippy::too_many_arguments)]
pub async fn record_attendance(
    db: &Db,
    kommunkod: &str,
    activity_id: i64,
    occasion_id: i64,
    attended: &[i64],
    by: i64,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Result<(), Refusal>, StoreError> {
    let mut tx = db.begin().await?;
    let Some((_, occasions)) = lock(&mut tx, activity_id)
        .await?
        .filter(|(x, _)| x.kommunkod == kommunkod)
    else {
        return Ok(Err(Refusal::NotFound));
    };
    if !occasions.iter().any(|o| o.id == occasion_id) {
        return Ok(Err(Refusal::OccasionClosed));
    }
    let people = live_signups(&mut tx, activity_id, Some(SignupStatus::Confirmed)).await?;
    for s in &people {
        let came = attended.contains(&s.id);
        crate::with_tx!(&mut tx, c => {
            sqlx::query(
                "INSERT INTO attendance (signup_id, occasion_id, attended, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (signup_id, occasion_id) DO UPDATE SET attended = excluded.attended, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
            )
            .bind(s.id)
            .bind(occasion_id)
            .bind(came)
            .bind(by)
            .bind(now)
            .execute(&mut *c)
            .await?;
        });
    }
    let mut e = event(
        origin,
        kommunkod,
        "activity.attendance",
        "activity",
        activity_id,
    );
    e.object_id = Some(format!("{activity_id}:{occasion_id}"));
    e.persons = people.iter().map(|s| format!("signup:{}", s.id)).collect();
    audit::commit_with(tx, now, &e).await?;
    Ok(Ok(()))
}

/// A message from staff to everyone signed up (confirmed and waitlisted) who gave an e-mail
/// address. Returns how many messages were written.
#[allow(clippy::too_many_arguments)]
pub async fn message_participants(
    db: &Db,
    kommunkod: &str,
    activity_id: i64,
    subject: &str,
    text: &str,
    compose: &dyn Compose,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Result<usize, Refusal>, StoreError> {
    let mut tx = db.begin().await?;
    let Some((a, occasions)) = lock(&mut tx, activity_id)
        .await?
        .filter(|(x, _)| x.kommunkod == kommunkod)
    else {
        return Ok(Err(Refusal::NotFound));
    };
    let people = live_signups(&mut tx, activity_id, None).await?;
    let reached: Vec<&SignupRow> = people.iter().filter(|s| s.email.is_some()).collect();
    for s in &reached {
        mail(
            &mut tx,
            compose,
            MailKind::Message,
            &a,
            &occasions,
            None,
            s,
            Some((subject, text)),
            now,
            now,
        )
        .await?;
    }
    let mut e = event(
        origin,
        kommunkod,
        "activity.message",
        "activity",
        activity_id,
    );
    e.persons = reached.iter().map(|s| format!("signup:{}", s.id)).collect();
    audit::commit_with(tx, now, &e).await?;
    Ok(Ok(reached.len()))
}

/// Whether a token has the shape handed out (32 hex digits), before any lookup.
pub fn well_formed_token(token: &str) -> bool {
    token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit())
}
