//! The order of the steps of assessed support, as pure functions over the facts the store
//! reads inside the step's own transaction (ADR 10): the store loads, asks here, then writes
//! what comes back. A refusal is a value; how it is shown is the web's business.

use super::NewDecision;
use crate::case::{CaseStatus, Cause};
use crate::catalogue::Track;
use chrono::NaiveDate;

/// Why a step was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Refusal {
    NotFound,
    /// Kommunicering is still open (its deadline has not passed and no answer has come).
    CommunicationPending,
    /// A decision that is not fully favourable needs kommunicering, or a recorded reason why
    /// it was not needed.
    CommunicationMissing,
    NoticeAlreadyRecorded,
    NoNotice,
    AppealBeforeNotice,
    AppealNotLate,
    AppealLate,
    AppealClosed,
    NotForwarded,
    AlreadyForwarded,
    NotGranted,
    AlreadyOrdered,
    NotOrdered,
    AlreadyStarted,
    NotRunning,
    NotInterrupted,
    AlreadyEnded,
    BeforeDecision,
    DecisionRequestTooEarly,
    DecisionRequestAgain,
    AlreadyWithdrawn,
    AlreadyAnswered,
    UnknownInsats,
    /// Granting respite, växelvård or day activity needs the care recipient's consent.
    ConsentMissing,
    /// An admissible appeal goes to the court only after the board has reconsidered the
    /// decision (FL 39 and 46 §§).
    NotReconsidered,
}

impl Refusal {
    /// Every refusal, for tests that check each has a message.
    pub const ALL: &'static [Refusal] = &[
        Refusal::NotFound,
        Refusal::CommunicationPending,
        Refusal::CommunicationMissing,
        Refusal::NoticeAlreadyRecorded,
        Refusal::NoNotice,
        Refusal::AppealBeforeNotice,
        Refusal::AppealNotLate,
        Refusal::AppealLate,
        Refusal::AppealClosed,
        Refusal::NotForwarded,
        Refusal::AlreadyForwarded,
        Refusal::NotGranted,
        Refusal::AlreadyOrdered,
        Refusal::NotOrdered,
        Refusal::AlreadyStarted,
        Refusal::NotRunning,
        Refusal::NotInterrupted,
        Refusal::AlreadyEnded,
        Refusal::BeforeDecision,
        Refusal::DecisionRequestTooEarly,
        Refusal::DecisionRequestAgain,
        Refusal::AlreadyWithdrawn,
        Refusal::AlreadyAnswered,
        Refusal::UnknownInsats,
        Refusal::ConsentMissing,
        Refusal::NotReconsidered,
    ];
}

/// The applied insats a decision answers, as stored with the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedInsats {
    pub title: String,
    pub catalogue_slug: Option<String>,
    /// The catalogue track's wire name ("assessed_sol", "assessed_lss", ...).
    pub track: String,
    pub legal_ref: Option<String>,
    /// Respite, växelvård and day activity need the care recipient's consent.
    pub consent_required: bool,
}

/// Which applied insats the decision names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// None: the officer names an insats of their own.
    NotNamed,
    /// One was named but is not on this case.
    Unknown,
    Found(AppliedInsats),
}

/// What the store read about the case inside the decision's transaction. The counts are as
/// of the decision date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionFacts {
    pub status: CaseStatus,
    /// The day the application arrived.
    pub received_on: Option<NaiveDate>,
    pub applied: Applied,
    /// Consents to respite given by the decision date and not withdrawn.
    pub respite_consents: i64,
    /// Kommunicering neither answered nor past its deadline.
    pub communications_open: i64,
    /// Kommunicering answered or past its deadline.
    pub communications_done: i64,
}

/// What the officer asks for, beyond the validated decision itself.
#[derive(Debug, Clone, Copy)]
pub struct DecisionAsk<'a> {
    pub decision: &'a NewDecision,
    /// The officer's own wording of the insats; replaces the applied title.
    pub insats: Option<&'a str>,
    /// A law-table code chosen by the officer.
    pub legal_ref: Option<&'a str>,
    /// A recorded reason why kommunicering was not needed.
    pub communication_waived: bool,
    /// The follow-up date proposed for a decision that grants something.
    pub follow_up_on: Option<NaiveDate>,
}

/// What the store writes for an allowed decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionEffects {
    pub title: String,
    pub catalogue_slug: Option<String>,
    pub track: String,
    pub legal_ref: String,
    pub citation: String,
    /// Only a decision that grants something is followed up.
    pub follow_up_on: Option<NaiveDate>,
    /// The case's status move, if the decision moves it.
    pub status_move: Option<(CaseStatus, CaseStatus)>,
}

/// The legal basis when neither the officer nor the applied insats names one.
pub fn default_legal_ref(track: &str) -> &'static str {
    if Track::parse(track) == Some(Track::AssessedLss) {
        "lss"
    } else {
        "sol-bistand"
    }
}

/// Whether a decision may be registered, and what it writes. Respite needs consent; a
/// decision not fully favourable needs kommunicering answered or past its deadline, or a
/// reason why none was needed (FL 25 §); nothing is decided before the application arrived.
/// `cite` gives a legal basis' citation on a date (from the law table), `None` for an
/// unknown code.
pub fn may_decide(
    facts: &DecisionFacts,
    ask: &DecisionAsk<'_>,
    cite: impl Fn(&str, NaiveDate) -> Option<String>,
) -> Result<DecisionEffects, Refusal> {
    let d = ask.decision;
    let own = ask.insats.map(str::to_owned);
    let (title, catalogue_slug, track, default_ref, consent_required) = match &facts.applied {
        Applied::Found(a) => (
            own.unwrap_or_else(|| a.title.clone()),
            a.catalogue_slug.clone(),
            a.track.clone(),
            a.legal_ref.clone(),
            a.consent_required,
        ),
        Applied::Unknown => return Err(Refusal::UnknownInsats),
        Applied::NotNamed => match own {
            Some(own) => (own, None, "free".to_owned(), None, false),
            None => return Err(Refusal::UnknownInsats),
        },
    };
    if consent_required && d.outcome.grants() && facts.respite_consents == 0 {
        return Err(Refusal::ConsentMissing);
    }
    let legal_ref = ask
        .legal_ref
        .map(str::to_owned)
        .or(default_ref)
        .unwrap_or_else(|| default_legal_ref(&track).to_owned());
    let citation = cite(&legal_ref, d.decided_on).ok_or(Refusal::UnknownInsats)?;
    if d.outcome != super::Outcome::Granted && !ask.communication_waived {
        if facts.communications_open > 0 {
            return Err(Refusal::CommunicationPending);
        }
        if facts.communications_done == 0 {
            return Err(Refusal::CommunicationMissing);
        }
    }
    if facts.received_on.is_some_and(|r| d.decided_on < r) {
        return Err(Refusal::BeforeDecision);
    }
    Ok(DecisionEffects {
        title,
        catalogue_slug,
        track,
        legal_ref,
        citation,
        follow_up_on: ask.follow_up_on.filter(|_| d.outcome.grants()),
        status_move: facts
            .status
            .after(Cause::Decision)
            .map(|to| (facts.status, to)),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::assessed::{Outcome, Scope};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn decision(outcome: Outcome) -> NewDecision {
        NewDecision {
            outcome,
            scope: Scope::default(),
            reasons: "Behovet är utrett.".into(),
            decided_on: d("2026-03-10"),
        }
    }

    fn facts(applied: Applied) -> DecisionFacts {
        DecisionFacts {
            status: CaseStatus::Investigating,
            received_on: Some(d("2026-02-01")),
            applied,
            respite_consents: 0,
            communications_open: 0,
            communications_done: 0,
        }
    }

    fn respite() -> Applied {
        Applied::Found(AppliedInsats {
            title: "Avlösning".into(),
            catalogue_slug: Some("avlosning".into()),
            track: "assessed_sol".into(),
            legal_ref: None,
            consent_required: true,
        })
    }

    fn ask(d: &NewDecision) -> DecisionAsk<'_> {
        DecisionAsk {
            decision: d,
            insats: None,
            legal_ref: None,
            communication_waived: false,
            follow_up_on: Some(NaiveDate::from_ymd_opt(2026, 9, 10).unwrap()),
        }
    }

    fn cite(code: &str, _: NaiveDate) -> Option<String> {
        matches!(code, "lss" | "sol-bistand" | "sol-4-2").then(|| format!("cite {code}"))
    }

    #[test]
    fn every_refusal_is_listed_once() {
        // The match fails to compile when a refusal is added, as a reminder to list it.
        fn listed(r: Refusal) -> bool {
            use Refusal::*;
            match r {
                NotFound
                | CommunicationPending
                | CommunicationMissing
                | NoticeAlreadyRecorded
                | NoNotice
                | AppealBeforeNotice
                | AppealNotLate
                | AppealLate
                | AppealClosed
                | NotForwarded
                | AlreadyForwarded
                | NotGranted
                | AlreadyOrdered
                | NotOrdered
                | AlreadyStarted
                | NotRunning
                | NotInterrupted
                | AlreadyEnded
                | BeforeDecision
                | DecisionRequestTooEarly
                | DecisionRequestAgain
                | AlreadyWithdrawn
                | AlreadyAnswered
                | UnknownInsats
                | ConsentMissing
                | NotReconsidered => Refusal::ALL.iter().filter(|x| **x == r).count() == 1,
            }
        }
        assert_eq!(Refusal::ALL.len(), 26);
        assert!(Refusal::ALL.iter().all(|r| listed(*r)));
    }

    #[test]
    fn respite_is_granted_only_with_consent() {
        let g = decision(Outcome::Granted);
        let mut f = facts(respite());
        assert_eq!(may_decide(&f, &ask(&g), cite), Err(Refusal::ConsentMissing));
        f.respite_consents = 1;
        let e = may_decide(&f, &ask(&g), cite).unwrap();
        assert_eq!(e.title, "Avlösning");
        assert_eq!(e.legal_ref, "sol-bistand");
        assert_eq!(e.follow_up_on, Some(d("2026-09-10")));
        // A refusal grants nothing and needs no consent (it has its kommunicering here).
        let r = decision(Outcome::Refused);
        let mut f = facts(respite());
        f.communications_done = 1;
        let e = may_decide(&f, &ask(&r), cite).unwrap();
        assert_eq!(e.follow_up_on, None);
    }

    #[test]
    fn an_unfavourable_decision_needs_kommunicering_or_a_reason() {
        let r = decision(Outcome::PartlyGranted);
        let mut f = facts(Applied::NotNamed);
        let mut a = ask(&r);
        a.insats = Some("Egen insats");
        assert_eq!(may_decide(&f, &a, cite), Err(Refusal::CommunicationMissing));
        f.communications_open = 1;
        f.communications_done = 1;
        assert_eq!(may_decide(&f, &a, cite), Err(Refusal::CommunicationPending));
        a.communication_waived = true;
        let e = may_decide(&f, &a, cite).unwrap();
        assert_eq!(
            (e.title.as_str(), e.track.as_str()),
            ("Egen insats", "free")
        );
        f.communications_open = 0;
        a.communication_waived = false;
        assert!(may_decide(&f, &a, cite).is_ok());
    }

    #[test]
    fn the_legal_basis_defaults_by_track_then_the_applied_insats() {
        assert_eq!(default_legal_ref("assessed_lss"), "lss");
        assert_eq!(default_legal_ref("assessed_sol"), "sol-bistand");
        assert_eq!(default_legal_ref("free"), "sol-bistand");
        let g = decision(Outcome::Granted);
        let lss = |legal_ref: Option<&str>| {
            Applied::Found(AppliedInsats {
                title: "Korttidsvistelse".into(),
                catalogue_slug: None,
                track: "assessed_lss".into(),
                legal_ref: legal_ref.map(str::to_owned),
                consent_required: false,
            })
        };
        let e = may_decide(&facts(lss(None)), &ask(&g), cite).unwrap();
        assert_eq!(
            (e.legal_ref.as_str(), e.citation.as_str()),
            ("lss", "cite lss")
        );
        let e = may_decide(&facts(lss(Some("sol-4-2"))), &ask(&g), cite).unwrap();
        assert_eq!(e.legal_ref, "sol-4-2");
        let mut a = ask(&g);
        a.legal_ref = Some("nonsense");
        assert_eq!(
            may_decide(&facts(lss(None)), &a, cite),
            Err(Refusal::UnknownInsats)
        );
    }

    #[test]
    fn an_insats_must_be_known() {
        let g = decision(Outcome::Granted);
        assert_eq!(
            may_decide(&facts(Applied::Unknown), &ask(&g), cite),
            Err(Refusal::UnknownInsats)
        );
        assert_eq!(
            may_decide(&facts(Applied::NotNamed), &ask(&g), cite),
            Err(Refusal::UnknownInsats)
        );
    }

    #[test]
    fn nothing_is_decided_before_the_application_arrived() {
        let g = decision(Outcome::Granted);
        let mut f = facts(Applied::NotNamed);
        f.received_on = Some(d("2026-03-11"));
        let mut a = ask(&g);
        a.insats = Some("Egen");
        assert_eq!(may_decide(&f, &a, cite), Err(Refusal::BeforeDecision));
    }

    #[test]
    fn a_decision_moves_an_open_or_investigated_case_to_decided() {
        use CaseStatus::*;
        let g = decision(Outcome::Granted);
        let mut a = ask(&g);
        a.insats = Some("Egen");
        for (from, moved) in [
            (Open, Some((Open, Decided))),
            (Investigating, Some((Investigating, Decided))),
            (Decided, None),
            (Closed, None),
        ] {
            let mut f = facts(Applied::NotNamed);
            f.status = from;
            assert_eq!(may_decide(&f, &a, cite).unwrap().status_move, moved);
        }
    }
}
