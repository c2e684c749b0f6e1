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

/// Sign-in limits. Failures are counted per account (since its last success), per account
/// from one address, and per client address, over the same window; the answer is the same
/// whether or not the account exists. One address can only lock itself out of an account:
/// locking an account for everyone takes failures from many addresses.
pub mod signin {
    /// How far back failures count.
    pub const WINDOW_MINUTES: i64 = 15;
    /// Failed attempts on one account from one address before that address waits.
    pub const MAX_ACCOUNT_FAILURES: i64 = 5;
    /// Failed attempts on one account from all addresses before everyone waits (a guess spread
    /// over many addresses).
    pub const MAX_ACCOUNT_FAILURES_ALL: i64 = 50;
    /// Failed attempts from one address, over all accounts, before it waits out the window.
    pub const MAX_ADDRESS_FAILURES: i64 = 20;
    /// Attempts older than this are pruned; only the window is ever read.
    pub const KEEP_ATTEMPTS_HOURS: i64 = 24;
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

    /// Failed attempts within the window.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
    pub struct Failures {
        /// On this account from this address, since the account's last success.
        pub account_from_address: i64,
        /// On this account from every address, since its last success.
        pub account: i64,
        /// From this address, on any account.
        pub address: i64,
    }

    pub fn gate(f: Failures) -> Gate {
        if f.address >= MAX_ADDRESS_FAILURES {
            Gate::TooManyFromAddress
        } else if f.account_from_address >= MAX_ACCOUNT_FAILURES
            || f.account >= MAX_ACCOUNT_FAILURES_ALL
        {
            Gate::TooManyForAccount
        } else {
            Gate::Open
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn f(account_from_address: i64, account: i64, address: i64) -> Failures {
            Failures {
                account_from_address,
                account,
                address,
            }
        }

        #[test]
        fn limits() {
            assert_eq!(gate(f(0, 0, 0)), Gate::Open);
            assert_eq!(
                gate(f(
                    MAX_ACCOUNT_FAILURES - 1,
                    MAX_ACCOUNT_FAILURES_ALL - 1,
                    MAX_ADDRESS_FAILURES - 1
                )),
                Gate::Open
            );
            assert_eq!(
                gate(f(MAX_ACCOUNT_FAILURES, MAX_ACCOUNT_FAILURES, 0)),
                Gate::TooManyForAccount
            );
            assert_eq!(
                gate(f(0, 0, MAX_ADDRESS_FAILURES)),
                Gate::TooManyFromAddress
            );
        }

        #[test]
        fn one_address_does_not_lock_the_account_for_others() {
            // Another address sees the failures on the account, but none of its own.
            assert_eq!(gate(f(0, MAX_ACCOUNT_FAILURES, 0)), Gate::Open);
            assert_eq!(
                gate(f(0, MAX_ACCOUNT_FAILURES_ALL, 0)),
                Gate::TooManyForAccount
            );
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
