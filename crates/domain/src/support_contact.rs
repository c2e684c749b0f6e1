//! Offering a carer a support contact (stödkontakt): what a valid offer is.

use crate::assessed::parse_date;
use crate::FieldErrors;
use chrono::NaiveDate;

/// Where a carer came in: the kinds of carer an offer can name.
pub const CARER_KINDS: &[&str] = &["contact_request", "signup", "conversation"];

/// An offer as entered: a known kind of carer, a colleague (an active account of the
/// municipality) as the contact, and a real offer date not in the future. The error is a
/// message id.
pub fn validate_offer(
    kind: &str,
    contact_is_colleague: bool,
    offered_on: &str,
    today: NaiveDate,
) -> Result<NaiveDate, &'static str> {
    if !CARER_KINDS.contains(&kind) || !contact_is_colleague {
        return Err("error-unknown-choice");
    }
    let mut e = FieldErrors::new();
    let on = parse_date(&mut e, "offered_on", offered_on, true);
    if let Some(id) = e.messages("offered_on").first() {
        return Err(*id);
    }
    match on {
        Some(d) if d > today => Err("error-date-future"),
        Some(d) => Ok(d),
        None => Err("error-date-invalid"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    #[test]
    fn an_offer_names_a_known_carer_a_colleague_and_a_past_date() {
        assert_eq!(
            validate_offer("signup", true, "2026-11-25", today()),
            Ok(today())
        );
        assert_eq!(
            validate_offer("stranger", true, "2026-11-25", today()),
            Err("error-unknown-choice")
        );
        assert_eq!(
            validate_offer("signup", false, "2026-11-25", today()),
            Err("error-unknown-choice")
        );
        assert_eq!(
            validate_offer("conversation", true, "2026-11-26", today()),
            Err("error-date-future")
        );
        assert!(validate_offer("contact_request", true, "", today()).is_err());
        assert!(validate_offer("contact_request", true, "2026-02-30", today()).is_err());
    }
}
