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
