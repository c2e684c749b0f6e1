//! The appeal's state machine (FL 44-46 §§): a late appeal is excused or dismissed; an
//! admissible one is reconsidered, then (unless changed fully, which makes it lapse)
//! forwarded to the court, never before the reconsideration is recorded, then the court's
//! outcome recorded.

use super::{Reconsideration, Refusal};
use crate::calendar;
use crate::law::LawTable;
use chrono::NaiveDate;

wire_enum!(
    /// Where an appeal stands.
    AppealStatus {
        /// With the board: to be excused or dismissed if late, else reconsidered and forwarded.
        Waiting = "waiting",
        /// A late appeal dismissed by a separate decision.
        Dismissed = "dismissed",
        /// The board changed the decision as the party asked: nothing is left to appeal.
        Lapsed = "lapsed",
        /// With the court.
        Forwarded = "forwarded",
        /// The court has ruled.
        Settled = "settled",
    }
);

wire_enum!(
    /// A step of the appeal's handling.
    AppealAction {
        Exception = "exception",
        Dismiss = "dismiss",
        Reconsider = "reconsider",
        Forward = "forward",
        Court = "court",
    }
);

/// What is recorded about one appeal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AppealFacts {
    /// Received by the deadline the notice set.
    pub timely: bool,
    /// A late appeal examined anyway.
    pub excepted: bool,
    pub dismissed: bool,
    pub reconsideration: Option<Reconsideration>,
    pub forwarded: bool,
    /// The court's outcome is recorded.
    pub settled: bool,
}

impl AppealFacts {
    pub fn status(&self) -> AppealStatus {
        if self.settled {
            AppealStatus::Settled
        } else if self.forwarded {
            AppealStatus::Forwarded
        } else if self.dismissed {
            AppealStatus::Dismissed
        } else if self.reconsideration == Some(Reconsideration::ChangedFully) {
            AppealStatus::Lapsed
        } else {
            AppealStatus::Waiting
        }
    }

    /// Whether the board must examine it: timely, or excused.
    pub fn admissible(&self) -> bool {
        self.timely || self.excepted
    }

    /// Nothing more happens: dismissed, lapsed, or ruled on.
    pub fn closed(&self) -> bool {
        self.dismissed || self.status() == AppealStatus::Lapsed || self.settled
    }

    /// Whether a step may be taken now, in the order the law sets.
    pub fn may(&self, action: AppealAction) -> Result<(), Refusal> {
        let refusal = match action {
            AppealAction::Exception if self.timely => Some(Refusal::AppealNotLate),
            AppealAction::Exception if self.closed() || self.excepted => {
                Some(Refusal::AppealClosed)
            }
            AppealAction::Dismiss if self.admissible() => Some(Refusal::AppealNotLate),
            AppealAction::Dismiss if self.closed() => Some(Refusal::AppealClosed),
            AppealAction::Reconsider if !self.admissible() => Some(Refusal::AppealLate),
            AppealAction::Reconsider
                if self.closed() || self.reconsideration.is_some() || self.forwarded =>
            {
                Some(Refusal::AppealClosed)
            }
            AppealAction::Forward if !self.admissible() => Some(Refusal::AppealLate),
            AppealAction::Forward if self.forwarded => Some(Refusal::AlreadyForwarded),
            AppealAction::Forward if self.closed() => Some(Refusal::AppealClosed),
            AppealAction::Forward if self.reconsideration.is_none() => {
                Some(Refusal::NotReconsidered)
            }
            AppealAction::Court if !self.forwarded => Some(Refusal::NotForwarded),
            AppealAction::Court if self.settled => Some(Refusal::AppealClosed),
            _ => None,
        };
        refusal.map_or(Ok(()), Err)
    }

    /// The steps offered now: exactly those [`Self::may`] allows.
    pub fn next_steps(&self) -> Vec<AppealAction> {
        AppealAction::ALL
            .iter()
            .copied()
            .filter(|a| self.may(*a).is_ok())
            .collect()
    }

    /// The days an admissible appeal has waited with the board once that is longer than the
    /// law table's `appeal-forward-warning` period (46 §: pass it on without delay); `None`
    /// otherwise, or when the table has no such period.
    pub fn forward_overdue(
        &self,
        received_on: NaiveDate,
        law: &LawTable,
        today: NaiveDate,
    ) -> Option<i64> {
        let p = law.period("appeal-forward-warning", today)?;
        (self.status() == AppealStatus::Waiting
            && self.admissible()
            && calendar::add_period(received_on, p) < today)
            .then(|| (today - received_on).num_days())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use AppealAction::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn timely() -> AppealFacts {
        AppealFacts {
            timely: true,
            ..AppealFacts::default()
        }
    }

    #[test]
    fn status_follows_the_furthest_step() {
        let mut f = timely();
        assert_eq!(f.status(), AppealStatus::Waiting);
        f.reconsideration = Some(Reconsideration::ChangedPartly);
        assert_eq!(f.status(), AppealStatus::Waiting);
        f.reconsideration = Some(Reconsideration::ChangedFully);
        assert_eq!(f.status(), AppealStatus::Lapsed);
        assert!(f.closed());
        let mut f = timely();
        f.forwarded = true;
        assert_eq!(f.status(), AppealStatus::Forwarded);
        f.settled = true;
        assert_eq!(f.status(), AppealStatus::Settled);
        let late = AppealFacts {
            dismissed: true,
            ..AppealFacts::default()
        };
        assert_eq!(late.status(), AppealStatus::Dismissed);
        for s in AppealStatus::ALL {
            assert_eq!(AppealStatus::parse(s.as_str()), Some(*s));
        }
    }

    #[test]
    fn a_late_appeal_is_excused_or_dismissed_first() {
        let late = AppealFacts::default();
        assert_eq!(late.next_steps(), vec![Exception, Dismiss]);
        assert_eq!(late.may(Reconsider), Err(Refusal::AppealLate));
        assert_eq!(late.may(Forward), Err(Refusal::AppealLate));
        assert_eq!(late.may(Court), Err(Refusal::NotForwarded));
        let excused = AppealFacts {
            excepted: true,
            ..late
        };
        assert_eq!(excused.next_steps(), vec![Reconsider]);
        assert_eq!(excused.may(Exception), Err(Refusal::AppealClosed));
        assert_eq!(excused.may(Dismiss), Err(Refusal::AppealNotLate));
        let dismissed = AppealFacts {
            dismissed: true,
            ..late
        };
        assert!(dismissed.next_steps().is_empty());
        assert_eq!(dismissed.may(Dismiss), Err(Refusal::AppealClosed));
    }

    #[test]
    fn an_admissible_appeal_is_reconsidered_forwarded_and_ruled_on() {
        let f = timely();
        assert_eq!(f.next_steps(), vec![Reconsider]);
        assert_eq!(f.may(Exception), Err(Refusal::AppealNotLate));
        // The case-work review: forwarded in one click, with no reconsideration recorded.
        assert_eq!(f.may(Forward), Err(Refusal::NotReconsidered));
        let partly = AppealFacts {
            reconsideration: Some(Reconsideration::Unchanged),
            ..f
        };
        assert_eq!(partly.next_steps(), vec![Forward]);
        let lapsed = AppealFacts {
            reconsideration: Some(Reconsideration::ChangedFully),
            ..f
        };
        assert!(lapsed.next_steps().is_empty());
        assert_eq!(lapsed.may(Forward), Err(Refusal::AppealClosed));
        let forwarded = AppealFacts {
            forwarded: true,
            ..f
        };
        assert_eq!(forwarded.next_steps(), vec![Court]);
        assert_eq!(forwarded.may(Forward), Err(Refusal::AlreadyForwarded));
        assert_eq!(forwarded.may(Reconsider), Err(Refusal::AppealClosed));
        let settled = AppealFacts {
            settled: true,
            ..forwarded
        };
        assert!(settled.next_steps().is_empty());
        assert_eq!(settled.may(Court), Err(Refusal::AppealClosed));
    }

    #[test]
    fn the_forward_warning_comes_from_the_law_table() {
        let law = LawTable::shipped().unwrap();
        let received = d("2026-03-02");
        // Seven days in the shipped table: the eighth day warns.
        assert_eq!(
            timely().forward_overdue(received, &law, d("2026-03-09")),
            None
        );
        assert_eq!(
            timely().forward_overdue(received, &law, d("2026-03-10")),
            Some(8)
        );
        let forwarded = AppealFacts {
            forwarded: true,
            ..timely()
        };
        assert_eq!(
            forwarded.forward_overdue(received, &law, d("2026-04-10")),
            None
        );
        let late = AppealFacts::default();
        assert_eq!(late.forward_overdue(received, &law, d("2026-04-10")), None);
        // No period in the table, no warning: no number is made up here.
        assert_eq!(
            timely().forward_overdue(received, &LawTable::default(), d("2026-04-10")),
            None
        );
    }
}
