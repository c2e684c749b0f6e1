//! Individual conversations with the carer support officer: bookable times, bookings without an
//! account, and conversations registered by staff, recorded in the mode the municipality chose.
//!
//! Since the 2026 amendment the duty to document covers open support too, but the board may
//! decide that nothing revealing identity is recorded. The modes: `named` (name and contact),
//! `pseudonymous` (a generated pseudonym instead of the name), `anonymous` (no name, no topic:
//! counted only). A booking keeps the contact it needs to happen: a phone number for a phone
//! call, an e-mail address for a video link; an anonymous visit in person needs none.

use crate::activity::Gender;
use crate::contact::{bounded, is_plausible_phone, one_of, reach, AgeGroup};
use crate::FieldErrors;
use chrono::NaiveDateTime;

wire_enum!(
    RecordingMode {
        Named = "named",
        Pseudonymous = "pseudonymous",
        Anonymous = "anonymous",
    }
);

wire_enum!(
    ConversationMode {
        InPerson = "in_person",
        Phone = "phone",
        Video = "video",
    }
);

wire_enum!(
    ConversationStatus {
        Booked = "booked",
        Cancelled = "cancelled",
        Held = "held",
        NotHeld = "not_held",
    }
);

/// A booking as typed on the public form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawBooking {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub topic: String,
    pub age_group: String,
    pub gender: String,
    pub consent: bool,
}

/// What is stored of a booking, by the recording mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub topic: Option<String>,
    pub age_group: Option<AgeGroup>,
    pub gender: Option<Gender>,
}

impl Booking {
    /// Under 18: a young carer.
    pub fn young_carer(&self) -> bool {
        self.age_group == Some(AgeGroup::Under18)
    }
}

impl ConversationMode {
    /// Whether a booking with these contact details can take a time of this mode: a call needs
    /// a phone number, a video link an e-mail address.
    pub fn reachable(self, has_email: bool, has_phone: bool) -> bool {
        match self {
            ConversationMode::Phone => has_phone,
            ConversationMode::Video => has_email,
            ConversationMode::InPerson => true,
        }
    }
}

pub const BOOKING_FIELDS: &[&str] = &[
    "name",
    "email",
    "phone",
    "topic",
    "age_group",
    "gender",
    "consent",
];

/// Validates a booking for a time of `mode` under the municipality's `recording` mode. What the
/// mode does not keep (a name when pseudonymous or anonymous, the topic when anonymous) is
/// dropped here, so it never reaches the store.
pub fn validate_booking(
    raw: &RawBooking,
    recording: RecordingMode,
    mode: ConversationMode,
) -> Result<Booking, FieldErrors> {
    let mut e = FieldErrors::new();
    let name = match recording {
        RecordingMode::Named => {
            let n = bounded(&mut e, "name", &raw.name, crate::contact::MAX_NAME);
            if n.is_none() && !e.has("name") {
                e.add("name", "error-signup-name");
            }
            n
        }
        _ => None,
    };
    let (email, phone) = reach(&mut e, &raw.email, &raw.phone);
    let reach_ok = !e.has("email") && !e.has("phone");
    match mode {
        ConversationMode::Phone if phone.is_none() && reach_ok => {
            e.add("phone", "error-booking-phone")
        }
        ConversationMode::Video if email.is_none() && reach_ok => {
            e.add("email", "error-booking-email")
        }
        ConversationMode::InPerson
            if recording == RecordingMode::Named
                && email.is_none()
                && phone.is_none()
                && reach_ok =>
        {
            e.add("email", "error-signup-reach")
        }
        _ => {}
    }
    let topic = bounded(&mut e, "topic", &raw.topic, crate::activity::MAX_SHORT)
        .filter(|_| recording != RecordingMode::Anonymous);
    let age_group = one_of(&mut e, "age_group", &raw.age_group, AgeGroup::parse);
    let gender = one_of(&mut e, "gender", &raw.gender, Gender::parse);
    let stores_anything = name.is_some() || email.is_some() || phone.is_some() || topic.is_some();
    if stores_anything && !raw.consent {
        e.add("consent", "error-booking-consent");
    }
    if !e.is_empty() {
        return Err(e);
    }
    Ok(Booking {
        name,
        email: email.map(|m| m.to_lowercase()),
        phone,
        topic,
        age_group,
        gender,
    })
}

/// A time an officer publishes, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawSlot {
    pub date: String,
    pub start: String,
    pub end: String,
    pub mode: String,
    pub place: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub mode: ConversationMode,
    pub place: Option<String>,
}

pub const SLOT_FIELDS: &[&str] = &["date", "start", "end", "mode", "place"];

pub fn validate_slot(raw: &RawSlot, now: NaiveDateTime) -> Result<Slot, FieldErrors> {
    let times = crate::activity::validate_occasion(
        &crate::activity::RawOccasion {
            date: raw.date.clone(),
            start: raw.start.clone(),
            end: raw.end.clone(),
        },
        now,
    );
    let mut e = times.as_ref().err().cloned().unwrap_or_default();
    let mode = one_of(&mut e, "mode", &raw.mode, ConversationMode::parse);
    if raw.mode.trim().is_empty() {
        e.add("mode", "error-unknown-choice");
    }
    let place = bounded(&mut e, "place", &raw.place, crate::activity::MAX_SHORT);
    if mode == Some(ConversationMode::InPerson) && place.is_none() && !e.has("place") {
        e.add("place", "error-required");
    }
    match (times, mode) {
        (Ok((starts_at, ends_at)), Some(mode)) if e.is_empty() => Ok(Slot {
            starts_at,
            ends_at,
            mode,
            place,
        }),
        _ => Err(e),
    }
}

/// A conversation staff register after it was held (typically a phone call).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawHeld {
    pub date: String,
    pub time: String,
    pub mode: String,
    pub name: String,
    pub phone: String,
    pub topic: String,
    pub age_group: String,
    pub gender: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub at: NaiveDateTime,
    pub mode: ConversationMode,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub topic: Option<String>,
    pub age_group: Option<AgeGroup>,
    pub gender: Option<Gender>,
}

pub const HELD_FIELDS: &[&str] = &[
    "date",
    "time",
    "mode",
    "name",
    "phone",
    "topic",
    "age_group",
    "gender",
];

/// A registered conversation lies in the past (or now); the recording mode drops what it does
/// not keep, as for bookings.
pub fn validate_held(
    raw: &RawHeld,
    recording: RecordingMode,
    now: NaiveDateTime,
) -> Result<Held, FieldErrors> {
    let mut e = FieldErrors::new();
    let date = crate::assessed::parse_date(&mut e, "date", &raw.date, true);
    let time = if raw.time.trim().is_empty() {
        chrono::NaiveTime::from_hms_opt(12, 0, 0)
    } else {
        match chrono::NaiveTime::parse_from_str(raw.time.trim(), "%H:%M") {
            Ok(t) => Some(t),
            Err(_) => {
                e.add("time", "error-time");
                None
            }
        }
    };
    let at = date.zip(time).map(|(d, t)| d.and_time(t));
    if at.is_some_and(|a| a.date() > now.date()) {
        e.add("date", "error-date-future");
    }
    let mode = one_of(&mut e, "mode", &raw.mode, ConversationMode::parse)
        .unwrap_or(ConversationMode::Phone);
    let keeps_identity = recording == RecordingMode::Named;
    let name =
        bounded(&mut e, "name", &raw.name, crate::contact::MAX_NAME).filter(|_| keeps_identity);
    let phone =
        bounded(&mut e, "phone", &raw.phone, crate::contact::MAX_PHONE).filter(|_| keeps_identity);
    if phone.as_deref().is_some_and(|p| !is_plausible_phone(p)) {
        e.add("phone", "error-phone");
    }
    let topic = bounded(&mut e, "topic", &raw.topic, crate::activity::MAX_SHORT)
        .filter(|_| recording != RecordingMode::Anonymous);
    let age_group = one_of(&mut e, "age_group", &raw.age_group, AgeGroup::parse);
    let gender = one_of(&mut e, "gender", &raw.gender, Gender::parse);
    match at {
        Some(at) if e.is_empty() => Ok(Held {
            at,
            mode,
            name,
            phone,
            topic,
            age_group,
            gender,
        }),
        _ => Err(e),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn raw() -> RawBooking {
        RawBooking {
            name: "Demo Anhörigsson".into(),
            phone: "070-123 45 67".into(),
            topic: "Min mamma har fått en demensdiagnos".into(),
            consent: true,
            ..RawBooking::default()
        }
    }

    #[test]
    fn named_bookings_keep_name_and_topic() {
        let b = validate_booking(&raw(), RecordingMode::Named, ConversationMode::Phone).unwrap();
        assert_eq!(b.name.as_deref(), Some("Demo Anhörigsson"));
        assert!(b.topic.is_some());
    }

    #[test]
    fn pseudonymous_and_anonymous_bookings_drop_what_they_do_not_keep() {
        let p =
            validate_booking(&raw(), RecordingMode::Pseudonymous, ConversationMode::Phone).unwrap();
        assert_eq!(p.name, None);
        assert!(p.topic.is_some());
        let a =
            validate_booking(&raw(), RecordingMode::Anonymous, ConversationMode::Phone).unwrap();
        assert_eq!((a.name, a.topic), (None, None));
        assert_eq!(a.phone.as_deref(), Some("070-123 45 67"));
    }

    #[test]
    fn the_mode_decides_which_contact_is_needed() {
        let none = RawBooking {
            phone: String::new(),
            email: String::new(),
            ..raw()
        };
        let e =
            validate_booking(&none, RecordingMode::Anonymous, ConversationMode::Phone).unwrap_err();
        assert_eq!(e.messages("phone"), ["error-booking-phone"]);
        let e =
            validate_booking(&none, RecordingMode::Anonymous, ConversationMode::Video).unwrap_err();
        assert_eq!(e.messages("email"), ["error-booking-email"]);
        // An anonymous visit in person stores nothing, and needs no consent.
        let visit = RawBooking {
            consent: false,
            ..none.clone()
        };
        let b =
            validate_booking(&visit, RecordingMode::Anonymous, ConversationMode::InPerson).unwrap();
        assert_eq!((b.name, b.email, b.phone), (None, None, None));
        let e =
            validate_booking(&none, RecordingMode::Named, ConversationMode::InPerson).unwrap_err();
        assert_eq!(e.messages("email"), ["error-signup-reach"]);
    }

    #[test]
    fn a_booking_moves_only_to_a_time_it_can_be_reached_for() {
        assert!(ConversationMode::Phone.reachable(false, true));
        assert!(!ConversationMode::Video.reachable(false, true));
        assert!(ConversationMode::Video.reachable(true, false));
        assert!(ConversationMode::InPerson.reachable(false, false));
    }

    #[test]
    fn storing_anything_needs_consent() {
        let r = RawBooking {
            consent: false,
            ..raw()
        };
        let e = validate_booking(&r, RecordingMode::Named, ConversationMode::Phone).unwrap_err();
        assert_eq!(e.messages("consent"), ["error-booking-consent"]);
    }

    #[test]
    fn slots_need_a_mode_and_a_place_in_person() {
        let now = at("2026-12-01 08:00");
        let r = RawSlot {
            date: "2026-12-03".into(),
            start: "10:00".into(),
            end: "10:45".into(),
            mode: "in_person".into(),
            place: String::new(),
        };
        assert_eq!(
            validate_slot(&r, now).unwrap_err().messages("place"),
            ["error-required"]
        );
        let phone = RawSlot {
            mode: "phone".into(),
            ..r.clone()
        };
        let s = validate_slot(&phone, now).unwrap();
        assert_eq!(s.starts_at, at("2026-12-03 10:00"));
        let none = RawSlot {
            mode: String::new(),
            ..r
        };
        assert!(validate_slot(&none, now).unwrap_err().has("mode"));
    }

    #[test]
    fn a_registered_call_lies_in_the_past_and_follows_the_mode() {
        let now = at("2026-12-01 15:00");
        let r = RawHeld {
            date: "2026-12-01".into(),
            time: "14:10".into(),
            mode: "phone".into(),
            name: "Demo Anhörigsson".into(),
            topic: "Orkar inte".into(),
            age_group: "65-79".into(),
            ..RawHeld::default()
        };
        let h = validate_held(&r, RecordingMode::Anonymous, now).unwrap();
        assert_eq!((h.name, h.topic), (None, None));
        assert_eq!(h.age_group, Some(AgeGroup::From65To79));
        let future = RawHeld {
            date: "2026-12-02".into(),
            ..r
        };
        assert_eq!(
            validate_held(&future, RecordingMode::Named, now)
                .unwrap_err()
                .messages("date"),
            ["error-date-future"]
        );
    }
}
