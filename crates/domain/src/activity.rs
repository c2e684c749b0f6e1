//! Open support without needs assessment: activities (support groups, lectures, courses, study
//! visits, drop-in, digital meetings), their occasions, and signing up without an account.
//!
//! The rules: capacity is never exceeded (beyond it a waitlist, promoted in order); no sign-up
//! after the deadline, to a cancelled activity or to one with no occasion left; one live
//! sign-up per person and activity, recognised by their e-mail or phone number.

use crate::contact::{bounded, many_of, one_of, reach, AgeGroup};
use crate::FieldErrors;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

wire_enum!(
    ActivityKind {
        SupportGroup = "support_group",
        Lecture = "lecture",
        Course = "course",
        StudyVisit = "study_visit",
        DropIn = "drop_in",
        DigitalMeeting = "digital_meeting",
    }
);

wire_enum!(
    /// Whom a support group is for, by the care recipient's situation.
    Theme {
        Dementia = "dementia",
        Stroke = "stroke",
        MentalIllness = "mental_illness",
        IntellectualDisability = "intellectual_disability",
        Addiction = "addiction",
        YoungCarers = "young_carers",
        Bereavement = "bereavement",
        General = "general",
    }
);

wire_enum!(
    /// What a participant needs to take part.
    Need {
        Interpreter = "interpreter",
        Accessibility = "accessibility",
        /// Someone to look after the care recipient meanwhile: points to respite.
        CareForRecipient = "care_for_recipient",
    }
);

wire_enum!(
    SignupStatus {
        Confirmed = "confirmed",
        Waitlisted = "waitlisted",
        Cancelled = "cancelled",
    }
);

wire_enum!(
    /// For the open-support statistics; optional, and never required to take part.
    Gender {
        Woman = "woman",
        Man = "man",
        Other = "other",
    }
);

pub const MAX_TITLE: usize = 200;
pub const MAX_DESCRIPTION: usize = 4000;
pub const MAX_SHORT: usize = 300;
pub const MAX_CAPACITY: i64 = 1000;
pub const MAX_REMINDER_DAYS: i64 = 14;

/// A sign-up as typed in the form or sent to the API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawSignup {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub needs: Vec<String>,
    pub interpreter_language: String,
    pub needs_note: String,
    pub age_group: String,
    pub gender: String,
    pub consent: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signup {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The e-mail (lower case) or the phone number's digits: who this is, for double sign-ups.
    pub contact_key: String,
    pub needs: Vec<Need>,
    pub interpreter_language: Option<String>,
    pub needs_note: Option<String>,
    pub age_group: Option<AgeGroup>,
    pub gender: Option<Gender>,
}

/// The sign-up form's fields in order, for the error summary.
pub const SIGNUP_FIELDS: &[&str] = &[
    "name",
    "email",
    "phone",
    "needs",
    "interpreter_language",
    "needs_note",
    "age_group",
    "gender",
    "consent",
];

/// The phone number as digits, with +46 written as a leading 0, so 070-123 45 67 and
/// +46 70 123 45 67 are the same person.
pub fn phone_key(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    match digits.strip_prefix("46") {
        Some(rest) if phone.trim_start().starts_with('+') => format!("0{rest}"),
        _ => digits,
    }
}

pub fn validate_signup(raw: &RawSignup) -> Result<Signup, FieldErrors> {
    let mut e = FieldErrors::new();
    let name = bounded(&mut e, "name", &raw.name, crate::contact::MAX_NAME);
    if name.is_none() && !e.has("name") {
        e.add("name", "error-signup-name");
    }
    let (email, phone) = reach(&mut e, &raw.email, &raw.phone);
    if email.is_none() && phone.is_none() && !e.has("email") && !e.has("phone") {
        e.add("email", "error-signup-reach");
    }
    let needs = many_of(&mut e, "needs", &raw.needs, Need::parse);
    let interpreter_language = bounded(
        &mut e,
        "interpreter_language",
        &raw.interpreter_language,
        100,
    );
    let needs_note = bounded(&mut e, "needs_note", &raw.needs_note, MAX_SHORT);
    let age_group = one_of(&mut e, "age_group", &raw.age_group, AgeGroup::parse);
    let gender = one_of(&mut e, "gender", &raw.gender, Gender::parse);
    if !raw.consent {
        e.add("consent", "error-signup-consent");
    }
    if !e.is_empty() {
        return Err(e);
    }
    let email = email.map(|m| m.to_lowercase());
    let contact_key = match (&email, &phone) {
        (Some(m), _) => m.clone(),
        (None, Some(p)) => phone_key(p),
        (None, None) => String::new(),
    };
    Ok(Signup {
        name: name.unwrap_or_default(),
        email,
        phone,
        contact_key,
        needs,
        interpreter_language,
        needs_note,
        age_group,
        gender,
    })
}

/// Where a new sign-up lands, given how many are confirmed now.
pub fn seat_for(confirmed: i64, capacity: i64) -> SignupStatus {
    if confirmed < capacity {
        SignupStatus::Confirmed
    } else {
        SignupStatus::Waitlisted
    }
}

/// Why an activity takes no sign-ups now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    Cancelled,
    DeadlinePassed,
    NoOccasionLeft,
}

impl Closed {
    /// The Fluent id of the message that explains it.
    pub fn message_id(self) -> &'static str {
        match self {
            Closed::Cancelled => "error-signup-cancelled",
            Closed::DeadlinePassed => "error-signup-deadline",
            Closed::NoOccasionLeft => "error-signup-no-occasion",
        }
    }
}

/// Whether the activity takes sign-ups at `now` (local time): not cancelled, the deadline (a
/// last day, inclusive) not passed, and an occasion not cancelled still to start.
pub fn open_for_signup(
    cancelled: bool,
    deadline: Option<NaiveDate>,
    upcoming_occasions: usize,
    now: NaiveDateTime,
) -> Result<(), Closed> {
    if cancelled {
        return Err(Closed::Cancelled);
    }
    if deadline.is_some_and(|d| now.date() > d) {
        return Err(Closed::DeadlinePassed);
    }
    if upcoming_occasions == 0 {
        return Err(Closed::NoOccasionLeft);
    }
    Ok(())
}

/// What a visitor filters the list of activities by; empty fields admit everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub kind: Option<ActivityKind>,
    pub theme: Option<Theme>,
    /// Only activities with an occasion on or after this day.
    pub from: Option<NaiveDate>,
    pub young_carers: bool,
}

impl Filter {
    /// Reads the query's values; unknown ones are ignored rather than refused.
    pub fn parse(kind: &str, theme: &str, from: &str, young: &str) -> Self {
        Self {
            kind: ActivityKind::parse(kind.trim()),
            theme: Theme::parse(theme.trim()),
            from: NaiveDate::parse_from_str(from.trim(), "%Y-%m-%d").ok(),
            young_carers: matches!(young.trim(), "1" | "ja" | "on"),
        }
    }

    /// Whether an activity with these properties and coming occasions (start times) is shown.
    pub fn admits(
        &self,
        kind: &str,
        theme: &str,
        for_young_carers: bool,
        coming: &[NaiveDateTime],
    ) -> bool {
        self.kind.is_none_or(|k| k.as_str() == kind)
            && self.theme.is_none_or(|t| t.as_str() == theme)
            && (!self.young_carers || for_young_carers)
            && self
                .from
                .is_none_or(|d| coming.iter().any(|s| s.date() >= d))
    }
}

/// An activity as typed by staff.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawActivity {
    pub kind: String,
    pub theme: String,
    pub title: String,
    pub description: String,
    pub audience: String,
    pub for_young_carers: bool,
    pub place_name: String,
    pub place_address: String,
    pub step_free: bool,
    pub hearing_loop: bool,
    pub meeting_link: String,
    pub capacity: String,
    pub cost: String,
    pub signup_deadline: String,
    pub reminder_days: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityInput {
    pub kind: ActivityKind,
    pub theme: Theme,
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
}

pub const ACTIVITY_FIELDS: &[&str] = &[
    "kind",
    "theme",
    "title",
    "description",
    "audience",
    "place_name",
    "place_address",
    "meeting_link",
    "capacity",
    "cost",
    "signup_deadline",
    "reminder_days",
];

fn required(e: &mut FieldErrors, field: &'static str, value: &str, max: usize) -> String {
    let v = bounded(e, field, value, max);
    if v.is_none() && !e.has(field) {
        e.add(field, "error-required");
    }
    v.unwrap_or_default()
}

fn whole_number(e: &mut FieldErrors, field: &'static str, raw: &str, min: i64, max: i64) -> i64 {
    match raw.trim().parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => n,
        Ok(_) => {
            e.add(field, "error-number-range");
            0
        }
        Err(_) => {
            e.add(field, "error-number");
            0
        }
    }
}

/// Validates an activity; `confirmed` is how many are confirmed now, since capacity may not
/// drop below it (nobody confirmed is turned away by an edit).
pub fn validate_activity(raw: &RawActivity, confirmed: i64) -> Result<ActivityInput, FieldErrors> {
    let mut e = FieldErrors::new();
    let kind = if raw.kind.trim().is_empty() {
        e.add("kind", "error-unknown-choice");
        None
    } else {
        one_of(&mut e, "kind", &raw.kind, ActivityKind::parse)
    };
    let theme = one_of(&mut e, "theme", &raw.theme, Theme::parse).unwrap_or(Theme::General);
    let title = required(&mut e, "title", &raw.title, MAX_TITLE);
    let description = required(&mut e, "description", &raw.description, MAX_DESCRIPTION);
    let audience = bounded(&mut e, "audience", &raw.audience, MAX_SHORT).unwrap_or_default();
    let digital = kind == Some(ActivityKind::DigitalMeeting);
    let place_name = if digital {
        bounded(&mut e, "place_name", &raw.place_name, MAX_SHORT).unwrap_or_default()
    } else {
        required(&mut e, "place_name", &raw.place_name, MAX_SHORT)
    };
    let place_address = bounded(&mut e, "place_address", &raw.place_address, MAX_SHORT);
    let meeting_link = bounded(&mut e, "meeting_link", &raw.meeting_link, MAX_SHORT);
    if meeting_link
        .as_deref()
        .is_some_and(|l| !l.starts_with("https://") || l.contains(char::is_whitespace))
    {
        e.add("meeting_link", "error-link");
    }
    let capacity = whole_number(&mut e, "capacity", &raw.capacity, 1, MAX_CAPACITY);
    if capacity > 0 && capacity < confirmed {
        e.add("capacity", "error-capacity-below-confirmed");
    }
    let cost = bounded(&mut e, "cost", &raw.cost, MAX_SHORT).unwrap_or_default();
    let signup_deadline =
        crate::assessed::parse_date(&mut e, "signup_deadline", &raw.signup_deadline, false);
    let reminder_days = if raw.reminder_days.trim().is_empty() {
        2
    } else {
        whole_number(
            &mut e,
            "reminder_days",
            &raw.reminder_days,
            0,
            MAX_REMINDER_DAYS,
        )
    };
    match (kind, e.is_empty()) {
        (Some(kind), true) => Ok(ActivityInput {
            kind,
            theme,
            title,
            description,
            audience,
            for_young_carers: raw.for_young_carers || theme == Theme::YoungCarers,
            place_name,
            place_address,
            step_free: raw.step_free,
            hearing_loop: raw.hearing_loop,
            digital,
            meeting_link,
            capacity,
            cost,
            signup_deadline,
            reminder_days,
        }),
        _ => Err(e),
    }
}

/// A message from staff to the participants: a subject and a text, both required.
pub fn validate_message(subject: &str, text: &str) -> Result<(String, String), FieldErrors> {
    let mut e = FieldErrors::new();
    let subject = required(&mut e, "subject", subject, MAX_TITLE);
    let text = required(&mut e, "text", text, MAX_DESCRIPTION);
    if e.is_empty() {
        Ok((subject, text))
    } else {
        Err(e)
    }
}

/// An occasion as typed: a date and a start and end time of day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawOccasion {
    pub date: String,
    pub start: String,
    pub end: String,
}

pub const OCCASION_FIELDS: &[&str] = &["date", "start", "end"];

/// Validates an occasion in local time; it must end after it starts and not lie in the past.
pub fn validate_occasion(
    raw: &RawOccasion,
    now: NaiveDateTime,
) -> Result<(NaiveDateTime, NaiveDateTime), FieldErrors> {
    let mut e = FieldErrors::new();
    let date = crate::assessed::parse_date(&mut e, "date", &raw.date, true);
    let time = |e: &mut FieldErrors, field: &'static str, s: &str| match NaiveTime::parse_from_str(
        s.trim(),
        "%H:%M",
    ) {
        Ok(t) => Some(t),
        Err(_) => {
            e.add(field, "error-time");
            None
        }
    };
    let start = time(&mut e, "start", &raw.start);
    let end = time(&mut e, "end", &raw.end);
    if let (Some(d), Some(s), Some(t)) = (date, start, end) {
        let (s, t) = (d.and_time(s), d.and_time(t));
        if t <= s {
            e.add("end", "error-end-before-start");
        } else if s < now {
            e.add("date", "error-occasion-past");
        } else {
            return Ok((s, t));
        }
    }
    Err(e)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn good() -> RawSignup {
        RawSignup {
            name: "Demo Anhörigsson".into(),
            email: " Demo@Exempel.SE ".into(),
            consent: true,
            ..RawSignup::default()
        }
    }

    #[test]
    fn a_minimal_signup_is_valid_and_keyed_by_its_address() {
        let s = validate_signup(&good()).unwrap();
        assert_eq!(s.email.as_deref(), Some("demo@exempel.se"));
        assert_eq!(s.contact_key, "demo@exempel.se");
    }

    #[test]
    fn a_signup_needs_a_name_a_way_to_reach_and_consent() {
        let e = validate_signup(&RawSignup::default()).unwrap_err();
        assert_eq!(e.messages("name"), ["error-signup-name"]);
        assert_eq!(e.messages("email"), ["error-signup-reach"]);
        assert_eq!(e.messages("consent"), ["error-signup-consent"]);
    }

    #[test]
    fn unknown_needs_and_bad_addresses_are_named() {
        let raw = RawSignup {
            email: "inte-en-adress".into(),
            needs: vec!["teleport".into()],
            ..good()
        };
        let e = validate_signup(&raw).unwrap_err();
        assert_eq!(e.messages("email"), ["error-email"]);
        assert_eq!(e.messages("needs"), ["error-unknown-choice"]);
    }

    #[test]
    fn phone_numbers_written_two_ways_are_one_person() {
        assert_eq!(phone_key("070-123 45 67"), phone_key("+46 70 123 45 67"));
        let raw = RawSignup {
            email: String::new(),
            phone: "+46 70 123 45 67".into(),
            ..good()
        };
        assert_eq!(validate_signup(&raw).unwrap().contact_key, "0701234567");
    }

    #[test]
    fn seats_until_capacity_then_the_waitlist() {
        assert_eq!(seat_for(0, 1), SignupStatus::Confirmed);
        assert_eq!(seat_for(11, 12), SignupStatus::Confirmed);
        assert_eq!(seat_for(12, 12), SignupStatus::Waitlisted);
    }

    #[test]
    fn sign_up_closes_after_the_deadline_day_and_when_cancelled() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 10);
        assert_eq!(open_for_signup(false, d, 1, at("2026-12-10 23:59")), Ok(()));
        assert_eq!(
            open_for_signup(false, d, 1, at("2026-12-11 00:00")),
            Err(Closed::DeadlinePassed)
        );
        assert_eq!(
            open_for_signup(true, None, 1, at("2026-12-01 10:00")),
            Err(Closed::Cancelled)
        );
        assert_eq!(
            open_for_signup(false, None, 0, at("2026-12-01 10:00")),
            Err(Closed::NoOccasionLeft)
        );
    }

    fn activity() -> RawActivity {
        RawActivity {
            kind: "support_group".into(),
            theme: "dementia".into(),
            title: "Samtalsgrupp".into(),
            description: "Vi ses och pratar.".into(),
            place_name: "Anhörigcenter".into(),
            capacity: "8".into(),
            ..RawActivity::default()
        }
    }

    #[test]
    fn capacity_may_not_drop_below_the_confirmed() {
        let raw = RawActivity {
            capacity: "3".into(),
            ..activity()
        };
        assert!(validate_activity(&raw, 3).is_ok());
        let e = validate_activity(&raw, 4).unwrap_err();
        assert_eq!(e.messages("capacity"), ["error-capacity-below-confirmed"]);
    }

    #[test]
    fn an_activity_needs_kind_title_place_and_a_capacity() {
        let e = validate_activity(&RawActivity::default(), 0).unwrap_err();
        for f in ["kind", "title", "description", "place_name", "capacity"] {
            assert!(e.has(f), "{f}");
        }
        let ok = validate_activity(&activity(), 0).unwrap();
        assert_eq!(ok.reminder_days, 2);
        assert!(!ok.for_young_carers);
    }

    #[test]
    fn a_digital_meeting_needs_no_place_and_a_safe_link() {
        let raw = RawActivity {
            kind: "digital_meeting".into(),
            place_name: String::new(),
            meeting_link: "javascript:alert(1)".into(),
            ..activity()
        };
        assert_eq!(
            validate_activity(&raw, 0)
                .unwrap_err()
                .messages("meeting_link"),
            ["error-link"]
        );
        let raw = RawActivity {
            meeting_link: "https://mote.example.org/abc".into(),
            ..raw
        };
        assert!(validate_activity(&raw, 0).unwrap().digital);
    }

    #[test]
    fn filters_admit_by_kind_theme_date_and_young_carers() {
        let coming = [at("2026-12-08 18:00")];
        let f = Filter::parse("support_group", "dementia", "2026-12-08", "");
        assert!(f.admits("support_group", "dementia", false, &coming));
        assert!(!f.admits("lecture", "dementia", false, &coming));
        assert!(!f.admits("support_group", "stroke", false, &coming));
        let later = Filter::parse("", "", "2026-12-09", "");
        assert!(!later.admits("support_group", "dementia", false, &coming));
        let young = Filter::parse("", "", "", "1");
        assert!(!young.admits("drop_in", "general", false, &coming));
        assert!(young.admits("drop_in", "general", true, &coming));
        assert_eq!(Filter::parse("x", "y", "z", ""), Filter::default());
    }

    #[test]
    fn a_message_needs_subject_and_text() {
        let e = validate_message(" ", "").unwrap_err();
        assert_eq!(e.messages("subject"), ["error-required"]);
        assert_eq!(e.messages("text"), ["error-required"]);
        assert_eq!(
            validate_message(" Ny lokal ", "Vi ses i rum 2.").unwrap(),
            ("Ny lokal".to_owned(), "Vi ses i rum 2.".to_owned())
        );
    }

    #[test]
    fn occasions_end_after_they_start_and_lie_ahead() {
        let now = at("2026-12-01 12:00");
        let raw = RawOccasion {
            date: "2026-12-08".into(),
            start: "18:00".into(),
            end: "19:30".into(),
        };
        let (s, t) = validate_occasion(&raw, now).unwrap();
        assert_eq!((s, t), (at("2026-12-08 18:00"), at("2026-12-08 19:30")));
        let back = RawOccasion {
            end: "17:00".into(),
            ..raw.clone()
        };
        assert_eq!(
            validate_occasion(&back, now).unwrap_err().messages("end"),
            ["error-end-before-start"]
        );
        let past = RawOccasion {
            date: "2026-11-30".into(),
            ..raw
        };
        assert_eq!(
            validate_occasion(&past, now).unwrap_err().messages("date"),
            ["error-occasion-past"]
        );
    }
}
