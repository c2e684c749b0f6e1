//! The deadline watch: what each clock of an open assessed case asks of the officer, and
//! whether it is late. The store lists the items; the periods come from the law table.

use crate::calendar;
use crate::law::LawTable;
use chrono::NaiveDate;

wire_enum!(
    /// What is due.
    WatchKind {
        /// An undecided application by age: the delay notice of FL 11 § is due.
        CaseAge = "case-age",
        /// The party asked for a decision (FL 12 §): decide or refuse by the date.
        DecisionRequest = "decision-request",
        /// Kommunicering awaiting an answer.
        Communication = "communication",
        /// A decision whose notice is not recorded.
        Notice = "notice",
        /// A notice by post whose day of receipt is presumed: confirm the real day when known.
        ReceiptPresumed = "receipt-presumed",
        /// An admissible appeal still with the board.
        AppealWaiting = "appeal-waiting",
        /// A late appeal to excuse or dismiss.
        AppealLate = "appeal-late",
        FollowUp = "follow-up",
        /// A granted decision not started.
        NotStarted = "not-started",
    }
);

/// How far ahead a follow-up is shown: about a month, time enough to book the meeting,
/// without filling the list with follow-ups half a year away.
pub const FOLLOW_UP_HORIZON_DAYS: i64 = 30;

/// One clock as the store read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WatchFacts {
    pub kind: WatchKind,
    /// The date the clock runs from.
    pub since: NaiveDate,
    /// The date set for it, if any; for [`WatchKind::CaseAge`] the day the last delay notice
    /// was sent.
    pub due: Option<NaiveDate>,
}

/// What the watch shows for one clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WatchItem {
    pub due: Option<NaiveDate>,
    pub late: bool,
}

/// Whether a clock is shown, with the day it is due and whether that day has passed. A
/// follow-up further away than [`FOLLOW_UP_HORIZON_DAYS`] is not shown yet.
pub fn classify(f: &WatchFacts, law: &LawTable, today: NaiveDate) -> Option<WatchItem> {
    let by = |code: &str| {
        law.period(code, today)
            .map(|p| calendar::add_period(f.since, p))
    };
    let passed = |d: Option<NaiveDate>| d.is_some_and(|d| today > d);
    let item = match f.kind {
        // Late if no delay notice was sent by the time the warning is due.
        WatchKind::CaseAge => {
            let warn = by("delay-warning");
            WatchItem {
                due: warn,
                late: f.due.is_none() && passed(warn),
            }
        }
        WatchKind::AppealWaiting => {
            let due = by("appeal-forward-warning");
            WatchItem {
                due,
                late: passed(due),
            }
        }
        WatchKind::NotStarted => {
            let due = by("not-executed");
            WatchItem {
                due,
                late: passed(due),
            }
        }
        WatchKind::FollowUp => {
            let horizon = today + chrono::Duration::days(FOLLOW_UP_HORIZON_DAYS);
            if f.due.is_some_and(|d| d > horizon) {
                return None;
            }
            WatchItem {
                due: f.due,
                late: passed(f.due),
            }
        }
        // The presumption holds in law: a reminder to confirm, never late.
        WatchKind::ReceiptPresumed => WatchItem {
            due: f.due,
            late: false,
        },
        // It should have been excused or dismissed already.
        WatchKind::AppealLate => WatchItem {
            due: None,
            late: true,
        },
        WatchKind::DecisionRequest | WatchKind::Communication | WatchKind::Notice => WatchItem {
            due: f.due,
            late: passed(f.due),
        },
    };
    Some(item)
}

/// The cases a watch names, each once (for the audit row).
pub fn cases_named(case_ids: impl IntoIterator<Item = i64>) -> Vec<i64> {
    let mut ids: Vec<i64> = case_ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn law() -> LawTable {
        LawTable::shipped().unwrap()
    }

    fn at(kind: WatchKind, since: &str, due: Option<&str>, today: &str) -> Option<WatchItem> {
        let f = WatchFacts {
            kind,
            since: d(since),
            due: due.map(d),
        };
        classify(&f, &law(), d(today))
    }

    fn item(due: Option<&str>, late: bool) -> Option<WatchItem> {
        Some(WatchItem {
            due: due.map(d),
            late,
        })
    }

    #[test]
    fn case_age_is_late_after_four_months_without_a_delay_notice() {
        use WatchKind::CaseAge;
        assert_eq!(
            at(CaseAge, "2026-01-15", None, "2026-05-15"),
            item(Some("2026-05-15"), false)
        );
        assert_eq!(
            at(CaseAge, "2026-01-15", None, "2026-05-16"),
            item(Some("2026-05-15"), true)
        );
        assert_eq!(
            at(CaseAge, "2026-01-15", Some("2026-05-01"), "2026-06-01"),
            item(Some("2026-05-15"), false)
        );
    }

    #[test]
    fn an_appeal_waits_a_week_at_most() {
        use WatchKind::AppealWaiting;
        assert_eq!(
            at(AppealWaiting, "2026-03-02", None, "2026-03-09"),
            item(Some("2026-03-09"), false)
        );
        assert_eq!(
            at(AppealWaiting, "2026-03-02", None, "2026-03-10"),
            item(Some("2026-03-09"), true)
        );
    }

    #[test]
    fn a_late_appeal_is_always_late() {
        assert_eq!(
            at(
                WatchKind::AppealLate,
                "2026-03-02",
                Some("2026-02-20"),
                "2026-03-02"
            ),
            item(None, true)
        );
    }

    #[test]
    fn a_granted_decision_not_started_is_late_after_three_months() {
        use WatchKind::NotStarted;
        assert_eq!(
            at(NotStarted, "2026-02-10", None, "2026-05-10"),
            item(Some("2026-05-10"), false)
        );
        assert_eq!(
            at(NotStarted, "2026-02-10", None, "2026-05-11"),
            item(Some("2026-05-10"), true)
        );
    }

    #[test]
    fn a_follow_up_shows_within_the_horizon() {
        use WatchKind::FollowUp;
        assert_eq!(
            at(FollowUp, "2026-01-01", Some("2026-07-02"), "2026-06-01"),
            None
        );
        assert_eq!(
            at(FollowUp, "2026-01-01", Some("2026-07-01"), "2026-06-01"),
            item(Some("2026-07-01"), false)
        );
        assert_eq!(
            at(FollowUp, "2026-01-01", Some("2026-05-31"), "2026-06-01"),
            item(Some("2026-05-31"), true)
        );
    }

    #[test]
    fn a_presumed_day_of_receipt_is_shown_and_never_late() {
        assert_eq!(
            at(
                WatchKind::ReceiptPresumed,
                "2026-03-01",
                Some("2026-03-03"),
                "2026-04-01"
            ),
            item(Some("2026-03-03"), false)
        );
    }

    #[test]
    fn the_others_are_late_after_their_own_date() {
        for kind in [
            WatchKind::DecisionRequest,
            WatchKind::Communication,
            WatchKind::Notice,
        ] {
            assert_eq!(
                at(kind, "2026-03-01", Some("2026-03-15"), "2026-03-15"),
                item(Some("2026-03-15"), false)
            );
            assert_eq!(
                at(kind, "2026-03-01", Some("2026-03-15"), "2026-03-16"),
                item(Some("2026-03-15"), true)
            );
            assert_eq!(
                at(kind, "2026-03-01", None, "2027-01-01"),
                item(None, false)
            );
        }
    }

    #[test]
    fn a_case_is_named_once_however_its_lines_are_ordered() {
        // Sorted by lateness, one case's lines need not be next to each other; a plain
        // `dedup` named case 7 twice here.
        assert_eq!(cases_named([7, 3, 7, 3, 9]), vec![3, 7, 9]);
        assert!(cases_named([]).is_empty());
    }
}
