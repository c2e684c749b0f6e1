//! The officer's case list: what a search term is, and who a list may name.

use crate::case::{CaseStatus, Protection};
use crate::personnummer::Personnummer;
use crate::FieldErrors;
use chrono::NaiveDate;

/// What a search of the case list looks for, read from what was typed: a personnummer, a case
/// number (`2026-00017`), a reference the carer quotes (`ANS-ABCD-EFGH` for an application,
/// `AB3-K7QX` for a contact request), or else a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchTerm {
    Number(Personnummer),
    CaseNumber(String),
    Reference(String),
    /// Lower-cased, inner spaces kept as one.
    Name(String),
}

impl SearchTerm {
    /// `None` for a term too short to search by (fewer than two characters).
    pub fn parse(q: &str, today: NaiveDate) -> Option<SearchTerm> {
        let q = q.trim();
        if q.chars().count() < 2 {
            return None;
        }
        if let Ok(p) = Personnummer::parse(q, today) {
            return Some(SearchTerm::Number(p));
        }
        let upper = q.to_uppercase();
        if is_case_number(&upper) {
            return Some(SearchTerm::CaseNumber(upper));
        }
        if is_application_reference(&upper) || is_request_reference(&upper) {
            return Some(SearchTerm::Reference(upper));
        }
        Some(SearchTerm::Name(
            q.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase(),
        ))
    }
}

fn is_case_number(s: &str) -> bool {
    let Some((year, n)) = s.split_once('-') else {
        return false;
    };
    year.len() == 4
        && !n.is_empty()
        && year.chars().all(|c| c.is_ascii_digit())
        && n.chars().all(|c| c.is_ascii_digit())
}

fn is_application_reference(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    matches!(parts.as_slice(), ["ANS", a, b] if a.len() == 4 && b.len() == 4
        && a.chars().chain(b.chars()).all(|c| c.is_ascii_alphanumeric()))
}

fn is_request_reference(s: &str) -> bool {
    matches!(s.split_once('-'), Some((a, b)) if a.len() == 3 && b.len() == 4
        && a.chars().chain(b.chars()).all(|c| c.is_ascii_alphanumeric())
        && a.chars().chain(b.chars()).any(|c| c.is_ascii_digit()))
}

/// Whether a list, search result or watch line may show the person's name. A protected
/// identity is named only to the officer who holds the case (need-to-know); everyone else sees
/// that the identity is protected, and can open the case if the policy lets them.
pub fn may_name(protection: Protection, holds_case: bool) -> bool {
    protection == Protection::None || holds_case
}

/// Which cases the list shows, by who holds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolderFilter {
    Anyone,
    Me,
    Nobody,
}

/// The order of the list; both are keyset-paged on the case id (the order they were opened).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseOrder {
    NewestFirst,
    OldestFirst,
}

/// A request for one page of the case list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseListQuery {
    pub term: Option<SearchTerm>,
    pub status: Option<CaseStatus>,
    pub holder: HolderFilter,
    pub unit: Option<i64>,
    pub order: CaseOrder,
    /// Keyset cursor: the id of the last case of the previous page (in the list's order).
    pub after_id: Option<i64>,
    pub limit: i64,
}

/// The list's parameters as typed (the API's names and values; pages map theirs to these).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawCaseListQuery {
    pub q: String,
    pub status: String,
    /// `anyone` (the default), `me` or `nobody`.
    pub holder: String,
    pub unit: String,
    /// `newest` (the default) or `oldest`.
    pub sort: String,
    /// The cursor when newest first: the last id of the page before.
    pub before: String,
    /// The cursor when oldest first.
    pub after: String,
}

/// The largest page a caller may ask for.
pub const MAX_PAGE: i64 = 100;

/// Reads the parameters; each one that cannot be read is a field error (`q` too short,
/// an unknown status, holder or order, a unit or cursor that is not a number).
pub fn parse_query(
    raw: &RawCaseListQuery,
    limit: i64,
    today: NaiveDate,
) -> Result<CaseListQuery, FieldErrors> {
    let mut errors = FieldErrors::new();
    let term = if raw.q.trim().is_empty() {
        None
    } else {
        let t = SearchTerm::parse(&raw.q, today);
        if t.is_none() {
            errors.add("q", "error-query-short");
        }
        t
    };
    let status = match raw.status.trim() {
        "" => None,
        s => {
            let parsed = CaseStatus::parse(s);
            if parsed.is_none() {
                errors.add("status", "error-unknown-choice");
            }
            parsed
        }
    };
    let holder = match raw.holder.trim() {
        "" | "anyone" => HolderFilter::Anyone,
        "me" => HolderFilter::Me,
        "nobody" => HolderFilter::Nobody,
        _ => {
            errors.add("holder", "error-unknown-choice");
            HolderFilter::Anyone
        }
    };
    let order = match raw.sort.trim() {
        "" | "newest" => CaseOrder::NewestFirst,
        "oldest" => CaseOrder::OldestFirst,
        _ => {
            errors.add("sort", "error-unknown-choice");
            CaseOrder::NewestFirst
        }
    };
    let number = |field: &'static str, v: &str, errors: &mut FieldErrors| match v.trim() {
        "" => None,
        v => match v.parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                errors.add(field, "error-unknown-choice");
                None
            }
        },
    };
    let unit = number("unit", &raw.unit, &mut errors);
    let after_id = match order {
        CaseOrder::NewestFirst => number("before", &raw.before, &mut errors),
        CaseOrder::OldestFirst => number("after", &raw.after, &mut errors),
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(CaseListQuery {
        term,
        status,
        holder,
        unit,
        order,
        after_id,
        limit: limit.clamp(1, MAX_PAGE),
    })
}

/// Days a case has been waiting: from the day the application was received, else from the
/// day the case was opened.
pub fn age_days(received_on: Option<NaiveDate>, opened_on: NaiveDate, today: NaiveDate) -> i64 {
    (today - received_on.unwrap_or(opened_on)).num_days().max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()
    }

    #[test]
    fn terms_are_read_as_what_they_look_like() {
        assert!(matches!(
            SearchTerm::parse("19121212-1212", today()),
            Some(SearchTerm::Number(_))
        ));
        assert_eq!(
            SearchTerm::parse(" 2026-00017 ", today()),
            Some(SearchTerm::CaseNumber("2026-00017".into()))
        );
        assert_eq!(
            SearchTerm::parse("ans-abcd-ef23", today()),
            Some(SearchTerm::Reference("ANS-ABCD-EF23".into()))
        );
        assert_eq!(
            SearchTerm::parse("ab3-k7qx", today()),
            Some(SearchTerm::Reference("AB3-K7QX".into()))
        );
        assert_eq!(
            SearchTerm::parse("Anna   Andersson", today()),
            Some(SearchTerm::Name("anna andersson".into()))
        );
        // A hyphenated name is a name, not a reference.
        assert_eq!(
            SearchTerm::parse("Ann-Mari", today()),
            Some(SearchTerm::Name("ann-mari".into()))
        );
        assert_eq!(SearchTerm::parse(" a ", today()), None);
    }

    #[test]
    fn parameters_that_cannot_be_read_name_their_field() {
        let raw = RawCaseListQuery {
            q: "x".into(),
            status: "lost".into(),
            holder: "them".into(),
            unit: "abc".into(),
            sort: "sideways".into(),
            before: "-3".into(),
            after: "x".into(),
        };
        let e = parse_query(&raw, 50, today()).unwrap_err();
        for f in ["q", "status", "holder", "unit", "sort", "before"] {
            assert!(e.has(f), "{f}");
        }
        // Only the cursor of the order asked for is read.
        assert!(!e.has("after"));
        let ok = parse_query(
            &RawCaseListQuery {
                status: "open".into(),
                holder: "me".into(),
                sort: "oldest".into(),
                after: "17".into(),
                ..RawCaseListQuery::default()
            },
            500,
            today(),
        )
        .unwrap();
        assert_eq!(ok.status, Some(CaseStatus::Open));
        assert_eq!(ok.holder, HolderFilter::Me);
        assert_eq!(ok.order, CaseOrder::OldestFirst);
        assert_eq!(ok.after_id, Some(17));
        assert_eq!(ok.limit, MAX_PAGE);
        assert_eq!(ok.term, None);
    }

    #[test]
    fn protected_identities_are_named_only_to_the_holder() {
        assert!(may_name(Protection::None, false));
        assert!(!may_name(Protection::SkyddadFolkbokforing, false));
        assert!(!may_name(Protection::Sekretessmarkering, false));
        assert!(may_name(Protection::SkyddadFolkbokforing, true));
    }

    #[test]
    fn age_counts_from_receipt_when_known() {
        let opened = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let received = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        assert_eq!(age_days(Some(received), opened, today()), 14);
        assert_eq!(age_days(None, opened, today()), 4);
        assert_eq!(age_days(None, today() + chrono::Days::new(1), today()), 0);
    }
}
