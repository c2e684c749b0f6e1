//! Assessed support (bistånd): the application, the investigation, kommunicering, the
//! decision, its notice and appeal clock, appeals, execution and the report of decisions not
//! carried out. The kinds, and the rules for new input; dates and periods come from the law
//! table (`data/law.toml`) through [`crate::calendar`].

use crate::calendar;
use crate::law::Period;
use crate::FieldErrors;
use chrono::NaiveDate;

pub mod appeal;
pub mod steps;
pub use steps::Refusal;

wire_enum!(
    /// Who applies: the carer in their own right, the care recipient, or their guardian.
    ApplicantRole {
        Carer = "carer",
        CareRecipient = "care_recipient",
        Guardian = "guardian",
    }
);

wire_enum!(
    /// How an application reached the municipality.
    Channel {
        Online = "online",
        Phone = "phone",
        Letter = "letter",
        InPerson = "in_person",
        Api = "api",
    }
);

wire_enum!(
    Outcome {
        Granted = "granted",
        PartlyGranted = "partly_granted",
        Refused = "refused",
    }
);

impl Outcome {
    /// Whether the decision gives something that must then be carried out.
    pub fn grants(self) -> bool {
        matches!(self, Outcome::Granted | Outcome::PartlyGranted)
    }
}

wire_enum!(
    /// How the decision was made known to the party (FL 33 §).
    NoticeMethod {
        Post = "post",
        Portal = "portal",
        InPerson = "in_person",
    }
);

wire_enum!(
    /// How material from others was sent to the party (FL 25 §).
    CommunicationMethod {
        Letter = "letter",
        Email = "email",
        Portal = "portal",
    }
);

wire_enum!(
    /// The areas of the investigation: the IBIC life areas, the carer's own situation, the
    /// care recipient's views, and the carer perspective in the care recipient's case.
    Area {
        Learning = "learning",
        GeneralTasks = "general_tasks",
        Communication = "communication",
        Mobility = "mobility",
        SelfCare = "self_care",
        DomesticLife = "domestic_life",
        Relations = "relations",
        WorkEconomy = "work_economy",
        CommunityLife = "community_life",
        Security = "security",
        CarerSupport = "carer_support",
        CarerHealth = "carer_health",
        CarerWork = "carer_work",
        CarerRest = "carer_rest",
        CarerSocial = "carer_social",
        CarerEconomy = "carer_economy",
        RecipientViews = "recipient_views",
        PerspectiveCooperation = "perspective_cooperation",
        PerspectiveParticipation = "perspective_participation",
        PerspectiveViews = "perspective_views",
        PerspectiveOwnNeeds = "perspective_own_needs",
        PerspectiveInformed = "perspective_informed",
        PerspectiveContact = "perspective_contact",
        PerspectiveHealthCare = "perspective_health_care",
    }
);

impl Area {
    /// The group the area is shown under.
    pub fn group(self) -> &'static str {
        let s = self.as_str();
        if s.starts_with("carer_") && self != Area::CarerSupport {
            "carer"
        } else if s.starts_with("perspective_") {
            "perspective"
        } else if self == Area::RecipientViews {
            "recipient"
        } else {
            "ibic"
        }
    }
}

wire_enum!(
    /// What a consent covers.
    ConsentScope {
        /// The care recipient agrees to respite, växelvård or day activity.
        Respite = "respite",
        /// Information may be shared with the carer in the care recipient's case.
        ShareWithCarer = "share_with_carer",
        /// Information may be shared with health care (e.g. for a SIP).
        ShareWithHealthCare = "share_with_health_care",
        Other = "other",
    }
);

wire_enum!(
    AppealException {
        /// The appeal instructions were wrong.
        WrongInstructions = "wrong_instructions",
        /// The appeal reached the court within the deadline.
        ReachedCourtInTime = "reached_court_in_time",
    }
);

wire_enum!(
    /// The board's reconsideration of its own decision (FL 37–39 §§).
    Reconsideration {
        /// Changed as the party asked: the appeal lapses.
        ChangedFully = "changed_fully",
        ChangedPartly = "changed_partly",
        Unchanged = "unchanged",
    }
);

wire_enum!(
    CourtOutcome {
        /// The appeal was rejected: the decision stands.
        Rejected = "rejected",
        /// The court changed the decision.
        Changed = "changed",
        /// Sent back to the board for new handling.
        Returned = "returned",
        Dismissed = "dismissed",
    }
);

wire_enum!(
    /// What happens to a granted decision once it is ordered from a provider.
    ExecutionEvent {
        Started = "started",
        Interrupted = "interrupted",
        Resumed = "resumed",
        Ended = "ended",
        /// An offer made to the party while the decision waits (reported to IVO).
        Offered = "offered",
    }
);

pub const MAX_REASONS: usize = 10_000;
pub const MIN_REASONS: usize = 20;
pub const MAX_TEXT: usize = 10_000;
pub const MAX_TITLE: usize = 200;
pub const MAX_REQUESTED: usize = 10;

/// A date field as typed: empty is `None`, anything else must be an ISO date.
pub fn parse_date(
    errors: &mut FieldErrors,
    field: &'static str,
    raw: &str,
    required: bool,
) -> Option<NaiveDate> {
    let raw = raw.trim();
    if raw.is_empty() {
        if required {
            errors.add(field, "error-date-required");
        }
        return None;
    }
    match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.add(field, "error-date-invalid");
            None
        }
    }
}

fn no_future(
    errors: &mut FieldErrors,
    field: &'static str,
    d: Option<NaiveDate>,
    today: NaiveDate,
) {
    if d.is_some_and(|d| d > today) {
        errors.add(field, "error-date-future");
    }
}

fn text(
    errors: &mut FieldErrors,
    field: &'static str,
    raw: &str,
    min: usize,
    max: usize,
    missing: &'static str,
) -> String {
    let t = raw.trim().replace("\r\n", "\n");
    let n = t.chars().count();
    if n == 0 && min > 0 {
        errors.add(field, missing);
    } else if n < min {
        errors.add(field, "error-text-short");
    } else if n > max {
        errors.add(field, "error-text-long");
    }
    t
}

/// What a decision states about the extent of the support.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scope {
    pub hours_per_month: Option<f64>,
    pub days_per_week: Option<f64>,
    pub text: String,
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawDecision {
    pub outcome: String,
    pub hours_per_month: String,
    pub days_per_week: String,
    pub scope_text: String,
    pub period_from: String,
    pub period_to: String,
    pub reasons: String,
    pub decided_on: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewDecision {
    pub outcome: Outcome,
    pub scope: Scope,
    pub reasons: String,
    pub decided_on: NaiveDate,
}

fn number(errors: &mut FieldErrors, field: &'static str, raw: &str, max: f64) -> Option<f64> {
    let raw = raw.trim().replace(',', ".");
    if raw.is_empty() {
        return None;
    }
    match raw.parse::<f64>() {
        Ok(n) if n.is_finite() && n > 0.0 && n <= max => Some(n),
        _ => {
            errors.add(field, "error-number-invalid");
            None
        }
    }
}

/// A decision as entered: the reasons are required (FL 32 §), the dates real and not in the
/// future, the period in order. `received_on` is the application's date: nothing is decided
/// before it arrived.
pub fn validate_decision(
    raw: &RawDecision,
    received_on: NaiveDate,
    today: NaiveDate,
) -> Result<NewDecision, FieldErrors> {
    let mut errors = FieldErrors::new();
    let outcome = Outcome::parse(raw.outcome.trim());
    if outcome.is_none() {
        errors.add("outcome", "error-outcome-required");
    }
    let reasons = text(
        &mut errors,
        "reasons",
        &raw.reasons,
        MIN_REASONS,
        MAX_REASONS,
        "error-reasons-required",
    );
    let decided_on = parse_date(&mut errors, "decided_on", &raw.decided_on, true);
    no_future(&mut errors, "decided_on", decided_on, today);
    if decided_on.is_some_and(|d| d < received_on) {
        errors.add("decided_on", "error-decided-before-received");
    }
    let period_from = parse_date(&mut errors, "period_from", &raw.period_from, false);
    let period_to = parse_date(&mut errors, "period_to", &raw.period_to, false);
    if let (Some(f), Some(t)) = (period_from, period_to) {
        if t < f {
            errors.add("period_to", "error-period-order");
        }
    }
    // At most every hour of a month; at most seven days a week.
    let hours_per_month = number(&mut errors, "hours_per_month", &raw.hours_per_month, 744.0);
    let days_per_week = number(&mut errors, "days_per_week", &raw.days_per_week, 7.0);
    let scope_text = text(&mut errors, "scope_text", &raw.scope_text, 0, 500, "");
    match (outcome, decided_on, errors.is_empty()) {
        (Some(outcome), Some(decided_on), true) => Ok(NewDecision {
            outcome,
            scope: Scope {
                hours_per_month,
                days_per_week,
                text: scope_text,
                period_from,
                period_to,
            },
            reasons,
            decided_on,
        }),
        _ => Err(errors),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewNotice {
    pub method: NoticeMethod,
    pub sent_on: NaiveDate,
    pub received_on: NaiveDate,
    /// The day of receipt is the one presumed for post (the officer did not know it); it may
    /// lie ahead, and is confirmed later when known.
    pub presumed: bool,
}

/// The notice of a decision: sent on or after the decision, received on or after it was sent,
/// neither in the future. Sent by post with no day of receipt, the day the law table's
/// `post-receipt` period presumes (`post_receipt`, in force on the day sent) is taken, even
/// when it is still to come: the appeal clock runs from it.
pub fn validate_notice(
    method: &str,
    sent_on: &str,
    received_on: &str,
    decided_on: NaiveDate,
    today: NaiveDate,
    post_receipt: impl Fn(NaiveDate) -> Option<Period>,
) -> Result<NewNotice, FieldErrors> {
    let mut errors = FieldErrors::new();
    let method = NoticeMethod::parse(method.trim());
    if method.is_none() {
        errors.add("method", "error-notice-method");
    }
    let sent = parse_date(&mut errors, "sent_on", sent_on, true);
    no_future(&mut errors, "sent_on", sent, today);
    let presumed = method == Some(NoticeMethod::Post) && received_on.trim().is_empty();
    let received = if presumed {
        sent.and_then(|s| post_receipt(s).map(|p| proposed_post_receipt(s, &p)))
    } else {
        let r = parse_date(&mut errors, "received_on", received_on, true);
        no_future(&mut errors, "received_on", r, today);
        r
    };
    if sent.is_some_and(|s| s < decided_on) {
        errors.add("sent_on", "error-sent-before-decision");
    }
    if let (Some(s), Some(r)) = (sent, received) {
        if r < s {
            errors.add("received_on", "error-received-before-sent");
        }
    }
    match (method, sent, received, errors.is_empty()) {
        (Some(method), Some(sent_on), Some(received_on), true) => Ok(NewNotice {
            method,
            sent_on,
            received_on,
            presumed,
        }),
        (_, Some(_), None, true) => {
            // Post without a known day, and no rule in force to presume one.
            errors.add("received_on", "error-required");
            Err(errors)
        }
        _ => Err(errors),
    }
}

/// The day a decision sent on `sent_on` really reached the party, confirming a presumed one:
/// not before it was sent and not in the future.
pub fn validate_confirmed_receipt(
    received_on: &str,
    sent_on: NaiveDate,
    today: NaiveDate,
) -> Result<NaiveDate, FieldErrors> {
    let mut errors = FieldErrors::new();
    let r = parse_date(&mut errors, "received_on", received_on, true);
    no_future(&mut errors, "received_on", r, today);
    if r.is_some_and(|r| r < sent_on) {
        errors.add("received_on", "error-received-before-sent");
    }
    match (r, errors.is_empty()) {
        (Some(r), true) => Ok(r),
        _ => Err(errors),
    }
}

/// The appeal deadline: three weeks (the law table's period) from the day the party received
/// the decision, moved past closed days (lag 1930:173).
pub fn appeal_deadline(received_on: NaiveDate, period: &Period) -> NaiveDate {
    calendar::statutory_deadline(received_on, period)
}

/// When a granting decision is followed up: the law table's `follow-up` period from the day
/// the support starts (never before the decision itself).
pub fn follow_up_on(decision: &NewDecision, period: &Period) -> NaiveDate {
    let start = decision
        .scope
        .period_from
        .unwrap_or(decision.decided_on)
        .max(decision.decided_on);
    calendar::add_period(start, period)
}

/// The day a decision sent by post is taken to have reached the party when the officer does
/// not know it: the `post-receipt` period after sending, moved to the next open day.
pub fn proposed_post_receipt(sent_on: NaiveDate, period: &Period) -> NaiveDate {
    calendar::next_open_day(calendar::add_period(sent_on, period))
}

/// Whether an appeal is in time: it reached the board on or before the deadline (FL 45 §).
pub fn appeal_timely(appeal_received_on: NaiveDate, deadline: NaiveDate) -> bool {
    appeal_received_on <= deadline
}

/// The first day an appeal can have reached the board: the day the party received the
/// decision; when that day is only presumed (a notice by post), the day the notice was sent,
/// since an appeal shows the party had the decision, whatever the presumption said.
pub fn earliest_appeal_day(
    notice_received_on: NaiveDate,
    received_presumed: bool,
    notice_sent_on: Option<NaiveDate>,
) -> NaiveDate {
    match (received_presumed, notice_sent_on) {
        (true, Some(sent)) => sent.min(notice_received_on),
        _ => notice_received_on,
    }
}

/// The date an appeal reached the board: not before the party can have received the decision
/// (`earliest_appeal_day`), and not in the future.
pub fn validate_appeal_date(
    raw: &str,
    decision_received_on: NaiveDate,
    today: NaiveDate,
) -> Result<NaiveDate, FieldErrors> {
    let mut errors = FieldErrors::new();
    let d = parse_date(&mut errors, "received_on", raw, true);
    no_future(&mut errors, "received_on", d, today);
    if d.is_some_and(|d| d < decision_received_on) {
        errors.add("received_on", "error-appeal-before-notice");
    }
    match (d, errors.is_empty()) {
        (Some(d), true) => Ok(d),
        _ => Err(errors),
    }
}

/// A free text that must say something (reasons for a dismissal, a waiver, a note).
pub fn validate_text(field: &'static str, raw: &str, min: usize) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::new();
    let t = text(
        &mut errors,
        field,
        raw,
        min,
        MAX_TEXT,
        "error-text-required",
    );
    if errors.is_empty() {
        Ok(t)
    } else {
        Err(errors)
    }
}

/// A date that must be given and not lie in the future.
pub fn validate_past_date(
    field: &'static str,
    raw: &str,
    today: NaiveDate,
) -> Result<NaiveDate, FieldErrors> {
    let mut errors = FieldErrors::new();
    let d = parse_date(&mut errors, field, raw, true);
    no_future(&mut errors, field, d, today);
    match (d, errors.is_empty()) {
        (Some(d), true) => Ok(d),
        _ => Err(errors),
    }
}

// ---- Applications ----

/// An application as typed in the portal, by staff, or sent to the API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawApplication {
    pub name: String,
    pub personnummer: String,
    pub phone: String,
    pub email: String,
    pub role: String,
    pub recipient_name: String,
    /// Catalogue entry slugs, or free texts.
    pub requested: Vec<String>,
    pub free_text: String,
    pub received_on: String,
    pub channel: String,
    pub message: String,
    pub consent: bool,
}

/// An assessed catalogue entry that may be applied for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applicable {
    pub slug: String,
    pub title: String,
    pub track: String,
    pub legal_ref: Option<String>,
    pub consent_required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidApplication {
    pub applicant: crate::case::NewPerson,
    pub role: ApplicantRole,
    pub recipient_name: Option<String>,
    /// Each with its catalogue entry, or a free text (slug `None`).
    pub requested: Vec<Applicable>,
    pub received_on: NaiveDate,
    pub channel: Channel,
    pub message: Option<String>,
}

/// Splits "Förnamn Efternamn" at the last space.
fn split_name(name: &str) -> Option<(String, String)> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let (given, family) = name.rsplit_once(' ')?;
    Some((given.to_owned(), family.to_owned()))
}

/// Validates an application. Anything requested that is not an assessed entry of the
/// catalogue is kept as free text: a carer may apply for anything. `received_on` may be
/// left empty (today); a date in the future, or before `earliest` (the day the municipality
/// began using the system), is refused.
pub fn validate_application(
    raw: &RawApplication,
    catalogue: &[Applicable],
    today: NaiveDate,
    earliest: Option<NaiveDate>,
) -> Result<ValidApplication, FieldErrors> {
    let mut errors = FieldErrors::new();
    let (given, family) = match split_name(&raw.name) {
        Some(n) => n,
        None => {
            errors.add("name", "error-name-full");
            (String::new(), String::new())
        }
    };
    let person = crate::case::validate_person(
        &crate::case::RawPerson {
            id_number: raw.personnummer.clone(),
            given_name: given,
            family_name: family,
            phone: raw.phone.clone(),
            email: raw.email.clone(),
            protection: "none".into(),
            ..Default::default()
        },
        today,
    );
    let person = match person {
        Ok(p) => Some(p),
        Err(e) => {
            errors.merge(e.rename(|field| match field {
                "id_number" => "personnummer",
                "given_name" | "family_name" => "name",
                f => f,
            }));
            None
        }
    };
    if raw.personnummer.trim().is_empty() {
        errors.add("personnummer", "error-personnummer-required");
    }
    let role = if raw.role.trim().is_empty() {
        Some(ApplicantRole::Carer)
    } else {
        ApplicantRole::parse(raw.role.trim())
    };
    if role.is_none() {
        errors.add("role", "error-choose-one");
    }
    let mut requested: Vec<Applicable> = Vec::new();
    let free = raw
        .requested
        .iter()
        .map(String::as_str)
        .chain(std::iter::once(raw.free_text.as_str()))
        .map(str::trim)
        .filter(|s| !s.is_empty());
    for item in free {
        if let Some(entry) = catalogue.iter().find(|e| e.slug == item) {
            if !requested.iter().any(|r| r.slug == entry.slug) {
                requested.push(entry.clone());
            }
        } else if item.chars().count() > MAX_TITLE || item.chars().any(|c| c.is_control()) {
            errors.add("requested", "error-requested-long");
        } else {
            requested.push(Applicable {
                slug: String::new(),
                title: item.to_owned(),
                track: "free".into(),
                legal_ref: None,
                consent_required: false,
            });
        }
    }
    if requested.is_empty() {
        errors.add("requested", "error-requested-required");
    }
    if requested.len() > MAX_REQUESTED {
        errors.add("requested", "error-requested-many");
    }
    let received_on = if raw.received_on.trim().is_empty() {
        Some(today)
    } else {
        parse_date(&mut errors, "received_on", &raw.received_on, true)
    };
    no_future(&mut errors, "received_on", received_on, today);
    if let (Some(r), Some(e)) = (received_on, earliest) {
        if r < e {
            errors.add("received_on", "error-received-before-joined");
        }
    }
    let channel = if raw.channel.trim().is_empty() {
        Some(Channel::Online)
    } else {
        Channel::parse(raw.channel.trim())
    };
    if channel.is_none() {
        errors.add("channel", "error-choose-one");
    }
    let recipient_name = raw.recipient_name.trim();
    if recipient_name.chars().count() > crate::case::MAX_NAME {
        errors.add("recipient_name", "error-too-long");
    }
    let message = raw.message.trim();
    if message.chars().count() > MAX_TEXT {
        errors.add("message", "error-text-long");
    }
    if !raw.consent {
        errors.add("consent", "error-consent");
    }
    match (person, role, received_on, channel, errors.is_empty()) {
        (Some(applicant), Some(role), Some(received_on), Some(channel), true) => {
            Ok(ValidApplication {
                applicant,
                role,
                recipient_name: Some(recipient_name.to_owned()).filter(|s| !s.is_empty()),
                requested,
                received_on,
                channel,
                message: Some(message.to_owned()).filter(|s| !s.is_empty()),
            })
        }
        _ => Err(errors),
    }
}

// ---- Decisions not carried out (IVO) ----

/// What is known of one granted decision's execution.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecutionFacts {
    pub decided_on: Option<NaiveDate>,
    pub started_on: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    /// Each interruption with the day it was resumed, if it was.
    pub interruptions: Vec<(NaiveDate, Option<NaiveDate>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiting {
    /// Granted, not started.
    NotStarted,
    /// Started, then interrupted and not resumed.
    Interrupted,
}

/// One line of the quarterly report: a decision that waited longer than the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overdue {
    pub waiting: Waiting,
    /// The decision date, or the day of the interruption.
    pub since: NaiveDate,
    /// The last day within the period.
    pub due: NaiveDate,
    /// Carried out (started or resumed) in the quarter, after the period.
    pub carried_out_on: Option<NaiveDate>,
    /// Ended in the quarter without being carried out.
    pub ended_on: Option<NaiveDate>,
    /// Days from `since` to the day it was carried out, ended, or the quarter's last day.
    pub days_waited: i64,
}

fn overdue_line(
    waiting: Waiting,
    since: NaiveDate,
    carried_out: Option<NaiveDate>,
    ended: Option<NaiveDate>,
    period: &Period,
    first: NaiveDate,
    last: NaiveDate,
) -> Option<Overdue> {
    let due = calendar::add_period(since, period);
    // The wait stops when the support starts (or resumes) or the decision ends.
    let stop = match (carried_out, ended) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let late = stop.is_none_or(|s| s > due);
    // Past the period before the quarter's last day, and still waiting at some time in it.
    let in_quarter = due < last && stop.is_none_or(|s| s >= first);
    if !(late && in_quarter) {
        return None;
    }
    let until = stop.filter(|s| *s <= last).unwrap_or(last);
    let stopped_in_quarter = stop.filter(|s| *s <= last);
    let (carried_out_on, ended_on) = match stopped_in_quarter {
        Some(s) if carried_out == Some(s) => (Some(s), None),
        Some(s) => (None, Some(s)),
        None => (None, None),
    };
    Some(Overdue {
        waiting,
        since,
        due,
        carried_out_on,
        ended_on,
        days_waited: (until - since).num_days(),
    })
}

/// The report lines of one decision for the quarter `first..=last`: not started within the
/// period of its decision date, or interrupted and not resumed within the period, and still
/// so at some time in the quarter; a decision carried out or ended in the quarter after its
/// period is reported once more, with that date (old SoL 16 kap. 6 f §, LSS 28 f §).
pub fn overdue(
    facts: &ExecutionFacts,
    period: &Period,
    first: NaiveDate,
    last: NaiveDate,
) -> Vec<Overdue> {
    let mut lines = Vec::new();
    if let Some(decided) = facts.decided_on {
        lines.extend(overdue_line(
            Waiting::NotStarted,
            decided,
            facts.started_on,
            facts.ended_on,
            period,
            first,
            last,
        ));
    }
    for (from, resumed) in &facts.interruptions {
        lines.extend(overdue_line(
            Waiting::Interrupted,
            *from,
            *resumed,
            facts.ended_on,
            period,
            first,
            last,
        ));
    }
    lines
}

/// The sex as registered in a personnummer (the second-to-last digit), for the reports'
/// women/men columns; unknown without a number.
pub fn registered_sex(id_number: Option<&str>) -> &'static str {
    let digit = id_number
        .and_then(|n| n.chars().filter(|c| c.is_ascii_digit()).nth_back(1))
        .and_then(|c| c.to_digit(10));
    match digit {
        Some(d) if d % 2 == 1 => "man",
        Some(_) => "woman",
        None => "unknown",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::law::LawTable;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn period(code: &str) -> Period {
        LawTable::shipped()
            .unwrap()
            .period(code, d("2026-11-25"))
            .unwrap()
            .clone()
    }

    fn raw() -> RawDecision {
        RawDecision {
            outcome: "partly_granted".into(),
            hours_per_month: "16".into(),
            days_per_week: String::new(),
            scope_text: "Avlösning i hemmet".into(),
            period_from: "2026-12-01".into(),
            period_to: "2027-05-31".into(),
            reasons: "Behovet av avlösning är styrkt men inte i den omfattning som söktes.".into(),
            decided_on: "2026-11-20".into(),
        }
    }

    #[test]
    fn follow_up_counts_from_the_start_of_the_support() {
        let p = period("follow-up");
        let mut dec = NewDecision {
            outcome: Outcome::Granted,
            scope: Scope::default(),
            reasons: "Behovet är utrett.".into(),
            decided_on: d("2026-03-10"),
        };
        assert_eq!(follow_up_on(&dec, &p), d("2026-09-10"));
        dec.scope.period_from = Some(d("2026-04-01"));
        assert_eq!(follow_up_on(&dec, &p), d("2026-10-01"));
        // A period said to start before the decision starts on the decision day.
        dec.scope.period_from = Some(d("2026-01-01"));
        assert_eq!(follow_up_on(&dec, &p), d("2026-09-10"));
    }

    #[test]
    fn post_is_taken_to_arrive_two_days_later_on_an_open_day() {
        let p = period("post-receipt");
        // Monday → Wednesday.
        assert_eq!(proposed_post_receipt(d("2026-11-23"), &p), d("2026-11-25"));
        // Thursday → Saturday → Monday.
        assert_eq!(proposed_post_receipt(d("2026-11-26"), &p), d("2026-11-30"));
        // 22 December → Christmas Eve (closed) → the 28th, after Christmas and Boxing Day
        // and a Sunday.
        assert_eq!(proposed_post_receipt(d("2026-12-22"), &p), d("2026-12-28"));
    }

    #[test]
    fn a_full_decision_passes() {
        let n = validate_decision(&raw(), d("2026-10-01"), d("2026-11-25")).unwrap();
        assert_eq!(n.outcome, Outcome::PartlyGranted);
        assert_eq!(n.scope.hours_per_month, Some(16.0));
        assert_eq!(n.scope.period_to, Some(d("2027-05-31")));
    }

    #[test]
    fn bad_decisions_name_their_fields() {
        let cases: Vec<(RawDecision, &str, &str)> = vec![
            (
                RawDecision {
                    reasons: " ".into(),
                    ..raw()
                },
                "reasons",
                "error-reasons-required",
            ),
            (
                RawDecision {
                    reasons: "för kort".into(),
                    ..raw()
                },
                "reasons",
                "error-text-short",
            ),
            (
                RawDecision {
                    outcome: "maybe".into(),
                    ..raw()
                },
                "outcome",
                "error-outcome-required",
            ),
            (
                RawDecision {
                    decided_on: "2026-11-26".into(),
                    ..raw()
                },
                "decided_on",
                "error-date-future",
            ),
            (
                RawDecision {
                    decided_on: "2026-09-30".into(),
                    ..raw()
                },
                "decided_on",
                "error-decided-before-received",
            ),
            (
                RawDecision {
                    period_to: "2026-11-30".into(),
                    ..raw()
                },
                "period_to",
                "error-period-order",
            ),
            (
                RawDecision {
                    hours_per_month: "-3".into(),
                    ..raw()
                },
                "hours_per_month",
                "error-number-invalid",
            ),
            (
                RawDecision {
                    decided_on: "2026-02-30".into(),
                    ..raw()
                },
                "decided_on",
                "error-date-invalid",
            ),
        ];
        for (r, field, id) in cases {
            let e = validate_decision(&r, d("2026-10-01"), d("2026-11-25")).unwrap_err();
            assert_eq!(e.messages(field), [id], "{r:?}");
        }
    }

    #[test]
    fn notice_dates_follow_each_other() {
        let today = d("2026-11-25");
        let decided = d("2026-11-20");
        let none = |_| None;
        let ok = validate_notice("post", "2026-11-20", "2026-11-23", decided, today, none).unwrap();
        assert_eq!(ok.method, NoticeMethod::Post);
        assert!(!ok.presumed);
        let e =
            validate_notice("post", "2026-11-19", "2026-11-23", decided, today, none).unwrap_err();
        assert!(e.has("sent_on"));
        let e =
            validate_notice("post", "2026-11-22", "2026-11-21", decided, today, none).unwrap_err();
        assert!(e.has("received_on"));
        let e = validate_notice("portal", "2026-11-22", "2026-11-26", decided, today, none)
            .unwrap_err();
        assert_eq!(e.messages("received_on"), ["error-date-future"]);
        let e = validate_notice("pigeon", "2026-11-22", "2026-11-23", decided, today, none)
            .unwrap_err();
        assert!(e.has("method"));
    }

    #[test]
    fn a_notice_posted_today_takes_the_presumed_day_of_receipt_though_it_is_ahead() {
        let law = LawTable::shipped().unwrap();
        let rule = |sent| law.period("post-receipt", sent).cloned();
        let today = d("2026-11-25");
        let n = validate_notice("post", "2026-11-25", "", d("2026-11-24"), today, rule).unwrap();
        assert!(n.presumed);
        assert!(n.received_on > today, "{n:?}");
        assert_eq!(
            n.received_on,
            proposed_post_receipt(today, law.period("post-receipt", today).unwrap())
        );
        // Only post presumes: another way of notice needs the day.
        let e =
            validate_notice("portal", "2026-11-25", "", d("2026-11-24"), today, rule).unwrap_err();
        assert!(e.has("received_on"));
        // Without a rule in force nothing is presumed, and the field says so.
        let e = validate_notice("post", "2026-11-25", "", d("2026-11-24"), today, |_| None)
            .unwrap_err();
        assert_eq!(e.messages("received_on"), ["error-required"]);
        // Confirming: a real day, not ahead, not before sending.
        assert_eq!(
            validate_confirmed_receipt("2026-11-26", d("2026-11-25"), d("2026-11-27")),
            Ok(d("2026-11-26"))
        );
        assert!(
            validate_confirmed_receipt("2026-11-28", d("2026-11-25"), d("2026-11-27")).is_err()
        );
        assert!(
            validate_confirmed_receipt("2026-11-24", d("2026-11-25"), d("2026-11-27")).is_err()
        );
        assert!(validate_confirmed_receipt("", d("2026-11-25"), d("2026-11-27")).is_err());
    }

    #[test]
    fn an_appeal_on_the_monday_after_a_weekend_deadline_is_timely() {
        // Received Friday 2026-10-16; three weeks is Friday 2026-11-06... use a Saturday end:
        // received Saturday 2026-10-17 (a notice handed over at a weekend visit).
        let deadline = appeal_deadline(d("2026-10-17"), &period("appeal"));
        assert_eq!(deadline, d("2026-11-09"));
        assert!(appeal_timely(d("2026-11-09"), deadline));
        assert!(!appeal_timely(d("2026-11-10"), deadline));
    }

    #[test]
    fn an_appeal_may_arrive_before_a_presumed_day_of_receipt() {
        // Sent by post on the 16th, presumed received on the 19th: she appealed on the 17th.
        let earliest = earliest_appeal_day(d("2026-11-19"), true, Some(d("2026-11-16")));
        assert_eq!(earliest, d("2026-11-16"));
        assert!(validate_appeal_date("2026-11-17", earliest, d("2026-11-25")).is_ok());
        assert!(validate_appeal_date("2026-11-15", earliest, d("2026-11-25")).is_err());
        // A confirmed day of receipt holds.
        assert_eq!(
            earliest_appeal_day(d("2026-11-19"), false, Some(d("2026-11-16"))),
            d("2026-11-19")
        );
    }

    #[test]
    fn an_appeal_cannot_arrive_before_the_decision_did() {
        let e = validate_appeal_date("2026-11-01", d("2026-11-02"), d("2026-11-25")).unwrap_err();
        assert_eq!(e.messages("received_on"), ["error-appeal-before-notice"]);
        assert!(validate_appeal_date("2026-11-26", d("2026-11-02"), d("2026-11-25")).is_err());
        assert_eq!(
            validate_appeal_date("2026-11-02", d("2026-11-02"), d("2026-11-25")).unwrap(),
            d("2026-11-02")
        );
    }

    fn q3() -> (NaiveDate, NaiveDate) {
        (d("2026-07-01"), d("2026-09-30"))
    }

    fn not_started(decided: &str) -> ExecutionFacts {
        ExecutionFacts {
            decided_on: Some(d(decided)),
            ..Default::default()
        }
    }

    #[test]
    fn three_months_at_the_edges() {
        let p = period("not-executed");
        let (first, last) = q3();
        // Three months end on the quarter's last day: still within the period.
        assert!(overdue(&not_started("2026-06-30"), &p, first, last).is_empty());
        // One day earlier: the period ended the day before the quarter's last day.
        let lines = overdue(&not_started("2026-06-29"), &p, first, last);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].due, d("2026-09-29"));
        assert_eq!(lines[0].days_waited, 93);
        // Started on the last day of the period: carried out in time.
        let in_time = ExecutionFacts {
            started_on: Some(d("2026-07-15")),
            ..not_started("2026-04-15")
        };
        assert!(overdue(&in_time, &p, first, last).is_empty());
        // Started the day after: late, and reported once more as carried out.
        let late = ExecutionFacts {
            started_on: Some(d("2026-07-16")),
            ..not_started("2026-04-15")
        };
        let lines = overdue(&late, &p, first, last);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].carried_out_on, Some(d("2026-07-16")));
        assert_eq!(lines[0].days_waited, 92);
        // Carried out late but before the quarter: reported in an earlier quarter, not now.
        let earlier = ExecutionFacts {
            started_on: Some(d("2026-06-20")),
            ..not_started("2026-01-10")
        };
        assert!(overdue(&earlier, &p, first, last).is_empty());
        // End of month: 2026-11-30 plus three months is 2027-02-28.
        let lines = overdue(
            &not_started("2026-11-30"),
            &p,
            d("2027-01-01"),
            d("2027-03-31"),
        );
        assert_eq!(lines[0].due, d("2027-02-28"));
    }

    #[test]
    fn an_interruption_not_resumed_in_three_months_is_reported() {
        let p = period("not-executed");
        let (first, last) = q3();
        let facts = ExecutionFacts {
            decided_on: Some(d("2026-01-10")),
            started_on: Some(d("2026-02-01")),
            ended_on: None,
            interruptions: vec![
                (d("2026-05-01"), None),
                (d("2026-03-01"), Some(d("2026-04-01"))),
            ],
        };
        let lines = overdue(&facts, &p, first, last);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].waiting, Waiting::Interrupted);
        assert_eq!(lines[0].since, d("2026-05-01"));
        assert_eq!(lines[0].due, d("2026-08-01"));
    }

    #[test]
    fn ending_without_execution_is_reported_with_the_end() {
        let p = period("not-executed");
        let (first, last) = q3();
        let facts = ExecutionFacts {
            ended_on: Some(d("2026-08-10")),
            ..not_started("2026-03-01")
        };
        let lines = overdue(&facts, &p, first, last);
        assert_eq!(lines[0].ended_on, Some(d("2026-08-10")));
        assert_eq!(lines[0].carried_out_on, None);
    }

    #[test]
    fn sex_from_the_number() {
        assert_eq!(registered_sex(Some("19121212-1212")), "man");
        assert_eq!(registered_sex(Some("194107086995")), "man");
        assert_eq!(registered_sex(Some("19410708-6084")), "woman");
        assert_eq!(registered_sex(None), "unknown");
    }

    #[test]
    fn an_application_cannot_be_dated_before_the_municipality_began() {
        let today = NaiveDate::from_ymd_opt(2026, 5, 4).unwrap();
        let joined = NaiveDate::from_ymd_opt(2026, 1, 10).unwrap();
        let raw = |received: &str| RawApplication {
            name: "Demo Person".into(),
            personnummer: "19121212-1212".into(),
            consent: true,
            requested: vec!["Avlösning".into()],
            received_on: received.into(),
            ..RawApplication::default()
        };
        let errors = validate_application(&raw("-0001-01-01"), &[], today, Some(joined))
            .err()
            .unwrap();
        assert!(errors.has("received_on"), "{errors:?}");
        let errors = validate_application(&raw("2026-01-09"), &[], today, Some(joined))
            .err()
            .unwrap();
        assert_eq!(
            errors.messages("received_on"),
            ["error-received-before-joined"]
        );
        let ok = validate_application(&raw("2026-01-10"), &[], today, Some(joined));
        assert!(
            ok.as_ref().is_ok_and(|v| v.received_on == joined),
            "{:?}",
            ok.err()
        );
    }
}
