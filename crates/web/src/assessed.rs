//! One function per step of assessed support, shared by the portal, the staff pages and the
//! JSON API: each validates with `domain::assessed`, takes its periods and legal references
//! from the law table, and calls the store. Access is checked by the caller, which knows how
//! to answer a refusal (a page or a 404).

use crate::error::PageError;
use crate::AppState;
use chrono::NaiveDate;
use domain::assessed::{self, Applicable, RawApplication, RawDecision};
use domain::catalogue::Track;
use domain::FieldErrors;
use store::access::CaseGrant;
use store::assessed::{DecisionInput, Refusal, Submitted};
use store::audit::Origin;

/// A refusal from the store as a field error, as validation errors are.
pub fn refusal(r: Refusal) -> FieldErrors {
    FieldErrors::one(refusal_field(r), refusal_message_id(r))
}

/// The form field a refusal is shown next to.
pub fn refusal_field(r: Refusal) -> &'static str {
    use Refusal::*;
    match r {
        NotFound => "id",
        CommunicationPending | CommunicationMissing => "communication_waiver",
        NoticeAlreadyRecorded | NoNotice => "notice",
        AppealBeforeNotice => "received_on",
        AppealNotLate | AppealLate | AppealClosed | NotForwarded | AlreadyForwarded => "appeal",
        NotReconsidered => "reconsideration",
        NotGranted | AlreadyOrdered | NotOrdered => "execution",
        AlreadyStarted | NotRunning | NotInterrupted | AlreadyEnded | BeforeDecision => "on_date",
        DecisionRequestTooEarly | DecisionRequestAgain => "kind",
        AlreadyWithdrawn => "consent",
        AlreadyAnswered => "answer",
        UnknownInsats => "insats",
        ConsentMissing => "outcome",
    }
}

/// The Fluent message that explains a refusal.
pub fn refusal_message_id(r: Refusal) -> &'static str {
    use Refusal::*;
    match r {
        NotFound => "refusal-not-found",
        CommunicationPending => "refusal-communication-pending",
        CommunicationMissing => "refusal-communication-missing",
        NoticeAlreadyRecorded => "refusal-notice-recorded",
        NoNotice => "refusal-no-notice",
        AppealBeforeNotice => "error-appeal-before-notice",
        AppealNotLate => "refusal-appeal-not-late",
        AppealLate => "refusal-appeal-late",
        AppealClosed => "refusal-appeal-closed",
        NotForwarded => "refusal-not-forwarded",
        NotReconsidered => "refusal-not-reconsidered",
        AlreadyForwarded => "refusal-already-forwarded",
        NotGranted => "refusal-not-granted",
        AlreadyOrdered => "refusal-already-ordered",
        NotOrdered => "refusal-not-ordered",
        AlreadyStarted => "refusal-already-started",
        NotRunning => "refusal-not-running",
        NotInterrupted => "refusal-not-interrupted",
        AlreadyEnded => "refusal-already-ended",
        BeforeDecision => "refusal-before-decision",
        DecisionRequestTooEarly => "refusal-decision-request-early",
        DecisionRequestAgain => "refusal-decision-request-again",
        AlreadyWithdrawn => "refusal-consent-withdrawn",
        AlreadyAnswered => "refusal-already-answered",
        UnknownInsats => "refusal-unknown-insats",
        ConsentMissing => "refusal-consent-missing",
    }
}

/// The municipality's entries that are decided after an individual assessment.
pub async fn applicable(state: &AppState, kommunkod: &str) -> Result<Vec<Applicable>, PageError> {
    let c = crate::content::load(state, kommunkod)
        .await?
        .ok_or(PageError::NotFound)?;
    Ok(c.entries
        .iter()
        .map(|e| &e.item)
        .filter(|e| matches!(e.track, Track::AssessedSol | Track::AssessedLss))
        .map(|e| Applicable {
            slug: e.slug.clone(),
            title: e.title.clone(),
            track: e.track.as_str().to_owned(),
            legal_ref: e.legal_ref.clone(),
            consent_required: e.consent_required,
        })
        .collect())
}

/// Validates and stores an application; the answer comes after the commit.
pub async fn submit_application(
    state: &AppState,
    kommunkod: &str,
    raw: &RawApplication,
    by: Option<i64>,
    origin: &Origin,
) -> Result<Result<Submitted, FieldErrors>, PageError> {
    let catalogue = applicable(state, kommunkod).await?;
    let today = state.clock.today();
    // The public cannot date what they send: the server's day counts. Staff registering a
    // letter or a call may give the day it came, but not before the municipality began here.
    let dated_today;
    let (raw, earliest) = match by {
        None => {
            dated_today = RawApplication {
                received_on: String::new(),
                ..raw.clone()
            };
            (&dated_today, None)
        }
        Some(_) => (
            raw,
            store::municipalities::joined_on(&state.db, kommunkod).await?,
        ),
    };
    let valid = match assessed::validate_application(raw, &catalogue, today, earliest) {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    let app = store::assessed::NewApplication {
        applicant: valid.applicant,
        applicant_role: valid.role,
        recipient_name: valid.recipient_name,
        requested: valid
            .requested
            .into_iter()
            .map(|a| store::assessed::Requested {
                catalogue_slug: Some(a.slug).filter(|s| !s.is_empty()),
                title: a.title,
                track: a.track,
                legal_ref: a.legal_ref,
                consent_required: a.consent_required,
            })
            .collect(),
        received_on: valid.received_on,
        channel: valid.channel,
        message: valid.message,
        consent: raw.consent,
    };
    let submitted = store::assessed::submit(
        &state.db,
        kommunkod,
        &app,
        by,
        false,
        state.clock.now(),
        origin,
    )
    .await?;
    Ok(Ok(submitted))
}

fn period(state: &AppState, code: &str, on: NaiveDate) -> Result<domain::law::Period, PageError> {
    state
        .law
        .period(code, on)
        .cloned()
        .ok_or_else(|| PageError::internal(format!("law table has no period {code} on {on}")))
}

/// A decision as entered, for [`decide`].
#[derive(Debug, Clone, Default)]
pub struct DecisionForm {
    pub applied_id: Option<i64>,
    pub insats: String,
    pub raw: RawDecision,
    pub legal_basis: String,
    pub communication_waiver: String,
}

/// Registers a decision on a case the caller may decide on.
pub async fn decide(
    state: &AppState,
    grant: &CaseGrant,
    form: &DecisionForm,
    by: i64,
    origin: &Origin,
) -> Result<Result<i64, FieldErrors>, PageError> {
    let today = state.clock.today();
    let assessed = store::assessed::of_case(&state.db, grant).await?;
    let received = assessed.received_on.unwrap_or(NaiveDate::MIN);
    let decision = match assessed::validate_decision(&form.raw, received, today) {
        Ok(d) => d,
        Err(e) => return Ok(Err(e)),
    };
    let insats = form.insats.trim();
    if form.applied_id.is_none() && insats.is_empty() {
        return Ok(Err(FieldErrors::one("insats", "error-insats-required")));
    }
    if insats.chars().count() > assessed::MAX_TITLE {
        return Ok(Err(FieldErrors::one("insats", "error-too-long")));
    }
    let legal_basis = form.legal_basis.trim();
    if !legal_basis.is_empty()
        && state
            .law
            .reference(legal_basis, decision.decided_on)
            .is_none()
    {
        return Ok(Err(FieldErrors::one("legal_basis", "error-legal-basis")));
    }
    let waiver = form.communication_waiver.trim();
    let waiver = if waiver.is_empty() {
        None
    } else {
        match assessed::validate_text("communication_waiver", waiver, assessed::MIN_REASONS) {
            Ok(w) => Some(w),
            Err(e) => return Ok(Err(e)),
        }
    };
    let follow_up = period(state, "follow-up", decision.decided_on)?;
    let follow_up_on = Some(assessed::follow_up_on(&decision, &follow_up));
    let input = DecisionInput {
        applied_id: form.applied_id,
        insats: Some(insats.to_owned()).filter(|s| !s.is_empty()),
        decision,
        legal_ref: Some(legal_basis.to_owned()).filter(|s| !s.is_empty()),
        communication_waiver: waiver,
    };
    let law = state.law.clone();
    let cite = move |code: &str, on: NaiveDate| law.reference(code, on).map(|r| r.citation.clone());
    let r = store::assessed::decide(
        &state.db,
        grant,
        &input,
        cite,
        follow_up_on,
        by,
        false,
        state.clock.now(),
        origin,
    )
    .await?;
    Ok(r.map_err(refusal))
}

/// Records the notice of a decision and sets its appeal deadline from the law table.
#[allow(clippy::too_many_arguments)]
pub async fn record_notice(
    state: &AppState,
    grant: &CaseGrant,
    decision_id: i64,
    method: &str,
    sent_on: &str,
    received_on: &str,
    by: i64,
    origin: &Origin,
) -> Result<Result<NaiveDate, FieldErrors>, PageError> {
    let now = state.clock.now();
    let Some(d) = store::assessed::decision(&state.db, grant, decision_id, now, origin).await?
    else {
        return Err(PageError::NotFound);
    };
    // By post with no day given, the law table's rule presumes it.
    let notice = match assessed::validate_notice(
        method,
        sent_on,
        received_on,
        d.decided_on,
        state.clock.today(),
        |sent| state.law.period("post-receipt", sent).cloned(),
    ) {
        Ok(n) => n,
        Err(e) => return Ok(Err(e)),
    };
    let deadline = assessed::appeal_deadline(
        notice.received_on,
        &period(state, "appeal", notice.received_on)?,
    );
    let r = store::assessed::record_notice(
        &state.db,
        grant,
        decision_id,
        &notice,
        deadline,
        by,
        now,
        origin,
    )
    .await?;
    Ok(r.map(|_| deadline).map_err(refusal))
}

/// Confirms the real day of receipt of a notice by post whose day was presumed; the appeal
/// deadline follows it.
pub async fn confirm_receipt(
    state: &AppState,
    grant: &CaseGrant,
    decision_id: i64,
    received_on: &str,
    by: i64,
    origin: &Origin,
) -> Result<Result<NaiveDate, FieldErrors>, PageError> {
    let now = state.clock.now();
    let Some(d) = store::assessed::decision(&state.db, grant, decision_id, now, origin).await?
    else {
        return Err(PageError::NotFound);
    };
    let Some(sent_on) = d.sent_on.filter(|_| d.received_presumed) else {
        return Ok(Err(refusal(Refusal::NoticeAlreadyRecorded)));
    };
    let received =
        match assessed::validate_confirmed_receipt(received_on, sent_on, state.clock.today()) {
            Ok(r) => r,
            Err(e) => return Ok(Err(e)),
        };
    let deadline = assessed::appeal_deadline(received, &period(state, "appeal", received)?);
    let r = store::assessed::confirm_receipt(
        &state.db,
        grant,
        decision_id,
        received,
        deadline,
        by,
        now,
        origin,
    )
    .await?;
    Ok(r.map(|_| deadline).map_err(refusal))
}

/// Registers an appeal against a decision whose notice is recorded.
pub async fn register_appeal(
    state: &AppState,
    grant: &CaseGrant,
    decision_id: i64,
    received_on: &str,
    note: &str,
    by: i64,
    origin: &Origin,
) -> Result<Result<store::assessed::AppealRow, FieldErrors>, PageError> {
    let now = state.clock.now();
    let Some(d) = store::assessed::decision(&state.db, grant, decision_id, now, origin).await?
    else {
        return Err(PageError::NotFound);
    };
    let Some(notice_received) = d.received_on else {
        return Ok(Err(refusal(Refusal::NoNotice)));
    };
    let earliest = assessed::earliest_appeal_day(notice_received, d.received_presumed, d.sent_on);
    let date = match assessed::validate_appeal_date(received_on, earliest, state.clock.today()) {
        Ok(d) => d,
        Err(e) => return Ok(Err(e)),
    };
    let note = Some(note.trim()).filter(|n| !n.is_empty());
    let r = store::assessed::register_appeal(
        &state.db,
        grant,
        decision_id,
        date,
        note,
        by,
        now,
        origin,
    )
    .await?;
    Ok(r.map_err(refusal))
}

/// The legal reference of a code on a date, as letters cite it.
pub fn citation(state: &AppState, code: &str, on: NaiveDate) -> String {
    state
        .law
        .reference(code, on)
        .map(|r| r.citation.clone())
        .unwrap_or_default()
}

/// What a decision grants, in words: hours, days, the officer's own words and the period.
pub fn scope_text(t: &crate::i18n::I18n, d: &store::assessed::DecisionRow) -> String {
    let mut parts = Vec::new();
    if let Some(h) = d.hours_per_month {
        parts.push(t.get1("scope-hours", "n", &h.to_string()));
    }
    if let Some(n) = d.days_per_week {
        parts.push(t.get1("scope-days", "n", &n.to_string()));
    }
    if !d.scope_text.is_empty() {
        parts.push(d.scope_text.clone());
    }
    match (d.period_from, d.period_to) {
        (Some(f), Some(to)) => parts.push(format!("{f} – {to}")),
        (Some(f), None) => parts.push(t.get1("scope-from", "date", &f.to_string())),
        _ => {}
    }
    parts.join(", ")
}
