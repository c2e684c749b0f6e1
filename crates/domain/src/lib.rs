//! The rules and types of anhörigstöd. Pure: no IO, no async, no database, no HTTP.

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
    };
}

pub mod activity;
pub mod assessed;
pub mod calendar;
pub mod case;
pub mod catalogue;
pub mod clock;
pub mod contact;
pub mod conversation;
pub mod ical;
pub mod kommun;
pub mod law;
pub mod letter_text;
pub mod password;
pub mod personnummer;
pub mod policy;
pub mod staff;
pub mod stats;
pub mod support_contact;
pub mod totp;
pub mod watch;

pub use kommun::{Kommunkod, Municipality};
pub use personnummer::Personnummer;
