//! Staff pages for cases and their journal (persons are in `persons.rs`). The same access rules as the API
//! (`access`), the same store functions, the same audit rows.

use super::pages::{local_time, permitted, query_value, render, StaffLayout};
use crate::error::PageError;
use crate::form_errors::FormErrors;
use crate::http::extract::{act, param};
use crate::http::{ids, Allowed, CaseAccess, Id, StaffCtx, StaffForm};
use crate::AppState;
use askama::Template;
use axum::extract::{FromRequestParts, Query, RawQuery, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::case::{CaseKind, CaseStatus, JournalKind, PersonRole, RawPerson};
use domain::contact::RequestStatus;
use domain::policy::Action;
use domain::FieldErrors;
use serde::Deserialize;
use store::access::{PersonGrant, Verdict};
use store::cases::{CaseView, JournalEntry, MarkWrong, NewCase};

#[derive(Template)]
#[template(path = "staff/cases.html")]
struct CasesPage<'a> {
    l: StaffLayout<'a>,
    rows: Vec<ListRow>,
    /// What the filter form shows, as typed.
    p: CaseListParams,
    statuses: Vec<(&'static str, String)>,
    units: Vec<(i64, String)>,
    searched: bool,
    /// The link to the next page, if there is one.
    next: Option<String>,
    errors: FormErrors,
}

impl CasesPage<'_> {
    fn is_unit(&self, id: &i64) -> bool {
        self.p.enhet == id.to_string()
    }
}

/// One row of the case list as the page shows it.
struct ListRow {
    id: i64,
    case_number: String,
    /// The person's name, or the words saying the identity is protected; empty for none.
    person: String,
    protected: bool,
    reference: String,
    kind: String,
    status: String,
    holder: Option<String>,
    age_days: i64,
    /// What is due next, and by when.
    next: Option<(String, String, bool)>,
}

/// The filters as the form and its links write them (Swedish names, like the inbox's).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CaseListParams {
    q: String,
    status: String,
    visa: String,
    enhet: String,
    ordning: String,
    efter: String,
}

impl CaseListParams {
    /// The same filters as a query string, without the cursor.
    fn filters_query(&self) -> String {
        let pairs = [
            ("q", self.q.trim()),
            ("status", self.status.as_str()),
            ("visa", self.visa.as_str()),
            ("enhet", self.enhet.as_str()),
            ("ordning", self.ordning.as_str()),
        ];
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs.iter().filter(|(_, v)| !v.is_empty()))
            .finish()
    }
}

const CASES_PER_PAGE: i64 = 50;

pub async fn list(
    State(state): State<AppState>,
    Allowed { ctx, kommun, .. }: Allowed<act::OpenCase>,
    Query(p): Query<CaseListParams>,
) -> Result<Response, PageError> {
    let t = ctx.texts(&state);
    let oldest = p.ordning == "aldst";
    let raw = domain::worklist::RawCaseListQuery {
        q: p.q.chars().take(100).collect(),
        status: p.status.clone(),
        holder: match p.visa.as_str() {
            "mina" => "me".into(),
            "otilldelade" => "nobody".into(),
            _ => "anyone".into(),
        },
        unit: p.enhet.clone(),
        sort: (if oldest { "oldest" } else { "newest" }).into(),
        before: p.efter.clone(),
        after: p.efter.clone(),
    };
    let units: Vec<(i64, String)> = store::staff::units(&state.db, kommun.as_str())
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let parsed = domain::worklist::parse_query(&raw, CASES_PER_PAGE, state.clock.today());
    let (rows, errors) = match parsed {
        Ok(query) => {
            let rows = store::worklist::page(
                &state.db,
                kommun.as_str(),
                ctx.staff.user.id,
                &query,
                &state.law,
                state.clock.now(),
                &ctx.origin,
            )
            .await?;
            (rows, FieldErrors::new())
        }
        Err(e) => (Vec::new(), e),
    };
    let next = (rows.len() as i64 == CASES_PER_PAGE)
        .then(|| rows.last().map(|r| r.case.id))
        .flatten()
        .map(|id| {
            let f = p.filters_query();
            if f.is_empty() {
                format!("/personal/arenden?efter={id}")
            } else {
                format!("/personal/arenden?{f}&efter={id}")
            }
        });
    let list_rows = rows
        .into_iter()
        .map(|r| ListRow {
            id: r.case.id,
            case_number: r.case.case_number,
            protected: r
                .person
                .as_ref()
                .is_some_and(|p| p.protection != domain::case::Protection::None),
            person: r.person.map_or_else(String::new, |p| {
                p.name.unwrap_or_else(|| t.get("cases-person-protected"))
            }),
            reference: r.reference.unwrap_or_default(),
            kind: t.get(&format!("case-kind-{}", r.case.kind)),
            status: t.get(&format!("case-status-{}", r.case.status)),
            holder: r.case.assignee_name,
            age_days: r.age_days,
            next: r.next_deadline.map(|d| {
                (
                    t.get(&format!("watch-what-{}", d.what)),
                    d.due.map(|d| d.to_string()).unwrap_or_default(),
                    d.late,
                )
            }),
        })
        .collect();
    // The cursor a filter form error names is the one field the form does not show.
    let labels = |f: &str| match f {
        "q" => t.get("cases-search-label"),
        "status" => t.get("case-col-status"),
        "unit" => t.get("inbox-unit"),
        _ => t.get("inbox-next"),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = CasesPage {
        l: StaffLayout::signed_in(t, t.get("cases-title"), &ctx.staff, "cases"),
        rows: list_rows,
        searched: !p.q.trim().is_empty(),
        statuses: CaseStatus::ALL
            .iter()
            .map(|s| (s.as_str(), t.get(&format!("case-status-{}", s.as_str()))))
            .collect(),
        units,
        next,
        errors: FormErrors::new(t, &errors, &["q", "status", "unit"], |f| labels(f)).anchored(
            |f| match f {
                "q" => "f-q".into(),
                "status" => "f-status".into(),
                "unit" => "f-enhet".into(),
                _ => "f-q".into(),
            },
        ),
        p,
    };
    render(status, &page)
}

// ---- Opening a case ----

#[derive(Template)]
#[template(path = "staff/case_new.html")]
struct NewCasePage<'a> {
    l: StaffLayout<'a>,
    csrf: String,
    kinds: Vec<(&'static str, String)>,
    reference: String,
    /// The request's carer is in a colleague's case: linking them needs a reason.
    ask_reason: bool,
    errors: FormErrors,
}

fn new_page<'a>(
    state: &'a AppState,
    ctx: &StaffCtx,
    reference: String,
    errors: FieldErrors,
) -> NewCasePage<'a> {
    let ask_reason = errors.has("reason");
    let t = ctx.texts(state);
    NewCasePage {
        l: StaffLayout::signed_in(t, t.get("case-new-title"), &ctx.staff, "cases"),
        csrf: ctx.csrf().to_owned(),
        kinds: CaseKind::ALL
            .iter()
            .map(|k| (k.as_str(), t.get(&format!("case-kind-{}", k.as_str()))))
            .collect(),
        reference,
        ask_reason,
        errors: FormErrors::plain(t, &errors, &[]),
    }
}

pub async fn new_form(
    State(state): State<AppState>,
    ctx: StaffCtx,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let reference = query_value(&q, "fran");
    render(
        StatusCode::OK,
        &new_page(&state, &ctx, reference, FieldErrors::new()),
    )
}

/// The carer of a contact request, as the new case may link them.
enum RequestCarer {
    Linked(PersonGrant),
    /// The request named nobody (or anonymously).
    Nobody,
    /// Registered already and in a colleague's case: linking them needs an emergency reason.
    NeedsReason,
}

/// The person for the carer named in a contact request: registered now, or the one already
/// registered under the same number if the officer may link them (`access::link`, with the
/// reason given in the form).
async fn person_from_request(
    state: &AppState,
    ctx: &StaffCtx,
    kommun: &str,
    req: &store::contact_requests::StoredContactRequest,
    reason: Option<&str>,
) -> Result<RequestCarer, PageError> {
    let origin = &ctx.origin;
    let Some(name) = req.name.clone().filter(|_| !req.anonymous) else {
        return Ok(RequestCarer::Nobody);
    };
    let (given, family) = match name.trim().rsplit_once(' ') {
        Some((g, f)) => (g.to_owned(), f.to_owned()),
        None => (name.clone(), "–".to_owned()),
    };
    let raw = RawPerson {
        id_number: req.personnummer.clone().unwrap_or_default(),
        given_name: given,
        family_name: family,
        phone: req.phone.clone().unwrap_or_default(),
        email: req.email.clone().unwrap_or_default(),
        ..RawPerson::default()
    };
    let Ok(new) = domain::case::validate_person(&raw, state.clock.today()) else {
        return Ok(RequestCarer::Nobody);
    };
    let created = store::persons::create(
        &state.db,
        kommun,
        &new,
        Some(ctx.staff.user.id),
        req.is_demo,
        state.clock.now(),
        origin,
    )
    .await?;
    let id = match created {
        Some(id) => id,
        // Already registered under that number: the existing person.
        None => {
            let Some(number) = new.id_number.as_ref() else {
                return Ok(RequestCarer::Nobody);
            };
            match store::persons::id_by_number(&state.db, kommun, number).await? {
                Some(id) => id,
                None => return Ok(RequestCarer::Nobody),
            }
        }
    };
    Ok(
        match store::access::link(&state.db, &ctx.staff.actor, id, reason).await? {
            Verdict::Granted(grant) => RequestCarer::Linked(grant),
            Verdict::NeedsReason => RequestCarer::NeedsReason,
            Verdict::Hidden => RequestCarer::Nobody,
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewCaseForm {
    kind: String,
    contact_request: String,
    /// The emergency reason to link a carer who is in a colleague's case.
    reason: String,
}

pub async fn create(
    State(state): State<AppState>,
    ctx: StaffCtx,
    StaffForm(form): StaffForm<NewCaseForm>,
) -> Result<Response, PageError> {
    let kommun = permitted(&ctx, Action::OpenCase)?;
    let reference = form.contact_request.trim().to_owned();
    let Some(kind) = CaseKind::parse(&form.kind) else {
        let errors = FieldErrors::one("kind", "error-unknown-choice");
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &new_page(&state, &ctx, reference, errors),
        );
    };
    let reason = Some(form.reason.trim()).filter(|r| !r.is_empty());
    // Only the named request is read (and logged), not the municipality's whole queue.
    let request = if reference.is_empty() {
        None
    } else {
        store::contact_requests::by_reference(
            &state.db,
            kommun.as_str(),
            &reference,
            state.clock.now(),
            &ctx.origin,
        )
        .await?
    };
    let persons = match &request {
        None => Vec::new(),
        // A request becomes a case once: again, to that case, before anyone is linked.
        Some(req) if req.status == RequestStatus::CaseOpened => {
            if let Some(case_id) =
                store::cases::for_request(&state.db, kommun.as_str(), req.id).await?
            {
                return Ok(
                    Redirect::to(&format!("/personal/arenden/{case_id}?redan=1")).into_response(),
                );
            }
            Vec::new()
        }
        Some(req) => match person_from_request(&state, &ctx, kommun.as_str(), req, reason).await? {
            RequestCarer::Linked(p) => vec![(p, PersonRole::Carer)],
            RequestCarer::Nobody => Vec::new(),
            RequestCarer::NeedsReason => {
                let id = if reason.is_some() {
                    "error-reason-short"
                } else {
                    "error-link-needs-reason"
                };
                return render(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &new_page(&state, &ctx, reference, FieldErrors::one("reason", id)),
                );
            }
        },
    };
    let new = NewCase {
        kind,
        unit_id: ctx.staff.actor.units.first().copied(),
        assigned_to: Some(ctx.staff.user.id),
        contact_request_reference: (!reference.is_empty()).then_some(reference.clone()),
        persons,
        first_entry: request
            .as_ref()
            .map(|r| crate::contact::case_opening_entry(ctx.texts(&state), r)),
    };
    match store::cases::open(
        &state.db,
        kommun.as_str(),
        &new,
        ctx.staff.user.id,
        false,
        state.clock.now(),
        &ctx.origin,
    )
    .await?
    {
        Ok((id, _)) => Ok(Redirect::to(&format!("/personal/arenden/{id}")).into_response()),
        // Opened before: to that case, which says so, instead of a second one.
        Err(store::cases::OpenError::AlreadyOpened { case_id, .. }) => {
            Ok(Redirect::to(&format!("/personal/arenden/{case_id}?redan=1")).into_response())
        }
        Err(_) => {
            let errors = FieldErrors::one("contact_request", "error-unknown-contact-request");
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &new_page(&state, &ctx, reference, errors),
            )
        }
    }
}

// ---- The case page ----

pub struct EntryView {
    pub e: JournalEntry,
    pub at: String,
    pub kind: String,
    pub can_mark: bool,
    pub marks: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "staff/case.html")]
struct CasePage<'a> {
    l: StaffLayout<'a>,
    csrf: String,
    v: CaseView,
    kind: String,
    status: String,
    opened: String,
    emergency: Option<String>,
    persons: Vec<(i64, String, String, String, bool)>,
    events: Vec<(String, String, String)>,
    entries: Vec<EntryView>,
    journal_kinds: Vec<(&'static str, String)>,
    entry_kind: String,
    entry_text: String,
    errors: FormErrors,
    open_entry: Option<i64>,
    already_opened: bool,
    /// The statuses the case may move to now.
    moves: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "staff/case_emergency.html")]
pub(crate) struct EmergencyPage<'a> {
    l: StaffLayout<'a>,
    csrf: String,
    ask: EmergencyAsk,
    errors: FormErrors,
}

/// What an emergency reason is asked for: where the form posts, and the page's lead text and
/// button (Fluent ids).
pub(crate) struct EmergencyAsk {
    pub action: String,
    pub lead: &'static str,
    pub button: &'static str,
}

impl EmergencyAsk {
    fn open_case(id: i64) -> Self {
        EmergencyAsk {
            action: format!("/personal/arenden/{id}/nodatkomst"),
            lead: "emergency-lead",
            button: "emergency-button",
        }
    }
}

struct Draft {
    kind: String,
    text: String,
    /// The field id is what the error summary links to.
    errors: FormErrors,
    /// The entry whose correction form comes back open (with its error).
    open_entry: Option<i64>,
    /// Came here from opening a case for a request that has this one already.
    already_opened: bool,
}

impl Draft {
    /// A fresh page: an empty new-entry form, no errors.
    fn empty() -> Self {
        Self {
            kind: "note".into(),
            text: String::new(),
            errors: FormErrors::none(),
            open_entry: None,
            already_opened: false,
        }
    }

    /// The page again with one error, linked to its field.
    fn error(field: String, message: String, open_entry: Option<i64>) -> Self {
        let mut errors = FormErrors::none();
        errors.push(&field, String::new(), message);
        Self {
            errors,
            open_entry,
            ..Self::empty()
        }
    }
}

/// The case page (or, while emergency access needs a reason, the page that asks for it).
async fn case_page(
    state: &AppState,
    ctx: &StaffCtx,
    id: i64,
    draft: Draft,
    status_code: StatusCode,
) -> Result<Response, PageError> {
    let t = ctx.texts(state);
    let now = state.clock.now();
    let access = store::access::case(
        &state.db,
        &ctx.staff.actor,
        Action::ReadCase,
        id,
        None,
        now,
        &ctx.origin,
    )
    .await?;
    let grant = match access {
        Verdict::Granted(grant) => grant,
        Verdict::Hidden => return Err(PageError::NotFound),
        Verdict::NeedsReason => {
            let p = emergency_page(t, ctx, EmergencyAsk::open_case(id), FieldErrors::new());
            return render(StatusCode::FORBIDDEN, &p);
        }
    };
    // One read, one audit row: the case and its journal together.
    let (v, journal) = store::cases::page(&state.db, &grant, now, &ctx.origin)
        .await?
        .ok_or(PageError::NotFound)?;
    let entries = journal
        .into_iter()
        .map(|e| {
            let can_mark = grant.permits_entry(e.author);
            EntryView {
                at: local_time(e.at),
                kind: t.get(&format!("journal-kind-{}", e.kind)),
                marks: e
                    .marks
                    .iter()
                    .map(|m| (local_time(m.at), m.by_name.clone(), m.reason.clone()))
                    .collect(),
                can_mark,
                e,
            }
        })
        .collect();
    let persons = v
        .persons
        .iter()
        .map(|p| {
            let name = format!("{} {}", p.person.given_name, p.person.family_name);
            let role = t.get(&format!("person-role-{}", p.role));
            let protection = t.get(&format!("protection-{}", p.person.protection));
            (
                p.person.id,
                name,
                role,
                protection,
                p.person.protection != domain::case::Protection::None,
            )
        })
        .collect();
    let events = v
        .events
        .iter()
        .map(|e| {
            (
                local_time(e.at),
                e.by_name.clone().unwrap_or_default(),
                t.get(&format!("case-event-{}", e.kind)),
            )
        })
        .collect();
    let p = CasePage {
        l: StaffLayout::signed_in(
            t,
            t.get1("case-title", "number", &v.case.case_number),
            &ctx.staff,
            "cases",
        ),
        csrf: ctx.csrf().to_owned(),
        kind: t.get(&format!("case-kind-{}", v.case.kind)),
        status: t.get(&format!("case-status-{}", v.case.status)),
        opened: local_time(v.case.opened_at),
        emergency: grant.emergency().map(str::to_owned),
        persons,
        events,
        entries,
        moves: domain::case::CaseStatus::ALL
            .iter()
            .filter(|to| v.case.status.may_move_to(**to))
            .map(|to| (to.as_str(), t.get(&format!("case-status-{}", to.as_str()))))
            .collect(),
        journal_kinds: JournalKind::ALL
            .iter()
            .map(|k| (k.as_str(), t.get(&format!("journal-kind-{}", k.as_str()))))
            .collect(),
        entry_kind: draft.kind,
        entry_text: draft.text,
        errors: draft.errors,
        open_entry: draft.open_entry,
        already_opened: draft.already_opened,
        v,
    };
    render(status_code, &p)
}

/// The page that asks for an emergency reason; `errors` when the one given was too short.
pub(crate) fn emergency_page<'a>(
    t: &'a crate::i18n::I18n,
    ctx: &StaffCtx,
    ask: EmergencyAsk,
    errors: FieldErrors,
) -> EmergencyPage<'a> {
    let heading = t.get("emergency-title");
    let title = if errors.is_empty() {
        heading
    } else {
        t.get1("form-title-with-errors", "title", &heading)
    };
    EmergencyPage {
        l: StaffLayout::signed_in(t, title, &ctx.staff, "cases"),
        csrf: ctx.csrf().to_owned(),
        ask,
        errors: FormErrors::plain(t, &errors, &[]),
    }
}

pub async fn show(
    State(state): State<AppState>,
    ctx: StaffCtx,
    id: Id<ids::Case>,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let mut draft = Draft::empty();
    draft.already_opened = query_value(&q, "redan") == "1";
    case_page(&state, &ctx, id.get(), draft, StatusCode::OK).await
}

/// A form whose one field is a stated reason (emergency access, marking an entry wrong).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReasonForm {
    pub(crate) reason: String,
}

pub async fn emergency(
    State(state): State<AppState>,
    ctx: StaffCtx,
    id: Id<ids::Case>,
    StaffForm(form): StaffForm<ReasonForm>,
) -> Result<Response, PageError> {
    let id = id.get();
    let access = store::access::case(
        &state.db,
        &ctx.staff.actor,
        Action::ReadCase,
        id,
        Some(&form.reason),
        state.clock.now(),
        &ctx.origin,
    )
    .await?;
    match access {
        Verdict::Granted(_) => Ok(Redirect::to(&format!("/personal/arenden/{id}")).into_response()),
        Verdict::Hidden => Err(PageError::NotFound),
        Verdict::NeedsReason => {
            let t = ctx.texts(&state);
            let errors = FieldErrors::one("reason", "error-reason-short");
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &emergency_page(t, &ctx, EmergencyAsk::open_case(id), errors),
            )
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct JournalForm {
    kind: String,
    text: String,
}

pub async fn add_entry(
    State(state): State<AppState>,
    case: CaseAccess<act::WriteCase>,
    StaffForm(form): StaffForm<JournalForm>,
) -> Result<Response, PageError> {
    let CaseAccess { ctx, id, grant, .. } = case;
    match domain::case::validate_journal(&form.kind, &form.text) {
        Ok((kind, text)) => {
            store::cases::add_entry(
                &state.db,
                &grant,
                kind,
                &text,
                state.clock.now(),
                &ctx.origin,
            )
            .await?
            .ok_or(PageError::NotFound)?;
            Ok(Redirect::to(&format!("/personal/arenden/{id}#journal")).into_response())
        }
        Err(errors) => {
            let t = ctx.texts(&state);
            let draft = Draft {
                kind: form.kind,
                text: form.text,
                errors: FormErrors::plain(t, &errors, &[]),
                open_entry: None,
                already_opened: false,
            };
            case_page(&state, &ctx, id, draft, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// The entry of the path `/personal/arenden/{id}/anteckningar/{entry}/…`.
pub struct EntryParam(i64);

impl FromRequestParts<AppState> for EntryParam {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        Ok(EntryParam(param(parts, state, "entry").await?))
    }
}

/// Marks a journal entry wrong. The case must be readable; whether this entry may be marked
/// (its author matters) the store asks the policy.
pub async fn mark_wrong(
    State(state): State<AppState>,
    CaseAccess { ctx, id, grant, .. }: CaseAccess<act::MarkEntryWrong>,
    EntryParam(entry): EntryParam,
    StaffForm(form): StaffForm<ReasonForm>,
) -> Result<Response, PageError> {
    match store::cases::may_mark_wrong(&state.db, &grant, entry).await? {
        MarkWrong::Allowed => {}
        MarkWrong::NoSuchEntry => return Err(PageError::NotFound),
        MarkWrong::NotTheirs => return Err(PageError::ForbiddenBecause("api-mark-own")),
    }
    match domain::case::validate_reason("reason", &form.reason) {
        Ok(reason) => {
            let now = state.clock.now();
            match store::cases::mark_wrong(&state.db, &grant, entry, &reason, now, &ctx.origin)
                .await?
            {
                MarkWrong::Allowed => Ok(Redirect::to(&format!(
                    "/personal/arenden/{id}#post-{entry}"
                ))
                .into_response()),
                MarkWrong::NoSuchEntry => Err(PageError::NotFound),
                MarkWrong::NotTheirs => Err(PageError::ForbiddenBecause("api-mark-own")),
            }
        }
        Err(_) => {
            let t = ctx.texts(&state);
            let draft = Draft::error(
                format!("reason-{entry}"),
                t.get("error-mark-reason"),
                Some(entry),
            );
            case_page(&state, &ctx, id, draft, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

#[derive(Template)]
#[template(path = "staff/extract.html")]
struct ExtractPage<'a> {
    l: StaffLayout<'a>,
    v: CaseView,
    kind: String,
    opened: String,
    printed: String,
    persons: Vec<(String, String)>,
    entries: Vec<EntryView>,
}

/// The whole case for the party (partsinsyn, FL 10 §): every entry, corrections included.
pub async fn extract(
    State(state): State<AppState>,
    CaseAccess { ctx, grant, .. }: CaseAccess<act::ReadCase>,
) -> Result<Response, PageError> {
    let now = state.clock.now();
    // One read, one audit row: the case and its journal together.
    let (v, journal) = store::cases::page(&state.db, &grant, now, &ctx.origin)
        .await?
        .ok_or(PageError::NotFound)?;
    let t = ctx.texts(&state);
    let p = ExtractPage {
        l: StaffLayout::signed_in(
            t,
            t.get1("extract-title", "number", &v.case.case_number),
            &ctx.staff,
            "cases",
        ),
        kind: t.get(&format!("case-kind-{}", v.case.kind)),
        opened: local_time(v.case.opened_at),
        printed: local_time(now),
        persons: v
            .persons
            .iter()
            .map(|p| {
                (
                    format!("{} {}", p.person.given_name, p.person.family_name),
                    t.get(&format!("person-role-{}", p.role)),
                )
            })
            .collect(),
        entries: journal
            .into_iter()
            .map(|e| EntryView {
                at: local_time(e.at),
                kind: t.get(&format!("journal-kind-{}", e.kind)),
                marks: e
                    .marks
                    .iter()
                    .map(|m| (local_time(m.at), m.by_name.clone(), m.reason.clone()))
                    .collect(),
                can_mark: false,
                e,
            })
            .collect(),
        v,
    };
    render(StatusCode::OK, &p)
}

// ---- Persons ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StatusForm {
    status: String,
    /// `yes` once closing was confirmed on its own page.
    #[serde(rename = "_confirmed")]
    confirmed: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    CaseAccess { ctx, id, grant, .. }: CaseAccess<act::WriteCase>,
    StaffForm(form): StaffForm<StatusForm>,
) -> Result<Response, PageError> {
    let to = domain::case::CaseStatus::parse(&form.status);
    // Closing is final for the officer's work: asked first, on a page of its own.
    if to == Some(domain::case::CaseStatus::Closed) && form.confirmed != "yes" {
        let t = ctx.texts(&state);
        let q = crate::staff::confirm::Question::asking(
            t,
            "close-case",
            Vec::new(),
            format!("/personal/arenden/{id}/status"),
            format!("/personal/arenden/{id}"),
        );
        let pairs = [("status".to_owned(), form.status.clone())];
        return crate::staff::confirm::page(&state, &ctx, "cases", q, &pairs);
    }
    let moved = match to {
        Some(to) => {
            store::cases::set_status(&state.db, &grant, to, state.clock.now(), &ctx.origin).await?
        }
        None => false,
    };
    if moved {
        return Ok(Redirect::to(&format!("/personal/arenden/{id}#handelser")).into_response());
    }
    let t = ctx.texts(&state);
    let draft = Draft::error("status".to_owned(), t.get("case-status-error"), None);
    case_page(&state, &ctx, id, draft, StatusCode::UNPROCESSABLE_ENTITY).await
}
