//! The contacts the open-support statistics count, read from sign-ups, conversations and
//! contact requests of one year. Identities are reduced to keys here and never leave: the
//! statistics only count them (`domain::stats`).

use crate::audit::{self, Origin};
use crate::db::Db;
use crate::StoreError;
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
use domain::activity::phone_key;
use domain::stats::Contact;

/// Who it is, as a key: the e-mail in lower case, else the phone number's digits.
fn key(email: Option<String>, phone: Option<String>) -> Option<String> {
    email
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty())
        .or_else(|| phone.map(|p| phone_key(&p)).filter(|p| !p.is_empty()))
}

/// A confirmed sign-up, with its activity's first occasion.
#[derive(sqlx::FromRow)]
struct SignupContact {
    kind: String,
    for_young_carers: bool,
    email: Option<String>,
    phone: Option<String>,
    age_group: Option<String>,
    gender: Option<String>,
    first: Option<NaiveDateTime>,
}

impl SignupContact {
    fn contact(self, year: i32) -> Contact {
        let month = self
            .first
            .map_or(1, |f| if f.year() == year { f.month() } else { 1 });
        Contact {
            month,
            channel: self.kind,
            young_carer: self.for_young_carers || self.age_group.as_deref() == Some("under-18"),
            age_group: self.age_group,
            gender: self.gender,
            key: key(self.email, self.phone),
        }
    }
}

/// A conversation that took place.
#[derive(sqlx::FromRow)]
struct ConversationContact {
    starts_at: NaiveDateTime,
    recording: String,
    email: Option<String>,
    phone: Option<String>,
    pseudonym: Option<String>,
    age_group: Option<String>,
    gender: Option<String>,
    young_carer: bool,
}

impl From<ConversationContact> for Contact {
    fn from(r: ConversationContact) -> Self {
        // An anonymous conversation keeps a number only to make the call: counted on its own.
        let anonymous = r.recording == "anonymous";
        Contact {
            month: r.starts_at.month(),
            channel: "conversation".into(),
            age_group: r.age_group,
            gender: r.gender,
            young_carer: r.young_carer,
            key: if anonymous {
                None
            } else {
                key(r.email, r.phone).or(r.pseudonym)
            },
        }
    }
}

/// A request for a conversation.
#[derive(sqlx::FromRow)]
struct RequestContact {
    received_at: DateTime<Utc>,
    anonymous: bool,
    email: Option<String>,
    phone: Option<String>,
    personnummer: Option<String>,
    carer_age_group: Option<String>,
    young_carer: bool,
}

impl From<RequestContact> for Contact {
    fn from(r: RequestContact) -> Self {
        Contact {
            month: domain::clock::stockholm_date(r.received_at).month(),
            channel: "contact_request".into(),
            age_group: r.carer_age_group,
            gender: None,
            young_carer: r.young_carer,
            key: if r.anonymous {
                None
            } else {
                key(r.email, r.phone).or(r.personnummer)
            },
        }
    }
}

/// Every contact of the year with a carer. The read is logged without naming anyone: the
/// answer is counts.
pub async fn contacts(
    db: &Db,
    kommunkod: &str,
    year: i32,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Vec<Contact>, StoreError> {
    let from = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let to = NaiveDate::from_ymd_opt(year + 1, 1, 1).unwrap_or_default();
    let (from_t, to_t) = (
        from.and_hms_opt(0, 0, 0).unwrap_or_default(),
        to.and_hms_opt(0, 0, 0).unwrap_or_default(),
    );
    // The year runs from midnight in Stockholm, like the months the requests are counted in.
    let utc = domain::clock::from_stockholm;
    let local_now = domain::clock::stockholm_local(now);
    let mut out = Vec::new();
    crate::with_pool!(db, pool => {
        // Sign-ups that kept their seat, by the month of the activity's first occasion.
        let rows: Vec<SignupContact> = sqlx::query_as(
            "SELECT a.kind, a.for_young_carers, s.email, s.phone, s.age_group, s.gender, \
             (SELECT MIN(o.starts_at) FROM activity_occasions o WHERE o.activity_id = a.id AND o.cancelled = $4) AS first \
             FROM signups s JOIN activities a ON a.id = s.activity_id \
             WHERE s.kommunkod = $1 AND s.status = 'confirmed' \
             AND EXISTS (SELECT 1 FROM activity_occasions o WHERE o.activity_id = a.id AND o.cancelled = $4 AND o.starts_at >= $2 AND o.starts_at < $3)",
        )
        .bind(kommunkod)
        .bind(from_t)
        .bind(to_t)
        .bind(false)
        .fetch_all(pool)
        .await?;
        out.extend(rows.into_iter().map(|r| r.contact(year)));
        // Conversations that took place (or were booked and their time has come).
        let rows: Vec<ConversationContact> = sqlx::query_as(
            "SELECT starts_at, recording, email, phone, pseudonym, age_group, gender, young_carer FROM conversations \
             WHERE kommunkod = $1 AND starts_at >= $2 AND starts_at < $3 AND (status = 'held' OR (status = 'booked' AND starts_at <= $4))",
        )
        .bind(kommunkod)
        .bind(from_t)
        .bind(to_t)
        .bind(local_now)
        .fetch_all(pool)
        .await?;
        out.extend(rows.into_iter().map(Contact::from));
        // Requests for a conversation; an anonymous one counts on its own.
        let rows: Vec<RequestContact> = sqlx::query_as(
            "SELECT received_at, anonymous, email, phone, personnummer, carer_age_group, young_carer FROM contact_requests \
             WHERE kommunkod = $1 AND received_at >= $2 AND received_at < $3",
        )
        .bind(kommunkod)
        .bind(utc(from_t))
        .bind(utc(to_t))
        .fetch_all(pool)
        .await?;
        out.extend(rows.into_iter().map(Contact::from));
    });
    let mut e = origin.event(
        Some(kommunkod),
        "stats.open_support.read",
        "statistics",
        Some(year.to_string()),
    );
    e.reason = Some(format!("{} contacts counted", out.len()));
    audit::append_now(db, now, &e).await?;
    Ok(out)
}
