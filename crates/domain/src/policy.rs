//! Need-to-know access as one pure function: `can(actor, action, resource)`.
//!
//! The rules (DOMAIN.md, OSL 26 kap.): never across municipalities; staff see the cases of
//! their units or assigned to them; anything else in their municipality only as emergency
//! access with a stated reason, flagged in the audit log; administrators configure but read no
//! case. Handlers and repositories ask this function; they hold no rule of their own.

use crate::staff::{Actor, Role};
use crate::Kommunkod;

/// How long an emergency access lasts once its reason is given.
pub const EMERGENCY_ACCESS_MINUTES: i64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// See the municipality's inbox of contact requests and applications.
    ReadInbox,
    /// Take an inbox item, or give it to a colleague.
    AssignInbox,
    /// Open a case (from a contact request or by hand).
    OpenCase,
    ReadCase,
    /// Add a journal entry, link a person, change the status.
    WriteCase,
    /// Mark a journal entry wrong (felmarkering).
    MarkJournalWrong,
    /// Look people up by name or number in the municipality (the search itself is logged).
    SearchPersons,
    ReadPerson,
    EditPerson,
    /// Who read what: log review.
    ReviewAudit,
    ManageStaff,
    ConfigureMunicipality,
    /// Register a decision on assessed support: only roles with delegation to decide.
    Decide,
    /// The municipality's reports on assessed support: decisions not carried out (IVO),
    /// statistics for the council, every officer's deadlines.
    ReadReports,
    /// Run the open support: activities, their participants and attendance, messages to them.
    ManageActivities,
    /// See the deadlines of the cases one works on (the deadline watch).
    WatchDeadlines,
    /// Offer a carer a support contact (stödkontakt) and record the answer.
    OfferSupportContact,
    /// Give an account the system administrator's role.
    AppointSystemAdmin,
    /// See what the retention rules say is due (kinds, ids and dates; no names).
    PlanRetention,
}

impl Action {
    pub const ALL: [Action; 19] = [
        Action::ReadInbox,
        Action::AssignInbox,
        Action::OpenCase,
        Action::ReadCase,
        Action::WriteCase,
        Action::MarkJournalWrong,
        Action::SearchPersons,
        Action::ReadPerson,
        Action::EditPerson,
        Action::ReviewAudit,
        Action::ManageStaff,
        Action::ConfigureMunicipality,
        Action::Decide,
        Action::ReadReports,
        Action::ManageActivities,
        Action::WatchDeadlines,
        Action::OfferSupportContact,
        Action::AppointSystemAdmin,
        Action::PlanRetention,
    ];
}

/// A case as the policy needs to see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRef {
    pub kommunkod: Kommunkod,
    pub unit_id: Option<i64>,
    pub assigned_to: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// The installation itself, outside every municipality (its own administrators).
    Installation,
    /// Something of the municipality as a whole (its inbox, staff, settings, log).
    Municipality(Kommunkod),
    Case(CaseRef),
    /// A journal entry in a case, with its author.
    JournalEntry {
        case: CaseRef,
        author: i64,
    },
    /// A person, the cases they are linked to, and who registered them.
    Person {
        kommunkod: Kommunkod,
        cases: Vec<CaseRef>,
        created_by: Option<i64>,
    },
}

impl Resource {
    /// The municipality it belongs to; `None` for the installation.
    pub fn kommunkod(&self) -> Option<Kommunkod> {
        match self {
            Resource::Installation => None,
            Resource::Municipality(k) => Some(*k),
            Resource::Case(c) | Resource::JournalEntry { case: c, .. } => Some(c.kommunkod),
            Resource::Person { kommunkod, .. } => Some(*kommunkod),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Allowed only with a stated reason, and the access is flagged for review.
    EmergencyOnly,
    Deny,
}

fn works_on(actor: &Actor, case: &CaseRef) -> bool {
    works_on_case(actor.user_id, &actor.units, case.assigned_to, case.unit_id)
}

/// Whether a user works on a case: it is assigned to them, or to one of their units. Lists
/// narrowed to "my cases" ask this, as case access does.
pub fn works_on_case(
    user_id: i64,
    units: &[i64],
    assigned_to: Option<i64>,
    unit_id: Option<i64>,
) -> bool {
    assigned_to == Some(user_id) || unit_id.is_some_and(|u| units.contains(&u))
}

/// Case access for the roles that read cases.
fn case_access(actor: &Actor, case: &CaseRef) -> Decision {
    if works_on(actor, case) {
        Decision::Allow
    } else {
        Decision::EmergencyOnly
    }
}

pub fn can(actor: &Actor, action: Action, resource: &Resource) -> Decision {
    use Action::*;
    // Never across municipalities: not through ids, search, exports or the API.
    // The installation is no municipality's: only its own administrators act on it.
    let own = resource
        .kommunkod()
        .is_some_and(|k| actor.kommunkod == Some(k));
    match actor.role {
        Role::SystemAdmin => match action {
            ManageStaff | ConfigureMunicipality | AppointSystemAdmin => Decision::Allow,
            _ => Decision::Deny,
        },
        _ if !own => Decision::Deny,
        Role::MunicipalAdmin => match (action, resource) {
            (ManageStaff | ConfigureMunicipality | PlanRetention, Resource::Municipality(_)) => {
                Decision::Allow
            }
            _ => Decision::Deny,
        },
        Role::CarerSupportOfficer | Role::CaseOfficer | Role::UnitManager => {
            let manager = actor.role == Role::UnitManager;
            match (action, resource) {
                (
                    ReadInbox | AssignInbox | OpenCase | SearchPersons | WatchDeadlines
                    | OfferSupportContact,
                    Resource::Municipality(_),
                ) => Decision::Allow,
                (ReviewAudit | ReadReports | PlanRetention, Resource::Municipality(_))
                    if manager =>
                {
                    Decision::Allow
                }
                // The open support is the carer support officers' work, overseen by managers;
                // case officers handle bistånd and see no participant lists.
                (ManageActivities, Resource::Municipality(_))
                    if actor.role != Role::CaseOfficer =>
                {
                    Decision::Allow
                }
                (ReadCase | WriteCase, Resource::Case(case)) => case_access(actor, case),
                // Carer support officers run the open support; they hold no delegation to
                // decide on bistånd.
                (Decide, Resource::Case(case)) if actor.role != Role::CarerSupportOfficer => {
                    case_access(actor, case)
                }
                // Only the author or a unit manager corrects an entry; emergency access
                // gives no more than that.
                (MarkJournalWrong, Resource::JournalEntry { case, author }) => {
                    if *author == actor.user_id || manager {
                        case_access(actor, case)
                    } else {
                        Decision::Deny
                    }
                }
                // Whoever registered a person may reach them before any case links them.
                (
                    ReadPerson | EditPerson,
                    Resource::Person {
                        cases, created_by, ..
                    },
                ) => {
                    if cases.iter().any(|c| works_on(actor, c))
                        || *created_by == Some(actor.user_id)
                    {
                        Decision::Allow
                    } else {
                        Decision::EmergencyOnly
                    }
                }
                _ => Decision::Deny,
            }
        }
    }
}

/// Whether the actor may join a person to work they take on (a case they open, an application
/// they take), which would make the person readable to them. `person` lists the person's
/// cases other than the one being joined. Joining reaches no further than reading: allowed
/// when the actor may already read the person, or when the person is known only through the
/// item itself (registered by no officer, an applicant who wrote in, and in no other case that
/// someone works on: items still waiting in the inbox are nobody's yet); otherwise only with an
/// emergency reason, or not at all.
pub fn may_link_person(actor: &Actor, person: &Resource) -> Decision {
    match (can(actor, Action::ReadPerson, person), person) {
        (
            Decision::EmergencyOnly,
            Resource::Person {
                cases,
                created_by: None,
                ..
            },
        ) if cases
            .iter()
            .all(|c| c.assigned_to.is_none() && c.unit_id.is_none()) =>
        {
            Decision::Allow
        }
        (d, _) => d,
    }
}

/// Whether the actor may give an account `role`: the system administrator's role only by one
/// who may appoint system administrators; any other by whoever manages the accounts.
pub fn may_grant_role(actor: &Actor, role: Role) -> bool {
    role != Role::SystemAdmin
        || can(actor, Action::AppointSystemAdmin, &Resource::Installation) == Decision::Allow
}

#[cfg(test)]
mod tests {
    use super::*;
    use Decision::*;

    fn k(s: &str) -> Kommunkod {
        Kommunkod::parse(s).unwrap()
    }

    const ME: i64 = 1;
    const COLLEAGUE: i64 = 2;
    const MY_UNIT: i64 = 10;
    const OTHER_UNIT: i64 = 20;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: ME,
            role,
            kommunkod: if role == Role::SystemAdmin {
                None
            } else {
                Some(k("0380"))
            },
            units: vec![MY_UNIT],
        }
    }

    fn case(kommun: &str, unit: i64, assigned: Option<i64>) -> CaseRef {
        CaseRef {
            kommunkod: k(kommun),
            unit_id: Some(unit),
            assigned_to: assigned,
        }
    }

    /// Every resource shape the matrix is checked against, with a name for messages.
    fn resources() -> Vec<(&'static str, Resource)> {
        vec![
            ("the installation", Resource::Installation),
            ("own municipality", Resource::Municipality(k("0380"))),
            ("other municipality", Resource::Municipality(k("0180"))),
            (
                "case in my unit",
                Resource::Case(case("0380", MY_UNIT, None)),
            ),
            (
                "case assigned to me",
                Resource::Case(case("0380", OTHER_UNIT, Some(ME))),
            ),
            (
                "case elsewhere in my municipality",
                Resource::Case(case("0380", OTHER_UNIT, Some(COLLEAGUE))),
            ),
            (
                "case in another municipality",
                Resource::Case(case("0180", MY_UNIT, Some(ME))),
            ),
            (
                "my entry in my unit's case",
                Resource::JournalEntry {
                    case: case("0380", MY_UNIT, None),
                    author: ME,
                },
            ),
            (
                "colleague's entry in my unit's case",
                Resource::JournalEntry {
                    case: case("0380", MY_UNIT, None),
                    author: COLLEAGUE,
                },
            ),
            (
                "entry elsewhere",
                Resource::JournalEntry {
                    case: case("0380", OTHER_UNIT, None),
                    author: COLLEAGUE,
                },
            ),
            (
                "person in my case",
                Resource::Person {
                    kommunkod: k("0380"),
                    cases: vec![case("0380", MY_UNIT, None)],
                    created_by: None,
                },
            ),
            (
                "person in no case of mine",
                Resource::Person {
                    kommunkod: k("0380"),
                    cases: vec![case("0380", OTHER_UNIT, None)],
                    created_by: Some(COLLEAGUE),
                },
            ),
            (
                "person I registered, in no case",
                Resource::Person {
                    kommunkod: k("0380"),
                    cases: vec![],
                    created_by: Some(ME),
                },
            ),
            (
                "person in another municipality",
                Resource::Person {
                    kommunkod: k("0180"),
                    cases: vec![case("0180", MY_UNIT, Some(ME))],
                    created_by: Some(ME),
                },
            ),
        ]
    }

    /// The expected decision for every role, action and resource: written out as the rules
    /// say, independently of `can`'s structure.
    fn expected(role: Role, action: Action, name: &str) -> Decision {
        use Action::*;
        let reads_cases = role.reads_cases();
        let other_kommun = name.contains("another municipality")
            || name == "other municipality"
            || name == "the installation";
        match role {
            Role::SystemAdmin => {
                return if matches!(
                    action,
                    ManageStaff | ConfigureMunicipality | AppointSystemAdmin
                ) {
                    Allow
                } else {
                    Deny
                };
            }
            _ if other_kommun => return Deny,
            Role::MunicipalAdmin => {
                return if matches!(action, ManageStaff | ConfigureMunicipality | PlanRetention)
                    && name == "own municipality"
                {
                    Allow
                } else {
                    Deny
                };
            }
            _ => {}
        }
        assert!(reads_cases);
        match (action, name) {
            (
                ReadInbox | AssignInbox | OpenCase | SearchPersons | WatchDeadlines
                | OfferSupportContact,
                "own municipality",
            ) => Allow,
            (ReviewAudit | ReadReports | PlanRetention, "own municipality")
                if role == Role::UnitManager =>
            {
                Allow
            }
            (ManageActivities, "own municipality") if role != Role::CaseOfficer => Allow,
            (ReadCase | WriteCase, "case in my unit" | "case assigned to me") => Allow,
            (ReadCase | WriteCase, "case elsewhere in my municipality") => EmergencyOnly,
            (Decide, _) if role == Role::CarerSupportOfficer => Deny,
            (Decide, "case in my unit" | "case assigned to me") => Allow,
            (Decide, "case elsewhere in my municipality") => EmergencyOnly,
            (MarkJournalWrong, "my entry in my unit's case") => Allow,
            (MarkJournalWrong, "colleague's entry in my unit's case") => {
                if role == Role::UnitManager {
                    Allow
                } else {
                    Deny
                }
            }
            (MarkJournalWrong, "entry elsewhere") => {
                if role == Role::UnitManager {
                    EmergencyOnly
                } else {
                    Deny
                }
            }
            (ReadPerson | EditPerson, "person in my case" | "person I registered, in no case") => {
                Allow
            }
            (ReadPerson | EditPerson, "person in no case of mine") => EmergencyOnly,
            _ => Deny,
        }
    }

    #[test]
    fn the_full_matrix() {
        let mut checked = 0;
        for &role in Role::ALL {
            for action in Action::ALL {
                for (name, resource) in resources() {
                    assert_eq!(
                        can(&actor(role), action, &resource),
                        expected(role, action, name),
                        "{role:?} {action:?} on {name}"
                    );
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 5 * 19 * 14);
    }

    #[test]
    fn nothing_crosses_a_municipality_for_any_role_except_configuration() {
        for &role in Role::ALL {
            for action in Action::ALL {
                for (name, resource) in resources() {
                    if resource.kommunkod() != Some(k("0380"))
                        && can(&actor(role), action, &resource) != Deny
                    {
                        assert_eq!(role, Role::SystemAdmin, "{action:?} on {name}");
                        assert!(matches!(
                            action,
                            Action::ManageStaff
                                | Action::ConfigureMunicipality
                                | Action::AppointSystemAdmin
                        ));
                    }
                }
            }
        }
    }

    #[test]
    fn administrators_never_read_personal_data() {
        let personal = [
            Action::ReadInbox,
            Action::ReadCase,
            Action::ReadPerson,
            Action::SearchPersons,
            Action::ReviewAudit,
        ];
        for role in [Role::SystemAdmin, Role::MunicipalAdmin] {
            for action in personal {
                for (name, resource) in resources() {
                    assert_eq!(
                        can(&actor(role), action, &resource),
                        Deny,
                        "{role:?} {action:?} {name}"
                    );
                }
            }
        }
    }

    #[test]
    fn staff_without_a_municipality_see_nothing() {
        let mut a = actor(Role::CaseOfficer);
        a.kommunkod = None;
        for action in Action::ALL {
            for (name, resource) in resources() {
                assert_eq!(can(&a, action, &resource), Deny, "{action:?} {name}");
            }
        }
    }

    #[test]
    fn only_a_system_administrator_grants_the_system_administrators_role() {
        for &role in Role::ALL.iter() {
            let a = actor(role);
            assert_eq!(
                may_grant_role(&a, Role::SystemAdmin),
                role == Role::SystemAdmin,
                "{role:?}"
            );
            assert!(may_grant_role(&a, Role::CaseOfficer), "{role:?}");
        }
    }
    #[test]
    fn joining_a_person_reaches_no_further_than_reading() {
        let officer = actor(Role::CaseOfficer);
        let theirs = Resource::Person {
            kommunkod: k("0380"),
            cases: vec![case("0380", OTHER_UNIT, Some(COLLEAGUE))],
            created_by: None,
        };
        assert_eq!(may_link_person(&officer, &theirs), EmergencyOnly);
        let registered_by_colleague = Resource::Person {
            kommunkod: k("0380"),
            cases: vec![],
            created_by: Some(COLLEAGUE),
        };
        assert_eq!(
            may_link_person(&officer, &registered_by_colleague),
            EmergencyOnly
        );
        let only_this_item = Resource::Person {
            kommunkod: k("0380"),
            cases: vec![],
            created_by: None,
        };
        assert_eq!(may_link_person(&officer, &only_this_item), Allow);
        let also_in_the_inbox = Resource::Person {
            kommunkod: k("0380"),
            cases: vec![CaseRef {
                kommunkod: k("0380"),
                unit_id: None,
                assigned_to: None,
            }],
            created_by: None,
        };
        assert_eq!(may_link_person(&officer, &also_in_the_inbox), Allow);
        let mine = Resource::Person {
            kommunkod: k("0380"),
            cases: vec![case("0380", MY_UNIT, None)],
            created_by: None,
        };
        assert_eq!(may_link_person(&officer, &mine), Allow);
        let elsewhere = Resource::Person {
            kommunkod: k("0180"),
            cases: vec![],
            created_by: None,
        };
        assert_eq!(may_link_person(&officer, &elsewhere), Deny);
        assert_eq!(
            may_link_person(&actor(Role::MunicipalAdmin), &only_this_item),
            Deny
        );
    }
}
