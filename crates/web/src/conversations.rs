//! Booking a conversation with the carer support officer, without an account: the free times,
//! the booking form (what it asks follows the municipality's recording mode), and the carer's
//! own page to rebook or cancel by token.

use crate::activities::{choices, long_date, Choice};
use crate::error::PageError;
use crate::form_errors::FormErrors;
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
use domain::conversation::{
    validate_booking, ConversationMode, RawBooking, RecordingMode, BOOKING_FIELDS,
};
use domain::FieldErrors;
use store::conversations::{ConversationRow, Refusal, SlotRow};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/kommun/{kommunkod}/samtal", get(times))
        .route("/kommun/{kommunkod}/samtal/{slot}", get(form).post(book))
        .route("/kommun/{kommunkod}/bokning/{token}", get(booking))
        .route("/kommun/{kommunkod}/bokning/{token}/avboka", post(cancel))
        .route("/kommun/{kommunkod}/bokning/{token}/byt", post(rebook))
}

pub struct SlotView {
    pub id: i64,
    pub day: String,
    pub time: String,
    pub mode: String,
    pub place: String,
    pub officer: String,
    /// Day and time together, for labels.
    pub full: String,
}

pub fn slot_view(t: &I18n, s: &SlotRow) -> SlotView {
    let day = long_date(t, s.starts_at.date());
    let time = format!(
        "{}–{}",
        s.starts_at.format("%H.%M"),
        s.ends_at.format("%H.%M")
    );
    SlotView {
        id: s.id,
        full: format!("{day}, {time}"),
        day,
        time,
        mode: t.get(&format!("conversation-mode-{}", s.mode)),
        place: s.place.clone().unwrap_or_default(),
        officer: s.officer_name.clone(),
    }
}

/// Days with their free times, in order.
fn by_day(views: Vec<SlotView>) -> Vec<(String, Vec<SlotView>)> {
    let mut out: Vec<(String, Vec<SlotView>)> = Vec::new();
    for v in views {
        match out.last_mut() {
            Some((day, list)) if *day == v.day => list.push(v),
            _ => out.push((v.day.clone(), vec![v])),
        }
    }
    out
}

fn private(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

#[derive(Template)]
#[template(path = "conversations.html")]
struct TimesPage<'a> {
    l: Layout<'a>,
    kommunkod: String,
    days: Vec<(String, Vec<SlotView>)>,
    recording: String,
}

async fn times(
    State(state): State<AppState>,
    Path(KommunPath { kommunkod }): Path<KommunPath>,
) -> Result<Response, PageError> {
    let c = municipality(&state, &kommunkod).await?;
    let t = &state.t;
    let now = domain::clock::stockholm_local(state.clock.now());
    let slots = store::conversations::open_slots(&state.db, &kommunkod, now).await?;
    let mode = store::conversations::recording_mode(&state.db, &kommunkod).await?;
    let p = TimesPage {
        l: Layout::new(t, t.get("conversations-title"), Some(&c.municipality)).crumb(
            t.get("conversations-title"),
            format!("/kommun/{kommunkod}/samtal"),
        ),
        days: by_day(slots.iter().map(|s| slot_view(t, s)).collect()),
        recording: t.get(&format!("conversations-recording-{}", mode.as_str())),
        kommunkod,
    };
    Ok(Html(p.render()?).into_response())
}

#[derive(Template)]
#[template(path = "conversation_form.html")]
struct FormPage<'a> {
    l: Layout<'a>,
    kommunkod: String,
    s: SlotView,
    asks_name: bool,
    keeps_topic: bool,
    mode: &'static str,
    reach_hint: String,
    recording: String,
    v: RawBooking,
    errors: FormErrors,
    ages: Vec<Choice>,
    genders: Vec<Choice>,
}

impl FormPage<'_> {
    fn has_error(&self, field: &str) -> bool {
        self.errors.has(field)
    }
    fn error_message(&self, field: &str) -> String {
        self.errors.message(field)
    }
}

fn label(t: &I18n, field: &str) -> String {
    t.get(match field {
        "name" => "signup-field-name",
        "email" => "signup-field-email",
        "phone" => "signup-field-phone",
        "topic" => "booking-field-topic",
        "age_group" => "signup-field-age-group",
        "gender" => "signup-field-gender",
        "consent" => "signup-field-consent-short",
        _ => "booking-field-time",
    })
}

async fn form_page(
    state: &AppState,
    kommunkod: &str,
    slot: i64,
    v: RawBooking,
    errors: FormErrors,
) -> Result<Option<String>, PageError> {
    let c = municipality(state, kommunkod).await?;
    let Some(s) = store::conversations::slot(&state.db, kommunkod, slot).await? else {
        return Ok(None);
    };
    let t = &state.t;
    let recording = store::conversations::recording_mode(&state.db, kommunkod).await?;
    let mode = ConversationMode::parse(&s.mode).unwrap_or(ConversationMode::InPerson);
    let view = slot_view(t, &s);
    let heading = t.get("booking-title");
    let title = if errors.is_empty() {
        heading.clone()
    } else {
        t.get1("form-title-with-errors", "title", &heading)
    };
    let p = FormPage {
        l: Layout::new(t, title, Some(&c.municipality))
            .crumb(
                t.get("conversations-title"),
                format!("/kommun/{kommunkod}/samtal"),
            )
            .crumb(heading, format!("/kommun/{kommunkod}/samtal/{slot}")),
        kommunkod: kommunkod.to_owned(),
        s: view,
        asks_name: recording == RecordingMode::Named,
        keeps_topic: recording != RecordingMode::Anonymous,
        mode: mode.as_str(),
        reach_hint: t.get(&format!("booking-reach-hint-{}", mode.as_str())),
        recording: t.get(&format!("conversations-recording-{}", recording.as_str())),
        ages: choices(
            t,
            domain::contact::AgeGroup::ALL,
            domain::contact::AgeGroup::as_str,
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
        v,
        errors,
    };
    Ok(Some(p.render()?))
}

async fn form(
    State(state): State<AppState>,
    Path(KommunPath { kommunkod }): Path<KommunPath>,
    slot: Id<ids::Slot>,
) -> Result<Response, PageError> {
    form_page(
        &state,
        &kommunkod,
        slot.get(),
        RawBooking::default(),
        FormErrors::none(),
    )
    .await?
    .map(|h| Html(h).into_response())
    .ok_or(PageError::NotFound)
}

fn raw_from_form(body: &[u8]) -> RawBooking {
    let mut r = RawBooking::default();
    for (k, v) in form_urlencoded::parse(body) {
        let v = v.into_owned();
        match k.as_ref() {
            "name" => r.name = v,
            "email" => r.email = v,
            "phone" => r.phone = v,
            "topic" => r.topic = v,
            "age_group" => r.age_group = v,
            "gender" => r.gender = v,
            "consent" => r.consent = v == "yes",
            _ => {}
        }
    }
    r
}

fn refusal(r: Refusal) -> FieldErrors {
    let id = match r {
        Refusal::SlotUnavailable => "error-slot-unavailable",
        Refusal::NeedsContact => "error-rebook-contact",
        Refusal::AlreadyCancelled => "error-booking-already-cancelled",
        Refusal::NotFound => "error-booking-not-found",
    };
    FieldErrors::one("slot", id)
}

async fn book(
    State(state): State<AppState>,
    Path(KommunPath { kommunkod }): Path<KommunPath>,
    slot: Id<ids::Slot>,
    PublicOrigin(origin): PublicOrigin,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, PageError> {
    let t = &state.t;
    let slot_id = slot.get();
    let Some(s) = store::conversations::slot(&state.db, &kommunkod, slot_id).await? else {
        return Err(PageError::NotFound);
    };
    let (raw, errors, status) = match body {
        Err(e) => (
            RawBooking::default(),
            {
                let mut e = FormErrors::none();
                e.push("topic", label(t, "topic"), t.get("error-form-too-large"));
                e
            },
            e.status(),
        ),
        Ok(body) => {
            let raw = raw_from_form(&body);
            let recording = store::conversations::recording_mode(&state.db, &kommunkod).await?;
            let mode = ConversationMode::parse(&s.mode).unwrap_or(ConversationMode::InPerson);
            let outcome = match validate_booking(&raw, recording, mode) {
                Err(e) => Err(e),
                Ok(b) => {
                    let now = state.clock.now();
                    let compose = crate::mails::Mails::new(&state);
                    store::conversations::book(
                        &state.db,
                        &kommunkod,
                        slot_id,
                        &b,
                        recording,
                        &compose,
                        now,
                        domain::clock::stockholm_local(now),
                        &origin,
                    )
                    .await?
                    .map_err(refusal)
                }
            };
            match outcome {
                Ok((_, token)) => {
                    return Ok(
                        Redirect::to(&format!("/kommun/{kommunkod}/bokning/{token}"))
                            .into_response(),
                    )
                }
                Err(e) => (
                    raw,
                    FormErrors::new(t, &e, BOOKING_FIELDS, |f| label(t, f)),
                    StatusCode::UNPROCESSABLE_ENTITY,
                ),
            }
        }
    };
    let html = form_page(&state, &kommunkod, slot_id, raw, errors)
        .await?
        .ok_or(PageError::NotFound)?;
    Ok((status, Html(html)).into_response())
}

#[derive(Template)]
#[template(path = "booking.html")]
struct BookingPage<'a> {
    l: Layout<'a>,
    kommunkod: String,
    token: String,
    c: ConversationRow,
    when: String,
    mode: String,
    status: String,
    contact: String,
    others: Vec<SlotView>,
    notice: String,
    error: String,
}

async fn booking_page(
    state: &AppState,
    kommunkod: &str,
    token: &str,
    notice: &str,
    error: &str,
    origin: &store::audit::Origin,
) -> Result<Response, PageError> {
    let c_ = municipality(state, kommunkod).await?;
    let Some(c) = store::conversations::by_token(&state.db, token, state.clock.now(), origin)
        .await?
        .filter(|c| c.kommunkod == kommunkod)
    else {
        return Err(PageError::NotFound);
    };
    let t = &state.t;
    let now = domain::clock::stockholm_local(state.clock.now());
    let others = if c.status == "booked" {
        store::conversations::open_slots(&state.db, kommunkod, now)
            .await?
            .iter()
            // Only the times this booking can be reached for.
            .filter(|s| {
                ConversationMode::parse(&s.mode)
                    .is_some_and(|m| m.reachable(c.email.is_some(), c.phone.is_some()))
            })
            .map(|s| slot_view(t, s))
            .collect()
    } else {
        Vec::new()
    };
    // The named support contact: the one offered, else the officer of the booking.
    let contact = store::support_contacts::contact_of(&state.db, "conversation", c.id)
        .await?
        .or_else(|| c.officer_name.clone())
        .unwrap_or_default();
    let p = BookingPage {
        l: Layout::new(
            t,
            t.get(&format!("booking-title-{}", c.status)),
            Some(&c_.municipality),
        )
        .crumb(
            t.get("conversations-title"),
            format!("/kommun/{kommunkod}/samtal"),
        ),
        kommunkod: kommunkod.to_owned(),
        token: token.to_owned(),
        when: crate::activities::moment_text(t, c.starts_at),
        mode: t.get(&format!("conversation-mode-{}", c.mode)),
        status: t.get(&format!("booking-status-{}", c.status)),
        contact,
        others,
        notice: if notice.is_empty() {
            String::new()
        } else {
            t.get(notice)
        },
        error: if error.is_empty() {
            String::new()
        } else {
            t.get(error)
        },
        c,
    };
    Ok(private(Html(p.render()?).into_response()))
}

async fn booking(
    State(state): State<AppState>,
    Path(KommunPath { kommunkod }): Path<KommunPath>,
    Path(TokenPath { token }): Path<TokenPath>,
    PublicOrigin(origin): PublicOrigin,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let q = query_pairs(&q);
    let notice = match q
        .iter()
        .find(|(k, _)| k == "klart")
        .map(|(_, v)| v.as_str())
    {
        Some("avbokad") => "booking-notice-cancelled",
        Some("flyttad") => "booking-notice-moved",
        _ => "",
    };
    booking_page(&state, &kommunkod, &token, notice, "", &origin).await
}

async fn cancel(
    State(state): State<AppState>,
    Path(KommunPath { kommunkod }): Path<KommunPath>,
    Path(TokenPath { token }): Path<TokenPath>,
    PublicOrigin(origin): PublicOrigin,
) -> Result<Response, PageError> {
    municipality(&state, &kommunkod).await?;
    let compose = crate::mails::Mails::new(&state);
    match store::conversations::cancel_booking(
        &state.db,
        &kommunkod,
        &token,
        &compose,
        state.clock.now(),
        &origin,
    )
    .await?
    {
        Ok(_) | Err(Refusal::AlreadyCancelled) => Ok(private(
            Redirect::to(&format!(
                "/kommun/{kommunkod}/bokning/{token}?klart=avbokad"
            ))
            .into_response(),
        )),
        Err(_) => Err(PageError::NotFound),
    }
}

async fn rebook(
    State(state): State<AppState>,
    Path(KommunPath { kommunkod }): Path<KommunPath>,
    Path(TokenPath { token }): Path<TokenPath>,
    PublicOrigin(origin): PublicOrigin,
    body: Bytes,
) -> Result<Response, PageError> {
    municipality(&state, &kommunkod).await?;
    let slot = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "slot")
        .and_then(|(_, v)| v.parse::<i64>().ok())
        .unwrap_or(0);
    let now = state.clock.now();
    let compose = crate::mails::Mails::new(&state);
    let o = origin;
    match store::conversations::rebook(
        &state.db,
        &kommunkod,
        &token,
        slot,
        &compose,
        now,
        domain::clock::stockholm_local(now),
        &o,
    )
    .await?
    {
        Ok(_) => Ok(private(
            Redirect::to(&format!(
                "/kommun/{kommunkod}/bokning/{token}?klart=flyttad"
            ))
            .into_response(),
        )),
        Err(Refusal::NotFound) => Err(PageError::NotFound),
        Err(r) => {
            let id = refusal(r)
                .messages("slot")
                .first()
                .copied()
                .unwrap_or("error-slot-unavailable");
            let mut page = booking_page(&state, &kommunkod, &token, "", id, &o).await?;
            *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(page)
        }
    }
}
