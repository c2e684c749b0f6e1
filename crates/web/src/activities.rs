//! The open support's activities on the public portal: the calendar with filters, a page per
//! activity with its sign-up form (no account), the participant's own page with the cancel
//! button, and iCalendar feeds. Signing up and cancelling are one function each, shared with
//! the JSON API.

use crate::error::PageError;
use crate::form_errors::FormErrors;
use crate::http::cache::{Rendered, TtlCache};
use crate::http::paths::{KommunPath, TokenPath};
use crate::http::{ids, Id, PublicOrigin};
use crate::i18n::I18n;
use crate::portal::{municipality, query_pairs, Layout};
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use domain::activity::{
    validate_signup, ActivityKind, Filter, Need, RawSignup, Theme, SIGNUP_FIELDS,
};
use domain::contact::AgeGroup;
use domain::FieldErrors;
use std::sync::Arc;
use store::activities::{Activity, CancelledBy, Occasion, Refusal, SignupKey, SignupRow};
use store::audit::Origin;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/kommun/{kommunkod}/aktiviteter", get(list))
        .route(
            "/kommun/{kommunkod}/aktiviteter.ics",
            get(municipality_feed),
        )
        .route(
            "/kommun/{kommunkod}/aktiviteter/{id}",
            get(show).post(sign_up_form),
        )
        .route(
            "/kommun/{kommunkod}/aktiviteter/{id}/kalender.ics",
            get(activity_feed),
        )
        .route("/kommun/{kommunkod}/anmalan/{token}", get(signup_page))
        .route(
            "/kommun/{kommunkod}/anmalan/{token}/avboka",
            post(cancel_form),
        )
}

// ---- the public data, cached ----

/// A municipality's activities (cancelled ones too) with their occasions, and the public pages
/// rendered from them, which therefore live exactly as long as the listing does.
pub struct Listed {
    pub activities: Vec<(Activity, Vec<Occasion>)>,
    pub rendered: Rendered,
}

impl Listed {
    pub fn find(&self, id: i64) -> Option<&(Activity, Vec<Occasion>)> {
        self.activities.iter().find(|(a, _)| a.id == id)
    }
}

type Listing = Arc<Listed>;

/// A municipality's listing as the public pages show it, kept a moment per node
/// (`WebConfig::activities_ttl`) and dropped at once when this node changes it. Seats shown may
/// lag that moment on other nodes; signing up always counts them exactly.
pub type ActivityCache = TtlCache<String, Listed>;

/// The municipality's listing, from the cache or the database.
pub async fn listing(state: &AppState, kommunkod: &str) -> Result<Listing, store::StoreError> {
    state
        .activities
        .get_or_try_insert(kommunkod.to_owned(), async {
            Ok(Listed {
                activities: store::activities::list(&state.db, kommunkod).await?,
                rendered: Rendered::default(),
            })
        })
        .await
}

// ---- shared with the API ----

/// Signs up, or says per field why not (Fluent ids). Nothing is stored on an error.
pub async fn sign_up(
    state: &AppState,
    kommunkod: Option<&str>,
    activity_id: i64,
    raw: &RawSignup,
    origin: &Origin,
) -> Result<Result<store::activities::Signed, FieldErrors>, PageError> {
    let s = match validate_signup(raw) {
        Ok(s) => s,
        Err(e) => return Ok(Err(e)),
    };
    let now = state.clock.now();
    let compose = crate::mails::Mails::new(state);
    let r = store::activities::sign_up(
        &state.db,
        kommunkod,
        activity_id,
        &s,
        &compose,
        now,
        domain::clock::stockholm_local(now),
        origin,
        false,
    )
    .await?;
    if r.is_ok() {
        forget_activities(state, kommunkod, activity_id).await?;
    }
    Ok(r.map_err(|refusal| refusal_errors(refusal, s.email.is_some())))
}

/// A refusal as a field error: where the visitor can act on it.
pub fn refusal_errors(r: Refusal, has_email: bool) -> FieldErrors {
    let (field, id) = match r {
        Refusal::Closed(c) => ("activity", c.message_id()),
        Refusal::Duplicate => (
            if has_email { "email" } else { "phone" },
            "error-signup-duplicate",
        ),
        Refusal::AlreadyCancelled => ("token", "error-signup-already-cancelled"),
        Refusal::CapacityBelowConfirmed => ("capacity", "error-capacity-below-confirmed"),
        Refusal::OccasionClosed => ("occasion", "error-occasion-closed"),
        Refusal::NotFound => ("activity", "error-activity-not-found"),
    };
    FieldErrors::one(field, id)
}

/// Cancels by the carer's token.
pub async fn cancel(
    state: &AppState,
    token: &str,
    origin: &Origin,
) -> Result<Result<SignupRow, Refusal>, PageError> {
    if !store::activities::well_formed_token(token) {
        return Ok(Err(Refusal::NotFound));
    }
    let compose = crate::mails::Mails::new(state);
    let r = store::activities::cancel_signup(
        &state.db,
        SignupKey::Token(token),
        CancelledBy::Carer,
        &compose,
        state.clock.now(),
        origin,
    )
    .await?;
    if let Ok(s) = &r {
        crate::changes::activities_changed(state, &s.kommunkod).await;
    }
    Ok(r)
}

/// Drops the cached listing the activity belongs to (the API names no municipality).
async fn forget_activities(
    state: &AppState,
    kommunkod: Option<&str>,
    activity_id: i64,
) -> Result<(), store::StoreError> {
    match kommunkod {
        Some(k) => crate::changes::activities_changed(state, k).await,
        None => {
            if let Some((a, _)) = store::activities::get(&state.db, None, activity_id).await? {
                crate::changes::activities_changed(state, &a.kommunkod).await;
            }
        }
    }
    Ok(())
}

// ---- how activities read ----

/// "tisdag 8 december 2026".
pub fn long_date(t: &I18n, d: NaiveDate) -> String {
    format!(
        "{} {} {} {}",
        t.get(&format!("weekday-{}", d.weekday().number_from_monday())),
        d.day(),
        t.get(&format!("month-{}", d.month())),
        d.year()
    )
}

/// "tisdag 8 december 2026, kl. 18.00": a moment, as a booking names it.
pub fn moment_text(t: &I18n, at: NaiveDateTime) -> String {
    t.get2(
        "occasion-when",
        ("date", &long_date(t, at.date())),
        ("time", &at.format("%H.%M").to_string()),
    )
}

/// "tisdag 8 december 2026, kl. 18.00–19.30".
pub fn occasion_text(t: &I18n, o: &Occasion) -> String {
    t.get2(
        "occasion-when",
        ("date", &long_date(t, o.starts_at.date())),
        ("time", &time_span(o)),
    )
}

fn time_span(o: &Occasion) -> String {
    format!(
        "{}–{}",
        o.starts_at.format("%H.%M"),
        o.ends_at.format("%H.%M")
    )
}

pub struct OccasionView {
    pub id: i64,
    pub text: String,
    pub iso: String,
    pub cancelled: bool,
    pub past: bool,
}

pub struct ActivityView {
    pub id: i64,
    pub title: String,
    pub kind: String,
    pub theme: String,
    pub description: String,
    pub audience: String,
    pub for_young_carers: bool,
    pub place: String,
    pub address: String,
    pub step_free: bool,
    pub hearing_loop: bool,
    pub digital: bool,
    pub cost: String,
    pub deadline: String,
    pub capacity: i64,
    pub seats_left: i64,
    /// "3 platser kvar", or that it is full.
    pub seats_text: String,
    pub waitlisted: i64,
    pub cancelled: bool,
    pub cancel_reason: String,
    pub responsible: String,
    pub occasions: Vec<OccasionView>,
    /// The first occasion still to come, as text.
    pub next: String,
}

pub fn view(t: &I18n, a: &Activity, occasions: &[Occasion], now: NaiveDateTime) -> ActivityView {
    let occ: Vec<OccasionView> = occasions
        .iter()
        .map(|o| OccasionView {
            id: o.id,
            text: occasion_text(t, o),
            iso: o.starts_at.format("%Y-%m-%dT%H:%M").to_string(),
            cancelled: o.cancelled,
            past: o.ends_at < now,
        })
        .collect();
    let next = occ
        .iter()
        .find(|o| !o.cancelled && !o.past)
        .map(|o| o.text.clone())
        .unwrap_or_default();
    ActivityView {
        id: a.id,
        title: a.title.clone(),
        kind: t.get(&format!("activity-kind-{}", a.kind)),
        theme: t.get(&format!("activity-theme-{}", a.theme)),
        description: a.description.clone(),
        audience: a.audience.clone(),
        for_young_carers: a.for_young_carers,
        place: a.place_name.clone(),
        address: a.place_address.clone().unwrap_or_default(),
        step_free: a.step_free,
        hearing_loop: a.hearing_loop,
        digital: a.digital,
        cost: if a.cost.trim().is_empty() {
            t.get("activity-free")
        } else {
            a.cost.clone()
        },
        deadline: a
            .signup_deadline
            .map(|d| long_date(t, d))
            .unwrap_or_default(),
        capacity: a.capacity,
        seats_left: a.seats_left(),
        seats_text: if a.seats_left() > 0 {
            t.get_n("activities-seats-left", "count", a.seats_left())
        } else {
            t.get("activities-full")
        },
        waitlisted: a.waitlisted,
        cancelled: a.cancelled(),
        cancel_reason: a.cancel_reason.clone().unwrap_or_default(),
        responsible: a.responsible_name.clone().unwrap_or_default(),
        occasions: occ,
        next,
    }
}

/// Whether an activity still has an occasion to come (the public list shows only those).
fn coming(occasions: &[Occasion], now: NaiveDateTime) -> Vec<NaiveDateTime> {
    occasions
        .iter()
        .filter(|o| !o.cancelled && o.ends_at >= now)
        .map(|o| o.starts_at)
        .collect()
}

pub struct Choice {
    pub value: &'static str,
    pub label: String,
    pub checked: bool,
}

pub fn choices<T: Copy>(
    t: &I18n,
    all: &[T],
    name: fn(T) -> &'static str,
    prefix: &str,
    selected: &[String],
) -> Vec<Choice> {
    all.iter()
        .map(|&x| Choice {
            value: name(x),
            label: t.get(&format!("{prefix}{}", name(x))),
            checked: selected.iter().any(|s| s == name(x)),
        })
        .collect()
}

// ---- the list ----

#[derive(Template)]
#[template(path = "activities.html")]
struct ListPage<'a> {
    l: Layout<'a>,
    kommunkod: String,
    activities: Vec<ActivityView>,
    kinds: Vec<Choice>,
    themes: Vec<Choice>,
    from: String,
    young: bool,
    filtered: bool,
    count: String,
}

async fn list(
    State(state): State<AppState>,
    Path(KommunPath { kommunkod }): Path<KommunPath>,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let c = municipality(&state, &kommunkod).await?;
    let all = listing(&state, &kommunkod).await?;
    let q = q.unwrap_or_default();
    let body = all.rendered.get_or_render(&format!("list?{q}"), || {
        render_list(&state, &c.municipality, &all.activities, &q)
    })?;
    Ok(Html(body).into_response())
}

/// The list page for the filters in the query `q`.
fn render_list(
    state: &AppState,
    m: &domain::Municipality,
    all: &[(Activity, Vec<Occasion>)],
    q: &str,
) -> Result<Bytes, PageError> {
    let t = &state.t;
    let q = query_pairs(&Some(q.to_owned()));
    let get = |k: &str| {
        q.iter()
            .find(|(key, _)| key == k)
            .map_or("", |(_, v)| v.as_str())
    };
    let filter = Filter::parse(get("typ"), get("tema"), get("fran"), get("unga"));
    let now = domain::clock::stockholm_local(state.clock.now());
    let mut shown: Vec<_> = all
        .iter()
        .filter(|(a, _)| !a.cancelled())
        .filter_map(|(a, o)| {
            let coming = coming(o, now);
            let first = *coming.first()?;
            filter
                .admits(&a.kind, &a.theme, a.for_young_carers, &coming)
                .then_some((first, a, o))
        })
        .collect();
    // Soonest first: what a carer can go to next.
    shown.sort_by_key(|(first, a, _)| (*first, a.id));
    let activities: Vec<ActivityView> = shown.iter().map(|(_, a, o)| view(t, a, o, now)).collect();
    let kind = filter.kind.map(|k| k.as_str().to_owned());
    let theme = filter.theme.map(|k| k.as_str().to_owned());
    let kommunkod = m.kommunkod.to_string();
    let p = ListPage {
        l: Layout::new(t, t.get("activities-title"), Some(m)).crumb(
            t.get("activities-title"),
            format!("/kommun/{kommunkod}/aktiviteter"),
        ),
        kinds: choices(
            t,
            ActivityKind::ALL,
            ActivityKind::as_str,
            "activity-kind-",
            kind.as_slice(),
        ),
        themes: choices(
            t,
            Theme::ALL,
            Theme::as_str,
            "activity-theme-",
            theme.as_slice(),
        ),
        from: filter.from.map(|d| d.to_string()).unwrap_or_default(),
        young: filter.young_carers,
        filtered: filter != Filter::default(),
        count: t.get_n("activities-count", "count", activities.len() as i64),
        activities,
        kommunkod,
    };
    Ok(Bytes::from(p.render()?))
}

// ---- one activity and its sign-up form ----

#[derive(Template)]
#[template(path = "activity.html")]
struct ActivityPage<'a> {
    l: Layout<'a>,
    kommunkod: String,
    a: ActivityView,
    open: bool,
    closed_reason: String,
    v: RawSignup,
    errors: FormErrors,
    needs: Vec<Choice>,
    ages: Vec<Choice>,
    genders: Vec<Choice>,
}

impl ActivityPage<'_> {
    fn has_error(&self, field: &str) -> bool {
        self.errors.has(field)
    }
    fn error_message(&self, field: &str) -> String {
        self.errors.message(field)
    }
}

fn field_label(t: &I18n, field: &str) -> String {
    let id = match field {
        "name" => "signup-field-name",
        "email" => "signup-field-email",
        "phone" => "signup-field-phone",
        "needs" => "signup-field-needs",
        "interpreter_language" => "signup-field-interpreter-language",
        "needs_note" => "signup-field-needs-note",
        "age_group" => "signup-field-age-group",
        "gender" => "signup-field-gender",
        "consent" => "signup-field-consent-short",
        _ => "signup-field-activity",
    };
    t.get(id)
}

async fn activity_page(
    state: &AppState,
    kommunkod: &str,
    id: i64,
    v: RawSignup,
    errors: FormErrors,
) -> Result<Option<String>, PageError> {
    let c = municipality(state, kommunkod).await?;
    let all = listing(state, kommunkod).await?;
    let Some((a, occasions)) = all.find(id) else {
        return Ok(None);
    };
    render_activity(state, &c.municipality, a, occasions, v, errors).map(Some)
}

/// An activity's page with its sign-up form, filled in with `v` and marked with `errors`.
fn render_activity(
    state: &AppState,
    m: &domain::Municipality,
    a: &Activity,
    occasions: &[Occasion],
    v: RawSignup,
    errors: FormErrors,
) -> Result<String, PageError> {
    let (kommunkod, id) = (m.kommunkod.as_str(), a.id);
    let t = &state.t;
    let now = domain::clock::stockholm_local(state.clock.now());
    let upcoming = occasions
        .iter()
        .filter(|o| !o.cancelled && o.starts_at > now)
        .count();
    let closed =
        domain::activity::open_for_signup(a.cancelled(), a.signup_deadline, upcoming, now).err();
    let view = view(t, a, occasions, now);
    let title = if errors.is_empty() {
        view.title.clone()
    } else {
        t.get1("form-title-with-errors", "title", &view.title)
    };
    let p = ActivityPage {
        l: Layout::new(t, title, Some(m))
            .crumb(
                t.get("activities-title"),
                format!("/kommun/{kommunkod}/aktiviteter"),
            )
            .crumb(
                view.title.clone(),
                format!("/kommun/{kommunkod}/aktiviteter/{id}"),
            ),
        kommunkod: kommunkod.to_owned(),
        open: closed.is_none(),
        closed_reason: closed.map(|c| t.get(c.message_id())).unwrap_or_default(),
        needs: choices(t, Need::ALL, Need::as_str, "need-", &v.needs),
        ages: choices(
            t,
            AgeGroup::ALL,
            AgeGroup::as_str,
            "age-",
            std::slice::from_ref(&v.age_group),
        ),
        genders: choices(
            t,
            domain::activity::Gender::ALL,
            domain::activity::Gender::as_str,
            "gender-",
            std::slice::from_ref(&v.gender),
        ),
        a: view,
        v,
        errors,
    };
    Ok(p.render()?)
}

async fn show(
    State(state): State<AppState>,
    Path(KommunPath { kommunkod }): Path<KommunPath>,
    id: Id<ids::Activity>,
) -> Result<Response, PageError> {
    let c = municipality(&state, &kommunkod).await?;
    let all = listing(&state, &kommunkod).await?;
    let Some((a, occasions)) = all.find(id.get()) else {
        return Err(PageError::NotFound);
    };
    // The empty form is the same for everyone: rendered once per listing.
    let body = all
        .rendered
        .get_or_render(&format!("activity/{}", a.id), || {
            render_activity(
                &state,
                &c.municipality,
                a,
                occasions,
                RawSignup::default(),
                FormErrors::none(),
            )
            .map(Bytes::from)
        })?;
    Ok(Html(body).into_response())
}

pub fn raw_from_form(body: &[u8]) -> RawSignup {
    let mut r = RawSignup::default();
    for (k, v) in form_urlencoded::parse(body) {
        let v = v.into_owned();
        match k.as_ref() {
            "name" => r.name = v,
            "email" => r.email = v,
            "phone" => r.phone = v,
            "needs" => r.needs.push(v),
            "interpreter_language" => r.interpreter_language = v,
            "needs_note" => r.needs_note = v,
            "age_group" => r.age_group = v,
            "gender" => r.gender = v,
            "consent" => r.consent = v == "yes",
            _ => {}
        }
    }
    r
}

async fn sign_up_form(
    State(state): State<AppState>,
    Path(KommunPath { kommunkod }): Path<KommunPath>,
    id: Id<ids::Activity>,
    PublicOrigin(origin): PublicOrigin,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, PageError> {
    let t = &state.t;
    let (raw, errors, status) = match body {
        Err(e) => {
            let message = t.get(if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                "error-form-too-large"
            } else {
                "error-form-unreadable"
            });
            let mut errors = FormErrors::none();
            errors.push("needs_note", field_label(t, "needs_note"), message);
            (RawSignup::default(), errors, e.status())
        }
        Ok(body) => {
            let raw = raw_from_form(&body);
            municipality(&state, &kommunkod).await?;
            match sign_up(&state, Some(&kommunkod), id.get(), &raw, &origin).await? {
                Ok(signed) => {
                    return Ok(Redirect::to(&format!(
                        "/kommun/{kommunkod}/anmalan/{}",
                        signed.token
                    ))
                    .into_response())
                }
                Err(e) if e.messages("activity").contains(&"error-activity-not-found") => {
                    return Err(PageError::NotFound)
                }
                Err(e) => (
                    raw,
                    FormErrors::new(t, &e, SIGNUP_FIELDS, |f| field_label(t, f)),
                    StatusCode::UNPROCESSABLE_ENTITY,
                ),
            }
        }
    };
    match activity_page(&state, &kommunkod, id.get(), raw, errors).await? {
        Some(html) => Ok((status, Html(html)).into_response()),
        None => Err(PageError::NotFound),
    }
}

// ---- the participant's own page ----

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage<'a> {
    l: Layout<'a>,
    kommunkod: String,
    token: String,
    s: SignupRow,
    a: ActivityView,
    status_text: String,
    contact: String,
    respite: bool,
    just_cancelled: bool,
}

/// Pages that hold the token: never cached, and the token never leaves in a Referer.
fn private(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

async fn signup_page(
    State(state): State<AppState>,
    Path(KommunPath { kommunkod }): Path<KommunPath>,
    Path(TokenPath { token }): Path<TokenPath>,
    PublicOrigin(origin): PublicOrigin,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let c = municipality(&state, &kommunkod).await?;
    let Some(s) = store::activities::by_token(&state.db, &token, state.clock.now(), &origin)
        .await?
        .filter(|s| s.kommunkod == kommunkod)
    else {
        return Err(PageError::NotFound);
    };
    let Some((a, occasions)) =
        store::activities::get(&state.db, Some(&kommunkod), s.activity_id).await?
    else {
        return Err(PageError::NotFound);
    };
    let t = &state.t;
    let now = domain::clock::stockholm_local(state.clock.now());
    let title = t.get(&format!("signup-title-{}", s.status));
    // The named support contact: the one offered to this carer, else the officer in charge.
    let contact = store::support_contacts::contact_of(&state.db, "signup", s.id)
        .await?
        .or_else(|| a.responsible_name.clone())
        .unwrap_or_default();
    let p = SignupPage {
        l: Layout::new(t, title, Some(&c.municipality)).crumb(
            t.get("activities-title"),
            format!("/kommun/{kommunkod}/aktiviteter"),
        ),
        kommunkod: kommunkod.clone(),
        token,
        status_text: t.get(&format!("signup-status-{}", s.status)),
        contact,
        respite: s.needs.iter().any(|n| n == Need::CareForRecipient.as_str()),
        just_cancelled: query_pairs(&q)
            .iter()
            .any(|(k, v)| k == "avbokad" && v == "1"),
        a: view(t, &a, &occasions, now),
        s,
    };
    Ok(private(Html(p.render()?).into_response()))
}

async fn cancel_form(
    State(state): State<AppState>,
    Path(KommunPath { kommunkod }): Path<KommunPath>,
    Path(TokenPath { token }): Path<TokenPath>,
    PublicOrigin(origin): PublicOrigin,
) -> Result<Response, PageError> {
    municipality(&state, &kommunkod).await?;
    match cancel(&state, &token, &origin).await? {
        // A second press of the button, or a used link: the page says it is cancelled.
        Ok(_) | Err(Refusal::AlreadyCancelled) => Ok(private(
            Redirect::to(&format!("/kommun/{kommunkod}/anmalan/{token}?avbokad=1")).into_response(),
        )),
        Err(_) => Err(PageError::NotFound),
    }
}

// ---- calendars ----

fn events(
    state: &AppState,
    kommunkod: &str,
    list: &[(Activity, Vec<Occasion>)],
) -> Vec<domain::ical::CalEvent> {
    let t = &state.t;
    let base = state.config.public_url.trim_end_matches('/');
    list.iter()
        .flat_map(|(a, occasions)| {
            occasions.iter().map(move |o| domain::ical::CalEvent {
                uid: format!("occasion-{}@anhorigstod.{kommunkod}", o.id),
                start: o.starts_at,
                end: o.ends_at,
                summary: a.title.clone(),
                description: a.description.clone(),
                location: if a.digital {
                    t.get("activity-digital")
                } else {
                    [
                        a.place_name.as_str(),
                        a.place_address.as_deref().unwrap_or(""),
                    ]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
                },
                url: Some(format!("{base}/kommun/{kommunkod}/aktiviteter/{}", a.id)),
                cancelled: o.cancelled,
                sequence: o.sequence,
                last_modified: o.updated_at.max(a.updated_at),
            })
        })
        .collect()
}

pub fn calendar_response(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, domain::ical::CONTENT_TYPE),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response()
}

/// The municipality's calendar: every activity still open, with all its occasions (cancelled
/// ones marked, so subscribers' calendars drop them).
pub async fn municipality_calendar(
    state: &AppState,
    kommunkod: &str,
) -> Result<Option<String>, PageError> {
    let Some(c) = crate::content::load(state, kommunkod).await? else {
        return Ok(None);
    };
    let list = listing(state, kommunkod).await?;
    let name = state
        .t
        .get1("calendar-name", "kommun", &c.municipality.name);
    Ok(Some(domain::ical::calendar(
        &name,
        &events(state, kommunkod, &list.activities),
        state.clock.now(),
    )))
}

async fn municipality_feed(
    State(state): State<AppState>,
    Path(KommunPath { kommunkod }): Path<KommunPath>,
) -> Result<Response, PageError> {
    let kommunkod = kommunkod.trim_end_matches(".ics");
    match municipality_calendar(&state, kommunkod).await? {
        Some(body) => Ok(calendar_response(body)),
        None => Err(PageError::NotFound),
    }
}

async fn activity_feed(
    State(state): State<AppState>,
    Path(KommunPath { kommunkod }): Path<KommunPath>,
    id: Id<ids::Activity>,
) -> Result<Response, PageError> {
    municipality(&state, &kommunkod).await?;
    let id = id.get();
    let Some(found) = store::activities::get(&state.db, Some(&kommunkod), id).await? else {
        return Err(PageError::NotFound);
    };
    let list = [found];
    let body = domain::ical::calendar(
        &list[0].0.title,
        &events(&state, &kommunkod, &list),
        state.clock.now(),
    );
    Ok(calendar_response(body))
}
