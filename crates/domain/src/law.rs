//! Law as data: legal references, amounts and rules with validity dates, read from a table
//! (`data/law.toml`) so that a change of law is a data change.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub const LAW_TOML: &str = include_str!("../data/law.toml");

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LegalReference {
    pub code: String,
    /// How the reference is cited, e.g. "9 § 3 LSS (1993:387)".
    pub citation: String,
    pub title: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    /// Whether an assessed decision may cite it as its basis (bistånd, an LSS insats).
    #[serde(default)]
    pub decision_basis: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Amount {
    pub code: String,
    pub title: String,
    pub value: f64,
    pub unit: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

/// A national benefit and its rules as plain-Swedish facts with validity dates.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BenefitRule {
    pub benefit: String,
    pub text: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    /// Share of the prisbasbelopp per year, where the rule pays a stated level.
    #[serde(default)]
    pub share_of_base_amount: Option<f64>,
}

wire_enum!(
    /// The unit a period is counted in.
    PeriodUnit {
        Days = "days",
        Weeks = "weeks",
        Months = "months",
    }
);

/// A time limit or default interval (the appeal time, the three months before a decision not
/// carried out is reported, ...). See `calendar::add_period` and `calendar::statutory_deadline`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Period {
    pub code: String,
    pub title: String,
    pub amount: u32,
    pub unit: PeriodUnit,
    /// A reference code in this table, or a citation where no reference row fits (e.g. practice).
    pub reference: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct LawTable {
    #[serde(default, rename = "reference")]
    pub references: Vec<LegalReference>,
    #[serde(default, rename = "amount")]
    pub amounts: Vec<Amount>,
    #[serde(default, rename = "benefit_rule")]
    pub benefit_rules: Vec<BenefitRule>,
    #[serde(default, rename = "period")]
    pub periods: Vec<Period>,
    #[serde(default, rename = "retention")]
    pub retention: Vec<crate::retention::RetentionRule>,
}

fn in_force(from: NaiveDate, to: Option<NaiveDate>, on: NaiveDate) -> bool {
    from <= on && to.is_none_or(|t| on <= t)
}

impl LawTable {
    pub fn parse(toml_text: &str) -> Result<Self, toml::de::Error> {
        toml::from_str(toml_text)
    }

    pub fn shipped() -> Result<Self, toml::de::Error> {
        Self::parse(LAW_TOML)
    }

    pub fn reference(&self, code: &str, on: NaiveDate) -> Option<&LegalReference> {
        self.references
            .iter()
            .find(|r| r.code == code && in_force(r.valid_from, r.valid_to, on))
    }

    pub fn amount(&self, code: &str, on: NaiveDate) -> Option<&Amount> {
        self.amounts
            .iter()
            .find(|a| a.code == code && in_force(a.valid_from, a.valid_to, on))
    }

    pub fn period(&self, code: &str, on: NaiveDate) -> Option<&Period> {
        self.periods
            .iter()
            .find(|p| p.code == code && in_force(p.valid_from, p.valid_to, on))
    }

    pub fn retention(&self, code: &str, on: NaiveDate) -> Option<&crate::retention::RetentionRule> {
        self.retention
            .iter()
            .find(|r| r.code == code && in_force(r.valid_from, r.valid_to, on))
    }

    /// The legal bases an assessed decision may cite on a date: bistånd under SoL and the LSS
    /// insatser, in force then (the LSS reporting duty is not a basis for deciding).
    pub fn decision_references(&self, on: NaiveDate) -> Vec<&LegalReference> {
        self.references
            .iter()
            .filter(|r| r.decision_basis && in_force(r.valid_from, r.valid_to, on))
            .collect()
    }

    /// The rules of one benefit in force on a date, each with its yearly amount in kronor
    /// where the rule is a share of the prisbasbelopp.
    pub fn benefit_rules(&self, benefit: &str, on: NaiveDate) -> Vec<(&BenefitRule, Option<i64>)> {
        let base = self.amount("prisbasbelopp", on).map(|a| a.value);
        self.benefit_rules
            .iter()
            .filter(|r| r.benefit == benefit && in_force(r.valid_from, r.valid_to, on))
            .map(|r| {
                let kr = match (r.share_of_base_amount, base) {
                    (Some(share), Some(base)) => Some((share * base).round() as i64),
                    _ => None,
                };
                (r, kr)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn every_default_legal_basis_is_in_the_table() {
        let t = LawTable::shipped().unwrap();
        for track in ["assessed_sol", "assessed_lss", "open"] {
            let code = crate::assessed::steps::default_legal_ref(track);
            for on in [d(2024, 1, 1), d(2026, 12, 3)] {
                assert!(
                    t.reference(code, on).is_some(),
                    "no row for {code} ({track}) on {on}"
                );
            }
        }
    }

    #[test]
    fn shipped_table_parses_and_has_the_2026_base_amount() {
        let t = LawTable::shipped().unwrap();
        assert_eq!(
            t.amount("prisbasbelopp", d(2026, 6, 1)).unwrap().value,
            59_200.0
        );
        assert!(t.amount("prisbasbelopp", d(2031, 1, 1)).is_none());
    }

    #[test]
    fn full_omvardnadsbidrag_is_250_percent_of_the_base_amount() {
        let t = LawTable::shipped().unwrap();
        let rules = t.benefit_rules("omvardnadsbidrag", d(2026, 6, 1));
        let full = rules.iter().filter_map(|(_, kr)| *kr).max().unwrap();
        assert_eq!(full, 148_000);
    }

    #[test]
    fn merkostnadsersattning_steps() {
        let t = LawTable::shipped().unwrap();
        let kr: Vec<i64> = t
            .benefit_rules("merkostnadsersattning", d(2026, 6, 1))
            .iter()
            .filter_map(|(_, kr)| *kr)
            .collect();
        assert_eq!(kr, vec![17_760, 23_680, 29_600, 35_520, 41_440]);
    }

    #[test]
    fn shipped_periods_and_references_resolve() {
        let t = LawTable::shipped().unwrap();
        let appeal = t.period("appeal", d(2026, 11, 25)).unwrap();
        assert_eq!((appeal.amount, appeal.unit), (3, PeriodUnit::Weeks));
        assert!(appeal.reference.contains("44 §"));
        assert!(t.period("appeal", d(2018, 6, 30)).is_none());

        let old = t.period("not-executed", d(2025, 6, 30)).unwrap();
        let new = t.period("not-executed", d(2025, 7, 1)).unwrap();
        assert_eq!((old.amount, old.unit), (3, PeriodUnit::Months));
        assert_eq!((new.amount, new.unit), (3, PeriodUnit::Months));
        assert!(old.reference.contains("2001:453"));
        assert!(new.reference.contains("2025:400"));

        let ivo_old = t.reference("ivo-not-executed", d(2025, 6, 30)).unwrap();
        let ivo_new = t.reference("ivo-not-executed", d(2025, 7, 1)).unwrap();
        assert!(ivo_old.citation.contains("16 kap. 6 f §"));
        assert!(ivo_new.citation.contains("2025:400"));

        let on = d(2026, 6, 1);
        for code in [
            "appeal",
            "not-executed",
            "decision-request-after",
            "decision-request-answer",
            "appeal-forward-warning",
            "kommunicering-answer",
            "follow-up",
            "delay-warning",
        ] {
            let p = t.period(code, on).unwrap();
            assert!(p.amount > 0, "{code}");
        }
        for code in [
            "fl-kommunicering",
            "fl-reasons",
            "fl-notice",
            "fl-appeal",
            "fl-timeliness",
            "fl-reconsideration",
            "fl-delay",
            "fl-decision-request",
            "ivo-not-executed",
            "lss-not-executed",
        ] {
            assert!(t.reference(code, on).is_some(), "{code}");
        }
    }

    #[test]
    fn shipped_rows_of_one_code_never_overlap() {
        // Overlapping rows would make the chosen row depend on file order.
        let t = LawTable::shipped().unwrap();
        let overlaps = |a: (NaiveDate, Option<NaiveDate>), b: (NaiveDate, Option<NaiveDate>)| {
            a.0 <= b.1.unwrap_or(NaiveDate::MAX) && b.0 <= a.1.unwrap_or(NaiveDate::MAX)
        };
        let refs: Vec<_> = t
            .references
            .iter()
            .map(|r| (&r.code, (r.valid_from, r.valid_to)))
            .collect();
        let periods: Vec<_> = t
            .periods
            .iter()
            .map(|p| (&p.code, (p.valid_from, p.valid_to)))
            .collect();
        for rows in [refs, periods] {
            for (i, (ca, a)) in rows.iter().enumerate() {
                for (cb, b) in &rows[i + 1..] {
                    assert!(ca != cb || !overlaps(*a, *b), "{ca} overlaps");
                }
            }
        }
    }

    #[test]
    fn decision_references_are_the_bases_in_force() {
        let t = LawTable::shipped().unwrap();
        let codes = |on| {
            t.decision_references(on)
                .iter()
                .map(|r| r.code.as_str())
                .collect::<Vec<_>>()
        };
        let now = codes(d(2026, 11, 25));
        assert!(now.contains(&"sol-bistand") && now.contains(&"lss-korttidsvistelse"));
        assert!(!now
            .iter()
            .any(|c| c.ends_with("not-executed") || c.starts_with("fl-")));
        assert!(!now.contains(&"sol-carer-support"));
        // One row per code on any day: the validity dates choose.
        let mut unique = now.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), now.len());
        assert!(codes(d(1990, 1, 1)).is_empty());
    }

    #[test]
    fn period_units_parse_in_lower_case_only() {
        let row = |unit: &str| {
            LawTable::parse(&format!(
                "[[period]]\ncode = \"p\"\ntitle = \"t\"\namount = 2\nunit = \"{unit}\"\n\
                 reference = \"r\"\nvalid_from = \"2018-07-01\"\n"
            ))
        };
        assert_eq!(row("days").unwrap().periods[0].unit, PeriodUnit::Days);
        assert_eq!(row("weeks").unwrap().periods[0].unit, PeriodUnit::Weeks);
        assert_eq!(row("months").unwrap().periods[0].unit, PeriodUnit::Months);
        assert!(row("Weeks").is_err());
        assert!(row("years").is_err());
    }

    #[test]
    fn validity_dates_choose_the_rule_in_force() {
        let t = LawTable::parse(
            r#"
[[reference]]
code = "x"
citation = "old"
title = "t"
valid_from = "2001-01-01"
valid_to = "2025-06-30"
[[reference]]
code = "x"
citation = "new"
title = "t"
valid_from = "2025-07-01"
"#,
        )
        .unwrap();
        assert_eq!(t.reference("x", d(2025, 6, 30)).unwrap().citation, "old");
        assert_eq!(t.reference("x", d(2025, 7, 1)).unwrap().citation, "new");
        assert!(t.reference("x", d(2000, 1, 1)).is_none());
    }
}
