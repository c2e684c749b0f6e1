//! A carer's request for a conversation ("Be om ett samtal"): the raw input from a form or the
//! API, its validation, and the valid request that may be stored.

use crate::personnummer::Personnummer;
use crate::FieldErrors;
use chrono::NaiveDate;

wire_enum!(
    /// Where a contact request stands. It becomes a case once, or is closed with a reason;
    /// either way it is handled and leaves the inbox.
    RequestStatus {
        /// Nobody holds it yet.
        New = "new",
        /// Someone holds it.
        InProgress = "in_progress",
        /// A case was opened from it.
        CaseOpened = "case_opened",
        /// Handled without a case (information given on the phone, referred elsewhere).
        Closed = "closed",
    }
);

impl RequestStatus {
    /// The status after the request is given to someone (or to nobody).
    pub fn after_assign(self, to_someone: bool) -> Self {
        match self {
            Self::New | Self::InProgress if to_someone => Self::InProgress,
            Self::New | Self::InProgress => Self::New,
            other => other,
        }
    }

    /// Whether it may be closed without a case: only while it is still open.
    pub fn may_close(self) -> bool {
        matches!(self, Self::New | Self::InProgress)
    }

    /// Whether it is done with: a case, or closed.
    pub fn handled(self) -> bool {
        matches!(self, Self::CaseOpened | Self::Closed)
    }
}

wire_enum!(
    /// The carer's relation to the care recipient.
    Relation {
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

wire_enum!(
    AgeGroup {
        Under18 = "under-18",
        From18To64 = "18-64",
        From65To79 = "65-79",
        From80 = "80-plus",
    }
);

wire_enum!(
    /// What the care recipient lives with.
    Condition {
        LongTermIllness = "long-term-illness",
        Disability = "disability",
        Dementia = "dementia",
        MentalIllness = "mental-illness",
        Addiction = "addiction",
        Ageing = "ageing",
        Other = "other",
    }
);

wire_enum!(
    /// What the carer would like.
    Want {
        Talk = "talk",
        Group = "group",
        Respite = "respite",
        Economic = "economic",
        Information = "information",
    }
);

wire_enum!(
    PreferredTime {
        Morning = "morning",
        Afternoon = "afternoon",
        Evening = "evening",
        Any = "any",
    }
);

pub const MAX_NAME: usize = 200;
pub const MAX_PHONE: usize = 40;
pub const MAX_EMAIL: usize = 254;
pub const MAX_MESSAGE: usize = 4000;

/// Input as it arrives, before any rule is applied. Lists hold the wire names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawContactRequest {
    pub anonymous: bool,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub personnummer: String,
    pub relation: String,
    pub recipient_age_group: String,
    pub recipient_conditions: Vec<String>,
    pub recipient_is_child: bool,
    pub carer_age_group: String,
    pub wants: Vec<String>,
    pub message: String,
    pub preferred_time: String,
    pub consent: bool,
}

/// A request that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRequest {
    pub anonymous: bool,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub personnummer: Option<Personnummer>,
    pub relation: Option<Relation>,
    pub recipient_age_group: Option<AgeGroup>,
    pub recipient_conditions: Vec<Condition>,
    pub recipient_is_child: bool,
    pub carer_age_group: Option<AgeGroup>,
    pub wants: Vec<Want>,
    pub message: Option<String>,
    pub preferred_time: Option<PreferredTime>,
}

impl ContactRequest {
    /// A carer under 18 is led to the young-carer path, whether they said their age group or
    /// gave a number showing it.
    pub fn is_young_carer(&self, today: NaiveDate) -> bool {
        self.carer_age_group == Some(AgeGroup::Under18)
            || self
                .personnummer
                .as_ref()
                .is_some_and(|p| p.is_minor_on(today))
    }

    /// A child in the picture (the carer or the care recipient) is flagged for staff.
    pub fn involves_child(&self, today: NaiveDate) -> bool {
        self.is_young_carer(today)
            || self.recipient_is_child
            || self.recipient_age_group == Some(AgeGroup::Under18)
    }
}

/// The fields in form order: the error summary lists errors in this order.
pub const FIELD_ORDER: &[&str] = &[
    "anonymous",
    "name",
    "phone",
    "email",
    "personnummer",
    "relation",
    "recipient_age_group",
    "recipient_conditions",
    "carer_age_group",
    "wants",
    "message",
    "preferred_time",
    "consent",
];

pub(crate) fn bounded(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    max: usize,
) -> Option<String> {
    let v = value.trim();
    if v.chars().count() > max {
        errors.add(field, "error-too-long");
        return None;
    }
    if v.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        errors.add(field, "error-control-characters");
        return None;
    }
    (!v.is_empty()).then(|| v.to_owned())
}

/// A plain check that catches typing mistakes; delivery is the real test of an address.
pub fn is_plausible_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
}

/// Digits with optional spaces, dashes, parentheses and a leading +; 6 to 15 digits.
pub fn is_plausible_phone(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    (6..=15).contains(&digits)
        && s.chars().enumerate().all(|(i, c)| {
            c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')') || (c == '+' && i == 0)
        })
}

/// An e-mail address and a phone number as typed, each optional but checked when given.
pub(crate) fn reach(
    errors: &mut FieldErrors,
    email: &str,
    phone: &str,
) -> (Option<String>, Option<String>) {
    let email = bounded(errors, "email", email, MAX_EMAIL);
    if email.as_deref().is_some_and(|m| !is_plausible_email(m)) {
        errors.add("email", "error-email");
    }
    let phone = bounded(errors, "phone", phone, MAX_PHONE);
    if phone.as_deref().is_some_and(|p| !is_plausible_phone(p)) {
        errors.add("phone", "error-phone");
    }
    (email, phone)
}

pub(crate) fn one_of<T: Copy>(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    parse: fn(&str) -> Option<T>,
) -> Option<T> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    let parsed = parse(v);
    if parsed.is_none() {
        errors.add(field, "error-unknown-choice");
    }
    parsed
}

pub(crate) fn many_of<T: Copy + PartialEq>(
    errors: &mut FieldErrors,
    field: &'static str,
    values: &[String],
    parse: fn(&str) -> Option<T>,
) -> Vec<T> {
    let mut out = Vec::new();
    for v in values {
        match parse(v.trim()) {
            Some(t) if !out.contains(&t) => out.push(t),
            Some(_) => {}
            None => {
                errors.add(field, "error-unknown-choice");
                return Vec::new();
            }
        }
    }
    out
}

/// Applies every rule; on failure says what is wrong with each field.
pub fn validate(raw: &RawContactRequest, today: NaiveDate) -> Result<ContactRequest, FieldErrors> {
    let mut e = FieldErrors::new();
    let name = bounded(&mut e, "name", &raw.name, MAX_NAME);
    let phone = bounded(&mut e, "phone", &raw.phone, MAX_PHONE);
    let email = bounded(&mut e, "email", &raw.email, MAX_EMAIL);
    if let Some(p) = &phone {
        if !is_plausible_phone(p) {
            e.add("phone", "error-phone");
        }
    }
    if let Some(m) = &email {
        if !is_plausible_email(m) {
            e.add("email", "error-email");
        }
    }
    if !raw.anonymous && phone.is_none() && email.is_none() && !e.has("phone") {
        e.add("phone", "error-reach-needed");
    }
    let pnr_text = raw.personnummer.trim();
    let personnummer = if pnr_text.is_empty() {
        None
    } else {
        match Personnummer::parse(pnr_text, today) {
            Ok(p) => Some(p),
            Err(err) => {
                e.add("personnummer", err.message_id());
                None
            }
        }
    };
    let relation = one_of(&mut e, "relation", &raw.relation, Relation::parse);
    let recipient_age_group = one_of(
        &mut e,
        "recipient_age_group",
        &raw.recipient_age_group,
        AgeGroup::parse,
    );
    let recipient_conditions = many_of(
        &mut e,
        "recipient_conditions",
        &raw.recipient_conditions,
        Condition::parse,
    );
    let carer_age_group = one_of(
        &mut e,
        "carer_age_group",
        &raw.carer_age_group,
        AgeGroup::parse,
    );
    let wants = many_of(&mut e, "wants", &raw.wants, Want::parse);
    let message = bounded(&mut e, "message", &raw.message, MAX_MESSAGE);
    let preferred_time = one_of(
        &mut e,
        "preferred_time",
        &raw.preferred_time,
        PreferredTime::parse,
    );
    if !raw.consent {
        e.add("consent", "error-consent");
    }
    if !e.is_empty() {
        return Err(e);
    }
    // An anonymous request keeps no name or number, even if some were typed.
    let (name, personnummer) = if raw.anonymous {
        (None, None)
    } else {
        (name, personnummer)
    };
    Ok(ContactRequest {
        anonymous: raw.anonymous,
        name,
        phone,
        email,
        personnummer,
        relation,
        recipient_age_group,
        recipient_conditions,
        recipient_is_child: raw.recipient_is_child,
        carer_age_group,
        wants,
        message,
        preferred_time,
    })
}

/// Human-friendly references: no 0/O, 1/I/L, so they can be read aloud on the phone.
pub const REFERENCE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// Builds a reference like `AB3-K7QX` from random bytes (the caller supplies the randomness).
pub fn reference_from_bytes(bytes: [u8; 7]) -> String {
    let n = REFERENCE_ALPHABET.len();
    let mut s = String::with_capacity(8);
    for (i, b) in bytes.iter().enumerate() {
        if i == 3 {
            s.push('-');
        }
        s.push(char::from(REFERENCE_ALPHABET[usize::from(*b) % n]));
    }
    s
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_request_moves_from_new_to_held_to_handled() {
        use RequestStatus::*;
        assert_eq!(New.after_assign(true), InProgress);
        assert_eq!(InProgress.after_assign(false), New);
        assert_eq!(CaseOpened.after_assign(true), CaseOpened);
        assert_eq!(Closed.after_assign(false), Closed);
        assert!(New.may_close() && InProgress.may_close());
        assert!(!CaseOpened.may_close() && !Closed.may_close());
        assert!(CaseOpened.handled() && Closed.handled() && !New.handled());
    }

    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    fn minimal() -> RawContactRequest {
        RawContactRequest {
            phone: "070-123 45 67".into(),
            consent: true,
            ..Default::default()
        }
    }

    #[test]
    fn minimal_request_is_valid() {
        let r = validate(&minimal(), today()).unwrap();
        assert_eq!(r.phone.as_deref(), Some("070-123 45 67"));
        assert!(!r.anonymous);
    }

    #[test]
    fn a_way_to_reach_is_needed_unless_anonymous() {
        let mut raw = minimal();
        raw.phone.clear();
        let err = validate(&raw, today()).unwrap_err();
        assert_eq!(err.messages("phone"), ["error-reach-needed"]);
        raw.anonymous = true;
        assert!(validate(&raw, today()).is_ok());
    }

    #[test]
    fn anonymous_requests_keep_no_name_or_number() {
        let mut raw = minimal();
        raw.anonymous = true;
        raw.name = "Test Testsson".into();
        raw.personnummer = "811218-9876".into();
        let r = validate(&raw, today()).unwrap();
        assert_eq!(r.name, None);
        assert_eq!(r.personnummer, None);
    }

    #[test]
    fn consent_is_required() {
        let mut raw = minimal();
        raw.consent = false;
        assert_eq!(
            validate(&raw, today()).unwrap_err().messages("consent"),
            ["error-consent"]
        );
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let raw = RawContactRequest {
            name: "x".repeat(MAX_NAME + 1),
            email: "not-an-address".into(),
            personnummer: "811218-9877".into(),
            relation: "cousin-twice-removed".into(),
            wants: vec!["talk".into(), "teleport".into()],
            message: "y".repeat(MAX_MESSAGE + 1),
            ..Default::default()
        };
        let e = validate(&raw, today()).unwrap_err();
        assert_eq!(e.messages("name"), ["error-too-long"]);
        assert_eq!(e.messages("email"), ["error-email"]);
        assert_eq!(e.messages("personnummer"), ["pnr-error-checksum"]);
        assert_eq!(e.messages("relation"), ["error-unknown-choice"]);
        assert_eq!(e.messages("wants"), ["error-unknown-choice"]);
        assert_eq!(e.messages("message"), ["error-too-long"]);
        assert_eq!(e.messages("consent"), ["error-consent"]);
        assert!(e.iter().all(|(k, _)| FIELD_ORDER.contains(&k)));
    }

    #[test]
    fn length_limits_count_characters_not_bytes() {
        let mut raw = minimal();
        raw.name = "Å".repeat(MAX_NAME);
        assert!(validate(&raw, today()).is_ok());
    }

    #[test]
    fn young_carer_by_age_group_or_number() {
        let mut raw = minimal();
        raw.carer_age_group = "under-18".into();
        assert!(validate(&raw, today()).unwrap().is_young_carer(today()));
        let mut raw = minimal();
        // Born 2012: 14 years old on the fixed date.
        let nine = [1u8, 2, 0, 3, 1, 5, 2, 3, 4];
        let check = crate::personnummer::luhn_check_digit(&nine);
        raw.personnummer = format!("120315-234{check}");
        let r = validate(&raw, today()).unwrap();
        assert!(r.is_young_carer(today()) && r.involves_child(today()));
        assert!(!validate(&minimal(), today())
            .unwrap()
            .involves_child(today()));
    }

    #[test]
    fn phone_and_email_shapes() {
        for ok in ["070-123 45 67", "+46701234567", "(08) 123 456"] {
            assert!(is_plausible_phone(ok), "{ok}");
        }
        for bad in ["12345", "070 12a 4567", "46+701234567"] {
            assert!(!is_plausible_phone(bad), "{bad}");
        }
        assert!(is_plausible_email("anna@example.se"));
        for bad in [
            "anna",
            "anna@",
            "@example.se",
            "a b@example.se",
            "a@b@c.se",
            "a@example.",
        ] {
            assert!(!is_plausible_email(bad), "{bad}");
        }
    }

    #[test]
    fn references_are_readable() {
        let r = reference_from_bytes([0, 1, 2, 3, 4, 5, 255]);
        assert_eq!(r.len(), 8);
        assert_eq!(&r[3..4], "-");
        assert!(r
            .chars()
            .all(|c| c == '-' || REFERENCE_ALPHABET.contains(&(c as u8))));
    }

    #[test]
    fn wire_names_round_trip() {
        for r in Relation::ALL {
            assert_eq!(Relation::parse(r.as_str()), Some(*r));
        }
        for w in Want::ALL {
            assert_eq!(Want::parse(w.as_str()), Some(*w));
        }
    }
}
