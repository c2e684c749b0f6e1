//! The 290 municipalities (kommuner) and 21 regions, from Statistics Sweden's codes.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A four-digit municipality code, e.g. `0180` for Stockholm. Parsed at the edge.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Kommunkod([u8; 4]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a kommunkod is four digits")]
pub struct KommunkodError;

impl Kommunkod {
    pub fn parse(s: &str) -> Result<Self, KommunkodError> {
        let b = s.as_bytes();
        if b.len() != 4 || !b.iter().all(u8::is_ascii_digit) {
            return Err(KommunkodError);
        }
        Ok(Self([b[0], b[1], b[2], b[3]]))
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("0000")
    }

    /// The first two digits are the county (län), which here is the region.
    pub fn region_code(&self) -> &str {
        &self.as_str()[..2]
    }
}

impl TryFrom<String> for Kommunkod {
    type Error = KommunkodError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Kommunkod> for String {
    fn from(k: Kommunkod) -> Self {
        k.as_str().to_owned()
    }
}

impl fmt::Display for Kommunkod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Kommunkod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Kommunkod({})", self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Municipality {
    pub kommunkod: Kommunkod,
    pub name: String,
    pub region_code: String,
    pub region_name: String,
}

/// The list shipped with the program (a copy of shared/data/kommuner.csv).
pub const KOMMUNER_CSV: &str = include_str!("../data/kommuner.csv");

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line} of the municipality list is malformed")]
pub struct MunicipalityListError {
    pub line: usize,
}

/// Parses `kommunkod,kommun,lanskod,lan` lines (with a header line).
pub fn parse_municipalities(csv: &str) -> Result<Vec<Municipality>, MunicipalityListError> {
    csv.lines()
        .enumerate()
        .skip(1)
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            let err = MunicipalityListError { line: i + 1 };
            let cols: Vec<&str> = line.trim_end_matches('\r').split(',').collect();
            let [code, name, region_code, region_name] = cols[..] else {
                return Err(err);
            };
            let kommunkod = Kommunkod::parse(code).map_err(|_| err.clone())?;
            if kommunkod.region_code() != region_code {
                return Err(err);
            }
            Ok(Municipality {
                kommunkod,
                name: name.to_owned(),
                region_code: region_code.to_owned(),
                region_name: region_name.to_owned(),
            })
        })
        .collect()
}

pub fn all_municipalities() -> Result<Vec<Municipality>, MunicipalityListError> {
    parse_municipalities(KOMMUNER_CSV)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn the_shipped_list_has_290_municipalities_in_21_regions() {
        let all = all_municipalities().unwrap();
        assert_eq!(all.len(), 290);
        let regions: BTreeSet<_> = all.iter().map(|m| &m.region_code).collect();
        assert_eq!(regions.len(), 21);
        let codes: BTreeSet<_> = all.iter().map(|m| m.kommunkod).collect();
        assert_eq!(codes.len(), 290, "codes are unique");
        assert!(all
            .iter()
            .any(|m| m.kommunkod.as_str() == "0180" && m.name == "Stockholm"));
    }

    #[test]
    fn kommunkod_parsing() {
        assert!(Kommunkod::parse("0180").is_ok());
        for bad in ["180", "01800", "01a0", "", " 0180"] {
            assert!(Kommunkod::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn malformed_lines_are_named() {
        let csv = "kommunkod,kommun,lanskod,lan\n0114,Upplands Väsby,01,Stockholms län\n0115,Vallentuna,02,X\n";
        assert_eq!(
            parse_municipalities(csv),
            Err(MunicipalityListError { line: 3 })
        );
    }
}
