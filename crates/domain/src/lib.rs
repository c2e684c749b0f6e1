//! The rules and types of anhörigstöd. Pure: no IO, no async, no database, no HTTP.

/// A closed set of values with wire names, shared by form fields, JSON and the database
/// (which stores them as TEXT). `wire_enum!` implements it; generic code (choice lists, the
/// store's column decoding) works through it.
pub trait WireEnum: Copy + Eq + std::fmt::Debug + 'static {
    /// Every value, in declaration order.
    const ALL: &'static [Self];
    /// The wire name.
    fn as_str(self) -> &'static str;
    /// The value with this wire name, if any.
    fn parse(s: &str) -> Option<Self>;
}

/// A wire name that no value of the set has: bad input, or stored data out of step.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a known {set}")]
pub struct UnknownWireValue {
    pub set: &'static str,
    pub value: String,
}

/// Declares a closed set of values with their wire names (form fields, JSON, the database).
macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name { $($(#[$vm])* #[serde(rename = $wire)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($wire => Some($name::$variant),)+ _ => None }
            }
        }

        impl $crate::WireEnum for $name {
            const ALL: &'static [$name] = $name::ALL;
            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
            fn parse(s: &str) -> Option<Self> {
                $name::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::UnknownWireValue;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                $name::parse(&s).ok_or($crate::UnknownWireValue { set: stringify!($name), value: s })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub mod activity;
pub mod api_token;
pub mod assessed;
pub mod calendar;
pub mod case;
pub mod catalogue;
pub mod clock;
pub mod contact;
pub mod conversation;
pub mod csv;
pub mod duplicates;
pub mod field_errors;
pub mod ical;
pub mod kommun;
pub mod law;
pub mod letter_text;
pub mod password;
pub mod personnummer;
pub mod policy;
pub mod retention;
pub mod staff;
pub mod stats;
pub mod support_contact;
pub mod totp;
pub mod watch;
pub mod worklist;

pub use field_errors::FieldErrors;

pub use kommun::{Kommunkod, Municipality};
pub use personnummer::Personnummer;
