//! The request path every handler shares: extractors for the request context (who is
//! signed in, the CSRF-checked form, the policy's answer, typed ids) and a small TTL cache.
//! A handler body is then "extract, call, render".

pub mod api;
pub mod cache;
pub mod extract;
pub mod ids;

pub use extract::{
    Allowed, AnonymousOrigin, CaseAccess, Id, PendingSession, PlainForm, PublicOrigin, StaffCtx,
    StaffForm, StaffSlot, Visible,
};
