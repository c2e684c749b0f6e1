//! The rules and types of anhörigstöd. Pure: no IO, no async, no database, no HTTP.

pub mod case;
pub mod catalogue;
pub mod clock;
pub mod contact;
pub mod kommun;
pub mod law;
pub mod password;
pub mod personnummer;
pub mod policy;
pub mod staff;
pub mod totp;

pub use kommun::{Kommunkod, Municipality};
pub use personnummer::Personnummer;
