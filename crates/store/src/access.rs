//! Proofs of access. A store function that reads or changes a case takes a [`CaseGrant`], and
//! reading a person's record takes a [`PersonGrant`]. Only this module makes them, and only
//! after `domain::policy::can` said yes (or an emergency access with its reason is running), so
//! a handler that forgets the check does not compile.
//!
//! A grant also answers for other actions on the same case ([`CaseGrant::require`]): the store
//! asks the policy again, a pure and cheap call, before each step it takes.

use crate::audit::Origin;
use crate::{Db, StoreError};
use chrono::{DateTime, Duration, Utc};
use domain::policy::{can, Action, CaseRef, Decision, Resource, EMERGENCY_ACCESS_MINUTES};
use domain::staff::Actor;
use domain::Kommunkod;

/// The policy allowed this actor onto this case.
#[derive(Debug, Clone)]
pub struct CaseGrant {
    actor: Actor,
    id: i64,
    case: CaseRef,
    /// Whether the access rests on an emergency reason.
    emergency: bool,
    /// What the audit rows of the access carry: `emergency: …`, and what it is read for.
    reason: Option<String>,
}

impl CaseGrant {
    pub fn id(&self) -> i64 {
        self.id
    }

    pub fn kommun(&self) -> Kommunkod {
        self.case.kommunkod
    }

    /// The municipality's code, as the queries bind it.
    pub fn kommunkod(&self) -> &str {
        self.case.kommunkod.as_str()
    }

    /// The case as the policy saw it (its unit and officer).
    pub fn case(&self) -> &CaseRef {
        &self.case
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// The reason every audit row of the access carries: `emergency: …`, or none.
    pub fn audit_reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    /// The emergency reason the actor gave, when the access rests on one.
    pub fn emergency(&self) -> Option<&str> {
        if !self.emergency {
            return None;
        }
        self.reason
            .as_deref()?
            .rsplit_once("emergency: ")
            .map(|(_, r)| r)
    }

    /// The same access, its reads logged as done for `purpose` (a letter, a package).
    pub fn for_purpose(&self, purpose: &str) -> CaseGrant {
        CaseGrant {
            reason: Some(
                self.reason
                    .as_deref()
                    .map_or_else(|| purpose.to_owned(), |r| format!("{purpose}; {r}")),
            ),
            ..self.clone()
        }
    }

    /// Whether the grant covers `action` on this case too.
    pub fn permits(&self, action: Action) -> bool {
        match can(&self.actor, action, &Resource::Case(self.case.clone())) {
            Decision::Allow => true,
            Decision::EmergencyOnly => self.emergency,
            Decision::Deny => false,
        }
    }

    /// Whether the actor may mark an entry by `author` in this case wrong: only its author or
    /// a unit manager, and under emergency access no more than that.
    pub fn permits_entry(&self, author: i64) -> bool {
        let entry = Resource::JournalEntry {
            case: self.case.clone(),
            author,
        };
        match can(&self.actor, Action::MarkJournalWrong, &entry) {
            Decision::Allow => true,
            Decision::EmergencyOnly => self.emergency,
            Decision::Deny => false,
        }
    }

    /// As [`permits`](Self::permits), as the store's guard before a step.
    pub fn require(&self, action: Action) -> Result<(), StoreError> {
        if self.permits(action) {
            Ok(())
        } else {
            Err(StoreError::Denied(action))
        }
    }
}

/// The answer to "may this actor reach that case (or person)?".
#[derive(Debug)]
pub enum Verdict<G> {
    Granted(G),
    /// Allowed only with a stated reason (emergency access), and none was given.
    NeedsReason,
    /// Not there, or not for this actor: the same answer either way.
    Hidden,
}

/// Asks the policy for `action` on the case. A valid `reason` starts an emergency access
/// (logged and flagged); one still running for this actor is reused.
pub async fn case(
    db: &Db,
    actor: &Actor,
    action: Action,
    case_id: i64,
    reason: Option<&str>,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Verdict<CaseGrant>, StoreError> {
    let Some(kommun) = actor.kommunkod else {
        return Ok(Verdict::Hidden);
    };
    let Some(case) = crate::cases::case_ref(db, kommun.as_str(), case_id).await? else {
        return Ok(Verdict::Hidden);
    };
    let emergency = match can(actor, action, &Resource::Case(case.clone())) {
        Decision::Allow => None,
        Decision::Deny => return Ok(Verdict::Hidden),
        Decision::EmergencyOnly => {
            match emergency(db, actor, kommun, case_id, reason, now, origin).await? {
                Some(reason) => Some(reason),
                None => return Ok(Verdict::NeedsReason),
            }
        }
    };
    Ok(Verdict::Granted(CaseGrant {
        actor: actor.clone(),
        id: case_id,
        case,
        emergency: emergency.is_some(),
        reason: emergency,
    }))
}

/// The actor an account is, with its units: for work done in its name outside a request (the
/// demo seed, tests), which then asks the policy as any request does.
pub async fn actor_of(db: &Db, user_id: i64) -> Result<Option<Actor>, StoreError> {
    let Some(user) = crate::staff::by_id(db, user_id).await? else {
        return Ok(None);
    };
    Ok(Some(Actor {
        user_id: user.id,
        role: user.role,
        kommunkod: user.kommunkod,
        units: crate::staff::units_of(db, user.id).await?,
    }))
}

/// The running emergency access's reason, or a new one started with `reason`; `None` when
/// there is neither (or the reason is too short to count).
async fn emergency(
    db: &Db,
    actor: &Actor,
    kommun: Kommunkod,
    case_id: i64,
    reason: Option<&str>,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Option<String>, StoreError> {
    if let Some(r) = crate::cases::emergency_reason(db, actor.user_id, case_id, now).await? {
        return Ok(Some(format!("emergency: {r}")));
    }
    let Some(Ok(reason)) = reason.map(|r| domain::case::validate_reason("reason", r)) else {
        return Ok(None);
    };
    let until = now + Duration::minutes(EMERGENCY_ACCESS_MINUTES);
    let started = crate::cases::grant_emergency(
        db,
        kommun.as_str(),
        actor.user_id,
        case_id,
        &reason,
        now,
        until,
        origin,
    )
    .await?;
    Ok(started.then(|| format!("emergency: {reason}")))
}

/// The policy allowed this actor to read this person's record.
#[derive(Debug, Clone)]
pub struct PersonGrant {
    id: i64,
    kommun: Kommunkod,
    /// `emergency: …` when the read rests on an emergency reason, or what it is read for.
    reason: Option<String>,
}

impl PersonGrant {
    pub fn id(&self) -> i64 {
        self.id
    }

    pub fn kommun(&self) -> Kommunkod {
        self.kommun
    }

    /// The reason the read's audit row carries (`emergency: …`, or its purpose).
    pub fn audit_reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    /// The emergency reason, when the read rests on one.
    pub fn emergency(&self) -> Option<&str> {
        self.reason.as_deref()?.strip_prefix("emergency: ")
    }
}

/// A party to the granted case (linked to it, or its applicant), read for `purpose` (a
/// letter): the case's access reaches its parties. `None` if the person is not one.
pub async fn party(
    db: &Db,
    case: &CaseGrant,
    person_id: i64,
    purpose: &str,
) -> Result<Option<PersonGrant>, StoreError> {
    let found: Option<i64> = crate::with_pool!(db, pool => {
        sqlx::query_scalar(
            "SELECT p.id FROM persons p WHERE p.id = $1 AND p.kommunkod = $2 AND ( \
               EXISTS (SELECT 1 FROM case_persons cp WHERE cp.case_id = $3 AND cp.person_id = p.id) \
               OR EXISTS (SELECT 1 FROM applications a WHERE a.case_id = $3 AND a.applicant_id = p.id))",
        )
        .bind(person_id)
        .bind(case.kommun().as_str())
        .bind(case.id())
        .fetch_optional(pool)
        .await?
    });
    Ok(found.map(|id| PersonGrant {
        id,
        kommun: case.kommun(),
        reason: case.for_purpose(purpose).reason,
    }))
}

/// Asks the policy whether the actor may read the person: through a case they work on, as the
/// one who registered them, or with an emergency reason.
pub async fn person(
    db: &Db,
    actor: &Actor,
    person_id: i64,
    reason: Option<&str>,
) -> Result<Verdict<PersonGrant>, StoreError> {
    let Some(kommun) = actor.kommunkod else {
        return Ok(Verdict::Hidden);
    };
    let Some((cases, created_by)) =
        crate::persons::case_refs(db, kommun.as_str(), person_id).await?
    else {
        return Ok(Verdict::Hidden);
    };
    let resource = Resource::Person {
        kommunkod: kommun,
        cases,
        created_by,
    };
    let emergency = match can(actor, Action::ReadPerson, &resource) {
        Decision::Allow => None,
        Decision::Deny => return Ok(Verdict::Hidden),
        Decision::EmergencyOnly => {
            match reason.map(|r| domain::case::validate_reason("reason", r)) {
                Some(Ok(r)) => Some(format!("emergency: {r}")),
                _ => return Ok(Verdict::NeedsReason),
            }
        }
    };
    Ok(Verdict::Granted(PersonGrant {
        id: person_id,
        kommun,
        reason: emergency,
    }))
}
