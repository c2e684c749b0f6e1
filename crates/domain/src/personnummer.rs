//! Swedish personal identity numbers (personnummer) and coordination numbers (samordningsnummer).
//!
//! Written here rather than taken from the `personnummer` crate, which rejects valid coordination
//! numbers and guesses the century wrong for people aged 100 or more.

use chrono::{Datelike, NaiveDate};
use std::fmt;

/// Which kind of number it is. A coordination number has 60 added to the day of birth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    Personnummer,
    Samordningsnummer,
}

/// A valid personnummer or samordningsnummer, stored in its 12-digit form.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Personnummer {
    digits: [u8; 12],
    kind: IdKind,
    birth_date: NaiveDate,
}

/// Why a number was rejected. Each has its own plain-Swedish message in the Fluent files
/// (`pnr-error-*`), found through [`PersonnummerError::message_id`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PersonnummerError {
    #[error("empty")]
    Empty,
    #[error("contains characters other than digits and one separator")]
    InvalidCharacters,
    #[error("must have 10 or 12 digits")]
    WrongLength,
    #[error("the date part is not a real date")]
    InvalidDate,
    #[error("the date of birth lies in the future")]
    FutureDate,
    #[error("the check digit does not match")]
    ChecksumMismatch,
}

impl PersonnummerError {
    pub fn message_id(self) -> &'static str {
        match self {
            Self::Empty => "pnr-error-empty",
            Self::InvalidCharacters => "pnr-error-characters",
            Self::WrongLength => "pnr-error-length",
            Self::InvalidDate => "pnr-error-date",
            Self::FutureDate => "pnr-error-future",
            Self::ChecksumMismatch => "pnr-error-checksum",
        }
    }
}

/// The Luhn check digit over the nine digits YYMMDDNNN.
pub fn luhn_check_digit(nine: &[u8]) -> u8 {
    let sum: u32 = nine
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            let v = u32::from(d) * if i % 2 == 0 { 2 } else { 1 };
            v / 10 + v % 10
        })
        .sum();
    ((10 - (sum % 10)) % 10) as u8
}

impl Personnummer {
    /// Parses the 10-digit (`YYMMDD-NNNC`, `YYMMDD+NNNC`, `YYMMDDNNNC`) and 12-digit
    /// (`YYYYMMDD-NNNC`, `YYYYMMDDNNNC`) forms. For the 10-digit form the century is inferred
    /// against `today`: the most recent century that does not put the birth in the future, and
    /// a `+` separator means the person is 100 or older.
    pub fn parse(input: &str, today: NaiveDate) -> Result<Self, PersonnummerError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(PersonnummerError::Empty);
        }
        let mut digits = Vec::with_capacity(12);
        let mut separator = None;
        for (i, c) in s.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c as u8 - b'0'),
                '-' | '+' if separator.is_none() && (i == 6 || i == 8) && i == digits.len() => {
                    separator = Some(c)
                }
                _ => return Err(PersonnummerError::InvalidCharacters),
            }
        }
        if separator.is_some() && s.ends_with(['-', '+']) {
            return Err(PersonnummerError::InvalidCharacters);
        }
        let (full_year, rest): (i32, &[u8]) = match digits.len() {
            12 => {
                if separator == Some('+') {
                    return Err(PersonnummerError::InvalidCharacters);
                }
                let y = digits[..4].iter().fold(0i32, |a, &d| a * 10 + i32::from(d));
                (y, &digits[2..])
            }
            10 => {
                let yy = i32::from(digits[0]) * 10 + i32::from(digits[1]);
                let (m, d) = month_day(&digits[2..6]);
                let day = if d > 60 { d - 60 } else { d };
                let mut year = today.year() - today.year().rem_euclid(100) + yy;
                // Most recent year with these two digits whose date is not after today.
                let after_today = |y: i32| match NaiveDate::from_ymd_opt(y, m, day) {
                    Some(date) => date > today,
                    None => y > today.year(),
                };
                if after_today(year) {
                    year -= 100;
                }
                if separator == Some('+') {
                    year -= 100;
                }
                (year, &digits[..])
            }
            _ => return Err(PersonnummerError::WrongLength),
        };
        let (month, day_raw) = month_day(&rest[2..6]);
        let (kind, day) = if day_raw > 60 {
            (IdKind::Samordningsnummer, day_raw - 60)
        } else {
            (IdKind::Personnummer, day_raw)
        };
        let birth_date =
            NaiveDate::from_ymd_opt(full_year, month, day).ok_or(PersonnummerError::InvalidDate)?;
        if birth_date > today {
            return Err(PersonnummerError::FutureDate);
        }
        if luhn_check_digit(&rest[..9]) != rest[9] {
            return Err(PersonnummerError::ChecksumMismatch);
        }
        let mut out = [0u8; 12];
        let century = full_year.div_euclid(100);
        out[0] = (century / 10 % 10) as u8;
        out[1] = (century % 10) as u8;
        out[2..].copy_from_slice(rest);
        Ok(Self {
            digits: out,
            kind,
            birth_date,
        })
    }

    pub fn kind(&self) -> IdKind {
        self.kind
    }

    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }

    /// The ninth digit of the ten is odd for men and even for women (as registered).
    pub fn is_registered_male(&self) -> bool {
        self.digits[10] % 2 == 1
    }

    /// Age in whole years on `today`.
    pub fn age_on(&self, today: NaiveDate) -> u32 {
        today.years_since(self.birth_date).unwrap_or(0)
    }

    /// Under the age of majority (18, föräldrabalken 9 kap. 1 §) on `on`: a carer this young
    /// is a young carer.
    pub fn is_minor_on(&self, on: NaiveDate) -> bool {
        self.age_on(on) < AGE_OF_MAJORITY
    }

    /// The canonical 12-digit form with a dash: `YYYYMMDD-NNNC`.
    pub fn canonical(&self) -> String {
        let d: String = self.digits.iter().map(|d| char::from(b'0' + d)).collect();
        format!("{}-{}", &d[..8], &d[8..])
    }
}

/// The age of majority in Sweden.
pub const AGE_OF_MAJORITY: u32 = 18;

fn month_day(four: &[u8]) -> (u32, u32) {
    (
        u32::from(four[0]) * 10 + u32::from(four[1]),
        u32::from(four[2]) * 10 + u32::from(four[3]),
    )
}

impl fmt::Display for Personnummer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())
    }
}

// Personal data stays out of debug output and logs.
impl fmt::Debug for Personnummer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Personnummer({:?}, ****)", self.kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn today() -> NaiveDate {
        day(2026, 11, 25)
    }

    fn with_check(nine: &str) -> String {
        let ds: Vec<u8> = nine.bytes().map(|b| b - b'0').collect();
        format!("{nine}{}", luhn_check_digit(&ds))
    }

    #[test]
    fn a_minor_until_the_eighteenth_birthday() {
        let p = Personnummer::parse(&with_check("080315123"), today()).unwrap();
        assert!(p.is_minor_on(day(2026, 3, 14)));
        assert!(!p.is_minor_on(day(2026, 3, 15)));
        assert!(!p.is_minor_on(day(2030, 1, 1)));
    }

    #[test]
    fn known_valid_number() {
        // The Tax Agency's published test-style number 811218-9876.
        let p = Personnummer::parse("811218-9876", today()).unwrap();
        assert_eq!(p.canonical(), "19811218-9876");
        assert_eq!(p.kind(), IdKind::Personnummer);
        assert_eq!(p.birth_date(), day(1981, 12, 18));
    }

    #[test]
    fn all_accepted_forms_agree() {
        let forms = [
            "811218-9876",
            "8112189876",
            "19811218-9876",
            "198112189876",
            " 811218-9876 ",
        ];
        for f in forms {
            assert_eq!(
                Personnummer::parse(f, today()).unwrap().canonical(),
                "19811218-9876",
                "{f}"
            );
        }
    }

    #[test]
    fn plus_means_a_hundred_years_or_more() {
        let n = with_check("201103123");
        let minus = Personnummer::parse(&format!("{}-{}", &n[..6], &n[6..]), today()).unwrap();
        let plus = Personnummer::parse(&format!("{}+{}", &n[..6], &n[6..]), today()).unwrap();
        assert_eq!(minus.birth_date(), day(2020, 11, 3));
        assert_eq!(plus.birth_date(), day(1920, 11, 3));
        assert!(plus.age_on(today()) >= 100);
    }

    #[test]
    fn century_is_not_put_in_the_future() {
        // Born 27 November: two days after "today" in 2026, so it must be 1926.
        let n = with_check("261127123");
        let p = Personnummer::parse(&n, today()).unwrap();
        assert_eq!(p.birth_date(), day(1926, 11, 27));
        // Born on "today" itself is 2026.
        let n = with_check("261125123");
        assert_eq!(
            Personnummer::parse(&n, today()).unwrap().birth_date(),
            day(2026, 11, 25)
        );
    }

    #[test]
    fn samordningsnummer_has_day_plus_sixty() {
        let n = with_check("701063123"); // 3 October 1970
        let p = Personnummer::parse(&n, today()).unwrap();
        assert_eq!(p.kind(), IdKind::Samordningsnummer);
        assert_eq!(p.birth_date(), day(1970, 10, 3));
        assert_eq!(p.canonical(), format!("19{}-{}", &n[..6], &n[6..]));
    }

    #[test]
    fn each_error_kind() {
        use PersonnummerError::*;
        assert_eq!(Personnummer::parse("", today()), Err(Empty));
        assert_eq!(Personnummer::parse("   ", today()), Err(Empty));
        assert_eq!(
            Personnummer::parse("81121a-9876", today()),
            Err(InvalidCharacters)
        );
        assert_eq!(
            Personnummer::parse("811218--9876", today()),
            Err(InvalidCharacters)
        );
        assert_eq!(
            Personnummer::parse("8112-189876", today()),
            Err(InvalidCharacters)
        );
        assert_eq!(Personnummer::parse("811218-987", today()), Err(WrongLength));
        assert_eq!(
            Personnummer::parse("811218-98765", today()),
            Err(WrongLength)
        );
        assert_eq!(
            Personnummer::parse(&with_check("811318123"), today()),
            Err(InvalidDate)
        );
        assert_eq!(
            Personnummer::parse(&with_check("810230123"), today()),
            Err(InvalidDate)
        );
        assert_eq!(
            Personnummer::parse(
                &format!("2027{}", with_check("270101123")[2..].to_owned()),
                today()
            ),
            Err(FutureDate)
        );
        assert_eq!(
            Personnummer::parse("811218-9877", today()),
            Err(ChecksumMismatch)
        );
    }

    #[test]
    fn every_error_has_a_message_id() {
        use PersonnummerError::*;
        for e in [
            Empty,
            InvalidCharacters,
            WrongLength,
            InvalidDate,
            FutureDate,
            ChecksumMismatch,
        ] {
            assert!(e.message_id().starts_with("pnr-error-"));
        }
    }

    #[test]
    fn debug_output_hides_the_number() {
        let p = Personnummer::parse("811218-9876", today()).unwrap();
        assert!(!format!("{p:?}").contains("9876"));
    }

    fn arb_birth() -> impl Strategy<Value = NaiveDate> {
        (1900i32..=2026, 1u32..=12, 1u32..=28)
            .prop_map(|(y, m, d)| day(y, m, d))
            .prop_filter("not after today", |d| *d <= today())
    }

    proptest! {
        #[test]
        fn twelve_digit_round_trip(birth in arb_birth(), serial in 0u32..1000, coord in any::<bool>()) {
            let dd = birth.day() + if coord { 60 } else { 0 };
            let nine = format!("{:02}{:02}{:02}{:03}", birth.year() % 100, birth.month(), dd, serial);
            let ten = with_check(&nine);
            let twelve = format!("{}{}", birth.year() / 100, ten);
            let p = Personnummer::parse(&twelve, today()).unwrap();
            prop_assert_eq!(p.birth_date(), birth);
            prop_assert_eq!(p.kind() == IdKind::Samordningsnummer, coord);
            prop_assert_eq!(p.canonical().replace('-', ""), twelve);
        }

        #[test]
        fn ten_digit_century_matches_age(birth in arb_birth(), serial in 0u32..1000) {
            let nine = format!("{:02}{:02}{:02}{:03}", birth.year() % 100, birth.month(), birth.day(), serial);
            let ten = with_check(&nine);
            let age = today().years_since(birth).unwrap();
            let sep = if age >= 100 { '+' } else { '-' };
            let p = Personnummer::parse(&format!("{}{}{}", &ten[..6], sep, &ten[6..]), today()).unwrap();
            prop_assert_eq!(p.birth_date(), birth);
        }

        #[test]
        fn any_single_digit_change_is_caught(birth in arb_birth(), serial in 0u32..1000, pos in 0usize..10, delta in 1u8..10) {
            let nine = format!("{:02}{:02}{:02}{:03}", birth.year() % 100, birth.month(), birth.day(), serial);
            let mut ten: Vec<u8> = with_check(&nine).bytes().collect();
            ten[pos] = b'0' + (ten[pos] - b'0' + delta) % 10;
            let s = String::from_utf8(ten).unwrap();
            // A changed digit either breaks the date or the check digit; it never passes as the same number.
            if let Ok(p) = Personnummer::parse(&format!("{}{}", birth.year() / 100, s), today()) {
                prop_assert_ne!(p.canonical().replace('-', "")[2..].to_owned(), with_check(&nine));
                prop_assert!(false, "a single changed digit passed the check");
            }
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,20}") {
            let _ = Personnummer::parse(&s, today());
        }
    }
}
