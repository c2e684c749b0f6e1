//! Time is passed in, so deadline rules can be tested on fixed dates.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;

    /// Today's date in Sweden (Europe/Stockholm).
    fn today(&self) -> NaiveDate {
        stockholm_date(self.now())
    }
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that always says the same time, for tests.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// The real clock moved by a fixed amount: a demo or training installation can start on a
/// chosen day and live through deadlines (the appeal clock, three months) in one session.
/// Never used by a real installation: the CLI allows it only with `--demo`.
#[derive(Debug, Clone, Copy)]
pub struct ShiftedClock(pub Duration);

impl ShiftedClock {
    /// A clock whose today is `today`, at the real time of day.
    pub fn starting(today: NaiveDate) -> Self {
        let real = stockholm_date(Utc::now());
        Self(Duration::days((today - real).num_days()))
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.0
    }
}

fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let mut d = NaiveDate::from_ymd_opt(year, month + 1, 1)
        .map(|d| d - Duration::days(1))
        .unwrap_or_default();
    while d.weekday() != Weekday::Sun {
        d -= Duration::days(1);
    }
    d
}

/// Sweden's offset from UTC: +2 h in summer time (last Sunday of March 01:00 UTC to last Sunday
/// of October 01:00 UTC, the EU rule), +1 h otherwise.
pub fn stockholm_offset_hours(t: DateTime<Utc>) -> i64 {
    let y = t.year();
    let start = Utc.from_utc_datetime(&last_sunday(y, 3).and_hms_opt(1, 0, 0).unwrap_or_default());
    let end = Utc.from_utc_datetime(&last_sunday(y, 10).and_hms_opt(1, 0, 0).unwrap_or_default());
    if t >= start && t < end {
        2
    } else {
        1
    }
}

pub fn stockholm_date(t: DateTime<Utc>) -> NaiveDate {
    (t + Duration::hours(stockholm_offset_hours(t))).date_naive()
}

/// The wall-clock time in Sweden.
pub fn stockholm_local(t: DateTime<Utc>) -> chrono::NaiveDateTime {
    t.naive_utc() + Duration::hours(stockholm_offset_hours(t))
}

/// The moment a Swedish wall-clock time names. In the hour skipped in spring it is read as
/// summer time; in the hour repeated in autumn, as the first (summer-time) one.
pub fn from_stockholm(local: chrono::NaiveDateTime) -> DateTime<Utc> {
    let summer = Utc.from_utc_datetime(&(local - Duration::hours(2)));
    if stockholm_offset_hours(summer) == 2 {
        summer
    } else {
        Utc.from_utc_datetime(&(local - Duration::hours(1)))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn local_time_round_trips_in_winter_and_summer() {
        use chrono::NaiveDateTime;
        for s in [
            "2026-12-08 18:00",
            "2026-06-20 09:30",
            "2026-03-29 03:30",
            "2026-10-25 04:00",
        ] {
            let local = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
            assert_eq!(stockholm_local(from_stockholm(local)), local, "{s}");
        }
        let winter = NaiveDateTime::parse_from_str("2026-12-08 18:00", "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(from_stockholm(winter).format("%H:%M").to_string(), "17:00");
    }

    use super::*;

    #[test]
    fn summer_and_winter_offsets() {
        let winter = Utc.with_ymd_and_hms(2026, 1, 10, 12, 0, 0).unwrap();
        let summer = Utc.with_ymd_and_hms(2026, 7, 10, 12, 0, 0).unwrap();
        assert_eq!(stockholm_offset_hours(winter), 1);
        assert_eq!(stockholm_offset_hours(summer), 2);
        // 2026-03-29 is the last Sunday of March: summer time from 01:00 UTC.
        let before = Utc.with_ymd_and_hms(2026, 3, 29, 0, 59, 0).unwrap();
        let after = Utc.with_ymd_and_hms(2026, 3, 29, 1, 0, 0).unwrap();
        assert_eq!(stockholm_offset_hours(before), 1);
        assert_eq!(stockholm_offset_hours(after), 2);
    }

    #[test]
    fn date_turns_at_swedish_midnight() {
        let t = Utc.with_ymd_and_hms(2026, 11, 24, 23, 30, 0).unwrap();
        assert_eq!(
            stockholm_date(t),
            NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
        );
        assert_eq!(
            FixedClock(t).today(),
            NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
        );
    }
}
