//! One function submits a contact request, for the HTML form and the JSON API alike.

use crate::error::PageError;
use crate::middleware::RequestId;
use crate::AppState;
use domain::contact::{validate, RawContactRequest};
use domain::FieldErrors;
use std::sync::atomic::Ordering;
use store::contact_requests::Origin;

pub enum Submitted {
    /// Stored and committed; the reference to show the carer.
    Stored {
        reference: String,
        young_carer: bool,
    },
    Invalid(FieldErrors),
}

/// Who sent it, as far as the audit log needs to know.
pub fn public_origin(request_id: Option<&RequestId>, client: Option<String>) -> Origin {
    Origin {
        actor: "public".into(),
        role: "carer".into(),
        request_id: request_id.map(|r| r.0.clone()),
        client_addr: client,
    }
}

/// Validates and, when valid, stores the request with its audit row in one transaction. The
/// caller answers only after this returns, so an acknowledged request is on disk.
pub async fn submit(
    state: &AppState,
    kommunkod: &str,
    raw: &RawContactRequest,
    origin: &Origin,
) -> Result<Submitted, PageError> {
    let today = state.clock.today();
    let req = match validate(raw, today) {
        Ok(r) => r,
        Err(e) => return Ok(Submitted::Invalid(e)),
    };
    let reference = store::contact_requests::create(
        &state.db,
        kommunkod,
        &req,
        state.clock.now(),
        today,
        origin,
        false,
    )
    .await?;
    state
        .metrics
        .contact_requests_created
        .fetch_add(1, Ordering::Relaxed);
    Ok(Submitted::Stored {
        reference,
        young_carer: req.is_young_carer(today),
    })
}

/// The first journal entry of a case opened from a contact request: what the carer asked for,
/// in their words, and how to reach them, so the officer copies nothing by hand.
pub fn case_opening_entry(
    t: &crate::i18n::I18n,
    r: &store::contact_requests::StoredContactRequest,
) -> String {
    let received = domain::clock::stockholm_date(r.received_at).to_string();
    let mut lines = vec![t.get2(
        "case-entry-from-request",
        ("reference", r.reference.as_str()),
        ("date", received.as_str()),
    )];
    if !r.wants.is_empty() {
        let wants: Vec<String> = r
            .wants
            .iter()
            .map(|w| t.get(&format!("want-{w}")))
            .collect();
        lines.push(t.get1("case-entry-wants", "wants", &wants.join(", ")));
    }
    if let Some(m) = r.message.as_deref().filter(|m| !m.trim().is_empty()) {
        lines.push(t.get1("case-entry-message", "message", m.trim()));
    }
    let reach: Vec<&str> = [r.phone.as_deref(), r.email.as_deref()]
        .into_iter()
        .flatten()
        .filter(|x| !x.trim().is_empty())
        .collect();
    if !reach.is_empty() {
        lines.push(t.get1("case-entry-reach", "reach", &reach.join(", ")));
    }
    if let Some(time) = &r.preferred_time {
        lines.push(t.get1("case-entry-time", "time", &t.get(&format!("time-{time}"))));
    }
    lines.join("\n")
}
