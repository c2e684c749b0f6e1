//! Retention (gallring): when a record is removed, by the rules of the law table.
//!
//! Records of the open support that never became a case (contact requests, sign-ups,
//! bookings, conversation notes) go a set time after their last use. A person file goes five
//! years after its last entry, at the latest by the end of the following calendar year, unless
//! the person was born on a day kept for research. A case shared by several persons goes only
//! with all of them, so that a file that is kept never loses part of itself.

use crate::law::LawTable;
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

pub const PERSON_FILE: &str = "person-file";
pub const OPEN_SUPPORT: &str = "open-support";

/// A row of `[[retention]]` in the law table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RetentionRule {
    pub code: String,
    pub title: String,
    /// Months from the last use or entry until the record may go.
    pub months: u32,
    /// Whether the removal may wait until the end of the calendar year after that.
    #[serde(default)]
    pub end_of_following_year: bool,
    /// Days of the month of birth whose files are kept for research.
    #[serde(default)]
    pub keep_born_on_days: Vec<u32>,
    pub reference: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

impl RetentionRule {
    /// The first day the record may be removed, and the last day by which it must be.
    pub fn window(&self, last_use: NaiveDate) -> (NaiveDate, NaiveDate) {
        let from = last_use
            .checked_add_months(Months::new(self.months))
            .unwrap_or(NaiveDate::MAX);
        let by = if self.end_of_following_year {
            NaiveDate::from_ymd_opt(from.year() + 1, 12, 31).unwrap_or(NaiveDate::MAX)
        } else {
            from
        };
        (from, by)
    }

    /// Whether a person born on this day keeps their file. Without a known birth date the
    /// rule cannot keep it.
    pub fn kept_for_research(&self, birth: Option<NaiveDate>) -> bool {
        birth.is_some_and(|b| self.keep_born_on_days.contains(&b.day()))
    }
}

wire_enum!(
    /// What a retention rule removes.
    RecordKind {
        /// A contact request that led to no case.
        ContactRequest = "contact_request",
        /// A sign-up for an activity of the open support.
        Signup = "signup",
        /// A conversation a carer booked online.
        Booking = "booking",
        /// A conversation staff registered (the open support's note of a call or visit).
        ConversationNote = "conversation_note",
        /// A person with their record, relations and protected address.
        PersonFile = "person_file",
        /// A case with its journal and everything filed in it; it goes with its persons' files.
        Case = "case",
    }
);

/// The rules in force on a day, with the municipality's own time for the open support.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    pub person_file: RetentionRule,
    pub open_support: RetentionRule,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the law table has no retention rule {code:?} in force on {on}")]
pub struct MissingRule {
    pub code: &'static str,
    pub on: NaiveDate,
}

impl Rules {
    /// The rules in force on `on`; `open_support_months` (the setting
    /// `retention_open_support_months`) replaces the table's time for the open support.
    pub fn in_force(
        law: &LawTable,
        on: NaiveDate,
        open_support_months: Option<u32>,
    ) -> Result<Self, MissingRule> {
        let find = |code: &'static str| {
            law.retention(code, on)
                .cloned()
                .ok_or(MissingRule { code, on })
        };
        let mut open_support = find(OPEN_SUPPORT)?;
        if let Some(m) = open_support_months {
            open_support.months = m;
        }
        Ok(Self {
            person_file: find(PERSON_FILE)?,
            open_support,
        })
    }

    pub fn for_kind(&self, kind: RecordKind) -> &RetentionRule {
        match kind {
            RecordKind::PersonFile | RecordKind::Case => &self.person_file,
            _ => &self.open_support,
        }
    }
}

/// A record due for removal. It names no one: kind, id and rule are all it says.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Due {
    pub kind: RecordKind,
    pub id: i64,
    pub kommunkod: String,
    /// The rule's code in the law table.
    pub rule: String,
    pub reason: String,
    pub last_use: NaiveDate,
    /// The first day it may go.
    pub eligible_from: NaiveDate,
    /// The last day by which it must have gone.
    pub due_date: NaiveDate,
}

impl Due {
    fn new(
        rule: &RetentionRule,
        kind: RecordKind,
        id: i64,
        kommunkod: &str,
        last: NaiveDate,
    ) -> Self {
        let (eligible_from, due_date) = rule.window(last);
        Self {
            kind,
            id,
            kommunkod: kommunkod.to_owned(),
            rule: rule.code.clone(),
            // The title and reference are law data; when it was last used is `last_use`.
            reason: format!("{} ({})", rule.title, rule.reference),
            last_use: last,
            eligible_from,
            due_date,
        }
    }
}

/// A record of the open support that is due on `as_of`, if it is.
pub fn open_support_due(
    rules: &Rules,
    kind: RecordKind,
    id: i64,
    kommunkod: &str,
    last_use: NaiveDate,
    as_of: NaiveDate,
) -> Option<Due> {
    let due = Due::new(rules.for_kind(kind), kind, id, kommunkod, last_use);
    (due.eligible_from <= as_of).then_some(due)
}

/// A person as retention sees them: when their file was last written to (their own record or
/// any of their cases) and, if known, their birth date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonFile {
    pub id: i64,
    pub kommunkod: String,
    pub birth: Option<NaiveDate>,
    pub last_entry: NaiveDate,
}

/// The person files that go on a day, and the cases that go with them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonFilePlan {
    pub persons: Vec<Due>,
    /// Each case's last use is its persons' latest entry.
    pub cases: Vec<Due>,
}

/// Which person files go on `as_of`. `cases` lists each case with its persons. A person goes
/// when their time has run out, they are not kept for research, and every case they are in
/// goes too, which it does only when all its persons go; so a kept person keeps the cases
/// they share, and the others in those cases keep their files with them.
pub fn person_files_due(
    rule: &RetentionRule,
    persons: &[PersonFile],
    cases: &[(i64, Vec<i64>)],
    as_of: NaiveDate,
) -> PersonFilePlan {
    let mut going: BTreeSet<i64> = persons
        .iter()
        .filter(|p| rule.window(p.last_entry).0 <= as_of && !rule.kept_for_research(p.birth))
        .map(|p| p.id)
        .collect();
    // Each pass keeps everyone who shares a case with someone kept; at most one pass per person.
    loop {
        let before = going.len();
        for (_, members) in cases {
            if members.iter().any(|m| !going.contains(m)) {
                for m in members {
                    going.remove(m);
                }
            }
        }
        if going.len() == before {
            break;
        }
    }
    let by_id: std::collections::BTreeMap<i64, &PersonFile> =
        persons.iter().map(|p| (p.id, p)).collect();
    let cases = cases
        .iter()
        .filter(|(_, members)| !members.is_empty() && members.iter().all(|m| going.contains(m)))
        .filter_map(|(id, members)| {
            let files: Vec<&PersonFile> = members
                .iter()
                .filter_map(|m| by_id.get(m).copied())
                .collect();
            let last = files.iter().map(|p| p.last_entry).max()?;
            let kommunkod = &files.first()?.kommunkod;
            Some(Due::new(rule, RecordKind::Case, *id, kommunkod, last))
        })
        .collect();
    let persons = persons
        .iter()
        .filter(|p| going.contains(&p.id))
        .map(|p| {
            Due::new(
                rule,
                RecordKind::PersonFile,
                p.id,
                &p.kommunkod,
                p.last_entry,
            )
        })
        .collect();
    PersonFilePlan { persons, cases }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn rules() -> Rules {
        Rules::in_force(&LawTable::shipped().unwrap(), d(2026, 12, 4), None).unwrap()
    }

    fn person(id: i64, birth: Option<NaiveDate>, last: NaiveDate) -> PersonFile {
        PersonFile {
            id,
            kommunkod: "0180".into(),
            birth,
            last_entry: last,
        }
    }

    #[test]
    fn a_person_file_goes_five_years_on_and_by_the_end_of_the_next_year() {
        let r = rules().person_file;
        assert_eq!(r.window(d(2020, 3, 10)), (d(2025, 3, 10), d(2026, 12, 31)));
    }

    #[test]
    fn the_open_support_time_is_two_years_unless_the_municipality_sets_another() {
        let law = LawTable::shipped().unwrap();
        let r = Rules::in_force(&law, d(2026, 12, 4), None).unwrap();
        assert_eq!(r.open_support.window(d(2024, 12, 4)).0, d(2026, 12, 4));
        let six = Rules::in_force(&law, d(2026, 12, 4), Some(6)).unwrap();
        let due = open_support_due(
            &six,
            RecordKind::Signup,
            7,
            "0180",
            d(2026, 6, 4),
            d(2026, 12, 4),
        );
        assert_eq!(due.map(|x| x.due_date), Some(d(2026, 12, 4)));
        assert!(open_support_due(
            &r,
            RecordKind::Signup,
            7,
            "0180",
            d(2026, 6, 4),
            d(2026, 12, 4)
        )
        .is_none());
    }

    #[test]
    fn the_rule_follows_the_law_in_force() {
        let law = LawTable::shipped().unwrap();
        let old = Rules::in_force(&law, d(2025, 6, 30), None).unwrap();
        let new = Rules::in_force(&law, d(2025, 7, 1), None).unwrap();
        assert!(old.person_file.reference.contains("2001:453"));
        assert!(new
            .person_file
            .reference
            .starts_with("Socialtjänstlagen (2025:400)"));
        assert!(Rules::in_force(&law, d(1999, 1, 1), None).is_err());
    }

    #[test]
    fn persons_born_on_the_5th_15th_and_25th_are_kept_for_research() {
        let old = d(2010, 1, 1);
        let people = [
            person(1, Some(d(1950, 4, 5)), old),
            person(2, Some(d(1950, 4, 15)), old),
            person(3, Some(d(1950, 4, 25)), old),
            person(4, Some(d(1950, 4, 6)), old),
            person(5, None, old),
        ];
        let plan = person_files_due(&rules().person_file, &people, &[], d(2026, 12, 4));
        let ids: Vec<i64> = plan.persons.iter().map(|p| p.id).collect();
        assert_eq!(ids, vec![4, 5]);
    }

    #[test]
    fn a_recent_entry_keeps_the_file() {
        let people = [person(1, None, d(2022, 1, 1))];
        let plan = person_files_due(
            &rules().person_file,
            &people,
            &[(9, vec![1])],
            d(2026, 12, 4),
        );
        assert_eq!(plan, PersonFilePlan::default());
    }

    #[test]
    fn a_case_shared_with_a_kept_person_stays_and_keeps_its_other_persons() {
        let old = d(2010, 1, 1);
        let people = [
            person(1, Some(d(1950, 4, 15)), old), // kept for research
            person(2, None, old),                 // shares case 10 with 1
            person(3, None, old),                 // shares case 11 with 2
            person(4, None, old),                 // alone in case 12
        ];
        let cases = [
            (10, vec![1, 2]),
            (11, vec![2, 3]),
            (12, vec![4]),
            (13, vec![]),
        ];
        let plan = person_files_due(&rules().person_file, &people, &cases, d(2026, 12, 4));
        let ids: Vec<i64> = plan.persons.iter().map(|p| p.id).collect();
        assert_eq!(ids, vec![4]);
        assert_eq!(
            plan.cases.iter().map(|c| c.id).collect::<Vec<_>>(),
            vec![12]
        );
        assert!(plan.cases.iter().all(|c| c.kind == RecordKind::Case));
    }

    #[test]
    fn a_due_record_names_its_rule_and_no_one() {
        let due = open_support_due(
            &rules(),
            RecordKind::ContactRequest,
            3,
            "0180",
            d(2020, 1, 1),
            d(2026, 1, 1),
        )
        .unwrap();
        assert_eq!(due.rule, OPEN_SUPPORT);
        assert_eq!(due.last_use, d(2020, 1, 1));
        assert!(due.reason.contains(&rules().open_support.reference));
        let json = serde_json::to_value(&due).unwrap();
        assert_eq!(json["kind"], "contact_request");
        assert_eq!(json["due_date"], "2022-01-01");
    }
}
