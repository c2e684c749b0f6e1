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

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct LawTable {
    #[serde(default, rename = "reference")]
    pub references: Vec<LegalReference>,
    #[serde(default, rename = "amount")]
    pub amounts: Vec<Amount>,
    #[serde(default, rename = "benefit_rule")]
    pub benefit_rules: Vec<BenefitRule>,
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
