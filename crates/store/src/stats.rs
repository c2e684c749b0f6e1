//! The contacts the open-support statistics count, read from sign-ups, conversations and
//! contact requests of one year. Identities are reduced to keys here and never leave: the
//! statistics only count them (`domain::stats`).

use crate::audit::{self, Origin};
use crate::db::Db;
use crate::StoreError;
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
use domain::activity::phone_key;
use domain::stats::Contact;
use sqlx::Row;

/// Who it is, as a key: the e-mail in lower case, else the phone number's digits.
fn key(email: Option<String>, phone: Option<String>) -> Option<String> {
    email
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty())
        .or_else(|| phone.map(|p| phone_key(&p)).filter(|p| !p.is_empty()))
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
        let rows = sqlx::query(
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
        for r in &rows {
            let first: Option<NaiveDateTime> = r.try_get("first")?;
            let age: Option<String> = r.try_get("age_group")?;
            out.push(Contact {
                month: first.map_or(1, |f| if f.year() == year { f.month() } else { 1 }),
                channel: r.try_get("kind")?,
                young_carer: r.try_get::<bool, _>("for_young_carers")? || age.as_deref() == Some("under-18"),
                age_group: age,
                gender: r.try_get("gender")?,
                key: key(r.try_get("email")?, r.try_get("phone")?),
            });
        }
        // Conversations that took place (or were booked and their time has come).
        let rows = sqlx::query(
            "SELECT starts_at, recording, email, phone, pseudonym, age_group, gender, young_carer FROM conversations \
             WHERE kommunkod = $1 AND starts_at >= $2 AND starts_at < $3 AND (status = 'held' OR (status = 'booked' AND starts_at <= $4))",
        )
        .bind(kommunkod)
        .bind(from_t)
        .bind(to_t)
        .bind(local_now)
        .fetch_all(pool)
        .await?;
        for r in &rows {
            let at: NaiveDateTime = r.try_get("starts_at")?;
            let pseudonym: Option<String> = r.try_get("pseudonym")?;
            // An anonymous conversation keeps a number only to make the call: counted on its own.
            let anonymous = r.try_get::<String, _>("recording")? == "anonymous";
            out.push(Contact {
                month: at.month(),
                channel: "conversation".into(),
                age_group: r.try_get("age_group")?,
                gender: r.try_get("gender")?,
                young_carer: r.try_get("young_carer")?,
                key: if anonymous {
                    None
                } else {
                    key(r.try_get("email")?, r.try_get("phone")?).or(pseudonym)
                },
            });
        }
        // Requests for a conversation; an anonymous one counts on its own.
        let rows = sqlx::query(
            "SELECT received_at, anonymous, email, phone, personnummer, carer_age_group, young_carer FROM contact_requests \
             WHERE kommunkod = $1 AND received_at >= $2 AND received_at < $3",
        )
        .bind(kommunkod)
        .bind(utc(from_t))
        .bind(utc(to_t))
        .fetch_all(pool)
        .await?;
        for r in &rows {
            let at: DateTime<Utc> = r.try_get("received_at")?;
            let anonymous: bool = r.try_get("anonymous")?;
            let pnr: Option<String> = r.try_get("personnummer")?;
            out.push(Contact {
                month: domain::clock::stockholm_date(at).month(),
                channel: "contact_request".into(),
                age_group: r.try_get("carer_age_group")?,
                gender: None,
                young_carer: r.try_get("young_carer")?,
                key: if anonymous {
                    None
                } else {
                    key(r.try_get("email")?, r.try_get("phone")?).or(pnr)
                },
            });
        }
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
