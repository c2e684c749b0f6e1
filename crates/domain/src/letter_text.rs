//! The text blocks of letters as data with validity dates (`data/letters.toml`), so that a
//! change of wording or of law is a data change. A municipality's own wording, stored in the
//! database, replaces a shipped block from the day it is valid.

use chrono::NaiveDate;
use serde::Deserialize;

pub const LETTERS_TOML: &str = include_str!("../data/letters.toml");

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Block {
    pub code: String,
    pub valid_from: NaiveDate,
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
    pub text: String,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct Blocks {
    #[serde(default, rename = "block")]
    pub blocks: Vec<Block>,
}

impl Blocks {
    pub fn shipped() -> Result<Self, toml::de::Error> {
        toml::from_str(LETTERS_TOML)
    }

    /// The shipped block valid on a date; the newest if several are.
    pub fn get(&self, code: &str, on: NaiveDate) -> Option<&str> {
        self.blocks
            .iter()
            .filter(|b| b.code == code && b.valid_from <= on && b.valid_to.is_none_or(|t| on <= t))
            .max_by_key(|b| b.valid_from)
            .map(|b| b.text.as_str())
    }

    pub fn codes(&self) -> Vec<&str> {
        let mut c: Vec<&str> = self.blocks.iter().map(|b| b.code.as_str()).collect();
        c.dedup();
        c
    }
}

/// Fills `{name}` placeholders; unknown ones are left as they are, so a typo shows.
pub fn fill(text: &str, values: &[(&str, &str)]) -> String {
    let mut out = text.to_owned();
    for (k, v) in values {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn shipped_blocks_parse_and_fill() {
        let b = Blocks::shipped().unwrap();
        let on = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let t = b.get("appeal-instructions", on).unwrap();
        let filled = fill(
            t,
            &[
                ("board", "Socialnämnden"),
                ("kommun", "Uppsala kommun"),
                ("weeks", "tre"),
            ],
        );
        assert!(filled.contains("inom tre veckor"));
        assert!(filled.contains("Socialnämnden, Uppsala kommun"));
        assert!(!filled.contains('{'));
        for outcome in ["granted", "partly_granted", "refused"] {
            assert!(b.get(&format!("decision-intro-{outcome}"), on).is_some());
        }
        assert!(b
            .get(
                "appeal-instructions",
                NaiveDate::from_ymd_opt(2010, 1, 1).unwrap()
            )
            .is_none());
    }
}
