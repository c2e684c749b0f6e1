//! Open-support statistics: carers reached, counted once each, by how they were reached, age
//! group, women and men, young carers and month. Contacts without an identity (anonymous
//! conversations, anonymous requests) are counted one by one. Figures shown outside the staff
//! workspace hide counts under five, so that nobody can be recognised in a small group.

use std::collections::{BTreeMap, BTreeSet};

/// One contact with a carer, as the statistics see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// 1 to 12.
    pub month: u32,
    /// How they were reached: an activity kind, `conversation` or `contact_request`.
    pub channel: String,
    pub age_group: Option<String>,
    pub gender: Option<String>,
    pub young_carer: bool,
    /// Who it is (a normalised e-mail, phone number or pseudonym); `None` when anonymous.
    pub key: Option<String>,
}

/// Counts of unique carers per bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub total: i64,
    pub anonymous: i64,
    pub by_channel: BTreeMap<String, i64>,
    pub by_age: BTreeMap<String, i64>,
    pub by_gender: BTreeMap<String, i64>,
    pub young_carers: i64,
    /// Index 0 is January.
    pub by_month: [i64; 12],
}

/// The smallest count shown outside the staff workspace.
pub const MIN_SHOWN: i64 = 5;

/// A count as it may be shown outside the staff workspace: none when 1 to 4.
/// The year the public statistics show when asked for `asked`: never a year still to come,
/// whose figures would only be a running count.
pub fn public_year(asked: i32, today: chrono::NaiveDate) -> i32 {
    use chrono::Datelike;
    asked.min(today.year())
}

pub fn suppressed(n: i64) -> Option<i64> {
    (n == 0 || n >= MIN_SHOWN).then_some(n)
}

/// Counts each carer once per bucket. A carer's age group and gender are taken from the
/// first contact that states them.
pub fn aggregate(contacts: &[Contact]) -> Report {
    // Anonymous contacts get an id of their own, so they count one by one.
    let who = |i: usize, c: &Contact| c.key.clone().unwrap_or_else(|| format!("\u{0}anon{i}"));
    let mut people: BTreeMap<String, (Option<String>, Option<String>, bool)> = BTreeMap::new();
    let mut channels: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut months: [BTreeSet<String>; 12] = Default::default();
    for (i, c) in contacts.iter().enumerate() {
        let id = who(i, c);
        let p = people.entry(id.clone()).or_default();
        if p.0.is_none() {
            p.0.clone_from(&c.age_group);
        }
        if p.1.is_none() {
            p.1.clone_from(&c.gender);
        }
        p.2 |= c.young_carer;
        channels
            .entry(c.channel.clone())
            .or_default()
            .insert(id.clone());
        if let Some(m) = months.get_mut((c.month as usize).wrapping_sub(1)) {
            m.insert(id);
        }
    }
    let mut r = Report {
        total: people.len() as i64,
        anonymous: contacts.iter().filter(|c| c.key.is_none()).count() as i64,
        by_channel: channels
            .into_iter()
            .map(|(k, v)| (k, v.len() as i64))
            .collect(),
        ..Report::default()
    };
    for (age, gender, young) in people.values() {
        *r.by_age
            .entry(age.clone().unwrap_or_else(|| "unknown".into()))
            .or_default() += 1;
        *r.by_gender
            .entry(gender.clone().unwrap_or_else(|| "unknown".into()))
            .or_default() += 1;
        r.young_carers += i64::from(*young);
    }
    for (i, m) in months.iter().enumerate() {
        r.by_month[i] = m.len() as i64;
    }
    r
}

#[cfg(test)]
mod tests {

    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn public_statistics_show_no_year_still_to_come() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert_eq!(super::public_year(2027, today), 2026);
        assert_eq!(super::public_year(2026, today), 2026);
        assert_eq!(super::public_year(2019, today), 2019);
    }

    fn c(
        month: u32,
        channel: &str,
        key: Option<&str>,
        age: Option<&str>,
        gender: Option<&str>,
    ) -> Contact {
        Contact {
            month,
            channel: channel.into(),
            age_group: age.map(str::to_owned),
            gender: gender.map(str::to_owned),
            young_carer: age == Some("under-18"),
            key: key.map(str::to_owned),
        }
    }

    #[test]
    fn a_carer_reached_twice_counts_once() {
        let r = aggregate(&[
            c(
                3,
                "support_group",
                Some("a@x.se"),
                Some("65-79"),
                Some("woman"),
            ),
            c(3, "support_group", Some("a@x.se"), None, None),
            c(4, "conversation", Some("a@x.se"), None, None),
            c(
                4,
                "conversation",
                Some("b@x.se"),
                Some("under-18"),
                Some("man"),
            ),
        ]);
        assert_eq!(r.total, 2);
        assert_eq!(r.by_channel["support_group"], 1);
        assert_eq!(r.by_channel["conversation"], 2);
        assert_eq!(r.by_month[2], 1);
        assert_eq!(r.by_month[3], 2);
        assert_eq!(r.by_age["65-79"], 1);
        assert_eq!(r.by_gender["woman"], 1);
        assert_eq!(r.young_carers, 1);
    }

    #[test]
    fn anonymous_contacts_count_one_by_one() {
        let r = aggregate(&[
            c(1, "conversation", None, None, None),
            c(1, "conversation", None, None, None),
            c(1, "conversation", Some("k"), None, None),
        ]);
        assert_eq!((r.total, r.anonymous), (3, 2));
        assert_eq!(r.by_gender["unknown"], 3);
    }

    #[test]
    fn counts_under_five_are_hidden_outside_the_workspace() {
        assert_eq!(suppressed(0), Some(0));
        assert_eq!(suppressed(1), None);
        assert_eq!(suppressed(4), None);
        assert_eq!(suppressed(5), Some(5));
        assert_eq!(suppressed(1200), Some(1200));
    }
}
