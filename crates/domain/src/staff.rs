//! Municipal staff: their roles and who they are when they act.

use crate::Kommunkod;

wire_enum!(
    /// The roles of the staff workspace. The CLI and the database use the wire names.
    Role {
        /// Anhörigkonsulent: runs the open support.
        CarerSupportOfficer = "carer-support-officer",
        /// Biståndshandläggare: investigates and decides assessed support.
        CaseOfficer = "case-officer",
        /// Enhetschef: leads a unit, reviews the audit log.
        UnitManager = "unit-manager",
        /// Kommunadministratör: manages the municipality's accounts and settings.
        MunicipalAdmin = "municipal-admin",
        /// Systemadministratör: runs the installation; configures, reads no case.
        SystemAdmin = "system-admin",
    }
);

impl Role {
    /// Roles whose work is reading cases; they must use a second factor by default.
    pub fn reads_cases(self) -> bool {
        matches!(
            self,
            Role::CarerSupportOfficer | Role::CaseOfficer | Role::UnitManager
        )
    }
}

/// Who is acting: an authenticated member of staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub role: Role,
    /// None only for system administrators of the installation.
    pub kommunkod: Option<Kommunkod>,
    /// The units the person works in.
    pub units: Vec<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_round_trip() {
        for &r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("admin"), None);
        assert!(Role::CaseOfficer.reads_cases() && !Role::SystemAdmin.reads_cases());
    }
}

/// Sign-in limits. Failures are counted per account (since its last success) and per client
/// address over the same window; the answer is the same whether or not the account exists.
pub mod signin {
    /// How far back failures count.
    pub const WINDOW_MINUTES: i64 = 15;
    /// Failed attempts on one account before it waits out the window.
    pub const MAX_ACCOUNT_FAILURES: i64 = 5;
    /// Failed attempts from one address, over all accounts, before it waits out the window.
    pub const MAX_ADDRESS_FAILURES: i64 = 20;
    /// A session ends after this long without use...
    pub const IDLE_MINUTES: i64 = 30;
    /// ...and after this long whatever happens.
    pub const ABSOLUTE_HOURS: i64 = 12;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Gate {
        Open,
        TooManyForAccount,
        TooManyFromAddress,
    }

    pub fn gate(account_failures: i64, address_failures: i64) -> Gate {
        if address_failures >= MAX_ADDRESS_FAILURES {
            Gate::TooManyFromAddress
        } else if account_failures >= MAX_ACCOUNT_FAILURES {
            Gate::TooManyForAccount
        } else {
            Gate::Open
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn limits() {
            assert_eq!(gate(0, 0), Gate::Open);
            assert_eq!(
                gate(MAX_ACCOUNT_FAILURES - 1, MAX_ADDRESS_FAILURES - 1),
                Gate::Open
            );
            assert_eq!(gate(MAX_ACCOUNT_FAILURES, 0), Gate::TooManyForAccount);
            assert_eq!(gate(0, MAX_ADDRESS_FAILURES), Gate::TooManyFromAddress);
        }
    }
}

/// Log review rules.
pub mod review {
    /// Reading about more different persons than this within one hour is flagged as unusual.
    pub const MANY_PERSONS_PER_HOUR: usize = 40;
    /// The longest span one review may cover, in days.
    pub const MAX_SPAN_DAYS: i64 = 366;
}
