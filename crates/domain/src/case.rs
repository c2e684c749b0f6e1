//! Persons, cases (ärenden) and the journal: the kinds, and the rules for new input.

use crate::personnummer::Personnummer;
use crate::FieldErrors;
use chrono::{Datelike, NaiveDate};

wire_enum!(
    /// How much of a person's identity is protected (Skatteverket's markings).
    Protection {
        None = "none",
        /// A warning flag: take care before releasing anything.
        Sekretessmarkering = "sekretessmarkering",
        /// The address must never be shown or sent except to those who must have it.
        SkyddadFolkbokforing = "skyddad_folkbokforing",
    }
);

impl Protection {
    /// Whether the address is kept apart and never shown in lists, searches, exports,
    /// letters or logs.
    pub fn hides_address(self) -> bool {
        self == Protection::SkyddadFolkbokforing
    }
}

wire_enum!(
    /// What an inbox item is. Applications arrive with assessed support (issue 4).
    InboxKind {
        ContactRequest = "samtal",
        Application = "ansokan",
    }
);

wire_enum!(
    CaseKind {
        OpenSupport = "open-support",
        Application = "application",
        Other = "other",
    }
);

wire_enum!(
    CaseStatus {
        Open = "open",
        Investigating = "investigating",
        Decided = "decided",
        Closed = "closed",
    }
);

wire_enum!(
    PersonRole {
        Carer = "carer",
        CareRecipient = "care_recipient",
        Other = "other",
    }
);

wire_enum!(
    JournalKind {
        Note = "note",
        PhoneCall = "phone_call",
        Meeting = "meeting",
        InformationGiven = "information_given",
        ConsentRecorded = "consent_recorded",
        Letter = "letter",
    }
);

wire_enum!(
    RelationKind {
        Partner = "partner",
        Parent = "parent",
        Child = "child",
        Sibling = "sibling",
        Relative = "relative",
        Friend = "friend",
        Neighbour = "neighbour",
        Other = "other",
    }
);

/// What moves a case: an officer choosing a status, or a step of assessed support.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// The status chosen on the case page or through the API.
    Manual,
    /// The first investigation entry starts the investigation.
    InvestigationEntry,
    /// A registered decision decides the case.
    Decision,
}

impl CaseStatus {
    /// The one move table. Forward through the investigation, closed from anywhere, reopened
    /// after closing. A decision may also be made on an application that was never formally
    /// investigated (Open → Decided), but no officer may mark a case decided by hand without
    /// one.
    pub fn may_move(self, to: CaseStatus, cause: Cause) -> bool {
        use CaseStatus::*;
        match cause {
            Cause::Manual => matches!(
                (self, to),
                (Open, Investigating)
                    | (Investigating, Decided)
                    | (Open | Investigating | Decided, Closed)
                    | (Closed, Open)
            ),
            Cause::InvestigationEntry => (self, to) == (Open, Investigating),
            Cause::Decision => matches!((self, to), (Open | Investigating, Decided)),
        }
    }

    /// The moves an officer may make by hand.
    pub fn may_move_to(self, to: CaseStatus) -> bool {
        self.may_move(to, Cause::Manual)
    }

    /// Waiting for a decision: a decision would move it to decided. The clocks of FL 11-12 §§
    /// run only then.
    pub fn awaits_decision(self) -> bool {
        self.may_move(CaseStatus::Decided, Cause::Decision)
    }

    /// Where a step moves the case, if it moves it at all (a decision on a closed case, or a
    /// second decision, leaves the status as it is).
    pub fn after(self, cause: Cause) -> Option<CaseStatus> {
        let to = match cause {
            Cause::Manual => return None,
            Cause::InvestigationEntry => CaseStatus::Investigating,
            Cause::Decision => CaseStatus::Decided,
        };
        self.may_move(to, cause).then_some(to)
    }
}

pub const MAX_NAME: usize = 100;
pub const MAX_JOURNAL_TEXT: usize = 20_000;
pub const MAX_REASON: usize = 2_000;
/// A reason must say something: a few words at least.
pub const MIN_REASON: usize = 10;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawPerson {
    pub id_number: String,
    pub given_name: String,
    pub family_name: String,
    pub phone: String,
    pub email: String,
    pub address_line: String,
    pub postal_code: String,
    pub city: String,
    pub protection: String,
    pub children_in_household: bool,
    /// `YYYY-MM-DD`, for a person without a number (a number carries its own).
    pub birth_date: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPerson {
    /// The number, if given; its `Debug` is masked and `kind()` says which kind it is.
    pub id_number: Option<Personnummer>,
    pub given_name: String,
    pub family_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<(String, Option<String>, Option<String>)>,
    pub protection: Protection,
    pub children_in_household: bool,
    /// Given only for a person without a number; see [`NewPerson::birth_date`].
    pub stated_birth_date: Option<NaiveDate>,
}

impl NewPerson {
    /// The birth date the number carries, else the one stated.
    pub fn birth_date(&self) -> Option<NaiveDate> {
        self.id_number
            .as_ref()
            .map(Personnummer::birth_date)
            .or(self.stated_birth_date)
    }
}

fn text(
    e: &mut FieldErrors,
    field: &'static str,
    v: &str,
    max: usize,
    required: bool,
) -> Option<String> {
    let v = v.trim();
    if v.is_empty() {
        if required {
            e.add(field, "error-required");
        }
        return None;
    }
    if v.chars().count() > max {
        e.add(field, "error-too-long");
        return None;
    }
    if v.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        e.add(field, "error-control-characters");
        return None;
    }
    Some(v.to_owned())
}

pub fn validate_person(raw: &RawPerson, today: NaiveDate) -> Result<NewPerson, FieldErrors> {
    let mut e = FieldErrors::new();
    let given_name = text(&mut e, "given_name", &raw.given_name, MAX_NAME, true);
    let family_name = text(&mut e, "family_name", &raw.family_name, MAX_NAME, true);
    let number = match raw.id_number.trim() {
        "" => None,
        s => match Personnummer::parse(s, today) {
            Ok(p) => Some(p),
            Err(err) => {
                e.add("id_number", err.message_id());
                None
            }
        },
    };
    let phone = text(&mut e, "phone", &raw.phone, 40, false);
    if phone
        .as_deref()
        .is_some_and(|p| !crate::contact::is_plausible_phone(p))
    {
        e.add("phone", "error-phone");
    }
    let email = text(&mut e, "email", &raw.email, 254, false);
    if email
        .as_deref()
        .is_some_and(|m| !crate::contact::is_plausible_email(m))
    {
        e.add("email", "error-email");
    }
    let line = text(&mut e, "address_line", &raw.address_line, 200, false);
    let postal = text(&mut e, "postal_code", &raw.postal_code, 10, false);
    let city = text(&mut e, "city", &raw.city, 100, false);
    let protection = match raw.protection.trim() {
        "" => Protection::None,
        p => Protection::parse(p).unwrap_or_else(|| {
            e.add("protection", "error-unknown-choice");
            Protection::None
        }),
    };
    // A stated birth date is read only where there is no number to carry one.
    let stated_birth_date = match raw.birth_date.trim() {
        "" => None,
        _ if number.is_some() || e.has("id_number") => None,
        d => match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
            Ok(d) if d > today => {
                e.add("birth_date", "error-date-future");
                None
            }
            Ok(d) if d.year() < 1890 => {
                e.add("birth_date", "error-date-invalid");
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                e.add("birth_date", "error-date-invalid");
                None
            }
        },
    };
    if !e.is_empty() {
        return Err(e);
    }
    Ok(NewPerson {
        stated_birth_date,
        id_number: number,
        given_name: given_name.unwrap_or_default(),
        family_name: family_name.unwrap_or_default(),
        phone,
        email,
        address: line.map(|l| (l, postal, city)),
        protection,
        children_in_household: raw.children_in_household,
    })
}

/// A journal entry's text and kind.
pub fn validate_journal(kind: &str, text_in: &str) -> Result<(JournalKind, String), FieldErrors> {
    let mut e = FieldErrors::new();
    let kind = match kind.trim() {
        "" => Some(JournalKind::Note),
        k => JournalKind::parse(k).or_else(|| {
            e.add("kind", "error-unknown-choice");
            None
        }),
    };
    let t = text(&mut e, "text", text_in, MAX_JOURNAL_TEXT, true);
    match (kind, t) {
        (Some(k), Some(t)) if e.is_empty() => Ok((k, t)),
        _ => Err(e),
    }
}

/// A reason (for marking an entry wrong, or for emergency access): it must say something.
pub fn validate_reason(field: &'static str, reason: &str) -> Result<String, FieldErrors> {
    let mut e = FieldErrors::new();
    match text(&mut e, field, reason, MAX_REASON, true) {
        Some(r) if r.chars().count() >= MIN_REASON => Ok(r),
        Some(_) => {
            e.add(field, "error-reason-short");
            Err(e)
        }
        None => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    #[test]
    fn a_person_needs_names_and_a_valid_number_if_any() {
        let raw = RawPerson {
            given_name: "Anna".into(),
            family_name: "Demo".into(),
            ..Default::default()
        };
        let p = validate_person(&raw, today()).unwrap();
        assert_eq!((p.id_number, p.protection), (None, Protection::None));
        let e = validate_person(
            &RawPerson {
                id_number: "811218-9877".into(),
                ..Default::default()
            },
            today(),
        )
        .unwrap_err();
        assert_eq!(e.messages("given_name"), ["error-required"]);
        assert_eq!(e.messages("id_number"), ["pnr-error-checksum"]);
        let p = validate_person(
            &RawPerson {
                id_number: "811218-9876".into(),
                protection: "skyddad_folkbokforing".into(),
                address_line: "Gatan 1".into(),
                ..raw
            },
            today(),
        )
        .unwrap();
        assert_eq!(
            p.id_number.map(|n| n.canonical()).as_deref(),
            Some("19811218-9876")
        );
        assert!(p.protection.hides_address());
    }

    #[test]
    fn journal_text_is_required_and_bounded() {
        assert_eq!(
            validate_journal("", "Ringde Anna.").unwrap(),
            (JournalKind::Note, "Ringde Anna.".into())
        );
        assert_eq!(
            validate_journal("phone_call", " x ").unwrap().0,
            JournalKind::PhoneCall
        );
        assert_eq!(
            validate_journal("note", "  ").unwrap_err().messages("text"),
            ["error-required"]
        );
        assert_eq!(
            validate_journal("fax", "x").unwrap_err().messages("kind"),
            ["error-unknown-choice"]
        );
        assert_eq!(
            validate_journal("note", &"x".repeat(MAX_JOURNAL_TEXT + 1))
                .unwrap_err()
                .messages("text"),
            ["error-too-long"]
        );
    }

    #[test]
    fn reasons_must_say_something() {
        assert!(validate_reason("reason", "Fel person, skrevs i fel ärende.").is_ok());
        assert_eq!(
            validate_reason("reason", "fel")
                .unwrap_err()
                .messages("reason"),
            ["error-reason-short"]
        );
        assert_eq!(
            validate_reason("reason", "")
                .unwrap_err()
                .messages("reason"),
            ["error-required"]
        );
    }

    #[test]
    fn status_moves() {
        use CaseStatus::*;
        assert!(
            Open.may_move_to(Investigating)
                && Investigating.may_move_to(Decided)
                && Decided.may_move_to(Closed)
        );
        assert!(Open.may_move_to(Closed) && Closed.may_move_to(Open));
        for (from, to) in [
            (Open, Decided),
            (Decided, Open),
            (Closed, Decided),
            (Open, Open),
            (Investigating, Open),
        ] {
            assert!(!from.may_move_to(to), "{from:?} -> {to:?}");
        }
    }

    #[test]
    fn steps_move_the_case_through_the_same_table() {
        use CaseStatus::*;
        assert_eq!(Open.after(Cause::InvestigationEntry), Some(Investigating));
        for s in [Investigating, Decided, Closed] {
            assert_eq!(s.after(Cause::InvestigationEntry), None, "{s:?}");
        }
        // A decision decides an open case too, although no officer may do so by hand.
        assert_eq!(Open.after(Cause::Decision), Some(Decided));
        assert!(Open.may_move(Decided, Cause::Decision) && !Open.may_move_to(Decided));
        assert_eq!(Investigating.after(Cause::Decision), Some(Decided));
        assert_eq!(Decided.after(Cause::Decision), None);
        assert_eq!(Closed.after(Cause::Decision), None);
        for s in CaseStatus::ALL {
            assert_eq!(s.after(Cause::Manual), None);
        }
        assert!(Open.awaits_decision() && Investigating.awaits_decision());
        assert!(!Decided.awaits_decision() && !Closed.awaits_decision());
    }

    #[test]
    fn wire_names_round_trip() {
        for k in CaseKind::ALL {
            assert_eq!(CaseKind::parse(k.as_str()), Some(*k));
        }
        for k in JournalKind::ALL {
            assert_eq!(JournalKind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(CaseKind::parse("open-support"), Some(CaseKind::OpenSupport));
    }
}
