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

/// Asks the policy for reading the person; a valid `reason` lets emergency access through.
pub async fn person(
    db: &Db,
    actor: &Actor,
    person_id: i64,
    reason: Option<&str>,
) -> Result<Verdict<PersonGrant>, StoreError> {
    person_by(db, actor, person_id, reason, |a, r| {
        can(a, Action::ReadPerson, r)
    })
    .await
}

/// Asks the policy for joining the person to a case the actor opens, which would make them
/// readable to the actor (`policy::may_link_person`): no further than reading, unless a valid
/// `reason` is given. The case's audit row then says so ([`PersonGrant::emergency`]).
pub async fn link(
    db: &Db,
    actor: &Actor,
    person_id: i64,
    reason: Option<&str>,
) -> Result<Verdict<PersonGrant>, StoreError> {
    person_by(
        db,
        actor,
        person_id,
        reason,
        domain::policy::may_link_person,
    )
    .await
}

async fn person_by(
    db: &Db,
    actor: &Actor,
    person_id: i64,
    reason: Option<&str>,
    rule: impl Fn(&Actor, &Resource) -> Decision,
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
    let emergency = match rule(actor, &resource) {
        Decision::Allow => None,
        Decision::Deny => return Ok(Verdict::Hidden),
        Decision::EmergencyOnly => match valid_reason(reason) {
            Some(r) => Some(format!("emergency: {r}")),
            None => return Ok(Verdict::NeedsReason),
        },
    };
    Ok(Verdict::Granted(PersonGrant {
        id: person_id,
        kommun,
        reason: emergency,
    }))
}

fn valid_reason(reason: Option<&str>) -> Option<String> {
    reason.and_then(|r| domain::case::validate_reason("reason", r).ok())
}

/// What taking on a case would do to who can read its persons.
#[derive(Debug)]
pub enum Joining {
    /// Allowed; the persons reached only through the emergency reason, with that reason.
    Allowed {
        emergency: Vec<i64>,
        reason: Option<String>,
    },
    NeedsReason,
    Denied,
}

/// A case's unit and officer, as a row.
type UnitAndOfficer = (Option<i64>, Option<i64>);

/// Inside a step's transaction: may the actor take on `case_id`, which makes its persons (those
/// linked and its applicant) readable to them? Each person is judged by
/// `policy::may_link_person` on their other cases.
pub(crate) async fn joining(
    tx: &mut crate::Tx,
    actor: &Actor,
    kommun: Kommunkod,
    case_id: i64,
    reason: Option<&str>,
) -> Result<Joining, StoreError> {
    let kommunkod = kommun.as_str();
    let persons: Vec<i64> = crate::with_tx!(&mut *tx, c => {
        sqlx::query_scalar(
            "SELECT person_id FROM case_persons WHERE case_id = $1 \
             UNION SELECT applicant_id FROM applications WHERE case_id = $1",
        )
        .bind(case_id)
        .fetch_all(&mut *c)
        .await?
    });
    let mut emergency = Vec::new();
    for person in persons {
        let (created_by, cases): (Option<Option<i64>>, Vec<UnitAndOfficer>) = crate::with_tx!(&mut *tx, c => {
            let created_by = sqlx::query_scalar("SELECT created_by FROM persons WHERE id = $1 AND kommunkod = $2")
                .bind(person)
                .bind(kommunkod)
                .fetch_optional(&mut *c)
                .await?;
            let cases = sqlx::query_as(
                "SELECT c.unit_id, c.assigned_to FROM case_persons cp JOIN cases c ON c.id = cp.case_id \
                 WHERE cp.person_id = $1 AND c.kommunkod = $2 AND c.id <> $3",
            )
            .bind(person)
            .bind(kommunkod)
            .bind(case_id)
            .fetch_all(&mut *c)
            .await?;
            (created_by, cases)
        });
        let Some(created_by) = created_by else {
            return Err(StoreError::Corrupt(format!(
                "case {case_id} names a person elsewhere"
            )));
        };
        let resource = Resource::Person {
            kommunkod: kommun,
            cases: cases
                .into_iter()
                .map(|(unit_id, assigned_to)| CaseRef {
                    kommunkod: kommun,
                    unit_id,
                    assigned_to,
                })
                .collect(),
            created_by,
        };
        match domain::policy::may_link_person(actor, &resource) {
            Decision::Allow => {}
            Decision::EmergencyOnly => emergency.push(person),
            Decision::Deny => return Ok(Joining::Denied),
        }
    }
    if emergency.is_empty() {
        return Ok(Joining::Allowed {
            emergency,
            reason: None,
        });
    }
    Ok(match valid_reason(reason) {
        Some(r) => Joining::Allowed {
            emergency,
            reason: Some(format!("emergency: {r}")),
        },
        None => Joining::NeedsReason,
    })
}

/// The audit row that flags a person reached through an emergency reason by joining them to
/// work (a case opened, an application taken); the log review lists it with the other
/// emergency access.
pub(crate) fn emergency_join_event(
    origin: &Origin,
    kommunkod: &str,
    case_id: i64,
    persons: &[i64],
    reason: &str,
) -> crate::audit::AuditEvent {
    let mut e = origin.event(
        Some(kommunkod),
        EMERGENCY_JOIN,
        "case",
        Some(case_id.to_string()),
    );
    e.persons = persons.iter().map(|p| format!("person:{p}")).collect();
    e.reason = Some(reason.to_owned());
    e
}

/// The audit action of [`emergency_join_event`].
pub const EMERGENCY_JOIN: &str = "person.emergency_access";
