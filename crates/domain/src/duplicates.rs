//! One person, one record: when two records may be the same person, and when they may be
//! merged. A personnummer is unique in a municipality (the store refuses a second one), so a
//! duplicate is a record without a number that has the same name and no contradicting birth
//! date.

use crate::case::Protection;
use chrono::NaiveDate;

/// What the check compares of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub id: i64,
    pub given_name: String,
    pub family_name: String,
    pub has_number: bool,
    /// From the number, or as given for a person without one.
    pub birth_date: Option<NaiveDate>,
    pub protection: Protection,
    /// Already folded into another record.
    pub merged: bool,
}

fn normalised(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Whether the two records may be the same person: the same name, at most one with a number,
/// and birth dates that do not differ where both are known.
pub fn may_be_same(a: &Identity, b: &Identity) -> bool {
    let two_records_at_most_one_numbered =
        !(a.id == b.id || a.merged || b.merged || (a.has_number && b.has_number));
    two_records_at_most_one_numbered
        && normalised(&a.given_name) == normalised(&b.given_name)
        && normalised(&a.family_name) == normalised(&b.family_name)
        && match (a.birth_date, b.birth_date) {
            (Some(x), Some(y)) => x == y,
            _ => true,
        }
}

/// Why two records cannot be merged in one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeRefusal {
    /// Not the same name, or both have a number, or different birth dates.
    NotTheSame,
    /// A protected address is handled with Skatteverket's records, not by merging.
    Protected,
}

impl MergeRefusal {
    pub fn message_id(self) -> &'static str {
        match self {
            MergeRefusal::NotTheSame => "error-merge-not-same",
            MergeRefusal::Protected => "error-merge-protected",
        }
    }
}

/// Which record stays when `a` and `b` are merged (the one with a number, else the older),
/// as `(kept, folded)`; or why they may not be merged.
pub fn merge_plan<'a>(
    a: &'a Identity,
    b: &'a Identity,
) -> Result<(&'a Identity, &'a Identity), MergeRefusal> {
    if !may_be_same(a, b) {
        return Err(MergeRefusal::NotTheSame);
    }
    if a.protection.hides_address() || b.protection.hides_address() {
        return Err(MergeRefusal::Protected);
    }
    let a_first = match (a.has_number, b.has_number) {
        (true, false) => true,
        (false, true) => false,
        _ => a.id < b.id,
    };
    Ok(if a_first { (a, b) } else { (b, a) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anna(id: i64) -> Identity {
        Identity {
            id,
            given_name: "Anna".into(),
            family_name: "Andersson".into(),
            has_number: false,
            birth_date: None,
            protection: Protection::None,
            merged: false,
        }
    }

    fn day(d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(1950, 3, d)
    }

    #[test]
    fn the_same_name_without_contradiction_may_be_the_same_person() {
        let mut b = anna(2);
        b.given_name = " anna ".into();
        assert!(may_be_same(&anna(1), &b));
        b.birth_date = day(3);
        assert!(may_be_same(&anna(1), &b));
        let mut a = anna(1);
        a.birth_date = day(4);
        assert!(!may_be_same(&a, &b), "different birth dates");
        a.birth_date = day(3);
        a.has_number = true;
        assert!(may_be_same(&a, &b));
        b.has_number = true;
        assert!(!may_be_same(&a, &b), "two numbers are two persons");
        assert!(!may_be_same(&anna(1), &anna(1)), "not itself");
        let mut other = anna(3);
        other.family_name = "Berg".into();
        assert!(!may_be_same(&anna(1), &other));
        let mut folded = anna(4);
        folded.merged = true;
        assert!(!may_be_same(&anna(1), &folded));
    }

    #[test]
    fn the_record_with_a_number_else_the_older_is_kept() {
        let (a, mut b) = (anna(1), anna(2));
        assert_eq!(merge_plan(&b, &a).map(|(k, f)| (k.id, f.id)), Ok((1, 2)));
        b.has_number = true;
        assert_eq!(merge_plan(&a, &b).map(|(k, f)| (k.id, f.id)), Ok((2, 1)));
        b.protection = Protection::SkyddadFolkbokforing;
        assert_eq!(
            merge_plan(&a, &b).map(|(k, f)| (k.id, f.id)),
            Err(MergeRefusal::Protected)
        );
        let mut c = anna(3);
        c.family_name = "Berg".into();
        assert_eq!(
            merge_plan(&a, &c).map(|(k, f)| (k.id, f.id)),
            Err(MergeRefusal::NotTheSame)
        );
    }
}
