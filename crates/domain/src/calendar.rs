//! Swedish calendar rules: public holidays and statutory deadlines (lag 1930:173).
//!
//! Holidays follow lag (1989:253) om allmänna helgdagar as in force since 2005 (Sveriges
//! nationaldag a holiday, annandag pingst not). Every function is total: no date input panics.

use chrono::{Datelike, Months, NaiveDate, Weekday};

use crate::law::{Period, PeriodUnit};

/// Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm).
///
/// Outside chrono's range of years (about ±262,000) there is no date to return; the nearest
/// representable date is returned instead so the function stays infallible.
pub fn easter_sunday(year: i32) -> NaiveDate {
    // i64 and Euclidean division keep the arithmetic exact for every i32, negative years too.
    let y = i64::from(year);
    let a = y.rem_euclid(19);
    let b = y.div_euclid(100);
    let c = y.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let n = h + l - 7 * m + 114;
    // n / 31 is 3 or 4 and n % 31 + 1 is 1..=31, so the casts cannot truncate.
    let (month, day) = ((n / 31) as u32, (n % 31 + 1) as u32);
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(if year > 0 {
        NaiveDate::MAX
    } else {
        NaiveDate::MIN
    })
}

/// The Swedish name of the public holiday on `d`, if any. Ordinary Sundays are holidays by law
/// too but have no name of their own; `is_closed_day` covers them.
pub fn public_holiday(d: NaiveDate) -> Option<&'static str> {
    let saturday = d.weekday() == Weekday::Sat;
    let fixed = match (d.month(), d.day()) {
        (1, 1) => Some("nyårsdagen"),
        (1, 6) => Some("trettondedag jul"),
        (5, 1) => Some("första maj"),
        (6, 6) => Some("Sveriges nationaldag"),
        (6, 20..=26) if saturday => Some("midsommardagen"),
        (10, 31) | (11, 1..=6) if saturday => Some("alla helgons dag"),
        (12, 25) => Some("juldagen"),
        (12, 26) => Some("annandag jul"),
        _ => None,
    };
    fixed.or_else(|| match (d - easter_sunday(d.year())).num_days() {
        -2 => Some("långfredagen"),
        0 => Some("påskdagen"),
        1 => Some("annandag påsk"),
        39 => Some("Kristi himmelsfärdsdag"),
        49 => Some("pingstdagen"),
        _ => None,
    })
}

/// The days lag (1930:173) om beräkning av lagstadgad tid treats like holidays although they
/// are not public holidays.
pub fn deadline_day(d: NaiveDate) -> Option<&'static str> {
    match (d.month(), d.day()) {
        (6, 19..=25) if d.weekday() == Weekday::Fri => Some("midsommarafton"),
        (12, 24) => Some("julafton"),
        (12, 31) => Some("nyårsafton"),
        _ => None,
    }
}

/// A day on which a statutory deadline cannot end: a weekend, a public holiday, midsommarafton,
/// julafton or nyårsafton.
pub fn is_closed_day(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
        || public_holiday(d).is_some()
        || deadline_day(d).is_some()
}

/// `d` if it is open, else the first open day after it.
pub fn next_open_day(d: NaiveDate) -> NaiveDate {
    // The longest closed run is five days (Saturday to annandag jul when julafton is a Monday);
    // the bound only guards the loop, and the end of chrono's range stops it too.
    let mut day = d;
    for _ in 0..14 {
        if !is_closed_day(day) {
            return day;
        }
        match day.succ_opt() {
            Some(next) => day = next,
            None => return day,
        }
    }
    day
}

/// `start` plus the period, not moved: weeks are 7 days; months clamp to the end of a shorter
/// month (30 November + 3 months is 28 February). Past chrono's last date it returns that date.
pub fn add_period(start: NaiveDate, period: &Period) -> NaiveDate {
    let amount = u64::from(period.amount);
    let end = match period.unit {
        PeriodUnit::Days => start.checked_add_days(chrono::Days::new(amount)),
        PeriodUnit::Weeks => start.checked_add_days(chrono::Days::new(7 * amount)),
        PeriodUnit::Months => start.checked_add_months(Months::new(period.amount)),
    };
    end.unwrap_or(NaiveDate::MAX)
}

/// The last day of a deadline a party must meet (e.g. the appeal time, counted from the day the
/// party received the decision): the raw end, moved to the next open day per lag (1930:173).
pub fn statutory_deadline(start: NaiveDate, period: &Period) -> NaiveDate {
    next_open_day(add_period(start, period))
}

/// The first and last day of a quarter written "2026Q3" (or "2026q3").
pub fn quarter(s: &str) -> Option<(NaiveDate, NaiveDate)> {
    let b = s.as_bytes();
    if b.len() != 6 || !b[..4].iter().all(u8::is_ascii_digit) || !matches!(b[4], b'Q' | b'q') {
        return None;
    }
    let year: i32 = s.get(..4)?.parse().ok()?;
    let (first_month, last_month, last_day) = match b[5] {
        b'1' => (1, 3, 31),
        b'2' => (4, 6, 30),
        b'3' => (7, 9, 30),
        b'4' => (10, 12, 31),
        _ => return None,
    };
    Some((
        NaiveDate::from_ymd_opt(year, first_month, 1)?,
        NaiveDate::from_ymd_opt(year, last_month, last_day)?,
    ))
}

/// The quarter `d` falls in, written as `quarter` parses it ("2026Q3").
pub fn quarter_of(d: NaiveDate) -> String {
    format!("{:04}Q{}", d.year(), d.month0() / 3 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn period(amount: u32, unit: PeriodUnit) -> Period {
        Period {
            code: "test".into(),
            title: "test".into(),
            amount,
            unit,
            reference: "test".into(),
            valid_from: d(2000, 1, 1),
            valid_to: None,
        }
    }

    fn weeks(n: u32) -> Period {
        period(n, PeriodUnit::Weeks)
    }

    #[test]
    fn easter_sundays() {
        for (y, m, day) in [
            (1818, 3, 22), // earliest possible
            (1943, 4, 25), // latest possible
            (2000, 4, 23),
            (2019, 4, 21),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2028, 4, 16),
            (2038, 4, 25),
            (2285, 3, 22),
        ] {
            assert_eq!(easter_sunday(y), d(y, m, day), "{y}");
        }
    }

    #[test]
    fn easter_outside_chrono_range_does_not_panic() {
        assert_eq!(easter_sunday(i32::MAX), NaiveDate::MAX);
        assert_eq!(easter_sunday(i32::MIN), NaiveDate::MIN);
        for y in [-4000, -1, 0, 1, 9999] {
            assert_eq!(easter_sunday(y).weekday(), Weekday::Sun, "{y}");
        }
    }

    #[test]
    fn holidays_and_closed_days() {
        // (date, public holiday, deadline day, closed)
        let table: &[(NaiveDate, Option<&str>, Option<&str>, bool)] = &[
            (d(2026, 1, 1), Some("nyårsdagen"), None, true),
            (d(2026, 1, 6), Some("trettondedag jul"), None, true),
            (d(2026, 1, 7), None, None, false),
            (d(2026, 3, 14), None, None, true), // Saturday
            (d(2026, 3, 15), None, None, true), // Sunday
            (d(2026, 3, 16), None, None, false),
            (d(2024, 3, 29), Some("långfredagen"), None, true),
            (d(2024, 4, 1), Some("annandag påsk"), None, true),
            (d(2025, 4, 18), Some("långfredagen"), None, true),
            (d(2025, 4, 21), Some("annandag påsk"), None, true),
            (d(2026, 4, 3), Some("långfredagen"), None, true),
            (d(2026, 4, 4), None, None, true), // påskafton: a Saturday, not a holiday
            (d(2026, 4, 5), Some("påskdagen"), None, true),
            (d(2026, 4, 6), Some("annandag påsk"), None, true),
            (d(2026, 4, 7), None, None, false),
            (d(2027, 3, 26), Some("långfredagen"), None, true),
            (d(2027, 3, 29), Some("annandag påsk"), None, true),
            (d(2028, 4, 14), Some("långfredagen"), None, true),
            (d(2028, 4, 17), Some("annandag påsk"), None, true),
            (d(2038, 4, 23), Some("långfredagen"), None, true),
            (d(2038, 4, 26), Some("annandag påsk"), None, true),
            (d(2026, 5, 1), Some("första maj"), None, true),
            (d(2026, 5, 14), Some("Kristi himmelsfärdsdag"), None, true),
            (d(2026, 5, 15), None, None, false),
            (d(2026, 5, 24), Some("pingstdagen"), None, true),
            (d(2026, 5, 25), None, None, false), // annandag pingst: no holiday since 2005
            (d(2025, 6, 6), Some("Sveriges nationaldag"), None, true), // Friday
            (d(2026, 6, 6), Some("Sveriges nationaldag"), None, true), // Saturday
            (d(2026, 6, 18), None, None, false),
            (d(2026, 6, 19), None, Some("midsommarafton"), true),
            (d(2026, 6, 20), Some("midsommardagen"), None, true),
            (d(2026, 6, 26), None, None, false), // a Friday, but not midsommarafton this year
            (d(2026, 6, 27), None, None, true),  // a Saturday, not midsommardagen
            (d(2027, 6, 25), None, Some("midsommarafton"), true),
            (d(2027, 6, 26), Some("midsommardagen"), None, true),
            (d(2026, 10, 31), Some("alla helgons dag"), None, true),
            (d(2027, 11, 6), Some("alla helgons dag"), None, true),
            (d(2027, 10, 30), None, None, true), // Saturday before the range
            (d(2026, 12, 23), None, None, false),
            (d(2026, 12, 24), None, Some("julafton"), true),
            (d(2026, 12, 25), Some("juldagen"), None, true),
            (d(2026, 12, 26), Some("annandag jul"), None, true),
            (d(2026, 12, 28), None, None, false),
            (d(2026, 12, 31), None, Some("nyårsafton"), true),
        ];
        for &(date, holiday, deadline, closed) in table {
            assert_eq!(public_holiday(date), holiday, "{date}");
            assert_eq!(deadline_day(date), deadline, "{date}");
            assert_eq!(is_closed_day(date), closed, "{date}");
        }
    }

    #[test]
    fn appeal_deadlines() {
        let appeal = weeks(3);
        for (received, raw, deadline) in [
            // A Thursday: stays.
            (d(2026, 11, 26), d(2026, 12, 17), d(2026, 12, 17)),
            // Julafton, juldagen, annandag jul, Sunday.
            (d(2026, 12, 3), d(2026, 12, 24), d(2026, 12, 28)),
            // Midsommarafton, midsommardagen, Sunday.
            (d(2026, 5, 29), d(2026, 6, 19), d(2026, 6, 22)),
            // Långfredagen to annandag påsk.
            (d(2026, 3, 13), d(2026, 4, 3), d(2026, 4, 7)),
            // A Saturday moves to Monday.
            (d(2026, 9, 5), d(2026, 9, 26), d(2026, 9, 28)),
            // Nyårsafton, nyårsdagen, weekend.
            (d(2026, 12, 10), d(2026, 12, 31), d(2027, 1, 4)),
        ] {
            assert_eq!(add_period(received, &appeal), raw, "{received}");
            assert_eq!(
                statutory_deadline(received, &appeal),
                deadline,
                "{received}"
            );
        }
    }

    #[test]
    fn appeal_deadline_from_the_shipped_law_table() {
        let table = crate::law::LawTable::shipped().unwrap();
        let received = d(2026, 12, 3);
        let appeal = table.period("appeal", received).unwrap();
        assert_eq!(statutory_deadline(received, appeal), d(2026, 12, 28));
    }

    #[test]
    fn periods_in_days_and_months() {
        let months = |n| period(n, PeriodUnit::Months);
        assert_eq!(add_period(d(2026, 11, 30), &months(3)), d(2027, 2, 28));
        assert_eq!(add_period(d(2026, 1, 31), &months(1)), d(2026, 2, 28));
        assert_eq!(add_period(d(2027, 12, 31), &months(2)), d(2028, 2, 29));
        assert_eq!(add_period(d(2026, 3, 15), &months(6)), d(2026, 9, 15));
        assert_eq!(
            add_period(d(2026, 12, 20), &period(14, PeriodUnit::Days)),
            d(2027, 1, 3)
        );
        assert_eq!(add_period(d(2026, 5, 5), &weeks(0)), d(2026, 5, 5));
        // Past chrono's range: the last date, not a panic.
        assert_eq!(
            add_period(NaiveDate::MAX, &period(1, PeriodUnit::Days)),
            NaiveDate::MAX
        );
        assert_eq!(
            statutory_deadline(NaiveDate::MAX, &months(u32::MAX)),
            NaiveDate::MAX
        );
    }

    #[test]
    fn the_longest_closed_run_is_five_days() {
        let mut day = d(1900, 1, 1);
        let (mut run, mut longest) = (0, 0);
        while day < d(2200, 1, 1) {
            run = if is_closed_day(day) { run + 1 } else { 0 };
            longest = longest.max(run);
            day = day.succ_opt().unwrap();
        }
        assert_eq!(longest, 5);
        // Julafton on a Monday: Saturday 22 to Wednesday 26 December.
        assert_eq!(next_open_day(d(2029, 12, 22)), d(2029, 12, 27));
    }

    #[test]
    fn quarters() {
        assert_eq!(quarter("2026Q3"), Some((d(2026, 7, 1), d(2026, 9, 30))));
        assert_eq!(quarter("2026q1"), Some((d(2026, 1, 1), d(2026, 3, 31))));
        assert_eq!(quarter("2026Q2"), Some((d(2026, 4, 1), d(2026, 6, 30))));
        assert_eq!(quarter("2026Q4"), Some((d(2026, 10, 1), d(2026, 12, 31))));
        for bad in [
            "2026Q5", "2026Q0", "26Q1", "", "2026", "2026Q", "2026Q12", " 2026Q1", "2026-Q1",
            "+026Q1", "2026Ö1", "２026Q1",
        ] {
            assert_eq!(quarter(bad), None, "{bad:?}");
        }
        assert_eq!(quarter_of(d(2026, 1, 1)), "2026Q1");
        assert_eq!(quarter_of(d(2026, 6, 30)), "2026Q2");
        assert_eq!(quarter_of(d(2026, 7, 1)), "2026Q3");
        assert_eq!(quarter_of(d(2026, 12, 31)), "2026Q4");
    }

    fn arb_period() -> impl Strategy<Value = Period> {
        (
            0u32..=400,
            prop_oneof![
                Just(PeriodUnit::Days),
                Just(PeriodUnit::Weeks),
                Just(PeriodUnit::Months)
            ],
        )
            .prop_map(|(n, unit)| period(n, unit))
    }

    proptest! {
        #[test]
        fn deadline_is_open_and_at_most_five_days_late(
            offset in 0u64..(300 * 366),
            p in arb_period(),
        ) {
            let start = d(1900, 1, 1) + chrono::Days::new(offset);
            let raw = add_period(start, &p);
            let deadline = statutory_deadline(start, &p);
            prop_assert!(!is_closed_day(deadline));
            prop_assert!((0..=5).contains(&(deadline - raw).num_days()));
        }

        #[test]
        fn quarter_round_trip(offset in 0u64..(300 * 366)) {
            let day = d(1900, 1, 1) + chrono::Days::new(offset);
            let (first, last) = quarter(&quarter_of(day)).unwrap();
            prop_assert!(first <= day && day <= last);
        }
    }
}
